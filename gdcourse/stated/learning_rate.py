"""The numbers lesson 03 states (the learning rate): its notebook, its one-pager and its exercise.

Every loss here is a 1-D quadratic, whose arithmetic has no sum for another CPU to reorder; the
seed's hand-computed steps are exact in decimal arithmetic and marked so.
"""

from __future__ import annotations

import inspect
import math
from functools import cache

from ..core import (
    Trajectory,
    best_fixed_lr,
    error_multiplier,
    gradient_descent,
    max_stable_lr,
    steps_to_tolerance,
)
from ..lessons import learning_rate as lesson
from ..lessons import lr_exploration as ex
from . import given, stated

NOTEBOOK = "notebooks/03_learning_rate.ipynb"
ONE_PAGER = "docs/lessons/03_learning_rate.md"
EXERCISE = "exercises/03_lr_exploration.ipynb"

# The inputs the notebook's code cells use as literals (the lesson module has no constant).
TOL = 0.01  # sections 1 and 4: |w - 3| <= 0.01
SEED_RUN_STEPS = 30  # cell learning-rate-03
OVERSHOOT_LR = 0.9  # section 4: the oscillating rate with the same |multiplier| as 0.1
WOBBLY_LR = 0.75  # cell learning-rate-12: overshooting yet converging
SAME_GRADIENT_LR = 0.3  # section 5: the rate tried on A and B
B_START = 6.1  # section 5: where B's gradient is ten times smaller than A's at 7
EXPLORER_RATE = 0.3  # section 6: "set the rate near 0.3"
STARTING_POINTS = (0.01, 0.001, 0.0001)  # section 5: the course text's "common starting points"
SCHEDULE_FREE_STEPS = 1_000  # cell learning-rate-41

TOO_SMALL, TOO_LARGE, JUST_RIGHT = lesson.SEED_RATES
A = lesson.SEED_LOSS.a
E0 = lesson.SEED_W0 - lesson.SEED_LOSS.c

# How the table of section 2 (q1) writes each curvature and rate of lesson.REGIME_PAIRS.
_PAIR_FORMATS = (
    (".0f", ".1f"),
    (".0f", ".2f"),
    (".0f", ".2f"),
    (".1f", ".0f"),
    (".0f", ".1f"),
    (".1f", ".0f"),
)


@cache
def _seed_run(lr: float) -> Trajectory:
    """Cell learning-rate-03: 30 steps on (w - 3)^2 from 7."""
    return gradient_descent(lesson.SEED_LOSS, lesson.SEED_W0, lr=lr, steps=SEED_RUN_STEPS)


def _seed_weight(lr: float, k: int) -> float:
    return float(_seed_run(lr).weights[k])


def _seed_loss(lr: float, k: int) -> float:
    return float(_seed_run(lr).losses[k])


def _steps(lr: float, a: float = A, e0: float = E0, tol: float = TOL) -> int:
    return steps_to_tolerance(a, lr, e0, tol)


def _steps_margin(lr: float, a: float = A, e0: float = E0, tol: float = TOL) -> float:
    """How far the distances after k - 1 and k steps (k the count) are from the tolerance,
    relative to it: the count would change only if one of them crossed it."""
    k = _steps(lr, a, e0, tol)
    m = abs(error_multiplier(a, lr))
    return min(abs(m**j * abs(e0) - tol) / tol for j in (k - 1, k))


def _log_ratio(lr: float) -> float:
    """The real number the ceiling rounds up (cell learning-rate-26)."""
    return math.log(TOL / abs(E0)) / math.log(abs(error_multiplier(A, lr)))


@cache
def _schedule_free_run() -> Trajectory:
    """Cell learning-rate-41: the fixed rate 0.1 until the gradient is within the default tol."""
    return gradient_descent(
        lesson.SEED_LOSS, lesson.SEED_W0, lr=JUST_RIGHT, steps=SCHEDULE_FREE_STEPS
    )


def _default_tol() -> float:
    return inspect.signature(gradient_descent).parameters["tol"].default


