"""Questions of ``exercises/02_update_rule_practice.ipynb``: updates by hand and in code.

The flashcard (w = 5, gradient -3, rate 0.1), directions from the gradient's sign, two steps and
their lengths on L(w) = (w + 1)^2 from w0 = 2 at rate 0.25, a loop of N steps, and three
simultaneous steps on the coupled bowl L(x, y) = x^2 + xy + y^2.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion, frozen
from ..checks.misconceptions import correct_weights
from ..checks.trajectory import trajectory_question, weights_function_question
from ..core import Quadratic1D, QuadraticBowl, gradient_step, step_lengths

__all__ = ["BOWL", "DIRECTION_CASES", "FLASHCARD", "LOSS", "q1", "q2", "q3", "q4", "q5", "q6"]

LESSON = "update_rule_practice"
#: The flashcard: w, the gradient there, and the rate.
FLASHCARD = frozen({"w": 5.0, "gradient": -3.0, "lr": 0.1})
#: Cases of q2: {label: (w, gradient)}, all at rate 0.1.
DIRECTION_CASES = frozen({"A": (5.0, -3.0), "B": (-2.0, 4.0), "C": (-3.0, -0.5), "D": (2.0, 0.7)})
DIRECTION_LR = 0.1
#: L(w) = (w + 1)^2: curvature a = 2, minimum at w = -1.
LOSS = Quadratic1D(a=2, c=-1)
W0, LR = 2.0, 0.25
#: L(x, y) = x^2 + xy + y^2 = 1/2 w^T A w with A = [[2, 1], [1, 2]]: a coupled bowl.
BOWL = QuadraticBowl([1.0, 3.0], rotation=-math.pi / 4)
BOWL_W0, BOWL_LR, BOWL_STEPS = (1.0, 2.0), 0.2, 3

_DERIVATIVE = "The derivative of (w + 1)^2 is 2(w + 1)."


def _flashcard(rule) -> float:
    return float(rule(FLASHCARD["w"], FLASHCARD["gradient"], FLASHCARD["lr"]))


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="flashcard_w",
    prompt="w = 5, the gradient dL/dw = -3, the rate 0.1: what is w after one step?",
    expected=lambda: _flashcard(gradient_step),
    misconceptions=(
        Misconception(
            name="sign flipped",
            answer=lambda: _flashcard(lambda w, g, lr: w + lr * g),
            message="Your w moved with the gradient, uphill. The update subtracts the rate "
            "times the gradient; mind the gradient's own minus sign.",
        ),
        Misconception(
            name="rate left out",
            answer=lambda: _flashcard(lambda w, g, lr: w - g),
            message="You used the whole gradient as the step. The rate scales it first.",
        ),
        Misconception(
            name="the step",
            answer=lambda: _flashcard(lambda w, g, lr: -lr * g),
            message="That is the step, how far and which way w moves. Add it to w = 5.",
        ),
        Misconception(
            name="the step, sign flipped",
            answer=lambda: _flashcard(lambda w, g, lr: lr * g),
            message="That is the size of rate \u00d7 gradient, not the new w. Subtract it from "
            "w = 5.",
        ),
    ),
    hints=(
        "new w = w - rate \u00d7 gradient.",
        "5 - 0.1 \u00d7 (-3): subtracting a negative number adds.",
    ),
    solution_code="flashcard_w = 5 - 0.1 * (-3)",
)


def _directions() -> dict[str, str]:
    out = {}
    for label, (w, g) in DIRECTION_CASES.items():
        out[label] = "right" if gradient_step(w, g, DIRECTION_LR) > w else "left"
    return out


_SIGN_OF_GRADIENT = (
    "Look at the sign of this case's gradient, not of w: the step is -rate \u00d7 gradient, so "
    "its sign is the opposite of the gradient's."
)

q2 = ChoiceQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="directions",
    prompt="For each case (w, gradient) at rate 0.1, does one step move w 'left' or 'right'?",
    expected=_directions,
    choices=("left", "right"),
    key_name="case",
    confusions={("right", "left"): _SIGN_OF_GRADIENT, ("left", "right"): _SIGN_OF_GRADIENT},
    hints=(
        "Only the gradient's sign matters: where w is, and the rate (always > 0), do not change "
        "the direction.",
        "A positive gradient means the loss rises to the right, so descent goes left; a "
        "negative one, the other way.",
    ),
    solution_code="directions = {'A': 'right', 'B': 'left', 'C': 'right', 'D': 'left'}",
    points=2,
)

q3 = trajectory_question(
    lesson=LESSON,
    name="q3",
    answer_var="w_by_hand",
    prompt="By hand: the weights of 2 steps on (w + 1)^2 from w0 = 2 at rate 0.25, w0 included.",
    loss=LOSS,
    w0=W0,
    lr=LR,
    steps=2,
    hints=(
        f"The list has 3 numbers: w0 = 2, then w after each step. {_DERIVATIVE}",
        "First step: 2 - 0.25 \u00d7 2 \u00d7 (2 + 1). Then the same from the new w, with the "
        "gradient computed again there.",
    ),
    solution_code="w_by_hand = [2, 2 - 0.25 * 2 * 3, 0.5 - 0.25 * 2 * 1.5]  # [2, 0.5, -0.25]",
    points=2,
)


q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    depends_on=("q3",),  # the lengths of "that run", q3's
    answer_var="step_lengths",
    prompt="How far does w move in each of the first 3 steps of that run? (3 lengths)",
    expected=lambda: step_lengths(correct_weights(LOSS, W0, LR, 3)),
    noun="lengths",
    misconceptions=(
        Misconception(
            name="signed moves",
            answer=lambda: np.diff(correct_weights(LOSS, W0, LR, 3)),
            message="These are the signed moves w_new - w (negative: to the left). A length "
            "is the size of a move, without its sign.",
        ),
        Misconception(
            name="gradients for lengths",
            answer=lambda: np.abs(LOSS.gradient(correct_weights(LOSS, W0, LR, 2))),
            message="These are the gradients' sizes. The step is the rate times the gradient.",
        ),
        Misconception(
            name="weights for lengths",
            answer=lambda: correct_weights(LOSS, W0, LR, 3)[1:],
            message="These are the weights after each step. The question asks how far each "
            "step moved: the difference between one weight and the next.",
        ),
    ),
    hints=(
        "A step's length is |w_new - w| = rate \u00d7 |gradient|.",
        "The gradients at 2, 0.5 and -0.25 are 2(w + 1): multiply each by 0.25.",
    ),
    solution_code="step_lengths = [0.25 * abs(2 * (w + 1)) for w in [2, 0.5, -0.25]]",
)

q5 = weights_function_question(
    lesson=LESSON,
    name="q5",
    answer_var="run_steps",
    prompt="Write run_steps(w0, lr, steps): the list [w0, w1, ..., w_steps] of gradient "
    "descent on L(w) = (w + 1)^2.",
    loss=LOSS,
    cases=(
        {"w0": 2.0, "lr": 0.25, "steps": 2},
        {"w0": 2.0, "lr": 0.1, "steps": 5},
        {"w0": -4.0, "lr": 0.3, "steps": 4},
        {"w0": -1.0, "lr": 0.2, "steps": 3},
        {"w0": 0.5, "lr": 0.75, "steps": 6},
        {"w0": 3.0, "lr": 0.5, "steps": 0},
    ),
    hints=(
        "Start the list with w0. Then repeat `steps` times: take the last w, compute the "
        "gradient there, and append the new w.",
        f"{_DERIVATIVE} One update is w - lr * 2 * (w + 1).",
        "weights = [w0]\nfor _ in range(steps):\n    w = weights[-1]\n    weights.append(...)\n"
        "return weights",
    ),
    solution_code="def run_steps(w0, lr, steps):\n"
    "    weights = [w0]\n"
    "    for _ in range(steps):\n"
    "        w = weights[-1]\n"
    "        weights.append(w - lr * 2 * (w + 1))\n"
    "    return weights",
    points=2,
)

q6 = trajectory_question(
    lesson=LESSON,
    name="q6",
    answer_var="weights_2d",
    prompt="On L(x, y) = x^2 + xy + y^2, the points of 3 gradient-descent steps from (1, 2) at "
    "rate 0.2, w0 included: 4 points [x, y].",
    loss=BOWL,
    w0=BOWL_W0,
    lr=BOWL_LR,
    steps=BOWL_STEPS,
    hints=(
        "The gradient is (2x + y, x + 2y). At each step compute BOTH entries at the current "
        "point, then move x and y together.",
        "With numpy: w = np.array([1.0, 2.0]); each step is w = w - 0.2 * np.array([2 * w[0] + "
        "w[1], w[0] + 2 * w[1]]). Collect w0 and the 3 new points in a list.",
    ),
    solution_code="w = np.array([1.0, 2.0])\n"
    "weights_2d = [w]\n"
    "for _ in range(3):\n"
    "    g = np.array([2 * w[0] + w[1], w[0] + 2 * w[1]])\n"
    "    w = w - 0.2 * g\n"
    "    weights_2d.append(w)",
    points=2,
)
