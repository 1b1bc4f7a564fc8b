"""Questions of ``notebooks/02_update_rule.ipynb`` (the update rule), and the problems they are
about.

The seed's walk on (w - 3)^2 from w = 7 at rate 0.1, the flashcard (w = 5, gradient -3, rate
0.1), and one step on the coupled bowl L(x, y) = x^2 - xy + y^2, taken at once (gradient
descent) and one parameter after another (a different algorithm: the core's update rule
``one_after_another``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    Quadratic1D,
    QuadraticBowl,
    gradient_descent,
    gradient_step,
    one_after_another,
    sign_flipped,
)

__all__ = [
    "BOWL_LR",
    "BOWL_W0",
    "COUPLED_BOWL",
    "FLASHCARD",
    "SEED_LOSS",
    "SEED_LR",
    "SEED_W0",
    "q1",
    "q2",
    "q3",
    "q4",
]

LESSON = "update_rule"
#: The seed's loss (w - 3)^2, its start and its rate.
SEED_LOSS = Quadratic1D(a=2, c=3)
SEED_W0, SEED_LR = 7.0, 0.1
#: The seed's flashcard: w, the gradient there, and the rate.
FLASHCARD = frozen({"w": 5.0, "gradient": -3.0, "lr": 0.1})
#: L(x, y) = x^2 - xy + y^2 = 1/2 w^T A w with A = [[2, -1], [-1, 2]]: curvatures 1 and 3 along
#: the diagonals, so the two parameters are coupled (dL/dx depends on y and dL/dy on x).
COUPLED_BOWL = QuadraticBowl([1.0, 3.0], rotation=math.pi / 4)
BOWL_W0 = (2.0, 0.0)
BOWL_LR = 0.25


# -- q1: the update as a function -----------------------------------------------------------
def _wrong(rule: Any) -> Any:
    return lambda: lambda w, grad, lr: rule(np.asarray(w, float), np.asarray(grad, float), lr)


_STEP_NOT_W = (
    "Your function returns the step, the change in w, not the new w. Add the step to the "
    "w you started from."
)

q1 = FunctionQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="gd_step",
    prompt="Write gd_step(w, grad, lr): the new w after one gradient-descent update. It must "
    "work for numbers and for numpy arrays (every parameter at once).",
    reference=lambda w, grad, lr: gradient_step(w, grad, lr),
    trivial=(lambda w, grad, lr: w,),  # takes no step
    cases=(
        {"w": 7.0, "grad": 8.0, "lr": 0.1},
        {"w": 5.0, "grad": -3.0, "lr": 0.1},
        {"w": 0.0, "grad": 2.5, "lr": 0.01},
        {"w": 3.0, "grad": 0.0, "lr": 0.5},
        {"w": np.array([1.0, -2.0]), "grad": np.array([0.5, -4.0]), "lr": 0.25},
        {"w": np.array([2.0, 0.0, -1.0]), "grad": np.array([4.0, -2.0, 1.0]), "lr": 0.5},
        {"w": 0.012345, "grad": 0.6789, "lr": 0.0123},  # many digits: rounding does not pass
    ),
    misconceptions=(
        Misconception(
            name="sign flipped",
            answer=_wrong(lambda w, g, lr: w + lr * g),
            message="Your w moves uphill: in the direction the gradient points. Gradient "
            "descent steps against the gradient.",
        ),
        Misconception(
            name="rate left out",
            answer=_wrong(lambda w, g, lr: w - g),
            message="Your step uses the gradient at full size. The learning rate scales it "
            "down: where does lr appear in your update?",
        ),
        Misconception(
            name="gradient left out",
            answer=_wrong(lambda w, g, lr: w - lr),
            message="Your step is the same size whatever the gradient is: you subtracted the "
            "rate alone. The step is the rate times the gradient.",
        ),
        Misconception(
            name="w and grad swapped",
            answer=_wrong(lambda w, g, lr: g - lr * w),
            message="You swapped the roles of w and grad: the rate multiplies the gradient, "
            "and the result is subtracted from w.",
        ),
        Misconception(
            name="the step, not the new w",
            answer=_wrong(lambda w, g, lr: -lr * g),
            message=_STEP_NOT_W,
        ),
        Misconception(
            name="the step's size, not the new w",
            answer=_wrong(lambda w, g, lr: lr * g),
            message=_STEP_NOT_W + " Mind the sign too: the step goes against the gradient.",
        ),
    ),
    hints=(
        "Follow the rule: new w = old w minus (rate times gradient).",
        "With numpy arrays, `w - lr * grad` already updates every entry at once: no loop needed.",
    ),
    solution_code="def gd_step(w, grad, lr):\n    return w - lr * grad",
    explanation="One line, and it works for one parameter or a million.",
    points=2,
)


# -- q2: the second step by hand ------------------------------------------------------------
def _seed_weights(steps: int, update: Any = None) -> np.ndarray:
    """The seed's run from 7 at rate 0.1 (by another update rule, if given): its weights."""
    run = gradient_descent(SEED_LOSS, SEED_W0, lr=SEED_LR, steps=steps, tol=0.0, update=update)
    return run.weights


