"""Figures of lesson 07 (saddle points and local minima): the escape from a saddle for several
offsets against the prediction, and the basins of attraction of a tilted double well."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..core import (
    SaddleWithMinima,
    TiltedDoubleWell,
    basin_ends,
    critical_point_near,
    gradient_descent,
    saddle_escape_steps,
)
from .style import PALETTE, series_style

__all__ = ["basins_figure", "escape_figure"]


def escape_figure(y0s: Sequence[float], lr: float, x0: float = 1.0, threshold: float = 0.5) -> None:
    """|y_k| (log scale) against the step for starts (x0, y0) on the saddle loss, with the line
    ``|y| = threshold`` and, for each run, the predicted step ``ln(threshold/|y0|)/ln(1 + 2 lr)``
    as a marker on that line."""
    loss = SaddleWithMinima()
    _fig, ax = plt.subplots(figsize=(6.6, 3.8), layout="constrained")
    for i, y0 in enumerate(y0s):
        run = gradient_descent(loss, [x0, y0], lr=lr, steps=400, tol=0.0)
        style = series_style(i)
        k = np.arange(len(run.weights))
        ax.plot(
            k,
            np.maximum(np.abs(run.weights[:, 1]), 1e-300),
            color=style["color"],
            ls=style["linestyle"],
            lw=1.6,
            label=f"y\u2080 = {y0:g}",
        )
        predicted = saddle_escape_steps(y0, lr, threshold)
        ax.plot(predicted, threshold, color=style["color"], marker=style["marker"], ms=9, ls="none")
    ax.axhline(threshold, color="0.3", lw=1, ls=":")
    ax.text(
        198,
        threshold / 2.5,
        f"|y| = {threshold:g}; markers: predicted steps",
        fontsize=8,
        ha="right",
        va="top",
    )
    ax.set_yscale("log")
    ax.set_ylim(min(y0s) / 3, 3)
    ax.set_xlim(0, 200)
    ax.set_xlabel("step k")
    ax.set_ylabel("|y\u2096|, distance off the ridge (log scale)")
    # The steps a factor 10 costs: the escape time from |y| = 0.1 to 1, ln 10 / ln(1 + 2 lr).
    per_decade = saddle_escape_steps(0.1, lr, threshold=1.0)
    ax.set_title(
        f"Each factor 10 closer to the ridge costs\nln 10 / ln(1 + 2\u03b7) \u2248 "
        f"{per_decade:.1f} more steps (\u03b7 = {lr:g})",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)


def basins_figure(well: TiltedDoubleWell, lr: float, starts: Sequence[float]) -> None:
    """The double well's loss, and each start marked by where gradient descent at ``lr`` ends
    (the core's ``basin_ends``): circles go to the global minimum, squares to the local one
    (a run that ends within 1e-3 of it); the local maximum is dashed."""
    _fig, ax = plt.subplots(figsize=(6.6, 3.8), layout="constrained")
    w = np.linspace(-1.7, 1.7, 400)
    ax.plot(w, well.value(w), color="0.3", lw=1.5, label=f"L(w) = {well.formula}")
    ax.axvline(well.local_maximizer, color="0.3", lw=1, ls="--")
    ax.text(
        well.local_maximizer,
        ax.get_ylim()[0] + 0.1,
        f" local maximum w = {well.local_maximizer:.3f}\n (the basin boundary)",
        fontsize=8,
    )
    kinds = {
        "global minimum": (well.global_minimizer, PALETTE[0], "o", "ends in the global minimum"),
        "local minimum": (well.local_minimizer, PALETTE[1], "s", "ends in the worse local minimum"),
    }
    ends = [critical_point_near(well, w, within=1e-3) for w in basin_ends(well, starts, lr=lr)]
    for kind, (target, color, marker, label) in kinds.items():
        chosen = [s for s, end in zip(starts, ends, strict=True) if end == kind]
        ax.plot(
            chosen,
            well.value(np.asarray(chosen)),
            color=color,
            marker=marker,
            ls="none",
            ms=7,
            label=f"start that {label}",
        )
        ax.plot(target, well.value(target), color=color, marker="*", ms=16, ls="none")
    ax.set_xlabel("parameter w")
    ax.set_ylabel("loss L(w)")
    ax.set_title("Where a run ends depends on which side of the hump it starts", fontsize=10)
    ax.legend(fontsize=8, loc="upper center")
    ax.grid(alpha=0.3)
