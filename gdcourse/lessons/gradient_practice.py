"""Questions of ``exercises/01_gradient_practice.ipynb``: gradients by hand and in code, the
steepest directions and the level set, and a numerical gradient of the student's own.
"""

from __future__ import annotations

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    Quadratic1D,
    TiltedDoubleWell,
    TwoVariableLoss,
    angle_of,
    central_difference,
    difference_errors,
    directional_derivative,
    forward_difference,
    unit_vector,
)
from .gradient import BOWL

__all__ = [
    "ANGLES",
    "ARROWS",
    "ARROW_POINT",
    "BOWL",
    "CUBIC",
    "ERROR_STEPS",
    "ERROR_W",
    "POINT",
    "PRODUCT",
    "WELL",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
]

LESSON = "gradient_practice"

#: q1, q3, q4: L(x, y) = x^3 - 2xy + y^2 at (1, 3).
CUBIC = TwoVariableLoss(
    "x\u00b3 \u2212 2xy + y\u00b2",
    lambda x, y: x**3 - 2 * x * y + y**2,
    lambda x, y: (3 * x**2 - 2 * y, 2 * y - 2 * x),
)
POINT = (1.0, 3.0)
#: q4: the directions, in degrees from the x-axis.
ANGLES = (0.0, 45.0, 90.0, 135.0, 180.0)

#: q2: L(x, y) = (xy - 2)^2.
PRODUCT = TwoVariableLoss(
    "(xy \u2212 2)\u00b2",
    lambda x, y: (x * y - 2) ** 2,
    lambda x, y: (2 * (x * y - 2) * y, 2 * (x * y - 2) * x),
)

#: q5: four arrows from (2, 1) on the lesson's bowl 1.5x^2 - 2xy + 1.5y^2, named A to D.
ARROW_POINT = (2.0, 1.0)
_G = BOWL.gradient(ARROW_POINT)
_G.setflags(write=False)
ARROWS = frozen({
    "A": np.array([-_G[1], _G[0]]),  # the gradient turned by 90 degrees: along the level set
    "B": BOWL.minimizer - np.asarray(ARROW_POINT),  # straight at the minimum
    "C": _G,  # the gradient
    "D": -_G,  # minus the gradient
})

#: q6, q7: a quartic, whose third derivative is not zero, and the seed's quadratic.
WELL = TiltedDoubleWell(0.5)
SEED = Quadratic1D(a=2, c=3)
ERROR_W = 1.2
ERROR_STEPS = (0.1, 0.01)


_x, _y = POINT

q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="grad_at_point",
    prompt="The gradient (dL/dx, dL/dy) of L(x, y) = x^3 - 2xy + y^2 at (1, 3), by hand.",
    expected=lambda: CUBIC.gradient(POINT),
    noun="partial derivatives",
    misconceptions=(
        Misconception(
            name="swapped",
            answer=lambda: CUBIC.gradient(POINT)[::-1],
            message="Right numbers, wrong order: the gradient lists dL/dx first, then dL/dy.",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: -CUBIC.gradient(POINT),
            message="Both signs are flipped: that is minus the gradient, the descent direction. "
            "The gradient itself points uphill.",
        ),
        Misconception(
            name="held-fixed factor dropped",
            answer=lambda: (3 * _x**2 - 2, CUBIC.gradient(POINT)[1]),
            message="Look at d/dx of -2xy again: with y held fixed it is -2y, not -2.",
        ),
        Misconception(
            name="held-fixed variable set to zero",
            answer=lambda: (CUBIC.gradient(POINT)[0], 2 * _y),
            message="Look at d/dy of -2xy again: x is held fixed, a constant factor, not zero.",
        ),
        Misconception(
            name="loss for gradient",
            answer=lambda: CUBIC.value(POINT),
            message="That is the loss L(1, 3), one number. The gradient has one slope per "
            "parameter: two numbers.",
        ),
    ),
    hints=(
        "For dL/dx treat y as a fixed number; for dL/dy treat x as one. Then put in x = 1, y = 3.",
        "dL/dx = 3x^2 - 2y and dL/dy = -2x + 2y.",
    ),
    solution_code="grad_at_point = (3 * 1**2 - 2 * 3, -2 * 1 + 2 * 3)",
)


