"""The numbers exercise 10 (lesson 10's network in practice) states: the inputs of its
questions, each the constant the exercise's code uses."""

from __future__ import annotations

from ..digits import EPOCHS, SWEEP_BATCH, load_digits_split
from ..lessons import network_practice as ex
from . import given, stated

EXERCISE = "exercises/10_network_practice.ipynb"

NUMBERS = (
    given("10 exercise: the training rows", ex.TRAIN_ROWS, ",d", EXERCISE),
    given("10 exercise q2: the sweep's epochs", EPOCHS, "d", EXERCISE),
    given("10 exercise q2: the sweep's batch size", SWEEP_BATCH, "d", EXERCISE),
    given("10 exercise q3: the batch size", ex.EPOCH_BATCH, "d", EXERCISE),
    stated(
        "10 exercise q5: the network's parameters",
        lambda: load_digits_split().network("train").shape[0],
        ",d",
        EXERCISE,
        exact="arithmetic on the layer sizes, 64 * 32 + 32 + 32 * 10 + 10",
    ),
)
