"""The numbers lesson 02 states (the update rule): its notebook, its one-pager and its exercise.

The seed's walk on (w - 3)^2 from w = 7 at rate 0.1 and the flashcard are 1-D arithmetic whose
decimal values are exact (7 - 0.1 * 8 = 6.2); the coupled bowl's step goes through the core's
QuadraticBowl (a rotation by pi/4, so its doubles are a few ulps off the binary fractions), and is
recomputed with its sums reversed.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..core import (
    gradient_descent,
    gradient_step,
    one_after_another,
    sign_flipped,
    sweep_path,
)
from ..lessons import update_rule as lesson
from ..lessons import update_rule_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/02_update_rule.ipynb"
ONE_PAGER = "docs/lessons/02_update_rule.md"
EXERCISE = "exercises/02_update_rule_practice.ipynb"

# Google's Machine Learning Crash Course example (cell update-rule-15): a gradient of 2.5 at rate
# 0.01 (also a case of q1).
MLCC = {"gradient": 2.5, "lr": 0.01}
# The step explorer of cell update-rule-18, and the too-large rate its text suggests.
EXPLORER_STEPS = 15
OVERSHOOT_LR = 1.2


@cache
def _seed():
    """The seed's walk of cell update-rule-14: 4 steps from 7 at rate 0.1."""
    return gradient_descent(lesson.SEED_LOSS, lesson.SEED_W0, lr=lesson.SEED_LR, steps=4, tol=0.0)


def _seed_gradient(k: int) -> float:
    return float(lesson.SEED_LOSS.gradient(_seed().weights[k]))


def _seed_move(k: int) -> float:
    """The length |w_(k+1) - w_k| of the seed's step k + 1."""
    w = _seed().weights
    return float(abs(w[k + 1] - w[k]))


def _flashcard() -> float:
    c = lesson.FLASHCARD
    return float(gradient_step(c["w"], c["gradient"], c["lr"]))


def _at_once() -> np.ndarray:
    """One gradient-descent step on the coupled bowl from (2, 0) at rate 0.25 (q4)."""
    return np.asarray(lesson.q4.expected(), dtype=float)


def _sweep(order: tuple[int, int]) -> np.ndarray:
    """The path of one sweep, one parameter after another, in ``order`` (cell update-rule-30)."""
    run = gradient_descent(
        lesson.COUPLED_BOWL,
        lesson.BOWL_W0,
        lr=lesson.BOWL_LR,
        steps=1,
        tol=0.0,
        update=one_after_another(order),
    )
    return sweep_path(run, order)


def _partial(point: np.ndarray, i: int) -> float:
    return float(np.asarray(lesson.COUPLED_BOWL.gradient(point))[i])


def _second_derivative(i: int) -> float:
    """d^2 L / dw_i^2 of the coupled bowl, the diagonal of its matrix (the bowl built afresh)."""
    bowl = type(lesson.COUPLED_BOWL)(
        lesson.COUPLED_BOWL.eigenvalues, rotation=lesson.COUPLED_BOWL.rotation
    )
    return float(bowl.matrix[i, i])


def _relaxation() -> float:
    """The sweep's relaxation factor lr * A_ii: the fraction of the way to the lowest point along
    a coordinate that one of its moves goes (1 is Gauss-Seidel); A_00 = A_11 here (tested)."""
    return lesson.BOWL_LR * _second_derivative(0)


def _gauss_seidel_rate() -> float:
    """The rate at which the sweep is Gauss-Seidel itself: 1 / A_ii."""
    return 1 / _second_derivative(0)


def _turn_in_degrees() -> float:
    r = lesson.COUPLED_BOWL.rotation
    return math.degrees(math.atan2(r[1, 0], r[0, 0]))


