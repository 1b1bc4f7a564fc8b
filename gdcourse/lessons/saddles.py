"""Questions of ``notebooks/07_saddles.ipynb``, and the losses, rates and starts they are about.

Gradient descent on the saddle loss L(x, y) = x^2 - y^2 + y^4/2: a start exactly on y = 0
converges to the saddle, any offset escapes after about ln(0.5/|y0|)/ln(1 + 2 eta) steps, and a
little noise makes the escape reliable. Then the basins of a tilted double well, and how rare
"every curvature positive" is for random symmetric matrices. The maths is the core's:
``saddle_escape_steps``, ``escape_steps_simulated``, ``critical_point_near``, ``basin_ends`` and
``fraction_all_positive``.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..core import (
    SaddleWithMinima,
    TiltedDoubleWell,
    basin_ends,
    critical_point_near,
    escape_steps_simulated,
    gradient_descent,
    saddle_escape_steps,
)

__all__ = [
    "ESCAPE_THRESHOLD",
    "Q2_Y0",
    "SADDLE",
    "SADDLE_LR",
    "SADDLE_X0",
    "WELL",
    "WELL_LR",
    "WELL_STARTS",
    "WELL_STEPS",
    "q1",
    "q2",
    "q3",
]

LESSON = "saddles"
#: The saddle loss x^2 - y^2 + y^4/2, the lesson's rate and its start x.
SADDLE = SaddleWithMinima()
SADDLE_LR = 0.1
SADDLE_X0 = 1.0
#: "Escaped" means |y| >= 0.5: halfway from the saddle to a minimum.
ESCAPE_THRESHOLD = 0.5
#: The tilted double well (w^2 - 1)^2 + 0.5 w, a small rate and the starts of question 3.
WELL = TiltedDoubleWell(tilt=0.5)
WELL_LR = 0.01
WELL_STEPS = 3000
WELL_STARTS = (-1.5, 0.1, 0.2, 1.5)


# -- q1: where does a run started exactly on y = 0 end? --------------------------------------
q1 = ChoiceQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="ridge_end",
    prompt="Gradient descent on x^2 - y^2 + y^4/2 from (1, 0) exactly, rate 0.1, no noise: "
    "where does it end? 'saddle', 'upper minimum', 'lower minimum' or 'elsewhere'.",
    expected=lambda: critical_point_near(
        SADDLE, gradient_descent(SADDLE, [SADDLE_X0, 0.0], lr=SADDLE_LR, steps=5000).weights[-1]
    ),
    choices=("saddle", "upper minimum", "lower minimum", "elsewhere"),
    confusions={
        ("saddle", "upper-minimum"): "Look at dL/dy = -2y + 2y^3 at y = 0. If y starts at "
        "exactly 0, what does each update do to y?",
        ("saddle", "lower-minimum"): "Look at dL/dy = -2y + 2y^3 at y = 0. If y starts at "
        "exactly 0, what does each update do to y?",
        ("saddle", "elsewhere"): "Follow x and y separately: x is multiplied by 1 - 2 * 0.1 "
        "each step. And y?",
    },
    hints=(
        "The update of y uses dL/dy = -2y + 2y^3. What is it when y = 0?",
        "y never moves, and x shrinks by a factor 0.8 per step. Where does (x, y) go?",
    ),
    solution_code="ridge_end = 'saddle'  # y stays exactly 0, x -> 0",
    explanation="On y = 0 the gradient has no y-component, so the run slides down the ridge "
    "into the saddle and stops there: the gradient is zero, and gradient descent cannot tell.",
)


# -- q2: the escape-time estimate -------------------------------------------------------------
Q2_Y0 = 1e-6

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="escape_estimate",
    prompt="Near the saddle y is multiplied by 1 + 2 * eta each step. Starting at y0 = 1e-6 with "
    "eta = 0.1, estimate the number of steps until |y| reaches 0.5 (a number, need not be whole).",
    expected=lambda: saddle_escape_steps(Q2_Y0, SADDLE_LR, threshold=ESCAPE_THRESHOLD),
    rtol=0.005,
    estimate_of="steps",
    misconceptions=(
        Misconception(
            name="factor 1 + eta",
            answer=lambda: math.log(0.5 / Q2_Y0) / math.log(1 + SADDLE_LR),
            message="Your growth factor misses the 2: dL/dy = -2y near y = 0, so each step "
            "adds eta * 2y to y.",
        ),
        Misconception(
            name="2 eta for ln(1 + 2 eta)",
            answer=lambda: math.log(0.5 / Q2_Y0) / (2 * SADDLE_LR),
            message="Close, but you divided by 2 * eta instead of ln(1 + 2 eta). Solve "
            "y0 * (1 + 2 eta)^k = 0.5 for k exactly.",
        ),
        Misconception(
            name="target 1 instead of 0.5",
            answer=lambda: math.log(1 / Q2_Y0) / math.log(1 + 2 * SADDLE_LR),
            message="The question asks for the time to reach |y| = 0.5, not 1.",
        ),
        Misconception(
            name="mixed logarithms",
            answer=lambda: math.log10(0.5 / Q2_Y0) / math.log(1 + 2 * SADDLE_LR),
            message="Take the same logarithm on top and at the bottom (both ln, or both log10).",
        ),
        Misconception(
            name="the simulated count",
            answer=lambda: escape_steps_simulated(
                Q2_Y0, SADDLE_LR, threshold=ESCAPE_THRESHOLD, loss=SADDLE
            ),
            message="That is the count a simulated run takes. The question asks for the "
            "estimate from y growing by the factor 1 + 2 eta each step, which leaves out the "
            "y^3 term that slows y down a little as it grows.",
        ),
    ),
    hints=(
        "After k steps y is y0 * (1 + 2 eta)^k. Set that equal to 0.5.",
        "k = ln(0.5 / y0) / ln(1 + 2 eta).",
    ),
    solution_code="escape_estimate = math.log(0.5 / 1e-6) / math.log(1 + 2 * 0.1)",
    explanation="About 72 steps; the simulation needs 73, because the y^3 term slows y down a "
    "little as it grows.",
)


# -- q3: which minimum does each start reach? -------------------------------------------------
def _ends_if_boundary_at(boundary: float) -> np.ndarray:
    return np.array(
        [WELL.global_minimizer if w0 < boundary else WELL.local_minimizer for w0 in WELL_STARTS]
    )


q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="well_ends",
    prompt="On the tilted double well (w^2 - 1)^2 + 0.5 w, gradient descent at rate 0.01 from "
    "w0 = -1.5, 0.1, 0.2, 1.5: where does each run end? A list of four numbers (use "
    "well.global_minimizer and well.local_minimizer).",
    expected=lambda: basin_ends(WELL, WELL_STARTS, lr=WELL_LR, steps=WELL_STEPS),
    rtol=1e-4,
    atol=1e-4,
    misconceptions=(
        Misconception(
            name="all reach the global minimum",
            answer=lambda: np.full(len(WELL_STARTS), WELL.global_minimizer),
            message="Gradient descent only goes downhill from where it starts: it does not "
            "know where the best minimum is. Which starts are on the local minimum's side of "
            "the hump?",
        ),
        Misconception(
            name="boundary at 0",
            answer=lambda: _ends_if_boundary_at(0.0),
            message="The dividing line is not w = 0 but the top of the hump between the wells "
            "(well.local_maximizer). Where is it for this tilt?",
        ),
    ),
    hints=(
        "For a small rate a run never crosses a hump: it ends in the minimum on its side of the "
        "local maximum.",
        "The local maximum is at well.local_maximizer (about 0.127). Compare each start to it.",
    ),
    solution_code="well_ends = [well.global_minimizer, well.global_minimizer, "
    "well.local_minimizer, well.local_minimizer]",
    points=2,
)
