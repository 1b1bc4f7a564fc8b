"""Questions of ``notebooks/04_many_parameters.ipynb`` (gradient magnitude and many parameters),
and the problems they are about: the seed loss, a start next to a saddle, the bowls of its
questions and the badly scaled regression of section 7.

Three "predict, then run" checks: the stability limit 2/lambda_max for given curvatures, the
best fixed rate and its contraction factor, and which direction zig-zags. The runs use the
core's runner with its update rules (``gradient_descent(..., update=normalised())``,
``clipped(c)``).
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..core import (
    LinearRegression,
    Quadratic1D,
    QuadraticBowl,
    SaddleWithMinima,
    best_fixed_lr,
    contraction_factor,
    make_regression,
    max_stable_lr,
    standardise,
    zigzag_direction,
)

LESSON = "many_parameters"

__all__ = [
    "BOWL_EIGENVALUES",
    "SADDLE",
    "SADDLE_W0",
    "SEED_LOSS",
    "STABLE_EIGENVALUES",
    "ZIGZAG_BOWL",
    "ZIGZAG_RATES",
    "q1",
    "q2",
    "q3",
    "scaled_regression",
]

#: Section 1: the example of lesson 03, (w - 3)^2 from w = 7.
SEED_LOSS = Quadratic1D(a=2, c=3)
#: Section 1: a start just off the saddle of x^2 - y^2 + y^4/2.
SADDLE = SaddleWithMinima()
SADDLE_W0 = (1.0, 1e-6)


#: Section 7: make_regression(200, 3, noise=0.1, seed=4), with its last column measured in a
#: unit ten times smaller (so its numbers are ten times larger).
SCALE_COLUMN, SCALE_FACTOR = 2, 10.0


def scaled_regression() -> tuple[LinearRegression, LinearRegression]:
    """The badly scaled regression of section 7, and the same data standardised."""
    X, y, _ = make_regression(200, 3, noise=0.1, seed=4)
    X = X.copy()
    X[:, SCALE_COLUMN] *= SCALE_FACTOR
    return LinearRegression(X, y), LinearRegression(standardise(X), y)


# -- q1: the stability limit --------------------------------------------------------------------
#: Curvatures along the three axes of a 3-D bowl.
STABLE_EIGENVALUES = (0.5, 2.0, 8.0)

q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="stable_prediction",
    prompt="A 3-D bowl has curvatures 0.5, 2 and 8 along its axes. Below which rate does "
    "gradient descent converge from every start?",
    expected=lambda: max_stable_lr(STABLE_EIGENVALUES),
    misconceptions=(
        Misconception(
            name="smallest curvature",
            answer=lambda: 2 / min(STABLE_EIGENVALUES),
            message="That rate is safe for the flattest direction only. Every direction must "
            "have its multiplier 1 - rate * lambda between -1 and 1: which direction breaks "
            "first as the rate grows?",
        ),
        Misconception(
            name="1/lambda_max",
            answer=lambda: 1 / max(STABLE_EIGENVALUES),
            message="At that rate the steepest direction lands in one step: its multiplier is "
            "0. The question asks where a multiplier reaches -1.",
        ),
        Misconception(
            name="mean curvature",
            answer=lambda: 2 / float(np.mean(STABLE_EIGENVALUES)),
            message="An average curvature does not protect the steepest direction: check its "
            "multiplier 1 - rate * lambda at your rate.",
        ),
        Misconception(
            name="sum of curvatures",
            answer=lambda: 2 / sum(STABLE_EIGENVALUES),
            message="That is safe but too cautious: the directions do not add up. Each has its "
            "own multiplier; find the rate at which the first of them reaches -1.",
        ),
    ),
    hints=(
        "Along each axis the bowl is a 1-D quadratic with its own curvature lambda, and one "
        "step multiplies the error along it by 1 - rate * lambda.",
        "A direction diverges once its multiplier is below -1, i.e. once rate > 2 / lambda. "
        "The run converges only if every direction does.",
    ),
    solution_code="stable_prediction = 2 / 8  # 2 / lambda_max",
    explanation="The steepest direction sets the limit 2/lambda_max; the flat ones would "
    "tolerate far larger rates.",
)

# -- q2: the best fixed rate and its contraction factor --------------------------------------
#: A bowl with curvatures 1 and 9: condition number 9.
BOWL_EIGENVALUES = (1.0, 9.0)


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="best_prediction",
    prompt="A bowl has curvatures 1 and 9. Give [the best fixed rate, the factor by which each "
    "step at that rate multiplies the distance to the minimum].",
    expected=lambda: [
        best_fixed_lr(BOWL_EIGENVALUES),
        contraction_factor(BOWL_EIGENVALUES),
    ],
    noun="numbers",
    misconceptions=(
        Misconception(
            name="1/lambda_max",
            answer=lambda: [1 / 9, contraction_factor(BOWL_EIGENVALUES, 1 / 9)],
            message="Your rate makes the steep direction land in one step, but leaves the "
            "shallow one crawling. The best rate balances the two: the multipliers of the "
            "flattest and the steepest direction equal in size, opposite in sign.",
        ),
        Misconception(
            name="1/lambda_min",
            answer=lambda: [1.0, contraction_factor(BOWL_EIGENVALUES, 1.0)],
            message="At that rate the steep direction diverges. The best rate balances the "
            "multipliers of the flattest and the steepest direction: equal in size, opposite "
            "in sign.",
        ),
        Misconception(
            name="loss factor",
            answer=lambda: [
                best_fixed_lr(BOWL_EIGENVALUES),
                contraction_factor(BOWL_EIGENVALUES) ** 2,
            ],
            message="Your rate is right; your factor is the one for the loss, which each step "
            "multiplies by the square of the distance's factor. The question asks about the "
            "distance.",
        ),
        Misconception(
            name="1/kappa",
            answer=lambda: [best_fixed_lr(BOWL_EIGENVALUES), 1 - 1 / 9],
            message="Your rate is right. For the factor, compute 1 - rate * lambda for both "
            "directions at that rate and take the larger size.",
        ),
    ),
    hints=(
        "Each direction's multiplier is 1 - rate * lambda. The slower of the two directions "
        "sets the speed: the factor is the larger of |1 - rate * 1| and |1 - rate * 9|.",
        "The best rate makes the two multipliers equal in size and opposite in sign: "
        "1 - rate * 1 = -(1 - rate * 9). Then the factor is (kappa - 1)/(kappa + 1).",
    ),
    solution_code="best_prediction = [2 / (1 + 9), (9 - 1) / (9 + 1)]",
    explanation="The best fixed rate 2/(lambda_min + lambda_max) = 0.2 gives multipliers 0.8 "
    "and -0.8: each step multiplies the distance by (kappa - 1)/(kappa + 1) = 0.8, the loss by "
    "0.64.",
    points=2,
)

# -- q3: which direction zig-zags -------------------------------------------------------------
#: The narrow valley: curvatures 1 and 20, turned by 30 degrees.
ZIGZAG_BOWL = QuadraticBowl([1.0, 20.0], rotation=math.pi / 6)
ZIGZAG_RATES = (0.03, 0.05, 0.07, 0.095)
ZIGZAG_CHOICES = ("neither", "steep", "shallow", "both")

q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="zigzag_prediction",
    prompt="On the valley with curvatures 1 (shallow) and 20 (steep), which direction zig-zags "
    "(changes sign every step) at each rate: 'neither', 'steep', 'shallow' or 'both'?",
    expected=lambda: {lr: zigzag_direction(ZIGZAG_BOWL.eigenvalues, lr) for lr in ZIGZAG_RATES},
    choices=ZIGZAG_CHOICES,
    key_name="rate",
    confusions={
        ("neither", "steep"): "Compute the steep direction's multiplier 1 - rate * 20: is it "
        "negative at this rate?",
        ("steep", "neither"): "Compute both multipliers, 1 - rate * 1 and 1 - rate * 20, at this "
        "rate: a negative multiplier flips the sign every step.",
        ("steep", "shallow"): "The shallow multiplier 1 - rate * 1 is negative only for rates "
        "above 1. Compute 1 - rate * 20 at this rate too.",
        ("steep", "both"): "The shallow multiplier 1 - rate * 1 is negative only for rates "
        "above 1. Compute both multipliers at this rate.",
        ("neither", "shallow"): "Compute 1 - rate * 1 and 1 - rate * 20: is either negative?",
        ("neither", "both"): "Compute 1 - rate * 1 and 1 - rate * 20: is either negative?",
    },
    hints=(
        "Along each direction one step multiplies the error by 1 - rate * lambda; a negative "
        "multiplier sends it to the other side of the valley's floor every step.",
        "Compute 1 - rate * 1 and 1 - rate * 20 for each rate. Exactly 0 lands in one step, "
        "which is not a zig-zag.",
    ),
    solution_code="zigzag_prediction = {\n"
    + "".join(
        f"    {lr!r}: {zigzag_direction(ZIGZAG_BOWL.eigenvalues, lr)!r},\n" for lr in ZIGZAG_RATES
    )
    + "}",
    explanation="Only the steep direction can zig-zag in a stable run: a negative shallow "
    "multiplier needs a rate above 1/lambda_min, far beyond 2/lambda_max.",
    points=2,
)
