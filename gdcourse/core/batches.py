"""Mini-batches: how noisy a mini-batch gradient is, how many updates an epoch holds, the noise
floor a constant rate settles at with noisy gradients, and the experiments of lesson 05 built on
them: the variance measured by sampling batches, each batch size at its own tuned rate, the linear
scaling rule, and how often gradient noise kicks a run out of a sharp minimum.

(``descent`` imports this module for ``updates_per_epoch``, so the experiments import the runners
when they run.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    _MAX_NUMBERS,
    CourseTypeError,
    CourseValueError,
    _check_counts,
    _check_total,
    _describe,
    check_count,
    check_loss,
    check_point,
    check_positive_number,
)
from .last_bits import jitter
from .quadratic import hessian_eigenvalues, max_stable_lr
from .schedules import linear_warmup

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from .descent import MinibatchRun

__all__ = [
    "Comparison",
    "ScalingRow",
    "TunedRate",
    "VarianceSample",
    "batch_variance",
    "compare_methods",
    "epoch_average_gradient",
    "escape_fractions",
    "gradient_spread",
    "linear_scaling_table",
    "minibatch_gradient_variance",
    "noise_floor",
    "sample_variance",
    "tune_rate",
    "updates_per_epoch",
]


# -- validation ------------------------------------------------------------------------------------
def _check_data_set(loss: Any, *, mean: bool = False) -> Any:
    """Raise unless ``loss`` is a data set with per-example and mini-batch gradients (and, with
    ``mean=True``, a mean of them: the variance formulas and the scaling rule assume one)."""
    needs = ("per_example_gradients", "minibatch_gradient")
    if isinstance(loss, type):
        check_loss(loss)  # the class itself, not a data set: says how to make one
    if not all(callable(getattr(loss, m, None)) for m in needs):
        raise CourseTypeError(
            f"loss must be a LinearRegression (a data set with per-example gradients), got "
            f"{_describe(loss)}"
        )
    if mean and getattr(loss, "reduction", "mean") != "mean":
        raise CourseValueError(
            "this needs the loss as a mean over the examples (its formulas and the rates it "
            f"compares assume one); got a loss with reduction={loss.reduction!r}, whose "
            "gradient is N times the mean's: use LinearRegression(X, y)"
        )
    return loss


def _check_batch_size(batch_size: Any, n: int, name: str = "batch_size") -> int:
    b = check_count(name, batch_size, minimum=1)
    if b > n:
        raise CourseValueError(f"{name} must be between 1 and N={n}, got {b}")
    return b


def _check_numbers(name: str, values: Any, *, allow_zero: bool = False) -> tuple[float, ...]:
    """``values`` as a non-empty tuple of finite numbers > 0 (>= 0 if allowed)."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise CourseTypeError(f"{name} must be a list of numbers, got {_describe(values)}")
    out = tuple(
        check_positive_number(f"each entry of {name}", v, allow_zero=allow_zero) for v in values
    )
    if not out:
        raise CourseValueError(f"{name} must hold at least one number, got {_describe(values)}")
    return out


# -- the variance of a mini-batch gradient ---------------------------------------------------------
def batch_variance(sigma2: float, n: int, batch_size: int) -> float:
    """``E|g_B - grad L|^2 = sigma^2 / B * (N - B) / (N - 1)``: the variance of a batch of ``B``
    drawn without replacement from ``N`` examples whose per-example gradients spread by
    ``sigma^2`` (``minibatch_gradient_variance`` computes it from data).

    Examples
    --------
    >>> round(batch_variance(8.0, 100, 25), 4)
    0.2424
    """
    sigma2 = check_positive_number("sigma2 (the per-example spread)", sigma2, allow_zero=True)
    n = check_count("n (the number of examples)", n, minimum=1)
    b = _check_batch_size(batch_size, n)
    if n == 1:
        return 0.0
    return float(jitter(sigma2 / b * (n - b) / (n - 1)))


