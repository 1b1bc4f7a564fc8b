"""The conditioning explorer: gradient descent on a 2-D bowl of condition number kappa, with the
multiplier 1 - rate * lambda of each of its two directions on a panel beside the path."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core import (
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
from ..plots.conditioning import MULTIPLIER_LIMIT, draw_bowl_contours, draw_multiplier_panel
from ..plots.findings import finding, run_sentence
from ..plots.style import PALETTE
from .base import Explorer
from .parts import BlitFigure, log_rate_slider, preset_button

__all__ = ["ConditioningExplorer"]

_EXTENT = (-3.0, 3.0, -3.0, 3.0)
#: How the readout says the core's ``zigzag_direction``.
_ZIGZAGS = {
    "neither": "no direction zig-zags",
    "steep": "the steep direction zig-zags",
    "shallow": "the shallow direction zig-zags",
    "both": "both directions zig-zag",
}


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
        self.steps = int(steps)
        self.angle = float(angle)
        self.w0 = (float(w0[0]), float(w0[1]))
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
                lambda: self.set(lr=best_fixed_lr(self._eigenvalues())),
            ),
            preset_button(
                "",
                "The edge of stability 2/\u03bb_max: the steep direction bounces forever",
                lambda: self.set(lr=max_stable_lr(self._eigenvalues())),
            ),
        ]
        rows = [
            widgets.HBox([self.controls["kappa"], self.controls["lr"]]),
            widgets.HBox([widgets.Label("presets:"), *self._presets]),
        ]

        fig = BlitFigure(figsize=(8.4, 3.6))
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
        self._offchart = self._ax.text(
            0.5,
            0.92,
            "",
            transform=self._ax.transAxes,
            ha="center",
            color=PALETTE[1],
            fontsize=9,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
        )
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
        self._mount(rows, fig)
        self._watch("kappa", self._change_kappa)
        self._watch("lr", self._refresh)
        self._last: tuple[float, float] | None = None
        self._change_kappa()

    # -- values ------------------------------------------------------------------------------
    def _eigenvalues(self) -> np.ndarray:
        return np.array([1.0, self._value("kappa")])

    # -- drawing -----------------------------------------------------------------------------
    def _change_kappa(self) -> None:
        kappa = self._value("kappa")
        self.bowl = QuadraticBowl.with_condition_number(kappa, angle=self.angle)
        if self._contours is not None:
            self._contours.remove()
        self._contours = draw_bowl_contours(self._ax, self.bowl, _EXTENT)
        self._ax_m.set_yticks([0, 1], ["shallow\n\u03bb = 1", f"steep\n\u03bb = {kappa:.3g}"])
        lam = self._eigenvalues()
        self._presets[0].description = f"best fixed rate = {best_fixed_lr(lam):.3g}"
        self._presets[1].description = f"edge 2/\u03bb_max = {max_stable_lr(lam):.3g}"
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
        gone = "the path leaves the chart" if off else ""
        if off and self.run.status == "diverged":
            gone += f" \u2192 the run {self.run.phrase}"
        self._offchart.set_text(gone)
        self._finding.set_text(finding(self.run))
        for bar, label, m in zip(self._bars, self._bar_labels, self.multipliers(), strict=True):
            shown_m = float(np.clip(m, -MULTIPLIER_LIMIT, MULTIPLIER_LIMIT))
            bar.set_width(shown_m)
            beyond = "\u2190 " if m < -MULTIPLIER_LIMIT else ""
            label.set_text(f"{beyond}{m:.3g}")
            label.set_x(shown_m / 2)
        self.readout.show(self._describe())
        self.fig.update(full=full)

    def multipliers(self) -> np.ndarray:
        """The current multipliers ``1 - rate * lambda``, shallow then steep."""
        return multipliers(self._eigenvalues(), self._value("lr"))

    def _describe(self) -> str:
        kappa, lr = self._value("kappa"), self._value("lr")
        lam = self._eigenvalues()
        m_shallow, m_steep = self.multipliers()
        head = (
            f"\u03ba {kappa:.3g}, rate {lr:.3g}: multipliers {m_shallow:.3g} (shallow) and "
            f"{m_steep:.3g} (steep); stable below 2/\u03bb_max = {max_stable_lr(lam):.3g}"
        )
        best = (
            f"The best fixed rate 2/(\u03bb_min + \u03bb_max) = {best_fixed_lr(lam):.3g} shrinks "
            f"the distance by {contraction_factor(lam):.3g} per step."
        )
        run = self.run
        # The steep direction's regime and which direction zig-zags: the core's quadratic model.
        steep = quadratic_regime(lam.max(), lr)
        if steep == "diverging":
            here = "the steep direction's multiplier is below \u22121"
        elif steep == "bouncing":
            here = "the steep direction's multiplier is \u22121: it bounces between the walls"
        else:
            here = _ZIGZAGS[zigzag_direction(lam, lr)]
        now = f"Here {here}; {run_sentence(run)}"
        if run.status != "diverged":
            dist = distances_to(run.weights, self.bowl.minimizer)
            now += (
                f"; the distance to the minimum is {dist[-1] / dist[0]:.2g} of the start (slowest "
                f"factor {contraction_factor(lam, lr):.3g} per step)"
            )
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
