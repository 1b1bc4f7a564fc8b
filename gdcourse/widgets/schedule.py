"""The schedule explorer of lesson 06: a learning-rate schedule on a noisy quadratic.

Two panels: the rate against step, and the loss against step (log scale), each next to the same
run with a constant rate. The readout compares where the two end up.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import (
    CourseValueError,
    Quadratic1D,
    constant,
    cosine_decay,
    exponential_decay,
    gradient_descent,
    inverse_time_decay,
    noise_floor,
    noisy_runs,
    settled_loss,
    step_decay,
)
from ..core.errors import check_count, check_positive_number
from ..core.last_bits import current_block
from ..plots.findings import compared
from ..plots.style import PALETTE
from .arguments import check_choice, check_steps, check_within
from .base import Explorer
from .parts import Row, dropdown, int_slider, labelled_slider, log_rate_slider
from .picture import LayeredFigure

__all__ = ["KINDS", "ScheduleExplorer", "make_schedule"]

#: The schedules the explorer offers, each with what its time scale T means.
KINDS = {
    "constant": "T has no effect on a constant rate",
    "step decay": "halves the rate every T steps",
    "exponential": "halves the rate every T steps, smoothly",
    "1/t": "halves the rate at step T, a third at 2T, ...",
    "cosine": "falls along half a cosine to 0 at step T",
}
_YLIM = (1e-8, 1e3)
_LR_RANGE, _LR_SLIDER = (1e-3, 1.5), "the initial-rate slider's range"
_T_MIN = 10  # the time-scale slider runs from 10 steps to the length of the runs
_NOISE_RANGE = (0.0, 2.0)
_LAST = 50  # the final loss is the mean over the last 50 steps (one noisy step says little)


def make_schedule(kind: str, lr: float, T: int):
    """The core schedule of ``kind`` starting at ``lr`` with time scale ``T`` (see ``KINDS``).

    >>> round(make_schedule("exponential", 0.4, 10)(10), 12)
    0.2
    """
    if kind == "constant":
        return constant(lr)
    if kind == "step decay":
        return step_decay(lr, 0.5, every=T)
    if kind == "exponential":
        return exponential_decay(lr, half_life=T)
    if kind == "1/t":
        return inverse_time_decay(lr, 1 / T)
    if kind == "cosine":
        return cosine_decay(lr, total_steps=T)
    raise CourseValueError(f"unknown schedule kind {kind!r}; choose one of {list(KINDS)}")


class ScheduleExplorer(Explorer):
    """A schedule against a constant rate on ``(w - 3)^2`` with noisy gradients (fixed seed).

    Parameters
    ----------
    kind : str
        One of ``KINDS``: "constant", "step decay", "exponential", "1/t", "cosine".
    lr : float
        The initial rate (the constant run uses it throughout).
    T : int
        The schedule's time scale in steps (see ``KINDS``).
    noise : float
        Standard deviation of the gradient noise.
    steps, seed : int
        Length of the runs, and the seed of their noise (both runs see the same noise).

    Examples
    --------
    >>> ex = ScheduleExplorer()
    >>> ex.readout_text.startswith("cosine from 0.3 over T = 100 steps")
    True
    """

    def __init__(
        self,
        kind: str = "cosine",
        lr: float = 0.3,
        T: int = 100,
        noise: float = 1.0,
        *,
        steps: int = 400,
        seed: int = 0,
    ) -> None:
        super().__init__()
        kind = check_choice("kind", kind, list(KINDS))
        steps = check_steps("steps", steps, minimum=_LAST)  # a settled loss needs _LAST steps
        lr = check_within("lr", check_positive_number("lr", lr), *_LR_RANGE, _LR_SLIDER)
        T = check_count("T", T, minimum=1)
        check_within("T", T, _T_MIN, steps, f"the time-scale slider's range, {_T_MIN} to steps")
        noise = check_positive_number("noise", noise, allow_zero=True)
        check_within("noise", noise, *_NOISE_RANGE, "the noise slider's range")
        self.loss = Quadratic1D(a=2, c=3)
        self.w0, self.steps, self.seed = 7.0, steps, check_count("seed", seed)
        self.controls["kind"] = dropdown(
            kind,
            list(KINDS),
            description="schedule",
            tooltip="How the rate changes with the step number",
        )
        self.controls["lr"] = log_rate_slider(
            lr, *_LR_RANGE, description="initial rate \u03b7\u2080"
        )
        self.controls["T"] = int_slider(
            T,
            _T_MIN,
            steps,
            description="time scale T (steps)",
            tooltip="How fast the schedule decays: see the readout for what T means",
        )
        self.controls["noise"] = labelled_slider(
            noise,
            *_NOISE_RANGE,
            description="gradient noise \u03c3",
            tooltip="Standard deviation of the noise added to every gradient (0: exact)",
        )
        rows = [
            Row([self.controls["kind"], self.controls["lr"]]),
            Row([self.controls["T"], self.controls["noise"]]),
        ]
        fig = LayeredFigure(figsize=(9.0, 3.6), ncols=2)
        self._ax_rate, self._ax_loss = fig.axes
        fig.animate(self._build_axes())
        self._mount(rows, fig)
        self._shown: tuple = ()
        self._constant_runs: tuple = (None, None)  # (lr, noise) -> the constant rate's runs
        for name in self.controls:
            self._watch(name, self._refresh)
        self._refresh(full=True)

    def _build_axes(self) -> list:
        ax, bx = self._ax_rate, self._ax_loss
        t = np.arange(self.steps)
        ax.set_xlim(0, self.steps)
        ax.set_ylim(0, 1.6)
        ax.set_xlabel("step t")
        ax.set_ylabel("learning rate \u03b7_t")
        ax.set_title("The rate", fontsize=10)
        bx.set_xlim(0, self.steps)
        bx.set_ylim(*_YLIM)
        bx.set_yscale("log")
        bx.minorticks_off()
        bx.set_xlabel("step t")
        bx.set_ylabel("loss (w \u2212 3)\u00b2, log scale")
        blue, red = PALETTE[0], PALETTE[1]
        (self._rate_const,) = ax.plot(t, t * 0.0, color="0.45", ls="--", lw=1.5, label="constant")
        (self._rate_line,) = ax.plot(t, t * 0.0, color=blue, lw=2, label="schedule")
        (self._loss_const,) = bx.plot(
            t, t * 0.0 + 1, color="0.45", ls="--", lw=1, label="constant rate"
        )
        (self._loss_line,) = bx.plot(t, t * 0.0 + 1, color=blue, lw=1.2, label="schedule")
        (self._floor,) = bx.plot(
            [0, self.steps], [1, 1], color=red, ls=":", lw=1.5, label="noise floor of constant"
        )
        self._finding = bx.set_title(" ", fontsize=10)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        bx.legend(loc="lower left", fontsize=8, frameon=False)
        return [
            self._rate_const,
            self._rate_line,
            self._loss_const,
            self._loss_line,
            self._floor,
            self._finding,
        ]

    # -- computing -------------------------------------------------------------------------
    def _params(self) -> tuple:
        return (
            self.controls["kind"].value,
            self._value("lr"),
            int(self.controls["T"].value),
            float(self.controls["noise"].value),
        )

    def _refresh(self, full: bool = False) -> None:
        params = self._params()
        if not full and self._shown and params[0] == self._shown[0]:
            if np.allclose(params[1:], self._shown[1:], rtol=1e-9, atol=1e-12):
                return  # a slider echo of the value already shown
        self._shown = params
        kind, lr, T, noise = params
        # A constant rate has no time scale: its slider says so rather than doing nothing.
        slider = self.controls["T"]
        slider.disabled = kind == "constant"
        slider.tooltip = (
            "A constant rate has no time scale: choose another schedule to use T"
            if slider.disabled
            else "How fast the schedule decays: see the readout for what T means"
        )
        self.schedule = make_schedule(kind, lr, T)
        kw = {"steps": self.steps, "noise": noise, "seed": self.seed}
        if noise:  # a noisy gradient's length says nothing about the distance: take every step
            kw["tol"] = 0
        # Each run twice, from the core: gradient_descent says how it ended (its status; without
        # noise its default tolerance lets it say "converges"); noisy_runs (the same run, equal
        # up to the last bits of its arithmetic) takes every step, so a run that lands exactly
        # on the minimum stays there and one that overflows reads inf.
        seeds = {"noise": noise, "seeds": [self.seed]}
        # Everything the constant rate's runs depend on (the public attributes too, and an
        # other_last_bits block, whose runs are not the ones outside it).
        key = (lr, noise, self.seed, self.steps, self.w0, self.loss, current_block())
        self.run = gradient_descent(self.loss, self.w0, lr=self.schedule, **kw)
        ours = noisy_runs(self.loss, self.w0, self.schedule, self.steps, **seeds)
        if kind == "constant":  # the schedule is the constant rate: its runs are the baseline's
            self.baseline, theirs = self.run, ours
        elif self._constant_runs[0] == key:
            # A new schedule or T leaves the constant rate's runs as they were: kept, not run
            # again (only the last pair is kept; a rate or noise moved runs them anew).
            self.baseline, theirs = self._constant_runs[1]
        else:
            self.baseline = gradient_descent(self.loss, self.w0, lr=lr, **kw)
            theirs = noisy_runs(self.loss, self.w0, lr, self.steps, **seeds)
        self._constant_runs = (key, (self.baseline, theirs))
        self._all_steps = (ours, theirs)
        self._draw(full=full)

    @staticmethod
    def _curve(runs: Any) -> np.ndarray:
        """The losses of every step, drawn inside the panel (an overflow at its top)."""
        with np.errstate(all="ignore"):
            losses = np.nan_to_num(runs.losses[0], nan=_YLIM[1], posinf=_YLIM[1])
        return np.clip(losses, *_YLIM)

    @staticmethod
    def _final(run: Any, runs: Any) -> float:
        """Where the run settles (the core's ``settled_loss`` of its last steps); ``inf`` when
        its status says it diverged."""
        return math.inf if run.status == "diverged" else settled_loss(runs, last=_LAST)

    def _finals(self) -> tuple[float, float]:
        """Where the schedule's run and the constant-rate run settle."""
        ours_all, theirs_all = self._all_steps
        return self._final(self.run, ours_all), self._final(self.baseline, theirs_all)

    # -- drawing ---------------------------------------------------------------------------
    def _draw(self, full: bool = False) -> None:
        _kind, lr, _T, noise = self._shown
        t = np.arange(self.steps)
        self._rate_line.set_data(t, np.clip(self.schedule.rates(self.steps), 0, 1.6))
        self._rate_const.set_data(t, np.full(self.steps, min(lr, 1.6)))
        x = np.arange(self.steps + 1)
        ours_all, theirs_all = self._all_steps
        self._loss_line.set_data(x, self._curve(ours_all))
        self._loss_const.set_data(x, self._curve(theirs_all))
        floor = noise_floor(self.loss.a, lr, noise) if noise > 0 else 0.0
        shown = floor if np.isfinite(floor) and floor > 0 else np.nan
        self._floor.set_data([0, self.steps], [shown, shown])
        self._finding.set_text(self._title())
        self.readout.show(self._describe())
        self.fig.update(full=full)

    def _title(self) -> str:
        """The finding: how the two runs ended (their statuses, in the core's words) and, when
        neither diverged, how their settled losses compare (zeros and near ties included)."""
        ours, theirs = self._finals()
        if self._shown[0] == "constant":  # the two runs are one: nothing to compare
            if self.run.status == "diverged":
                return f"The run {self.run.phrase}: lower the rate"
            return f"The run {self.run.phrase}: mean loss {ours:.3g} over its last {_LAST} steps"
        if self.run.status == "diverged":
            return f"The schedule's run {self.run.phrase}: lower the initial rate"
        if self.baseline.status == "diverged":
            return (
                f"The constant rate's run {self.baseline.phrase}; the schedule's ends at {ours:.3g}"
            )
        words = compared(ours, theirs, ("the schedule", "the constant rate"))
        return words[0].upper() + words[1:]

    def _describe(self) -> str:
        """What both panels show, in the core's words and numbers: each run's status (its
        phrase), where it settled (the core's ``settled_loss``), and the noise floor drawn."""
        kind, lr, T, noise = self._shown
        ours, theirs = self._finals()
        head = f"{kind} from {lr:.3g}" + ("" if kind == "constant" else f" over T = {T} steps")
        head += f" ({KINDS[kind]}), gradient noise {noise:.3g}: "
        text = head + self._settled("the run", self.run, ours)
        if kind != "constant":
            text += "; " + self._settled(f"constant rate {lr:.3g}", self.baseline, theirs)
        floor = noise_floor(self.loss.a, lr, noise)
        if noise > 0 and np.isfinite(floor):
            text += f" (its noise floor {floor:.3g}, dotted)"
        elif noise == 0:
            text += " (exact gradients: no noise floor)"
        if kind != "constant" and self.run.status != "diverged":
            text += f". {self._title()}"
        return text + "."

    @staticmethod
    def _settled(name: str, run: Any, level: float) -> str:
        if run.status == "diverged":
            return f"{name} {run.phrase}"
        return f"{name} {run.phrase}, mean loss of its last {_LAST} steps {level:.3g}"

    def data(self) -> dict[str, Any]:
        """What is drawn: the schedule's rates, both runs' losses and the noise floor."""
        return {
            "rates": self.schedule.rates(self.steps),
            "losses": self.run.losses,
            "constant_losses": self.baseline.losses,
            "status": self.run.status,
            "final": self._finals()[0],
            "constant_final": self._finals()[1],
            "floor": float(self._floor.get_ydata()[0]),
            "rate_line": np.asarray(self._rate_line.get_ydata(), dtype=float),
            "loss_line": np.asarray(self._loss_line.get_ydata(), dtype=float),
        }
