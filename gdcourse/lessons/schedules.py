"""Questions of ``notebooks/06_schedules.ipynb`` (learning-rate schedules and the range test), and
the problems they are about.

The lesson's noisy quadratic and how its noisy runs are averaged, and the regression problem of
the range test. The maths is the core's: ``noisy_runs`` and ``settled_loss`` (where noisy runs
settle), ``travel_bound``, ``sweep_losses`` and ``range_test``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..checks import ChoiceQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    LinearRegression,
    Quadratic1D,
    make_regression,
    max_stable_lr,
    travel_bound,
)

LESSON = "schedules"

#: The lesson's 1-D loss: ``(w - 3)^2`` (a = 2), started at w = 7, gradient noise 1.
A, C, W0, NOISE = 2.0, 3.0, 7.0, 1.0
#: Where a noisy run settles (section 1): 500 seeds of 2000 steps, the mean of the last 100
#: losses. (500 seeds: the mean of constant 0.1's runs has a standard error of about 1.3% of
#: itself, so the notebook's 10% check of it against the noise floor is about 8 of them wide.)
SETTLE_STEPS, SETTLE_SEEDS, SETTLE_LAST = 2000, range(500), 100
#: Section 2's long noisy runs (how fast a 1/t and a 1/sqrt(t) schedule converge): 200 seeds of
#: 10^4 steps, read as the mean loss over the second half of the first 10^3 and 10^4 steps.
LONG_STEPS, LONG_SEEDS, LONG_CHECKPOINTS = 10_000, range(200), (1_000, 10_000)
#: The regression problem of the range test: make_regression(1024, 5, noise=0.5, seed=0), from 3s.
N_SAMPLES, N_FEATURES, DATA_SEED = 1024, 5, 0
RANGE_W0 = np.full(N_FEATURES, 3.0)
RANGE_W0.setflags(write=False)  # a student's in-place change cannot reach the checks
#: The range test of section 4 (the notebook's call), and how long the lesson then trains.
RANGE_SETTINGS = frozen({"lr_min": 1e-4, "lr_max": 10.0, "steps": 100, "batch_size": 32})
TRAIN_EPOCHS = 20

__all__ = [
    "LONG_CHECKPOINTS",
    "LONG_SEEDS",
    "LONG_STEPS",
    "NOISE",
    "RANGE_SETTINGS",
    "RANGE_W0",
    "SETTLE_LAST",
    "SETTLE_SEEDS",
    "SETTLE_STEPS",
    "TRAIN_EPOCHS",
    "W0",
    "A",
    "C",
    "loss",
    "q1",
    "q2",
    "q3",
    "regression",
]


def loss() -> Quadratic1D:
    """The lesson's loss ``(w - 3)^2``: ``Quadratic1D(a=2, c=3)``."""
    return Quadratic1D(a=A, c=C)


@cache
def regression() -> LinearRegression:
    """The range test's problem (built once): ``make_regression(1024, 5, noise=0.5, seed=0)``."""
    X, y, _ = make_regression(N_SAMPLES, N_FEATURES, noise=0.5, seed=DATA_SEED)
    return LinearRegression(X, y)


# -- q1: which schedules satisfy Robbins-Monro --------------------------------------------------
Q1_SCHEDULES = frozen({
    "constant": "0.1",
    "exponential": "0.1 * 0.99**t",
    "1/t": "0.1 / (1 + t)",
    "1/sqrt(t)": "0.1 / sqrt(1 + t)",
})

q1 = ChoiceQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="robbins_monro_prediction",
    prompt="For each schedule (step t = 0, 1, 2, ...): constant 0.1; exponential 0.1 * 0.99**t; "
    "1/t: 0.1 / (1 + t); 1/sqrt(t): 0.1 / sqrt(1 + t). Does it satisfy both Robbins-Monro "
    "conditions (the rates sum to infinity AND their squares have a finite sum)? "
    "A dict {name: 'yes' or 'no'}.",
    expected=lambda: {"constant": "no", "exponential": "no", "1/t": "yes", "1/sqrt(t)": "no"},
    choices=("yes", "no"),
    key_name="schedule",
    confusions={
        ("no", "yes"): "Check both sums for that schedule separately: is the sum of the rates "
        "infinite? Is the sum of their squares finite?",
        ("yes", "no"): "Compare the rates 0.1 / (1 + t) with the harmonic series 1 + 1/2 + "
        "1/3 + ... and their squares with 1 + 1/4 + 1/9 + ...: which of the two sums is finite?",
    },
    hints=(
        "Write out each schedule's first rates and their squares. Compare each series with one "
        "whose sum you know (a geometric series, 1 + 1/2 + 1/3 + ..., 1 + 1/4 + 1/9 + ...).",
        "A geometric series r**t with r < 1 has a finite sum, and so does 1 + 1/4 + 1/9 + ...; "
        "the harmonic series 1 + 1/2 + 1/3 + ... and a constant's sum grow without bound.",
    ),
    solution_code='robbins_monro_prediction = {"constant": "no", "exponential": "no", '
    '"1/t": "yes", "1/sqrt(t)": "no"}',
    explanation="Only 1/t: its rates sum to infinity (it can travel any distance) but their "
    "squares do not (the noise it lets in stays finite). 1/sqrt(t) has squares 0.01/(1+t), "
    "which sum to infinity, so it breaks the second condition; yet it still converges in mean "
    "square, because its rate falls slowly enough for the run to stay near the noise floor of "
    "its current rate, which goes to 0. The conditions are sufficient, not necessary.",
)

