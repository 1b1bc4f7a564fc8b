"""The numbers lesson 06 states (schedules and the range test): its notebook, its one-pager and its
exercise."""

from __future__ import annotations

import inspect
from functools import cache

import numpy as np

from ..core import (
    RangeTest,
    cosine_decay,
    exponential_decay,
    gradient_descent,
    inverse_time_decay,
    max_stable_lr,
    minibatch_sgd,
    noise_floor,
    noisy_runs,
    range_test,
    settled_loss,
    step_decay,
    travel_bound,
)
from ..lessons import schedules as lesson
from ..lessons import schedules_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/06_schedules.ipynb"
ONE_PAGER = "docs/lessons/06_schedules.md"
EXERCISE = "exercises/06_schedules_practice.ipynb"

# The range test exactly as the notebook runs it (section 4), and what the lesson trains with.
RANGE, TRAIN_EPOCHS = lesson.RANGE_SETTINGS, lesson.TRAIN_EPOCHS
SLOWER_RAMP = 200  # cell schedules-32: the same test over 200 updates
SHUFFLES = 20  # cell schedules-32: the picked rate trained with 20 ways of drawing the batches


@cache
def lesson_range_test(steps: int = RANGE["steps"]) -> RangeTest:
    """Lesson 06's range test (cell schedules-29), or the same over another number of updates."""
    return range_test(lesson.regression(), lesson.RANGE_W0, **{**RANGE, "steps": steps})


def _limit() -> float:
    problem = lesson.regression()
    return max_stable_lr(np.linalg.eigvalsh(problem.hessian(lesson.RANGE_W0)))


def _trained_at(rate: float, seed: int = 0):
    return minibatch_sgd(
        lesson.regression(),
        lesson.RANGE_W0,
        lr=rate,
        batch_size=RANGE["batch_size"],
        epochs=TRAIN_EPOCHS,
        seed=seed,
    )


def _excess(rate: float, seed: int = 0) -> float:
    """How far above the lowest possible loss training at ``rate`` ends (a fraction)."""
    problem = lesson.regression()
    lowest = problem.value(problem.minimizer)
    return float(_trained_at(rate, seed).losses[-1] / lowest - 1)


def _excess_of_the_picked_rate() -> float:
    return _excess(lesson_range_test().suggested)


@cache
def _excess_over_shuffles() -> tuple[float, ...]:
    return tuple(_excess(lesson_range_test().suggested, seed) for seed in range(SHUFFLES))


def _rate_ratio_over_the_average() -> float:
    """How many times smaller the rate was 10 updates before the smoothed minimum."""
    test = lesson_range_test()
    k = int(np.flatnonzero(test.rates == test.at_minimum)[0])
    return float(test.rates[k] / test.rates[k - 10])


def _settled(lr) -> float:
    """Where noisy runs at ``lr`` settle (cell schedules-03): the mean of the last 100 losses of
    20 seeds of 2000 steps."""
    runs = noisy_runs(
        lesson.loss(),
        lesson.W0,
        lr,
        lesson.SETTLE_STEPS,
        noise=lesson.NOISE,
        seeds=lesson.SETTLE_SEEDS,
    )
    return settled_loss(runs, last=lesson.SETTLE_LAST)


def _rescued():
    return gradient_descent(lesson.loss(), lesson.W0, lr=step_decay(1.5, 0.5, every=5), steps=100)


