"""Figures of lesson 10 (the learning rate on a real network): the digits, training curves, the
U-curve of a rate sweep, the linear scaling rule and a schedule against a constant rate. Each
draws what the core computed (:mod:`gdcourse.core.training`), one idea per figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..core.errors import CourseTypeError, CourseValueError
from ..core.sharpness import SharpnessStudy
from ..core.training import RateSweep, ScalingStudy, TrainingCurves
from .style import PALETTE, series_style

__all__ = [
    "curves_figure",
    "digits_figure",
    "scaling_figure",
    "schedule_figure",
    "sharpness_figure",
    "sweeps_figure",
    "u_curve_figure",
]


def _need(value: object, kind: type, what: str) -> None:
    if not isinstance(value, kind):
        raise CourseTypeError(f"{what} draws a {kind.__name__}, got {value!r}")


def _named(runs: object, what: str, kind: type) -> None:
    if not isinstance(runs, dict) or not runs:
        raise CourseTypeError(
            f"{what} draws a dict {{label: {kind.__name__}}} of at least one run, got {runs!r}"
        )
    for run in runs.values():
        _need(run, kind, what)


def _accuracy_axes(ax, x: str, after: str, title: str, base: float = 10) -> None:
    """The axes of an accuracy-against-a-setting figure: log x, accuracy from 0 to 100%."""
    ax.set_xscale("log", base=base)
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"{x} (log scale)")
    ax.set_ylabel(f"validation accuracy {after} (%)".replace("  ", " "))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.grid(alpha=0.3)


def digits_figure(X: np.ndarray, y: np.ndarray, count: int = 10) -> None:
    """The first ``count`` images of ``X`` (rows of 64 pixels in [0, 1]) with their labels."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 64 or len(y) != len(X):
        raise CourseValueError(
            f"digits_figure draws rows of 64 pixels with one label each, got X of shape "
            f"{X.shape} and {len(y)} labels"
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 2 <= count <= min(20, len(X)):
        raise CourseValueError(
            f"count must be a whole number from 2 to {min(20, len(X))} (images side by side), got "
            f"{count!r}"
        )
    _fig, axes = plt.subplots(1, count, figsize=(1.0 * count, 1.45), layout="constrained")
    for ax, image, label in zip(axes, X[:count], y[:count], strict=False):
        ax.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"label {label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].figure.suptitle("Each example is 8 x 8 pixels and one of 10 digits", fontsize=10)


def curves_figure(runs: dict[str, TrainingCurves], title: str) -> None:
    """Training loss (solid) and validation loss (dashed) per epoch of each named run, log y,
    beside the validation accuracy per epoch."""
    _named(runs, "curves_figure", TrainingCurves)
    _fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.5), layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        epochs = np.arange(run.train_loss.size)
        colour = PALETTE[i % len(PALETTE)]
        left.plot(
            epochs, run.train_loss, color=colour, marker="o", ms=3, label=f"{label}, training"
        )
        left.plot(epochs, run.val_loss, color=colour, ls="--", label=f"{label}, validation")
        right.plot(epochs, 100 * run.val_accuracy, **series_style(i), ms=3, label=label)
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_ylabel("loss (log scale)")
    left.legend(fontsize=7, frameon=False)
    right.set_xlabel("epoch")
    right.set_ylabel("validation accuracy (%)")
    right.set_ylim(0, 100)
    right.legend(fontsize=7, frameon=False)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    left.figure.suptitle(title, fontsize=10)


def u_curve_figure(sweep: RateSweep, title: str) -> None:
    """Validation accuracy after the sweep's budget against the rate (log x): each seed a dot,
    their mean a line, runs that diverged as crosses."""
    _need(sweep, RateSweep, "u_curve_figure")
    _fig, ax = plt.subplots(figsize=(6.8, 3.8), layout="constrained")
    ax.plot(sweep.rates, 100 * sweep.mean_accuracy, color=PALETTE[0], lw=1.5, label="mean of seeds")
    for j in range(len(sweep.seeds)):
        ok = ~sweep.diverged[:, j]
        ax.plot(
            sweep.rates[ok],
            100 * sweep.accuracy[ok, j],
            "o",
            color=PALETTE[0],
            ms=5,
            alpha=0.7,
            label="one seed" if j == 0 else None,
        )
        ax.plot(
            sweep.rates[~ok],
            100 * sweep.accuracy[~ok, j],
            "x",
            color=PALETTE[1],
            ms=7,
            mew=2,
            label="diverged" if j == 0 and (~ok).any() else None,
        )
    ax.axhline(10, color="0.5", ls=":", lw=1, label="chance (1 in 10)")
    _accuracy_axes(ax, "learning rate \u03b7", f"after {sweep.epochs} epochs", title)