# -- q2: where the sweep crosses the starting loss ----------------------------------------------
Q2_A = 4.0

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="crossing_prediction",
    prompt=f"On L(w) = {Q2_A:g}/2 (w - 3)^2, one fresh run of 10 steps per rate, from the same "
    "start. Above which rate does the loss after 10 steps end higher than the starting loss?",
    expected=lambda: max_stable_lr(Q2_A),
    rtol=1e-6,
    misconceptions=(
        Misconception(
            name="one over a",
            answer=lambda: 1 / Q2_A,
            message="At that rate one step lands exactly on the minimum: the loss after 10 "
            "steps is 0, the lowest of the whole sweep, not the start loss.",
        ),
        Misconception(
            name="a over two",
            answer=lambda: Q2_A / 2,
            message="The curvature belongs in the denominator: a steeper bowl tolerates a "
            "smaller rate, not a larger one.",
        ),
        Misconception(
            name="two a",
            answer=lambda: 2 * Q2_A,
            message="A steeper bowl (larger a) tolerates a smaller rate: the rate limit falls "
            "as a grows.",
        ),
    ),
    hints=(
        "After k steps the error is multiplied by (1 - rate * a)^k, the loss by its square.",
        "The loss is back at L0 when |1 - rate * a| = 1: solve for the rate (other than 0).",
    ),
    solution_code=f"crossing_prediction = 2 / {Q2_A:g}",
    explanation="(1 - rate a)^(2k) = 1 exactly when rate a = 2: the stable limit 2/a, for any "
    "number of steps k.",
)

# -- q3: how far an exponential decay can take a run --------------------------------------------
Q3_LR, Q3_GAMMA = 0.1, 0.75

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="distance_prediction",
    prompt=f"On (w - 3)^2 from w = {W0:g} (gradient {loss().gradient(W0):g} there, and smaller "
    f"everywhere closer to 3), the schedule exponential_decay({Q3_LR:g}, gamma={Q3_GAMMA:g}). "
    "What is the largest total distance the run can ever travel, lr / (1 - gamma) times the "
    "largest gradient?",
    expected=lambda: travel_bound(Q3_LR, Q3_GAMMA, abs(loss().gradient(W0))),
    rtol=1e-6,
    misconceptions=(
        Misconception(
            name="sum of rates only",
            answer=lambda: Q3_LR / (1 - Q3_GAMMA),
            message="That is the sum of the rates. Each step moves rate times gradient: "
            "multiply by the largest gradient the run meets.",
        ),
        Misconception(
            name="gamma over one minus gamma",
            answer=lambda: Q3_LR * Q3_GAMMA / (1 - Q3_GAMMA) * abs(loss().gradient(W0)),
            message="The first step (t = 0) uses the full rate lr * gamma^0 = lr: include it.",
        ),
        Misconception(
            name="distance to the minimum",
            answer=lambda: abs(W0 - C),
            message="That is how far the minimum is; the question is how far the schedule "
            "lets the run go. Sum the geometric series of the rates.",
        ),
    ),
    hints=(
        "The rates lr, lr*gamma, lr*gamma^2, ... form a geometric series: its sum is "
        "lr / (1 - gamma).",
        "Each step moves at most rate * |largest gradient|; multiply the sum of the rates by 8.",
    ),
    solution_code=f"distance_prediction = {Q3_LR:g} / (1 - {Q3_GAMMA:g}) * 8",
    explanation="0.1 / 0.25 = 0.4 in total rate, times a gradient of at most 8: at most 3.2, "
    "less than the distance 4 to the minimum. The run freezes before it arrives.",
)
