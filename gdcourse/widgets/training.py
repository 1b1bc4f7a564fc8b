"""The training explorer of lesson 10: a network's training runs, precomputed by the core on a grid
of rates, batch sizes and schedules; its training and validation loss and its accuracy per epoch."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from ..core import (
    STATUS_PHRASES,
    CourseTypeError,
    CourseValueError,
    TrainingGrid,
    thrown_off_epoch,
    updates_per_epoch,
)
from ..core.errors import _describe
from ..plots.style import PALETTE
from .arguments import check_control_value
from .base import Explorer
from .parts import Control, Row, dropdown
from .picture import LayeredFigure

__all__ = ["SCHEDULE_LABELS", "TrainingExplorer"]

#: How the schedule list names the core's schedules (``SCHEDULE_NAMES``).
SCHEDULE_LABELS = {"constant": "constant", "warmup_cosine": "warmup + cosine"}
#: The loss panel's limits when the grid holds no positive finite loss (log scale).
_NO_LOSS_LIMITS = (1e-3, 1e3)
_SENSITIVE = (
    "This run is past the stable rates, so it is chaotic: its exact curve differs from one CPU "
    "to another, and so can whether it ends blown up"
)


class _GridChoice(Control):
    """A slider over the grid's numbers, each shown as ``:g`` writes it (0.3, 1, 30)."""

    @property
    def labels(self) -> list[str]:
        return [f"{v:g}" for v in self.options]

    def shown(self) -> str:
        return f"{self.value:g}"


def _grid_slider(value: Any, options: list, *, description: str, tooltip: str) -> Control:
    return _GridChoice("choice", value, options=options, description=description, tooltip=tooltip)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


