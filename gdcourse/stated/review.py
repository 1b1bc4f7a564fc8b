"""The numbers lesson 08 states (the review): its notebook and its one-pager. Numbers of earlier
lessons are computed with the functions those lessons use."""

from __future__ import annotations

from functools import cache

import numpy as np

from ..core import (
    contraction_factor,
    error_multiplier,
    escape_steps_simulated,
    gradient_descent,
    gradient_step,
    noise_floor,
    saddle_escape_steps,
    updates_per_epoch,
)
from ..lessons import review as lesson
from ..lessons import saddles
from . import given, stated

NOTEBOOK = "notebooks/08_review.ipynb"
ONE_PAGER = "docs/lessons/08_review.md"


def _ceiling_margin(x: float) -> float:
    """How far ``x`` is from a whole number, relative to ``x``: a ceiling's margin."""
    return abs(x - round(x)) / abs(x) if x != round(x) else 0.0


def _escape_step(y0: float, lr: float, target: float) -> int | None:
    """The seed card's real run: from (1, y0) on the saddle loss until ``|y| >= target``."""
    return escape_steps_simulated(y0, lr, threshold=target, loss=saddles.SADDLE)


def _escape_run_margin(y0: float, lr: float, target: float) -> float:
    """How far the first step of :func:`_escape_step` with ``|y| >= target`` was from another
    step: ``|y|`` just before and at that step, from the target (relative)."""
    k = _escape_step(y0, lr, target)
    run = gradient_descent(saddles.SADDLE, [1.0, y0], lr=lr, steps=10_000, tol=0.0)
    y = np.abs(run.weights[:, 1])
    if k is None or k == 0 or not (y[k - 1] < target <= y[k]):
        return 0.0  # not the run the lesson reads: fail loudly
    return float(min(target - y[k - 1], y[k] - target) / target)


def _abs_run() -> np.ndarray:
    """The weights of gradient descent on |w| (cell review-32)."""
    run = gradient_descent(
        lesson.ABS_LOSS, lesson.ABS_W0, lr=lesson.ABS_LR, steps=lesson.ABS_STEPS, tol=0.0
    )
    return run.weights


def _abs_margin() -> float:
    """Each step on |w| goes by the sign of w: how near any w came to the kink, in steps."""
    return float(np.min(np.abs(_abs_run())) / lesson.ABS_LR)


@cache
def _q1_run():
    """Quiz q1's run: (w - 2)^2 from 8 at rate 0.25, 3 steps."""
    return gradient_descent(lesson.Q1_LOSS, lesson.Q1_W0, lr=lesson.Q1_LR, steps=lesson.Q1_STEPS)


