"""The batch-size explorer of lesson 05: mini-batch SGD on a regression problem, its loss against
updates and against epochs, for any batch size, rate and shuffling seed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..core import (
    CourseTypeError,
    CourseValueError,
    LinearRegression,
    minibatch_sgd,
)
from ..core.errors import check_count, check_point, check_positive_number
from ..plots.findings import times
from ..plots.style import PALETTE
from .arguments import check_steps
from .base import Explorer
from .parts import choice_slider, int_slider, log_rate_slider
from .picture import LayeredFigure

__all__ = ["BatchSizeExplorer"]

_FLOOR, _TOP = 1e-6, 1e3  # fixed y limits of both panels (loss above the minimum)
_SEEDS = 20  # the seed slider's top
_MAX_EPOCHS = 50  # every control move reruns every epoch: more would make the sliders lag


class BatchSizeExplorer(Explorer):
    """Mini-batch SGD on a regression problem: move the batch size, rate and seed.

    Parameters
    ----------
    loss : LinearRegression
        The data set to draw batches from, e.g. lesson 05's ``make_regression(1024, 5,
        noise=0.5, seed=0)``.
    w0 : array_like of shape (d,)
        The start weights.
    batch_size : int
        The first batch size: a power of two from 1 to the number of examples (the slider's
        positions).
    lr : float
        The first rate, from 0.001 to 1 (the slider's range).
    epochs : int
        Passes over the data per run (>= 1).
    seed : int
        The first shuffling seed, 0 to 20.

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(1024, 5, noise=0.5, seed=0)
    >>> ex = BatchSizeExplorer(LinearRegression(X, y), [3.0] * 5, batch_size=32, lr=0.03)
    >>> ex.readout_text.startswith("batch 32, rate 0.03, seed 0: 32 updates per epoch")
    True
    """

    def __init__(
        self,
        loss: LinearRegression,
        w0: ArrayLike,
        *,
        batch_size: int = 32,
        lr: float = 0.03,
        epochs: int = 6,
        seed: int = 0,
    ) -> None:
        super().__init__()
        if not isinstance(loss, LinearRegression):
            raise CourseTypeError(
                f"loss must be a LinearRegression (a data set to draw batches from), got {loss!r}"
            )
        self.loss = loss
        self.w0 = check_point("w0", w0, loss.shape)
        n = loss.n_samples
        sizes = [2**k for k in range(int(math.log2(n)) + 1)]
        batch_size = check_count("batch_size", batch_size, minimum=1)
        if batch_size not in sizes:
            raise CourseValueError(
                f"batch_size must be a power of two from 1 to {sizes[-1]} (the slider's "
                f"positions for N={n} examples), got {batch_size}"
            )
        lr = check_positive_number("lr", lr)
        if not 1e-3 <= lr <= 1.0:
            raise CourseValueError(f"lr must be between 0.001 and 1 (the slider's range), got {lr}")
        self.epochs = check_steps("epochs", epochs, maximum=_MAX_EPOCHS)
        seed = check_count("seed", seed)
        if seed > _SEEDS:
            raise CourseValueError(f"seed must be a whole number from 0 to {_SEEDS}, got {seed}")
        self.min_loss = float(loss.value(loss.minimizer))
        self.controls["batch"] = choice_slider(
            batch_size,
            list(sizes),
            description="batch size B",
            tooltip=f"Examples per update (powers of two; 1 is plain SGD, {sizes[-1]} the full "
            f"batch)",
        )
        self.controls["lr"] = log_rate_slider(lr, 1e-3, 1.0)
        self.controls["seed"] = int_slider(
            seed, 0, _SEEDS, description="shuffle seed", tooltip="Seeds the order of the examples"
        )
        fig = LayeredFigure(figsize=(8.0, 3.4))
        self._ax_up, self._ax_ep = fig.axes
        style = {"color": PALETTE[0], "marker": "o", "ms": 4}
        self._line_up = self._ax_up.plot([], [], **style)[0]
        self._line_ep = self._ax_ep.plot([], [], **style)[0]
        self._title = self._ax_up.set_title(" ", fontsize=9, loc="left")
        self._title_ep = self._ax_ep.set_title(" ", fontsize=9, loc="left")
        fig.animate([self._line_up, self._line_ep, self._title, self._title_ep])
        self._ax_up.set_xscale("log")
        self._ax_up.set_xlim(0.8, 1.3 * n * self.epochs)
        self._ax_up.set_xlabel("updates (log scale)")
        self._ax_ep.set_xlim(-0.2, self.epochs + 0.2)
        self._ax_ep.set_xlabel("epochs (passes over the data)")
        for ax in fig.axes:
            ax.set_yscale("log")
            ax.set_ylim(_FLOOR, _TOP)
            ax.set_ylabel("loss \u2212 minimum (log)")
            ax.grid(alpha=0.3)
        self._mount([self.controls["batch"], self.controls["lr"], self.controls["seed"]], fig)
        self._key: tuple | None = None
        for name in ("batch", "lr", "seed"):
            self._watch(name, self._refresh)
        self._refresh()

    def _refresh(self) -> None:
        b = int(self.controls["batch"].value)
        lr = self._value("lr")  # the rate set, not only the slider's snapped readout
        seed = int(self.controls["seed"].value)
        key = (b, float(f"{lr:.12g}"), seed)
        if key == self._key:  # a slider echo (the same rate but for its last bits)
            return
        self._key = key
        self.run = minibatch_sgd(self.loss, self.w0, lr, b, self.epochs, seed=seed)
        excess = np.clip(
            np.nan_to_num(self.run.losses - self.min_loss, nan=_TOP, posinf=_TOP), _FLOOR, _TOP
        )
        k = np.arange(len(excess))
        self._line_up.set_data(k[1:] * self.run.updates_per_epoch, excess[1:])
        self._line_ep.set_data(k, excess)
        self._title.set_text(f"B = {b}, rate {lr:g}, seed {seed}: against updates")
        per = self.run.updates_per_epoch
        self._title_ep.set_text(
            f"{per} update{'' if per == 1 else 's'} per epoch: the run {self.run.phrase}"
        )
        self.readout.show(self._describe())
        self.fig.update()

    def _describe(self) -> str:
        """The run in the core's words (its status and phrase) and its own numbers: what the
        two panels show, and where a curve leaves them."""
        b, lr, seed = self._key
        lr = float(self.run.lrs[0])
        run = self.run
        per_epoch = run.updates_per_epoch
        head = f"batch {b}, rate {lr:g}, seed {seed}: {per_epoch} "
        head += "update per epoch" if per_epoch == 1 else "updates per epoch"
        start, final = float(run.losses[0]), float(run.losses[-1])
        if run.status == "diverged":
            # The status is the core's; the sentence only reads the run's own numbers, whichever
            # of the core's rules called it diverged.
            epochs = f"{run.epochs} epoch" + ("" if run.epochs == 1 else "s")
            if not np.all(np.isfinite(run.losses)):
                what = f"its loss overflowed in epoch {run.epochs}"
            else:
                what = f"its loss went from {start:.4g} to {final:.3g} in {epochs}"
                if start > 0 and final > start:
                    what += f", {times(final / start)} times its start"
            return f"{head}; the run {run.phrase}: {what}{self._off_chart()}."
        return (
            f"{head}; after {run.epochs} epochs ({run.n_updates} updates) loss {final:.4f}, "
            f"{final - self.min_loss:.2g} above the minimum {self.min_loss:.4f}"
            f"{self._off_chart()}."
        )

    def _off_chart(self) -> str:
        """Where the drawn excess loss is clipped to the panels' fixed limits, in words."""
        with np.errstate(all="ignore"):
            excess = np.asarray(self.run.losses, dtype=float) - self.min_loss
        above = ~(excess <= _TOP)  # a non-finite loss is above too
        if np.any(above):
            return f" (from epoch {int(np.argmax(above))} off the chart, above {_TOP:g})"
        if np.any(excess < _FLOOR):
            return f" (within {_FLOOR:g} of the minimum: drawn at the chart's floor)"
        return ""

    def data(self) -> dict[str, Any]:
        """What the explorer shows, for tests."""
        return {
            "batch_size": self._key[0],
            "lr": self._key[1],
            "seed": self._key[2],
            "losses": self.run.losses,
            "status": self.run.status,
            "updates": np.arange(1, len(self.run.losses)) * self.run.updates_per_epoch,
            "updates_per_epoch": self.run.updates_per_epoch,
            "min_loss": self.min_loss,
        }
