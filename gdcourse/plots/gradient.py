"""Pictures of lesson 01, the gradient as a direction: slopes, partial derivatives on contours,
directions at a point, and the error of difference quotients.

Each helper draws with pyplot and returns None (a returned Figure would display twice); tests
inspect ``plt.gcf()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ..core import (
    DifferenceErrors,
    angle_of,
    directional_derivative,
    sign_label,
    unit_vector,
)
from ..core.placeholder import contains_placeholder
from .findings import times
from .style import PALETTE
from .values import student_numbers

__all__ = [
    "arrows_picture",
    "contour_levels",
    "difference_error_picture",
    "partial_sign_picture",
    "polynomial_text",
    "reading_levels",
    "slope_picture_1d",
    "slopes_picture",
]

MINUS = "\u2212"


def _coef(value: float, var: str, first: bool) -> str:
    """One signed term, e.g. ``" − 2xy"``; coefficient 1 is left out."""
    mag = abs(value)
    number = "" if math.isclose(mag, 1.0) and var else f"{mag:.4g}"
    if first:
        return f"{MINUS if value < 0 else ''}{number}{var}"
    return f" {MINUS if value < 0 else '+'} {number}{var}"


def polynomial_text(loss: Any) -> str:
    """The formula of a 2-D quadratic bowl as a polynomial, e.g. ``"1.5x² − 2xy + 1.5y²"``.

    Other losses give their own ``formula``.

    Examples
    --------
    >>> import math
    >>> from gdcourse import QuadraticBowl
    >>> polynomial_text(QuadraticBowl([1.0, 5.0], rotation=math.pi / 4))
    '1.5x² − 2xy + 1.5y²'
    >>> polynomial_text(QuadraticBowl([2.0, 4.0], center=[1.0, -2.0]))
    '(x − 1)² + 2(y + 2)²'
    """
    matrix = getattr(loss, "matrix", None)
    if matrix is None or np.shape(matrix) != (2, 2):
        return str(getattr(loss, "formula", ""))
    cx, cy = (float(c) for c in loss.center)

    def shifted(name: str, c: float) -> str:
        if c == 0:
            return name
        return f"({name} {MINUS if c > 0 else '+'} {abs(c):g})"

    x, y = shifted("x", cx), shifted("y", cy)
    terms = [
        (matrix[0, 0] / 2, f"{x}\u00b2"),
        (matrix[0, 1], f"{x}{y}"),
        (matrix[1, 1] / 2, f"{y}\u00b2"),
    ]
    out = ""
    for value, var in terms:
        value = round(float(value), 10)
        if value != 0:
            out += _coef(value, var, not out)
    return out or "0"


def contour_levels(values: np.ndarray, n: int = 12) -> np.ndarray:
    """About ``n`` contour levels, denser near the minimum, rounded to two significant digits."""
    values = np.asarray(values, dtype=float)
    low, high = float(np.min(values)), float(np.max(values))
    raw = low + (high - low) * np.linspace(0.0, 1.0, n + 2)[1:-1] ** 2
    rounded = [float(f"{v:.2g}") for v in raw]
    return np.unique([v for v in rounded if low < v < high])


def _grid(loss: Any, extent: Sequence[float], n: int = 200) -> tuple[np.ndarray, ...]:
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    return xs, ys, np.asarray(loss.value(grid), dtype=float)


def _contours(ax: Axes, loss: Any, extent: Sequence[float], *, labels: bool = True) -> None:
    """Labelled contours of ``loss`` over ``extent``, equal aspect, labelled axes."""
    xs, ys, values = _grid(loss, extent)
    cs = ax.contour(xs, ys, values, levels=contour_levels(values), cmap="cividis", linewidths=0.9)
    if labels:
        ax.clabel(cs, fontsize=7, fmt="%g")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")


def _around(point: np.ndarray, minimum: Any, margin: float) -> tuple[float, ...]:
    """A square window holding ``point`` and ``minimum`` (if known) with ``margin`` around."""
    corners = np.vstack([point, minimum]) if minimum is not None else point[None, :]
    low, high = corners.min(axis=0) - margin, corners.max(axis=0) + margin
    half = float((high - low).max()) / 2
    mid = (low + high) / 2
    return (mid[0] - half, mid[0] + half, mid[1] - half, mid[1] + half)


def slope_picture_1d(loss: Any, w: float, *, half_width: float | None = None) -> None:
    """A 1-D loss with its tangent at ``w`` and arrows for the gradient and its negative.

    The title states which way is uphill and which way descent moves.
    """
    w = float(w)
    g = float(loss.gradient(w))
    centre = float(getattr(loss, "minimizer", w))
    half = half_width or 1.6 * max(abs(w - centre), 1.0)
    xs = np.linspace(centre - half, centre + half, 300)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(xs, loss.value(xs), color="0.3", lw=1.8, label=f"loss L(w) = {loss.formula}")
    near = np.linspace(w - 0.35 * half, w + 0.35 * half, 2)
    ax.plot(
        near,
        loss.value(w) + g * (near - w),
        color=PALETTE[0],
        ls="--",
        lw=1.5,
        label=f"tangent at w = {w:g}: slope {g:+g}",
    )
    ax.plot([w], [loss.value(w)], "o", color="black", ms=7, zorder=5)
    y_arrow = -0.08 * float(np.max(loss.value(xs)))
    length = 0.3 * half
    uphill = math.copysign(1.0, g) if g else 0.0
    ax.annotate(
        "",
        xy=(w + uphill * length, y_arrow),
        xytext=(w, y_arrow),
        arrowprops={"arrowstyle": "-|>", "color": PALETTE[0], "lw": 2},
    )
    ax.text(
        w + uphill * length / 2,
        y_arrow * 0.6,
        "gradient: uphill",
        ha="center",
        va="bottom",
        color=PALETTE[0],
        fontsize=8.5,
    )
    ax.annotate(
        "",
        xy=(w - uphill * length, y_arrow),
        xytext=(w, y_arrow),
        arrowprops={"arrowstyle": "-|>", "color": PALETTE[1], "lw": 2, "ls": "--"},
    )
    ax.text(
        w - uphill * length / 2,
        y_arrow * 1.4,
        "\u2212gradient: descent",
        ha="center",
        va="top",
        color=PALETTE[1],
        fontsize=8.5,
    )
    uphill_right = sign_label(g, tol=0.0) == "positive"
    side = "right (larger w)" if uphill_right else "left (smaller w)"
    other = "left" if uphill_right else "right"
    ax.set_title(
        f"At w = {w:g} the slope is {g:+g}: uphill is to the {side}, so descent moves {other}",
        fontsize=10,
    )
    ax.set_xlabel("weight w")
    ax.set_ylabel("loss L(w)")
    ax.set_ylim(y_arrow * 2.8, None)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.legend(fontsize=8, loc="upper center")
    fig.tight_layout()


def reading_levels(around: float, top: float) -> np.ndarray:
    """Contour levels for reading a picture near a point where the loss is ``around``: an even,
    round spacing (about 8 steps up to ``around``) to 1.4 times that value, then coarser round
    values up to ``top``.

    >>> reading_levels(9.0, 62.0).tolist()
    [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0]
    """
    raw = around / 8
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    fine = np.arange(1, int(1.4 * around / step) + 1) * step
    coarse = [m * 10.0**k for k in range(-3, 8) for m in (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0)]
    coarse = [c for c in coarse if 1.2 * fine[-1] < c < top]
    return np.unique(np.round(np.concatenate([fine, coarse]), 12))


def partial_sign_picture(
    loss: Any,
    point: Sequence[float],
    *,
    extent: Sequence[float] | None = None,
    label: str = "P",
) -> None:
    """Labelled contours with a point and the two lines through it along which x or y moves.

    The slope along the horizontal line (``y`` held fixed) is ``∂L/∂x``; along the vertical line
    (``x`` held fixed) it is ``∂L/∂y``. The picture asks the question; it does not answer it:
    the contour labels next to the point are there to be read.
    """
    p = np.asarray(point, dtype=float)
    px, py = p
    minimum = getattr(loss, "minimizer", None)
    extent = extent or _around(p, minimum, margin=1.5)
    xs, ys, values = _grid(loss, extent)
    levels = reading_levels(float(loss.value(p)), float(values.max()))
    fig, ax = plt.subplots(figsize=(5.6, 5.6))
    lines = ax.contour(xs, ys, values, levels=levels, cmap="cividis", linewidths=1.0)
    width = extent[1] - extent[0]
    offsets = (-0.2, -0.1, 0.1, 0.2)
    spots = [(px + d * width, py) for d in offsets] + [(px, py + d * width) for d in offsets]
    spots = [s for s in spots if extent[0] < s[0] < extent[1] and extent[2] < s[1] < extent[3]]
    ax.clabel(lines, fontsize=9, fmt="%g", manual=spots, inline_spacing=3)
    ax.axhline(
        py, color=PALETTE[1], ls="--", lw=1.5, label=f"y held at {py:g}: slope is \u2202L/\u2202x"
    )
    ax.axvline(
        px, color=PALETTE[0], ls=":", lw=2.0, label=f"x held at {px:g}: slope is \u2202L/\u2202y"
    )
    ax.plot([px], [py], "o", color="black", ms=8, zorder=5)
    ax.annotate(
        label,
        (px, py),
        xytext=(7, 7),
        textcoords="offset points",
        fontsize=13,
        weight="bold",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
    )
    if minimum is not None:
        ax.plot(*np.asarray(minimum, dtype=float), "*", color="black", ms=11, label="minimum")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")
    ax.set_title(
        f"L(x, y) = {polynomial_text(loss)}\nThe labels are loss values: read them along each "
        f"line through {label}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="lower right", framealpha=0.95)
    fig.tight_layout()


def difference_error_picture(
    hs: Sequence[float], central: Sequence[float], forward: Sequence[float]
) -> None:
    """The error of central and forward differences against the step ``h``, log-log.

    The steps are 10x apart (as ``gdcourse.difference_errors`` measures them); the title states
    the finding: how many times each error shrinks from the first step to the next
    (``DifferenceErrors.shrink``).
    """
    hs, central, forward = (np.asarray(v, dtype=float) for v in (hs, central, forward))
    c_shrink, f_shrink = DifferenceErrors(hs, central, forward).shrink()
    c_ratio, f_ratio = float(c_shrink[0]), float(f_shrink[0])
    fig, ax = plt.subplots(figsize=(6.4, 3.9))
    ax.loglog(
        hs, forward, color=PALETTE[1], marker="s", ls="--", label="forward (f(w+h) \u2212 f(w)) / h"
    )
    ax.loglog(
        hs,
        central,
        color=PALETTE[0],
        marker="o",
        ls="-",
        label="central (f(w+h) \u2212 f(w\u2212h)) / 2h",
    )
    ax.minorticks_off()  # log-axis minor ticks cost half a second and add nothing here
    ax.set_xlabel("step h (log scale)")
    ax.set_ylabel("error |estimate \u2212 true derivative|")
    ax.set_title(
        f"h 10x smaller: central error {times(c_ratio)}x smaller (order h\u00b2), "
        f"forward only {times(f_ratio)}x (order h)",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()


def slopes_picture(
    gradient: Sequence[float], angles: Sequence[float], slopes: Any, *, who: str = "your slopes"
) -> None:
    """Slopes at the given angles (degrees) on the curve ``|∇L| cos(θ − θ*)``.

    While ``slopes`` is still the exercise blank ``____``, prints what to fill in instead; while
    the gradient, the angles or the slopes are no list of numbers of the right length (a
    generator, None, text, ...), prints one sentence saying so and draws nothing.
    """
    if contains_placeholder(gradient) or contains_placeholder(slopes):
        print("Fill in the gradient and the slopes first, then run this cell again.")
        return
    g = student_numbers(gradient, "the gradient", "two numbers (dL/dx, dL/dy)", length=2)
    if g is None:
        return
    if not np.all(np.isfinite(g)):  # the curve of slopes needs a direction to draw from
        print(
            f"The plot waits: the gradient should be two finite numbers (dL/dx, dL/dy), but "
            f"got ({g[0]:g}, {g[1]:g}): look at how grad_at_point was computed."
        )
        return
    degrees = student_numbers(angles, "the angles", "a list of numbers (degrees)")
    if degrees is None:
        return
    n = len(degrees)
    needs = f"{n} numbers, one slope per angle"
    dots = student_numbers(slopes, "the slopes", needs, length=n)
    if dots is None:
        return
    theta = np.linspace(0.0, 360.0, 361)
    star = angle_of(g)
    length = float(directional_derivative(g, star))  # the largest slope: along the gradient
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(
        theta,
        directional_derivative(g, theta),
        color=PALETTE[0],
        lw=1.6,
        label="|\u2207L| cos(\u03b8 \u2212 \u03b8*)",
    )
    ax.plot(
        degrees,
        dots,
        "D",
        color=PALETTE[1],
        ms=8,
        ls="none",
        label=who,
    )
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xticks(range(0, 361, 45))
    ax.set_xlabel("direction \u03b8 (degrees from the x-axis)")
    ax.set_ylabel("slope along u (loss per unit step)")
    ax.set_title(
        f"Every slope lies on one cosine: largest, {length:.3g}, at \u03b8* = {star:.0f}\u00b0",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()


def arrows_picture(
    loss: Any,
    point: Sequence[float],
    arrows: Mapping[str, Sequence[float]],
    *,
    extent: Sequence[float] | None = None,
) -> None:
    """Labelled contours, the contour through ``point`` (dashed), and arrows of one length from
    ``point``, one per label.

    Which arrow is which is the question; the picture does not say.
    """
    p = np.asarray(point, dtype=float)
    minimum = getattr(loss, "minimizer", None)
    extent = extent or _around(p, minimum, margin=1.8)
    xs, ys, values = _grid(loss, extent)
    here = float(loss.value(p))
    fig, ax = plt.subplots(figsize=(5.6, 5.6))
    lines = ax.contour(
        xs,
        ys,
        values,
        levels=reading_levels(here, float(values.max())),
        cmap="cividis",
        linewidths=0.9,
    )
    ax.clabel(lines, fontsize=7.5, fmt="%g")
    ax.contour(xs, ys, values, levels=[here], colors="black", linestyles="--", linewidths=1.4)
    length = 0.2 * (extent[1] - extent[0])
    for i, (name, vector) in enumerate(arrows.items()):
        u = unit_vector(angle_of(vector))
        tip = p + length * u
        colour = PALETTE[i % len(PALETTE)]
        ax.annotate(
            "",
            xy=tuple(tip),
            xytext=tuple(p),
            arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.4, "mutation_scale": 18},
        )
        ax.annotate(
            name,
            tuple(p + 1.15 * length * u),
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            color=colour,
        )
    ax.plot(*p, "o", color="black", ms=7, zorder=5)
    handles = [
        Line2D(
            [], [], color="black", ls="--", lw=1.4, label=f"contour through the point, L = {here:g}"
        )
    ]
    if minimum is not None:
        (star,) = ax.plot(*np.asarray(minimum, dtype=float), "*", color="black", ms=11)
        star.set_label("minimum")
        handles.append(star)
    ax.legend(handles=handles, fontsize=8, loc="lower right", framealpha=0.95)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")
    ax.set_title(
        f"L(x, y) = {polynomial_text(loss)}\nFour arrows from ({p[0]:g}, {p[1]:g}): "
        "which is which?",
        fontsize=10,
    )
    fig.tight_layout()
