"""Training a network and tuning its rate (lesson 10): curves on the training and validation
sets, a sweep of rates over seeds, the linear scaling rule and a schedule, all on
:class:`~gdcourse.core.network.MLP` with :func:`~gdcourse.core.descent.minibatch_sgd`.

Every run starts from ``net.init(seed)`` and shuffles with the same ``seed``, so a study is the
same on every machine up to the last bits of its sums; the studies of lesson 10 are stored as
package data (``gdcourse.digits``) and a test regenerates them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .batches import updates_per_epoch
from .descent import ENDED_ABOVE, _freeze, minibatch_sgd
from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_counts,
    _describe,
    check_count,
    check_positive_number,
)
from .network import MLP
from .schedules import Schedule, cosine_decay, linear_warmup
from .updates import Update

__all__ = [
    "SCHEDULE_NAMES",
    "WARMUP_SHARE",
    "RateSweep",
    "ScalingStudy",
    "TrainingCurves",
    "TrainingGrid",
    "rate_sweep",
    "scaling_study",
    "thrown_off_epoch",
    "training_curves",
    "training_grid",
    "training_schedule",
]

#: The schedules a study names: a constant rate, or a linear warmup then a cosine down to 0.
SCHEDULE_NAMES = ("constant", "warmup_cosine")
#: The share of a run's updates the warmup takes (at least one update).
WARMUP_SHARE = 0.05
#: The most runs one study makes (a slip such as 1,000 seeds is refused, not run for an hour).
_MAX_RUNS = 2_000


def thrown_off_epoch(losses: Any) -> int | None:
    """The first epoch whose full loss is above ``ENDED_ABOVE`` times max(|start|, 1), the
    threshold past which a run that *ends* there has diverged; ``None`` if none is. A run can be
    thrown off and come back: a schedule's decay brings a saturated network's loss down again,
    often only to where it started, having learned nothing.

    Examples
    --------
    >>> thrown_off_epoch([2.3, 1.0, 30.0, 2.2]), thrown_off_epoch([2.3, 1.0, 0.5])
    (2, None)
    """
    values = np.asarray(losses, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise CourseValueError(f"losses must be a 1-D list of losses, got {_describe(losses)}")
    limit = ENDED_ABOVE * max(abs(float(values[0])), 1.0)
    over = ~(values <= limit)  # (a nan counts as thrown off)
    return int(np.argmax(over)) if over.any() else None


def training_schedule(name: str, lr: float, total_updates: int) -> float | Schedule:
    """The rate of a run of ``total_updates`` updates with peak ``lr``: ``lr`` itself for
    ``"constant"``; for ``"warmup_cosine"`` a linear ramp from 0 over ``WARMUP_SHARE`` of the
    updates, then half a cosine from ``lr`` down to 0 as the run ends.

    Examples
    --------
    >>> s = training_schedule("warmup_cosine", 1.0, 100)
    >>> [round(s(t), 3) for t in (0, 2, 5, 99)]
    [0.0, 0.4, 1.0, 0.0]
    """
    if not isinstance(name, str) or name not in SCHEDULE_NAMES:
        shown = " or ".join(repr(n) for n in SCHEDULE_NAMES)
        raise CourseValueError(f"schedule must be {shown}, got {_describe(name)}")
    lr = check_positive_number("lr", lr)
    total = check_count("total_updates", total_updates, minimum=2)
    if name == "constant":
        return lr
    warm = max(1, round(WARMUP_SHARE * total))
    return linear_warmup(cosine_decay(lr, total - warm), warm)


def _check_nets(net: Any, evaluate: Any) -> None:
    if not isinstance(net, MLP):
        raise CourseTypeError(f"net must be an MLP (the network to train), got {_describe(net)}")
    if not isinstance(evaluate, MLP):
        raise CourseTypeError(
            f"evaluate must be an MLP of the held-out rows (the same network on other data), "
            f"got {_describe(evaluate)}"
        )
    same = (evaluate.sizes, evaluate.activation, evaluate.loss) == (
        net.sizes,
        net.activation,
        net.loss,
    )
    if not same:
        raise CourseValueError(
            f"evaluate must be the same network as net on other rows, got {evaluate!r} for {net!r}"
        )


def _check_batch(net: MLP, batch_size: Any) -> int:
    b = check_count("batch_size", batch_size, minimum=1)
    if b > net.n_samples:
        raise CourseValueError(
            f"batch_size must be between 1 and the number of examples N={net.n_samples}, got {b}"
        )
    return b


@dataclass(frozen=True, repr=False)
class TrainingCurves:
    """One training run read after every epoch on the training and the held-out rows.

    Attributes
    ----------
    lr, batch_size, schedule, seed :
        The run's settings (``lr`` is the peak rate of a schedule).
    train_loss, val_loss, val_accuracy : ndarray of shape (epochs run + 1,)
        From the start (epoch 0) to the last epoch run; a run that overflowed stops early.
    status : str
        ``"completed"`` or ``"diverged"`` (:func:`~gdcourse.core.descent.minibatch_sgd`'s rule).
    n_updates : int
    """

    lr: float
    batch_size: int
    schedule: str
    seed: int
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    status: str
    n_updates: int

    def __post_init__(self) -> None:
        _freeze(self.train_loss, self.val_loss, self.val_accuracy)

    def __repr__(self) -> str:
        return (
            f"TrainingCurves(lr={self.lr:g}, batch_size={self.batch_size}, "
            f"schedule={self.schedule!r}, status={self.status!r}, "
            f"final val accuracy={float(self.val_accuracy[-1]):.3f})"
        )


def training_curves(
    net: MLP,
    lr: float,
    batch_size: int,
    epochs: int,
    *,
    evaluate: MLP,
    schedule: str = "constant",
    seed: int = 0,
    update: Update | None = None,
) -> TrainingCurves:
    """Train ``net`` from ``net.init(seed)`` with mini-batch SGD and read its loss on the
    training rows and its loss and accuracy on ``evaluate``'s rows after every epoch.

    Parameters
    ----------
    net : MLP
        The network on the training rows.
    lr : float
        The rate (the peak rate of ``schedule``), > 0.
    batch_size : int
        From 1 to N.
    epochs : int
        Passes over the training rows (>= 1).
    evaluate : MLP
        The same network on held-out rows (``MLP(X_val, y_val, ...)``, same sizes).
    schedule : {"constant", "warmup_cosine"}
        See :func:`training_schedule`.
    seed : int
        Seeds the start weights and the shuffles.
    update : Update, optional
        The update rule (default plain SGD), as :func:`~gdcourse.core.descent.minibatch_sgd`.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = MLP(X, [0, 1, 1, 0], hidden=8)
    >>> c = training_curves(net, 0.5, 4, 3, evaluate=net)
    >>> c.status, c.train_loss.shape
    ('completed', (4,))
    """
    _check_nets(net, evaluate)
    b = _check_batch(net, batch_size)
    epochs = check_count("epochs", epochs, minimum=1)
    seed = check_count("seed", seed)
    total = max(2, epochs * updates_per_epoch(net.n_samples, b))
    rate = training_schedule(schedule, lr, total)
    run = minibatch_sgd(net, net.init(seed), rate, b, epochs, seed=seed, update=update)
    with np.errstate(all="ignore"):
        val_loss = np.array([evaluate.value(w) for w in run.weights])
        val_accuracy = np.array([evaluate.accuracy(w) for w in run.weights])
    return TrainingCurves(
        float(lr),
        b,
        schedule,
        seed,
        run.losses.copy(),
        val_loss,
        val_accuracy,
        run.status,
        run.n_updates,
    )


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    out = _check_counts("seeds", seeds, minimum=0, example="(0, 1, 2)")
    if not out:
        raise CourseValueError(f"seeds must hold at least one seed, got {_describe(seeds)}")
    return tuple(out)


def _check_rates(rates: Any) -> np.ndarray:
    try:
        raw = np.asarray(rates)
        arr = raw.astype(float) if raw.dtype.kind in "iuf" else np.asarray([np.nan])
    except (TypeError, ValueError):
        arr = np.asarray([np.nan])
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise CourseValueError(
            f"rates must be a non-empty list of finite rates > 0 (numbers), got {_describe(rates)}"
        )
    if np.unique(arr).size != arr.size:
        raise CourseValueError(f"rates must not repeat a rate, got {_describe(rates)}")
    return arr


def _check_runs(n_runs: int) -> None:
    if n_runs > _MAX_RUNS:
        raise CourseValueError(
            f"a study makes at most {_MAX_RUNS:,} training runs (more would run for hours), "
            f"this one asks for {n_runs:,}: use fewer rates or seeds"
        )


@dataclass(frozen=True, repr=False)
class RateSweep:
    """A sweep of rates, each trained from several seeds for the same budget.

    Attributes
    ----------
    rates : ndarray of shape (r,)
    seeds : tuple of int
    accuracy : ndarray of shape (r, s)
        The accuracy on the held-out rows after the last epoch, one per rate and seed.
    final_loss : ndarray of shape (r, s)
        The full training loss after the last epoch run.
    diverged : ndarray of bool, shape (r, s)
        The run's status is ``"diverged"``.
    batch_size, epochs, schedule :
        The budget and settings every run shares.
    """

    rates: np.ndarray
    seeds: tuple[int, ...]
    accuracy: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    batch_size: int
    epochs: int
    schedule: str

    def __post_init__(self) -> None:
        _freeze(self.rates, self.accuracy, self.final_loss, self.diverged)

    @property
    def mean_accuracy(self) -> np.ndarray:
        """The accuracy of each rate averaged over the seeds."""
        return self.accuracy.mean(axis=1)

    @property
    def best_rate(self) -> float:
        """The rate with the highest mean accuracy (see ``best_margin`` before stating it)."""
        return float(self.rates[int(np.argmax(self.mean_accuracy))])

    @property
    def best_margin(self) -> float:
        """How far (in accuracy) the best rate's mean is above the next best: the pick would
        change only if a mean moved by this much."""
        top = np.sort(self.mean_accuracy)[::-1]
        return float(top[0] - top[1]) if top.size > 1 else float("inf")

    def __repr__(self) -> str:
        return (
            f"RateSweep(rates={self.rates.size}, seeds={len(self.seeds)}, "
            f"batch_size={self.batch_size}, epochs={self.epochs}, best rate={self.best_rate:g})"
        )


def rate_sweep(
    net: MLP,
    rates: Iterable[float],
    *,
    batch_size: int,
    epochs: int,
    evaluate: MLP,
    seeds: Iterable[int] = (0, 1, 2),
    schedule: str = "constant",
    update: Update | None = None,
) -> RateSweep:
    """Train ``net`` at every rate from every seed for the same budget and read the accuracy on
    ``evaluate``'s rows: the U-curve of a real network.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = MLP(X, [0, 1, 1, 0], hidden=8)
    >>> s = rate_sweep(net, [0.1, 1.0], batch_size=4, epochs=2, evaluate=net, seeds=(0,))
    >>> s.accuracy.shape, s.diverged.tolist()
    ((2, 1), [[False], [False]])
    """
    _check_nets(net, evaluate)
    lrs = _check_rates(rates)
    seed_list = _check_seeds(seeds)
    _check_runs(lrs.size * len(seed_list))
    b = _check_batch(net, batch_size)
    epochs = check_count("epochs", epochs, minimum=1)
    acc = np.empty((lrs.size, len(seed_list)))
    final = np.empty_like(acc)
    diverged = np.zeros(acc.shape, dtype=bool)
    for i, lr in enumerate(lrs.tolist()):
        for j, seed in enumerate(seed_list):
            run = training_curves(
                net, lr, b, epochs, evaluate=evaluate, schedule=schedule, seed=seed, update=update
            )
            acc[i, j], final[i, j] = run.val_accuracy[-1], run.train_loss[-1]
            diverged[i, j] = run.status == "diverged"
    return RateSweep(lrs, seed_list, acc, final, diverged, b, epochs, schedule)


@dataclass(frozen=True, repr=False)
class ScalingStudy:
    """The linear scaling rule on a network at equal epochs.

    Attributes
    ----------
    batch_sizes : ndarray of shape (b,)
        ``base_batch * k`` for each factor ``k``.
    scaled_lrs : ndarray of shape (b,)
        ``base_lr * k``: the rate scaled with the batch.
    scaled_accuracy : ndarray of shape (b, s)
        The held-out accuracy at the scaled rate, per seed.
    fixed_accuracy : ndarray of shape (b, s)
        The held-out accuracy at ``base_lr`` for every batch size (the rate not scaled).
    scaled_diverged : ndarray of bool, shape (b, s)
    seeds : tuple of int
    epochs : int
    """

    batch_sizes: np.ndarray
    scaled_lrs: np.ndarray
    scaled_accuracy: np.ndarray
    fixed_accuracy: np.ndarray
    scaled_diverged: np.ndarray
    seeds: tuple[int, ...]
    epochs: int

    def __post_init__(self) -> None:
        _freeze(
            self.batch_sizes,
            self.scaled_lrs,
            self.scaled_accuracy,
            self.fixed_accuracy,
            self.scaled_diverged,
        )

    def __repr__(self) -> str:
        return (
            f"ScalingStudy(batch sizes={self.batch_sizes.tolist()}, seeds={len(self.seeds)}, "
            f"epochs={self.epochs})"
        )


def scaling_study(
    net: MLP,
    base_batch: int,
    base_lr: float,
    factors: Iterable[int],
    *,
    epochs: int,
    evaluate: MLP,
    seeds: Iterable[int] = (0, 1, 2),
) -> ScalingStudy:
    """For each ``k`` of ``factors``, train at batch ``base_batch * k`` with the rate scaled,
    ``base_lr * k``, and with the rate kept at ``base_lr``, for the same number of epochs.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = MLP(X, [0, 1, 1, 0], hidden=8)
    >>> s = scaling_study(net, 1, 0.1, (1, 4), epochs=2, evaluate=net, seeds=(0,))
    >>> s.batch_sizes.tolist(), s.scaled_lrs.tolist()
    ([1, 4], [0.1, 0.4])
    """
    _check_nets(net, evaluate)
    base_batch = _check_batch(net, base_batch)
    base_lr = check_positive_number("base_lr", base_lr)
    ks = _check_counts("factors", factors, minimum=1, example="(1, 4, 16)")
    if not ks:
        raise CourseValueError(f"factors must hold at least one number, got {_describe(factors)}")
    seed_list = _check_seeds(seeds)
    _check_runs(2 * len(ks) * len(seed_list))
    sizes = [_check_batch(net, base_batch * k) for k in ks]
    epochs = check_count("epochs", epochs, minimum=1)
    shape = (len(ks), len(seed_list))
    scaled, fixed = np.empty(shape), np.empty(shape)
    diverged = np.zeros(shape, dtype=bool)
    for i, (k, b) in enumerate(zip(ks, sizes, strict=True)):
        for j, seed in enumerate(seed_list):
            up = training_curves(net, base_lr * k, b, epochs, evaluate=evaluate, seed=seed)
            same = training_curves(net, base_lr, b, epochs, evaluate=evaluate, seed=seed)
            scaled[i, j], fixed[i, j] = up.val_accuracy[-1], same.val_accuracy[-1]
            diverged[i, j] = up.status == "diverged"
    return ScalingStudy(
        np.array(sizes),
        base_lr * np.array(ks, dtype=float),
        scaled,
        fixed,
        diverged,
        seed_list,
        epochs,
    )


@dataclass(frozen=True, repr=False)
class TrainingGrid:
    """Training runs on a grid of rates, batch sizes and schedules (one seed): what an explorer
    shows without training while the student waits.

    Attributes
    ----------
    rates, batch_sizes : ndarray
    schedules : tuple of str
    train_loss, val_loss, val_accuracy : ndarray, shape (rates, batches, schedules, epochs + 1)
        Each run's curves (:class:`TrainingCurves`); ``nan`` after the epoch a run overflowed.
    diverged : ndarray of bool, shape (rates, batch sizes, schedules)
    epochs, seed : int
    n_samples : int
        The training rows the runs were trained on (an epoch is ``ceil(n_samples / B)`` updates).
    """

    rates: np.ndarray
    batch_sizes: np.ndarray
    schedules: tuple[str, ...]
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    diverged: np.ndarray
    epochs: int
    seed: int
    n_samples: int

    def __post_init__(self) -> None:
        _freeze(
            self.rates,
            self.batch_sizes,
            self.train_loss,
            self.val_loss,
            self.val_accuracy,
            self.diverged,
        )

    def __repr__(self) -> str:
        return (
            f"TrainingGrid(rates={self.rates.size}, batch sizes={self.batch_sizes.tolist()}, "
            f"schedules={list(self.schedules)}, epochs={self.epochs})"
        )


def training_grid(
    net: MLP,
    rates: Iterable[float],
    batch_sizes: Iterable[int],
    *,
    epochs: int,
    evaluate: MLP,
    schedules: Iterable[str] = SCHEDULE_NAMES,
    seed: int = 0,
) -> TrainingGrid:
    """:func:`training_curves` for every rate, batch size and schedule, from one seed.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = MLP(X, [0, 1, 1, 0], hidden=8)
    >>> g = training_grid(net, [0.1, 1.0], [2, 4], epochs=2, evaluate=net)
    >>> g.train_loss.shape
    (2, 2, 2, 3)
    """
    _check_nets(net, evaluate)
    lrs = _check_rates(rates)
    sizes = [_check_batch(net, b) for b in _check_counts("batch_sizes", batch_sizes, minimum=1)]
    if not sizes:
        raise CourseValueError(f"batch_sizes must hold at least one size, got {batch_sizes!r}")
    names = tuple(schedules) if not isinstance(schedules, str) else (schedules,)
    if not names:
        raise CourseValueError(f"schedules must hold at least one schedule, got {schedules!r}")
    for name in names:
        training_schedule(name, 1.0, 2)  # refuses an unknown name before any run
    _check_runs(lrs.size * len(sizes) * len(names))
    epochs = check_count("epochs", epochs, minimum=1)
    seed = check_count("seed", seed)
    shape = (lrs.size, len(sizes), len(names))
    curves = {key: np.full((*shape, epochs + 1), np.nan) for key in ("train", "val", "acc")}
    diverged = np.zeros(shape, dtype=bool)
    for i, lr in enumerate(lrs.tolist()):
        for j, b in enumerate(sizes):
            for m, name in enumerate(names):
                run = training_curves(
                    net, lr, b, epochs, evaluate=evaluate, schedule=name, seed=seed
                )
                done = run.train_loss.size
                curves["train"][i, j, m, :done] = run.train_loss
                curves["val"][i, j, m, :done] = run.val_loss
                curves["acc"][i, j, m, :done] = run.val_accuracy
                diverged[i, j, m] = run.status == "diverged"
    return TrainingGrid(
        lrs,
        np.array(sizes),
        names,
        curves["train"],
        curves["val"],
        curves["acc"],
        diverged,
        epochs,
        seed,
        net.n_samples,
    )
