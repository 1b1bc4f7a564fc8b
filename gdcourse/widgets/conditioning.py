"""The conditioning explorer: gradient descent on a 2-D bowl of condition number kappa, with the
multiplier 1 - rate * lambda of each of its two directions on a panel beside the path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import (
    REGIME_PHRASES,
    CourseValueError,
    QuadraticBowl,
    best_fixed_lr,
    contraction_factor,
    distances_to,
    gradient_descent,
    max_stable_lr,
    multipliers,
    quadratic_regime,
    zigzag_direction,
)
from ..core.errors import check_finite_number, check_positive_number
from ..plots.conditioning import MULTIPLIER_LIMIT, draw_bowl_contours, draw_multiplier_panel
from ..plots.findings import finding, run_sentence
from ..plots.style import PALETTE
from .arguments import check_point_within, check_range, check_steps, check_within
from .base import Explorer
from .learning_rate import _shown_rate
from .parts import Row, log_rate_slider, offchart_note, preset_button, rate_against_limit
from .picture import LayeredFigure

__all__ = ["ConditioningExplorer"]

_EXTENT = (-3.0, 3.0, -3.0, 3.0)
#: How the readout says the core's ``zigzag_direction``.
_ZIGZAGS = {
    "neither": "no direction zig-zags",
    "steep": "the steep direction zig-zags",
    "shallow": "the shallow direction zig-zags",
    "both": "both directions zig-zag",
}


def _size_text(x: float) -> str:
    """A multiplier or factor to 3 significant figures, with more where 3 would put its size on
    the other side of 1: -0.9999999 shown as "-1" would say the steep direction bounces."""

    def side(v: float) -> int:
        # |m| = 1 within 2e-9: the tolerance quadratic_regime allows on lr * lambda = 2
        v = abs(v)
        return 0 if math.isclose(v, 1.0, rel_tol=0.0, abs_tol=2e-9) else (1 if v > 1 else -1)

    for digits in range(3, 18):
        text = f"{x:.{digits}g}"
        if side(float(text)) == side(x):
            return text
    return repr(x)


class ConditioningExplorer(Explorer):
    """A bowl with curvatures 1 and kappa: move kappa and the rate, watch the path and the two
    per-direction multipliers ``1 - rate * lambda``.

    Parameters
    ----------
    kappa : float
        Condition number: the curvatures are 1 (shallow) and kappa (steep).
    lr : float
        Rate.
    steps : int
        Steps per run.
    angle : float
        How far the valley is turned from the x-axis, in radians.
    w0 : (float, float)
        Start point.

    Examples
    --------
    >>> ex = ConditioningExplorer(kappa=10, lr=0.15)
    >>> ex.readout_text.splitlines()[0][:52]
    '\u03ba 10, rate 0.15: multipliers 0.85 (shallow) and -0.5'
    """

    def __init__(
        self,
        kappa: float = 10.0,
        lr: float = 0.15,
        steps: int = 40,
        *,
        angle: float = math.pi / 6,
        w0: tuple[float, float] = (-2.5, 1.0),
        kappa_range: tuple[float, float] = (1.0, 100.0),
        lr_range: tuple[float, float] = (1e-3, 2.0),
    ) -> None:
        super().__init__()
        kappa_range = check_range("kappa_range", kappa_range, positive=True)
        if kappa_range[0] < 1:
            raise CourseValueError(
                f"kappa_range must start at 1 or above (a condition number is at least 1), got "
                f"{kappa_range}"
            )
        lr_range = check_range("lr_range", lr_range, positive=True)
        kappa = check_within(
            "kappa", check_positive_number("kappa", kappa), *kappa_range, "kappa_range"
        )
        lr = check_within("lr", check_positive_number("lr", lr), *lr_range, "lr_range")
        self.steps = check_steps("steps", steps)
        self.angle = check_finite_number("angle", angle)
        start = check_point_within("w0", w0, _EXTENT, "the chart")
        self.w0 = (float(start[0]), float(start[1]))
        self.controls["kappa"] = log_rate_slider(
            kappa, *kappa_range, description="condition number \u03ba"
        )
        self.controls["kappa"].tooltip = (
            "Condition number \u03ba = \u03bb_max / \u03bb_min (log scale): how much steeper the "
            "valley's walls are than its floor"
        )
        self.controls["lr"] = log_rate_slider(lr, *lr_range)
        self._presets = [
            preset_button(
                "",
                "The best fixed rate 2/(\u03bb_min + \u03bb_max): both multipliers equal in size",
                lambda: self._preset(best_fixed_lr),
            ),
            preset_button(
                "",
                "The stability limit 2/\u03bb_max: the steep direction bounces forever",
                lambda: self._preset(max_stable_lr),
            ),
        ]
        rows = [
            Row([self.controls["kappa"], self.controls["lr"]]),
            Row(["presets:", *self._presets]),
        ]

        fig = LayeredFigure(figsize=(8.4, 3.6))
        self._ax, self._ax_m = fig.axes
        x0, x1, y0, y1 = _EXTENT
        self._ax.set_xlim(x0, x1)
        self._ax.set_ylim(y0, y1)
        self._ax.set_aspect("equal")
        self._ax.set_xlabel("parameter x")
        self._ax.set_ylabel("parameter y")
        self._ax.plot(0, 0, color="black", marker="*", ms=10, ls="none")
        self._contours = None
        self._path = self._ax.plot([], [], color=PALETTE[1], marker="o", ms=3, lw=1.2)[0]
        self._start = self._ax.plot([], [], color=PALETTE[0], marker="s", ms=8, ls="none")[0]
        self._offchart = offchart_note(self._ax, 0.92, fontsize=9)
        self._finding = self._ax.set_title(" ", fontsize=9)
        self._bars, self._bar_labels = draw_multiplier_panel(self._ax_m, ["shallow", "steep"])
        fig.animate(
            [
                self._path,
                self._start,
                self._offchart,
                self._finding,
                *self._bars,
                *self._bar_labels,
            ]
        )
        fig.scenery([self._ax_m.yaxis])  # its tick labels name the eigenvalues
        self._mount(rows, fig)
        self._watch("kappa", self._change_kappa)
        self._watch("lr", self._refresh)
        self._last: tuple[float, float] | None = None
        self._change_kappa()

    # -- values ------------------------------------------------------------------------------
    def _eigenvalues(self) -> np.ndarray:
        """The bowl's curvatures, shallow then steep: the core's ``QuadraticBowl.eigenvalues``."""
        return self.bowl.eigenvalues

    def _preset(self, rate_of: Any) -> None:
        """Set the rate to the core's ``rate_of(eigenvalues)``, if the slider reaches it."""
        if self._preset_rate(rate_of) is not None:
            self.set(lr=rate_of(self._eigenvalues()))

    def _preset_rate(self, rate_of: Any) -> float | None:
        rate = float(rate_of(self._eigenvalues()))
        control = self.controls["lr"]
        low, high = control.base**control.min, control.base**control.max
        return rate if low * (1 - 1e-12) <= rate <= high * (1 + 1e-12) else None

    # -- drawing -----------------------------------------------------------------------------
    def _change_kappa(self) -> None:
        kappa = self._value("kappa")
        self.bowl = QuadraticBowl.with_condition_number(kappa, angle=self.angle)
        if self._contours is not None:
            self._contours.remove()
            self.fig.drop([self._contours])
        self._contours = draw_bowl_contours(self._ax, self.bowl, _EXTENT)
        self.fig.scenery([self._contours])  # redrawn for each condition number
        lam = self._eigenvalues()
        self._ax_m.set_yticks(
            [0, 1], [f"shallow\n\u03bb = {lam[0]:.3g}", f"steep\n\u03bb = {lam[1]:.3g}"]
        )
        names = ("best fixed rate", "stability limit 2/\u03bb_max")
        for button, name, rate_of in zip(
            self._presets, names, (best_fixed_lr, max_stable_lr), strict=True
        ):
            button.description = f"{name} = {rate_of(lam):.3g}"
            # A rate beyond the slider's range cannot be set: the button says so, disabled.
            button.disabled = self._preset_rate(rate_of) is None
            if button.disabled:
                button.description += " (beyond the slider)"
        self._refresh(full=True)

    def _refresh(self, full: bool = False) -> None:
        kappa, lr = self._value("kappa"), self._value("lr")
        if not full and self._last == (kappa, lr):
            return  # a slider echo of the value already shown
        self._last = (kappa, lr)
        self.run = gradient_descent(self.bowl, self.w0, lr=lr, steps=self.steps)
        w = self.run.weights
        x0, x1, y0, y1 = _EXTENT
        with np.errstate(all="ignore"):
            shown = np.column_stack([np.clip(w[:, 0], x0, x1), np.clip(w[:, 1], y0, y1)])
        self._path.set_data(shown[:, 0], shown[:, 1])
        self._start.set_data(shown[:1, 0], shown[:1, 1])
        off = bool(np.any(~np.isfinite(w)) or np.any((w < x0) | (w > x1)))
        self._off = off
        gone = "the path leaves the chart" if off else ""
        if off and self.run.status == "diverged":
            gone += f" \u2192 the run {self.run.phrase}"
        self._offchart.set_text(gone)
        self._finding.set_text(finding(self.run))
        ms = self.multipliers()
        # The steep bar says what the readout says (the regime's own digits, _shown_rate).
        texts = (_size_text(float(ms[0])), _shown_rate(float(self._eigenvalues().max()), lr)[1])
        for bar, label, m, text in zip(self._bars, self._bar_labels, ms, texts, strict=True):
            shown_m = float(np.clip(m, -MULTIPLIER_LIMIT, MULTIPLIER_LIMIT))
            bar.set_width(shown_m)
            beyond = "\u2190 " if m < -MULTIPLIER_LIMIT else ""
            label.set_text(f"{beyond}{text}")
            label.set_x(shown_m / 2)
        self.readout.show(self._describe())
        self.fig.update(full=full)

    def multipliers(self) -> np.ndarray:
        """The current multipliers ``1 - rate * lambda``, shallow then steep."""
        return multipliers(self._eigenvalues(), self._value("lr"))

    def _describe(self) -> str:
        kappa, lr = self._value("kappa"), self._value("lr")
        lam = self._eigenvalues()
        m_shallow, _ = self.multipliers()
        # The rate and the steep multiplier with enough digits to stay in the steep direction's
        # own regime (a rate just past 2/lambda_max must not read "multiplier -1").
        rate, m_steep_text = _shown_rate(float(lam.max()), lr)
        # The limit with the digits that keep rate and limit in their true order.
        pair_rate, limit = rate_against_limit(lr, max_stable_lr(lam))
        if len(pair_rate) > len(rate):
            rate = pair_rate
        shallow = _size_text(float(m_shallow))
        head = (
            f"\u03ba {kappa:.3g}, rate {rate}: multipliers {shallow} (shallow) and "
            f"{m_steep_text} (steep); stable below 2/\u03bb_max = {limit}"
        )
        best = (
            f"The best fixed rate 2/(\u03bb_min + \u03bb_max) = {best_fixed_lr(lam):.3g} "
            f"multiplies the distance by {contraction_factor(lam):.3g} per step."
        )
        run = self.run
        # The steep direction's regime and which direction zig-zags: the core's quadratic model.
        steep = quadratic_regime(lam.max(), lr)
        if steep in ("diverging", "bouncing"):
            here = f"the steep direction is {REGIME_PHRASES[steep]} (multiplier {m_steep_text})"
        else:
            here = _ZIGZAGS[zigzag_direction(lam, lr)]
        now = f"Here {here}; {run_sentence(run)}"
        if run.status != "diverged":
            dist = distances_to(run.weights, self.bowl.minimizer)
            factor = f"slowest factor {_size_text(contraction_factor(lam, lr))} per step"
            if dist[0] == 0:  # a ratio to a zero start distance says nothing
                now += f"; it starts at the minimum and stays there ({factor})"
            else:
                now += (
                    f"; the distance to the minimum is {dist[-1] / dist[0]:.2g} of the start "
                    f"({factor})"
                )
        if self._off:
            now += "; the path leaves the chart (drawn clipped at its edge)"
        return f"{head}.\n{now}. {best}"

    def data(self) -> dict[str, Any]:
        """What is shown now: kappa, rate, eigenvalues, multipliers, the run and the bars."""
        xs, ys = self._path.get_data()
        return {
            "kappa": self._value("kappa"),
            "lr": self._value("lr"),
            "eigenvalues": self._eigenvalues(),
            "multipliers": self.multipliers(),
            "bars": [bar.get_width() for bar in self._bars],
            "weights": self.run.weights,
            "status": self.run.status,
            "path": np.column_stack([xs, ys]),
        }
