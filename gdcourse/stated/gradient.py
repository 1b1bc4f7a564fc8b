"""The numbers lesson 01 states (the gradient as a direction): its notebook, its one-pager and its
exercise."""

from __future__ import annotations

import inspect
import math
from fractions import Fraction

import numpy as np

from ..core import (
    QuadraticBowl,
    angle_between,
    angle_of,
    central_difference,
    difference_errors,
    forward_difference,
    numerical_gradient,
    read_direction,
    unit_vector,
)
from ..lessons import gradient as lesson
from ..lessons import gradient_practice as ex
from ..widgets.gradient_direction import GradientDirectionExplorer
from . import given, stated

NOTEBOOK = "notebooks/01_gradient.ipynb"
ONE_PAGER = "docs/lessons/01_gradient.md"
EXERCISE = "exercises/01_gradient_practice.ipynb"

# The one-sided nudge of cell gradient-11 (h = 0.001).
NUDGE = 0.001
# The direction the explorer starts at, which the one-pager's sentence and cells gradient-26 and
# gradient-32 use.
ANGLE = inspect.signature(GradientDirectionExplorer).parameters["angle"].default
# The steps of cell gradient-41: rounding already wins at the second, and ruins the first.
TINY_H, SMALL_H = 1e-12, 1e-8
# The one-pager's diagnostic "a gradient (3, 4): the slope 60 degrees away from it?".
DIAGNOSTIC_GRADIENT, DIAGNOSTIC_ANGLE = (3.0, 4.0), 60.0


def _reading():
    """The explorer's reading at (1, 2) along 30 degrees (cells gradient-26 and gradient-32)."""
    return read_direction(lesson.BOWL, lesson.BOWL_POINT, ANGLE)


def _gradient() -> np.ndarray:
    return np.asarray(lesson.BOWL.gradient(lesson.BOWL_POINT), dtype=float)


def _nudge(axis: int) -> float:
    """The forward difference of cell gradient-11 along one axis, the other held fixed."""
    p = np.asarray(lesson.BOWL_POINT, dtype=float)

    def along(t: float) -> float:
        q = p.copy()
        q[axis] = t
        return float(lesson.BOWL.value(q))

    return forward_difference(along, float(p[axis]), NUDGE)


def _off_minimum() -> float:
    """The angle between -grad L and the straight line to the minimum (cell gradient-33)."""
    p = np.asarray(lesson.BOWL_POINT, dtype=float)
    return angle_between(-_gradient(), lesson.BOWL.minimizer - p)


def _level_set_angle() -> float:
    """The angle between the gradient and the direction along the level set."""
    r = _reading()
    return angle_between(r.gradient, unit_vector(r.level_set_angles[0]))


def _cube(w):
    """w^3 as cell gradient-39 computes it, ``w * w * w``: two multiplications, which every
    IEEE-754 machine rounds alike (``w**3`` goes through the maths library's pow, whose last bit
    is the library's choice)."""
    return w * w * w


def _tiny_step_error() -> float:
    """|central difference - 3| of w^3 at w = 1 with h = 1e-12 (cell gradient-41)."""
    return abs(central_difference(_cube, 1.0, TINY_H) - 3.0)


def _tiny_step_ratio() -> float:
    """How many times worse the central difference is at h = 1e-12 than at numerical_gradient's
    h = 1e-5 ("a million times worse")."""
    usual = inspect.signature(numerical_gradient).parameters["h"].default
    return _tiny_step_error() / abs(central_difference(_cube, 1.0, usual) - 3.0)


def _width_error() -> float:
    """How much farther apart than 2h the points 1 + h and 1 - h are once rounded to doubles, as
    a fraction of 2h, at h = 1e-12: 3 times it is the whole error of the central difference."""
    return float((Fraction(1.0 + TINY_H) - Fraction(1.0 - TINY_H)) / (2 * Fraction(TINY_H)) - 1)


def _diagnostic_slope() -> float:
    """The slope 60 degrees away from the gradient (3, 4): |g| cos 60 = 2.5."""
    g = np.asarray(DIAGNOSTIC_GRADIENT)
    return float(g @ unit_vector(angle_of(g) + DIAGNOSTIC_ANGLE))


def _slope_along_45(*, degrees_as_radians: bool) -> float:
    """Exercise q4's slope along 45 degrees for its gradient (-3, 4), right or in radians: the
    question's answer there, or the answer of its misconception "degrees used as radians"."""
    if not degrees_as_radians:
        return float(ex.q4.expected()[ex.ANGLES.index(45.0)])
    (wrong,) = (m for m in ex.q4.misconceptions if m.name == "degrees used as radians")
    return float(wrong.answer()[ex.ANGLES.index(45.0)])


def _bowl_coefficient() -> float:
    """The coefficient of x^2 (and of y^2) in the bowl's formula 1.5x^2 - 2xy + 1.5y^2: half
    the diagonal of its matrix, the bowl built afresh."""
    return float(
        QuadraticBowl(lesson.BOWL.eigenvalues, rotation=lesson.BOWL.rotation).matrix[0, 0] / 2
    )


def _central_shrink() -> float:
    """How much the central difference's error of w^3 at 1 shrinks per 10x smaller h."""
    errors = difference_errors(lambda w: w**3, lambda w: 3 * w**2, 1.0, [1e-2, 1e-3])
    return float(errors.shrink()[0][0])


