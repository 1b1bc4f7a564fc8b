"""Questions of ``notebooks/03_learning_rate.ipynb`` (the learning rate), and the quadratics they
are about.

Three "predict, then run" checks: the regime of several (curvature, rate) pairs, the Goldilocks
rate of a given quadratic, and the number of steps to a tolerance.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..checks.trajectory import REGIME_WORDS
from ..core import (
    REGIMES,
    Quadratic1D,
    Trajectory,
    best_fixed_lr,
    error_multiplier,
    first_step_within,
    gradient_descent,
    max_stable_lr,
    quadratic_regime,
    steps_to_tolerance,
)

LESSON = "learning_rate"

#: The seed's example: L(w) = (w - 3)^2 (curvature a = 2, minimum c = 3) from w = 7.
SEED_LOSS = Quadratic1D(a=2, c=3)
SEED_W0 = 7.0
#: The seed's three rates: too small, too large, just right.
SEED_RATES = (0.0001, 2.0, 0.1)
#: A sharper quadratic with the same slope 8 at w = 7: 4 (w - 6)^2, curvature 8.
STEEP_LOSS = Quadratic1D(a=8, c=6)

__all__ = [
    "GOLDILOCKS_LOSS",
    "REGIME_PAIRS",
    "SEED_LOSS",
    "SEED_RATES",
    "SEED_W0",
    "STEEP_LOSS",
    "TOL_LR",
    "TOL_TOL",
    "q1",
    "q2",
    "q3",
]


# -- q1: predict the regime ---------------------------------------------------------------------
#: (curvature a, rate) pairs whose regime the student predicts: every regime at least once, and
#: the same rate is not always the same regime.
REGIME_PAIRS = ((1.0, 0.5), (4.0, 0.25), (10.0, 0.15), (0.5, 4.0), (8.0, 0.3), (0.1, 5.0))

q1 = ChoiceQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="regime_prediction",
    prompt="Predict the regime of gradient descent on a/2 (w - c)^2 for each (a, rate) pair: "
    + ", ".join(REGIMES)
    + ".",
    expected=lambda: {(a, lr): quadratic_regime(a, lr) for a, lr in REGIME_PAIRS},
    choices=REGIMES,
    words=REGIME_WORDS,
    key_name="(a, rate)",
    confusions={
        ("diverging", "monotone"): "A small-looking rate is not small by itself: multiply it by "
        "the curvature a. Is 1 - rate * a between -1 and 1?",
        ("diverging", "oscillating-converging"): "The multiplier 1 - rate * a is negative here, so "
        "w jumps across c. But is it larger than 1 in size?",
        ("diverging", "bouncing"): "Bouncing needs rate * a to be exactly 2. Is it?",
        ("monotone", "diverging"): "A large-looking rate is not large by itself: multiply it by "
        "the curvature a. A flat loss tolerates large rates.",
        ("monotone", "oscillating-converging"): "Is the multiplier 1 - rate * a negative here? "
        "Only a negative multiplier makes w jump across c.",
        ("one-step", "monotone"): "Compute rate * a exactly: what is the multiplier 1 - rate * a?",
        ("one-step", "oscillating-converging"): "Compute rate * a exactly: what is the "
        "multiplier 1 - rate * a?",
        ("oscillating-converging", "diverging"): "The multiplier 1 - rate * a is negative, so w "
        "jumps across c; but is it larger than 1 in size?",
        ("oscillating-converging", "monotone"): "Monotone needs the multiplier 1 - rate * a "
        "between 0 and 1. Compute rate * a for this pair: is it below 1?",
        ("bouncing", "diverging"): "Diverging means the distance to c grows every step. Compute "
        "|1 - rate * a| exactly for this pair and compare it with 1.",
        ("bouncing", "oscillating-converging"): "Oscillating-converging needs the distance to c "
        "to shrink every step. Compute |1 - rate * a| exactly for this pair and compare it "
        "with 1.",
    },
    hints=(
        "Only the product rate * a matters: compute it for each pair.",
        "Each step multiplies w - c by 1 - rate * a. Between 0 and 1: monotone; exactly 0: "
        "one-step; between -1 and 0: oscillating-converging; exactly -1: bouncing; below -1: "
        "diverging.",
    ),
    solution_code="regime_prediction = {\n"
    + "".join(f"    {(a, lr)!r}: {quadratic_regime(a, lr)!r},\n" for a, lr in REGIME_PAIRS)
    + "}",
    explanation="The products rate * a are "
    + ", ".join(f"{a * lr:.3g}" for a, lr in REGIME_PAIRS)
    + ": only they matter, not the rate or the curvature alone.",
    points=2,
)

# -- q2: the Goldilocks rate ---------------------------------------------------------------------
#: L(w) = 5 (w - 1)^2: curvature a = 10 (the second derivative), not the coefficient 5.
GOLDILOCKS_LOSS = Quadratic1D(a=10, c=1)

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="goldilocks_prediction",
    prompt="Which rate lands on the minimum of L(w) = 5 (w - 1)^2 in one step, from any start?",
    expected=lambda: best_fixed_lr(GOLDILOCKS_LOSS.a),
    misconceptions=(
        Misconception(
            name="2/a",
            answer=lambda: max_stable_lr(GOLDILOCKS_LOSS.a),
            message="That rate is twice too large: there the multiplier 1 - rate * a is -1, the "
            "stability limit, where the run bounces forever. (If you took the curvature to be "
            "the coefficient 5: the curvature is the second derivative L''(w).)",
        ),
        Misconception(
            name="a itself",
            answer=lambda: GOLDILOCKS_LOSS.a,
            message="That is the curvature itself, not a rate. At that rate the multiplier "
            "1 - rate * a is far below -1: the run diverges. Which rate makes the multiplier 0?",
        ),
        Misconception(
            name="the coefficient",
            answer=lambda: GOLDILOCKS_LOSS.a / 2,
            message="That is the coefficient in front of (w - 1)^2, not a rate: the run would "
            "diverge. Find the curvature a = L''(w) first, then the rate that makes "
            "1 - rate * a zero.",
        ),
    ),
    hints=(
        "One step multiplies w - 1 by 1 - rate * a. Landing in one step means that multiplier "
        "is 0.",
        "The curvature is the second derivative: L'(w) = 10 (w - 1), so a = L''(w) = 10. Solve "
        "1 - rate * a = 0.",
    ),
    solution_code="goldilocks_prediction = 1 / 10  # 1/a with a = L''(w) = 10",
    explanation="It is 1/a, Newton's step for this quadratic: w - L'(w)/L''(w) = 1 from any w.",
)

# -- q3: steps to a tolerance --------------------------------------------------------------------
#: The question: (w - 3)^2 from 7 at rate 0.8 (multiplier -0.6), to within 0.001 of 3.
TOL_LR = 0.8
TOL_TOL = 1e-3
_E0 = SEED_W0 - SEED_LOSS.c


def _steps() -> int:
    return steps_to_tolerance(SEED_LOSS.a, TOL_LR, _E0, TOL_TOL)


def _tol_run() -> Trajectory:
    """The question's run: (w - 3)^2 from 7 at rate 0.8, far past the tolerance."""
    return gradient_descent(SEED_LOSS, SEED_W0, lr=TOL_LR, steps=100, tol=0.0)


