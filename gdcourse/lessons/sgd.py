"""Questions of ``notebooks/05_sgd.ipynb`` (SGD, mini-batch and full batch), and the problems
they are about: the lesson's data set and start, the rates each method may pick from, and the loss
with a sharp and a flat minimum of the escape experiment. The experiments themselves (sampled
variance, tuned rates, the linear scaling rule, escape fractions) are the core's
(``gdcourse.core.batches``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    LinearRegression,
    SharpFlatWells,
    hessian_eigenvalues,
    make_regression,
    max_stable_lr,
    minibatch_gradient_variance,
    updates_per_epoch,
)

LESSON = "sgd"

#: The lesson's data set: N = 1024 examples (a power of two, so batch sizes 1, 2, ..., 1024
#: divide it), 5 features, target noise 0.5, seed 0. Start far from the minimum.
N_SAMPLES, N_FEATURES, NOISE, DATA_SEED = 1024, 5, 0.5, 0
W0 = np.full(N_FEATURES, 3.0)
W0.setflags(write=False)  # a student's in-place change cannot reach the checks
#: The rates each method may pick from (by final loss): ``tune_rate(..., grid=RATE_GRID)``.
RATE_GRID = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

__all__ = [
    "N_SAMPLES",
    "RATE_GRID",
    "SHARP_FLAT",
    "W0",
    "problem",
    "q1",
    "q2",
    "q3",
    "q4",
    "summed",
]


@cache
def problem() -> LinearRegression:
    """The lesson's regression problem (built once): ``make_regression(1024, 5, noise=0.5)``."""
    X, y, _ = make_regression(N_SAMPLES, N_FEATURES, noise=NOISE, seed=DATA_SEED)
    return LinearRegression(X, y)


#: Section 7: two wells of nearly equal depth, a sharp one at -1 (width 0.1) and a flat one at 1.5
#: (width 0.7), in a small quadratic 0.02 w^2.
SHARP_FLAT = SharpFlatWells()


# -- q1: updates per epoch -----------------------------------------------------------------------
Q1_N = 1000
Q1_BATCHES = (1, 32, 100, 128, 1000)

q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="updates_prediction",
    prompt=f"N = {Q1_N} examples. How many updates does one epoch take for each batch size "
    f"{', '.join(map(str, Q1_BATCHES))}? A list of {len(Q1_BATCHES)} whole numbers.",
    expected=lambda: [updates_per_epoch(Q1_N, b) for b in Q1_BATCHES],
    rtol=0.0,
    atol=0.0,
    noun="counts",
    misconceptions=(
        Misconception(
            name="floor",
            answer=lambda: [Q1_N // b for b in Q1_BATCHES],
            message="Some of your counts round down. When B does not divide N, the examples "
            "left over form one last, smaller batch, and it is an update too.",
        ),
        Misconception(
            name="exact division",
            answer=lambda: [Q1_N / b for b in Q1_BATCHES],
            message="An epoch takes a whole number of updates: what happens to the examples "
            "left over when B does not divide N?",
        ),
        Misconception(
            name="batch size itself",
            answer=lambda: list(Q1_BATCHES),
            message="That is the batch size, the examples per update. How many batches of "
            "that size does it take to go through all N examples once?",
        ),
    ),
    hints=(
        "One epoch is one pass over all N examples, B examples per update.",
        "Divide N by B and round up: the leftover examples form one smaller batch. "
        "math.ceil(1000 / 32).",
    ),
    solution_code="updates_prediction = [math.ceil(1000 / b) for b in (1, 32, 100, 128, 1000)]",
    explanation="N/B rounded up: 1000 examples in batches of 32 are 31 full batches and one of 8.",
)