def _product_grad(x: float, y: float) -> np.ndarray:
    return PRODUCT.gradient([x, y])


q2 = FunctionQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="grad",
    prompt="Write grad(x, y) returning (dL/dx, dL/dy) for L(x, y) = (xy - 2)^2.",
    reference=_product_grad,
    cases=(
        {"x": 1.0, "y": 1.0},
        {"x": 2.0, "y": 3.0},
        {"x": -1.0, "y": 0.5},
        {"x": 0.0, "y": 2.0},
        {"x": 1.5, "y": -2.0},
        {"x": 0.37, "y": 1.21},  # results of many digits: a rounding grad does not pass
    ),
    misconceptions=(
        Misconception(
            name="chain-rule factor forgotten",
            answer=lambda: lambda x, y: (2 * (x * y - 2), 2 * (x * y - 2)),
            message="A chain-rule factor is missing: d/dx (xy - 2)^2 = 2 (xy - 2) times the "
            "derivative of the inside, d/dx (xy - 2), and likewise for y.",
        ),
        Misconception(
            name="swapped",
            answer=lambda: lambda x, y: PRODUCT.gradient([x, y])[::-1],
            message="Your two partial derivatives come out in the wrong order: dL/dx first.",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: lambda x, y: -PRODUCT.gradient([x, y]),
            message="Every sign is flipped: you returned minus the gradient. Return the gradient "
            "itself; descent subtracts it.",
        ),
        Misconception(
            name="loss for gradient",
            answer=lambda: lambda x, y: PRODUCT.value([x, y]),
            message="Your function returns the loss, one number; the gradient is two numbers.",
        ),
    ),
    hints=(
        "Chain rule: the outside is u^2 with u = xy - 2, so dL/dx = 2u * du/dx.",
        "du/dx = y and du/dy = x. So dL/dx = 2 (xy - 2) y and dL/dy = 2 (xy - 2) x.",
    ),
    solution_code="def grad(x, y):\n    u = x * y - 2\n    return (2 * u * y, 2 * u * x)",
    points=2,
)

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    depends_on=('q1',),
    answer_var="descent_direction",
    prompt="At (1, 3), the direction of steepest descent of L = x^3 - 2xy + y^2 as a unit "
    "vector (length 1).",
    expected=lambda: unit_vector(angle_of(-CUBIC.gradient(POINT))),
    noun="entries",
    misconceptions=(
        Misconception(
            name="ascent",
            answer=lambda: unit_vector(angle_of(CUBIC.gradient(POINT))),
            message="That is the steepest ascent: the loss rises fastest that way. Descent is "
            "the opposite direction.",
        ),
        Misconception(
            name="not a unit vector",
            answer=lambda: -CUBIC.gradient(POINT),
            message="Right direction, but not of length 1: divide by the vector's length.",
        ),
        Misconception(
            name="ascent, not a unit vector",
            answer=lambda: CUBIC.gradient(POINT),
            message="That is the gradient itself: it points uphill and is not of length 1.",
        ),
        Misconception(
            name="along the level set",
            answer=lambda: unit_vector(angle_of(CUBIC.gradient(POINT)) + 90.0),
            message="Along that direction the slope is 0: it runs along the level set, at a "
            "right angle to the steepest directions.",
        ),
        Misconception(
            name="along the level set (other way)",
            answer=lambda: unit_vector(angle_of(CUBIC.gradient(POINT)) - 90.0),
            message="Along that direction the slope is 0: it runs along the level set, at a "
            "right angle to the steepest directions.",
        ),
    ),
    hints=(
        "Steepest descent is along -grad L. A unit vector is a vector divided by its length.",
        "Use your gradient from q1: -g / |g|, with |g| = sqrt(g_x^2 + g_y^2).",
    ),
    solution_code="g = np.array(grad_at_point)\ndescent_direction = -g / np.linalg.norm(g)",
    explanation="Its slope is -|grad L|, the most negative of all directions.",
)

