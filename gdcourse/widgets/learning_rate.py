"""The 1-D learning-rate explorer: the loss curve with the iterates, and the loss against step;
optionally a strip along the rate axis that names the regime of every rate for the curvature."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import (
    REGIME_PHRASES,
    CourseTypeError,
    Quadratic1D,
    best_fixed_lr,
    error_multiplier,
    gradient_descent,
    hessian_eigenvalues,
    max_stable_lr,
    quadratic_regime,
    regime_bands,
)
from ..core.errors import check_finite_number, check_positive_number
from ..plots.findings import finding, run_sentence
from ..plots.learning_rate import draw_regime_strip
from ..plots.style import PALETTE
from .arguments import (
    centre_of,
    check_flag,
    check_loss_of_shape,
    check_range,
    check_steps,
    check_within,
)
from .base import Explorer
from .parts import Button, Row, labelled_slider, log_rate_slider, offchart_note, preset_button
from .picture import LayeredFigure

__all__ = ["LearningRateExplorer"]

_LOSS_FLOOR = 1e-16  # the log axis shows exact zeros (a one-step landing) at this floor
_CURVATURES = (0.1, 10.0)  # the curvature slider's range


def _shown_rate(a: float, lr: float) -> tuple[str, str]:
    """The rate (3 significant figures) and the multiplier ``1 - lr*a`` (4) as the readout shows
    them, with more digits where fewer would put the shown numbers in another regime than the
    rate's own: 1.0000001 on a = 2 diverges, and "rate 1: multiplier -1" would say it bounces."""
    true = quadratic_regime(a, lr)
    m = error_multiplier(a, lr)
    # At 1/a and 2/a (to within rounding) the multiplier is 0 or -1, not 1.1e-16: the rate,
    # a point of its own regime, then shows to 3 figures whatever its last digits.
    if true == "one-step":
        return f"{lr:.3g}", "0"
    if true == "bouncing":
        return f"{lr:.3g}", "-1"
    for digits in range(3, 18):
        rate, multiplier = f"{lr:.{digits}g}", f"{m:.{digits + 1}g}"
        implied = 1.0 - float(multiplier)  # the lr*a the shown multiplier says
        if quadratic_regime(a, float(rate)) == true and (
            implied > 0 and quadratic_regime(1.0, implied) == true
        ):
            return rate, multiplier
    return repr(lr), repr(m)