# -- q2: the variance when B is multiplied by 4 ---------------------------------------------------
Q2_FROM, Q2_TO = 16, 64

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="variance_ratio_prediction",
    prompt=f"On the lesson's data (N = {N_SAMPLES}), the batch goes from {Q2_FROM} to {Q2_TO}. "
    "By what factor is the variance E|g_B - g|^2 of the mini-batch gradient multiplied? "
    "(4 digits.)",
    expected=lambda: (
        minibatch_gradient_variance(problem(), W0, Q2_TO)
        / minibatch_gradient_variance(problem(), W0, Q2_FROM)
    ),
    rtol=2e-3,
    misconceptions=(
        Misconception(
            name="halves",
            answer=lambda: 0.5,
            message="Halving is what the standard deviation (the typical size of the error) "
            "does, roughly. The variance is its square.",
        ),
        Misconception(
            name="unchanged",
            answer=lambda: 1.0,
            message="The average gradient of a batch is still right on average, but it is not "
            "equally noisy: averaging more examples cancels more of their disagreement.",
        ),
        Misconception(
            name="no finite-population factor",
            answer=lambda: Q2_FROM / Q2_TO,  # the 1/B law alone
            message="Close: that is the 1/B part. The batches are drawn without replacement "
            "from only N examples, which adds the factor (N - B)/(N - 1). Include it for both "
            "batch sizes.",
        ),
        Misconception(
            name="times 4",
            answer=lambda: Q2_TO / Q2_FROM,
            message="Larger batches give less noisy gradients, not noisier ones.",
        ),
    ),
    hints=(
        "The variance is sigma^2 / B * (N - B) / (N - 1); sigma^2 and N - 1 cancel in the ratio.",
        f"Compute (1/{Q2_TO}) * ({N_SAMPLES} - {Q2_TO}) divided by "
        f"(1/{Q2_FROM}) * ({N_SAMPLES} - {Q2_FROM}).",
    ),
    solution_code=f"variance_ratio_prediction = ({Q2_FROM} / {Q2_TO}) * ({N_SAMPLES} - {Q2_TO}) "
    f"/ ({N_SAMPLES} - {Q2_FROM})",
    explanation="A bit less than a quarter: 1/4 from the 1/B law, times 960/1008 because a "
    "larger batch is a larger share of the finite data set.",
    points=2,
)

# -- q3: which comparison answers which question --------------------------------------------------
COMPARISONS = ("per update", "per epoch", "per second")
Q3_QUESTIONS = frozen(
    {
        "a": "Reading the data is the bottleneck (it streams from a slow disk): which method gets "
        "the lowest loss for one pass over it?",
        "b": "Which method finishes first on my laptop, right now?",
        "c": "On hardware where a step costs the same whatever the batch (every example of a batch "
        "computed in parallel), which method needs the fewest steps?",
    }
)

q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="comparison_prediction",
    prompt="For each question a-c, which comparison answers it: 'per update', 'per epoch' or "
    "'per second'?",
    expected=lambda: {"a": "per epoch", "b": "per second", "c": "per update"},
    choices=COMPARISONS,
    key_name="question",
    confusions={
        ("per-epoch", "per-update"): "Counting updates treats a step on 1 example and a step on "
        "1024 alike. Reread the question: what is its bottleneck, and do updates measure it?",
        ("per-epoch", "per-second"): "Time mixes in how fast the machine computes. Reread the "
        "question: what is its bottleneck, and does the clock measure only that?",
        ("per-second", "per-epoch"): "Counting examples read ignores how fast a large batch "
        "(vectorised) runs against many small ones. Reread the question: does that speed "
        "matter to it?",
        ("per-second", "per-update"): "Counting updates ignores how much each one costs to run. "
        "Reread the question: does that cost matter to it?",
        ("per-update", "per-epoch"): "Counting examples read makes a step on 1024 examples cost "
        "1024 times a step on 1. Reread the question: is that so on its hardware?",
        ("per-update", "per-second"): "The question is about hardware in general, not this "
        "machine's clock. Reread it: what does it ask you to count?",
    },
    hints=(
        "Ask what the scarce resource is in each question: steps, examples read, or seconds.",
        "Per update counts steps; per epoch counts examples processed; per second measures "
        "this machine.",
    ),
    solution_code='comparison_prediction = {"a": "per epoch", "b": "per second", '
    '"c": "per update"}',
    explanation="Each comparison measures a different cost; which method 'wins' depends on "
    "which cost you pay.",
)

