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
# Section 2 (cells schedules-18a to 18e): the 1/t of q1, 0.1 / (1 + t), run for a million steps
# with exact gradients; then it, section 1's 1/t and 0.1 / sqrt(1 + t) with noise.
ONE_OVER_T, SECTION_1_ONE_OVER_T, EXACT_STEPS = (0.1, 1.0), (0.5, 0.05), 10**6
SLOW_GAMMA = 0.9  # cell schedules-22a: the exponential decay whose bound exceeds the distance


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
    500 seeds of 2000 steps."""
    runs = noisy_runs(
        lesson.loss(),
        lesson.W0,
        lr,
        lesson.SETTLE_STEPS,
        noise=lesson.NOISE,
        seeds=lesson.SETTLE_SEEDS,
    )
    return settled_loss(runs, last=lesson.SETTLE_LAST)


def _exact_error(steps: int) -> float:
    """|w - 3| after ``steps`` steps of 0.1 / (1 + t) with exact gradients (cell schedules-18a)."""
    factors = inverse_time_decay(*ONE_OVER_T).error_factors(lesson.A, steps)
    return float(abs(lesson.W0 - lesson.C) * abs(factors[-1]))


def _tenfold_factor() -> float:
    """What the last tenfold of the million steps multiplies the error by (cell schedules-18a)."""
    factors = inverse_time_decay(*ONE_OVER_T).error_factors(lesson.A, EXACT_STEPS)
    return float(factors[EXACT_STEPS] / factors[EXACT_STEPS // 10])


def _slow_schedules() -> dict:
    """The three schedules of cell schedules-18c."""
    return {
        "0.1 / (1 + t)": inverse_time_decay(*ONE_OVER_T),
        "0.5 / (1 + 0.05 t)": inverse_time_decay(*SECTION_1_ONE_OVER_T),
        "0.1 / sqrt(1 + t)": lambda t: ONE_OVER_T[0] / np.sqrt(1 + t),
    }


def _fall(name: str) -> float:
    """How many times lower the mean loss of 200 noisy runs of schedule ``name`` is over the
    second half of the first 10^4 steps than over that of the first 10^3 (cell schedules-18c)."""
    runs = noisy_runs(
        lesson.loss(),
        lesson.W0,
        _slow_schedules()[name],
        lesson.LONG_STEPS,
        noise=lesson.NOISE,
        seeds=lesson.LONG_SEEDS,
    )
    near = [settled_loss(runs.losses[:, : n + 1], last=n // 2) for n in lesson.LONG_CHECKPOINTS]
    return near[0] / near[1]


def _frozen_at(gamma: float) -> float:
    """Where exponential_decay(0.1, gamma) leaves w after 1000 steps (cells schedules-21, 22a)."""
    run = gradient_descent(
        lesson.loss(), lesson.W0, lr=exponential_decay(0.1, gamma), steps=1000, tol=0
    )
    return float(run.weights[-1])


def _decay_exponent(gamma: float) -> float:
    """a times the sum of the rates of exponential_decay(0.1, gamma): a eta_0 / (1 - gamma)."""
    return lesson.A * float(exponential_decay(0.1, gamma).rates(10_000).sum())


def _error_left_at_most(gamma: float) -> float:
    """e_0 exp(-a eta_0 / (1 - gamma)): the most exponential_decay(0.1, gamma) can leave."""
    return abs(lesson.W0 - lesson.C) * float(np.exp(-_decay_exponent(gamma)))


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
    given("06 the constant rates of the noisy runs", 0.5, ".1f", NOTEBOOK, ONE_PAGER),
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
    given(
        "06 the noisy runs that measure where a run settles",
        len(lesson.SETTLE_SEEDS),
        "d",
        ONE_PAGER,
    ),
    *(
        stated(
            f"06 where constant {lr} settles (mean of 500 noisy runs)",
            (lambda lr=lr: _settled(lr)),
            fmt,
            ONE_PAGER,
        )
        for lr, fmt in ((0.5, ".2f"), (0.1, ".2g"))
    ),
    stated(
        "06 where 1/t settles (mean of 500 noisy runs)",
        lambda: _settled(inverse_time_decay(0.5, 0.05)),
        ".1g",
        ONE_PAGER,
    ),
    stated(
        "06 where cosine settles (mean of 500 noisy runs)",
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
    stated(
        "06 the rescue's rates add up to",
        lambda: float(step_decay(1.5, 0.5, every=5).rates(2000).sum()),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="5 x 1.5 x (1 + 1/2 + 1/4 + ...) = 15, less than 1e-100 short after 2000 steps",
    ),
    given("06 the explorer's exponential start rate", 0.03, ".2f", NOTEBOOK),
    # -- sections 2 and 3: Robbins-Monro, and the exponential's travel bound ---------------------
    given("06 the exponential decay's gamma", 0.99, ".2f", NOTEBOOK, ONE_PAGER),
    given("06 the partial sums' first length", 1e3, ".0e", NOTEBOOK),
    given("06 the partial sums' second length", 1e6, ".0e", NOTEBOOK, ONE_PAGER),
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
    given(
        "06 the exponential decay whose bound exceeds the distance",
        SLOW_GAMMA,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "06 where exponential_decay(0.1, 0.9) freezes",
        lambda: _frozen_at(SLOW_GAMMA),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "06 the error exponential_decay(0.1, 0.9) leaves",
        lambda: _frozen_at(SLOW_GAMMA) - lesson.C,
        ".2f",
        NOTEBOOK,
    ),
    stated(
        "06 the most exponential_decay(0.1, 0.9) can leave, 4 e^-2",
        lambda: _error_left_at_most(SLOW_GAMMA),
        ".2f",
        NOTEBOOK,
    ),
    stated(
        "06 a eta_0 / (1 - gamma) of exponential_decay(0.1, 0.99)",
        lambda: _decay_exponent(0.99),
        (".0f", lambda v: f"{-v:.0f}"),  # 20, and the -20 of e^{-20}
        NOTEBOOK,
    ),
    stated(
        "06 the most exponential_decay(0.1, 0.99) can leave, 4 e^-20",
        lambda: _error_left_at_most(0.99),
        ".0e",
        NOTEBOOK,
    ),
    stated(
        "06 the travel bound of exponential_decay(0.1, 0.99)",
        lambda: travel_bound(0.1, 0.99, abs(lesson.loss().gradient(lesson.W0))),
        ".0f",
        NOTEBOOK,
        exact="lr / (1 - gamma) * |g|: a closed form",
    ),
    # -- section 2: Robbins-Monro is sufficient, not necessary, and says nothing of speed ---------
    stated(
        "06 c a of 0.1 / (1 + t) on a = 2",
        lambda: ONE_OVER_T[0] / ONE_OVER_T[1] * lesson.A,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.1 / 1 * 2",
    ),
    stated(
        "06 |w - 3| after a million exact steps of 0.1 / (1 + t)",
        lambda: _exact_error(EXACT_STEPS),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "06 what the last tenfold of steps multiplies the error of 0.1 / (1 + t) by",
        _tenfold_factor,
        ".2f",
        NOTEBOOK,
    ),
    given("06 the long noisy runs' steps", float(lesson.LONG_STEPS), ".0e", NOTEBOOK),
    given("06 the long noisy runs' seeds", len(lesson.LONG_SEEDS), "d", NOTEBOOK),
    given("06 section 1's 1/t decay", SECTION_1_ONE_OVER_T[1], ".2f", NOTEBOOK),
    stated(
        "06 c a of section 1's 1/t, 0.5 / (1 + 0.05 t), on a = 2",
        lambda: SECTION_1_ONE_OVER_T[0] / SECTION_1_ONE_OVER_T[1] * lesson.A,
        ".0f",
        NOTEBOOK,
        exact="0.5 / 0.05 * 2 = 20",
    ),
    *(
        stated(
            f"06 the mean loss of {name} with noise, 10^3 to 10^4 steps: how many times lower",
            (lambda name=name: _fall(name)),
            ".1f",
            NOTEBOOK,
        )
        for name in ("0.1 / (1 + t)", "0.5 / (1 + 0.05 t)", "0.1 / sqrt(1 + t)")
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
        "06 range test: how many times below the limit the picked rate is",
        lambda: _limit() / lesson_range_test().suggested,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test().blow_up_margin,
    ),
    stated(
        "06 range test: how many times past the limit the blow-up showed",
        lambda: lesson_range_test().blow_up / _limit(),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: lesson_range_test().blow_up_margin,
    ),
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