def gradient_spread(loss: Any, w: ArrayLike) -> float:
    """``sigma^2``: the mean squared distance of the per-example gradients at ``w`` from their
    mean (the full gradient). A batch of one example misses the full gradient by this much on
    average.

    Parameters
    ----------
    loss : LinearRegression
    w : array_like of shape (d,)

    Examples
    --------
    >>> from gdcourse import LinearRegression
    >>> loss = LinearRegression([[1.0], [3.0]], [0.0, 0.0])  # per-example gradients 2 and 18
    >>> gradient_spread(loss, [1.0])
    64.0
    """
    _check_data_set(loss, mean=True)
    w = check_point("w", w, tuple(loss.shape))
    per_example = loss.per_example_gradients(w)
    return float(np.mean(np.sum((per_example - per_example.mean(axis=0)) ** 2, axis=1)))


def minibatch_gradient_variance(loss: Any, w: ArrayLike, batch_size: int) -> float:
    """The expected squared error of a mini-batch gradient: ``sigma^2 / B * (N - B) / (N - 1)``.

    ``sigma^2`` is the mean squared distance of the per-example gradients from their mean
    (:func:`gradient_spread`), and ``(N - B) / (N - 1)`` the correction for sampling without
    replacement (0 at ``B = N``).

    Parameters
    ----------
    loss : LinearRegression
    w : array_like of shape (d,)
    batch_size : int
        From 1 to N.

    Examples
    --------
    >>> from gdcourse import LinearRegression
    >>> loss = LinearRegression([[1.0], [3.0]], [0.0, 0.0])
    >>> minibatch_gradient_variance(loss, [1.0], 1), minibatch_gradient_variance(loss, [1.0], 2)
    (64.0, 0.0)
    """
    sigma2 = gradient_spread(loss, w)
    return batch_variance(sigma2, loss.n_samples, batch_size)


def epoch_average_gradient(loss: Any, w: ArrayLike, batch_size: int, seed: int = 0) -> np.ndarray:
    """The mean of the mini-batch gradients of one shuffled epoch of equal batches.

    Equal-size batches that partition the data average to the full gradient exactly (up to
    rounding): a mini-batch gradient is an unbiased estimate of the full one.

    Parameters
    ----------
    loss : LinearRegression
    w : array_like of shape (d,)
    batch_size : int
        Must divide N, so that every batch has the same size.
    seed : int
        Seeds the shuffle.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(64, 2, seed=0)
    >>> loss = LinearRegression(X, y)
    >>> g = epoch_average_gradient(loss, [1.0, -1.0], batch_size=8)
    >>> bool(np.allclose(g, loss.gradient([1.0, -1.0]), rtol=0, atol=1e-12))
    True
    """
    _check_data_set(loss, mean=True)
    w = check_point("w", w, tuple(loss.shape))
    n = loss.n_samples
    b = _check_batch_size(batch_size, n)
    if n % b:
        raise CourseValueError(
            f"batch_size must divide N={n} (so that every batch has the same size), got {b}"
        )
    seed = check_count("seed", seed)
    order = np.random.default_rng(seed).permutation(n)
    grads = [loss.minibatch_gradient(w, idx) for idx in order.reshape(-1, b)]
    return np.mean(grads, axis=0)