# -- q4: the same data, the loss as a sum ---------------------------------------------------------
#: Section 5: the full batch's tuned rate on the mean (section 3), tried on the sum, and the
#: mini-batch size and rate of the same slip with summed batches.
SUM_RATE = 0.3
SUM_BATCH, SUM_BATCH_RATE = 32, 0.03
SUM_STEPS, SUM_EPOCHS = 50, 8


@cache
def summed() -> LinearRegression:
    """The lesson's data with the loss written as a sum: ``sum((X w - y)^2)``, N times the mean."""
    loss = problem()
    return LinearRegression(loss.X, loss.y, reduction="sum")


def _limit(loss: LinearRegression) -> float:
    """The stability limit 2/lambda_max of gradient descent on ``loss``, at the start ``W0``."""
    return max_stable_lr(hessian_eigenvalues(loss, W0))


q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="sum_limit_prediction",
    prompt=f"The same data, with the loss written as a sum over its {N_SAMPLES} examples instead "
    "of a mean: LinearRegression(X, y, reduction='sum'). What is the stability limit "
    "2/lambda_max of full-batch gradient descent on the sum? (3 significant digits.)",
    expected=lambda: _limit(summed()),
    rtol=5e-3,
    misconceptions=(
        Misconception(
            name="the mean's limit",
            answer=lambda: _limit(problem()),
            message="That is the limit for the mean. The sum is N times the mean: what does "
            "that do to its gradient, its Hessian and so to lambda_max?",
        ),
        Misconception(
            name="times N",
            answer=lambda: _limit(problem()) * N_SAMPLES,
            message="A loss N times larger is N times steeper and N times more curved: does "
            "the stability limit rise or fall?",
        ),
        Misconception(
            name="one over lambda_max",
            answer=lambda: _limit(summed()) / 2,
            message="That is 1/lambda_max, the rate that lands in one step along the steepest "
            "direction (lesson 03's 1/a). The stability limit is where that direction starts "
            "to diverge.",
        ),
        Misconception(
            name="lambda_max itself",
            answer=lambda: float(hessian_eigenvalues(summed(), W0).max()),
            message="That is lambda_max, a curvature, not a rate: the stability limit is "
            "2 / lambda_max.",
        ),
        Misconception(
            name="the shallowest direction",
            answer=lambda: 2 / float(hessian_eigenvalues(summed(), W0).min()),
            message="That is 2 / lambda_min, the shallowest direction's limit. As the rate "
            "grows, which direction diverges first?",
        ),
        Misconception(
            name="q1's N",
            answer=lambda: _limit(problem()) / Q1_N,
            message=f"Close in spirit, but the lesson's data has N = {N_SAMPLES} examples "
            f"({Q1_N} was q1's).",
        ),
        Misconception(
            name="negative",
            answer=lambda: -_limit(summed()),
            message="A rate is positive: a negative rate steps uphill. The size is what to "
            "look at.",
        ),
    ),
    hints=(
        "Every term of the sum is a term of the mean times N: so is the gradient, and so is "
        "the Hessian.",
        "lambda_max of the sum is N times the mean's; the mean's limit 2/lambda_max is printed "
        "in this section.",
    ),
    solution_code="sum_limit_prediction = max_stable_lr(lam_max) / 1024",
    explanation="N times smaller: the Hessian of the sum is N = 1024 times the mean's, so the "
    "rates that work are 1024 times smaller. A rate only means something beside the scale of "
    "the loss it multiplies.",
)

#: Section 7: rates on each side of the sharp minimum's 2/curvature (about 0.02) and below the
#: flat one's (about 0.96), exact gradients, from a start in the sharp well.
SELECTION_RATES = (0.005, 0.03, 0.1)
SELECTION_W0, SELECTION_STEPS = -1.1, 2000