def _schedule_free_margin() -> float:
    """How far the gradient's length at the last two iterates is from the stopping tolerance."""
    run, tol = _schedule_free_run(), _default_tol()
    return float(min(abs(run.grad_norms[j] - tol) / tol for j in (-2, -1)))


def _explorer_steps() -> int:
    from ..widgets import LearningRateExplorer

    return inspect.signature(LearningRateExplorer).parameters["steps"].default


NUMBERS = (
    # -- section 1: three rates on one example -------------------------------------------------
    given("03 the seed's too-small rate", TOO_SMALL, ".4f", NOTEBOOK, ONE_PAGER),
    given("03 the seed's too-large rate", TOO_LARGE, ".0f", NOTEBOOK, ONE_PAGER),
    given("03 the seed's just-right rate", JUST_RIGHT, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 the seed's gradient at 7",
        lambda: float(lesson.SEED_LOSS.gradient(lesson.SEED_W0)),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="2 (7 - 3)",
    ),
    stated(
        "03 the step at rate 0.0001",
        lambda: TOO_SMALL * float(lesson.SEED_LOSS.gradient(lesson.SEED_W0)),
        ".4f",
        NOTEBOOK,
        exact="0.0001 * 8",
    ),
    stated(
        "03 w_1 at rate 0.0001",
        lambda: _seed_weight(TOO_SMALL, 1),
        ".4f",
        NOTEBOOK,
        ONE_PAGER,
        exact="7 - 0.0008",
    ),
    stated(
        "03 the step at rate 2",
        lambda: TOO_LARGE * float(lesson.SEED_LOSS.gradient(lesson.SEED_W0)),
        ".0f",
        NOTEBOOK,
        exact="2 * 8",
    ),
    stated(
        "03 the seed's start loss",
        lambda: _seed_loss(TOO_LARGE, 0),
        ".0f",
        NOTEBOOK,
        exact="(7 - 3)^2",
    ),
    *(
        stated(
            f"03 w_{k} at rate 2",
            (lambda k=k: _seed_weight(TOO_LARGE, k)),
            ".0f",
            NOTEBOOK,
            ONE_PAGER,
            exact="whole numbers: the error is multiplied by -3 each step",
        )
        for k in (1, 2, 3)
    ),
    *(
        stated(
            f"03 the loss at w_{k} at rate 2",
            (lambda k=k: _seed_loss(TOO_LARGE, k)),
            ".0f",
            NOTEBOOK,
            *((ONE_PAGER,) if k == 1 else ()),
            exact="whole numbers: 16 * 9^k",
        )
        for k in (1, 2, 3)
    ),
    stated(
        "03 w_1 at rate 0.1",
        lambda: _seed_weight(JUST_RIGHT, 1),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="7 - 0.1 * 8",
    ),
    stated(
        "03 w_2 at rate 0.1",
        lambda: _seed_weight(JUST_RIGHT, 2),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="6.2 - 0.1 * 6.4",
    ),
    # -- how slow is "too small": steps to a tolerance -----------------------------------------
    given("03 the tolerance of sections 1 and 4", TOL, ".2f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 steps to the tolerance at rate 0.0001",
        lambda: _steps(TOO_SMALL),
        ",d",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _steps_margin(TOO_SMALL),
    ),
    stated(
        "03 steps to the tolerance at rate 0.1",
        lambda: _steps(JUST_RIGHT),
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _steps_margin(JUST_RIGHT),
    ),
    stated(
        "03 how many times as many steps rate 0.0001 takes (to two digits)",
        lambda: _steps(TOO_SMALL) / _steps(JUST_RIGHT),
        lambda v: f"{float(f'{v:.2g}'):,.0f}",
        NOTEBOOK,
        margin=lambda: min(_steps_margin(TOO_SMALL), _steps_margin(JUST_RIGHT)),
    ),
    stated(
        "03 the share of the distance one step at 0.0001 keeps",
        lambda: error_multiplier(A, TOO_SMALL),
        ".2%",
        NOTEBOOK,
        exact="1 - 2 * 0.0001",
    ),
    # -- section 2: the multiplier ---------------------------------------------------------------
    stated(
        "03 the multiplier at rate 0.0001",
        lambda: error_multiplier(A, TOO_SMALL),
        ".4f",
        NOTEBOOK,
        exact="1 - 2 * 0.0001",
    ),
    stated(
        "03 the multiplier at rate 2",
        lambda: error_multiplier(A, TOO_LARGE),
        ".0f",
        NOTEBOOK,
        exact="1 - 2 * 2",
    ),
    stated(
        "03 the multiplier at rate 0.1",
        lambda: error_multiplier(A, JUST_RIGHT),
        ".1f",
        NOTEBOOK,
        exact="1 - 2 * 0.1",
    ),
    *(
        item
        for i, ((a, lr), (fa, flr)) in enumerate(
            zip(lesson.REGIME_PAIRS, _PAIR_FORMATS, strict=True), start=1
        )
        for item in (
            given(f"03 q1 pair {i}: the curvature", a, fa, NOTEBOOK),
            given(f"03 q1 pair {i}: the rate", lr, flr, NOTEBOOK),
        )
    ),
    # -- section 4: steps to a tolerance ---------------------------------------------------------
    stated(
        "03 log(0.01/4) / log 0.8, the count before rounding up",
        lambda: _log_ratio(JUST_RIGHT),
        ".2f",
        NOTEBOOK,
    ),
    given("03 the overshooting rate of section 4", OVERSHOOT_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 the multiplier at rate 0.9",
        lambda: error_multiplier(A, OVERSHOOT_LR),
        ".1f",
        NOTEBOOK,
        exact="1 - 2 * 0.9",
    ),
    stated(
        "03 the distance's shrink factor at rate 0.9",
        lambda: abs(error_multiplier(A, OVERSHOOT_LR)),
        ".1f",
        NOTEBOOK,
        exact="|1 - 2 * 0.9|",
    ),
    stated(
        "03 steps to the tolerance at rate 0.9",
        lambda: _steps(OVERSHOOT_LR),
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _steps_margin(OVERSHOOT_LR),
    ),
    given("03 q3: the rate", lesson.TOL_LR, ".1f", NOTEBOOK, ONE_PAGER),
    given("03 q3: the tolerance", lesson.TOL_TOL, ".3f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 the multiplier at q3's rate 0.8",
        lambda: error_multiplier(A, lesson.TOL_LR),
        ".1f",
        ONE_PAGER,
        exact="1 - 2 * 0.8",
    ),
    given("03 the rate of the overshooting-yet-converging run", WOBBLY_LR, ".2f", ONE_PAGER),
    stated(
        "03 the multiplier at rate 0.75",
        lambda: error_multiplier(A, WOBBLY_LR),
        ".1f",
        ONE_PAGER,
        exact="1 - 2 * 0.75",
    ),
    # -- section 5: same gradient, different curvature -------------------------------------------
    stated(
        "03 B's gradient at 7 (the same as A's)",
        lambda: float(lesson.STEEP_LOSS.gradient(lesson.SEED_W0)),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="8 (7 - 6)",
    ),
    stated(
        "03 A's Goldilocks rate 1/a",
        lambda: best_fixed_lr(lesson.SEED_LOSS.a),
        ".1f",
        ONE_PAGER,
        exact="1/2",
    ),
    stated(
        "03 A's stability limit 2/a",
        lambda: max_stable_lr(lesson.SEED_LOSS.a),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="2/2",
    ),
    stated(
        "03 B's Goldilocks rate 1/a",
        lambda: best_fixed_lr(lesson.STEEP_LOSS.a),
        ".3f",
        ONE_PAGER,
        exact="1/8, a binary fraction",
    ),
    stated(
        "03 B's stability limit 2/a",
        lambda: max_stable_lr(lesson.STEEP_LOSS.a),
        ".2f",
        ONE_PAGER,
        exact="2/8, a binary fraction",
    ),
    given("03 the rate tried on A and B", SAME_GRADIENT_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 A's multiplier at rate 0.3",
        lambda: error_multiplier(lesson.SEED_LOSS.a, SAME_GRADIENT_LR),
        ".1f",
        NOTEBOOK,
        exact="1 - 2 * 0.3",
    ),
    stated(
        "03 B's multiplier at rate 0.3",
        lambda: error_multiplier(lesson.STEEP_LOSS.a, SAME_GRADIENT_LR),
        ".1f",
        NOTEBOOK,
        exact="1 - 8 * 0.3",
    ),
    given("03 B's nearer start", B_START, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 B's gradient at 6.1",
        lambda: float(lesson.STEEP_LOSS.gradient(B_START)),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="8 (6.1 - 6)",
    ),
    stated(
        "03 A's distance to its minimum, |gradient| / a at 7",
        lambda: abs(float(lesson.SEED_LOSS.gradient(lesson.SEED_W0))) / lesson.SEED_LOSS.a,
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="8 / 2",
    ),
    stated(
        "03 B's distance to its minimum, |gradient| / a at 7",
        lambda: abs(float(lesson.STEEP_LOSS.gradient(lesson.SEED_W0))) / lesson.STEEP_LOSS.a,
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="8 / 8",
    ),
    *(
        given(f"03 the course text's common starting rate {lr:g}", lr, f".{digits}f", NOTEBOOK)
        for lr, digits in zip(STARTING_POINTS, (2, 3, 4), strict=True)
    ),
    stated(
        "03 the curvature whose Goldilocks rate is 0.0001",
        lambda: 1 / STARTING_POINTS[-1],
        ",.0f",
        NOTEBOOK,
        exact="1 / 0.0001: a closed form",
    ),
    stated(
        "03 the curvature of q2's 5 (w - 1)^2",
        lambda: float(lesson.GOLDILOCKS_LOSS.hessian(0.0)),
        ".0f",
        ONE_PAGER,
        exact="the second derivative of 5 (w - 1)^2",
    ),
    # -- section 6: the explorer -----------------------------------------------------------------
    stated(
        "03 the explorer's steps", _explorer_steps, "d", NOTEBOOK, exact="a given of the lesson"
    ),
    given("03 the explorer's suggested rate", EXPLORER_RATE, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "03 the curvature past which rate 0.3 oscillates, 1/0.3",
        lambda: 1 / EXPLORER_RATE,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="1 / 0.3: a closed form",
    ),
    stated(
        "03 the curvature past which rate 0.3 diverges, 2/0.3",
        lambda: 2 / EXPLORER_RATE,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="2 / 0.3: a closed form",
    ),
    # -- section 7: no schedule needed -----------------------------------------------------------
    stated(
        "03 the stopping tolerance on the gradient",
        _default_tol,
        ".0e",
        NOTEBOOK,
        exact="a given of the lesson (gradient_descent's default tol)",
    ),
    stated(
        "03 steps at the fixed rate 0.1 until the gradient is within 1e-10",
        lambda: _schedule_free_run().n_steps,
        "d",
        NOTEBOOK,
        margin=_schedule_free_margin,
    ),
    # -- the exercise ------------------------------------------------------------------------------
    *(
        given(f"03 exercise: the rate {lr:.1f}", lr, ".1f", EXERCISE, NOTEBOOK, ONE_PAGER)
        for lr in ex.RATES
    ),
    stated(
        "03 exercise: the multiplier 1 - rate * a at the rate the course adds, 1.2",
        lambda: 1 - max(ex.RATES) * ex.LOSS.a,
        ".1f",
        ONE_PAGER,
        exact="1 - 1.2 * 2",
    ),
    given("03 exercise: the start", ex.W0, ".0f", EXERCISE, NOTEBOOK),
    given("03 exercise: the steps of each run", ex.STEPS, "d", EXERCISE),
    given("03 exercise q6: the tolerance", ex.TOL, ".2f", EXERCISE),
)