@dataclass(frozen=True)
class VarianceSample:
    """Mini-batch gradients sampled at one point: the measured and the predicted mean squared
    error ``E|g_B - g|^2``.

    Attributes
    ----------
    batch_size, n_batches : int
    mean_gradient : ndarray of shape (d,)
        The mean of the sampled batch gradients (close to the full gradient: unbiased).
    measured : float
        The mean of ``|g_B - g|^2`` over the sampled batches.
    stderr : float
        The standard error of ``measured`` (the spread of the squared errors over the square
        root of the number of batches): measurement and theory agree within a few of them.
    theory : float
        ``minibatch_gradient_variance`` at the same point and batch size.
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
    loss: Any, w: ArrayLike, batch_size: int, n_batches: int = 2000, seed: int = 0
) -> VarianceSample:
    """Draw ``n_batches`` batches (each without replacement) and measure ``E|g_B - g|^2``.

    Parameters
    ----------
    loss : LinearRegression
    w : array_like of shape (d,)
    batch_size : int
        From 1 to N.
    n_batches : int
        How many batches to draw (>= 2, for a standard error; at most 20,000,000 numbers in
        all: ``n_batches x max(N, batch_size x d)``).
    seed : int
        Seeds the draws.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(256, 3, noise=0.5, seed=0)
    >>> s = sample_variance(LinearRegression(X, y), [1.0, 1.0, 1.0], batch_size=16)
    >>> s.n_batches, bool(abs(s.z) < 4)
    (2000, True)
    """
    _check_data_set(loss, mean=True)
    w = check_point("w", w, tuple(loss.shape))
    n = loss.n_samples
    batch_size = _check_batch_size(batch_size, n)
    n_batches = check_count("n_batches", n_batches, minimum=2)
    d = int(np.prod(loss.shape))
    per_batch = max(n, batch_size * d)  # a shuffle of N rows; batch_size gradients of d numbers
    check_count(
        "n_batches",
        n_batches,
        maximum=max(2, _MAX_NUMBERS // per_batch),
        why=f"each batch shuffles N={n:,} examples and averages {batch_size:,} gradients of "
        f"{d:,} numbers; more would not fit in memory",
    )
    seed = check_count("seed", seed)
    per_example = loss.per_example_gradients(w)
    full = per_example.mean(axis=0)
    rng = np.random.default_rng(seed)
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


# -- updates per epoch, and the noise floor --------------------------------------------------------
def noise_floor(a: float, lr: float, noise: float) -> float:
    """The mean loss a noisy run settles at on ``a/2 (w - c)^2``: ``lr noise^2 / (2 (2 - lr a))``.

    With gradient noise of standard deviation ``noise`` (``gradient_descent(..., noise=...)``),
    the error follows ``e <- (1 - lr a) e - lr noise xi``; its stationary variance is
    ``lr noise^2 / (a (2 - lr a))``, and the loss is ``a/2`` times that. It grows with the rate
    (about proportionally for small rates), which is why lowering the rate lets a noisy run settle
    deeper. ``math.inf`` at and above the stable limit ``lr = 2/a``, and where the floor is
    larger than the largest float (a huge ``noise``): the loss would overflow there too.

    Examples
    --------
    >>> round(noise_floor(a=2, lr=0.1, noise=1.0), 4)
    0.0278
    >>> noise_floor(a=2, lr=0.1, noise=1e200)
    inf
    """
    a = check_positive_number("a (the curvature)", a)
    lr = check_positive_number("lr", lr)
    noise = check_positive_number("noise", noise, allow_zero=True)
    if lr * a >= 2:
        return math.inf
    try:
        square = noise**2
    except OverflowError:  # a float's ** raises where * would give inf: the floor is inf
        return math.inf
    return float(jitter(lr * square / (2 * (2 - lr * a))))


def updates_per_epoch(n: int, batch_size: int) -> int:
    """Updates in one epoch of mini-batches: ``ceil(n / batch_size)`` (the last, smaller batch
    is an update too).

    A ``batch_size`` larger than ``n`` gives 1: the one batch holds the whole data set, as at
    ``batch_size = n``. (``minibatch_sgd`` itself asks for a batch size from 1 to N.)

    Examples
    --------
    >>> updates_per_epoch(1000, 32), updates_per_epoch(1024, 32), updates_per_epoch(10, 10)
    (32, 32, 1)
    >>> updates_per_epoch(10, 64)
    1
    """
    n = check_count("n (the number of examples)", n, minimum=1)
    batch_size = check_count("batch_size", batch_size, minimum=1)
    return -(-n // batch_size)


# -- each batch size at its own tuned rate ---------------------------------------------------------
@dataclass(frozen=True)
class TunedRate:
    """The rate of a grid with the lowest final full loss for one batch size.

    Attributes
    ----------
    batch_size : int
    lr : float
        The rate picked.
    final_losses : dict
        Each rate of the grid -> its run's final full loss (``math.inf`` for a run whose status
        is ``"diverged"``).
    """

    batch_size: int
    lr: float
    final_losses: dict


def tune_rate(
    loss: Any,
    w0: ArrayLike,
    batch_size: int,
    epochs: int,
    *,
    grid: Iterable[float],
    seed: int = 0,
) -> TunedRate:
    """Run ``minibatch_sgd`` for ``epochs`` epochs at every rate of ``grid`` and pick the rate with
    the lowest final full loss (a diverged run counts as ``math.inf``).

    Parameters
    ----------
    loss : LinearRegression
    w0 : array_like of shape (d,)
    batch_size : int
        From 1 to N.
    epochs : int
        Passes over the data of each run (>= 1).
    grid : list of float
        The rates to try (each > 0).
    seed : int
        Seeds the shuffles, the same for every rate.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(256, 3, noise=0.5, seed=0)
    >>> t = tune_rate(LinearRegression(X, y), [3.0, 3.0, 3.0], 256, 8, grid=(0.01, 0.3, 10.0))
    >>> t.lr, t.final_losses[10.0]
    (0.3, inf)
    """
    _check_data_set(loss)
    w0 = check_point("w0", w0, tuple(loss.shape))
    batch_size = _check_batch_size(batch_size, loss.n_samples)
    epochs = check_count("epochs", epochs, minimum=1)
    rates = _check_numbers("grid (the rates to try)", grid)
    seed = check_count("seed", seed)
    from .descent import _check_work, minibatch_sgd

    n, d = loss.n_samples, int(np.prod(loss.shape))
    _check_work(n, d, [(batch_size, epochs)] * len(rates), "epochs and grid")
    finals = {}
    for lr in rates:
        run = minibatch_sgd(loss, w0, lr, batch_size, epochs, seed=seed)
        finals[lr] = math.inf if run.status == "diverged" else float(run.losses[-1])
    best = min(finals, key=finals.get)
    return TunedRate(batch_size, best, finals)


@dataclass(frozen=True)
class Comparison:
    """One method of a comparison: its tuned rate, its run and its measured time per epoch.

    ``updates`` and ``seconds`` are the x-values of ``run.losses`` (one per epoch, from the
    start) counted in updates and in seconds.
    """

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
    loss: Any,
    w0: ArrayLike,
    batch_sizes: Mapping[str, int],
    epochs: int,
    *,
    grid: Iterable[float],
    tune_epochs: int | None = None,
    seed: int = 0,
) -> list[Comparison]:
    """Tune each batch size's rate on ``grid`` (:func:`tune_rate`), then run it ``epochs``
    epochs and time it (best of 3).

    Parameters
    ----------
    loss : LinearRegression
    w0 : array_like of shape (d,)
    batch_sizes : dict
        A name (``"full batch"``) -> a batch size, from 1 to N.
    epochs : int
        Passes over the data of each method's run (>= 1).
    grid : list of float
        The rates each method may pick from.
    tune_epochs : int, optional
        Epochs of the tuning runs (default ``epochs``).
    seed : int
        Seeds the shuffles.

    Returns
    -------
    list of Comparison
        In the order of ``batch_sizes``. Times are measured honestly and depend on the machine;
        nothing in the course asserts them.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(256, 3, noise=0.5, seed=0)
    >>> full, sgd = compare_methods(LinearRegression(X, y), [3.0, 3.0, 3.0],
    ...                             {"full batch": 256, "SGD": 1}, epochs=4, grid=(0.001, 0.3))
    >>> (full.lr, sgd.lr), sgd.run.n_updates, bool(full.seconds_per_epoch > 0)
    ((0.3, 0.001), 1024, True)
    """
    _check_data_set(loss)
    w0 = check_point("w0", w0, tuple(loss.shape))
    if not isinstance(batch_sizes, Mapping) or not batch_sizes:
        raise CourseTypeError(
            f"batch_sizes must map each method's name to its batch size, such as "
            f'{{"full batch": 1024, "SGD": 1}}, got {_describe(batch_sizes)}'
        )
    sizes = {
        str(name): _check_batch_size(b, loss.n_samples, f"the batch size of {name!r}")
        for name, b in batch_sizes.items()
    }
    epochs = check_count("epochs", epochs, minimum=1)
    if tune_epochs is not None:
        tune_epochs = check_count("tune_epochs", tune_epochs, minimum=1)
    rates = _check_numbers("grid (the rates to try)", grid)
    seed = check_count("seed", seed)
    from .descent import _check_work, minibatch_sgd

    n, d = loss.n_samples, int(np.prod(loss.shape))
    runs = [(b, tune_epochs or epochs) for b in sizes.values() for _ in rates]
    runs += [(b, epochs) for b in sizes.values() for _ in range(3)]  # timed best of 3
    _check_work(n, d, runs, "epochs, tune_epochs, grid and batch_sizes")
    out = []
    for name, b in sizes.items():
        lr = tune_rate(loss, w0, b, tune_epochs or epochs, grid=rates, seed=seed).lr
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            run = minibatch_sgd(loss, w0, lr, b, epochs, seed=seed)
            best = min(best, time.perf_counter() - start)
        out.append(Comparison(name, b, lr, run, best / epochs))
    return out


# -- the linear scaling rule -----------------------------------------------------------------------
@dataclass(frozen=True)
class ScalingRow:
    """One batch size of the linear scaling rule.

    Attributes
    ----------
    batch_size : int
    lr : float
        The scaled rate.
    stable : bool
        ``lr < 2 / lambda_max`` of the full loss: would a full-batch step converge?
    final_loss : float
        The full loss after the last epoch.
    diverging : bool
        The run's status is ``"diverged"`` (the core's rule: an overflow, or a full loss that grew
        epoch after epoch, :func:`~gdcourse.core.descent.epochs_growing`).
    """

    batch_size: int
    lr: float
    stable: bool
    final_loss: float
    diverging: bool


def linear_scaling_table(
    loss: Any,
    w0: ArrayLike,
    base_batch: int,
    base_lr: float,
    factors: Iterable[int],
    epochs: int,
    warmup_epochs: int = 1,
    seed: int = 0,
) -> list[ScalingRow]:
    """The linear scaling rule: batch ``base_batch * k`` at rate ``base_lr * k``, the rate ramped
    up linearly over the first ``warmup_epochs`` epochs, for each ``k`` of ``factors``. Does the
    run still work?

    Parameters
    ----------
    loss : LinearRegression
    w0 : array_like of shape (d,)
    base_batch : int
        The batch size at ``k = 1`` (>= 1; ``base_batch * k`` at most N).
    base_lr : float
        The rate at ``k = 1`` (> 0).
    factors : list of int
        The scale factors ``k`` (each >= 1).
    epochs : int
        Passes over the data of each run (>= 1).
    warmup_epochs : int
        Epochs of linear warmup (>= 0; at least one update is warmed up).
    seed : int
        Seeds the shuffles.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(256, 3, noise=0.5, seed=0)
    >>> rows = linear_scaling_table(LinearRegression(X, y), [3.0, 3.0, 3.0], 8, 0.02, (1, 32), 8)
    >>> [(r.batch_size, r.lr, r.stable, r.diverging) for r in rows]
    [(8, 0.02, True, False), (256, 0.64, True, False)]
    """
    _check_data_set(loss, mean=True)
    w0 = check_point("w0", w0, tuple(loss.shape))
    n = loss.n_samples
    base_batch = _check_batch_size(base_batch, n, "base_batch")
    base_lr = check_positive_number("base_lr", base_lr)
    ks = _check_counts("factors", factors, minimum=1, example="(1, 4, 16)")
    if not ks:
        raise CourseValueError(f"factors must hold at least one number, got {_describe(factors)}")
    for k in ks:
        if base_batch * k > n:
            raise CourseValueError(
                f"factors must keep base_batch * k at most N={n}: k={k} gives {base_batch * k}"
            )
    epochs = check_count("epochs", epochs, minimum=1)
    warmup_epochs = check_count("warmup_epochs", warmup_epochs)
    seed = check_count("seed", seed)
    from .descent import _check_work, minibatch_sgd

    _check_work(
        n, int(np.prod(loss.shape)), [(base_batch * k, epochs) for k in ks], "epochs and factors"
    )
    limit = max_stable_lr(hessian_eigenvalues(loss, w0))
    rows = []
    for k in ks:
        b, lr = base_batch * k, base_lr * k
        warm = max(1, warmup_epochs * updates_per_epoch(n, b))
        run = minibatch_sgd(loss, w0, linear_warmup(lr, warm), b, epochs, seed=seed)
        rows.append(
            ScalingRow(b, lr, bool(lr < limit), float(run.losses[-1]), run.status == "diverged")
        )
    return rows


# -- noise and a sharp minimum ---------------------------------------------------------------------
def escape_fractions(
    loss: Any,
    w0: float,
    lr: float,
    steps: int,
    noises: Iterable[float],
    seeds: Iterable[int],
) -> dict[float, float]:
    """For each noise level, the fraction of noisy runs from ``w0`` that end past the barrier,
    in the flat basin of a loss with a sharp and a flat minimum.

    Each run is ``gradient_descent(loss, w0, lr, steps, noise=s, seed=seed, tol=0)``, all seeds
    of a level at once (:func:`noisy_runs`).

    Parameters
    ----------
    loss : SharpFlatWells
        Any 1-D loss whose ``minima()`` gives (sharp minimum, barrier, flat minimum).
    w0 : float
        The start, usually the sharp minimum.
    lr : float
    steps : int
    noises : list of float
        The noise levels (standard deviations, each >= 0).
    seeds : list of int
        One run per seed at each level.

    Examples
    --------
    >>> from gdcourse import SharpFlatWells
    >>> escape_fractions(SharpFlatWells(), -1.0, 0.01, 500, noises=(0, 20), seeds=range(50))
    {0.0: 0.0, 20.0: 0.5}
    """
    if not callable(getattr(loss, "minima", None)):
        raise CourseTypeError(
            f"loss must have a sharp and a flat minimum and a minima() method, such as "
            f"SharpFlatWells(), got {_describe(loss)}"
        )
    check_loss(loss)
    w0 = check_point("w0", w0, tuple(getattr(loss, "shape", ())))
    from .descent import MAX_STEPS, noisy_runs

    steps = check_count(
        "steps", steps, maximum=MAX_STEPS, why="a run records every iterate of every seed"
    )
    levels = _check_numbers("noises (the noise levels)", noises, allow_zero=True)
    seeds = _check_counts("seeds", seeds, example="range(200)", each="each seed")
    if not seeds:
        raise CourseValueError("seeds must hold at least one seed, e.g. range(200)")
    _check_total(
        "noises x seeds x steps",
        len(levels) * len(seeds) * steps * w0.size,
        _MAX_NUMBERS,
        "one noisy step of one seed each; more would not fit in memory or would run for minutes",
    )

    barrier = loss.minima()[1]
    fractions = {}
    for noise in levels:
        runs = noisy_runs(loss, w0, lr, steps, noise=noise, seeds=seeds)
        fractions[noise] = float(np.mean(runs.weights[:, -1] > barrier))
    return fractions