class TrainingExplorer(Explorer):
    """Lesson 10's network trained on a grid of settings: choose the rate, the batch size and
    the schedule; see the training and validation loss and the validation accuracy per epoch.

    Nothing is trained here: every curve is the core's (:func:`~gdcourse.core.training_grid`),
    read from ``grid``.

    Parameters
    ----------
    grid : TrainingGrid
        The runs, e.g. ``gdcourse.digits.stored_studies().grid``.
    sensitive : array_like of bool, shape (rates, batch sizes, schedules), optional
        The runs whose exact curves depend on the last bits of the sums (another CPU ends them
        elsewhere), e.g. ``stored_studies().sensitive["grid"]``; the readout says so for them.
    lr, batch_size : float, int, optional
        The first rate and batch size, from the grid's; default: the middle ones.
    schedule : str, optional
        ``"constant"`` or ``"warmup_cosine"`` (or its label, ``"warmup + cosine"``), one of the
        grid's; default: its first.

    Examples
    --------
    >>> import numpy as np
    >>> from gdcourse import MLP, training_grid
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> net = MLP(X, [0, 1, 1, 0], hidden=8)
    >>> g = training_grid(net, [0.1, 1.0], [2, 4], epochs=2, evaluate=net)
    >>> ex = TrainingExplorer(g)
    >>> ex.readout_text.splitlines()[0][:61]
    'rate 0.1, batch 2, constant rate: ceil(4 / 2) = 2 updates per'
    """

    def __init__(
        self,
        grid: TrainingGrid,
        sensitive: Any = None,
        *,
        lr: float | None = None,
        batch_size: int | None = None,
        schedule: str | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(grid, TrainingGrid):
            raise CourseTypeError(
                f"grid must be a TrainingGrid (the core's precomputed runs, from training_grid), "
                f"got {_describe(grid)}"
            )
        self.grid = grid
        self.sensitive = self._check_sensitive(sensitive)
        rates = [float(r) for r in grid.rates]
        sizes = [int(b) for b in grid.batch_sizes]
        self.n_samples = int(grid.n_samples)  # (updates per epoch: ceil(n_samples / batch))
        labels = [SCHEDULE_LABELS.get(name, name) for name in grid.schedules]
        self._schedule_of = dict(zip(labels, grid.schedules, strict=True))

        self.controls["lr"] = _grid_slider(
            rates[(len(rates) - 1) // 2],
            rates,
            description="rate \u03b7",
            tooltip="The learning rate (its peak, with a schedule): the grid's rates, each a "
            "run trained beforehand. Arrow keys move to the next one.",
        )
        self.controls["batch"] = _grid_slider(
            sizes[(len(sizes) - 1) // 2],
            sizes,
            description="batch size B",
            tooltip=f"Examples per update; {max(sizes):,} is the full batch."
            if max(sizes) == self.n_samples
            else "Examples per update.",
        )
        self.controls["schedule"] = dropdown(
            labels[0],
            labels,
            description="schedule",
            tooltip="Constant: the same rate for every update. Warmup + cosine: the rate "
            "rises from 0 over the first 5% of the updates, then falls along half a cosine "
            "to 0.",
        )
        first = {}
        if lr is not None:
            first["lr"] = check_control_value("lr", self.controls["lr"], lr)
        if batch_size is not None:
            first["batch"] = check_control_value("batch_size", self.controls["batch"], batch_size)
        if schedule is not None:
            label = SCHEDULE_LABELS.get(schedule, schedule) if isinstance(schedule, str) else ""
            if label not in self._schedule_of:
                raise CourseValueError(
                    f"schedule must be one of {list(grid.schedules)} (the grid's schedules), "
                    f"got {_describe(schedule)}"
                )
            first["schedule"] = label
        for name, value in first.items():
            self.controls[name].value = value

        fig = LayeredFigure(figsize=(10.0, 3.6), ncols=2)
        self._ax_loss, self._ax_acc = fig.axes
        self._draw_static()
        self._train_line = self._ax_loss.plot(
            [], [], color=PALETTE[0], marker="o", ms=3.5, lw=1.6, label="training loss"
        )[0]
        self._val_line = self._ax_loss.plot(
            [], [], color=PALETTE[1], marker="s", ms=3.5, lw=1.6, ls="--", label="validation loss"
        )[0]
        self._acc_line = self._ax_acc.plot(
            [], [], color=PALETTE[2], marker="^", ms=4, lw=1.6, label="validation accuracy"
        )[0]
        self._ax_loss.legend(fontsize=8, loc="lower left")
        self._title = self._ax_loss.set_title(" \n ", fontsize=9, loc="left")
        self._acc_title = self._ax_acc.set_title(" \n ", fontsize=9, loc="left")
        fig.animate(
            [self._train_line, self._val_line, self._acc_line, self._title, self._acc_title]
        )
        rows = [
            Row([self.controls["lr"], self.controls["batch"]]),
            Row([self.controls["schedule"]]),
        ]
        self._mount(rows, fig)
        for name in ("lr", "batch", "schedule"):
            self._watch(name, self._refresh)
        self._key: tuple | None = None
        self._refresh()

    # -- arguments ---------------------------------------------------------------------------
    def _check_sensitive(self, sensitive: Any) -> np.ndarray:
        shape = self.grid.diverged.shape
        if sensitive is None:
            return np.zeros(shape, dtype=bool)
        expected = (
            f"sensitive must be an array of True/False of shape {shape} (one per run of the "
            f"grid: rates, batch sizes, schedules)"
        )
        arr = np.asarray(sensitive) if isinstance(sensitive, (list, tuple, np.ndarray)) else None
        if arr is None or arr.dtype != bool:
            raise CourseTypeError(f"{expected}, got {_describe(sensitive)}")
        if arr.shape != shape:
            raise CourseValueError(f"{expected}, got one of shape {arr.shape}")
        return arr.copy()

    # -- drawing -----------------------------------------------------------------------------
    def _draw_static(self) -> None:
        g, axl, axa = self.grid, self._ax_loss, self._ax_acc
        with np.errstate(invalid="ignore"):
            losses = np.concatenate([g.train_loss.ravel(), g.val_loss.ravel()])
            shown = losses[np.isfinite(losses) & (losses > 0)]
        # The limits hold every loss of the grid: no control moves an axis, nothing is clipped.
        low, high = (shown.min() / 2, shown.max() * 2) if shown.size else _NO_LOSS_LIMITS
        self._loss_limits = (float(low), float(high))
        for ax in (axl, axa):
            ax.set_xlim(-0.5, g.epochs + 0.5)
            ax.set_xlabel("epoch (passes over the training rows)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
        axl.set_yscale("log")
        axl.set_ylim(*self._loss_limits)
        axl.set_ylabel("loss (log scale)")
        axa.set_ylim(0.0, 1.02)
        axa.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        axa.set_ylabel("validation accuracy")

    def _refresh(self) -> None:
        lr, batch = self.controls["lr"].value, self.controls["batch"].value
        label = self.controls["schedule"].value
        key = (lr, batch, label)
        if key == self._key:
            return  # a control echoing the value already shown
        self._key = key
        g = self.grid
        i = [float(r) for r in g.rates].index(lr)
        j = [int(b) for b in g.batch_sizes].index(batch)
        m = list(g.schedules).index(self._schedule_of[label])
        self._index = (i, j, m)
        self._train, self._val = g.train_loss[i, j, m], g.val_loss[i, j, m]
        self._acc = g.val_accuracy[i, j, m]
        self.status = "diverged" if g.diverged[i, j, m] else "completed"
        self.phrase = STATUS_PHRASES[self.status]
        self.per_epoch = updates_per_epoch(self.n_samples, batch)
        epochs = np.arange(g.epochs + 1)
        self._train_line.set_data(epochs, self._train)
        self._val_line.set_data(epochs, self._val)
        self._acc_line.set_data(epochs, self._acc)
        self._title.set_text(f"{self._setting()}\n{self._finding()}")
        last = self._last_epoch()
        acc = f"validation accuracy {float(self._acc[last]):.2%} after {_count(last, 'epoch')}"
        chaotic = "; chaotic: its exact curve varies by CPU" if self.is_sensitive else ""
        self._acc_title.set_text(f"{acc}\n{_count(self.per_epoch, 'update')} per epoch{chaotic}")
        self.readout.show(self._describe())
        self.fig.update()

    # -- words -------------------------------------------------------------------------------
    @property
    def is_sensitive(self) -> bool:
        return bool(self.sensitive[self._index])

    def _last_epoch(self) -> int:
        """The last epoch with a finite loss (a run that overflowed stops there: ``nan``
        after)."""
        finite = np.flatnonzero(np.isfinite(self._train))
        return int(finite[-1]) if finite.size else 0

    def _setting(self) -> str:
        lr, batch, label = self._key
        return f"rate {lr:g}, batch {batch}, {label}"

    def _finding(self) -> str:
        """The title's second line: the core's status, then how far the training loss moved."""
        last = self._last_epoch()
        moved = f"training loss {float(self._train[0]):.3g} \u2192 {float(self._train[last]):.3g}"
        if self.status == "diverged":
            return f"the run {self.phrase}, it blows up: {moved}"
        if thrown_off_epoch(self._train[: last + 1]) is not None:
            return f"thrown off, then brought back: {moved}"
        return f"the run {self.phrase}: {moved}"

    def _describe(self) -> str:
        g, last = self.grid, self._last_epoch()
        lr, batch, label = self._key
        rate = "constant rate" if label == "constant" else f"{label} schedule (peak rate)"
        per = _count(self.per_epoch, "update")
        first = (
            f"rate {lr:g}, batch {batch}, {rate}: ceil({self.n_samples} / {batch}) = {per} per "
            f"epoch ({self.n_samples:,} training rows in batches of {batch:,})."
        )
        train0, train1 = float(self._train[0]), float(self._train[last])
        val0, val1 = float(self._val[0]), float(self._val[last])
        acc0, acc1 = float(self._acc[0]), float(self._acc[last])
        in_epochs = f"in {_count(last, 'epoch')}"
        if self.status == "diverged":
            second = f"The run {self.phrase}: it blows up. Its training loss went from "
            second += f"{train0:.3g} to {train1:.3g} {in_epochs}"
            if last < g.epochs:
                second += f" and then overflowed (nothing is drawn after epoch {last})"
        else:
            second = (
                f"The run {self.phrase}: its training loss went from {train0:.3g} to "
                f"{train1:.3g} {in_epochs}"
            )
            thrown = thrown_off_epoch(self._train[: last + 1])
            if thrown is not None:  # thrown off, then brought back down (a schedule's decay)
                peak = float(np.max(self._train[: last + 1]))
                second += (
                    f", but it was thrown off first: at epoch {thrown} the loss was above twice "
                    f"its start, and it peaked at {peak:.3g}"
                )
        second += (
            f"; the validation loss from {val0:.3g} to {val1:.3g}; validation accuracy "
            f"{acc1:.2%} after the last epoch ({acc0:.2%} at the start)."
        )
        lines = [first, second]
        if self.is_sensitive:
            lines.append(f"{_SENSITIVE}.")
        lines.append(
            f"Picture: left, the training loss (solid line, circles) and the validation loss "
            f"(dashed line, squares) per epoch from 0 to {g.epochs}, on a log scale; right, the "
            f"validation accuracy per epoch (triangles), from 0 to 100%."
        )
        return "\n".join(lines)

    def data(self) -> dict[str, Any]:
        """What is shown now: the controls, the run read from the grid (its index) and the
        curves as drawn."""
        lr, batch, label = self._key
        return {
            "lr": lr,
            "batch_size": batch,
            "schedule": self._schedule_of[label],
            "index": self._index,
            "status": self.status,
            "sensitive": self.is_sensitive,
            "updates_per_epoch": self.per_epoch,
            "train_loss": np.asarray(self._train_line.get_ydata()),
            "val_loss": np.asarray(self._val_line.get_ydata()),
            "val_accuracy": np.asarray(self._acc_line.get_ydata()),
        }
