"""How a figure scales an axis of losses, distances or step lengths: logarithmic when every value
drawn is above 0, linear otherwise, and the axis label says which (and why).

A log axis silently drops a value of 0 (a run that lands on the minimum) or below 0 (a double
well's loss): the line would end early and the picture would lie.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import NullLocator

__all__ = ["value_scale"]


def value_scale(ax: Axes, values: Iterable[Any], label: str, *, minor_ticks: bool = True) -> str:
    """Scale ``ax``'s y axis for ``values`` (every series drawn on it) and label it.

    Returns ``"log"`` when every finite value is above 0; otherwise ``"linear"``, and the label
    says that some values are 0 or below. Non-finite values (an overflow) are not drawn on
    either scale and do not decide it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> value_scale(ax, [[16.0, 0.0]], "loss L(w_k)"), ax.get_ylabel()
    ('linear', 'loss L(w_k), linear scale (some values are \u2264 0)')
    >>> value_scale(ax, [[16.0, 1e-3]], "loss L(w_k)"), ax.get_ylabel()
    ('log', 'loss L(w_k), log scale')
    >>> plt.close("all")
    """
    arrays = [np.asarray(v, dtype=float).ravel() for v in values]
    drawn = np.concatenate(arrays) if arrays else np.array([])
    with np.errstate(invalid="ignore"):
        finite = drawn[np.isfinite(drawn)]
    if finite.size and np.all(finite > 0):
        ax.set_yscale("log")
        if not minor_ticks:
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylabel(f"{label}, log scale")
        return "log"
    ax.set_yscale("linear")
    ax.set_ylabel(f"{label}, linear scale (some values are \u2264 0)")
    return "linear"
