"""Questions of ``notebooks/01_gradient.ipynb`` (the gradient as a direction), and the losses and
points they are about. The maths they use (difference quotients, angles, slopes along a
direction) is the core's: ``gdcourse.core.gradient_check`` and ``gdcourse.core.directions``.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion
from ..core import (
    Quadratic1D,
    QuadraticBowl,
    TwoVariableLoss,
    measured_slope,
    read_direction,
    sign_label,
)

__all__ = [
    "BOWL",
    "BOWL_POINT",
    "GRAD_LOSS",
    "POLY",
    "POLY_POINT",
    "SEED",
    "SIGN_POINT",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
]

LESSON = "gradient"


#: The seed's loss (w - 3)^2: curvature a = 2, minimum at 3.
SEED = Quadratic1D(a=2, c=3)

#: The polynomial of the by-hand question: L(x, y) = x^2 y + 3 y^2.
POLY = TwoVariableLoss(
    "x\u00b2y + 3y\u00b2",
    lambda x, y: x**2 * y + 3 * y**2,
    lambda x, y: (2 * x * y, x**2 + 6 * y),
)
POLY_POINT = (2.0, -1.0)

#: The lesson's bowl L(x, y) = 1.5x^2 - 2xy + 1.5y^2: curvatures 1 and 5, axes on the diagonals.
#: The same as ``gdcourse.widgets.gradient_direction.default_bowl()``.
BOWL = QuadraticBowl([1.0, 5.0], rotation=math.pi / 4)
BOWL_POINT = (1.0, 2.0)
#: Where the contour picture asks for the signs of the partial derivatives.
SIGN_POINT = (1.0, 3.0)

#: The loss whose gradient students write: L(x, y) = (2x + y - 5)^2 + y^2.
GRAD_LOSS = TwoVariableLoss(
    "(2x + y \u2212 5)\u00b2 + y\u00b2",
    lambda x, y: (2 * x + y - 5) ** 2 + y**2,
    lambda x, y: (4 * (2 * x + y - 5), 2 * (2 * x + y - 5) + 2 * y),
)


# -- questions ---------------------------------------------------------------------------------
q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="slope_at_0",
    prompt="L(w) = (w - 3)^2. What is the gradient dL/dw at w = 0?",
    expected=lambda: SEED.gradient(0.0),
    misconceptions=(
        Misconception(
            name="sign flipped",
            answer=lambda: -SEED.gradient(0.0),
            message="Check the sign: at w = 0 you are left of the minimum at 3. Does the loss "
            "go up or down as w increases from there?",
        ),
        Misconception(
            name="loss for gradient",
            answer=lambda: SEED.value(0.0),
            message="That is the height L(0), not the slope. The gradient is the derivative "
            "dL/dw evaluated at w = 0.",
        ),
        Misconception(
            name="missing factor 2",
            answer=lambda: SEED.gradient(0.0) / 2,
            message="Half as steep as it should be: d/dw (w - 3)^2 keeps the factor 2 of the "
            "power rule.",
        ),
    ),
    hints=(
        "dL/dw = 2 (w - 3). Put w = 0 in.",
        "Its sign says which way is uphill: negative means the loss grows as w decreases.",
    ),
    solution_code="slope_at_0 = 2 * (0 - 3)",
    explanation="Negative: uphill is to the left, so gradient descent moves right, towards 3.",
)

_x, _y = POLY_POINT

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="gradient_by_hand",
    prompt="L(x, y) = x^2 y + 3 y^2. Its gradient (dL/dx, dL/dy) at (x, y) = (2, -1), by hand.",
    expected=lambda: POLY.gradient(POLY_POINT),
    noun="partial derivatives",
    misconceptions=(
        Misconception(
            name="swapped",
            answer=lambda: POLY.gradient(POLY_POINT)[::-1],
            message="Your two numbers are right but in the wrong order. The gradient lists "
            "dL/dx first, then dL/dy.",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: -POLY.gradient(POLY_POINT),
            message="Both signs are flipped: that is the direction of steepest descent, "
            "minus the gradient. The gradient itself points uphill.",
        ),
        Misconception(
            name="held-fixed factor dropped",
            answer=lambda: (2 * _x, POLY.gradient(POLY_POINT)[1]),
            message="Look at dL/dx of x^2 y again. Holding y fixed makes it a constant factor: "
            "it stays in the derivative, as 3 does in d/dx (3 x^2).",
        ),
        Misconception(
            name="held-fixed variable set to zero",
            answer=lambda: (POLY.gradient(POLY_POINT)[0], 6 * _y),
            message="Look at dL/dy of x^2 y again. Holding x fixed makes x^2 a constant factor, "
            "not zero: d/dy (x^2 y) = x^2.",
        ),
        Misconception(
            name="loss for gradient",
            answer=lambda: POLY.value(POLY_POINT),
            message="That is the height L(2, -1). The gradient has one slope per parameter: "
            "two numbers, (dL/dx, dL/dy).",
        ),
    ),
    hints=(
        "For dL/dx treat y as a fixed number and differentiate in x; for dL/dy the other way "
        "round. Then put x = 2, y = -1 in.",
        "dL/dx = 2 x y and dL/dy = x^2 + 6 y.",
    ),
    solution_code="# dL/dx = 2xy and dL/dy = x^2 + 6y, at x = 2, y = -1\n"
    "gradient_by_hand = (2 * 2 * -1, 2**2 + 6 * -1)",
)


def _signs() -> dict[str, str]:
    gx, gy = BOWL.gradient(SIGN_POINT)
    return {"dL/dx": sign_label(gx), "dL/dy": sign_label(gy)}


q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="signs",
    prompt="From the contour picture: the signs of dL/dx and dL/dy at P, as a dict "
    '{"dL/dx": ..., "dL/dy": ...} with "positive", "negative" or "zero".',
    expected=_signs,
    choices=("positive", "negative", "zero"),
    key_name="partial derivative",
    confusions={
        ("negative", "positive"): "P lies to the right of the minimum, but that is not what "
        "dL/dx asks. Walk from P to the right along the dashed line (y held fixed): do the "
        "contour labels grow or shrink?",
        ("positive", "negative"): "Walk from P upwards along the dotted line (x held fixed): do "
        "the contour labels grow or shrink?",
        ("negative", "zero"): "Zero would mean the dashed line just touches a contour at P, "
        "running along it. Does it, or does it cross contours there?",
        ("positive", "zero"): "Zero would mean the dotted line just touches a contour at P, "
        "running along it. Does it, or does it cross contours there?",
    },
    hints=(
        "dL/dx is the slope along the horizontal line through P (y held fixed); dL/dy the slope "
        "along the vertical line (x held fixed).",
        "Moving a little from P along a line, you cross into a contour with a larger or a smaller "
        "label. Larger means positive slope in that direction.",
    ),
    solution_code='signs = {"dL/dx": "negative", "dL/dy": "positive"}',
    explanation="Both follow from the contours alone: the sign of a partial derivative is "
    "whether the loss grows as you move along that axis.",
)

_DESCENT_CHOICES = ("at the minimum", "perpendicular to the level set", "along the level set")


def _where_descent_points() -> str:
    """Where -grad L points at BOWL_POINT, decided by measuring slopes (not assumed)."""
    reading = read_direction(BOWL, BOWL_POINT, 0.0)
    if reading.off_minimum < 0.5:  # degrees between -grad L and the line to the minimum
        return "at the minimum"
    across = reading.level_set_angles[0]  # -grad L turned by 90 degrees
    along = measured_slope(BOWL, BOWL_POINT, across)
    if abs(along) <= 1e-6 * reading.length:  # the loss does not change across -g: a level set
        return "perpendicular to the level set"
    return "along the level set"


q4 = ChoiceQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="descent_points",
    prompt="At (1, 2) on the bowl, the steepest-descent direction -grad L points: "
    + ", ".join(f'"{c}"' for c in _DESCENT_CHOICES)
    + "?",
    expected=_where_descent_points,
    choices=_DESCENT_CHOICES,
    confusions={
        ("perpendicular-to-the-level-set", "at-the-minimum"): "That is the misconception this "
        "section is about. The gradient only knows the slopes right at the point, not where the "
        "minimum is. Think about which direction makes the loss fall fastest, given the level "
        "set through the point.",
        ("perpendicular-to-the-level-set", "along-the-level-set"): "Along the level set the "
        "loss does not change at all: its slope there is 0. Steepest descent is where it falls "
        "fastest.",
    },
    hints=(
        "The slope along a unit direction u is grad L . u = |grad L| cos(angle between them).",
        "Along the level set the slope is 0, so cos = 0 there: which angle is that?",
    ),
    solution_code='descent_points = "perpendicular to the level set"',
    explanation="On a stretched bowl the level sets are ellipses, and the line across an "
    "ellipse at a right angle does not in general pass through its centre.",
)


def _grad_reference(x: float, y: float) -> np.ndarray:
    return GRAD_LOSS.gradient([x, y])


def _swapped(x: float, y: float) -> np.ndarray:
    return GRAD_LOSS.gradient([x, y])[::-1]


def _negated(x: float, y: float) -> np.ndarray:
    return -GRAD_LOSS.gradient([x, y])


def _no_chain_factor(x: float, y: float) -> tuple[float, float]:
    r = 2 * x + y - 5
    return 2 * r, 2 * r + 2 * y


def _loss_value(x: float, y: float) -> float:
    return GRAD_LOSS.value([x, y])


q5 = FunctionQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="grad",
    prompt="Write grad(x, y) returning (dL/dx, dL/dy) for L(x, y) = (2x + y - 5)^2 + y^2.",
    reference=_grad_reference,
    cases=(
        {"x": 0.0, "y": 0.0},
        {"x": 1.0, "y": 2.0},
        {"x": 3.0, "y": -1.0},
        {"x": -2.0, "y": 0.5},
        {"x": 2.0, "y": 1.0},
        {"x": 2.1, "y": 0.80123457},  # small, many-digit results: a rounding grad does not pass
    ),
    misconceptions=(
        Misconception(
            name="chain-rule factor forgotten",
            answer=lambda: _no_chain_factor,
            message="Your dL/dx is half what it should be: a chain-rule factor is missing. "
            "d/dx (2x + y - 5)^2 = 2 (2x + y - 5) times the derivative of the inside, "
            "d/dx (2x + y - 5).",
        ),
        Misconception(
            name="swapped",
            answer=lambda: _swapped,
            message="Your two partial derivatives come out in the wrong order: return dL/dx "
            "first, then dL/dy.",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: _negated,
            message="Every sign is flipped: you returned minus the gradient (the descent "
            "direction). Return the gradient itself; descent subtracts it later.",
        ),
        Misconception(
            name="loss for gradient",
            answer=lambda: _loss_value,
            message="Your function returns the loss L(x, y), one number. The gradient is two "
            "numbers, one slope per parameter.",
        ),
    ),
    hints=(
        "Differentiate each term: the chain rule gives d/dx (2x + y - 5)^2 = 2 (2x + y - 5) * 2.",
        "dL/dx = 4 (2x + y - 5) and dL/dy = 2 (2x + y - 5) + 2 y. Return them as a tuple.",
    ),
    solution_code="def grad(x, y):\n    r = 2 * x + y - 5\n    return (4 * r, 2 * r + 2 * y)",
    points=2,
)
