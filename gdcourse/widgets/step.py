"""The step-by-step explorer of lesson 02: one update at a time on a 1-D loss.

It draws the loss curve, the current point with its tangent line (whose slope is the gradient),
and where the update ``w - rate * gradient`` lands, on the w-axis and on the curve.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.patches import FancyArrowPatch

from ..core import Quadratic1D, gradient_descent, gradient_step, sign_label
from ..core.errors import check_count, check_finite_number, check_positive_number
from ..plots.findings import SAME_TO
from ..plots.style import PALETTE
from .arguments import centre_of, check_loss_of_shape, check_range, check_steps, check_within
from .base import Explorer
from .parts import Row, StepPlayer, distinct, labelled_slider, log_rate_slider
from .picture import LayeredFigure

__all__ = ["StepExplorer", "direction_of"]


def _num(x: float) -> str:
    """A number as the readout writes it: up to 5 significant digits."""
    return f"{x:.5g}"


def _factor(x: float) -> str:
    """A number after an operator: negatives in brackets, as in ``0.1 × (-3)``."""
    return f"({x:.5g})" if x < 0 else f"{x:.5g}"


#: Which way an update moves w, for each sign of the gradient (the core's ``sign_label``).
_MOVES = {"positive": "left", "negative": "right", "zero": "nowhere"}


def direction_of(gradient: float) -> str:
    """Which way an update moves w: against the sign of the gradient.

    >>> direction_of(8.0), direction_of(-3.0), direction_of(0.0)
    ('left', 'right', 'nowhere')
    """
    return _MOVES[sign_label(gradient, tol=0.0)]


def _same(a: float, b: float) -> bool:
    """Equal but for the rounding of one step (the findings' ``SAME_TO``)."""
    return math.isclose(a, b, rel_tol=SAME_TO, abs_tol=0.0)


class StepExplorer(Explorer):
    """Gradient descent on a 1-D loss, one update at a time: the tangent, the step, the next w.

    Parameters
    ----------
    loss : Loss, optional
        Any 1-D loss from the core. Default ``Quadratic1D(a=2, c=3)``, i.e. ``(w - 3)^2``.
    w0, lr : float
        Start point and rate.
    steps : int
        Length of the stored run that Reset / Step / Play walk through.
    lr_range : (float, float)
        Ends of the log-scale rate slider.
    w0_range : (float, float), optional
        Ends of the start slider; default: the minimum +- 1.5 times the start's distance to it.
    k : int
        The step shown first (0: the start). Moving a slider shows the new run whole.

    Examples
    --------
    >>> ex = StepExplorer(k=1)
    >>> print(ex.readout_text)  # doctest: +NORMALIZE_WHITESPACE
    step 1 of 15: w = 6.2, gradient 6.4, so next w = 6.2 - 0.1 × 6.4 = 5.56,
    a move of 0.64 to the left; the loss falls from 10.24 to 6.5536
    """

    def __init__(
        self,
        loss: Any = None,
        w0: float = 7.0,
        lr: float = 0.1,
        steps: int = 15,
        *,
        lr_range: tuple[float, float] = (1e-3, 1.5),
        w0_range: tuple[float, float] | None = None,
        k: int = 0,
    ) -> None:
        super().__init__()
        self.loss = Quadratic1D(a=2, c=3) if loss is None else loss
        check_loss_of_shape("StepExplorer", self.loss, (), "; use ContourExplorer for 2-D losses")
        w0 = check_finite_number("w0", w0)
        self.steps = check_steps("steps", steps)
        lr_range = check_range("lr_range", lr_range, positive=True)
        lr = check_within("lr", check_positive_number("lr", lr), *lr_range, "lr_range")
        k = check_count("k", k)
        check_within("k", k, 0, self.steps, "the steps of the run, 0 to steps")
        centre = centre_of(self.loss, ())
        reach = 1.5 * max(abs(w0 - centre), 1.0)
        if w0_range is None:
            low, high = centre - reach, centre + reach
        else:
            low, high = check_range("w0_range", w0_range)
            check_within("w0", w0, low, high, "w0_range")
        margin = 0.05 * (high - low)
        self._xlim = (low - margin, high + margin)

        self.controls["lr"] = log_rate_slider(lr, *lr_range)
        self.controls["w0"] = labelled_slider(
            w0, low, high, description="start w\u2080", tooltip="Where gradient descent starts"
        )
        self.player = StepPlayer(steps, self._guarded(lambda _k: self._draw_step()))
        self.player.step_button.tooltip = "Take one more step: the next w becomes the current w"
        self.controls["k"] = self.player.play
        rows = [Row([self.controls["lr"], self.controls["w0"]]), self.player.widget]

        fig = LayeredFigure(figsize=(8.0, 3.9), ncols=1)
        (self._ax,) = fig.axes
        fig.animate(self._build_axes())
        self._mount(rows, fig)

        for name in ("lr", "w0"):
            self._watch(name, self._refresh)
        self._refresh(full=True)
        self.player.set(min(k, self.run.n_steps))  # a run that converged early is shorter

    # -- the static picture, and the artists that move ------------------------------------
    def _build_axes(self) -> list:
        ax = self._ax
        xs = np.linspace(*self._xlim, 400)
        ys = np.asarray(self.loss.value(xs), dtype=float)
        top, bottom = float(ys.max()), float(ys.min())
        height = top - bottom
        # A strip under the curve holds the w-axis, where the current and the next w are marked.
        self._axis_y = bottom - 0.09 * height
        self._ylim = (bottom - 0.18 * height, top + 0.22 * height)
        ax.plot(xs, ys, color="0.35", lw=1.5, label="loss L(w)")
        ax.axhline(self._axis_y, color="0.6", lw=0.8)
        ax.text(self._xlim[0], self._axis_y, " w-axis", va="bottom", fontsize=8, color="0.4")
        ax.set_xlim(*self._xlim)
        ax.set_ylim(*self._ylim)
        ax.set_xlabel("weight w")
        formula = getattr(self.loss, "formula", "")
        ax.set_ylabel(f"loss L(w) = {formula}" if formula else "loss L(w)", fontsize=9)

        blue, red, green = PALETTE[0], PALETTE[1], PALETTE[2]
        (self._path,) = ax.plot(
            [], [], color=red, marker="o", ms=4, lw=1, alpha=0.8, label="steps so far"
        )
        (self._tangent,) = ax.plot(
            [], [], color=blue, ls="--", lw=1.5, label="tangent at w: slope = gradient"
        )
        (self._current,) = ax.plot(
            [], [], color=blue, marker="o", ms=9, ls="none", label="current w"
        )
        next_style = {"color": green, "marker": "D", "mfc": "white", "mew": 2, "ls": "none"}
        (self._next,) = ax.plot(
            [], [], ms=8, label="next w = w \u2212 \u03b7 \u00d7 gradient", **next_style
        )
        (self._drops,) = ax.plot([], [], color="0.45", ls=":", lw=1)
        (self._current_axis,) = ax.plot([], [], color=blue, marker="o", ms=7, ls="none")
        (self._next_axis,) = ax.plot([], [], ms=7, **next_style)
        self._arrow = FancyArrowPatch(
            (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=12, color=green, lw=1.8
        )
        ax.add_patch(self._arrow)
        self._step_label = ax.annotate(  # under the w-axis, where nothing else is drawn
            "",
            (0, 0),
            xytext=(0, -3),
            textcoords="offset points",
            color=green,
            fontsize=9,
            ha="center",
            va="top",
        )
        self._slope_label = ax.annotate(
            "",
            (0, 0),
            xytext=(-10, 8),
            textcoords="offset points",
            color=blue,
            fontsize=9,
            ha="right",
            va="bottom",
        )
        self._offchart = ax.text(
            0.5, 0.6, "", transform=ax.transAxes, ha="center", color=red, fontsize=9
        )
        self._finding = ax.set_title(" ", fontsize=10)
        ax.legend(loc="upper center", fontsize=8, ncols=3, frameon=False)
        return [
            self._path,
            self._drops,
            self._tangent,
            self._current,
            self._next,
            self._current_axis,
            self._next_axis,
            self._arrow,
            self._step_label,
            self._slope_label,
            self._offchart,
            self._finding,
        ]

    # -- computing (once per slider move) --------------------------------------------------
    def _refresh(self, full: bool = False) -> None:
        lr, w0 = float(self.controls["lr"].value), float(self.controls["w0"].value)
        # The browser snaps a slider to min + k * step and sends back, e.g., 7.000000000000002
        # for 7: that is no move, and must not jump the player to the end of the run.
        if not full and np.allclose((lr, w0), self._shown, rtol=1e-9, atol=1e-12):
            return
        self._shown = (lr, w0)
        self.run = gradient_descent(self.loss, w0, lr=lr, steps=self.steps)
        # The tangent's slope at each iterate, and where the update from it lands (the core's
        # gradient_step: the next iterate of the run, and one step past its last).
        with np.errstate(all="ignore"):
            self._grads = np.asarray(self.loss.gradient(self.run.weights), dtype=float)
            self._next_ws = np.asarray(gradient_step(self.run.weights, self._grads, lr))
            self._next_losses = np.asarray(self.loss.value(self._next_ws), dtype=float)
        # A new run is shown whole; moving the player afterwards only redraws.
        self.player.set_length(self.run.n_steps)
        self._draw_step(full=full)

    # -- drawing (every player move: nothing recomputed) -----------------------------------
    def _k(self) -> int:
        return min(self.player.k, self.run.n_steps)

    def _clip(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(all="ignore"):
            x = np.clip(np.nan_to_num(np.asarray(x, dtype=float), nan=self._xlim[1]), *self._xlim)
            y = np.clip(np.nan_to_num(np.asarray(y, dtype=float), nan=self._ylim[1]), *self._ylim)
        return x, y

    def _draw_step(self, full: bool = False) -> None:
        k = self._k()
        run = self.run
        w, g, lr = run.weights[k], self._grads[k], float(self.controls["lr"].value)
        w_next, loss_now, loss_next = self._next_ws[k], run.losses[k], self._next_losses[k]
        finite = bool(np.all(np.isfinite([w, g, w_next, loss_now, loss_next])))

        self._path.set_data(*self._clip(run.weights[: k + 1], run.losses[: k + 1]))
        cx, cy = self._clip([w], [loss_now])
        nx, ny = self._clip([w_next], [loss_next])
        self._current.set_data(cx, cy)
        self._next.set_data(nx, ny)
        self._current_axis.set_data(cx, [self._axis_y])
        self._next_axis.set_data(nx, [self._axis_y])
        self._drops.set_data(
            [cx[0], cx[0], np.nan, nx[0], nx[0]],
            [self._axis_y, cy[0], np.nan, self._axis_y, ny[0]],
        )
        if finite:
            xs = np.array(self._xlim)
            if g != 0:  # the tangent stops at the w-axis, leaving the strip under it clear
                cross = w + (self._axis_y - loss_now) / g
                xs = np.clip([cross, xs[1]] if g > 0 else [xs[0], cross], *self._xlim)
            self._tangent.set_data(xs, loss_now + g * (xs - w))
            # The label sits above the tangent: up-left of the point if it slopes up, else up-right.
            self._slope_label.xy = (cx[0], cy[0])
            self._slope_label.xyann = (-10, 8) if g > 0 else (10, 8)
            self._slope_label.set_horizontalalignment("right" if g > 0 else "left")
            self._slope_label.set_text(f"slope {g:.3g}")
        else:
            self._tangent.set_data([], [])
            self._slope_label.set_text("")
        self._arrow.set_positions((cx[0], self._axis_y), (nx[0], self._axis_y))
        moves = finite and nx[0] != cx[0]
        self._arrow.set_visible(moves)
        self._step_label.xy = ((cx[0] + nx[0]) / 2, self._axis_y)
        self._step_label.set_text(f"\u2212\u03b7 \u00d7 gradient = {-lr * g:.3g}" if moves else "")
        off = not (self._xlim[0] <= w_next <= self._xlim[1]) if finite else True
        self._off = off
        gone = "the next w is off the chart" if off else ""
        if off and run.status == "diverged":
            gone += f" \u2192 the run {run.phrase}"
        self._offchart.set_text(gone)
        self._finding.set_text(self._title(g, loss_now, loss_next, finite))
        self.readout.show(self._describe(k))
        self.fig.update(full=full)

    def _title(self, g: float, loss_now: float, loss_next: float, finite: bool) -> str:
        if not finite:
            return f"The numbers overflowed: the run {self.run.phrase}"
        if g == 0:
            return "The tangent is flat (gradient 0): w stays where it is"
        slope = "up" if g > 0 else "down"
        sign = ">" if g > 0 else "<"
        title = f"The tangent slopes {slope} (gradient {sign} 0), so w moves {direction_of(g)}"
        if loss_next > loss_now and not _same(loss_next, loss_now):
            title += ", but too far: the loss rises"
        return title

    def _describe(self, k: int) -> str:
        run, lr = self.run, float(self.controls["lr"].value)
        w, g, w_next = run.weights[k], self._grads[k], self._next_ws[k]
        loss_now, loss_next = run.losses[k], self._next_losses[k]
        head = f"step {k} of {run.n_steps}: "
        if not np.all(np.isfinite([w, g, w_next, loss_now, loss_next])):
            return head + f"the numbers overflowed: at rate {lr:.3g} the run {run.phrase}"
        text = (
            f"{head}w = {_num(w)}, gradient {_num(g)}, so next w = {_num(w)} - {_num(lr)} \u00d7 "
            f"{_factor(g)} = {_num(w_next)}"
        )
        if w_next == w:
            text += (
                f"; the gradient is 0, so w does not move from w = {_num(w)}, loss {loss_now:.5g}"
            )
            if k == run.n_steps:  # the last step says how the run ended, in the core's words
                text += f" (the run {run.phrase})"
            return text
        text += f", a move of {abs(w_next - w):.3g} to the {direction_of(g)}"
        if _same(loss_next, loss_now):  # at 2/a the loss stays, up to rounding
            text += f"; the loss stays at {loss_now:.5g}"
        elif loss_next < loss_now:
            now, nxt = distinct(loss_now, loss_next, digits=5)
            text += f"; the loss falls from {now} to {nxt}"
        elif loss_next > loss_now:
            now, nxt = distinct(loss_now, loss_next, digits=5)
            text += f"; the loss rises from {now} to {nxt}: the step overshot"
        else:
            text += f"; the loss stays at {loss_now:.5g}"
        if k == run.n_steps:
            text += f" (the run {run.phrase})"
        if self._off:
            text += "; the next w is off the chart (drawn at its edge)"
        return text

    def data(self) -> dict[str, Any]:
        """What is drawn now: the run, the shown step, its tangent and the next point."""
        k = self._k()
        tx, ty = self._tangent.get_data()
        return {
            "weights": self.run.weights,
            "losses": self.run.losses,
            "gradients": self._grads,
            "status": self.run.status,
            "k": k,
            "w": float(self.run.weights[k]),
            "gradient": float(self._grads[k]),
            "next_w": float(self._next_ws[k]),
            "tangent": (np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)),
            "next_marker": tuple(float(v[0]) for v in self._next.get_data()),
            "next_on_axis": float(self._next_axis.get_xdata()[0]),
            "path": np.asarray(self._path.get_xdata(), dtype=float),
        }