def scaling_figure(study: ScalingStudy, title: str) -> None:
    """Validation accuracy against the batch size (log x) with the rate scaled with the batch
    and with the rate kept, at equal epochs; each seed a dot, the mean a line."""
    _need(study, ScalingStudy, "scaling_figure")
    _fig, ax = plt.subplots(figsize=(6.8, 3.8), layout="constrained")
    base = float(study.scaled_lrs[0])
    for i, (values, label) in enumerate(
        (
            (study.scaled_accuracy, f"rate scaled: {base:g} x B/{int(study.batch_sizes[0])}"),
            (study.fixed_accuracy, f"rate kept at {base:g}"),
        )
    ):
        style = series_style(i)
        ax.plot(study.batch_sizes, 100 * values.mean(axis=1), **style, label=label)
        for j in range(values.shape[1]):
            ax.plot(study.batch_sizes, 100 * values[:, j], ".", color=style["color"], alpha=0.5)
    gone = study.scaled_diverged
    if gone.any():
        sizes = np.broadcast_to(study.batch_sizes[:, None], gone.shape)
        ax.plot(
            sizes[gone],
            100 * study.scaled_accuracy[gone],
            "x",
            color="black",
            ms=7,
            mew=2,
            label="diverged (rate scaled)",
        )
    _accuracy_axes(ax, "batch size B", f"after {study.epochs} epochs", title, base=2)


def _sweeps(sweeps: dict[str, RateSweep], what: str, x: str, title: str) -> None:
    _named(sweeps, what, RateSweep)
    _fig, ax = plt.subplots(figsize=(6.8, 3.8), layout="constrained")
    for i, (label, sweep) in enumerate(sweeps.items()):
        style = series_style(i)
        ax.plot(sweep.rates, 100 * sweep.mean_accuracy, **style, label=label)
        for j in range(len(sweep.seeds)):
            ax.plot(sweep.rates, 100 * sweep.accuracy[:, j], ".", color=style["color"], alpha=0.5)
    _accuracy_axes(ax, x, "", title)


def schedule_figure(sweeps: dict[str, RateSweep], title: str) -> None:
    """Validation accuracy against the peak rate (log x) of each named sweep (a constant rate,
    a schedule), at equal compute; each seed a dot, the mean a line."""
    _sweeps(sweeps, "schedule_figure", "peak learning rate \u03b7", title)


def sweeps_figure(sweeps: dict[str, RateSweep], title: str) -> None:
    """Validation accuracy against the rate (log x) of each named sweep (optimizers, libraries),
    each over its own rates at equal compute; each seed a dot, the mean a line."""
    _sweeps(sweeps, "sweeps_figure", "learning rate \u03b7", title)


def sharpness_figure(study: SharpnessStudy, title: str) -> None:
    """The sharpness along gradient descent at each rate of ``study``, each beside its own
    ``2 / lr`` (dashed), and the loss at every step (log y): one colour, marker and line style
    per rate."""
    _need(study, SharpnessStudy, "sharpness_figure")
    _fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.6), layout="constrained")
    for i, lr in enumerate(study.rates.tolist()):
        style = series_style(i)
        left.plot(study.steps, study.sharpness[i], **style, ms=3, lw=1.2, label=f"\u03b7 = {lr:g}")
        left.axhline(2 / lr, color=style["color"], ls=":", lw=1.5, label=f"2/\u03b7 = {2 / lr:.3g}")
        right.plot(study.losses[i], color=style["color"], ls=style["linestyle"], lw=1.0,
                   label=f"\u03b7 = {lr:g}")  # fmt: skip
    left.set_xlabel("step")
    left.set_ylabel("sharpness \u03bb_max (largest Hessian eigenvalue)")
    right.set_yscale("log")
    right.set_xlabel("step")
    right.set_ylabel("training loss (log scale)")
    for ax in (left, right):
        ax.legend(fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    left.figure.suptitle(title, fontsize=10)
