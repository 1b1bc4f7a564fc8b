"""Figures of lesson 03 (the learning rate): runs at several rates, the multiplier 1 - ηa, the
regime strip, steps to a tolerance, and two losses with one slope but different curvatures.

The notebook helpers draw with pyplot and return None; ``draw_regime_strip`` draws on a given
axes (the learning-rate explorer uses it) and returns its artists so they can be replaced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from ..core import (
    Quadratic1D,
    best_fixed_lr,
    distances_to,
    error_multiplier,
    gradient_descent,
    max_stable_lr,
    quadratic_regime,
    regime_bands,
    steps_to_tolerance,
)
from .axes import value_scale
from .findings import count_steps
from .style import PALETTE, series_style

__all__ = [
    "REGIME_BAND_STYLE",
    "draw_regime_strip",
    "multiplier_figure",
    "rate_runs",
    "regime_runs",
    "same_gradient_figure",
    "tolerance_figure",
]

#: How each regime that spans a range of rates is drawn: colour, hatch and a text label, so
#: that no band is told apart by colour alone. The two single rates 1/a and 2/a are lines.
REGIME_BAND_STYLE = {
    "monotone": {"color": PALETTE[2], "hatch": "..", "label": "monotone", "short": "mono."},
    "oscillating-converging": {
        "color": PALETTE[4],
        "hatch": "//",
        "label": "oscillating",
        "short": "osc.",
    },
    "diverging": {"color": PALETTE[1], "hatch": "xx", "label": "diverging", "short": "div."},
}
#: The boundary rates: (the core's rate for a curvature, line style, name, what the rate does):
#: 1/a lands in one step (``best_fixed_lr``), 2/a bounces (``max_stable_lr``).
_BOUNDARIES = (
    (best_fixed_lr, "-", "1/a", "one step"),
    (max_stable_lr, "--", "2/a", "bounces"),
)


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def draw_regime_strip(ax: Axes, a: float, lr_range: tuple[float, float]) -> list[Artist]:
    """Draw the regime of every rate in ``lr_range`` (log scale) for curvature ``a`` on ``ax``.

    Each band has a colour, a hatch and a text label (a short one where the band is narrow);
    the boundaries ``1/a`` (solid) and ``2/a`` (dashed) are lines labelled with their values.
    Returns the artists drawn, so a caller can remove them when ``a`` changes.
    """
    low, high = lr_range
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(0.0, 1.0)
    ax.set_yticks([])
    decades = math.log10(high / low)
    artists: list[Artist] = []
    for regime, lo, hi in regime_bands(a, lr_range):
        style = REGIME_BAND_STYLE[regime]
        artists.append(
            ax.axvspan(
                lo,
                hi,
                facecolor=(*_rgb(style["color"]), 0.22),
                edgecolor=style["color"],
                hatch=style["hatch"],
                linewidth=0,
            )
        )
        width = math.log10(hi / lo) / decades  # fraction of the strip
        text = style["label"] if width > 0.16 else style["short"] if width > 0.05 else ""
        if text:
            artists.append(
                ax.text(
                    math.sqrt(lo * hi),
                    0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )
            )
    for boundary, ls, name, what in _BOUNDARIES:
        rate = boundary(a)
        label = f"{name} = {_fmt(rate)}"
        if not low <= rate <= high:
            # Off the scale: say so inside the strip at the edge it lies beyond.
            above = rate > high
            artists.append(
                ax.text(
                    0.995 if above else 0.005,
                    0.8,
                    f"{label} ({what}) \u2192" if above else f"\u2190 {label} ({what})",
                    transform=ax.transAxes,
                    ha="right" if above else "left",
                    va="center",
                    fontsize=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )
            )
            continue
        artists.append(ax.axvline(rate, color="0.15", lw=1.4, ls=ls))
        # 1/a is labelled to its left, 2/a to its right, so the two never overlap; the labels
        # sit a few points above the strip, clear of the current-rate pointer.
        left = boundary is best_fixed_lr
        artists.append(
            ax.annotate(
                f"{what} {label}" if left else f"{label} {what}",
                (rate, 1.0),
                xycoords=ax.get_xaxis_transform(),
                xytext=(-3 if left else 3, 6),
                textcoords="offset points",
                ha="right" if left else "left",
                va="bottom",
                fontsize=8,
            )
        )
    return artists


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def rate_runs(loss: Any, w0: float, rates: Sequence[float], steps: int) -> None:
    """The loss against the step (log scale) at each rate, one line per rate.

    A run that diverges is drawn until the core stops it. The title says how each run ended (its
    status, in the core's words); the legend gives each run's first and last loss. When a loss
    reaches 0 or goes below it, the axis is linear (its label says so).
    """
    _fig, ax = plt.subplots(figsize=(6.4, 3.8))
    fates, drawn = [], []
    for i, lr in enumerate(rates):
        run = gradient_descent(loss, w0, lr=lr, steps=steps)
        fates.append(f"rate {lr:g} {run.phrase}")
        k = np.arange(run.n_steps + 1)
        label = f"rate {lr:g}: loss {run.losses[0]:.3g} \u2192 {run.final_loss:.3g}"
        ax.plot(k, run.losses, label=label, **series_style(i))
        drawn.append(run.losses)
    # Log scale unless a loss reaches 0 (a one-step landing) or below (a double well): a log
    # axis would drop those points without a word.
    value_scale(ax, drawn, "loss L(w_k)", minor_ticks=False)
    ax.set_xlabel("step k (updates)")
    ax.set_title(f"{', '.join(fates[:-1])} and {fates[-1]}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)


def multiplier_figure(a: float, rates: Sequence[float] = ()) -> None:
    """The multiplier ``1 - ηa`` against the rate, with the regions where runs converge.

    ``rates`` are marked on the line and labelled with their multipliers.
    """
    top = max([1.25 * max_stable_lr(a), *(1.08 * r for r in rates)])
    eta = np.linspace(0.0, top, 401)[1:]  # the core's multipliers are of rates > 0
    _fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.axhspan(-1, 1, facecolor=(*_rgb(PALETTE[2]), 0.15), hatch="..", edgecolor=PALETTE[2], lw=0)
    line = [error_multiplier(a, float(lr)) for lr in eta]
    ax.plot(eta, line, color="0.2", lw=1.8, label="multiplier 1 \u2212 \u03b7a")
    for y in (1.0, -1.0):
        ax.axhline(y, color="0.4", lw=0.8, ls=":")
    ax.axhline(0.0, color="0.4", lw=0.8)
    for boundary, ls, name, what in _BOUNDARIES:
        ax.axvline(boundary(a), color="0.15", lw=1.2, ls=ls)
        ax.annotate(
            f"{name} = {_fmt(boundary(a))}\n({what})",
            (boundary(a), 1.0),
            xytext=(4, 6),
            textcoords="offset points",
            fontsize=8,
        )
    ax.text(
        0.98 * top,
        0.55,
        "|multiplier| < 1:\nthe error shrinks every step",
        ha="right",
        fontsize=8,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )
    for i, lr in enumerate(rates):
        m = error_multiplier(a, lr)
        ax.plot([lr], [m], ms=8, **{**series_style(i), "linestyle": "none"})
        ax.annotate(
            f"\u03b7 = {lr:g}: {m:+.4g}",
            (lr, m),
            xytext=(8, -4 if m > 0 else 4),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_xlim(0, top)
    ax.set_ylim(min(-1.6, line[-1]) - 0.2, 1.6)
    ax.set_xlabel("learning rate \u03b7")
    ax.set_ylabel("error multiplier 1 \u2212 \u03b7a")
    ax.set_title(
        f"a = {a:g}: the error shrinks only while 1 \u2212 \u03b7a stays between \u22121 and 1",
        fontsize=10,
    )
    ax.grid(alpha=0.3)


def regime_runs(
    pairs: Sequence[tuple[float, float]], steps: int = 8, w0_error: float = 1.0
) -> None:
    """Small multiples: the error ``w_k - c`` (relative to its start) for each ``(a, rate)``.

    Points past the chart are clipped to its edge, and the panel says so.
    """
    cols = 3
    rows = math.ceil(len(pairs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(8.0, 2.3 * rows), sharex=True, sharey=True)
    limit = 2.2
    for i, (ax, (a, lr)) in enumerate(zip(np.ravel(axes), pairs, strict=False)):
        run = gradient_descent(Quadratic1D(a=a, c=0.0), w0_error, lr=lr, steps=steps, tol=0.0)
        e = np.asarray(run.weights, dtype=float) / w0_error
        # A run that lands exactly on c stops there (zero gradient); it stays there after.
        e = np.concatenate([e, np.repeat(e[-1:], steps + 1 - len(e))])
        shown = np.clip(e, -limit, limit)
        ax.axhline(0.0, color="0.4", lw=0.8)
        for y in (1.0, -1.0):
            ax.axhline(y, color="0.4", lw=0.6, ls=":")
        ax.plot(np.arange(len(e)), shown, **series_style(i))
        if np.any(np.abs(e) > limit):
            ax.text(0.5, 0.04, "leaves the chart", transform=ax.transAxes, ha="center", fontsize=8)
        ax.set_title(
            f"a = {a:g}, \u03b7 = {lr:g}: \u03b7a = {a * lr:.3g}\n{quadratic_regime(a, lr)}",
            fontsize=9,
        )
        ax.set_ylim(-limit - 0.1, limit + 0.1)
        ax.grid(alpha=0.3)
    for ax in np.ravel(axes)[len(pairs) :]:
        ax.set_visible(False)
    for ax in np.atleast_2d(axes)[:, 0]:
        ax.set_ylabel("error (w_k \u2212 c) / e\u2080")
    for ax in np.atleast_2d(axes)[-1, :]:
        ax.set_xlabel("step k")
    fig.suptitle("The product \u03b7a alone decides the regime", fontsize=11)
    fig.subplots_adjust(hspace=0.55, wspace=0.08, top=0.86)


def tolerance_figure(
    loss: Quadratic1D, w0: float, rates: Sequence[float], tol: float, steps: int
) -> None:
    """The distance ``|w_k - c|`` (log scale) at each rate, the tolerance, and the first step
    within it (the same for every rate in ``rates`` only if their ``|1 - ηa|`` agree)."""
    _fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ks, drawn = [], []
    for i, lr in enumerate(rates):
        run = gradient_descent(loss, w0, lr=lr, steps=steps, tol=0.0)
        dist = distances_to(run.weights, loss.c)
        drawn.append(dist)
        style = series_style(i)
        ax.plot(
            np.arange(len(dist)),
            dist,
            ms=9 - 4 * i,
            fillstyle="none" if i == 0 else "full",
            label=f"rate {lr:g} (multiplier {error_multiplier(loss.a, lr):+.3g})",
            **style,
        )
        ks.append(steps_to_tolerance(loss.a, lr, w0 - loss.c, tol))
    ax.axhline(tol, color="0.2", lw=1.0, ls="--", label=f"tolerance {tol:g}")
    for k in sorted(set(ks)):
        ax.axvline(k, color="0.4", lw=0.8, ls=":")
        ax.annotate(f"step {k}", (k, tol), xytext=(4, 8), textcoords="offset points", fontsize=8)
    value_scale(ax, [*drawn, [tol]], f"distance |w_k \u2212 {loss.c:g}|", minor_ticks=False)
    ax.set_xlabel("step k (updates)")
    multipliers = sorted({abs(error_multiplier(loss.a, lr)) for lr in rates})
    if len(multipliers) == 1 and len(set(ks)) == 1:
        title = (
            f"|w \u2212 {loss.c:g}| shrinks by {multipliers[0]:.3g} per step: "
            f"within {tol:g} at step {ks[0]}"
        )
    else:
        title = (
            "Steps to "
            + f"{tol:g}: "
            + ", ".join(f"{k} at rate {lr:g}" for k, lr in zip(ks, rates, strict=True))
        )
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)


def same_gradient_figure(
    losses: Mapping[str, Quadratic1D], w0: float, lr: float, steps: int
) -> None:
    """Two (or more) quadratics with the same slope at ``w0``: the curves with that tangent
    (left), and the distance to each minimum at the same rate (right, log scale)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.6))
    items = list(losses.items())
    centres = [loss.c for _, loss in items]
    lo, hi = min([*centres, w0]) - 2.5, max([*centres, w0]) + 1.5
    xs = np.linspace(lo, hi, 300)
    fates, drawn = [], []
    for i, (name, loss) in enumerate(items):
        style = series_style(i)
        left.plot(xs, loss.value(xs), color=style["color"], ls=style["linestyle"], label=name)
        run = gradient_descent(loss, w0, lr=lr, steps=steps)
        dist = distances_to(run.weights, loss.c)
        drawn.append(dist)
        right.plot(
            np.arange(len(dist)), dist, label=f"{name}: {quadratic_regime(loss.a, lr)}", **style
        )
        fates.append(f"the run on {name} {run.phrase}")
    tangent = np.array([w0 - 1.0, w0 + 0.6])
    slopes = {float(loss.gradient(w0)) for _, loss in items}
    for i, (_name, loss) in enumerate(items):
        y, slope = float(loss.value(w0)), float(loss.gradient(w0))
        left.plot(tangent, y + slope * (tangent - w0), color="0.15", lw=1.0, ls=":")
        left.plot([w0], [y], ms=8, **{**series_style(i), "linestyle": "none"})
    what = f"same slope {slopes.pop():g}" if len(slopes) == 1 else "the slopes"
    left.annotate(
        f"{what} at w = {w0:g} (dotted tangents)",
        (w0, float(items[0][1].value(w0))),
        xytext=(-150, 24),
        textcoords="offset points",
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": "0.3", "lw": 0.8},
    )
    left.set_ylim(-1, 1.5 * max(float(loss.value(w0)) for _, loss in items) + 4)
    left.set_xlabel("weight w")
    left.set_ylabel("loss L(w)")
    left.set_title("The curves and their tangents at the start", fontsize=9)
    left.legend(fontsize=8, loc="upper left")
    left.grid(alpha=0.3)
    value_scale(right, drawn, "distance to the minimum", minor_ticks=False)
    right.set_xlabel("step k (updates)")
    right.set_title(f"Both runs at rate {lr:g}", fontsize=9)
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle(
        f"Same slope at the start, rate {lr:g}, {count_steps(steps)}: {' but '.join(fates)}",
        fontsize=10,
    )
    fig.subplots_adjust(wspace=0.3, top=0.84)