NUMBERS = (
    # -- the seed's walk (cells update-rule-01, -10, -15 and the summary) ------------------------
    given("02 the seed's rate", lesson.SEED_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "02 the seed's w after one step",
        lambda: float(_seed().weights[1]),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="7 - 0.1 * 8 = 6.2",
    ),
    stated(
        "02 the seed's w after two steps",
        lesson.q2.expected,
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="6.2 - 0.1 * 6.4 = 5.56",
    ),
    stated(
        "02 the seed's start loss",
        lambda: float(_seed().losses[0]),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="(7 - 3)^2 = 16",
    ),
    stated(
        "02 the seed's loss after one step",
        lambda: float(_seed().losses[1]),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="(6.2 - 3)^2 = 10.24",
    ),
    stated(
        "02 the seed's loss after two steps",
        lambda: float(_seed().losses[2]),
        (".2f", ".4f"),
        NOTEBOOK,
        ONE_PAGER,
        exact="(5.56 - 3)^2 = 6.5536",
    ),
    stated(
        "02 the gradient after one step",
        lambda: _seed_gradient(1),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="2 (6.2 - 3) = 6.4",
    ),
    stated(
        "02 the gradient after two steps",
        lambda: _seed_gradient(2),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="2 (5.56 - 3) = 5.12",
    ),
    stated(
        "02 the first step's length",
        lambda: _seed_move(0),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.1 * 8 = 0.8",
    ),
    stated(
        "02 the second step's length",
        lambda: _seed_move(1),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.1 * 6.4 = 0.64",
    ),
    stated(
        "02 the third step's length",
        lambda: _seed_move(2),
        ".3f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.1 * 5.12 = 0.512",
    ),
    # -- Google's example of a step's length ------------------------------------------------------
    given("02 MLCC's gradient", MLCC["gradient"], ".1f", NOTEBOOK, ONE_PAGER),
    given("02 MLCC's rate", MLCC["lr"], ".2f", NOTEBOOK, ONE_PAGER),
    stated(
        "02 MLCC's step length",
        lambda: float(abs(gradient_step(0.0, MLCC["gradient"], MLCC["lr"]))),
        ".3f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.01 * 2.5 = 0.025",
    ),
    # -- the step explorer ------------------------------------------------------------------------
    given("02 the step explorer's steps", EXPLORER_STEPS, "d", ONE_PAGER),
    given("02 a rate that overshoots", OVERSHOOT_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "02 the rate 1/a that lands on the minimum in one step",
        lambda: 1 / lesson.SEED_LOSS.a,
        ".1f",
        ONE_PAGER,
        exact="1/2",
    ),
    # -- the flashcard (cells update-rule-19 to -23) ----------------------------------------------
    given("02 the flashcard's rate", lesson.FLASHCARD["lr"], ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "02 the flashcard's step",
        lambda: _flashcard() - lesson.FLASHCARD["w"],
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="-0.1 * (-3) = 0.3",
    ),
    stated(
        "02 the flashcard's new w",
        _flashcard,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="5 - 0.1 * (-3) = 5.3",
    ),
    # -- the one-pager's misconceptions -----------------------------------------------------------
    stated(
        "02 the first step with its sign flipped",
        lambda: float(
            gradient_descent(
                lesson.SEED_LOSS, lesson.SEED_W0, lr=lesson.SEED_LR, steps=1, update=sign_flipped()
            ).weights[1]
        ),
        ".1f",
        ONE_PAGER,
        exact="7 + 0.1 * 8 = 7.8",
    ),
    stated(
        "02 the second step reusing the first gradient",
        lambda: float(gradient_step(_seed().weights[1], _seed_gradient(0), lesson.SEED_LR)),
        ".1f",
        ONE_PAGER,
        exact="6.2 - 0.1 * 8 = 5.4",
    ),
    # -- every parameter at once: the coupled bowl (cells update-rule-25 to -31) ------------------
    stated(
        "02 the coupled bowl's turn, in degrees",
        _turn_in_degrees,
        ".0f",
        NOTEBOOK,
        exact="the angle the lesson chose, in degrees",
    ),
    given("02 the coupled bowl's rate", lesson.BOWL_LR, ".2f", NOTEBOOK, ONE_PAGER),
    stated("02 at once: the new y", lambda: float(_at_once()[1]), ".1f", ONE_PAGER),
    stated(
        "02 x first: y's move",
        lambda: float(_sweep((0, 1))[2][1] - _sweep((0, 1))[1][1]),
        ".2f",
        NOTEBOOK,
    ),
    stated(
        "02 x first: the new y", lambda: float(_sweep((0, 1))[-1][1]), ".2f", NOTEBOOK, ONE_PAGER
    ),
    stated(
        "02 y first: the new y", lambda: float(_sweep((1, 0))[1][1]), ".1f", NOTEBOOK, ONE_PAGER
    ),
    stated(
        "02 y first: dL/dx at (2, 0.5)",
        lambda: _partial(_sweep((1, 0))[1], 0),
        ".1f",
        NOTEBOOK,
    ),
    stated(
        "02 y first: x's move",
        lambda: float(_sweep((1, 0))[1][0] - _sweep((1, 0))[2][0]),
        ".3f",
        NOTEBOOK,
    ),
    stated(
        "02 y first: the new x", lambda: float(_sweep((1, 0))[-1][0]), ".3f", NOTEBOOK, ONE_PAGER
    ),
    stated(
        "02 at once: the loss after the step",
        lambda: float(lesson.COUPLED_BOWL.value(_at_once())),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "02 x first: the loss after the sweep",
        lambda: float(lesson.COUPLED_BOWL.value(_sweep((0, 1))[-1])),
        ".4f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "02 y first: the loss after the sweep",
        lambda: float(lesson.COUPLED_BOWL.value(_sweep((1, 0))[-1])),
        ".3f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "02 the sweep's relaxation factor eta * d^2L/dx^2 (under-relaxed Gauss-Seidel)",
        _relaxation,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "02 the rate at which the sweep is Gauss-Seidel, 1 / (d^2L/dx^2)",
        _gauss_seidel_rate,
        ".1f",
        NOTEBOOK,
    ),
    # -- the exercise -----------------------------------------------------------------------------
    given("02 exercise q1: the flashcard's rate", ex.FLASHCARD["lr"], ".1f", EXERCISE),
    given("02 exercise q2: the cases' rate", ex.DIRECTION_LR, ".1f", EXERCISE),
    given("02 exercise q2: case C's gradient", ex.DIRECTION_CASES["C"][1], ".1f", EXERCISE),
    given("02 exercise q2: case D's gradient", ex.DIRECTION_CASES["D"][1], ".1f", EXERCISE),
    given("02 exercise q3 to q5: the rate", ex.LR, ".2f", EXERCISE),
    given("02 exercise q6: the rate", ex.BOWL_LR, ".1f", EXERCISE),
)