NUMBERS = (
    stated(
        "01 the bowl's coefficient of x^2 and y^2",
        _bowl_coefficient,
        ".1f",
        NOTEBOOK,
        EXERCISE,
        ONE_PAGER,
    ),
    stated(
        "01 the central difference's error: shrink per 10x smaller h",
        _central_shrink,
        ".0f",
        ONE_PAGER,
    ),
    # -- partial derivatives as nudges (cells gradient-10 and gradient-12) -----------------------
    given("01 the nudge h", NUDGE, ".3f", NOTEBOOK),
    stated(
        "01 x nudged from 1",
        lambda: lesson.BOWL_POINT[0] + NUDGE,
        ".3f",
        NOTEBOOK,
        exact="1 + 0.001",
    ),
    stated("01 the forward nudge along x at (1, 2)", lambda: _nudge(0), ".4f", NOTEBOOK),
    stated("01 the forward nudge along y at (1, 2)", lambda: _nudge(1), ".4f", NOTEBOOK),
    # -- the directional derivative (cell gradient-25, the one-pager's table) --------------------
    stated(
        "01 the angle from the gradient of steepest descent",
        lambda: angle_between(_gradient(), -_gradient()),
        ".0f",
        NOTEBOOK,
    ),
    stated(
        "01 the angle from the gradient of the level set",
        _level_set_angle,
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "01 |grad L|^2 at (1, 2)",
        lambda: float(_gradient() @ _gradient()),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated("01 |grad L| at (1, 2)", lambda: _reading().length, ".2f", NOTEBOOK, ONE_PAGER),
    stated(
        "01 the gradient's angle theta* at (1, 2)",
        lambda: _reading().steepest_angle,
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    given("01 the explorer's direction", ANGLE, ".0f", NOTEBOOK, ONE_PAGER),
    stated(
        "01 the direction's angle from the gradient",
        lambda: abs(_reading().from_gradient),
        (".0f", ".2f"),
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "01 the slope along the explorer's direction",
        lambda: _reading().slope,
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    # -- the misconception: -grad L misses the minimum (cell gradient-34) ------------------------
    stated("01 how far -grad L misses the minimum", _off_minimum, ".0f", NOTEBOOK, ONE_PAGER),
    # -- rounding in a central difference (cell gradient-40) -------------------------------------
    stated(
        "01 a double's relative rounding error",
        lambda: float(np.finfo(float).eps) / 2,
        ".0e",
        NOTEBOOK,
        exact="2^-53, the unit roundoff of a double",
    ),
    given(
        "01 numerical_gradient's step h",
        inspect.signature(numerical_gradient).parameters["h"].default,
        ".0e",
        NOTEBOOK,
    ),
    given("01 a step h where rounding already wins", SMALL_H, ".0e", NOTEBOOK),
    given("01 a tiny step h", TINY_H, ".0e", NOTEBOOK),
    stated(
        "01 the central difference's error at the tiny h",
        _tiny_step_error,
        # "1.0 x 10^{-4}": 3 times the width error below (the cubes of 1 +- h are within 1e-23
        # of doubles, so their rounding adds nothing visible)
        ".1e",
        NOTEBOOK,
    ),
    stated(
        "01 the tiny h's error: a million times that at h = 1e-5",
        _tiny_step_ratio,
        lambda ratio: f"{round(math.log10(ratio))}",
        used_by="cell gradient-41's check: 'a million times worse', a power of ten in words",
    ),
    stated(
        "01 how much farther apart than 2h the rounded 1 + h and 1 - h are, relatively",
        _width_error,
        lambda x: f"{x:.1e}",
        NOTEBOOK,
        exact="IEEE 754 rounds 1 + 1e-12 and 1 - 1e-12 the same way everywhere; exact fractions",
    ),
    # -- the one-pager's diagnostic questions ----------------------------------------------------
    given("01 the diagnostic's angle from the gradient (3, 4)", DIAGNOSTIC_ANGLE, ".0f", ONE_PAGER),
    stated(
        "01 the slope 60 degrees away from the gradient (3, 4)",
        _diagnostic_slope,
        ".1f",
        ONE_PAGER,
        exact="|g| cos 60 degrees: a closed form",
    ),
    given("01 exercise q4's direction 45 degrees", ex.ANGLES[1], ".0f", ONE_PAGER),
    stated(
        "01 the slope along 45 degrees, degrees passed as radians",
        lambda: _slope_along_45(degrees_as_radians=True),
        ".2f",
        ONE_PAGER,
        exact="a dot product of two 2-vectors: a closed form",
    ),
    stated(
        "01 the slope along 45 degrees",
        lambda: _slope_along_45(degrees_as_radians=False),
        ".2f",
        ONE_PAGER,
        exact="a dot product of two 2-vectors: a closed form",
    ),
    # -- the exercise ----------------------------------------------------------------------------
    given("01 exercise: the double well's tilt", ex.WELL.tilt, ".1f", EXERCISE),
    given("01 exercise q7: the point w", ex.ERROR_W, ".1f", EXERCISE),
    given("01 exercise q7: the first step h", ex.ERROR_STEPS[0], ".1f", EXERCISE),
    given("01 exercise q7: the second step h", ex.ERROR_STEPS[1], ".2f", EXERCISE),
)
