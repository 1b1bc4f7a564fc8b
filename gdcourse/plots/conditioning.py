"""Figures of lesson 04 (gradient magnitude and many parameters): step lengths of plain,
normalised and clipped descent, a saddle's gradient plateau, the zig-zag in a narrow valley, the
per-direction multipliers, and feature scaling.

The notebook helpers draw with pyplot and return None; ``draw_multiplier_panel`` draws on a given
axes (the conditioning explorer uses it) and returns the artists it will move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..core import (
    QuadraticBowl,
    distances_to,
    errors_along_axes,
    gradient_descent,
    multipliers,
    step_lengths,
)
from .axes import value_scale
from .findings import count_steps
from .style import PALETTE, series_style

__all__ = [
    "MULTIPLIER_LIMIT",
    "draw_bowl_contours",
    "draw_multiplier_panel",
    "saddle_plateau_figure",
    "scaling_figure",
    "step_length_figure",
    "zigzag_figure",
]

#: The multiplier panel shows 1 - lr * lambda on [-2, 2]; values beyond are drawn at the edge.
MULTIPLIER_LIMIT = 2.0


def step_length_figure(runs: Mapping[str, Any], lr: float) -> None:
    """The length of each step, log scale, for several runs (e.g. plain, normalised, clipped)."""
    _fig, ax = plt.subplots(figsize=(6.4, 3.8))
    drawn = []
    for i, (label, run) in enumerate(runs.items()):
        lengths = step_lengths(run)
        drawn.append(lengths)
        ax.plot(np.arange(1, len(lengths) + 1), lengths, label=label, ms=4, **series_style(i))
    ax.axhline(lr, color="0.4", lw=1, ls=":")
    ax.text(
        0.99,
        lr,
        f" rate \u03b7 = {lr:g}",
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="bottom",
        fontsize=8,
        color="0.3",
    )
    value_scale(ax, [*drawn, [lr]], "step length |w\u2096 \u2212 w\u2096\u208b\u2081|")
    ax.set_xlabel("step k")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(
        "Plain steps shrink near the minimum by themselves; normalised steps never do", fontsize=10
    )


def saddle_plateau_figure(run: Any, threshold: float) -> None:
    """A run past a saddle: the gradient's length (log) and the loss against the step, with the
    steps where ``|gradient| < threshold`` shaded."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.4), sharex=True)
    k = np.arange(len(run.grad_norms))
    small = run.grad_norms < threshold
    for ax in (left, right):
        ax.fill_between(
            k,
            0,
            1,
            where=small,
            transform=ax.get_xaxis_transform(),
            color=PALETTE[4],
            alpha=0.25,
            hatch="//",
            lw=0,
            label=f"|\u2207L| < {threshold:g}",
        )
        ax.set_xlabel("step k")
        ax.grid(alpha=0.3)
    left.plot(k, np.maximum(run.grad_norms, 1e-16), **series_style(0), ms=3)
    left.set_yscale("log")
    left.set_ylabel("gradient length |\u2207L|, log scale")
    left.set_title("The gradient nearly vanishes ...", fontsize=9)
    left.legend(fontsize=8, loc="lower left")
    right.plot(k, run.losses, **series_style(1), ms=3)
    right.axhline(0.0, color="0.4", lw=1, ls=":")
    right.axhline(-0.5, color="0.4", lw=1, ls="--")
    right.text(0, 0.02, "saddle: loss 0", fontsize=8, va="bottom")
    right.text(0, -0.48, "minima: loss \u22120.5", fontsize=8, va="bottom")
    right.set_ylabel("loss L(w\u2096)")
    right.set_title("... at the saddle, not at a minimum", fontsize=9)
    fig.suptitle("A small gradient can mean a saddle, not a minimum", fontsize=11)


