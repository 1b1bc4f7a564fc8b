"""Questions of ``notebooks/05_sgd.ipynb`` (SGD, mini-batch and full batch), and its helpers.

The lesson's data set, the sampled variance of mini-batch gradients, rate tuning on a grid, the
linear scaling rule, and a 1-D loss with a sharp and a flat minimum for the escape experiment.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..core import (
    LinearRegression,
    MinibatchRun,
    linear_warmup,
    make_regression,
    max_stable_lr,
    minibatch_gradient_variance,
    minibatch_sgd,
    updates_per_epoch,
)
from ..core.losses import Loss

LESSON = "sgd"

#: The lesson's data set: N = 1024 examples (a power of two, so batch sizes 1, 2, ..., 1024
#: divide it), 5 features, target noise 0.5, seed 0. Start far from the minimum.
N_SAMPLES, N_FEATURES, NOISE, DATA_SEED = 1024, 5, 0.5, 0
W0 = np.full(N_FEATURES, 3.0)
#: The rates each method may pick from (by final loss).
RATE_GRID = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)

__all__ = [
    "N_SAMPLES",
    "RATE_GRID",
    "SHARP_FLAT",
    "W0",
    "Comparison",
    "ScalingRow",
    "SharpFlatWells",
    "TunedRate",
    "VarianceSample",
    "compare_methods",
    "epoch_average_gradient",
    "escape_fractions",
    "linear_scaling_table",
    "noisy_final_weights",
    "problem",
    "q1",
    "q2",
    "q3",
    "sample_variance",
    "tune_rate",
    "updates_per_epoch",
]


@cache
def problem() -> LinearRegression:
    """The lesson's regression problem (built once): ``make_regression(1024, 5, noise=0.5)``."""
    X, y, _ = make_regression(N_SAMPLES, N_FEATURES, noise=NOISE, seed=DATA_SEED)
    return LinearRegression(X, y)


# -- unbiasedness and variance -------------------------------------------------------------------
def epoch_average_gradient(loss: LinearRegression, w: ArrayLike, batch_size: int, seed: int = 0):
    """The mean of the mini-batch gradients of one shuffled epoch (``batch_size`` divides N).

    Equal-size batches that partition the data average to the full gradient exactly.
    """
    n = loss.n_samples
    if n % batch_size:
        raise ValueError(f"batch_size must divide N={n}, got {batch_size}")
    order = np.random.default_rng(seed).permutation(n)
    grads = [loss.minibatch_gradient(w, idx) for idx in order.reshape(-1, batch_size)]
    return np.mean(grads, axis=0)


@dataclass(frozen=True)
class VarianceSample:
    """Mini-batch gradients sampled at one point: measured and predicted mean squared error.

    ``stderr`` is the standard error of ``measured`` (the spread of the squared errors divided by
    the square root of the number of batches): measurement and theory should agree within a few.
    """

    batch_size: int
    n_batches: int
    mean_gradient: np.ndarray
    measured: float
    stderr: float
    theory: float

    @property
    def z(self) -> float:
        """(measured - theory) in standard errors."""
        return (self.measured - self.theory) / self.stderr if self.stderr else 0.0


def sample_variance(
    loss: LinearRegression, w: ArrayLike, batch_size: int, n_batches: int = 2000, seed: int = 0
) -> VarianceSample:
    """Draw ``n_batches`` batches (each without replacement) and measure ``E|g_B - g|^2``."""
    w = np.asarray(w, dtype=float)
    per_example = loss.per_example_gradients(w)
    full = per_example.mean(axis=0)
    rng = np.random.default_rng(seed)
    n = loss.n_samples
    idx = np.stack([rng.permutation(n)[:batch_size] for _ in range(n_batches)])
    grads = per_example[idx].mean(axis=1)
    sq = np.sum((grads - full) ** 2, axis=1)
    return VarianceSample(
        batch_size,
        n_batches,
        grads.mean(axis=0),
        float(sq.mean()),
        float(sq.std(ddof=1) / math.sqrt(n_batches)),
        minibatch_gradient_variance(loss, w, batch_size),
    )


