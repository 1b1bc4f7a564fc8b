"""The gradient-direction explorer of lesson 01: the gradient at a point, a direction at an angle,
and the slope along that direction (the directional derivative) against the angle.

The slope along the unit vector ``u`` at angle ``θ`` is ``∇L·u = |∇L| cos(θ − θ*)``, with ``θ*``
the gradient's own angle: largest along the gradient, zero along the level set.
"""

from __future__ import annotations

import math
from typing import Any

import contourpy
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..core import (
    DirectionReading,
    QuadraticBowl,
    critical_point_near,
    directional_derivative,
    measured_slope,
    read_direction,
    sign_label,
    unit_vector,
    wrap_angle,
)
from ..core.errors import check_finite_number, check_point
from ..plots.gradient import contour_levels, polynomial_text
from ..plots.style import PALETTE
from .arguments import check_loss_of_shape, check_within, view_extent
from .base import Explorer
from .parts import Row, labelled_slider, preset_button
from .picture import LayeredFigure

__all__ = ["GradientDirectionExplorer", "default_bowl"]

DEG = "\u00b0"
MINUS = "\u2212"


def default_bowl() -> QuadraticBowl:
    """``L(x, y) = 1.5x² − 2xy + 1.5y²``: curvatures 1 and 5 along the diagonals (turned 45°).

    The curvatures differ, so the gradient points straight at the minimum only along the bowl's
    two axes, the diagonals ``y = x`` and ``y = −x``.
    """
    return QuadraticBowl([1.0, 5.0], rotation=math.pi / 4)


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is >= ``x`` (at least 1)."""
    if x <= 1.0:
        return 1.0
    power = 10 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)


def _fmt(x: float) -> str:
    """A number for the readout: 3 significant digits, a real minus sign, no ``-0``."""
    text = f"{x:.3g}"
    if text in ("-0", "0"):
        return "0"
    return text.replace("-", MINUS)


def _deg(a: float) -> str:
    return f"{a:.0f}{DEG}" if round(a) != 360 else f"0{DEG}"


class GradientDirectionExplorer(Explorer):
    """The gradient at a point of a 2-D loss, a direction ``u`` at angle ``θ``, and the slope
    ``∇L·u`` against the angle.

    Left: contours, the gradient arrow at the point, the direction ``u``, the level set through
    the point and the straight line to the minimum. Right: the slope along ``u`` for every
    angle, the curve ``|∇L| cos(θ − θ*)``, with dots measured from the loss alone (central
    differences along ``u``) and a marker at the current ``θ``.

    Parameters
    ----------
    loss : Loss, optional
        Any 2-D loss. Default: :func:`default_bowl`, ``1.5x² − 2xy + 1.5y²``.
    point : (float, float)
        Where the gradient is taken.
    angle : float
        The direction ``θ`` of ``u``, in degrees from the x-axis.
    extent : (xmin, xmax, ymin, ymax), optional
        The plotted window and the range of the point sliders; default: the minimum ± 3 (or more,
        to contain the point).

    Examples
    --------
    >>> ex = GradientDirectionExplorer()
    >>> ex.readout_text.startswith("At (1, 2): gradient (−1, 4), length 4.12. Direction 30°")
    True
    """

    _MEASURED_ANGLES = np.arange(0.0, 360.0, 30.0)

    def __init__(
        self,
        loss: Any = None,
        point: tuple[float, float] = (1.0, 2.0),
        angle: float = 30.0,
        *,
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__()
        self._exact_angle: float | None = None
        self.loss = default_bowl() if loss is None else loss
        check_loss_of_shape("GradientDirectionExplorer", self.loss, (2,))
        point = check_point("point", point, (2,))
        angle = check_finite_number("angle", angle)
        check_within("angle", angle, 0.0, 360.0, "the direction slider's range, in degrees")
        minimizer = getattr(self.loss, "minimizer", None)
        self._minimizer = None if minimizer is None else np.asarray(minimizer, dtype=float)
        centre = np.zeros(2) if self._minimizer is None else self._minimizer
        far = float(np.max(np.abs(point - centre)))
        reach = max(3.0, 1.3 * far, far + 1.5)  # room for the arrows around the start point
        self._extent = view_extent(extent, centre, reach, "point", point)
        x0, x1, y0, y1 = self._extent

        self.controls["x"] = labelled_slider(
            point[0], x0, x1, description="point x", tooltip="First coordinate of the point"
        )
        self.controls["y"] = labelled_slider(
            point[1], y0, y1, description="point y", tooltip="Second coordinate of the point"
        )
        self.controls["angle"] = labelled_slider(
            angle,
            0.0,
            360.0,
            description="direction \u03b8 (degrees)",
            tooltip="The angle of the direction u, counter-clockwise from the x-axis",
        )
        self._presets = [
            preset_button(
                "\u03b8 = steepest ascent (along \u2207L)",
                "Point u along the gradient: the largest slope, |\u2207L|",
                lambda: self._turn(0.0),
            ),
            preset_button(
                "\u03b8 = steepest descent (along \u2212\u2207L)",
                "Point u against the gradient: the most negative slope, \u2212|\u2207L|",
                lambda: self._turn(180.0),
            ),
            preset_button(
                "\u03b8 = along the level set (90\u00b0 from \u2207L)",
                "Point u at a right angle to the gradient: slope 0, along the contour line",
                lambda: self._turn(90.0),
            ),
        ]
        rows = [
            Row([self.controls["x"], self.controls["y"]]),
            self.controls["angle"],
            Row(["set \u03b8:", *self._presets]),
        ]

        fig = LayeredFigure(figsize=(9.4, 4.4))
        self._ax, self._ax_slope = fig.axes
        self._draw_background(fig)
        # The slope panel's y-axis follows the point (the slope's size); its only still line,
        # slope 0, stays in the middle of the symmetric limits.
        fig.scenery([self._ax_slope.yaxis])
        self._mount(rows, fig)

        self._watch("x", self._move_point)
        self._watch("y", self._move_point)
        self._watch("angle", self._turn_only)
        self._move_point()

    # -- drawing ---------------------------------------------------------------------------
    def _draw_background(self, fig: LayeredFigure) -> None:
        ax, axs = self._ax, self._ax_slope
        x0, x1, y0, y1 = self._extent
        xs, ys = np.linspace(x0, x1, 181), np.linspace(y0, y1, 181)
        values = np.asarray(self.loss.value(np.stack(np.meshgrid(xs, ys), axis=-1)), dtype=float)
        ax.contour(
            xs, ys, values, levels=contour_levels(values, 14), cmap="cividis", linewidths=0.8
        )
        self._level_sets = contourpy.contour_generator(xs, ys, values, line_type="Separate")
        if self._minimizer is not None:
            ax.plot(*self._minimizer, "*", color="black", ms=11, zorder=4)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xlabel("parameter x")
        ax.set_ylabel("parameter y")
        ax.set_title(
            f"L = {polynomial_text(self.loss)}\n\u2207L crosses the level set at a right angle",
            fontsize=10,
        )
        (self._level_line,) = ax.plot([], [], color=PALETTE[2], ls="--", lw=2.2)
        (self._to_min,) = ax.plot([], [], color="0.35", ls=":", lw=1.6)
        (self._dot,) = ax.plot([], [], "o", color="black", ms=7, zorder=6)
        self._grad_arrow = FancyArrowPatch(
            (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16, color=PALETTE[0], lw=2.4, zorder=5
        )
        self._u_arrow = FancyArrowPatch(
            (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=16, color=PALETTE[1], lw=2.0, zorder=5
        )
        ax.add_patch(self._grad_arrow)
        ax.add_patch(self._u_arrow)
        self._grad_label = ax.text(
            0,
            0,
            "\u2207L",
            color=PALETTE[0],
            fontsize=11,
            weight="bold",
            ha="center",
            va="center",
            clip_on=True,
        )
        self._u_label = ax.text(
            0,
            0,
            "u",
            color=PALETTE[1],
            fontsize=11,
            weight="bold",
            ha="center",
            va="center",
            clip_on=True,
        )

        axs.axhline(0.0, color="0.6", lw=0.8)
        axs.set_xlim(0.0, 360.0)
        axs.set_xticks(range(0, 361, 45))
        axs.set_xlabel("direction \u03b8 of u (degrees from the x-axis)")
        axs.set_ylabel("slope \u2207L\u00b7u (loss per unit step)")
        axs.grid(alpha=0.3)
        self._theta = np.linspace(0.0, 360.0, 361)
        (self._curve,) = axs.plot([], [], color=PALETTE[0], lw=1.8)
        (self._measured,) = axs.plot(
            [], [], "o", color=PALETTE[4], mfc="none", mew=1.6, ms=7, ls="none"
        )
        (self._now,) = axs.plot([], [], "D", color=PALETTE[1], ms=9, ls="none", zorder=6)
        (self._ascent_line,) = axs.plot([], [], color=PALETTE[0], ls=":", lw=1.2)
        (self._descent_line,) = axs.plot([], [], color=PALETTE[0], ls=":", lw=1.2)
        (self._zeros,) = axs.plot([], [], "o", color=PALETTE[2], ms=8, ls="none", zorder=5)
        self._ascent_text = axs.text(0, 0, "", fontsize=8, color=PALETTE[0], va="bottom")
        self._descent_text = axs.text(0, 0, "", fontsize=8, color=PALETTE[0], va="top")
        self._zero_texts = [
            axs.text(0, 0, "", fontsize=8, color=PALETTE[2], va="bottom") for _ in range(2)
        ]
        self._slope_title = axs.set_title(" ", fontsize=10)
        self._ylim = 0.0
        fig.animate(
            [
                self._level_line,
                self._to_min,
                self._grad_arrow,
                self._u_arrow,
                self._dot,
                self._grad_label,
                self._u_label,
                self._curve,
                self._measured,
                self._ascent_line,
                self._descent_line,
                self._zeros,
                self._ascent_text,
                self._descent_text,
                *self._zero_texts,
                self._now,
                self._slope_title,
            ]
        )
        handles = [
            Line2D([], [], color=PALETTE[0], lw=2.4, label="\u2207L: steepest ascent"),
            Line2D([], [], color=PALETTE[1], lw=2.0, label="direction u at angle \u03b8"),
            Line2D([], [], color=PALETTE[2], ls="--", lw=2.2, label="level set through the point"),
            Line2D([], [], color="0.35", ls=":", lw=1.6, label="straight line to the minimum"),
            Line2D([], [], color=PALETTE[0], lw=1.8, label="|\u2207L| cos(\u03b8 \u2212 \u03b8*)"),
            Line2D(
                [],
                [],
                marker="o",
                color=PALETTE[4],
                mfc="none",
                ls="none",
                label="measured from L alone",
            ),
            Line2D([], [], marker="D", color=PALETTE[1], ls="none", label="slope along u now"),
            Line2D([], [], marker="o", color=PALETTE[2], ls="none", label="slope 0: level set"),
        ]
        fig.figure.legend(
            handles=handles, loc="outside lower center", ncols=4, fontsize=8, frameon=False
        )

    def _turn(self, offset: float) -> None:
        """Set θ to θ* + offset (a preset); nothing happens at a flat point."""
        star = self.reading.steepest_angle
        if star is not None:
            self._exact_angle = (star + offset) % 360.0
            self.set(angle=self._exact_angle)

    def _angle(self) -> float:
        """The direction θ: the slider's value, or the exact preset angle it was snapped from.

        The browser snaps a slider to its 5° steps and sends the snapped value back, so a preset
        such as 104.04° would come back as 105°; a value within half a step of the last preset
        is that preset.
        """
        value = float(self.controls["angle"].value)
        exact = self._exact_angle
        if exact is not None and abs(wrap_angle(value - exact)) <= self.controls["angle"].step / 2:
            return exact
        self._exact_angle = None
        return value

    def _move_point(self) -> None:
        self._exact_angle = None  # a new point has other steepest directions
        self._update(point_moved=True)

    def _turn_only(self) -> None:
        if self._angle() == self.reading.angle:  # the browser echoing a snapped preset
            return
        self._update(point_moved=False)

    def _update(self, point_moved: bool) -> None:
        point = (self.controls["x"].value, self.controls["y"].value)
        r = self.reading = read_direction(self.loss, point, self._angle())
        x0, x1, _, _ = self._extent
        arrow = 0.15 * (x1 - x0)
        p = r.point
        full = False
        if point_moved:
            full = self._draw_point(r, arrow)
        tip = p + arrow * r.direction
        self._u_arrow.set_positions(tuple(p), tuple(tip))
        self._u_label.set_position(tuple(p + 1.2 * arrow * r.direction))
        self._u_label.set_text("u")
        self._now.set_data([r.angle], [r.slope])
        self.readout.show(self._describe(r))
        self.fig.update(full=full)

    def _draw_point(self, r: DirectionReading, arrow: float) -> bool:
        """Redraw what depends on the point; True when the slope axis had to be rescaled."""
        p = r.point
        self._dot.set_data([p[0]], [p[1]])
        lines = self._level_sets.lines(float(self.loss.value(p)))
        if lines:
            joined = np.concatenate([np.vstack([seg, [np.nan, np.nan]]) for seg in lines])
            self._level_line.set_data(joined[:, 0], joined[:, 1])
        else:
            self._level_line.set_data([], [])
        if self._minimizer is not None:
            self._to_min.set_data([p[0], self._minimizer[0]], [p[1], self._minimizer[1]])
        if r.steepest_angle is None:
            self._grad_arrow.set_positions(tuple(p), tuple(p))
            self._grad_label.set_text("")
            self._curve.set_data(self._theta, np.zeros_like(self._theta))
            for artist in (self._ascent_line, self._descent_line, self._zeros):
                artist.set_data([], [])
            for text in (self._ascent_text, self._descent_text, *self._zero_texts):
                text.set_text("")
            self._slope_title.set_text("A flat point: slope 0 in every direction")
        else:
            star = r.steepest_angle
            g_unit = unit_vector(star)
            self._grad_arrow.set_positions(tuple(p), tuple(p + arrow * g_unit))
            self._grad_label.set_position(tuple(p + 1.2 * arrow * g_unit))
            self._grad_label.set_text("\u2207L")
            self._curve.set_data(self._theta, directional_derivative(r.gradient, self._theta))
            descent = r.descent_angle
            self._ascent_line.set_data([star, star], [0.0, r.length])
            self._descent_line.set_data([descent, descent], [0.0, -r.length])
            self._place(self._ascent_text, star, r.length, "steepest ascent")
            self._place(self._descent_text, descent, -r.length, "steepest descent")
            zeros = r.level_set_angles
            self._zeros.set_data(list(zeros), [0.0, 0.0])
            for text, z in zip(self._zero_texts, zeros, strict=True):
                self._place(text, z, 0.06 * max(r.length, 1e-9), "level set")
            self._slope_title.set_text(
                f"Steepest ascent at \u03b8* = {_deg(star)}, slope |\u2207L| = {r.length:.3g}"
            )
        measured = [measured_slope(self.loss, p, a) for a in self._MEASURED_ANGLES]
        self._measured.set_data(self._MEASURED_ANGLES, measured)
        self._measured_values = np.array(measured)
        top = _nice_ceiling(1.15 * r.length)
        if top != self._ylim:
            self._ylim = top
            self._ax_slope.set_ylim(-top, top)
            return True
        return False

    @staticmethod
    def _place(text: Any, x: float, y: float, words: str) -> None:
        text.set_position((x, y))
        text.set_text(words)
        text.set_ha("left" if x < 40 else "right" if x > 320 else "center")

    # -- words -----------------------------------------------------------------------------
    def _describe(self, r: DirectionReading) -> str:
        x, y = r.point
        head = (
            f"At ({x:.3g}, {y:.3g}): gradient ({_fmt(r.gradient[0])}, {_fmt(r.gradient[1])}), "
            f"length {r.length:.3g}."
        )
        if r.steepest_angle is None:
            return (
                f"{head} This is a flat point: the slope is 0 in every direction, so no "
                f"direction is steepest." + (" It is the minimum." if self._at_minimum(r) else "")
            )
        sign = sign_label(r.slope, tol=1e-9 * max(1.0, r.length))
        off = abs(r.from_gradient)
        kind = {
            "zero": "flat: u runs along the level set",
            "positive": f"uphill ({off:.0f}{DEG} from the gradient)",
            "negative": f"downhill ({off:.0f}{DEG} from the gradient)",
        }[sign]
        if off < 0.5:
            kind = "uphill: this is the steepest ascent, the slope equals |\u2207L|"
        elif off > 179.5:
            kind = "downhill: this is the steepest descent, the slope equals \u2212|\u2207L|"
        slope = "0" if sign == "zero" else _fmt(r.slope)
        now = f" Direction {_deg(r.angle)}: slope {slope}, {kind}."
        a, b = r.level_set_angles
        facts = (
            f"Steepest ascent at {_deg(r.steepest_angle)} (slope {r.length:.3g} = |\u2207L|), "
            f"steepest descent at {_deg(r.descent_angle)} (slope {_fmt(-r.length)}); slope 0 at "
            f"{_deg(a)} and {_deg(b)}, along the level set."
        )
        if r.off_minimum is not None:
            if r.off_minimum < 0.5:
                facts += " Here \u2212\u2207L points straight at the minimum."
            else:
                facts += (
                    f" \u2212\u2207L points {r.off_minimum:.0f}{DEG} away from the straight line "
                    f"to the minimum."
                )
        return f"{head}{now}\n{facts}"

    def _at_minimum(self, r: DirectionReading) -> bool:
        return critical_point_near(self.loss, r.point, within=1e-9) == "minimum"

    def data(self) -> dict[str, Any]:
        """What is shown now: the reading, the slope curve, the measured slopes, the level set."""
        xs, ys = self._level_line.get_data()
        theta, slopes = self._curve.get_data()
        r = self.reading
        return {
            "point": r.point,
            "gradient": r.gradient,
            "length": r.length,
            "angle": r.angle,
            "slope": r.slope,
            "steepest_angle": r.steepest_angle,
            "level_set_angles": r.level_set_angles,
            "off_minimum": r.off_minimum,
            "curve": (np.asarray(theta), np.asarray(slopes)),
            "measured": (self._MEASURED_ANGLES.copy(), self._measured_values.copy()),
            "level_set": np.column_stack([xs, ys]),
            "slope_limit": self._ylim,
        }