def _curvature(loss: Any) -> float | None:
    """The curvature at the minimum, if the loss knows it (sets the presets 1/a and 2/a)."""
    if isinstance(loss, Quadratic1D):
        return loss.a
    if callable(getattr(loss, "hessian", None)) and hasattr(loss, "minimizer"):
        return float(hessian_eigenvalues(loss, loss.minimizer)[0])
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
    regime_strip : bool
        Add a strip under the plots along the rate axis (log scale, the slider's range) showing
        the regime of every rate for the current curvature, its boundaries ``1/a`` and ``2/a``
        labelled, and a marker at the current rate (for a ``Quadratic1D`` only). Moving the
        rate only moves the marker; a new curvature redraws the strip.

    Examples
    --------
    >>> ex = LearningRateExplorer(lr=0.75)
    >>> ex.readout_text.split("; ")[1]
    'after 20 steps the run has not converged, now at w = 3, loss 1.5e-11'
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
        regime_strip: bool = False,
    ) -> None:
        super().__init__()
        self.loss = Quadratic1D(a=2, c=3) if loss is None else loss
        check_loss_of_shape(
            "LearningRateExplorer", self.loss, (), "; use ContourExplorer for 2-D losses"
        )
        w0 = check_finite_number("w0", w0)
        self.steps = check_steps("steps", steps)
        curvature = check_flag("curvature", curvature)
        regime_strip = check_flag("regime_strip", regime_strip)
        if regime_strip and not isinstance(self.loss, Quadratic1D):
            raise CourseTypeError(f"the regime strip needs a Quadratic1D loss, got {self.loss!r}")
        self._lr_range = check_range("lr_range", lr_range, positive=True)
        lr = check_within("lr", check_positive_number("lr", lr), *self._lr_range, "lr_range")
        centre = centre_of(self.loss, ())
        reach = 2 * max(abs(w0 - centre), 1.0)
        if w0_range is None:
            low, high = centre - reach, centre + reach
        else:
            low, high = check_range("w0_range", w0_range)
            check_within("w0", w0, low, high, "w0_range")
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
        rows: list[Any] = [self.controls["lr"], self.controls["w0"]]
        if curvature:
            if not isinstance(self.loss, Quadratic1D):
                raise CourseTypeError(
                    f"the curvature slider needs a Quadratic1D loss, got {self.loss!r}"
                )
            check_within(
                "the loss's curvature a", self.loss.a, *_CURVATURES, "the curvature slider's range"
            )
            self.controls["a"] = log_rate_slider(
                self.loss.a, *_CURVATURES, description="curvature a"
            )
            self.controls["a"].tooltip = "Curvature a of L = a/2 (w - c)^2: how sharply it bends"
            rows.append(self.controls["a"])
        self._presets: list[Button] = []
        if _curvature(self.loss) is not None:
            self._presets = [
                preset_button(
                    "",
                    f"The rate 1/a: {REGIME_PHRASES['one-step']} (on a quadratic)",
                    lambda: self._preset(best_fixed_lr),
                ),
                preset_button(
                    "",
                    f"The rate 2/a: the stability limit, {REGIME_PHRASES['bouncing']}",
                    lambda: self._preset(max_stable_lr),
                ),
            ]
            rows.append(Row(["presets:", *self._presets]))

        fig = LayeredFigure(figsize=(8.0, 4.5) if regime_strip else (8.0, 3.4))
        self._ax_curve, self._ax_loss = fig.axes
        self._ax_strip = None
        self._strip_artists: list = []
        if regime_strip:
            self._add_strip(fig)
        self._curve_line = self._ax_curve.plot([], [], color="0.35", lw=1.5, label="loss L(w)")[0]
        self._path = self._ax_curve.plot(
            [], [], color=PALETTE[1], marker="o", ms=4, lw=1, label="iterates w_k"
        )[0]
        self._start = self._ax_curve.plot(
            [], [], color=PALETTE[0], marker="s", ms=8, ls="none", label="start w\u2080"
        )[0]
        self._offchart = offchart_note(self._ax_curve, 0.84)
        self._loss_line = self._ax_loss.plot([], [], color=PALETTE[1], marker="o", ms=3)[0]
        self._finding = self._ax_loss.set_title(" ", fontsize=10)
        fig.animate([self._path, self._start, self._offchart, self._loss_line, self._finding])
        if regime_strip:
            fig.animate([self._strip_marker])
        # What the curvature changes: the curve, its formula and its loss axis (recorded again
        # on a new curvature; the rest of the figure is a still image).
        fig.scenery([self._curve_line, self._ax_curve.title, self._ax_curve.yaxis])
        self._ax_curve.set_xlabel("weight w")
        self._ax_curve.set_ylabel("loss L(w)")
        self._ax_curve.legend(loc="upper center", fontsize=8, ncols=3, frameon=False)
        self._ax_loss.set_xlabel("step k")
        self._ax_loss.set_xlim(-0.5, self.steps + 0.5)
        self._ax_loss.grid(alpha=0.3)
        self._mount(rows, fig)

        for name in ("lr", "w0"):
            self._watch(name, self._refresh)
        if curvature:
            self._watch("a", self._change_curvature)
        self._draw_background()
        if curvature:  # lay out with the steepest curve's tick labels, the widest there are,
            # and a finding of two lines, as every finding is
            self._ax_curve.set_ylim(self._ylim[0], self._ylim[1] * _CURVATURES[1] / self._a())
            self._finding.set_text("\n")
            self.fig.lay_out()
            self._ax_curve.set_ylim(*self._ylim)
        self._refresh()

    # -- computing -------------------------------------------------------------------------
    def _a(self) -> float:
        return float(_curvature(self.loss))

    def _preset(self, rate_of: Any) -> None:
        """Set the rate to the core's ``rate_of(a)`` (1/a or 2/a), if the slider reaches it."""
        rate = float(rate_of(self._a()))
        if self._lr_range[0] * (1 - 1e-12) <= rate <= self._lr_range[1] * (1 + 1e-12):
            self.set(lr=rate)

    def _add_strip(self, fig: LayeredFigure) -> None:
        """A third axes under both plots, the width of the figure, for the regime strip."""
        grid = fig.figure.add_gridspec(2, 2, height_ratios=(4.2, 1.0))
        self._ax_curve.set_subplotspec(grid[0, 0])
        self._ax_loss.set_subplotspec(grid[0, 1])
        self._ax_strip = fig.figure.add_subplot(grid[1, :])
        self._ax_strip.tick_params(labelsize=8)
        # The axis label names the curvature: a text of its own (the axis itself never changes).
        self._ax_strip.set_xlabel(" ", fontsize=9)
        self._strip_label = self._ax_strip.annotate(
            "",
            (0.5, 0.5),
            xycoords=self._ax_strip.xaxis.label,
            ha="center",
            va="center",
            fontsize=9,
        )
        # The current rate: a line across the strip with a pointer on top (moved by blitting).
        self._strip_marker = self._ax_strip.plot(
            [np.nan, np.nan],
            [0.0, 1.0],
            color="black",
            lw=2.5,
            marker="v",
            markevery=[1],
            ms=9,
            clip_on=False,
        )[0]

    def _draw_strip(self) -> None:
        for artist in self._strip_artists:
            artist.remove()
        self.fig.drop(self._strip_artists)
        a = self._a()
        self._strip_artists = draw_regime_strip(self._ax_strip, a, self._lr_range)
        self._strip_label.set_text(
            f"rate \u03b7 (log scale): the regime of each rate at curvature a = {a:.3g}; "
            f"\u25bc marks the current rate"
        )
        self.fig.scenery([*self._strip_artists, self._strip_label])

    def _change_curvature(self) -> None:
        self.loss = Quadratic1D(a=self._value("a"), c=self.loss.c)
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
        # A log axis cannot draw a loss below 0 (a double well's): such a loss is drawn on a
        # linear axis with the curve's limits, and the label says so.
        self._log_losses = bottom >= 0
        if self._log_losses and "a" in self.controls and self._ax_loss.get_yscale() == "log":
            pass  # one loss axis for every curvature (set below, the first time): it never moves
        elif self._log_losses:
            start_max = max(abs(top), abs(bottom), 1.0)
            if "a" in self.controls:  # the top for the steepest curvature the slider reaches
                start_max = max(start_max, top * _CURVATURES[1] / self._a())
            self._ax_loss.set_yscale("log")
            self._ax_loss.set_ylim(_LOSS_FLOOR, 1e6 * start_max)
            self._ax_loss.set_ylabel(f"loss L(w_k), log scale (0 drawn at {_LOSS_FLOOR:g})")
        else:
            self._ax_loss.set_yscale("linear")
            self._ax_loss.set_ylim(*self._ylim)
            self._ax_loss.set_ylabel("loss L(w_k), linear scale (this loss goes below 0)")
        if self._presets:
            a = self._a()
            for button, rate, words in (
                (self._presets[0], best_fixed_lr(a), "one step"),
                (self._presets[1], max_stable_lr(a), "stability limit"),
            ):
                inside = self._lr_range[0] * (1 - 1e-12) <= rate <= self._lr_range[1] * (1 + 1e-12)
                button.description = f"rate {'1' if words == 'one step' else '2'}/a = {rate:.3g}"
                button.description += f" ({words})" if inside else " (beyond the slider)"
                button.disabled = not inside
        if self._ax_strip is not None:
            self._draw_strip()

    def _refresh(self, full: bool = False) -> None:
        lr = self._value("lr")
        self.run = gradient_descent(self.loss, self.controls["w0"].value, lr=lr, steps=self.steps)
        w, losses = self.run.weights, self.run.losses
        with np.errstate(all="ignore"):
            shown_w = np.clip(w, *self._xlim)
            shown_l = np.clip(
                np.nan_to_num(self.loss.value(shown_w), nan=self._ylim[1]), *self._ylim
            )
        self._path.set_data(shown_w, shown_l)
        self._start.set_data(shown_w[:1], shown_l[:1])
        off = bool(np.any(~np.isfinite(w) | (w < self._xlim[0]) | (w > self._xlim[1])))
        self._offchart.set_text(self._offchart_text(off))
        k = np.arange(len(losses))
        if self._log_losses:
            drawn = np.clip(np.nan_to_num(losses, nan=np.inf), _LOSS_FLOOR, None)
        else:
            drawn = np.clip(np.nan_to_num(losses, nan=np.inf), *self._ylim)
        self._loss_line.set_data(k, drawn)
        self._off = off
        self._finding.set_text(finding(self.run))
        if self._ax_strip is not None:
            self._strip_marker.set_xdata([lr, lr])
        self.readout.show(self._describe())
        self.fig.update(full=full)

    def _offchart_text(self, off: bool) -> str:
        """Says that iterates left the chart; that the run diverges only if its status says so."""
        if not off:
            return ""
        if self.run.status == "diverged":
            return f"iterates leave the chart \u2192 the run {self.run.phrase}"
        return "iterates leave the chart"

    def _describe(self) -> str:
        lr, run = self._value("lr"), self.run
        if isinstance(self.loss, Quadratic1D):
            regime = quadratic_regime(self.loss.a, lr)
            rate, multiplier = _shown_rate(self.loss.a, lr)
            head = f"rate {rate}: multiplier {multiplier}, {REGIME_PHRASES[regime]}"
            if run.n_steps == 0 and run.status == "converged":
                head += " from any other start"  # this one is the minimum itself
        else:
            head = f"rate {lr:.3g}"
        text = f"{head}; {run_sentence(run)}"
        if run.status == "converged" and run.n_steps == 0:
            text += f" from w = {run.final_weights:.4g}, loss {run.final_loss:.2g}"
        elif run.status == "converged":
            text += f" at w = {run.final_weights:.4g}, loss {run.final_loss:.2g}"
        elif run.status == "diverged":
            text += f", loss {run.final_loss:.2g}"
        else:  # where the last iterate sits on the curve, as drawn
            text += f", now at w = {run.final_weights:.4g}, loss {run.final_loss:.2g}"
        if self._off:
            text += "; the iterates leave the chart (drawn at its edge)"
        if self._ax_strip is not None:
            text += "\n" + self._strip_sentence()
        return text

    def _strip_sentence(self) -> str:
        """Where the rate sits in the strip, in words: what a screen reader says of it."""
        a, lr = self._a(), self._value("lr")
        one, two = f"1/a = {best_fixed_lr(a):.3g}", f"2/a = {max_stable_lr(a):.3g}"
        where = {
            "monotone": f"below {one}",
            "one-step": f"at {one}",
            "oscillating-converging": f"between {one} and {two}",
            "bouncing": f"at {two}",
            "diverging": f"above {two}",
        }[quadratic_regime(a, lr)]
        return (
            f"Strip at a = {a:.3g}: the rate is {where}, in the {quadratic_regime(a, lr)} regime."
        )

    def data(self) -> dict[str, Any]:
        """What is plotted now: the run's weights and losses, the loss curve, and (with the
        regime strip) its bands, boundaries, the marker's rate and the current regime."""
        xs, ys = self._curve_line.get_data()
        data = {
            "weights": self.run.weights,
            "losses": self.run.losses,
            "status": self.run.status,
            "curve": (np.asarray(xs), np.asarray(ys)),
        }
        if self._ax_strip is not None:
            a = self._a()
            data["strip"] = {
                "bands": regime_bands(a, self._lr_range),
                "boundaries": {"1/a": best_fixed_lr(a), "2/a": max_stable_lr(a)},
                "marker": float(self._strip_marker.get_xdata()[0]),
                "regime": quadratic_regime(a, self._value("lr")),
            }
        return data
