"""Figures of single updates on a 2-D loss: where different update rules land from one point.

Lesson 02 draws one step of gradient descent (every parameter at once) beside the same step
taken one parameter after another, over the loss's contour lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from ..core import CourseValueError
from .style import series_style

__all__ = ["update_paths"]


def _fmt_point(p: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in p) + ")"


def _where(text: str, point: np.ndarray, loss: Any) -> str:
    return f"{text} {_fmt_point(point)}, loss {float(loss.value(point)):.4g}"


def update_paths(
    loss: Any,
    paths: Mapping[str, Sequence[Sequence[float]]],
    *,
    title: str,
    extent: tuple[float, float, float, float] | None = None,
) -> None:
    """Draw each path of points over the contours of a 2-D ``loss``, one style per path.

    Every path starts at the same point (drawn once, as a black square); each leg is an arrow,
    and the legend names where each path ends and the loss there.

    Parameters
    ----------
    loss : Loss
        A loss of two parameters (``loss.shape == (2,)``).
    paths : dict
        ``{label: points}``, each an array of shape ``(m, 2)`` from the start to the end, e.g.
        ``{"at once": [w0, w1], "x first, then y": [w0, w_half, w1]}``.
    title : str
        The figure title; state the finding.
    extent : (xmin, xmax, ymin, ymax), optional
        The plotted window; default: around every point and the minimiser.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> update_paths(QuadraticBowl([1.0, 3.0]), {"at once": [[2, 0], [1.5, 0]]}, title="t")
    >>> plt.gca().get_legend().get_texts()[1].get_text()
    'at once: ends at (1.5, 0), loss 1.125'
    >>> plt.close("all")
    """
    if tuple(getattr(loss, "shape", ())) != (2,):
        raise CourseValueError(f"update_paths needs a loss of two parameters, got {loss!r}")
    arrays = {label: np.asarray(p, dtype=float).reshape(-1, 2) for label, p in paths.items()}
    if extent is None:
        points = np.concatenate([*arrays.values(), np.atleast_2d(getattr(loss, "minimizer", []))])
        low, high = points.min(axis=0), points.max(axis=0)
        middle, half = (low + high) / 2, 0.6 * max(float(np.max(high - low)), 1.0)
        extent = (middle[0] - half, middle[0] + half, middle[1] - half, middle[1] + half)
    x0, x1, y0, y1 = extent

    _, ax = plt.subplots(figsize=(5.6, 6.0), layout="constrained")
    xs, ys = np.linspace(x0, x1, 200), np.linspace(y0, y1, 200)
    values = np.asarray(loss.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
    levels = np.unique(np.quantile(values, np.linspace(0.0, 1.0, 12) ** 2))
    ax.contour(xs, ys, values, levels=levels, cmap="cividis", linewidths=0.8, alpha=0.8)
    start = next(iter(arrays.values()))[0]
    ax.plot(*start, "ks", ms=8, label=_where("start", start, loss), zorder=5)
    for i, (label, pts) in enumerate(arrays.items()):
        style = series_style(i)
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            color=style["color"],
            linestyle=style["linestyle"],
            marker=style["marker"],
            ms=7,
            lw=1.6,
            label=_where(f"{label}: ends at", pts[-1], loss),
            zorder=4,
        )
        for a, b in pairwise(pts):
            ax.annotate(
                "",
                xy=b,
                xytext=a,
                arrowprops={"arrowstyle": "-|>", "color": style["color"], "lw": 1.6},
                zorder=4,
            )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=9, frameon=False)