def _seed_gradients(steps: int) -> np.ndarray:
    """The gradient at each weight of the seed's run."""
    return np.asarray(SEED_LOSS.gradient(_seed_weights(steps)), dtype=float)


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="second_w",
    prompt="From w = 6.2, where does the second step of (w - 3)^2 at rate 0.1 land?",
    expected=lambda: float(_seed_weights(2)[2]),
    misconceptions=(
        Misconception(
            name="first gradient reused",
            answer=lambda: float(
                gradient_step(_seed_weights(1)[1], _seed_gradients(1)[0], SEED_LR)
            ),
            message="You reused the gradient of the first step. The gradient changes as w "
            "moves: compute dL/dw = 2(w - 3) again, at w = 6.2.",
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: float(
                gradient_step(_seed_weights(1)[1], -_seed_gradients(1)[1], SEED_LR)
            ),
            message="Your step went uphill, away from the minimum at 3. The update subtracts "
            "the rate times the gradient.",
        ),
        Misconception(
            name="sign flipped twice",
            answer=lambda: float(_seed_weights(2, update=sign_flipped())[2]),
            message="Both of your steps went uphill, away from the minimum at 3. The update "
            "subtracts the rate times the gradient, and the second step starts at w = 6.2.",
        ),
        Misconception(
            name="first step",
            answer=lambda: float(_seed_weights(1)[1]),
            message="That is where the first step ended, the start of the second. Take one "
            "more step from there.",
        ),
        Misconception(
            name="gradient for w",
            answer=lambda: float(_seed_gradients(1)[1]),
            message="That is the gradient at w = 6.2. Use it in the update to get the new w.",
        ),
        Misconception(
            name="loss for w",
            answer=lambda: float(SEED_LOSS.value(_seed_weights(2)[2])),
            message="That is the loss at the new point. The question asks for w itself.",
        ),
    ),
    hints=(
        "The first step gave w = 6.2. Compute the gradient again, there: dL/dw = 2(w - 3).",
        "Then new w = 6.2 - 0.1 * (that gradient).",
    ),
    solution_code="second_w = 6.2 - 0.1 * 2 * (6.2 - 3)",
)


# -- q3: which way does the flashcard's step go? ---------------------------------------------
def _flashcard_direction() -> str:
    new = gradient_step(FLASHCARD["w"], FLASHCARD["gradient"], FLASHCARD["lr"])
    return "right" if new > FLASHCARD["w"] else "left"


q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="direction",
    prompt="w = 5, the gradient there is -3 and the rate is 0.1. After one step, has w moved "
    "'left' (smaller) or 'right' (larger)?",
    expected=_flashcard_direction,
    choices=("left", "right"),
    confusions={
        ("right", "left"): "The update subtracts 0.1 \u00d7 (-3). Work out that product's sign "
        "first, then what subtracting it does to w.",
        ("left", "right"): "The update subtracts 0.1 times the gradient. Work out that "
        "product's sign first, then what subtracting it does to w.",
    },
    hints=(
        "The step is -rate \u00d7 gradient. The rate is positive, so the step's sign is the "
        "opposite of the gradient's.",
        "Compute it: 5 - 0.1 \u00d7 (-3). Is the result larger or smaller than 5?",
    ),
    solution_code="direction = 'right'  # 5 - 0.1 * (-3) = 5.3 > 5",
    explanation="A negative gradient means the loss falls as w grows, so descent increases w.",
)


# -- q4: one step on the coupled bowl, every parameter at once -------------------------------
def _bowl_step(update: Any = None) -> np.ndarray:
    """One step on the coupled bowl from (2, 0) at rate 0.25: at once, or by another rule."""
    run = gradient_descent(COUPLED_BOWL, BOWL_W0, lr=BOWL_LR, steps=1, tol=0.0, update=update)
    return run.weights[1]


_ONE_AFTER_ANOTHER = (
    "You moved one parameter first and then computed the other's partial derivative at the "
    "moved point: that updates them one after another. Gradient descent computes both partial "
    "derivatives at the old point (2, 0) first, then moves both."
)

q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="step_2d",
    prompt="On L(x, y) = x^2 - xy + y^2, one gradient-descent step from (2, 0) at rate 0.25: "
    "the new point [x, y].",
    expected=_bowl_step,
    misconceptions=(
        Misconception(
            name="x first, then y",
            answer=lambda: _bowl_step(one_after_another((0, 1))),
            message=_ONE_AFTER_ANOTHER,
        ),
        Misconception(
            name="y first, then x",
            answer=lambda: _bowl_step(one_after_another((1, 0))),
            message=_ONE_AFTER_ANOTHER,
        ),
        Misconception(
            name="sign flipped",
            answer=lambda: _bowl_step(sign_flipped()),
            message="Your point is uphill: the loss there is larger than at the start. The "
            "update subtracts the rate times the gradient.",
        ),
        Misconception(
            name="gradient for the point",
            answer=lambda: COUPLED_BOWL.gradient(BOWL_W0),
            message="That is the gradient at (2, 0). Use it in the update to get the new point.",
        ),
        Misconception(
            name="the step for the point",
            answer=lambda: -BOWL_LR * COUPLED_BOWL.gradient(BOWL_W0),
            message="That is the step, the change in (x, y). Add it to the start point.",
        ),
    ),
    hints=(
        "First the gradient at the start: (2x - y, 2y - x) at (2, 0). Both entries use the old "
        "x and y.",
        "Then both parameters at once: [2, 0] - 0.25 * (gradient).",
    ),
    solution_code="step_2d = [2 - 0.25 * (2 * 2 - 0), 0 - 0.25 * (2 * 0 - 2)]",
    points=2,
)
