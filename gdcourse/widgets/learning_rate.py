"""The 1-D learning-rate explorer: the loss curve with the iterates, and the loss against step."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..core import Quadratic1D, error_multiplier, gradient_descent, quadratic_regime
from ..plots.style import PALETTE
from .base import Explorer
from .parts import BlitFigure, finding, labelled_slider, log_rate_slider, preset_button

__all__ = ["REGIME_PHRASES", "LearningRateExplorer"]

#: How the readout says each regime of a quadratic.
REGIME_PHRASES = {
    "monotone": "converging steadily, never overshooting",
    "one-step": "landing on the minimum in one step",
    "oscillating-converging": "oscillating but converging",
    "bouncing": "bouncing between two points forever",
    "diverging": "diverging",
}
_LOSS_FLOOR = 1e-16  # the log axis shows exact zeros (a one-step landing) at this floor


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _curvature(loss: Any) -> float | None:
    """The curvature at the minimum, if the loss knows it (sets the presets 1/a and 2/a)."""
    if isinstance(loss, Quadratic1D):
        return loss.a
    if callable(getattr(loss, "hessian", None)) and hasattr(loss, "minimizer"):
        return float(loss.hessian(loss.minimizer))
    return None


class LearningRateExplorer(Explorer):
    """Gradient descent on a 1-D loss: move the rate and the start, watch the run change.

    Parameters
    ----------
    loss : Loss, optional
        Any 1-D loss from the core. Default ``Quadratic1D(a=2, c=3)``, i.e. ``(w - 3)^2``.
    w0, lr : float
        Start point and rate.
    steps : int
        Steps per run.
    lr_range : (float, float)
        Ends of the log-scale rate slider.
    w0_range : (float, float), optional
        Ends of the start slider; default: the minimum +- twice the start distance.
    curvature : bool
        Add a curvature slider (for a ``Quadratic1D`` only).

    Examples
    --------
    >>> ex = LearningRateExplorer(lr=0.75)
    >>> ex.readout_text
    'rate 0.75: multiplier -0.5, oscillating but converging; loss after 20 steps 1.5e-11'
    """

    def __init__(
        self,
        loss: Any = None,
        w0: float = 7.0,
        lr: float = 0.1,
        steps: int = 20,
        *,
        lr_range: tuple[float, float] = (1e-4, 10.0),
        w0_range: tuple[float, float] | None = None,
        curvature: bool = False,
    ) -> None:
        super().__init__()
        self.loss = Quadratic1D(a=2, c=3) if loss is None else loss
        if tuple(getattr(self.loss, "shape", ())) != ():
            raise ValueError(
                f"LearningRateExplorer needs a 1-D loss (one parameter); got {self.loss!r}. "
                f"Use ContourExplorer for 2-D losses."
            )
        self.steps = steps
        centre = float(getattr(self.loss, "minimizer", 0.0))
        reach = 2 * max(abs(w0 - centre), 1.0)
        low, high = w0_range or (centre - reach, centre + reach)
        span = 1.1 * max(abs(low - centre), abs(high - centre))
        self._xlim = (centre - span, centre + span)

        self.controls["lr"] = log_rate_slider(lr, *lr_range)
        self.controls["w0"] = labelled_slider(
            w0,
            low,
            high,
            description="start w\u2080",
            tooltip="Where gradient descent starts",
        )
        rows: list[widgets.Widget] = [self.controls["lr"], self.controls["w0"]]
        if curvature:
            if not isinstance(self.loss, Quadratic1D):
                raise ValueError("the curvature slider needs a Quadratic1D loss")
            self.controls["a"] = log_rate_slider(self.loss.a, 0.1, 10.0, description="curvature a")
            self.controls["a"].tooltip = "Curvature a of L = a/2 (w - c)^2: how sharply it bends"
            rows.append(self.controls["a"])
        self._presets: list[widgets.Button] = []
        if _curvature(self.loss) is not None:
            self._presets = [
                preset_button(
                    "",
                    "The rate 1/a: lands on the minimum of a quadratic in one step",
                    lambda: self.set(lr=1 / self._a()),
                ),
                preset_button(
                    "",
                    "The rate 2/a: the edge of stability, bounces forever",
                    lambda: self.set(lr=2 / self._a()),
                ),
            ]
            rows.append(widgets.HBox([widgets.Label("presets:"), *self._presets]))

        fig = BlitFigure()
        self._ax_curve, self._ax_loss = fig.axes
        self._curve_line = self._ax_curve.plot([], [], color="0.35", lw=1.5, label="loss L(w)")[0]
        self._path = self._ax_curve.plot(
            [], [], color=PALETTE[1], marker="o", ms=4, lw=1, label="iterates w_k"
        )[0]
        self._start = self._ax_curve.plot(
            [], [], color=PALETTE[0], marker="s", ms=8, ls="none", label="start w\u2080"
        )[0]
        self._offchart = self._ax_curve.text(
            0.5, 0.92, "", transform=self._ax_curve.transAxes, ha="center", color=PALETTE[1]
        )
        self._loss_line = self._ax_loss.plot([], [], color=PALETTE[1], marker="o", ms=3)[0]
        self._finding = self._ax_loss.set_title(" ", fontsize=10)
        fig.animate([self._path, self._start, self._offchart, self._loss_line, self._finding])
        self._ax_curve.set_xlabel("weight w")
        self._ax_curve.set_ylabel("loss L(w)")
        self._ax_curve.legend(loc="upper center", fontsize=8, ncols=3, frameon=False)
        self._ax_loss.set_yscale("log")
        self._ax_loss.set_xlabel("step k")
        self._ax_loss.set_ylabel("loss L(w_k), log scale")
        self._ax_loss.set_xlim(-0.5, steps + 0.5)
        self._ax_loss.grid(alpha=0.3)
        self._mount(rows, fig)

        for name in ("lr", "w0"):
            self._watch(name, self._refresh)
        if curvature:
            self._watch("a", self._change_curvature)
        self._draw_background()
        self._refresh()

    # -- computing -------------------------------------------------------------------------
    def _a(self) -> float:
        return float(_curvature(self.loss))

    def _change_curvature(self) -> None:
        self.loss = Quadratic1D(a=self.controls["a"].value, c=self.loss.c)
        self._draw_background()
        self._refresh(full=True)

    def _draw_background(self) -> None:
        xs = np.linspace(*self._xlim, 400)
        ys = np.asarray(self.loss.value(xs))
        self._curve_line.set_data(xs, ys)
        top = float(ys.max())
        bottom = float(ys.min())
        pad = 0.06 * (top - bottom)
        self._ylim = (bottom - pad, top + pad)
        self._ax_curve.set_xlim(*self._xlim)
        self._ax_curve.set_ylim(*self._ylim)
        self._ax_curve.set_title(f"L(w) = {self.loss.formula}", fontsize=10)
        start_max = max(abs(top), abs(bottom), 1.0)
        self._ax_loss.set_ylim(_LOSS_FLOOR, 1e6 * start_max)
        a = _curvature(self.loss)
        for button, rate, what in zip(self._presets, (1, 2), ("one step", "edge"), strict=False):
            button.description = f"rate {rate}/a = {rate / a:.3g} ({what})"

    def _refresh(self, full: bool = False) -> None:
        lr = self.controls["lr"].value
        self.run = gradient_descent(self.loss, self.controls["w0"].value, lr=lr, steps=self.steps)
        w, losses = self.run.weights, self.run.losses
        with np.errstate(all="ignore"):
            shown_w = np.clip(w, *self._xlim)
            shown_l = np.clip(
                np.nan_to_num(self.loss.value(shown_w), nan=self._ylim[1]), *self._ylim
            )
        self._path.set_data(shown_w, shown_l)
        self._start.set_data(shown_w[:1], shown_l[:1])
        off = bool(np.any((w < self._xlim[0]) | (w > self._xlim[1])))
        self._offchart.set_text("iterates leave the chart \u2192 diverging" if off else "")
        k = np.arange(len(losses))
        self._loss_line.set_data(k, np.clip(np.nan_to_num(losses, nan=np.inf), _LOSS_FLOOR, None))
        run = self.run
        self._finding.set_text(finding(run.status, run.n_steps, losses[0], losses[-1]))
        self.readout.show(self._describe())
        self.fig.update(full=full)

    def _describe(self) -> str:
        lr, run = self.controls["lr"].value, self.run
        if isinstance(self.loss, Quadratic1D):
            regime = quadratic_regime(self.loss.a, lr)
            head = (
                f"rate {lr:.3g}: multiplier {error_multiplier(self.loss.a, lr):.4g}, "
                f"{REGIME_PHRASES[regime]}"
            )
        else:
            head = f"rate {lr:.3g}"
        if run.status == "diverged":
            return (
                f"{head}; the loss blew up (past 1e12 times its start) after {_steps(run.n_steps)}"
            )
        if run.status == "converged":
            return (
                f"{head}; converged after {_steps(run.n_steps)} at w = {run.final_weights:.4g}, "
                f"loss {run.final_loss:.2g}"
            )
        return f"{head}; loss after {_steps(run.n_steps)} {run.final_loss:.2g}"

    def data(self) -> dict[str, Any]:
        """What is plotted now: the run's weights and losses, and the loss curve."""
        xs, ys = self._curve_line.get_data()
        return {
            "weights": self.run.weights,
            "losses": self.run.losses,
            "status": self.run.status,
            "curve": (np.asarray(xs), np.asarray(ys)),
        }
