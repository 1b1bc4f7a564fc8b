"""Questions of ``exercises/05_sgd_practice.ipynb``: updates per epoch, the variance of a
mini-batch gradient with its finite-population factor, a mini-batch gradient, a noise floor."""

from __future__ import annotations

import numpy as np

from ..checks import FunctionQuestion, Misconception, NumberQuestion
from ..core import (
    LinearRegression,
    gradient_spread,
    make_regression,
    minibatch_gradient_variance,
    noise_floor,
    updates_per_epoch,
)

LESSON = "sgd_practice"

#: q1: N = 50 000 examples, these batch sizes.
Q1_N = 50_000
Q1_BATCHES = (64, 128, 500, 3000, 50_000)

#: q2/q3: a small data set, N = 200 examples, 3 features.
X, Y, _TRUE_W = make_regression(200, 3, noise=1.0, seed=5)
DATA = LinearRegression(X, Y)
W = np.array([0.5, -1.0, 2.0])
# Read-only: `w = ex.W; w -= 0.01 * g` in a notebook must not change the checks' data.
X.setflags(write=False)
Y.setflags(write=False)
W.setflags(write=False)
_TRUE_W.setflags(write=False)
Q2_BATCHES = (1, 10, 100, 200)

#: q4: a/2 w^2 with a = 4, gradient noise s = 2, rate 0.1.
Q4_A, Q4_NOISE, Q4_LR = 4.0, 2.0, 0.1


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="updates",
    prompt=f"N = {Q1_N}: updates per epoch for B = {Q1_BATCHES} (a list).",
    expected=lambda: [updates_per_epoch(Q1_N, b) for b in Q1_BATCHES],
    rtol=0.0,
    atol=0.0,
    noun="counts",
    misconceptions=(
        Misconception(
            name="floor",
            answer=lambda: [Q1_N // b for b in Q1_BATCHES],
            message="Some counts round down: the leftover examples form one more, smaller batch.",
        ),
        Misconception(
            name="fractions",
            answer=lambda: [Q1_N / b for b in Q1_BATCHES],
            message="Updates come in whole numbers: round the leftover batch up to one update.",
        ),
    ),
    hints=("Divide N by B.", "Round up: math.ceil(N / B)."),
    solution_code="updates = [math.ceil(50_000 / b) for b in (64, 128, 500, 3000, 50_000)]",
)

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="variances",
    prompt=f"With sigma2 from the cell above and N = 200, the variance E|g_B - g|^2 of the "
    f"mini-batch gradient for B = {Q2_BATCHES} (a list).",
    expected=lambda: [minibatch_gradient_variance(DATA, W, b) for b in Q2_BATCHES],
    rtol=1e-6,
    noun="variances",
    misconceptions=(
        Misconception(
            name="no factor",
            answer=lambda: [gradient_spread(DATA, W) / b for b in Q2_BATCHES],
            message="That is sigma2 / B alone: the batches are drawn without replacement from N "
            "examples. Multiply by the finite-population factor (at B = N it must give 0).",
        ),
        Misconception(
            name="(N - B) / N",
            answer=lambda: [gradient_spread(DATA, W) / b * (200 - b) / 200 for b in Q2_BATCHES],
            message="Nearly: look at the denominator of the finite-population factor again.",
        ),
        Misconception(
            name="times B",
            answer=lambda: [gradient_spread(DATA, W) * b * (200 - b) / 199 for b in Q2_BATCHES],
            message="Your variances grow with B: averaging more examples should shrink them.",
        ),
    ),
    hints=(
        "sigma2 / B * (N - B) / (N - 1).",
        "[sigma2 / b * (200 - b) / (200 - 1) for b in (1, 10, 100, 200)]",
    ),
    solution_code="variances = [sigma2 / b * (200 - b) / 199 for b in (1, 10, 100, 200)]",
)


def _reference_gradient(X, y, w, idx):
    """The answer q3 asks for, the core's own: the mini-batch gradient of the data ``X, y``."""
    return LinearRegression(X, y).minibatch_gradient(w, idx)


_CASES = tuple(
    {"X": X, "y": Y, "w": W, "idx": np.array(idx)}
    for idx in ([0], [3, 7], list(range(10)), [199, 5, 42, 17, 88], list(range(200)))
)

q3 = FunctionQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="minibatch_gradient",
    prompt="Write minibatch_gradient(X, y, w, idx): the gradient of the mean squared error on "
    "the rows idx only.",
    reference=_reference_gradient,
    cases=_CASES,
    misconceptions=(
        Misconception(
            name="divided by N",
            answer=lambda: (
                lambda X, y, w, idx: _reference_gradient(X, y, w, idx) * len(idx) / len(y)
            ),
            message="You divided by all N examples: the mean is over the batch, so divide by "
            "len(idx).",
        ),
        Misconception(
            name="missing 2",
            answer=lambda: lambda X, y, w, idx: _reference_gradient(X, y, w, idx) / 2,
            message="Half the right size: the derivative of (x.w - y)^2 has a factor 2.",
        ),
        Misconception(
            name="sign",
            answer=lambda: lambda X, y, w, idx: -_reference_gradient(X, y, w, idx),
            message="Sign flipped: the residual is X w - y (prediction minus target).",
        ),
    ),
    hints=(
        "Take the rows: Xb = X[idx], yb = y[idx]. The residual is Xb @ w - yb.",
        "The gradient is 2 / len(idx) * Xb.T @ residual.",
    ),
    solution_code="def minibatch_gradient(X, y, w, idx):\n"
    "    Xb, yb = X[idx], y[idx]\n"
    "    return 2 / len(idx) * Xb.T @ (Xb @ w - yb)",
    points=2,
)

q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="floor",
    prompt="The average loss a run of gradient descent settles at on 2 w^2 (a = 4), with "
    "gradient noise of standard deviation 2, at rate 0.1.",
    expected=lambda: noise_floor(Q4_A, Q4_LR, Q4_NOISE),
    rtol=1e-4,
    misconceptions=(
        Misconception(
            name="variance, not loss",
            answer=lambda: Q4_LR * Q4_NOISE**2 / (Q4_A * (2 - Q4_LR * Q4_A)),
            message="That is the variance of w, E[e^2]. The loss is a/2 times it.",
        ),
        Misconception(
            name="small-rate approximation",
            answer=lambda: Q4_LR * Q4_NOISE**2 / 4,
            message="That is the small-rate approximation: here rate * a = 0.4 is not small. Keep "
            "the (2 - rate * a) in the denominator.",
        ),
        Misconception(
            name="noise not squared",
            answer=lambda: Q4_LR * Q4_NOISE / (2 * (2 - Q4_LR * Q4_A)),
            message="The noise enters squared (its variance).",
        ),
    ),
    hints=(
        "floor = rate * s^2 / (2 * (2 - rate * a)).",
        "0.1 * 2**2 / (2 * (2 - 0.1 * 4))",
    ),
    solution_code="floor = 0.1 * 2**2 / (2 * (2 - 0.1 * 4))",
)