_LOG_MIX = (
    "Your number looks like a mix of logarithm bases: log10 on one side of the fraction and the "
    "natural log on the other. Either base works, as long as both logs use the same one."
)

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="steps_prediction",
    prompt=f"On (w - 3)^2 from w = 7 at rate {TOL_LR}, after how many steps is |w - 3| <= "
    f"{TOL_TOL} for the first time?",
    expected=_steps,
    rtol=0.0,
    atol=0.0,
    misconceptions=(
        Misconception(
            name="one step short",
            answer=lambda: _steps() - 1,
            message="One step short: after that many steps the distance is still just above "
            "the tolerance. The count is the smallest whole k that gets within it (round up).",
        ),
        Misconception(
            name="one step over",
            answer=lambda: _steps() + 1,
            message="One step too many: the step before yours is already within the tolerance.",
        ),
        Misconception(
            name="log10 over ln",
            answer=lambda: math.ceil(
                math.log10(TOL_TOL / _E0) / math.log(abs(error_multiplier(SEED_LOSS.a, TOL_LR)))
            ),
            message=_LOG_MIX,
        ),
        Misconception(
            name="ln over log10",
            answer=lambda: math.ceil(
                math.log(TOL_TOL / _E0) / math.log10(abs(error_multiplier(SEED_LOSS.a, TOL_LR)))
            ),
            message=_LOG_MIX,
        ),
        Misconception(
            name="forgot the absolute value",
            # Stopping once w - 3 itself, not |w - 3|, is at most the tolerance: the first
            # overshoot. (That is max(w - 3, 0) within the tolerance of 0.)
            answer=lambda: first_step_within(
                np.maximum(_tol_run().weights - SEED_LOSS.c, 0.0), 0.0, TOL_TOL
            ),
            message="Your count stops as soon as w - 3 drops below the tolerance. At this rate w "
            "jumps past 3, so w - 3 turns negative while w is still far from 3. The tolerance "
            "is on the distance |w - 3|: use |1 - rate * a| in the formula.",
        ),
        Misconception(
            name="tolerance on the loss",
            answer=lambda: first_step_within(_tol_run().losses, 0.0, TOL_TOL),
            message="You counted until the loss (w - 3)^2 is below the tolerance. Here the "
            "tolerance is on the distance |w - 3|, not on the loss.",
        ),
    ),
    hints=(
        "Each step multiplies w - 3 by 1 - rate * a = 1 - 0.8 * 2 = -0.6, so the distance "
        "|w - 3| is multiplied by 0.6. It starts at 4.",
        "Find the smallest whole k with 0.6**k * 4 <= 0.001: "
        "k = ceil(log(0.001 / 4) / log(0.6)), or count with a loop.",
    ),
    solution_code="steps_prediction = math.ceil(math.log(0.001 / 4) / math.log(abs(1 - 0.8 * 2)))",
    explanation="The distance shrinks by 0.6 per step although w changes side every step: the "
    "sign of the multiplier decides the side, its size decides the speed.",
    points=2,
)