q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    depends_on=('q1',),
    answer_var="slopes",
    prompt="At (1, 3), the slope grad L . u along the unit vectors u at the angles "
    "0, 45, 90, 135 and 180 degrees from the x-axis.",
    expected=lambda: directional_derivative(CUBIC.gradient(POINT), ANGLES),
    noun="slopes",
    misconceptions=(
        Misconception(
            name="degrees used as radians",
            # np.cos(45) reads 45 as radians: the angles, taken for radians, in degrees
            answer=lambda: directional_derivative(CUBIC.gradient(POINT), np.degrees(ANGLES)),
            message="np.cos and np.sin take radians: convert the degrees first, with "
            "np.radians(angle) or angle * pi / 180.",
        ),
        Misconception(
            name="angle from the x-axis used as the angle from the gradient",
            answer=lambda: np.linalg.norm(CUBIC.gradient(POINT)) * np.cos(np.radians(ANGLES)),
            message="|grad L| cos(theta) needs theta measured from the gradient, not from the "
            "x-axis. Either compute grad L . u directly, or subtract the gradient's own angle.",
        ),
        Misconception(
            name="cos and sin swapped",
            answer=lambda: directional_derivative(CUBIC.gradient(POINT)[::-1], ANGLES),
            message="Check u: at angle theta from the x-axis it is (cos theta, sin theta), so "
            "at 0 degrees it is (1, 0).",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: -directional_derivative(CUBIC.gradient(POINT), ANGLES),
            message="Every sign is flipped: the slope along u is +grad L . u (up is positive).",
        ),
    ),
    hints=(
        "u = (cos theta, sin theta) with theta in radians; the slope is dL/dx * u_x + dL/dy * u_y.",
        "With g = grad_at_point: [g[0] * np.cos(t) + g[1] * np.sin(t) for t in "
        "np.radians(angles)].",
    ),
    solution_code="g = np.array(grad_at_point)\n"
    "slopes = [g[0] * np.cos(t) + g[1] * np.sin(t) for t in np.radians(angles)]",
    points=2,
)


def _roles() -> dict[str, str]:
    """Which arrow is which, decided by the slope along each (not assumed)."""
    slope = {k: float(directional_derivative(_G, angle_of(v))) for k, v in ARROWS.items()}
    return {
        "steepest ascent": max(slope, key=slope.__getitem__),
        "steepest descent": min(slope, key=slope.__getitem__),
        "along the level set": min(slope, key=lambda k: abs(slope[k])),
    }


_TO_MIN = "b"  # arrow B, straight at the minimum (labels are compared in lower case)

q5 = ChoiceQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="arrows",
    prompt="Which arrow (A, B, C or D) is the steepest ascent, the steepest descent, and the "
    "direction along the level set?",
    expected=_roles,
    choices=("A", "B", "C", "D"),
    key_name="direction",
    confusions={
        ("d", _TO_MIN): "Arrow B points straight at the minimum. The steepest way down crosses "
        "the contour through the point at a right angle, and on a stretched bowl that is a "
        "different direction.",
        ("a", _TO_MIN): "Follow arrow B from the point: does it keep to the contour through the "
        "point, or cross into contours with other labels?",
        ("a", "c"): "That arrow crosses the contour. The level-set direction runs along it, at a "
        "right angle to the gradient.",
        ("a", "d"): "That arrow crosses the contour. The level-set direction runs along it, at a "
        "right angle to the gradient.",
        ("c", "d"): "Does arrow D point towards larger or smaller contour values? The gradient "
        "points towards larger ones.",
        ("d", "c"): "Does arrow C point towards larger or smaller contour values? Descent points "
        "towards smaller ones.",
        ("c", "a"): "Follow arrow A from the point: does it cross the contour through the point, "
        "or keep to it? The steepest directions cross it.",
        ("d", "a"): "Follow arrow A from the point: does it cross the contour through the point, "
        "or keep to it? The steepest directions cross it.",
    },
    hints=(
        "The gradient crosses the contour through the point at a right angle, towards larger "
        "values; minus the gradient the other way; the level set runs along the contour.",
        "Only one arrow runs along the contour through the point. Of the two that cross it at a "
        "right angle, which points to larger labels?",
    ),
    solution_code='arrows = {"steepest ascent": "C", "steepest descent": "D", '
    '"along the level set": "A"}',
    explanation="B, straight at the minimum, is none of them: the gradient only knows the "
    "slopes where it is taken.",
    points=2,
)


