"""Figures of lesson 06 (learning-rate schedules and the range test): rates against step, noisy
losses against step, the sweep of fresh runs and the single-run range test."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np

from ..core import CourseTypeError, RangeTest, max_stable_lr
from .axes import value_scale
from .style import PALETTE, series_style

__all__ = ["losses_figure", "range_test_figure", "rates_figure", "sweep_figure"]


def rates_figure(schedules: dict, steps: int, title: str) -> None:
    """The rate against step of each named schedule (``{label: schedule}``)."""
    _fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    t = np.arange(steps)
    for i, (label, s) in enumerate(schedules.items()):
        ax.plot(
            t, s.rates(steps), **series_style(i), markevery=max(steps // 10, 1), ms=5, label=label
        )
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate \u03b7_t")
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)


def losses_figure(
    curves: dict, floors: dict, title: str, ylabel: str = "loss L(w) (log scale)"
) -> None:
    """Loss against step (log y) of each named run (``{label: losses}``), with dotted horizontal
    lines at the predicted noise floors (``{label: level}``). A loss of 0 or below turns the axis
    linear (a log axis would drop it), and the label says so."""
    _fig, ax = plt.subplots(figsize=(8.6, 3.6), layout="constrained")
    drawn = []
    for i, (label, losses) in enumerate(curves.items()):
        losses = np.asarray(losses, dtype=float)
        drawn.append(losses)
        ax.plot(
            np.arange(len(losses)),
            losses,
            **series_style(i),
            lw=1,
            ms=4,
            markevery=max(len(losses) // 10, 1),
            alpha=0.85,
            label=label,
        )
    for j, (label, level) in enumerate(floors.items()):
        ax.axhline(level, color="0.25", ls=(":", "--")[j % 2], lw=1.2, label=label)
    if value_scale(ax, [*drawn, list(floors.values())], "loss") == "log":
        ax.set_ylabel(ylabel)
    else:  # a loss of 0 or below: a log axis would drop it, and the label must not say "log"
        words = re.sub(r"\s*\((log|log scale)\)$", "", ylabel)
        ax.set_ylabel(f"{words}, linear scale (some values are \u2264 0)")
    ax.set_xlabel("step")
    ax.minorticks_off()
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)


def sweep_figure(a: float, lrs, ratios, steps: int) -> None:
    """Loss after ``steps`` steps over the start loss, one fresh run per rate (log-log)."""
    _fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    ratios = np.asarray(ratios, dtype=float)
    shown = np.clip(ratios, 1e-8, 1e4)
    ax.plot(lrs, shown, **series_style(0), ms=3, label=f"loss after {steps} steps / start loss")
    ax.axhline(1.0, color="0.3", ls=":", lw=1.2, label="the start loss")
    edge = max_stable_lr(a)
    ax.axvline(edge, color=PALETTE[1], ls="--", lw=1.5, label=f"2/a = {edge:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate \u03b7 (log scale)")
    ax.set_ylabel("L_k / L_0 (log scale)")
    ax.minorticks_off()
    ax.set_title(f"The sweep crosses the start loss at exactly 2/a = {edge:g}")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(alpha=0.3)


def range_test_figure(test, stable_limit: float | None = None, *, annotate: bool = True) -> None:
    """A range test (:func:`gdcourse.range_test`): each batch's loss and the smoothed loss against
    the rate (log x, log y), marking where the smoothed loss blows up, the rate ten times smaller,
    the rate of the lowest smoothed loss and, if known, the limit 2/lambda_max.
    ``annotate=False`` draws the curves alone, for a student to read. Losses above ten times the
    first smoothed loss are off the chart (a triangle at the top marks where they leave it)."""
    if not isinstance(test, RangeTest):
        raise CourseTypeError(
            f"range_test_figure draws the result of gdcourse.range_test(...), got {test!r}"
        )
    _fig, ax = plt.subplots(figsize=(6.8, 3.8), layout="constrained")
    top = 10 * float(test.smoothed[0])
    for values, style in (
        (test.losses, {"color": "0.55", "lw": 0.8, "label": "loss of each batch"}),
        (
            test.smoothed,
            {
                **series_style(0),
                "ms": 3,
                "markevery": 5,
                "label": f"smoothed (moving average, {test.smoothing:g})",
            },
        ),
    ):
        shown = np.where(np.isfinite(values) & (values <= top), values, np.nan)
        ax.plot(test.rates, shown, **style)
    gone = np.flatnonzero(~(test.smoothed <= top))
    if gone.size:
        ax.plot(
            test.rates[gone[0]],
            top,
            "^",
            color=PALETTE[0],
            ms=8,
            clip_on=False,
            label="smoothed loss off the chart from here",
        )
    marks = []
    if annotate and test.blow_up is not None:
        marks.append(
            (
                1,
                test.blow_up,
                "-",
                f"blow-up ({test.blow_up_factor:g}\u00d7 the lowest): {test.blow_up:#.2g}",
            )
        )
    if annotate:
        marks.append((2, test.at_minimum, ":", f"lowest smoothed loss: {test.at_minimum:#.2g}"))
    if annotate and stable_limit is not None:
        marks.append((3, stable_limit, "-.", f"limit 2/\u03bb_max: {stable_limit:.2g}"))
    if annotate and test.suggested is not None:
        marks.append((4, test.suggested, "--", f"pick 10\u00d7 below: {test.suggested:#.2g}"))
    for i, x, ls, label in marks:
        ax.axvline(x, color=PALETTE[i], ls=ls, lw=1.5, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate at that step (log scale)")
    ax.set_ylabel("training loss (log scale)")
    ax.minorticks_off()  # (log minor ticks make the layout slow)
    if not annotate:
        title = "A range test: where does the smoothed loss blow up?"
    elif test.blow_up is None:
        title = "The loss never blew up: raise lr_max to find the blow-up"
    else:
        title = "Pick a rate well before the blow-up, not at the lowest loss"
    ax.set_title(title)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.grid(alpha=0.3)
