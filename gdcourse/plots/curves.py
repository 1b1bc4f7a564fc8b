"""Line plots of runs: the loss against the step, one line per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ..core.placeholder import contains_placeholder
from .style import series_style
from .values import student_numbers

__all__ = ["loss_curves"]


def loss_curves(
    loss: Any,
    runs: Mapping[str, Sequence[float]],
    *,
    title: str = "Loss against step",
    ylabel: str = "loss L(w)",
) -> None:
    """Plot ``loss(w)`` against the step for each run's weights (w0 first), one line per run.

    A run whose weights are still the exercise blank ``____`` is not plotted: a sentence says
    which to fill in first, so an exercise notebook runs top to bottom before it is done. So is
    a run whose weights are no list of numbers (a generator, None, text, a whole run): a
    sentence says what they are and what the plot needs, and no figure is drawn.

    Parameters
    ----------
    loss : Loss
        The loss to evaluate at each weight.
    runs : dict
        ``{label: weights}``, e.g. ``{"rate 0.5": w_05}``.
    title : str
        The figure title; state the finding ("Rate 1.0 bounces; 1.2 diverges").
    """
    blank = [label for label, w in runs.items() if contains_placeholder(w)]
    if blank:
        print(f"Fill in the weights for {', '.join(blank)} first, then run this cell again.")
        return
    shape = tuple(getattr(loss, "shape", ()))
    needs = "a list of numbers, w0 first" if not shape else "a list of points, w0 first"
    arrays = {}
    for label, weights in runs.items():
        w = student_numbers(
            weights,
            f'the weights of "{label}"',
            needs,
            ndim=1 + len(shape),
            width=shape[0] if shape else None,
        )
        if w is None:
            return
        arrays[label] = w
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for i, (label, w) in enumerate(arrays.items()):
        with np.errstate(all="ignore"):
            values = np.asarray(loss.value(w), dtype=float)
        ax.plot(np.arange(len(values)), values, label=label, **series_style(i))
    ax.set_xlabel("step k (updates)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