NUMBERS = (
    # -- section 1: noise floors, and a schedule that rescues a too-large rate -------------------
    given("06 a too-large constant rate", 1.5, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "06 the step decay's rate after 5 steps",
        lambda: float(step_decay(1.5, 0.5, every=5)(5)),
        ".2f",
        NOTEBOOK,
        exact="1.5 * 0.5, binary fractions",
    ),
    given("06 the constant rates of the noisy runs", 0.5, ".1f", ONE_PAGER),
    stated(
        "06 the noise floor of constant 0.5",
        lambda: noise_floor(2, 0.5, lesson.NOISE),
        ".2g",
        ONE_PAGER,
        exact="0.5 / (2 (2 - 1)), binary fractions",
    ),
    given("06 the smaller constant rate", 0.1, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "06 the noise floor of constant 0.1", lambda: noise_floor(2, 0.1, 1.0), ".2g", ONE_PAGER
    ),
    *(
        stated(
            f"06 where constant {lr} settles (mean of 20 noisy runs)",
            (lambda lr=lr: _settled(lr)),
            fmt,
            ONE_PAGER,
        )
        for lr, fmt in ((0.5, ".2f"), (0.1, ".2g"))
    ),
    stated(
        "06 where 1/t settles (mean of 20 noisy runs)",
        lambda: _settled(inverse_time_decay(0.5, 0.05)),
        ".1g",
        ONE_PAGER,
    ),
    stated(
        "06 where cosine settles (mean of 20 noisy runs)",
        lambda: _settled(cosine_decay(0.5, total_steps=2000)),
        ".1g",
        ONE_PAGER,
    ),
    stated(
        "06 the rescued run's start loss",
        lambda: float(_rescued().losses[0]),
        ".0f",
        ONE_PAGER,
        exact="(7 - 3)^2",
    ),
    stated(
        "06 the rescued run's loss after 5 steps",
        lambda: float(_rescued().losses[5]),
        ".0f",
        ONE_PAGER,
        exact="16 * 2^10: the error doubles 5 times, in binary fractions",
    ),
    given("06 the explorer's exponential start rate", 0.03, ".2f", NOTEBOOK),
    # -- sections 2 and 3: Robbins-Monro, and the exponential's travel bound ---------------------
    given("06 the exponential decay's gamma", 0.99, ".2f", NOTEBOOK, ONE_PAGER),
    given("06 the partial sums' first length", 1e3, ".0e", NOTEBOOK),
    given("06 the partial sums' second length", 1e6, ".0e", NOTEBOOK),
    stated(
        "06 the travel bound of exponential_decay(0.1, 0.75)",
        lambda: travel_bound(0.1, 0.75, abs(lesson.loss().gradient(lesson.W0))),
        ".1f",
        ONE_PAGER,
        exact="lr / (1 - gamma) * |g|: a closed form",
    ),
    stated(
        "06 where exponential_decay(0.1, 0.75) freezes",
        lambda: float(
            gradient_descent(
                lesson.loss(), lesson.W0, lr=exponential_decay(0.1, 0.75), steps=1000, tol=0
            ).weights[-1]
        ),
        ".2f",
        ONE_PAGER,
    ),
    stated(
        "06 the travel bound of exponential_decay(0.1, 0.99)",
        lambda: travel_bound(0.1, 0.99, abs(lesson.loss().gradient(lesson.W0))),
        ".0f",
        NOTEBOOK,
        exact="lr / (1 - gamma) * |g|: a closed form",
    ),
    # -- section 4: the sweep's one-step rate, and the range test --------------------------------
    stated(
        "06 the sweep's one-step rate 1/a on (w - 3)^2",
        lambda: 1 / (2 * lesson.A / 2),
        ".1f",
        ONE_PAGER,
        exact="1/2",
    ),
    given("06 the range test's first rate", RANGE["lr_min"], ".0e", NOTEBOOK, ONE_PAGER),
    given("06 the range test's updates", RANGE["steps"], "d", NOTEBOOK, ONE_PAGER),
    given("06 the range test's batch size", RANGE["batch_size"], "d", NOTEBOOK, ONE_PAGER),
    given(
        "06 the range test's smoothing",
        inspect.signature(range_test).parameters["smoothing"].default,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "06 the weight of the newest loss in the average",
        lambda: 1 - lesson_range_test().smoothing,
        ".1f",
        NOTEBOOK,
        exact="1 - 0.9",
    ),
    given("06 the regression's examples", lesson.N_SAMPLES, "d", NOTEBOOK),
    stated(
        "06 the weight of the last 10 updates in the average",
        lambda: 1 - lesson_range_test().smoothing ** 10,
        ".0%",
        NOTEBOOK,
        exact="1 - 0.9^10",
    ),
    stated(
        "06 how much smaller the rate was 10 updates before the smoothed minimum",
        _rate_ratio_over_the_average,
        ".1f",
        NOTEBOOK,
    ),
    given("06 the shuffles the picked rate is trained with", SHUFFLES, "d", NOTEBOOK),
    stated(
        "06 the picked rate's loss above the lowest, at best over 20 shuffles",
        lambda: min(_excess_over_shuffles()),
        ".0%",
        NOTEBOOK,
    ),
    stated(
        "06 the picked rate's loss above the lowest, at worst over 20 shuffles",
        lambda: max(_excess_over_shuffles()),
        ".0%",
        NOTEBOOK,
    ),
    given("06 the slower ramp's updates", SLOWER_RAMP, "d", NOTEBOOK, ONE_PAGER),
    stated(
        "06 the slower ramp: the rate of the lowest smoothed loss",
        lambda: lesson_range_test(SLOWER_RAMP).at_minimum,
        "#.2g",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test(SLOWER_RAMP).minimum_margin,
    ),
    stated(
        "06 the slower ramp: the blow-up",
        lambda: lesson_range_test(SLOWER_RAMP).blow_up,
        "#.2g",
        NOTEBOOK,
        margin=lambda: lesson_range_test(SLOWER_RAMP).blow_up_margin,
    ),
    stated(
        "06 the slower ramp: training at its lowest-loss rate ends this far above the lowest",
        lambda: _excess(lesson_range_test(SLOWER_RAMP).at_minimum),
        ".0%",
        NOTEBOOK,
    ),
    stated(
        "06 range test: blow-up rate",
        lambda: lesson_range_test().blow_up,
        "#.2g",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test().blow_up_margin,
    ),
    stated(
        "06 range test: the rate picked, 10x below the blow-up",
        lambda: lesson_range_test().suggested,
        "#.2g",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test().blow_up_margin,
    ),
    stated(
        "06 range test: the rate of the lowest smoothed loss",
        lambda: lesson_range_test().at_minimum,
        "#.2g",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test().minimum_margin,
    ),
    stated("06 range test: the limit 2/lambda_max", _limit, ".2f", NOTEBOOK, ONE_PAGER),
    stated(
        "06 range test: the picked rate's loss above the lowest possible",
        _excess_of_the_picked_rate,
        ".0%",
        NOTEBOOK,
        ONE_PAGER,
    ),
    # -- the exercise ------------------------------------------------------------------------------
    given("06 exercise q1: step decay's rate", ex.Q1_LR, ".1f", EXERCISE, ONE_PAGER),
    given("06 exercise q1: step decay's factor", ex.Q1_FACTOR, ".1f", EXERCISE),
    given("06 exercise q1: step decay's period", ex.Q1_EVERY, "d", EXERCISE),
    *(given(f"06 exercise q1: step {t}", t, "d", EXERCISE) for t in ex.Q1_STEPS if t > 10),
    stated(
        "06 exercise q1: the rate at step 30 (one-pager)",
        lambda: float(step_decay(ex.Q1_LR, ex.Q1_FACTOR, every=ex.Q1_EVERY)(30)),
        ".1f",
        ONE_PAGER,
        exact="0.8 * 0.5",
    ),
    given("06 exercise q2: how many rates", ex.Q2_N, "d", EXERCISE),
    given("06 exercise q3: the rate after warmup", ex.Q3_LR, ".1f", EXERCISE),
    given("06 exercise q3: the 1/t decay", ex.Q3_DECAY, ".1f", EXERCISE),
    stated(
        "06 exercise q4: the problem's examples",
        lambda: ex.range_problem().n_samples,
        "d",
        EXERCISE,
        exact="a given of the lesson",
    ),
    given(
        "06 exercise q4: the range test's first rate", ex.RANGE_SETTINGS["lr_min"], ".0e", EXERCISE
    ),
    given("06 exercise q4: the range test's updates", ex.RANGE_SETTINGS["steps"], "d", EXERCISE),
    given(
        "06 exercise q4: the range test's batch size",
        ex.RANGE_SETTINGS["batch_size"],
        "d",
        EXERCISE,
    ),
    *(
        stated(
            f"06 exercise q4: the rate offered as {role!r}",
            (lambda a=attribute, d=divisor: getattr(ex.the_range_test(), a) / d),
            "#.2g",
            margin=(
                lambda a=attribute: getattr(
                    ex.the_range_test(), "minimum_margin" if a == "at_minimum" else "blow_up_margin"
                )
            ),
            used_by="exercise 06 q4's offered choices (schedules_practice.range_choices)",
        )
        for role, attribute, divisor in (
            ("far too small", "suggested", 100),
            ("10x below the blow-up", "suggested", 1),
            ("lowest loss", "at_minimum", 1),
            ("blow-up", "blow_up", 1),
        )
    ),
)
