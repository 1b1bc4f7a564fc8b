"""The saddle explorer: gradient descent on x^2 - y^2 + y^4/2 from a start near (or exactly on)
the ridge y = 0, with noise; the path over the contours, and the gradient's length per step on a
log axis, where the plateau near the saddle shows."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..core import (
    SaddleWithMinima,
    critical_point_near,
    escape_step_of,
    escape_steps_simulated,
    gradient_descent,
    saddle_escape_steps,
    steps_near_saddle,
)
from ..core.errors import check_count, check_finite_number, check_positive_number
from ..plots.findings import count_steps
from ..plots.style import PALETTE
from .arguments import check_flag, check_steps, check_whole_within, check_within
from .base import Explorer
from .parts import Row, int_slider, labelled_slider, log_rate_slider, preset_button
from .picture import LayeredFigure

__all__ = ["SaddleExplorer"]

_EXTENT = (-2.2, 2.2, -1.6, 1.6)
#: "Escaped" means |y| reached this: the core's threshold (``escape_steps_simulated``).
ESCAPE_THRESHOLD = inspect.signature(escape_steps_simulated).parameters["threshold"].default
#: Where a run ends, from the core's ``critical_point_near`` (within ESCAPE_THRESHOLD).
_MINIMA = {"upper minimum": "(0, 1)", "lower minimum": "(0, -1)"}
_GRAD_LIMITS = (1e-12, 30.0)
#: The sliders' ranges: start x, the exponent k of y0 = 10^k, the noise and the rate.
_X0_RANGE, _LOG_Y0_RANGE, _NOISE_RANGE, _LR_RANGE = (-2.0, 2.0), (-12, -1), (0.0, 0.05), (0.02, 0.4)


class SaddleExplorer(Explorer):
    """Start near the saddle of ``x^2 - y^2 + y^4/2``: move the start, the noise and the rate,
    watch how long the run lingers near the saddle and where it goes.

    Parameters
    ----------
    x0 : float
        Start x.
    log_y0 : int
        Start y is ``10 ** log_y0`` (the button puts it exactly on 0 instead).
    noise : float
        Standard deviation of the Gaussian noise added to each gradient (seeded).
    lr : float
        Rate.
    steps : int
        Steps per run.
    grad_tol : float
        "Near the saddle" means a gradient shorter than this (and ``|y| < 0.5``).

    Examples
    --------
    >>> ex = SaddleExplorer()
    >>> ex.readout_text.splitlines()[0][:60]
    'start (1, 1e-06), noise 0, rate 0.1: 23 steps near the saddl'
    """

    def __init__(
        self,
        x0: float = 1.0,
        log_y0: int = -6,
        noise: float = 0.0,
        lr: float = 0.1,
        steps: int = 400,
        *,
        grad_tol: float = 0.01,
        seed: int = 0,
    ) -> None:
        super().__init__()
        x0 = check_finite_number("x0", x0)
        check_within("x0", x0, *_X0_RANGE, "the start slider's range")
        log_y0 = check_whole_within("log_y0", log_y0, *_LOG_Y0_RANGE, "the y\u2080 slider's range")
        noise = check_positive_number("noise", noise, allow_zero=True)
        check_within("noise", noise, *_NOISE_RANGE, "the noise slider's range")
        lr = check_positive_number("lr", lr)
        check_within("lr", lr, *_LR_RANGE, "the rate slider's range")
        self.loss = SaddleWithMinima()
        self.steps = check_steps("steps", steps)
        self.grad_tol = check_positive_number("grad_tol", grad_tol)
        self.seed = check_count("seed", seed)
        self.on_ridge = False
        self.controls["x0"] = labelled_slider(
            x0,
            *_X0_RANGE,
            description="start x\u2080",
            tooltip="Where the run starts along x (the direction that curves up)",
        )
        self.controls["log_y0"] = int_slider(
            log_y0,
            *_LOG_Y0_RANGE,
            description="start y\u2080 = 10^k, k",
            tooltip="How far off the ridge y = 0 the run starts: y\u2080 = 10^k (k = -6 is "
            "one millionth). The button below puts it exactly on the ridge.",
        )
        self.controls["noise"] = labelled_slider(
            noise,
            *_NOISE_RANGE,
            description="gradient noise \u03c3",
            tooltip="Standard deviation of the random noise added to each gradient "
            "(a model of stochastic gradients; seeded)",
        )
        self.controls["lr"] = log_rate_slider(lr, *_LR_RANGE)
        self._ridge_button = preset_button("", "", self._toggle_ridge)
        rows = [
            Row([self.controls["x0"], self.controls["log_y0"]]),
            Row([self.controls["noise"], self.controls["lr"]]),
            Row(["start:", self._ridge_button]),
        ]

        fig = LayeredFigure(figsize=(8.6, 3.6))
        self._ax, self._ax_g = fig.axes
        self._draw_static()
        self._path = self._ax.plot([], [], color=PALETTE[1], marker="o", ms=2.5, lw=1.2)[0]
        self._start = self._ax.plot([], [], color=PALETTE[0], marker="s", ms=8, ls="none")[0]
        self._end = self._ax.plot([], [], color=PALETTE[1], marker="D", ms=8, ls="none")[0]
        self._finding = self._ax.set_title(" ", fontsize=9)
        self._grad = self._ax_g.plot([], [], color=PALETTE[0], lw=1.6)[0]
        self._predicted = self._ax_g.axvline(0, color=PALETTE[2], ls="--", lw=1.2)
        self._g_title = self._ax_g.set_title(" ", fontsize=9)
        fig.animate(
            [
                self._path,
                self._start,
                self._end,
                self._finding,
                self._grad,
                self._predicted,
                self._g_title,
            ]
        )
        self._mount(rows, fig)
        for name in ("x0", "noise", "lr"):
            self._watch(name, self._refresh)
        self._watch("log_y0", self._move_y0)
        self._last: tuple | None = None
        self._refresh(full=True)

    # -- controls ----------------------------------------------------------------------------
    def _toggle_ridge(self) -> None:
        self.on_ridge = not self.on_ridge
        self._refresh()

    def _move_y0(self) -> None:
        self.on_ridge = False  # moving the slider means "start off the ridge, at 10^k"
        self._refresh()

    def set(self, **values: Any) -> None:
        """As :meth:`Explorer.set`, plus ``on_ridge=True/False`` (start exactly on y = 0)."""
        ridge = values.pop("on_ridge", None)
        if ridge is not None:
            ridge = check_flag("on_ridge", ridge)
        super().set(**values)
        if ridge is not None and bool(ridge) != self.on_ridge:
            self._toggle_ridge()

    @property
    def y0(self) -> float:
        return 0.0 if self.on_ridge else 10.0 ** int(self.controls["log_y0"].value)

    # -- drawing -----------------------------------------------------------------------------
    def _draw_static(self) -> None:
        ax, axg = self._ax, self._ax_g
        x0, x1, y0, y1 = _EXTENT
        xs, ys = np.linspace(x0, x1, 160), np.linspace(y0, y1, 160)
        values = np.asarray(self.loss.value(np.stack(np.meshgrid(xs, ys), axis=-1)))
        ax.contour(xs, ys, values, levels=np.linspace(-0.45, 4, 14), colors="0.6", linewidths=0.8)
        ax.plot(0, 0, color="black", marker="X", ms=9, ls="none", label="saddle (0, 0)")
        ax.plot([0, 0], [-1, 1], color="black", marker="*", ms=12, ls="none", label="minima")
        ax.axhline(0, color="0.4", lw=0.8, ls=":")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("parameter x")
        ax.set_ylabel("parameter y")
        ax.legend(fontsize=7, loc="lower left")
        axg.set_yscale("log")
        axg.set_xlim(0, self.steps)
        axg.set_ylim(*_GRAD_LIMITS)
        axg.axhline(self.grad_tol, color="0.4", lw=1, ls=":")
        axg.text(
            self.steps * 0.98,
            self.grad_tol * 1.5,
            f"|\u2207L| = {self.grad_tol:g}",
            fontsize=8,
            ha="right",
        )
        axg.set_xlabel("step k")
        axg.set_ylabel("gradient length |\u2207L| (log scale)")
        axg.grid(alpha=0.3)

    def _refresh(self, full: bool = False) -> None:
        x0, noise, lr = (
            float(self.controls["x0"].value),
            float(self.controls["noise"].value),
            self._value("lr"),
        )
        key = (x0, self.y0, noise, lr)
        if not full and key == self._last:
            return  # a slider echo of the value already shown
        self._last = key
        self.run = gradient_descent(
            self.loss, [x0, self.y0], lr=lr, steps=self.steps, noise=noise, seed=self.seed
        )
        # The run escape_steps_simulated would make (the same call): read off, not run again.
        self._escape = escape_step_of(self.run, ESCAPE_THRESHOLD)
        w = self.run.weights
        self._path.set_data(w[:, 0], w[:, 1])
        self._start.set_data(w[:1, 0], w[:1, 1])
        self._end.set_data(w[-1:, 0], w[-1:, 1])
        g = np.clip(self.run.grad_norms, *_GRAD_LIMITS)
        self._grad.set_data(np.arange(len(g)), g)
        pred = self.predicted_escape()
        self._predicted.set_xdata([pred, pred] if pred is not None else [np.nan, np.nan])
        self._ridge_button.description = (
            "back to y\u2080 = 10^k (slider)" if self.on_ridge else "start exactly on y = 0"
        )
        self._ridge_button.tooltip = (
            "Use the slider's y\u2080 again"
            if self.on_ridge
            else "Put the start exactly on the ridge y\u2080 = 0"
        )
        lines = self._describe()
        self._finding.set_text(self._short())
        self._g_title.set_text(
            "dashed: predicted escape"
            if pred is not None
            else "no prediction (y\u2080 = 0 or noise)"
        )
        self.readout.show(lines)
        self.fig.update(full=full)

    # -- values ------------------------------------------------------------------------------
    def escape_step(self) -> int | None:
        """The first step with ``|y| >= 0.5`` in the current run (None if none): the core's
        ``escape_steps_simulated`` for this start, rate, noise and seed."""
        return self._escape

    def predicted_escape(self) -> float | None:
        """``ln(0.5/|y0|)/ln(1 + 2 lr)`` when it applies (y0 != 0, no noise), else None."""
        if self.y0 == 0 or float(self.controls["noise"].value) > 0:
            return None
        return saddle_escape_steps(self.y0, self._value("lr"), ESCAPE_THRESHOLD)

    def _ending(self) -> str:
        """Where the run ends, from the core's ``critical_point_near`` and status: a minimum's
        coordinates, "saddle" (the run converged to it), "stuck" (still within
        ``ESCAPE_THRESHOLD`` of the saddle) or "elsewhere" (near none of them: on its way)."""
        place = critical_point_near(self.loss, self.run.weights[-1], within=ESCAPE_THRESHOLD)
        if place in _MINIMA:
            return _MINIMA[place]
        if place == "saddle":
            return "saddle" if self.run.status == "converged" else "stuck"
        return "elsewhere"

    def _end_point(self) -> str:
        x, y = self.run.weights[-1]
        return f"({x:.2g}, {y:.2g})"

    def _near(self) -> int:
        return steps_near_saddle(self.run.weights, self.run.grad_norms, self.grad_tol)

    def _short(self) -> str:
        end, n = self._ending(), count_steps(self.run.n_steps)
        if end == "saddle":
            return f"The run {self.run.phrase} to the saddle: |\u2207L| = 0 there too"
        if end == "stuck":
            return f"Still near the saddle after {n}"
        if end == "elsewhere":
            return f"After {n} at {self._end_point()}: near neither the saddle nor a minimum"
        if self._near() == 0:
            return f"Goes to {end} without lingering near the saddle"
        return f"Lingers near the saddle, then escapes to {end}"

    def _describe(self) -> str:
        x0, noise, lr = self.controls["x0"].value, self.controls["noise"].value, self._value("lr")
        head = f"start ({x0:g}, {self.y0:g}), noise {noise:g}, rate {lr:.3g}: "
        end, near = self._ending(), self._near()
        plateau = f"{count_steps(near)} near the saddle (|\u2207L| < {self.grad_tol:g})"
        if end == "saddle":
            first = (
                f"{head}the run {self.run.phrase} to the saddle (0, 0) after "
                f"{count_steps(self.run.n_steps)}: "
                f"y never moves off the ridge, and the gradient vanishes at a point that is not "
                f"a minimum."
            )
        elif end == "stuck":
            first = (
                f"{head}{plateau}, and after {count_steps(self.run.n_steps)} still |y| = "
                f"{abs(self.run.weights[-1, 1]):.2g}: not escaped yet."
            )
        elif end == "elsewhere":
            first = (
                f"{head}{plateau}; after {count_steps(self.run.n_steps)} the run "
                f"{self.run.phrase}, at {self._end_point()}: more than {ESCAPE_THRESHOLD:g} from "
                f"the saddle and from both minima."
            )
        else:
            first = f"{head}{plateau}, then escapes to {end}."
        k, pred = self.escape_step(), self.predicted_escape()
        if k is None:
            second = "|y| never reaches 0.5 in this run."
        elif pred is None:
            second = f"|y| reaches 0.5 at step {k}."
        else:
            second = (
                f"|y| reaches 0.5 at step {k}; the estimate ln(0.5/|y\u2080|)/ln(1 + 2\u03b7) "
                f"gives {pred:.1f}."
            )
        return f"{first}\n{second}"

    def data(self) -> dict[str, Any]:
        """What is shown now: the start, noise, rate, run, plateau length and escape step."""
        xs, ys = self._path.get_data()
        return {
            "x0": float(self.controls["x0"].value),
            "y0": self.y0,
            "noise": float(self.controls["noise"].value),
            "lr": self._value("lr"),
            "weights": self.run.weights,
            "grad_norms": self.run.grad_norms,
            "steps_near_saddle": steps_near_saddle(
                self.run.weights, self.run.grad_norms, self.grad_tol
            ),
            "escape_step": self.escape_step(),
            "predicted_escape": self.predicted_escape(),
            "end": self._ending(),
            "path": np.column_stack([xs, ys]),
        }
