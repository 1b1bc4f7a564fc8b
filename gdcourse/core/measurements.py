"""Measurements read off runs: the first step within a tolerance, step lengths, steps to a
relative tolerance, where noisy runs settle, a sweep of fresh runs, and the learning-rate range
test.

The range test, as fastai's ``lr_find`` runs it (Smith, 2017, raised the rate linearly and read
the accuracy), is one noisy mini-batch run whose rate grows geometrically, its loss smoothed, and
the rates read off it. Every reading comes with its margin,
how far the run was from reading otherwise: a reading decided by a floating-point tie (a margin
of 1e-15) differs between CPUs, and the course states only readings whose margins are many orders
of magnitude larger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .batches import updates_per_epoch
from .descent import (
    MAX_STEPS,
    MinibatchRun,
    NoisyRuns,
    Trajectory,
    _check_epochs,
    _freeze,
    gradient_descent,
    minibatch_sgd,
)
from .directions import _distances
from .errors import (
    _STEPS_WHY,
    CourseTypeError,
    CourseValueError,
    _check_numbers,
    _check_total,
    _describe,
    check_count,
    check_finite_number,
    check_loss,
    check_point,
    check_positive_number,
)
from .losses import Quadratic1D
from .schedules import geometric_growth
from .updates import Update

__all__ = [
    "RangeTest",
    "first_step_within",
    "path_difference",
    "range_test",
    "settled_loss",
    "smooth_losses",
    "steps_to_relative_tolerance",
    "sweep_losses",
    "sweep_ratios",
]

# The most updates a range test takes, as any run: descent.MAX_STEPS (imported above).


def first_step_within(weights: ArrayLike, c: ArrayLike, tol: float) -> int | None:
    """The first step ``k`` of a run with ``|w_k - c| <= tol`` (the distance, for n-D weights);
    ``None`` if it never gets there.

    Examples
    --------
    >>> first_step_within([7.0, 6.2, 5.56, 3.005], c=3, tol=0.01)
    3
    """
    tol = check_positive_number("tol", tol, allow_zero=True)
    within = _distances(weights, c, "c") <= tol
    return int(np.argmax(within)) if within.any() else None


def steps_to_relative_tolerance(
    loss: Any,
    lr: float,
    rel_tol: float = 1e-6,
    max_steps: int = 100_000,
    *,
    update: Update | None = None,
) -> int | None:
    """Steps of gradient descent from the origin until ``|w - w*| <= rel_tol * |w0 - w*|``
    (``w*`` the loss's ``minimizer``); ``None`` if the run does not get there in ``max_steps``.

    ``update`` is the run's rule (:mod:`gdcourse.core.updates`; plain descent by default), so
    that momentum's simulated count can be set beside the formula's: the first step within the
    tolerance, whatever the error did before it (under momentum it can first grow).

    Examples
    --------
    >>> from gdcourse import QuadraticBowl, momentum
    >>> steps_to_relative_tolerance(QuadraticBowl([1.0, 10.0], center=[1.0, 1.0]), lr=0.1)
    128
    >>> steps_to_relative_tolerance(
    ...     QuadraticBowl([1.0, 10.0], center=[1.0, 1.0]), lr=0.1, update=momentum(0.5)
    ... )
    40
    """
    check_loss(loss)
    target = getattr(loss, "minimizer", None)
    if target is None:
        raise CourseTypeError(f"{loss!r} has no minimizer to measure the distance to")
    rel_tol = check_positive_number("rel_tol", rel_tol)
    max_steps = check_count("max_steps", max_steps, minimum=1, maximum=MAX_STEPS, why=_STEPS_WHY)
    target = np.asarray(target, dtype=float)
    start = np.zeros(target.shape)
    n = 64
    while True:  # longer runs only when needed: most runs get there in a few hundred steps
        run = gradient_descent(loss, start, lr=lr, steps=min(n, max_steps), tol=0.0, update=update)
        dist = np.linalg.norm((run.weights - target).reshape(run.n_steps + 1, -1), axis=1)
        within = dist <= rel_tol * dist[0]
        if within.any():
            return int(np.argmax(within))
        if n >= max_steps or run.status == "diverged":
            return None
        n *= 4


def path_difference(
    loss: Any,
    other: Any,
    w0: ArrayLike,
    lr: float,
    steps: int,
    *,
    update: Update | None = None,
) -> float:
    """How far apart two runs from ``w0`` at the same rate and rule are: the largest distance
    between their points, step by step, over ``steps`` updates (every step taken: ``tol=None``).

    Lesson 09 runs a loss and the same loss multiplied by a factor: Adam's two paths coincide
    (while the gradient's running RMS is far above ``eps``), plain descent's do not. ``inf``
    when one run stopped early (it blew up) or left the finite numbers.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl, adam
    >>> bowl, scaled = QuadraticBowl([1.0, 100.0]), QuadraticBowl([10.0, 1000.0])
    >>> path_difference(bowl, scaled, [1.0, 1.0], 0.01, 200, update=adam()) < 1e-7
    True
    >>> round(path_difference(bowl, scaled, [1.0, 1.0], 0.001, 10), 4)
    0.9
    """
    check_loss(loss)
    try:
        check_loss(other)
    except CourseTypeError as error:  # the message names the argument: here, other
        raise CourseTypeError(str(error).replace("loss must", "other must", 1)) from None
    steps = check_count("steps", steps, minimum=1, maximum=MAX_STEPS, why=_STEPS_WHY)
    a, b = (
        gradient_descent(f, w0, lr=lr, steps=steps, tol=None, update=update) for f in (loss, other)
    )
    if a.weights.shape != b.weights.shape:
        return math.inf
    return _gap(a.weights, b.weights)


def _gap(a: np.ndarray, b: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        diff = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    if not np.all(np.isfinite(diff)):
        return math.inf
    rows = diff.reshape(len(diff), -1)
    return float(np.max(np.sqrt(np.sum(rows * rows, axis=1))))


def settled_loss(runs: NoisyRuns | Trajectory | MinibatchRun | ArrayLike, last: int) -> float:
    """Where noisy runs have settled: their loss averaged over their ``last`` steps and over
    every run.

    Parameters
    ----------
    runs : NoisyRuns, Trajectory, MinibatchRun or array_like
        Runs of :func:`~gdcourse.core.descent.noisy_runs` (one row of losses per seed), one run
        (of :func:`~gdcourse.core.descent.gradient_descent`, or of
        :func:`~gdcourse.core.descent.minibatch_sgd`: its full loss once per epoch), or losses
        (1-D: one run; 2-D: one row per run).
    last : int
        How many of the last losses of each run to average (1 to the number of losses): the
        last epochs of a mini-batch run.

    Returns
    -------
    float
        The mean; ``inf`` if a run did not settle: a ``Trajectory`` or ``MinibatchRun`` whose
        status is ``"diverged"`` (it may have stopped before ``last`` steps), or a non-finite
        loss within those steps.

    Examples
    --------
    >>> settled_loss([[4.0, 2.0, 1.0], [4.0, 0.0, 3.0]], last=2)
    1.5
    >>> from gdcourse import Quadratic1D, gradient_descent, noisy_runs
    >>> runs = noisy_runs(Quadratic1D(a=2, c=3), 7.0, 0.1, 500, noise=1.0, seeds=range(20))
    >>> round(settled_loss(runs, last=100), 3)  # the noise floor is 0.0278
    0.027
    >>> settled_loss(gradient_descent(Quadratic1D(a=2, c=3), 7.0, 1.5, 30), last=10)
    inf
    """
    if isinstance(runs, (Trajectory, MinibatchRun)) and runs.status == "diverged":
        check_count("last", last, minimum=1)
        return math.inf  # a runaway has no settled loss, however long it ran
    if isinstance(runs, (NoisyRuns, Trajectory, MinibatchRun)):
        losses = np.asarray(runs.losses, dtype=float)
    else:
        try:
            losses = _check_numbers("runs", runs)
        except CourseTypeError:
            losses = np.asarray(None)
        if losses.dtype.kind != "f" or losses.ndim not in (1, 2) or losses.size == 0:
            raise CourseTypeError(
                f"runs must be noisy_runs(...), a Trajectory, a MinibatchRun, or losses (one row "
                f"per run), got {_describe(runs)}"
            )
    losses = losses.reshape(-1, losses.shape[-1])
    last = check_count("last", last, minimum=1)
    if last > losses.shape[1]:
        raise CourseValueError(
            f"last must be at most the number of losses of a run, {losses.shape[1]}, got {last}"
        )
    window = losses[:, -last:]
    if not np.all(np.isfinite(window)):
        return math.inf
    return float(window.mean())


def sweep_ratios(loss: Any, w0: ArrayLike, lrs: ArrayLike, steps: int) -> np.ndarray:
    """A sweep: one fresh run of ``steps`` updates per fixed rate on ``loss`` from ``w0``; the
    loss each ends at divided by the start loss.

    A run that blew up before its last step (status ``"diverged"``, stopped early by a
    non-finite value or a loss past 1e12 times its start) counts as ``inf``. A run whose swing
    grows but that took every step is ``"diverged"`` too, and its ratio is its real final loss
    over the start loss (above 1). A run that lands exactly on the minimum ends there.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> bowl = QuadraticBowl([0.5, 2.0, 8.0])
    >>> [f"{r:.2g}" for r in sweep_ratios(bowl, [1.0, 1.0, 1.0], [0.24, 0.25, 0.26, 0.3], 100)]
    ['4.4e-08', '0.76', '3.7e+06', 'inf']
    """
    check_loss(loss)
    steps = check_count("steps", steps, minimum=1)
    try:
        rates = _check_numbers("lrs", lrs)
    except CourseTypeError:
        rates = np.asarray(None)
    if rates.dtype.kind != "f" or rates.ndim > 1 or rates.size == 0:
        raise CourseTypeError(f"lrs must be a list of rates, got {_describe(lrs)}")
    for lr in rates.reshape(-1).tolist():
        check_positive_number("each entry of lrs", lr)
    _check_total(
        "lrs x steps",
        rates.size * steps,
        MAX_STEPS,
        f"one fresh run per rate; the runs together take at most MAX_STEPS = {MAX_STEPS:,} "
        f"steps, about a minute",
    )
    out = []
    for lr in rates.reshape(-1):
        run = gradient_descent(loss, w0, lr=float(lr), steps=steps, tol=0)
        start = float(run.losses[0])
        if start == 0:
            raise CourseValueError(
                f"w0 is a point where the loss is 0, got {_describe(w0)}: a sweep divides by the "
                f"start loss; start elsewhere"
            )
        stopped = run.status == "diverged" and run.n_steps < steps
        out.append((math.inf if stopped else float(run.losses[-1])) / start)
    return np.asarray(out)


def sweep_losses(a: float, lrs: ArrayLike, steps: int, w0: float, c: float = 0.0) -> np.ndarray:
    """A sweep on the quadratic ``a/2 (w - c)^2``: :func:`sweep_ratios` of ``Quadratic1D(a, c)``
    from ``w0``, one fresh run of ``steps`` updates per rate, each run's final loss divided by
    its start loss (``inf`` for a run that blew up before its last step).

    Examples
    --------
    >>> sweep_losses(4.0, [0.1, 0.25, 0.5, 0.6], steps=3, w0=7.0, c=3.0).round(6).tolist()
    [0.046656, 0.0, 1.0, 7.529536]
    """
    q = Quadratic1D(a=a, c=check_finite_number("c", c))
    return sweep_ratios(q, w0, lrs, steps)


def smooth_losses(losses: ArrayLike, smoothing: float) -> np.ndarray:
    """The exponential moving average of ``losses`` with bias correction, as fastai smooths a
    range test: ``m_k = s m_{k-1} + (1 - s) loss_k``, reported as ``m_k / (1 - s^(k+1))``.

    Without the correction the first values would be pulled towards 0 (``m_{-1} = 0``). A
    non-finite loss makes every later value ``inf``: the run has blown up.

    Examples
    --------
    >>> smooth_losses([4.0, 4.0, 4.0], 0.9).round(12).tolist()
    [4.0, 4.0, 4.0]
    >>> smooth_losses([1.0, float("nan"), 1.0], 0.5).tolist()
    [1.0, inf, inf]
    """
    s = check_positive_number("smoothing", smoothing, allow_zero=True)
    if s >= 1:
        raise CourseValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    values = _loss_values(losses)
    out = np.empty(values.shape)
    m, weight, blown = 0.0, 1.0, False
    for k, v in enumerate(values.tolist()):
        blown = blown or not math.isfinite(v)
        if blown:
            out[k] = math.inf
            continue
        m = s * m + (1 - s) * v
        weight *= s
        out[k] = m / (1 - weight)
    return out


def _loss_values(losses: Any) -> np.ndarray:
    """``losses`` as a 1-D float array, or one sentence saying why they are not losses."""
    try:
        values = np.asarray(losses)
    except (TypeError, ValueError):
        values = np.asarray(None)
    if values.ndim != 1 or values.dtype.kind not in "iuf" or isinstance(losses, (str, bytes)):
        raise CourseTypeError(
            f"losses must be a 1-D list or array of numbers (one loss per step), got "
            f"{_describe(losses)}"
        )
    return values.astype(float)


def _relative_gap(lowest_two: np.ndarray) -> float:
    """(second - lowest) / |lowest|: inf when there is no second value; when the lowest is 0,
    inf if the second is larger and 0 (a tie) if it is 0 too."""
    if len(lowest_two) < 2:
        return math.inf
    if lowest_two[0] == 0:
        return math.inf if lowest_two[1] > 0 else 0.0
    return float((lowest_two[1] - lowest_two[0]) / abs(lowest_two[0]))


def _ratio_to_running_min(smoothed: np.ndarray) -> np.ndarray:
    """``smoothed / its running minimum``, with 0 / 0 read as 1 (no rise) and x / 0 as inf."""
    running = np.minimum.accumulate(smoothed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = smoothed / running
    ratio[(smoothed == 0) & (running == 0)] = 1.0
    ratio[np.isnan(ratio)] = math.inf  # inf / inf: the run has blown up
    return ratio


@dataclass(frozen=True, repr=False)
class RangeTest:
    """The record of one range test, and its readings.

    Attributes
    ----------
    rates : ndarray of shape (steps,)
        The rate of update ``k``.
    losses : ndarray of shape (steps,)
        The mini-batch loss measured just before update ``k`` (``inf`` once the run overflowed).
    smoothed : ndarray of shape (steps,)
        ``losses`` smoothed by :func:`smooth_losses`.
    blow_up : float or None
        The first rate at which the smoothed loss exceeds ``blow_up_factor`` times its lowest
        value so far; ``None`` if it never does.
    at_minimum : float
        The rate at which the smoothed loss is lowest (read up to the blow-up).

        Both are read from update ``ceil(1 / (1 - smoothing)) - 1`` on (the 10th for 0.9), once
        the average holds about that many losses: before, it is one or two noisy batches.
    blow_up_margin : float
        How near the ratio smoothed / running minimum came to ``blow_up_factor`` at any step up
        to the blow-up, relative to it: the blow-up reading would change only if a ratio moved
        by this fraction.
    minimum_margin : float
        The gap between the lowest and the second-lowest smoothed loss (up to the blow-up),
        relative to the lowest: the minimum's reading would change only if one moved by this.
    batch_size, smoothing, blow_up_factor :
        The settings of the test.
    """

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    blow_up: float | None
    at_minimum: float
    blow_up_margin: float
    minimum_margin: float
    batch_size: int
    smoothing: float
    blow_up_factor: float

    def __post_init__(self) -> None:
        _freeze(self.rates, self.losses, self.smoothed)

    @property
    def suggested(self) -> float | None:
        """The rule of thumb: ten times below the blow-up."""
        return None if self.blow_up is None else self.blow_up / 10

    def __repr__(self) -> str:
        up = "never" if self.blow_up is None else f"{self.blow_up:.3g}"
        return (
            f"RangeTest(steps={len(self.rates)}, batch_size={self.batch_size}, blow-up at {up}, "
            f"lowest smoothed loss at {self.at_minimum:.3g})"
        )


def range_test(
    loss: Any,
    w0: ArrayLike,
    *,
    lr_min: float = 1e-4,
    lr_max: float = 10.0,
    steps: int = 100,
    batch_size: int = 32,
    smoothing: float = 0.9,
    blow_up_factor: float = 4.0,
    seed: int = 0,
) -> RangeTest:
    """Run a learning-rate range test: mini-batch SGD whose rate grows geometrically from
    ``lr_min`` to ``lr_max`` over ``steps`` updates, recording the loss of every batch.

    Parameters
    ----------
    loss : LinearRegression or MLP
        The data set and loss (batches are drawn as :func:`minibatch_sgd` draws them).
    w0 : array_like of shape (d,)
        The start weights.
    lr_min, lr_max : float
        The first and last rate (``0 < lr_min < lr_max``).
    steps : int
        How many updates (at most ``MAX_STEPS``).
    batch_size : int
        Examples per update, 1 to N.
    smoothing : float
        The moving average's factor, in [0, 1): 0.9 averages over about the last 10 steps.
        ``steps`` must be more than ``1 / (1 - smoothing)``.
    blow_up_factor : float
        The blow-up is where the smoothed loss first exceeds this multiple (> 1) of its lowest
        value so far.
    seed : int
        Seeds the batches.

    Returns
    -------
    RangeTest

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(512, 3, noise=0.5, seed=1)
    >>> test = range_test(LinearRegression(X, y), [3.0, 3.0, 3.0])
    >>> bool(test.at_minimum < test.blow_up), bool(test.blow_up_margin > 0.01)
    (True, True)
    """
    if not callable(getattr(loss, "minibatch_value_and_gradient", None)):
        raise CourseTypeError(
            f"range_test needs a loss on a data set to draw batches from (LinearRegression or "
            f"MLP), got {loss!r}"
        )
    # Batches of a summed loss differ in scale with their size.
    if getattr(loss, "reduction", "mean") != "mean":
        raise CourseValueError(
            "range_test needs the loss as a mean over the examples (each batch's loss is read "
            f"on one scale); got reduction={loss.reduction!r}: use LinearRegression(X, y)"
        )
    w = check_point("w0", w0, loss.shape)
    with np.errstate(all="ignore"):
        start = float(loss.value(w))
    if not math.isfinite(start):
        raise CourseValueError(
            f"the loss at w0 is {start!r}, not a finite number: w0 is far too large for this data "
            f"set; start nearer the data's scale"
        )
    steps = check_count("steps", steps, minimum=2)
    if steps > MAX_STEPS:
        raise CourseValueError(f"steps must be at most {MAX_STEPS:,} for a range test, got {steps}")
    schedule = geometric_growth(lr_min, lr_max, steps)
    smoothing = check_positive_number("smoothing", smoothing, allow_zero=True)
    if smoothing >= 1:
        raise CourseValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    # The average means something only once it has seen about 1 / (1 - smoothing) losses: before
    # that it is one or two noisy batches, and no reading is taken there.
    warm = math.ceil(1 / (1 - smoothing) - 1e-9)
    if steps <= warm:
        raise CourseValueError(
            f"steps must be more than 1 / (1 - smoothing) = {warm} (the updates the smoothed loss "
            f"averages over), got {steps}"
        )
    factor = check_positive_number("blow_up_factor", blow_up_factor)
    if factor <= 1:
        raise CourseValueError(f"blow_up_factor must be larger than 1, got {blow_up_factor!r}")
    batch_size = check_count("batch_size", batch_size, minimum=1)
    per_epoch = updates_per_epoch(loss.n_samples, min(batch_size, loss.n_samples))
    epochs = -(-steps // per_epoch)
    try:
        _check_epochs(
            loss.n_samples, int(np.prod(loss.shape)), min(batch_size, loss.n_samples), epochs
        )
    except CourseValueError:  # said in the test's own terms: its steps, not the run's epochs
        raise CourseValueError(
            f"steps={steps:,} at batch_size={batch_size:,} is too much work for one range test "
            f"on N={loss.n_samples:,} examples of {int(np.prod(loss.shape)):,} parameters; use "
            f"fewer steps or a smaller batch"
        ) from None
    run = minibatch_sgd(loss, w, lr=schedule, batch_size=batch_size, epochs=epochs, seed=seed)
    losses = np.full(steps, math.inf)
    taken = min(steps, run.n_updates)
    losses[:taken] = run.batch_losses[:taken]
    smoothed = smooth_losses(losses, smoothing)

    read = smoothed[warm - 1 :]  # the readings start once the average is warm
    ratio = _ratio_to_running_min(read)
    over = ratio > factor
    k_up = int(np.argmax(over)) if over.any() else None
    end = len(read) if k_up is None else k_up + 1
    window = read[:end]
    all_rates = schedule.rates(steps)
    rates = all_rates[warm - 1 :]
    return RangeTest(
        rates=all_rates,
        losses=losses,
        smoothed=smoothed,
        blow_up=None if k_up is None else float(rates[k_up]),
        at_minimum=float(rates[int(np.argmin(window))]),
        blow_up_margin=float(np.abs(ratio[:end] / factor - 1).min()),
        minimum_margin=_relative_gap(np.sort(window)[:2]),
        batch_size=batch_size,
        smoothing=smoothing,
        blow_up_factor=factor,
    )