NUMBERS = (
    # -- the seed's cards -------------------------------------------------------------------------
    given("08 seed card 1: the rate", lesson.SEED_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "08 seed card 1: w after one step",
        lambda: gradient_step(lesson.SEED_W0, lesson.SEED_SLOPE, lr=lesson.SEED_LR),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="5 - 0.1 * (-3) = 5.3",
    ),
    stated(
        "08 seed card 2: updates per epoch",
        lambda: updates_per_epoch(lesson.BIG_N, lesson.BIG_B),
        ",d",
        ONE_PAGER,
        margin=lambda: _ceiling_margin(lesson.BIG_N / lesson.BIG_B),
        exact="whole-number arithmetic: ceil(N / B)",
    ),
    given("08 seed card 2: the examples", lesson.BIG_N, ".0e", ONE_PAGER),
    given("08 seed card 2: the batch size", lesson.BIG_B, "d", ONE_PAGER),
    given(
        "08 seed card 3: the escape threshold", saddles.ESCAPE_THRESHOLD, ".1f", NOTEBOOK, ONE_PAGER
    ),
    given("08 seed card 3: the offset y0", lesson.SADDLE_Y0, ".0e", ONE_PAGER),
    given("08 seed card 3: the rate", lesson.SADDLE_LR, ".1f", ONE_PAGER),
    stated(
        "08 seed card 3: the escape estimate",
        lambda: saddle_escape_steps(
            lesson.SADDLE_Y0, lesson.SADDLE_LR, threshold=saddles.ESCAPE_THRESHOLD
        ),
        ".0f",
        ONE_PAGER,
    ),
    stated(
        "08 seed card 3: the real run's escape step",
        lambda: _escape_step(lesson.SADDLE_Y0, lesson.SADDLE_LR, saddles.ESCAPE_THRESHOLD),
        "d",
        ONE_PAGER,
        margin=lambda: _escape_run_margin(
            lesson.SADDLE_Y0, lesson.SADDLE_LR, saddles.ESCAPE_THRESHOLD
        ),
    ),
    # -- the lesson cards, as the one-pager restates them -----------------------------------------
    given("08 card 04: the condition number", lesson.KAPPA, ".0f", ONE_PAGER),
    stated(
        "08 card 04: the contraction at kappa = 100",
        lambda: contraction_factor([1.0, lesson.KAPPA]),
        ".4f",
        ONE_PAGER,
    ),
    *(
        stated(
            f"08 card 05: the noise floor at rate {lr}",
            (lambda lr=lr: noise_floor(lesson.FLOOR_A, lr, lesson.FLOOR_NOISE)),
            ".4f",
            ONE_PAGER,
        )
        for lr in lesson.FLOOR_LRS
    ),
    *(
        given(f"08 card 05: the rate {lr}", lr, ".2f" if lr < 0.1 else ".1f", ONE_PAGER)
        for lr in lesson.FLOOR_LRS
    ),
    # -- the quiz (and the one-pager's answer key) ----------------------------------------------
    given("08 q1: the rate", lesson.Q1_LR, ".2f", NOTEBOOK),
    *(
        stated(
            f"08 q1's answer: w after step {k}",
            (lambda k=k: float(_q1_run().weights[k])),
            fmt,
            ONE_PAGER,
            exact="8 - 6 (1 - 1/2^k): halving a whole number, binary fractions",
        )
        for k, fmt in ((2, ".1f"), (3, ".2f"))
    ),
    stated("08 q3's answer: the stability limit", lesson.q3.expected, ".2f", ONE_PAGER),
    given("08 q5's answer: the batch size B", lesson.Q5_B, "d", ONE_PAGER),
    stated(
        "08 q5's answer: N - B",
        lambda: lesson.Q5_N - lesson.Q5_B,
        "d",
        ONE_PAGER,
        exact="whole numbers",
    ),
    stated("08 q5's answer: N - 1", lambda: lesson.Q5_N - 1, "d", ONE_PAGER, exact="whole numbers"),
    stated(
        "08 q5's answer: the variance",
        lesson.q5.expected,
        ".3f",
        ONE_PAGER,
        exact="8/25 * 75/99: a closed form of the question's whole numbers",
    ),
    given("08 q3: the flattest curvature", lesson.Q3_EIGENVALUES[0], ".1f", NOTEBOOK),
    given(
        "08 q3: the sweep's steps",
        lesson.SWEEP_STEPS,
        "d",
        NOTEBOOK,
    ),
    stated(
        "08 q4: the contraction factor (the distance shrinks by)",
        lesson.q4.expected,
        ".1f",
        ONE_PAGER,
    ),
    given("08 q5: the examples N", lesson.Q5_N, "d", NOTEBOOK),
    given("08 q5: the batch size B", lesson.Q5_B, "d", NOTEBOOK),
    given("08 q6: the rate", lesson.Q6_LR, ".2f", NOTEBOOK),
    given("08 q6: the offset y0", lesson.Q6_Y0, ".4f", NOTEBOOK),
    given("08 q6: the target |y|", lesson.Q6_TARGET, ".1f", NOTEBOOK),
    # -- the seed's questions: smoothness and "confidence" ----------------------------------------
    given("08 |w|: the start", lesson.ABS_W0, ".2f", NOTEBOOK, ONE_PAGER),
    given("08 |w|: the rate", lesson.ABS_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "08 |w|: the two points it bounces between",
        lambda: float(abs(_abs_run()[-1])),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        margin=_abs_margin,
        exact="1.05 - 0.1 k: a few IEEE subtractions, the same on every machine",
    ),
    given("08 the same rate on two curvatures", lesson.SAME_RATE, ".1f", NOTEBOOK, ONE_PAGER),
    given("08 the flat curvature", lesson.FLAT_A, ".1f", ONE_PAGER),
    given("08 the steep curvature", lesson.STEEP_A, ".0f", ONE_PAGER),
    stated(
        "08 the multiplier on the flat curvature",
        lambda: error_multiplier(lesson.FLAT_A, lesson.SAME_RATE),
        ".2f",
        ONE_PAGER,
    ),
    stated(
        "08 misconception: the steep loss written 15 (w - c)^2",
        lambda: lesson.STEEP_A / 2,
        ".0f",
        ONE_PAGER,
        exact="a / 2 = 30 / 2",
    ),
)