q6 = FunctionQuestion(
    lesson=LESSON,
    name="q6",
    answer_var="central_difference",
    prompt="Write central_difference(f, w, h): the estimate (f(w + h) - f(w - h)) / (2h) of f'(w).",
    reference=central_difference,
    cases=(
        {"f": SEED, "w": 7.0, "h": 0.1},
        {"f": WELL, "w": 1.2, "h": 0.1},
        {"f": WELL, "w": -0.5, "h": 0.01},
        {"f": WELL, "w": 2.0, "h": 0.5},
        {"f": WELL, "w": 0.05432, "h": 0.00789},  # many digits: a rounded estimate does not pass
    ),
    rtol=1e-9,
    misconceptions=(
        Misconception(
            name="forward difference",
            answer=lambda: forward_difference,
            message="That is the one-sided forward difference (f(w + h) - f(w)) / h. The "
            "central difference steps both ways: f(w + h) and f(w - h).",
        ),
        Misconception(
            name="divided by h",
            answer=lambda: lambda f, w, h: (f(w + h) - f(w - h)) / h,
            message="Twice as large as it should be: the two points are 2h apart, so divide by 2h.",
        ),
        Misconception(
            name="h times 2 read as h / 2",
            answer=lambda: lambda f, w, h: (f(w + h) - f(w - h)) / 2 * h,
            message="Check the brackets: / 2 * h divides by 2 and then multiplies by h. "
            "Write / (2 * h).",
        ),
    ),
    hints=(
        "f(w + h) and f(w - h) are 2h apart: the slope between them is their difference over 2h.",
        "return (f(w + h) - f(w - h)) / (2 * h)",
    ),
    solution_code="def central_difference(f, w, h):\n    return (f(w + h) - f(w - h)) / (2 * h)",
)


q7 = NumberQuestion(
    lesson=LESSON,
    name="q7",
    depends_on=('q6',),
    answer_var="errors",
    prompt="For f = TiltedDoubleWell(0.5) at w = 1.2: the errors |central difference - f'(w)| "
    "for h = 0.1 and h = 0.01, in that order.",
    expected=lambda: difference_errors(WELL, WELL.gradient, ERROR_W, ERROR_STEPS).central,
    noun="errors",
    rtol=1e-6,
    misconceptions=(
        Misconception(
            name="forward difference",
            answer=lambda: difference_errors(WELL, WELL.gradient, ERROR_W, ERROR_STEPS).forward,
            message="These are the errors of the forward difference. Use your central "
            "difference from q6.",
        ),
        Misconception(
            name="order swapped",
            answer=lambda: (
                difference_errors(WELL, WELL.gradient, ERROR_W, ERROR_STEPS[::-1]).central
            ),
            message="Right numbers, wrong order: h = 0.1 first, then h = 0.01.",
        ),
        Misconception(
            name="signed error",
            answer=lambda: -difference_errors(WELL, WELL.gradient, ERROR_W, ERROR_STEPS).central,
            message="An error here is a distance: take the absolute value.",
        ),
    ),
    hints=(
        "The true derivative is well.gradient(1.2). The error for one h is "
        "abs(central_difference(well, 1.2, h) - well.gradient(1.2)).",
        "[abs(central_difference(well, 1.2, h) - well.gradient(1.2)) for h in (0.1, 0.01)]",
    ),
    solution_code="exact = well.gradient(1.2)\n"
    "errors = [abs(central_difference(well, 1.2, h) - exact) for h in (0.1, 0.01)]",
    explanation="The second is 100 times smaller: the error of a central difference is of "
    "order h^2.",
)
