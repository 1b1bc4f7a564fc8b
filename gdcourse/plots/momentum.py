"""Figures of lesson 09 (momentum and adaptive rates): the stable region of heavy ball and
Nesterov, runs either side of heavy ball's limit, the damped zig-zag, the distance to the minimum
with and without momentum, and Adam's path under a scaled loss.

Every curve is the core's: ``momentum_radius``, ``heavy_ball_limit``, ``nesterov_limit`` and runs
of ``gradient_descent`` with the core's update rules; the figures only draw them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ..core import (
    Quadratic1D,
    QuadraticBowl,
    distances_to,
    gradient_descent,
    heavy_ball_limit,
    momentum,
    momentum_radius,
    nesterov_limit,
)
from .conditioning import draw_bowl_contours
from .style import PALETTE, series_style

__all__ = [
    "distance_figure",
    "limit_runs_figure",
    "paths_figure",
    "spiral_figure",
    "stability_region_figure",
]


def stability_region_figure(mu_max: float = 0.95, h_max: float = 4.2) -> None:
    """Where heavy ball converges on a quadratic, by ``mu`` and ``h = lr * lambda``: the
    spectral radius (``momentum_radius``) shaded where it is below 1, hatched elsewhere; the two
    limits ``2 (1 + mu)`` (heavy ball) and ``2 (1 + mu) / (1 + 2 mu)`` (Nesterov) as lines."""
    mus = np.linspace(0.0, mu_max, 96)
    hs = np.linspace(0.02, h_max, 120)
    radius = np.array([[momentum_radius(1.0, h, mu) for mu in mus] for h in hs])
    _fig, ax = plt.subplots(figsize=(6.6, 4.0), layout="constrained")
    stable = np.where(radius < 1.0, radius, np.nan)  # only where it converges is shaded
    shade = ax.contourf(mus, hs, stable, levels=np.linspace(0, 1, 11), cmap="cividis", alpha=0.85)
    plt.colorbar(shade, ax=ax, label="spectral radius (per-step factor) where below 1")
    ax.contourf(  # the rest hatched: radius 1 or more, no convergence
        mus, hs, (radius >= 1.0).astype(float), levels=[0.5, 1.5], colors="none", hatches=["//"]
    )
    ax.text(
        0.02 * mu_max,
        0.97 * h_max,
        "radius \u2265 1: no convergence",
        fontsize=8,
        ha="left",
        va="top",
        bbox={"facecolor": "white", "alpha": 0.8, "lw": 0},
    )
    ax.plot(
        mus,
        [heavy_ball_limit(m) for m in mus],
        color=PALETTE[1],
        lw=2.2,
        label="heavy ball's limit 2(1 + \u03bc)",
    )
    ax.plot(
        mus,
        [nesterov_limit(m) for m in mus],
        color=PALETTE[2],
        lw=2.2,
        ls="--",
        label="Nesterov's limit 2(1 + \u03bc)/(1 + 2\u03bc)",
    )
    ax.axhline(2.0, color="white", lw=1, ls=":", label="plain descent's limit 2")
    ax.set_xlabel("momentum \u03bc")
    ax.set_ylabel("\u03b7\u03bb (rate times curvature)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(
        "Heavy ball converges below 2(1 + \u03bc): momentum widens the stable range",
        fontsize=10,
    )


def limit_runs_figure(mu: float, a: float, w0: float, factors: Sequence[float], steps: int) -> None:
    """Heavy-ball runs on ``a/2 w^2`` at rates ``factor * heavy_ball_limit(mu) / a``: the
    distance to the minimum (log scale) against the step, one line per factor."""
    loss = Quadratic1D(a=a, c=0.0)
    limit = heavy_ball_limit(mu)
    _fig, ax = plt.subplots(figsize=(6.6, 3.8), layout="constrained")
    for i, factor in enumerate(factors):
        lr = factor * limit / a
        run = gradient_descent(loss, w0, lr=lr, steps=steps, tol=None, update=momentum(mu))
        style = series_style(i)
        ax.plot(
            np.maximum(distances_to(run.weights, 0.0), 1e-300),
            color=style["color"],
            ls=style["linestyle"],
            lw=1.5,
            label=f"\u03b7a = {factor:g} \u00d7 2(1 + \u03bc): {run.phrase}",
        )
    ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("distance to the minimum |w\u2096| (log scale)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(
        f"\u03bc = {mu:g}: just inside 2(1 + \u03bc) = {limit:.2g} the run shrinks, just outside "
        "it grows",
        fontsize=10,
    )


def paths_figure(
    bowl: QuadraticBowl,
    w0: Sequence[float],
    runs: Mapping[str, Any],
    title: str = "Momentum's first swings are wider, but it ends far closer to the minimum",
) -> None:
    """Runs over a 2-D bowl's contours, one panel per run (label -> ``Trajectory``), each
    titled with its distance to the minimum at its last step; ``title`` states the finding."""
    fig, axes = plt.subplots(1, len(runs), figsize=(4.3 * len(runs), 3.9), layout="constrained")
    axes = np.atleast_1d(axes)
    reach = 1.15 * max(float(np.max(np.abs(run.weights))) for run in runs.values())
    for i, (ax, (label, run)) in enumerate(zip(axes, runs.items(), strict=True)):
        draw_bowl_contours(ax, bowl, (-reach, reach, -reach, reach))
        ax.plot(run.weights[:, 0], run.weights[:, 1], color=PALETTE[i + 1], marker="o", ms=3, lw=1)
        ax.plot(*w0, color=PALETTE[0], marker="s", ms=8, ls="none")
        ax.plot(0, 0, color="black", marker="*", ms=10, ls="none")
        ax.set_aspect("equal")
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.set_xlabel("parameter x")
        ax.set_ylabel("parameter y")
        gap = float(distances_to(run.weights[-1:], bowl.minimizer)[0])
        ax.set_title(f"{label}\n{gap:.2g} from the minimum after {run.n_steps} steps", fontsize=9)
    fig.suptitle(title, fontsize=11)


def distance_figure(runs: Mapping[str, Any], target: Sequence[float], title: str) -> None:
    """The distance to ``target`` over the start's, log scale, against the step: one line per
    run (label -> ``Trajectory``). ``title`` states what the runs show."""
    _fig, ax = plt.subplots(figsize=(6.6, 3.8), layout="constrained")
    for i, (label, run) in enumerate(runs.items()):
        d = distances_to(run.weights, np.asarray(target, dtype=float))
        style = series_style(i)
        ax.plot(
            np.maximum(d / d[0], 1e-300),
            color=style["color"],
            ls=style["linestyle"],
            lw=1.5,
            label=label,
        )
    ax.set_yscale("log")
    ax.set_xlabel("step k")
    ax.set_ylabel("distance to the minimum / at the start (log scale)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)


def spiral_figure(a: float, lr: float, mus: Sequence[float], w0: float, steps: int) -> None:
    """Heavy-ball runs on ``a/2 w^2``, one per ``mu``, drawn in the plane of the error ``w_k`` and
    the velocity ``v_k = w_k - w_(k-1)`` (heavy ball's own): a complex pair of eigenvalues makes
    a spiral that shrinks by ``sqrt(mu)`` each step."""
    loss = Quadratic1D(a=a, c=0.0)
    _fig, ax = plt.subplots(figsize=(5.2, 4.4), layout="constrained")
    for i, mu in enumerate(mus):
        run = gradient_descent(loss, w0, lr=lr, steps=steps, tol=None, update=momentum(mu))
        w = np.asarray(run.weights, dtype=float)
        style = series_style(i)
        r = momentum_radius(a, lr, mu)
        ax.plot(
            w[1:],
            np.diff(w),
            color=style["color"],
            ls=style["linestyle"],
            lw=1.2,
            marker=style["marker"],
            ms=2.5,
            label=f"\u03bc = {mu:g}: factor {r:.3f} a step",
        )
    ax.plot(0, 0, color="black", marker="*", ms=10, ls="none")
    ax.set_xlabel("error w\u2096")
    ax.set_ylabel("velocity v\u2096 = w\u2096 \u2212 w\u2096\u208b\u2081")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(
        "Too much momentum spirals: each step shrinks it only by \u221a\u03bc", fontsize=10
    )
