"""The 2-D contour explorer: the path of gradient descent over the loss's contours."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.patches import FancyArrowPatch

from ..core import (
    QuadraticBowl,
    gradient_descent,
    max_stable_lr,
    read_direction,
    unit_vector,
)
from ..core.errors import check_point, check_positive_number
from ..plots.findings import finding, run_sentence
from ..plots.style import PALETTE
from .arguments import (
    MAX_STEPS,
    centre_of,
    check_loss_of_shape,
    check_range,
    check_steps,
    check_within,
    view_extent,
)
from .base import Explorer
from .parts import Row, StepPlayer, int_slider, labelled_slider, log_rate_slider, rate_against_limit
from .picture import LayeredFigure

__all__ = ["ContourExplorer"]


class ContourExplorer(Explorer):
    """Gradient descent on a 2-D loss: the path over the contours, with the step direction.

    Parameters
    ----------
    loss : Loss, optional
        Any 2-D loss from the core. Default: a bowl with condition number 10, turned 30 degrees.
    w0 : (float, float)
        Start point.
    lr : float
        Rate.
    steps : int
        Steps per run (the steps slider goes up to 4x this).
    extent : (xmin, xmax, ymin, ymax), optional
        The plotted window; default: around the start point and the minimum.

    Examples
    --------
    >>> ex = ContourExplorer(lr=0.15, steps=40)
    >>> ex.readout_text.split(";")[0]
    'rate 0.15, 40 steps: after 40 steps the run has not converged'
    """

    def __init__(
        self,
        loss: Any = None,
        w0: tuple[float, float] = (-2.5, 2.0),
        lr: float = 0.1,
        steps: int = 30,
        *,
        lr_range: tuple[float, float] = (1e-3, 3.0),
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        super().__init__()
        self.loss = QuadraticBowl([1.0, 10.0], rotation=np.pi / 6) if loss is None else loss
        check_loss_of_shape("ContourExplorer", self.loss, (2,))
        w0 = check_point("w0", w0, (2,))
        steps = check_steps("steps", steps, maximum=MAX_STEPS // 4)  # the slider goes to 4x
        lr_range = check_range("lr_range", lr_range, positive=True)
        lr = check_within("lr", check_positive_number("lr", lr), *lr_range, "lr_range")
        centre = centre_of(self.loss, (2,))
        reach = 1.3 * max(np.max(np.abs(w0 - centre)), 1.0)
        self._extent = view_extent(extent, centre, reach, "w0", w0)
        x0, x1, y0, y1 = self._extent

        self.controls["lr"] = log_rate_slider(lr, *lr_range)
        self.controls["x0"] = labelled_slider(
            w0[0],
            x0,
            x1,
            description="start x\u2080",
            tooltip="First coordinate of the start point",
        )
        self.controls["y0"] = labelled_slider(
            w0[1],
            y0,
            y1,
            description="start y\u2080",
            tooltip="Second coordinate of the start point",
        )
        self.controls["steps"] = int_slider(
            steps, 1, 4 * steps, description="steps", tooltip="How many updates to run"
        )
        self.player = StepPlayer(steps, self._guarded(lambda _k: self._draw_path()))
        self.controls["k"] = self.player.play
        rows = [
            Row([self.controls["lr"], self.controls["steps"]]),
            Row([self.controls["x0"], self.controls["y0"]]),
            self.player.widget,
        ]

        fig = LayeredFigure(figsize=(8.0, 3.6))
        self._ax, self._ax_grad = fig.axes
        xs, ys = np.linspace(x0, x1, 160), np.linspace(y0, y1, 160)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)
        values = np.asarray(self.loss.value(grid))
        levels = np.unique(np.quantile(values, np.linspace(0.0, 1.0, 16) ** 2))
        self._ax.contour(xs, ys, values, levels=levels, cmap="cividis", linewidths=0.8)
        self._ax.set_xlim(x0, x1)
        self._ax.set_ylim(y0, y1)
        self._ax.set_aspect("equal")
        self._ax.set_xlabel("parameter x")
        self._ax.set_ylabel("parameter y")
        self._ax.set_title(f"L = {self.loss.formula}", fontsize=10)
        self._path = self._ax.plot([], [], color=PALETTE[1], marker="o", ms=3, lw=1.2)[0]
        self._start = self._ax.plot([], [], color=PALETTE[0], marker="s", ms=8, ls="none")[0]
        self._arrow = FancyArrowPatch(
            (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=14, color=PALETTE[2], lw=2
        )
        self._ax.add_patch(self._arrow)
        self._arrow_label = self._ax.text(0, 0, "", color=PALETTE[2], fontsize=9)
        self._grad_line = self._ax_grad.plot([], [], color=PALETTE[1], marker="o", ms=3)[0]
        (self._grad_now,) = self._ax_grad.plot(
            [], [], color=PALETTE[2], marker="D", ms=7, ls="none"
        )
        self._finding = self._ax_grad.set_title(" ", fontsize=10)
        fig.animate(
            [
                self._path,
                self._start,
                self._arrow,
                self._arrow_label,
                self._grad_line,
                self._grad_now,
                self._finding,
            ]
        )
        self._ax_grad.set_yscale("log")
        self._ax_grad.set_xlabel("step k")
        self._ax_grad.set_ylabel("gradient length |\u2207L|, log scale")
        self._ax_grad.grid(alpha=0.3)
        fig.scenery([self._ax_grad.xaxis])  # the step axis follows the steps slider
        self._mount(rows, fig)

        for name in ("lr", "x0", "y0"):
            self._watch(name, self._refresh)
        self._watch("steps", lambda: self._refresh(full=True))
        self._refresh(full=True)

    def _refresh(self, full: bool = False) -> None:
        w0 = (self.controls["x0"].value, self.controls["y0"].value)
        n = self.controls["steps"].value
        self.run = gradient_descent(self.loss, w0, lr=self.controls["lr"].value, steps=n)
        if full:
            self._ax_grad.set_xlim(-0.5, n + 0.5)
            self._ax_grad.set_ylim(1e-12, 1e8)
        # A new run is shown whole; moving the player afterwards only redraws.
        self.player.set_length(self.run.n_steps)
        self._draw_path(full=full)

    def _draw_path(self, full: bool = False) -> None:
        run = self.run
        k = min(self.player.k, run.n_steps)
        x0, x1, y0, y1 = self._extent
        w = run.weights[: k + 1]
        with np.errstate(all="ignore"):
            shown = np.column_stack([np.clip(w[:, 0], x0, x1), np.clip(w[:, 1], y0, y1)])
            self._off = not bool(np.all(shown == w))  # clipped, or not finite
        self._path.set_data(shown[:, 0], shown[:, 1])
        self._start.set_data(shown[:1, 0], shown[:1, 1])
        here = shown[-1]
        descent = self._descent_angle(run.weights[k])
        if descent is not None:
            # The downhill direction (the core's reading of the gradient), at a fixed length.
            tip = here + 0.15 * (x1 - x0) * unit_vector(descent)
            self._arrow.set_positions(tuple(here), tuple(tip))
            self._arrow_label.set_position(tuple(tip))
            self._arrow_label.set_text("\u2212\u2207L")
        else:
            self._arrow.set_positions(tuple(here), tuple(here))
            self._arrow_label.set_text("")
        norms = np.nan_to_num(run.grad_norms[: k + 1], nan=np.inf)
        self._grad_line.set_data(np.arange(k + 1), np.clip(norms, 1e-12, 1e8))
        self._grad_now.set_data([k], [np.clip(norms[-1], 1e-12, 1e8)])
        self._finding.set_text(finding(run, "gradient"))
        self.readout.show(self._describe(k))
        self.fig.update(full=full)

    def _descent_angle(self, w: np.ndarray) -> float | None:
        """The direction of steepest descent at ``w`` (degrees), or None at a flat point or
        where the run overflowed."""
        if not np.all(np.isfinite(w)):
            return None
        with np.errstate(all="ignore"):
            reading = read_direction(self.loss, w, 0.0)
        return reading.descent_angle if np.isfinite(reading.length) else None

    def _describe(self, k: int) -> str:
        run, lr = self.run, self.controls["lr"].value
        n = self.controls["steps"].value
        bound = max_stable_lr(self.loss.eigenvalues) if isinstance(self.loss, QuadraticBowl) else 0
        rate, limit = rate_against_limit(lr, bound) if bound else (f"{lr:.3g}", "")
        head = f"rate {rate}, {n} steps: {run_sentence(run)}"
        w = run.weights[k]
        text = (
            f"{head}; at step {k}: w = ({w[0]:.3g}, {w[1]:.3g}), loss {run.losses[k]:.3g}, "
            f"|gradient| {run.grad_norms[k]:.2g}"
        )
        if self._off:
            text += "; the path leaves the chart (drawn at its edge)"
        if bound:
            text += f". This bowl is stable for rates below 2/\u03bb_max = {limit}."
        return text

    def data(self) -> dict[str, Any]:
        """What is plotted now: the run, the shown step, and the drawn path."""
        xs, ys = self._path.get_data()
        return {
            "weights": self.run.weights,
            "grad_norms": self.run.grad_norms,
            "status": self.run.status,
            "k": self.player.k,
            "path": np.column_stack([xs, ys]),
        }