# -- tuning and comparing ------------------------------------------------------------------------
@dataclass(frozen=True)
class TunedRate:
    """The rate of ``grid`` with the lowest final loss (diverged runs count as infinite)."""

    batch_size: int
    lr: float
    final_losses: dict


def tune_rate(
    loss: LinearRegression,
    w0: ArrayLike,
    batch_size: int,
    epochs: int,
    grid: tuple[float, ...] = RATE_GRID,
    seed: int = 0,
) -> TunedRate:
    """Run ``minibatch_sgd`` at every rate of ``grid``; pick the lowest final full loss."""
    finals = {}
    for lr in grid:
        run = minibatch_sgd(loss, w0, lr, batch_size, epochs, seed=seed)
        finals[lr] = float(run.losses[-1]) if run.status == "completed" else math.inf
    best = min(finals, key=finals.get)
    return TunedRate(batch_size, best, finals)


@dataclass(frozen=True)
class Comparison:
    """One method of the comparison: its tuned rate, its run and its measured time per epoch."""

    name: str
    batch_size: int
    lr: float
    run: MinibatchRun
    seconds_per_epoch: float

    @property
    def updates(self) -> np.ndarray:
        return np.arange(self.run.epochs + 1) * self.run.updates_per_epoch

    @property
    def seconds(self) -> np.ndarray:
        return np.arange(self.run.epochs + 1) * self.seconds_per_epoch


def compare_methods(
    loss: LinearRegression,
    w0: ArrayLike,
    batch_sizes: dict,
    epochs: int,
    tune_epochs: int | None = None,
    seed: int = 0,
) -> list[Comparison]:
    """Tune each batch size's rate, then run it ``epochs`` epochs and time it (best of 3).

    ``batch_sizes`` maps a name ("full batch") to a batch size. Times are measured honestly
    and depend on the machine; nothing in the course asserts them.
    """
    out = []
    for name, b in batch_sizes.items():
        lr = tune_rate(loss, w0, b, tune_epochs or epochs, seed=seed).lr
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            run = minibatch_sgd(loss, w0, lr, b, epochs, seed=seed)
            best = min(best, time.perf_counter() - start)
        out.append(Comparison(name, b, lr, run, best / max(epochs, 1)))
    return out


# -- the linear scaling rule ---------------------------------------------------------------------
@dataclass(frozen=True)
class ScalingRow:
    batch_size: int
    lr: float
    stable: bool  # lr < 2 / lambda_max of the full loss
    final_loss: float
    diverging: bool  # the run ended above its start loss (or overflowed)


def linear_scaling_table(
    loss: LinearRegression,
    w0: ArrayLike,
    base_batch: int,
    base_lr: float,
    factors: tuple[int, ...],
    epochs: int,
    warmup_epochs: int = 1,
    seed: int = 0,
) -> list[ScalingRow]:
    """Batch ``base_batch * k`` at rate ``base_lr * k``, warmed up linearly over the first
    ``warmup_epochs`` epochs, for each ``k``: does the run still work?"""
    limit = max_stable_lr(np.linalg.eigvalsh(loss.hessian(w0)))
    rows = []
    for k in factors:
        b, lr = base_batch * k, base_lr * k
        warm = max(1, warmup_epochs * updates_per_epoch(loss.n_samples, b))
        run = minibatch_sgd(loss, w0, linear_warmup(lr, warm), b, epochs, seed=seed)
        final = float(run.losses[-1])
        bad = run.status == "diverged" or not final < float(run.losses[0])
        rows.append(ScalingRow(b, lr, bool(lr < limit), final, bad))
    return rows