def draw_bowl_contours(ax: Axes, bowl: QuadraticBowl, extent: Sequence[float]) -> Any:
    """Contours of a 2-D bowl on ``extent`` = (xmin, xmax, ymin, ymax); returns the ContourSet."""
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, 120), np.linspace(y0, y1, 120)
    values = np.asarray(bowl.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
    levels = np.geomspace(max(values.max(), 1e-9) * 1e-4, values.max(), 12)
    return ax.contour(xs, ys, values, levels=levels, cmap="cividis", linewidths=0.8)


def zigzag_figure(bowl: QuadraticBowl, w0: Sequence[float], lr: float, steps: int) -> None:
    """Left: the path over the contours. Right: the error along each eigen-direction."""
    run = gradient_descent(bowl, w0, lr=lr, steps=steps, tol=0.0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.8))
    reach = 1.15 * float(np.max(np.abs(w0)))
    draw_bowl_contours(left, bowl, (-reach, reach, -reach, reach))
    left.plot(run.weights[:, 0], run.weights[:, 1], color=PALETTE[1], marker="o", ms=3, lw=1)
    left.plot(*w0, color=PALETTE[0], marker="s", ms=8, ls="none", label="start")
    left.plot(0, 0, color="black", marker="*", ms=10, ls="none", label="minimum")
    for i, (lam, name, style) in enumerate(
        zip(bowl.eigenvalues, ("shallow", "steep"), ("--", ":"), strict=True)
    ):
        v = bowl.rotation[:, i] * reach
        left.plot(
            [-v[0], v[0]],
            [-v[1], v[1]],
            color="0.3",
            ls=style,
            lw=1,
            label=f"{name} axis, \u03bb = {lam:g}",
        )
    left.set_aspect("equal")
    left.set_xlim(-reach, reach)
    left.set_ylim(-reach, reach)
    left.set_xlabel("parameter x")
    left.set_ylabel("parameter y")
    left.legend(fontsize=7, loc="lower left")
    left.set_title(f"rate {lr:.3g}: the path zig-zags across the valley", fontsize=9)
    coords = errors_along_axes(bowl, run.weights)
    k = np.arange(len(coords))
    factors = multipliers(bowl.eigenvalues, lr)
    for i, (name, m) in enumerate(zip(("shallow", "steep"), factors, strict=True)):
        right.plot(k, coords[:, i], ms=3, label=f"{name}: multiplier {m:.3g}", **series_style(i))
    right.axhline(0, color="0.4", lw=1)
    right.set_xlabel("step k")
    right.set_ylabel("error along the direction")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    right.set_title("The steep error flips sign; the shallow one creeps", fontsize=9)
    fig.suptitle("A narrow valley: one rate, two very different directions", fontsize=11)


def draw_multiplier_panel(ax: Axes, names: Sequence[str]) -> tuple[Any, list[Any]]:
    """The multiplier panel: one bar per direction on [-2, 2], the stable band [-1, 1] hatched.

    Returns the bar container and one value label per bar, for the caller to move.
    """
    lim = MULTIPLIER_LIMIT
    ax.axvspan(-1, 1, color=PALETTE[2], alpha=0.15, hatch="..", lw=0)
    ax.text(0, len(names) - 0.45, "stable: |multiplier| < 1", ha="center", fontsize=8)
    for x in (-1, 1):
        ax.axvline(x, color="0.3", lw=1, ls="--")
    ax.axvline(0, color="0.3", lw=0.8)
    bars = ax.barh(
        np.arange(len(names)),
        np.zeros(len(names)),
        height=0.5,
        color=[PALETTE[i] for i in range(len(names))],
        edgecolor="black",
        hatch=None,
    )
    for bar, hatch in zip(bars, ("", "xx", "//", "\\\\"), strict=False):
        bar.set_hatch(hatch)
    labels = [ax.text(0, i + 0.3, "", ha="center", fontsize=8) for i in range(len(names))]
    ax.set_yticks(np.arange(len(names)), names, fontsize=8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-0.6, len(names) - 0.2)
    ax.set_xlabel("multiplier 1 \u2212 \u03b7\u03bb per step")
    return bars, labels


def scaling_figure(runs: Mapping[str, tuple[Any, np.ndarray]]) -> None:
    """The distance to the minimum relative to the start, log scale, for several runs.

    ``runs`` maps a label to ``(trajectory, minimiser)``. The title states the finding read off
    the runs: how close each got (its last distance as a fraction of its start distance) in how
    many steps. A run that starts on its minimum has no relative distance: the figure then
    draws the distances themselves and says so.
    """
    _fig, ax = plt.subplots(figsize=(6.4, 3.8))
    items = [(label, run, target, distances_to(run.weights, target)) for label, (run, target) in
             runs.items()]  # fmt: skip
    relative = all(dist[0] > 0 and np.isfinite(dist[0]) for *_, dist in items)
    drawn = []
    for i, (label, _run, _target, dist) in enumerate(items):
        shown = dist / dist[0] if relative else dist
        drawn.append(shown)
        ax.plot(np.arange(len(shown)), shown, label=label, ms=3, markevery=0.05, **series_style(i))
    what = "distance to the minimum" + (" / start distance" if relative else "")
    value_scale(ax, drawn, what)
    ax.set_xlabel("step k")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(_scaling_finding(items, relative), fontsize=10)


def _scaling_finding(items: list, relative: bool) -> str:
    """How close each run got and in how many steps, in words: its own last distance (as a
    fraction of its start distance), so no threshold of the figure's decides anything."""
    parts = []
    for i, (label, run, _target, dist) in enumerate(items):
        steps = count_steps(run.n_steps)
        if not np.isfinite(dist[-1]):
            parts.append(f"{label}: the run {run.phrase}")
        elif relative:
            share = " of its start distance" if i == 0 else ""
            parts.append(f"{label}: {float(dist[-1] / dist[0]):.2g}{share} after {steps}")
        else:
            parts.append(f"{label}: distance {float(dist[-1]):.2g} after {steps}")
    return "; ".join(parts)
