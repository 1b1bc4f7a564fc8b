"""The momentum explorer: heavy ball, Nesterov or Adam on a 2-D bowl; the path over the contours,
the loss per step, and the stability region (lr * lambda_max against mu) with the run marked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import (
    CourseTypeError,
    QuadraticBowl,
    adam,
    best_momentum,
    gradient_descent,
    momentum,
    momentum_stability,
    nesterov,
    stability_limits,
)
from ..core.errors import check_finite_number, check_point, check_positive_number
from ..plots.conditioning import draw_bowl_contours
from ..plots.findings import finding, how_it_moved, run_sentence
from ..plots.style import PALETTE
from .arguments import (
    centre_of,
    check_choice,
    check_range,
    check_steps,
    check_within,
    view_extent,
)
from .base import Explorer
from .conditioning import _size_text
from .parts import (
    Row,
    dropdown,
    labelled_slider,
    log_rate_slider,
    offchart_note,
    preset_button,
    rate_against_limit,
)
from .picture import LayeredFigure

__all__ = ["METHOD_CHOICES", "MomentumExplorer"]

#: The method list's options: {label: the core's method name (None: no momentum theory)}.
METHOD_CHOICES = {"heavy ball": "heavy_ball", "Nesterov": "nesterov", "Adam": None}
#: The momentum slider's range (Adam's beta1 is the same slider).
_MU_RANGE = (0.0, 0.99)
#: The stability panel: lr * lambda_max across (the largest limit, 2 (1 + 0.99), fits), mu up.
_H_MAX, _MU_TOP = 4.4, 1.0
#: How each stability regime is drawn: a marker shape, so nothing rests on colour alone.
_MARKERS = {"below": "o", "at": "D", "above": "X"}
_LIMIT_WORDS = {"heavy_ball": "2(1 + \u03bc)", "nesterov": "2(1 + \u03bc)/(1 + 2\u03bc)"}


class MomentumExplorer(Explorer):
    """Momentum on a 2-D bowl: move the rate, the momentum and the method; watch the path, the
    loss and where ``(rate * lambda_max, mu)`` sits in the stability region.

    Parameters
    ----------
    loss : QuadraticBowl, optional
        A 2-D bowl (the stability region needs its curvatures). Default: curvatures 1 and 10,
        turned 30 degrees.
    w0 : (float, float)
        Start point.
    lr : float
        Rate.
    mu : float
        Momentum (for Adam: its first average's factor beta1), from 0 to 0.99.
    method : str
        ``"heavy ball"``, ``"Nesterov"`` or ``"Adam"``.
    steps : int
        Steps per run.
    lr_range : (float, float)
        The rate slider's ends.
    extent : (xmin, xmax, ymin, ymax), optional
        The plotted window; default: a square around the minimum that holds the start.

    Examples
    --------
    >>> ex = MomentumExplorer(lr=0.05, mu=0.5)
    >>> ex.readout_text.splitlines()[0][:60]
    'heavy ball, rate 0.05, momentum \u03bc 0.5: \u03b7\u00b7\u03bb_max = 0.5 and the'
    """

    def __init__(
        self,
        loss: Any = None,
        w0: tuple[float, float] = (-2.5, 2.0),
        lr: float = 0.05,
        mu: float = 0.5,
        method: str = "heavy ball",
        steps: int = 60,
        *,
        lr_range: tuple[float, float] = (1e-3, 1.0),
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__()
        if loss is None:
            loss = QuadraticBowl([1.0, 10.0], rotation=math.pi / 6)
        if not isinstance(loss, QuadraticBowl) or loss.shape != (2,):
            raise CourseTypeError(
                f"loss must be a 2-D QuadraticBowl (the stability region needs its curvatures), "
                f"got {type(loss).__name__}"
            )
        self.bowl = loss
        w0 = check_point("w0", w0, (2,))
        lr_range = check_range("lr_range", lr_range, positive=True)
        lr = check_within("lr", check_positive_number("lr", lr), *lr_range, "lr_range")
        mu = check_within("mu", check_finite_number("mu", mu), *_MU_RANGE, "the momentum slider")
        method = check_choice("method", method, list(METHOD_CHOICES))
        self.steps = check_steps("steps", steps)
        centre = centre_of(loss, (2,))
        reach = 1.6 * max(float(np.max(np.abs(w0 - centre))), 1.0)
        self._extent = view_extent(extent, centre, reach, "w0", w0)
        self.w0 = (float(w0[0]), float(w0[1]))

        self.controls["lr"] = log_rate_slider(lr, *lr_range)
        self.controls["mu"] = labelled_slider(
            mu,
            *_MU_RANGE,
            description="momentum \u03bc (Adam: \u03b2\u2081)",
            tooltip="How much of the last step each step keeps (0: plain descent). For Adam, "
            "the factor \u03b2\u2081 of its running average of gradients.",
        )
        self.controls["method"] = dropdown(
            method,
            list(METHOD_CHOICES),
            description="method",
            tooltip="Heavy ball: v \u2190 \u03bcv \u2212 \u03b7\u2207L(w). Nesterov: the gradient "
            "read ahead, at w + \u03bcv. Adam: each parameter's step scaled by its own gradients.",
        )
        self._best = best_momentum(loss.eigenvalues)
        self._best_button = preset_button(
            f"best heavy ball: \u03b7 = {self._best.lr:.3g}, \u03bc = {self._best.mu:.3g}",
            "The tuning that shrinks the slowest direction fastest: "
            "\u03b7 = 4/(\u221a\u03bb_max + \u221a\u03bb_min)\u00b2, "
            "\u03bc = ((\u221a\u03ba \u2212 1)/(\u221a\u03ba + 1))\u00b2",
            self._preset_best,
        )
        low, high = lr_range
        # A tuning beyond the sliders cannot be set: the button says so, disabled.
        reachable = low * (1 - 1e-12) <= self._best.lr <= high * (1 + 1e-12)
        if not reachable or self._best.mu > _MU_RANGE[1]:
            self._best_button.disabled = True
            self._best_button.description += " (beyond the sliders)"
        rows = [
            Row([self.controls["lr"], self.controls["mu"]]),
            Row([self.controls["method"], "preset:", self._best_button]),
        ]

        fig = LayeredFigure(figsize=(11.0, 3.6), ncols=3)
        self._ax, self._ax_loss, self._ax_reg = fig.axes
        self._draw_static()
        self._path = self._ax.plot([], [], color=PALETTE[1], marker="o", ms=2.5, lw=1.1)[0]
        self._start = self._ax.plot([], [], color=PALETTE[0], marker="s", ms=8, ls="none")[0]
        self._offchart = offchart_note(self._ax, 0.92, fontsize=8)
        self._title = self._ax.set_title(" ", fontsize=9)
        self._loss_line = self._ax_loss.plot([], [], color=PALETTE[1], lw=1.4)[0]
        self._finding = self._ax_loss.set_title(" ", fontsize=9)
        self._marker = self._ax_reg.plot(
            [], [], color=PALETTE[1], marker="o", ms=10, mec="black", ls="none", zorder=5
        )[0]
        self._reg_title = self._ax_reg.set_title(" ", fontsize=9)
        fig.animate(
            [
                self._path,
                self._start,
                self._offchart,
                self._title,
                self._loss_line,
                self._finding,
                self._marker,
                self._reg_title,
            ]
        )
        self._mount(rows, fig)
        for name in ("lr", "mu", "method"):
            self._watch(name, self._refresh)
        self._holding = False
        self._last: tuple | None = None
        self._refresh(full=True)

    # -- drawing -----------------------------------------------------------------------------
    def _draw_static(self) -> None:
        ax, axl, axr = self._ax, self._ax_loss, self._ax_reg
        x0, x1, y0, y1 = self._extent
        draw_bowl_contours(ax, self.bowl, self._extent)
        ax.plot(*self.bowl.minimizer, color="black", marker="*", ms=10, ls="none")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_xlabel("parameter x")
        ax.set_ylabel("parameter y")
        start_loss = float(self.bowl.value(np.asarray(self.w0)))
        top = start_loss if start_loss > 1e-300 else 1.0  # a start at the minimum: loss 0
        self._loss_limits = (top * 1e-14, top * 1e4)
        axl.set_yscale("log")
        axl.set_xlim(0, self.steps)
        axl.set_ylim(*self._loss_limits)
        axl.set_xlabel("step k")
        axl.set_ylabel("loss L(w\u2096), log scale")
        axl.grid(alpha=0.3)
        mus = np.linspace(*_MU_RANGE, 100)
        heavy, nest = stability_limits(mus, "heavy_ball"), stability_limits(mus, "nesterov")
        axr.fill_betweenx(mus, 0, heavy, color=PALETTE[0], alpha=0.15, lw=0)
        axr.fill_betweenx(
            mus, 0, nest, facecolor="none", edgecolor=PALETTE[2], hatch="//", lw=0, alpha=0.6
        )
        axr.plot(heavy, mus, color=PALETTE[0], lw=1.8, label="heavy ball: limit 2(1+\u03bc)")
        axr.plot(
            nest,
            mus,
            color=PALETTE[2],
            lw=1.8,
            ls="--",
            label="Nesterov: limit 2(1+\u03bc)/(1+2\u03bc)",
        )
        axr.set_xlim(0, _H_MAX)
        axr.set_ylim(0, _MU_TOP)
        axr.set_xlabel("\u03b7\u00b7\u03bb_max (rate \u00d7 steepest curvature)")
        axr.set_ylabel("momentum \u03bc")
        axr.legend(fontsize=7, loc="upper right")

    def _preset_best(self) -> None:
        """Heavy ball at its best tuning for this bowl (:func:`best_momentum`), drawn once."""
        self._holding = True
        try:
            self.set(method="heavy ball", lr=self._best.lr, mu=self._best.mu)
        finally:
            self._holding = False
        self._refresh()

    def _refresh(self, full: bool = False) -> None:
        if self._holding:
            return  # a preset sets several controls: it draws once, after the last
        lr, mu, method = self._value("lr"), self._value("mu"), self.controls["method"].value
        key = (lr, mu, method)
        if not full and key == self._last:
            return  # a slider echo of the value already shown
        self._last = key
        name = METHOD_CHOICES[method]
        rule = {"heavy_ball": momentum, "nesterov": nesterov}.get(name)
        update = rule(mu) if rule is not None else adam(beta1=mu)
        self.run = gradient_descent(self.bowl, self.w0, lr=lr, steps=self.steps, update=update)
        self.stability = (
            momentum_stability(self.bowl.eigenvalues, lr, mu, name) if name is not None else None
        )
        w = self.run.weights
        x0, x1, y0, y1 = self._extent
        with np.errstate(all="ignore"):
            shown = np.column_stack([np.clip(w[:, 0], x0, x1), np.clip(w[:, 1], y0, y1)])
            self._off = not bool(np.all(shown == w))  # clipped, or not finite
        self._path.set_data(shown[:, 0], shown[:, 1])
        self._start.set_data(shown[:1, 0], shown[:1, 1])
        self._offchart.set_text(
            "the path leaves the chart (drawn at its edge)" if self._off else ""
        )
        self._title.set_text(f"{method}: the path over the contours")
        with np.errstate(all="ignore"):
            losses = np.nan_to_num(self.run.losses, nan=np.inf)
        self._loss_line.set_data(np.arange(len(losses)), np.clip(losses, *self._loss_limits))
        self._finding.set_text(finding(self.run))
        s = self.stability
        if s is None:
            self._marker.set_data([np.nan], [np.nan])
            self._reg_title.set_text("Adam: no such region (steps scaled per parameter)")
            self._clipped = False
        else:
            self._clipped = s.h > _H_MAX
            self._marker.set_data([min(s.h, _H_MAX)], [s.mu])
            self._marker.set_marker(_MARKERS[s.regime])
            self._reg_title.set_text(
                f"{method}: {s.regime} the stability limit (radius {self._radius_text()})"
            )
        self.readout.show(self._describe())
        self.fig.update(full=full)

    # -- words -------------------------------------------------------------------------------
    def _radius_text(self) -> str:
        s = self.stability
        if s is None:
            return ""
        if not math.isfinite(s.radius):
            return "too large for a float"
        return "1" if s.regime == "at" else _size_text(s.radius)

    def _describe(self) -> str:
        method, lr, mu = self.controls["method"].value, self._value("lr"), self._value("mu")
        run, s = self.run, self.stability
        if s is None:
            first = (
                f"Adam, rate {lr:.3g}, \u03b2\u2081 {mu:.3g}: each parameter's step is scaled by "
                f"its own gradients, so momentum's stability region does not apply (no marker)."
            )
        else:
            h, limit = rate_against_limit(s.h, s.limit)
            first = (
                f"{method}, rate {lr:.3g}, momentum \u03bc {mu:.3g}: \u03b7\u00b7\u03bb_max = {h} "
                f"and the stability limit {_LIMIT_WORDS[s.method]} = {limit}, so the run is "
                f"{s.phrase}; spectral radius {self._radius_text()} per step."
            )
        said = run_sentence(run)
        second = said[0].upper() + said[1:]
        second += f"; {how_it_moved(run)}." if run.n_steps else "."
        x, y = run.weights[-1]
        end = f"({x:.3g}, {y:.3g})" if np.all(np.isfinite(run.weights[-1])) else "overflow"
        picture = (
            f"Picture: left, the path over the bowl's contours from ({self.w0[0]:g}, "
            f"{self.w0[1]:g}) to {end}"
        )
        if self._off:
            picture += " (it leaves the chart, drawn at its edge)"
        picture += "; middle, the loss per step on a log scale; right, the stability region"
        if s is None:
            picture += " of the momentum methods, with no marker for Adam."
        else:
            at = f"({min(s.h, _H_MAX):.3g}, {s.mu:.3g})"
            clipped = (
                f", at the panel's right border: \u03b7\u00b7\u03bb_max is {h}"
                if (self._clipped)
                else ""
            )
            picture += (
                f" (\u03b7\u00b7\u03bb_max across, \u03bc up; heavy ball stable left of its solid "
                f"limit curve, Nesterov left of its dashed one), marked at {at}{clipped}."
            )
        return f"{first}\n{second}\n{picture}"

    def data(self) -> dict[str, Any]:
        """What is shown now: the controls, the run, the core's stability reading and where
        the marker and the path are drawn."""
        xs, ys = self._path.get_data()
        mx, my = self._marker.get_data()
        return {
            "lr": self._value("lr"),
            "mu": self._value("mu"),
            "method": self.controls["method"].value,
            "weights": self.run.weights,
            "losses": self.run.losses,
            "status": self.run.status,
            "stability": self.stability,
            "marker": (float(mx[0]), float(my[0])),
            "marker_shape": self._marker.get_marker(),
            "path": np.column_stack([xs, ys]),
        }