# -- a sharp and a flat minimum ------------------------------------------------------------------
class SharpFlatWells(Loss):
    """``0.02 w^2 - exp(-(w + 1)^2 / (2 * 0.1^2)) - exp(-(w - 1.5)^2 / (2 * 0.7^2))``.

    Two Gaussian wells of equal depth: a sharp one near ``w = -1`` (width 0.1, curvature about
    100) and a flat one near ``w = 1.5`` (width 0.7, curvature about 2); the small quadratic
    keeps noisy runs from wandering off. Works elementwise on arrays.
    """

    shape = ()
    formula = "0.02 w^2 - exp(-(w+1)^2/0.02) - exp(-(w-1.5)^2/0.98)"

    def __init__(self, sharp=(-1.0, 0.1), flat=(1.5, 0.7), confine: float = 0.02) -> None:
        self.sharp, self.flat, self.confine = sharp, flat, confine

    def _wells(self, w):
        w = np.asarray(w, dtype=float)
        out = []
        for c, s in (self.sharp, self.flat):
            e = np.exp(-((w - c) ** 2) / (2 * s**2))
            out.append((e, -(w - c) / s**2 * e))
        return w, out

    def value(self, w):
        w, wells = self._wells(w)
        v = self.confine * w**2 - wells[0][0] - wells[1][0]
        return float(v) if v.ndim == 0 else v

    def gradient(self, w):
        w, wells = self._wells(w)
        g = 2 * self.confine * w - wells[0][1] - wells[1][1]
        return float(g) if g.ndim == 0 else g

    def minima(self) -> tuple[float, float, float]:
        """(sharp minimum, the barrier between the basins, flat minimum), found on a fine grid."""
        xs = np.linspace(-2.5, 3.5, 600_001)
        v = self.value(xs)
        left, right = xs < 0.0, xs > 0.5
        sharp = xs[left][np.argmin(v[left])]
        flat = xs[right][np.argmin(v[right])]
        between = (xs > sharp) & (xs < flat)
        barrier = xs[between][np.argmax(v[between])]
        return float(sharp), float(barrier), float(flat)

    def curvature(self, w: float, h: float = 1e-4) -> float:
        return float((self.gradient(w + h) - self.gradient(w - h)) / (2 * h))


SHARP_FLAT = SharpFlatWells()


def noisy_final_weights(
    loss: Loss, w0: float, lr: float, steps: int, noise: float, seeds: range
) -> np.ndarray:
    """The final weight of ``gradient_descent(loss, w0, lr, steps, noise=noise, seed=s, tol=0)``
    for every seed, computed for all seeds at once with the very same noise draws."""
    kicks = np.stack(
        [np.random.default_rng(s).normal(0.0, noise, size=steps) for s in seeds]
        if noise
        else [np.zeros(steps) for _ in seeds]
    )
    w = np.full(len(seeds), float(w0))
    for k in range(steps):
        w = w - lr * (loss.gradient(w) + kicks[:, k])
    return w


def escape_fractions(
    loss: SharpFlatWells, w0: float, lr: float, steps: int, noises, seeds: range
) -> dict:
    """For each noise level, the fraction of runs that end past the barrier, in the flat basin."""
    barrier = loss.minima()[1]
    return {
        float(s): float(np.mean(noisy_final_weights(loss, w0, lr, steps, s, seeds) > barrier))
        for s in noises
    }


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


def _variance_ratio(finite: bool = True) -> float:
    n = N_SAMPLES
    base = Q2_FROM / Q2_TO
    return base * (n - Q2_TO) / (n - Q2_FROM) if finite else base


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
            answer=lambda: _variance_ratio(finite=False),
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
Q3_QUESTIONS = {
    "a": "Reading the data is the bottleneck (it streams from a slow disk): which method gets "
    "the lowest loss for one pass over it?",
    "b": "Which method finishes first on my laptop, right now?",
    "c": "On hardware where a step costs the same whatever the batch (every example of a batch "
    "computed in parallel), which method needs the fewest steps?",
}

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
        "1024 alike. What costs here is reading examples.",
        ("per-epoch", "per-second"): "Time mixes in the machine. What is scarce here is passes "
        "over the data.",
        ("per-second", "per-epoch"): "Examples processed ignore how fast this machine does "
        "large batches (vectorised) against many small ones. Only the clock knows.",
        ("per-second", "per-update"): "Updates ignore how much each one costs on your machine. "
        "Only the clock knows.",
        ("per-update", "per-epoch"): "If a step costs the same whatever its batch, the number of "
        "steps is the cost, not the examples read.",
        ("per-update", "per-second"): "The question is about hardware in general, not this "
        "machine's clock: if each step costs the same, count steps.",
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
