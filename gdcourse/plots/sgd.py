"""Figures of lesson 05 (SGD, mini-batch and full batch): variance against batch size, the three
comparisons, the noise floor, and the sharp and flat wells."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .axes import value_scale
from .style import PALETTE, series_style

__all__ = ["comparison_figure", "escape_figure", "noise_floor_figure", "variance_figure"]


def variance_figure(samples, theory_curve) -> None:
    """Measured variance of mini-batch gradients (with 2 standard errors) against the formula.

    ``samples``: VarianceSample list; ``theory_curve``: (batch sizes, variances) of the formula.
    """
    _fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    bs, vs = theory_curve
    ax.plot(
        bs, vs, color="0.3", lw=1.5, label="theory  \u03c3\u00b2/B \u00b7 (N\u2212B)/(N\u22121)"
    )
    ax.plot(bs, vs[0] / np.asarray(bs), color="0.3", ls=":", lw=1.2, label="1/B alone")
    b = [s.batch_size for s in samples]
    ax.errorbar(
        b,
        [s.measured for s in samples],
        yerr=[2 * s.stderr for s in samples],
        color=PALETTE[1],
        marker="o",
        ls="none",
        capsize=3,
        label=f"measured ({samples[0].n_batches} batches each, \u00b12 s.e.)",
    )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size B (log scale)")
    ax.set_ylabel("E|g_B \u2212 g|\u00b2 (log scale)")
    ax.set_title("The variance falls like 1/B, and faster near B = N")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)


def comparison_figure(comparisons, min_loss: float) -> None:
    """Excess loss of each method against updates, epochs and seconds (three panels)."""
    _fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), layout="constrained", sharey=True)
    xs = (
        ("updates (log scale)", lambda c: c.updates),
        ("epochs (examples processed / N)", lambda c: np.arange(c.run.epochs + 1)),
        ("seconds, measured on this machine (log)", lambda c: c.seconds),
    )
    for i, c in enumerate(comparisons):
        for ax, (_, x) in zip(axes, xs, strict=True):
            ax.plot(
                x(c)[1:] if ax is not axes[1] else x(c),
                (c.run.losses - min_loss)[1:] if ax is not axes[1] else c.run.losses - min_loss,
                **series_style(i),
                ms=4,
                label=f"{c.name} (B={c.batch_size}, rate {c.lr:g})",
            )
    excess = [c.run.losses - min_loss for c in comparisons]
    for ax, (label, _) in zip(axes, xs, strict=True):
        ax.set_xlabel(label)
        value_scale(ax, excess, "loss \u2212 minimum")
        ax.grid(alpha=0.3)
    for ax in axes[1:]:
        ax.set_ylabel("")  # the panels share the first one's axis
    axes[0].set_xscale("log")
    axes[2].set_xscale("log")
    axes[0].set_title("Per update: full batch needs fewest", fontsize=10)
    axes[1].set_title("Per epoch: small batches learn most per pass", fontsize=10)
    axes[2].set_title("Per second: depends on the machine", fontsize=10)
    axes[1].legend(fontsize=8, frameon=False)


def noise_floor_figure(runs: dict, min_loss: float) -> None:
    """Excess loss per epoch of constant-rate SGD at several rates: each levels off at a floor."""
    _fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    for i, (lr, run) in enumerate(runs.items()):
        ax.plot(run.losses - min_loss, **series_style(i), ms=3, label=f"rate {lr:g}")
    value_scale(ax, [run.losses - min_loss for run in runs.values()], "loss \u2212 minimum")
    ax.set_xlabel("epoch")
    ax.set_title("Constant-rate SGD levels off; a larger rate, a higher floor")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)


def escape_figure(loss, fractions: dict, w0: float) -> None:
    """Left: the sharp and the flat well and the start. Right: fraction ending flat vs noise."""
    _fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    sharp, barrier, flat = loss.minima()
    xs = np.linspace(-2.5, 3.5, 800)
    left.plot(xs, loss.value(xs), color="0.3")
    left.plot([w0], [loss.value(w0)], marker="s", color=PALETTE[0], ms=8, ls="none", label="start")
    left.axvline(barrier, color=PALETTE[1], ls="--", label=f"barrier w = {barrier:.2f}")
    left.annotate("sharp", (sharp, loss.value(sharp)), (sharp - 1.2, -0.4))
    left.annotate("flat", (flat, loss.value(flat)), (flat + 0.6, -0.4))
    left.set_xlabel("weight w")
    left.set_ylabel("loss L(w)")
    left.set_title("A sharp and a flat minimum", fontsize=10)
    left.legend(fontsize=8, frameon=False)
    noise = list(fractions)
    right.plot(noise, [fractions[s] for s in noise], **series_style(2))
    right.set_ylim(-0.05, 1.05)
    right.set_xlabel("gradient noise (standard deviation)")
    right.set_ylabel("fraction of runs ending in the flat basin")
    right.set_title("Enough noise kicks runs out of the sharp basin", fontsize=10)
    right.grid(alpha=0.3)
