"""The descent runners: gradient descent (any update rule, one run or many seeds at once) and
mini-batch SGD, their results, and the one rule that names how a run ended.

A run never crashes because the rate was too large: divergence (a non-finite value, a loss that
grew past 1e12 times its start, or a swing that grows) gives the status ``"diverged"``, which is
a lesson outcome, not an error.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .batches import updates_per_epoch
from .errors import (
    _MAX_NUMBERS,
    _MAX_STEPS,
    _STEPS_WHY,
    CourseTypeError,
    CourseValueError,
    _check_counts,
    _check_loss_shape,
    _check_numbers,
    _check_total,
    _describe,
    _describe_int,
    _uncalled,
    check_count,
    check_loss,
    check_point,
    check_positive_number,
)
from .last_bits import jitter, sums_reversed
from .losses import LinearRegression
from .schedules import schedule_rates
from .updates import Update, plain

__all__ = [
    "DEFAULT_TOL",
    "DIVERGENCE_FACTOR",
    "ENDED_ABOVE",
    "EPOCH_GROWTH",
    "EVIDENT_GROWTH",
    "GROWTH_SPREAD",
    "GROWTH_STEPS",
    "MAX_STEPS",
    "MEMORY_GROWTH",
    "MEMORY_MIN_STEPS",
    "NOISY_WINDOW",
    "STATUSES",
    "STATUS_PHRASES",
    "STATUS_WINDOW",
    "SWING_RTOL",
    "MinibatchRun",
    "NoisyRuns",
    "Trajectory",
    "epochs_growing",
    "gradient_descent",
    "gradient_step",
    "minibatch_sgd",
    "noisy_runs",
    "step_lengths",
    "swing",
]

#: The statuses of a gradient-descent run, in the order they are checked.
STATUSES = ("diverged", "converged", "bouncing", "max_steps")

#: The one phrase each status is said with, by explorers, plots and lessons alike.
STATUS_PHRASES = {
    "diverged": "diverges",
    "converged": "converges",
    "bouncing": "bounces between two points forever",
    "max_steps": "has not converged",
    "completed": "ran all its epochs",  # a mini-batch run's word: it has no tolerance to meet
}

#: A run has diverged once its loss exceeds this many times max(|start loss|, 1) in size (a loss
#: unbounded below runs away to -inf).
DIVERGENCE_FACTOR = 1e12

#: The swing rule reads the last STATUS_WINDOW steps of a run without noise (all of them, if at
#: least 3), the last NOISY_WINDOW of a noisy one. SWING_RTOL is the change of a step's length
#: per step that still counts as "the same length": the tolerance quadratic_regime allows on
#: lr * a = 2 (1e-9 relative), so that a run's status and its rate's regime agree.
STATUS_WINDOW = 10
NOISY_WINDOW = 20
SWING_RTOL = 2e-9
#: How many steps of growing length, by ratios that do not fall, make a swing "growing", and how
#: far the last ratio's excess over 1 may be from the first's (a runaway's ratios settle on its
#: multiplier; a bounded swing's lengthen by chance, 1.002 then 1.25).
GROWTH_STEPS = 5
GROWTH_SPREAD = 4.0
#: A run whose loss ends this many times above max(|start loss|, 1) has diverged, whatever its
#: steps look like (it is not stopped: DIVERGENCE_FACTOR, far larger, stops a run).
EVIDENT_GROWTH = 1e6
#: A rule that remembers (momentum, Adam) can grow for a while and then settle, or run away with
#: steps that do not lengthen every step. Past MEMORY_MIN_STEPS steps its run has diverged when
#: its longest step of the last quarter is longer than that of the quarter before by more than
#: MEMORY_GROWTH, and its loss ended above its start; EVIDENT_GROWTH alone does not decide it.
MEMORY_MIN_STEPS = 40
MEMORY_GROWTH = 0.01
#: A mini-batch run diverges when its full loss rose every epoch of the last ones (at least 3)
#: and ended at least this many times where they began.
EPOCH_GROWTH = 10.0
#: A mini-batch run has diverged, too, when its full loss ended more than this many times
#: above max(|start loss|, 1): training that leaves the loss far higher than it began has
#: blown up, whatever its curve looks like (a saturated network's loss jumps, then wanders).
ENDED_ABOVE = 2.0

#: The most steps one run takes (gradient_descent, noisy_runs, the updates of a minibatch_sgd
#: run, a range test), and the most steps a call that makes many runs (a sweep, the basins of
#: many starts) takes in all: a run records every iterate, so a mistyped 10**9 is refused in one
#: sentence instead of running out of memory or for hours. The course's longest run is 60,000.
#: The gradient length at which a run stops as converged, unless told otherwise.
DEFAULT_TOL = 1e-10
MAX_STEPS = _MAX_STEPS


def _freeze(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


def _divergence_limit(start_loss: float) -> float:
    # The floor of 1 keeps a run that starts at a tiny loss from "diverging" by a harmless rise.
    return DIVERGENCE_FACTOR * max(abs(start_loss), 1.0)


@dataclass(frozen=True, repr=False)
class Trajectory:
    """The record of one gradient-descent run.

    Attributes
    ----------
    weights : ndarray
        The iterates, ``w0`` first, one row per step: shape ``(k + 1,)`` for a 1-D loss and
        ``(k + 1, d)`` otherwise, where ``k`` is the number of steps taken.
    losses, grad_norms : ndarray of shape (k + 1,)
        The loss and the gradient's length at each iterate.
    lrs : ndarray of shape (k,)
        The rate used by each step.
    status : str
        One of ``STATUSES``: ``"diverged"``, ``"converged"``, ``"bouncing"``, ``"max_steps"``;
        ``phrase`` says it in words.
    """

    weights: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    lrs: np.ndarray
    status: str

    def __post_init__(self) -> None:
        _freeze(self.weights, self.losses, self.grad_norms, self.lrs)

    @property
    def n_steps(self) -> int:
        """How many updates were taken (rows of ``weights`` minus one)."""
        return len(self.lrs)

    @property
    def final_weights(self) -> float | np.ndarray:
        w = self.weights[-1]
        return float(w) if w.ndim == 0 else w

    @property
    def phrase(self) -> str:
        """The status in words, as every explorer and lesson says it (``STATUS_PHRASES``)."""
        return STATUS_PHRASES[self.status]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    def __repr__(self) -> str:
        return (
            f"Trajectory(status={self.status!r}, steps={self.n_steps}, "
            f"final loss={self.final_loss:.4g})"
        )


def _grad_norm(g: Any) -> float:
    # np.sum is np.add.reduce behind two Python wrappers, and a square root is correctly
    # rounded in numpy and in math alike: the same bits, at a third of the cost per step.
    g = np.asarray(g, dtype=float)
    return math.sqrt(float(np.add.reduce(g * g, axis=None)))


def step_lengths(run: Trajectory | ArrayLike) -> np.ndarray:
    """The length ``|w_{k+1} - w_k|`` of each step of a run (a ``Trajectory`` or its weights).

    Examples
    --------
    >>> step_lengths([7.0, 6.2, 5.56]).round(6).tolist()
    [0.8, 0.64]
    """
    w = _run_weights(run.weights if isinstance(run, Trajectory) else run)
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.diff(w.reshape(len(w), -1), axis=0)
        return np.abs(d[:, 0]) if w.ndim == 1 else np.sqrt(np.sum(d * d, axis=1))


def swing(
    weights: ArrayLike, losses: ArrayLike | None = None, *, noisy: bool = False
) -> str | None:
    """How the last steps of a run move: ``"growing"`` (running away), ``"steady"`` (back and
    forth, keeping their size) or ``None``.

    Without noise, at most the last ``STATUS_WINDOW`` steps are read, and only those that
    alternate in direction or raise the loss at every step count. They are ``"growing"`` in
    either of two ways (see docs/design.md, "Gradient-descent statuses", for why):

    - *geometrically*: the last ``GROWTH_STEPS`` (``GROWTH_STEPS - 1`` if the loss rose at
      each of them, to above its start) each are longer than the one before, the
      ratio of one length to the one before never falls (beyond rounding), the last ratio
      exceeds 1 by at most ``GROWTH_SPREAD`` times what the first does, and the last length
      exceeds the first by more than ``SWING_RTOL`` per step. A quadratic at a constant rate
      does exactly this (its ratios can only rise, towards ``|multiplier|``); a bounded swing
      does it only by chance, and then with ratios all over the place;
    - *without let-up*: all ``STATUS_WINDOW`` steps are longer than the one before, the loss
      (``losses`` given) rose at every one of them and ended above its start, and the last
      step is more than twice as long as every step before the window (at least one). A
      runaway whose rate falls (a decaying schedule) or whose loss is not a quadratic does this.

    They are ``"steady"`` when the last ``STATUS_WINDOW`` (all, if fewer but at least 3)
    alternate and the last is as long as the first within ``SWING_RTOL`` per step.
    With noise, the last ``NOISY_WINDOW`` steps must alternate and each be longer than the one
    before (noise alone almost never does that over 20 steps); a noisy run is never
    ``"steady"``.

    Examples
    --------
    >>> swing([4.0, -12.0, 36.0, -108.0, 324.0, -972.0])
    'growing'
    >>> swing([7.0, -1.0, 7.0, -1.0]), swing([7.0, 6.2, 5.56, 5.05])
    ('steady', None)
    """
    if not isinstance(noisy, (bool, np.bool_)):
        raise CourseTypeError(f"noisy must be True or False, got {_describe(noisy)}")
    w = _run_weights(weights)
    steps = np.diff(w.reshape(len(w), -1), axis=0)
    loss = None if losses is None else _run_weights(losses, "losses").reshape(-1)
    if loss is not None and len(loss) != len(w):
        raise CourseValueError(
            f"losses must hold one loss per iterate: {len(w)} iterates but {len(loss)} losses"
        )
    lengths = step_lengths(w)
    with np.errstate(all="ignore"):
        turns = np.sum(steps[1:] * steps[:-1], axis=1) < 0  # turns[i]: step i+1 reverses step i
        if noisy:
            if len(steps) < NOISY_WINDOW:
                return None
            last = lengths[-NOISY_WINDOW:]
            alternating = bool(np.all(turns[-(NOISY_WINDOW - 1) :]))
            longer = bool(np.all(np.diff(last) > 0))
            grown = last[0] > 0 and last[-1] > last[0] * (1 + (NOISY_WINDOW - 1) * SWING_RTOL)
            return "growing" if alternating and longer and grown else None
        window = min(STATUS_WINDOW, len(steps))
        if window < 3 or not np.all(np.isfinite(lengths[-window:])):
            return None
        alternating_tail = _tail(turns[-(window - 1) :]) + 1
        rising_tail = 0 if loss is None else _tail(np.diff(loss)[-window:] > 0)
        tail = max(alternating_tail, rising_tail)
        # One step fewer will do when the loss rose at each of them, to above its start.
        risen = rising_tail >= GROWTH_STEPS - 1 and loss[-1] > loss[0]
        k = GROWTH_STEPS - 1 if risen else GROWTH_STEPS
        if tail >= k and _geometric(lengths[-k:], w[-k - 1 :]):
            return "growing"
        if loss is not None and rising_tail == window == STATUS_WINDOW < len(steps):
            last, before = lengths[-window:], lengths[:-window]
            if (
                last[0] > 0
                and np.all(np.diff(last) > 0)
                and loss[-1] > loss[0]
                and last[-1] > 2 * before.max()
            ):
                return "growing"
        last = lengths[-window:]
        if last[0] > 0 and np.all(turns[-(window - 1) :]):
            if abs(last[-1] / last[0] - 1) <= (window - 1) * SWING_RTOL:
                return "steady"
    return None


def _geometric(lengths: np.ndarray, points: np.ndarray) -> bool:
    """Do ``lengths`` (of the steps between ``points``) grow as a quadratic's runaway does?
    Each longer than the one before, by ratios that never fall beyond rounding and whose
    excesses over 1 spread by at most ``GROWTH_SPREAD``."""
    if not lengths[0] > 0:
        return False
    # A ratio may fall by rounding alone: 1e-12 (the last bits of another CPU), or more where
    # the steps are tiny beside the points (a length is a difference of nearly equal numbers).
    size = float(np.max(np.abs(points))) * math.sqrt(points[0].size)
    slack = 1e-12 + 16 * np.finfo(float).eps * size / float(lengths.min())
    ratios = lengths[1:] / lengths[:-1]
    return bool(
        np.all(ratios > 1)
        and np.all(ratios[1:] >= ratios[:-1] * (1 - slack))
        and ratios[-1] - 1 <= GROWTH_SPREAD * (ratios[0] - 1)
        and lengths[-1] > lengths[0] * (1 + (len(lengths) - 1) * SWING_RTOL)
    )


def _tail(flags: np.ndarray) -> int:
    """How many of the last entries of ``flags`` are all True."""
    flags = np.asarray(flags, dtype=bool)
    false = np.flatnonzero(~flags)
    return len(flags) if false.size == 0 else len(flags) - int(false[-1]) - 1


def _run_weights(values: ArrayLike, name: str = "weights") -> np.ndarray:
    """A run's iterates (or its losses), as floats: numbers (non-finite ones allowed: a run
    may overflow), at least one iterate."""
    if name == "weights":
        what = "iterates, one per row (Trajectory.weights)"
    else:
        what = "losses, one number per iterate (Trajectory.losses)"
    try:
        w = _check_numbers(name, values)
    except CourseTypeError:
        w = None
    if w is None or w.ndim == 0 or (name == "losses" and w.ndim != 1):
        raise CourseTypeError(f"{name} must be a run's {what}, got {_describe(values)}")
    if len(w) == 0:
        raise CourseValueError(f"{name} must hold at least one iterate (w0), got {_describe(w)}")
    return w


def epochs_growing(losses: ArrayLike) -> bool:
    """Does a mini-batch run's full loss grow, epoch after epoch? It rose in each of its last
    epochs (at least 3, counting back as far as the rise goes) and ended at least
    ``EPOCH_GROWTH`` times where that rise began: far past what the noise of the batches does to
    a run at its noise floor, which never rises epoch after epoch for long. A slow runaway (a
    full batch a little above the stable rate, its loss growing by a few percent an epoch) is
    caught once its rise has lasted long enough to reach ``EPOCH_GROWTH``. A last loss that is
    not finite (an overflow) is growth too.

    The rule is written for losses >= 0 (a mean squared error). For a loss that can be negative
    the rise is measured against the size of where it began: it must rise by at least
    ``EPOCH_GROWTH - 1`` times ``|start|`` (for a start >= 0 that is the same as ending at least
    ``EPOCH_GROWTH`` times the start), so a rise from -100 to -10 is not growth, and one from
    -1 to 20 is.

    Parameters
    ----------
    losses : array_like of shape (epochs + 1,)
        The full loss at the start and after each epoch (``MinibatchRun.losses``), at least one;
        non-finite values are allowed (a run that overflowed).

    Examples
    --------
    >>> epochs_growing([44.2, 2.3, 20.5, 214.9, 2461.0]), epochs_growing([44.2, 0.61, 0.25, 0.25])
    (True, False)
    >>> epochs_growing([-100.0, -80.0, -50.0, -10.0]), epochs_growing([-1.0, 2.0, 8.0, 20.0])
    (False, True)
    >>> epochs_growing([1.3 ** k for k in range(12)]), epochs_growing([1.0, 2.0, float("inf")])
    (True, True)
    """
    values = _check_numbers("losses", losses, "a list of numbers, one full loss per epoch")
    if values.ndim != 1 or values.size == 0:
        raise CourseValueError(
            f"losses must be a 1-D list of numbers, one full loss per epoch (at least the start), "
            f"got {_describe(values)}"
        )
    if not math.isfinite(values[-1]):
        return len(values) > 1
    with np.errstate(all="ignore"):
        tail = _tail(np.diff(values) > 0)
        if tail < 3:
            return False
        start = values[-1 - tail]
        if start < 0:  # a negative start: growth is a rise of (EPOCH_GROWTH - 1) times its size
            return bool(values[-1] - start >= (EPOCH_GROWTH - 1) * -start)
        return bool(values[-1] >= EPOCH_GROWTH * start)


def gradient_step(w: ArrayLike, gradient: ArrayLike, lr: float) -> float | np.ndarray:
    """One update ``w - lr * gradient``, every entry of ``w`` moved at once.

    Examples
    --------
    The seed's flashcard: a negative gradient moves ``w`` to the right.

    >>> gradient_step(5.0, -3.0, lr=0.1)
    5.3
    """
    lr = check_positive_number("lr", lr)
    w_arr = _check_numbers("w", w)
    g_arr = _check_numbers("gradient", gradient)
    if w_arr.shape != g_arr.shape:
        raise CourseValueError(
            f"gradient must have the same shape as w (one entry per parameter): w has shape "
            f"{w_arr.shape}, gradient has shape {g_arr.shape}"
        )
    new = w_arr - lr * g_arr
    return float(new) if new.ndim == 0 else new


def gradient_descent(
    loss: Any,
    w0: ArrayLike,
    lr: Any,
    steps: int,
    *,
    tol: float | None = DEFAULT_TOL,
    noise: float = 0.0,
    seed: int = 0,
    update: Update | None = None,
) -> Trajectory:
    """Run gradient descent ``w <- w - lr * gradient(w)``, all parameters updated at once
    (or another update rule of :mod:`gdcourse.core.updates`).

    Parameters
    ----------
    loss : Loss
        Any object with ``value(w)`` and ``gradient(w)`` methods, e.g. ``Quadratic1D(2, 3)``.
    w0 : float or array_like
        The start point: a number for a 1-D loss, ``d`` numbers for a loss of ``d`` parameters.
    lr : float or callable
        A fixed rate (a finite number > 0) or a schedule ``step -> rate`` (rates finite, >= 0).
    steps : int
        The most updates to take (>= 0).
    tol : float or None
        Stop with status ``"converged"`` once the gradient's length is at most ``tol``. ``None``
        never stops early: every step asked for is taken, also on a minimum (where ``w`` then
        stays put), so that the weights hold ``steps + 1`` points; the status is then
        ``"converged"`` if the last gradient's length is at most ``DEFAULT_TOL`` (1e-10).
    noise : float
        Standard deviation of Gaussian noise added to every entry of every gradient used for a
        step (>= 0): a model of stochastic gradients. The recorded ``grad_norms`` are those of
        the true gradient. Default 0, plain gradient descent.
    seed : int
        Seeds the noise: the same seed gives the same run on every machine.
    update : Update, optional
        How a step turns the gradient into a move: ``updates.plain()`` (the default),
        ``normalised()``, ``clipped(c)``, ``one_after_another()``, or a wrong rule the checks
        simulate.

    Returns
    -------
    Trajectory
        Status, checked in this order: ``"diverged"`` (a non-finite value or a loss past 1e12
        times max(|start loss|, 1), which stop the run; or, at its end, steps that run away,
        see :func:`swing`, or a loss past ``EVIDENT_GROWTH`` = 1e6 times that); ``"converged"``
        (the gradient's length is at most ``tol``, which stops the run; never with noise, which
        keeps moving it); ``"bouncing"`` (the last steps swing back and forth keeping their
        size, as the rate 2/a does on a quadratic; never with noise); else ``"max_steps"``.
        Steps that run away do not stop the run: every step asked for is taken, so that a lesson
        can state its later values. A rule that remembers (momentum, Adam) converges only once
        its step is at most ``tol`` too, and past ``MEMORY_MIN_STEPS`` steps has diverged when
        its steps' envelope grows (``MEMORY_GROWTH``) and its loss ended above its start.

    Examples
    --------
    The seed example, ``(w - 3)^2`` from ``w = 7`` at rate 0.1:

    >>> from gdcourse import Quadratic1D
    >>> run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.1, steps=2)
    >>> run.weights.round(4).tolist(), run.losses.round(4).tolist()
    ([7.0, 6.2, 5.56], [16.0, 10.24, 6.5536])
    """
    check_loss(loss)
    w = check_point("w0", w0, _check_loss_shape(loss, "w0", w0))
    steps = check_count("steps", steps, maximum=MAX_STEPS, why=_STEPS_WHY)
    _check_total("steps x parameters", steps * w.size, _MAX_NUMBERS, _RECORD_WHY)
    every_step = tol is None
    tol = -math.inf if every_step else check_positive_number("tol", tol, allow_zero=True)
    noise = check_positive_number("noise", noise, allow_zero=True)
    seed = check_count("seed", seed)
    update = _check_update(update, noise, w.size)
    rates = schedule_rates(lr, steps)
    kicks = (
        np.random.default_rng(seed).normal(0.0, noise, size=(steps, *w.shape)) if noise else None
    )

    weights = np.empty((steps + 1, *w.shape))
    losses = np.empty(steps + 1)
    norms = np.empty(steps + 1)
    status = "max_steps"
    k = 0
    size = w.size
    # Overflow is an expected outcome here (a too-large rate), reported by the status instead;
    # a complex value is refused (numpy would drop its imaginary part with a warning).
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        g, value = _first_evaluation(loss, w)
        weights[0], losses[0], norms[0] = w, value, _grad_norm(g)
        limit = _divergence_limit(losses[0])
        while True:
            finite = math.isfinite(losses[k]) and math.isfinite(norms[k])
            if not (finite and abs(losses[k]) <= limit):
                status = "diverged"
                break
            if norms[k] <= tol and not noise and _settled(update, weights, k, tol):
                status = "converged"  # (noise keeps moving a run: it never settles)
                break
            if k == steps:
                break
            step = g.reshape(w.shape) if kicks is None else g.reshape(w.shape) + kicks[k]
            w = np.asarray(update.step(loss, w, step, rates[k]), dtype=float).reshape(w.shape)
            k += 1
            # A cheap guard for the usual answers (a float array of one entry per parameter,
            # a float); anything else is checked, and refused in one sentence naming the step.
            g = loss.gradient(w)
            if not (type(g) is np.ndarray and g.dtype.kind == "f" and g.size == size) and not (
                size == 1 and isinstance(g, float)
            ):
                g = _checked_gradient(g, k, size)
            g = np.asarray(jitter(g), dtype=float)
            value = loss.value(w)
            if not isinstance(value, float):
                value = _checked_value(value, k)
            weights[k], losses[k], norms[k] = w, jitter(value), _grad_norm(g)
            if not np.isfinite(w).all():
                norms[k] = math.inf

    weights, losses, norms = weights[: k + 1].copy(), losses[: k + 1].copy(), norms[: k + 1].copy()
    if status == "max_steps":
        swung = swing(weights, losses, noisy=noise > 0)
        grew = swung == "growing" or abs(losses[-1]) > EVIDENT_GROWTH * max(abs(losses[0]), 1.0)
        if update.remembers and len(weights) > MEMORY_MIN_STEPS:
            grew = _envelope_rising(weights) and losses[-1] > losses[0]
        if grew:
            status = "diverged"
        elif swung == "steady":
            status = "bouncing"
        elif (
            every_step
            and not noise
            and norms[-1] <= DEFAULT_TOL
            and _settled(update, weights, k, DEFAULT_TOL)
        ):
            status = "converged"  # every step taken, and it ended on a minimum all the same
    return Trajectory(weights, losses, norms, rates[:k].copy(), status)


def _settled(update: Update, weights: np.ndarray, k: int, tol: float) -> bool:
    """For a rule that remembers, a small gradient is not enough to have converged: the step
    just taken must be as small (momentum passes the minimum at full speed)."""
    if not update.remembers or k == 0:
        return True
    return float(np.sqrt(np.sum((weights[k] - weights[k - 1]) ** 2))) <= tol


def _envelope_rising(weights: np.ndarray) -> bool:
    """Is the longest step of the run's last quarter longer than the quarter before's by more
    than ``MEMORY_GROWTH`` (a runaway of a rule that remembers, read over many steps)?"""
    lengths = step_lengths(weights)
    q = len(lengths) // 4
    last, before = lengths[-q:], lengths[-2 * q : -q]
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(last)):
            return True
        return bool(before.max() > 0 and last.max() > before.max() * (1 + MEMORY_GROWTH))


def _first_evaluation(loss: Any, w: np.ndarray) -> tuple[np.ndarray, float]:
    """The gradient and the value at the start point, checked once (the loop then trusts the
    loss): a gradient of one number per parameter, a value of one number."""
    raw = jitter(loss.gradient(w))
    try:
        g = _check_numbers("loss.gradient(w0)", raw)
    except CourseTypeError:
        raise CourseTypeError(
            f"loss.gradient(w0) must return numbers, one per parameter, got {_describe(raw)}"
        ) from None
    if g.size != w.size:
        raise CourseValueError(
            f"loss.gradient(w0) returned {g.size} numbers, but w0 has {w.size}: a gradient "
            f"has one entry per parameter"
        )
    raw = jitter(loss.value(w))
    try:
        value = _check_numbers("loss.value(w0)", raw)
    except CourseTypeError:
        value = None
    if value is None or value.size != 1:
        raise CourseTypeError(f"loss.value(w0) must return one number, got {_describe(raw)}")
    return g, float(value.reshape(()))


#: Why a run's record is capped: weights of steps x parameters numbers.
_RECORD_WHY = "a run records every iterate; more numbers would not fit in memory"


def _checked_gradient(raw: Any, k: int, size: int) -> np.ndarray:
    """A gradient the loop's cheap guard did not recognise (a list, ints, a 0-d array...) as
    floats, or one sentence naming the step at which the loss returned something else."""
    try:
        g = _check_numbers(f"loss.gradient(w) at step {k}", raw)
    except CourseTypeError:
        raise CourseTypeError(
            f"loss.gradient(w) must return numbers, one per parameter, at every step; at step "
            f"{k} it returned {_describe(raw)}"
        ) from None
    if g.size != size:
        raise CourseValueError(
            f"loss.gradient(w) must return {size} number{'s' if size > 1 else ''}, one per "
            f"parameter, at every step; at step {k} it returned {g.size}: {_describe(raw)}"
        )
    return g


def _checked_value(raw: Any, k: int) -> float:
    """A value the loop's cheap guard did not recognise (an int, a 0-d array...) as a float, or
    one sentence naming the step at which the loss returned something else."""
    try:
        value = _check_numbers(f"loss.value(w) at step {k}", raw)
    except CourseTypeError:
        value = None
    if value is None or value.size != 1:
        raise CourseTypeError(
            f"loss.value(w) must return one number at every step; at step {k} it returned "
            f"{_describe(raw)}"
        )
    return float(value.reshape(()))


def _check_update(update: Any, noise: float, size: int) -> Update:
    if update is None:
        return plain()
    uncalled = _uncalled("update", update, "an update rule from gdcourse.core.updates")
    if uncalled is not None:
        raise uncalled
    if not isinstance(update, Update):
        raise CourseTypeError(
            f"update must be an update rule from gdcourse.core.updates, such as normalised() or "
            f"clipped(1.0), got {update!r}"
        )
    if noise and not update.stacks:
        raise CourseValueError(f"{update!r} does not take gradient noise; use noise=0")
    update._check_size(size)
    return update.started()  # a run of its own: nothing remembered from an earlier run


@dataclass(frozen=True, repr=False)
class NoisyRuns:
    """Many noisy gradient-descent runs at once, one per seed, each exactly the run
    ``gradient_descent(loss, w0, lr, steps, noise=noise, seed=s, tol=0)`` would give.

    Attributes
    ----------
    weights : ndarray of shape (n_seeds, steps + 1, *loss.shape)
    losses : ndarray of shape (n_seeds, steps + 1)
        Past an overflow a run's values are ``inf`` or ``nan``: nothing stops it early.
    lrs : ndarray of shape (steps,)
    seeds : tuple of int
    """

    weights: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    seeds: tuple[int, ...]

    def __post_init__(self) -> None:
        _freeze(self.weights, self.losses, self.lrs)

    @property
    def mean_losses(self) -> np.ndarray:
        """The loss at each step, averaged over the seeds."""
        return self.losses.mean(axis=0)

    def __repr__(self) -> str:
        return f"NoisyRuns(seeds={len(self.seeds)}, steps={len(self.lrs)})"


def noisy_runs(
    loss: Any,
    w0: ArrayLike,
    lr: Any,
    steps: int,
    *,
    noise: float,
    seeds: Sequence[int],
    update: Update | None = None,
) -> NoisyRuns:
    """Run gradient descent with gradient noise once per seed, all seeds at once (vectorised:
    the loss is evaluated on a stack of points, so its ``value`` and ``gradient`` must work on
    one, as the core's losses do). ``seeds`` is a list of whole numbers >= 0, at least one.

    Examples
    --------
    >>> from gdcourse import Quadratic1D
    >>> runs = noisy_runs(Quadratic1D(a=2, c=3), 7.0, 0.1, 500, noise=1.0, seeds=range(20))
    >>> runs.losses.shape, bool(abs(runs.mean_losses[-100:].mean() - 0.028) < 0.01)
    ((20, 501), True)
    """
    check_loss(loss)
    shape = _check_loss_shape(loss, "w0", w0)
    w = check_point("w0", w0, shape)
    steps = check_count("steps", steps, maximum=MAX_STEPS, why=_STEPS_WHY)
    noise = check_positive_number("noise", noise, allow_zero=True)
    seeds = _check_counts("seeds", seeds, example="range(20)", each="each seed")
    if not seeds:
        raise CourseValueError("seeds must hold at least one seed, e.g. range(20)")
    _check_total(
        "seeds x steps x parameters",
        len(seeds) * steps * w.size,
        _MAX_NUMBERS,
        "the runs record every iterate of every seed; more numbers would not fit in memory",
    )
    update = _check_update(update, noise, w.size)
    if not update.stacks:
        raise CourseValueError(f"{update!r} cannot run many seeds at once; loop over seeds")
    rates = schedule_rates(lr, steps)
    kicks = np.stack(
        [np.random.default_rng(s).normal(0.0, noise, size=(steps, *w.shape)) for s in seeds]
    )
    w = np.broadcast_to(w, (len(seeds), *w.shape)).copy()
    weights = np.empty((len(seeds), steps + 1, *shape))
    losses = np.empty((len(seeds), steps + 1))
    n = len(seeds)
    # A diverging seed overflows: that is an outcome. A complex result is refused, not cast.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        values = _stacked(loss, "value", w, (n,), 0)
        weights[:, 0], losses[:, 0] = w, jitter(values)
        for k in range(steps):
            g = loss.gradient(w)
            # A cheap guard for the usual answer (a float array of w's shape); anything else is
            # checked, and refused in one sentence naming the step.
            if not (type(g) is np.ndarray and g.dtype.kind == "f" and g.shape == w.shape):
                g = _stacked(loss, "gradient", w, w.shape, k, g)
            g = np.asarray(jitter(g), dtype=float)
            w = np.asarray(update.step(loss, w, g + kicks[:, k], rates[k]), dtype=float)
            values = loss.value(w)
            if not (
                type(values) is np.ndarray and values.dtype.kind == "f" and values.shape == (n,)
            ):
                values = _stacked(loss, "value", w, (n,), k + 1, values)
            weights[:, k + 1], losses[:, k + 1] = w, jitter(values)
    return NoisyRuns(weights, losses, rates.copy(), seeds)


_NO_RESULT = object()


def _stacked(
    loss: Any, method: str, w: np.ndarray, shape: tuple[int, ...], k: int, out: Any = _NO_RESULT
) -> np.ndarray:
    """``loss.<method>`` of a stack of points (``w``, one row per seed) as a float array of
    ``shape``: evaluated here unless ``out`` is given, and refused in one sentence if the loss
    fails on a stack (it works on one point only) or gives something other than numbers."""
    if out is _NO_RESULT:
        try:
            out = getattr(loss, method)(w)
        except (TypeError, ValueError) as err:  # e.g. float(w), or `if w < 0` on an array
            raise CourseValueError(
                f"noisy_runs evaluates loss.{method} on a stack of points, one per seed, but "
                f"{_describe(loss)} failed on one ({type(err).__name__}: {_short_error(err)}); "
                f"make its {method} work elementwise (with numpy), or run gradient_descent once "
                f"per seed"
            ) from None
    _check_stacked(loss, method, out, shape)
    try:
        arr = _check_numbers(f"loss.{method}(w)", out)
    except CourseTypeError:
        raise CourseTypeError(
            f"loss.{method}(w) must return numbers at every step; at step {k} it returned "
            f"{_describe(out)}"
        ) from None
    return arr


def _short_error(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _check_stacked(loss: Any, method: str, out: Any, shape: tuple[int, ...]) -> None:
    """Raise unless ``loss.<method>`` of a stack of points gave one result per point."""
    try:
        got = np.shape(out)
    except (TypeError, ValueError):  # a ragged list
        got = None
    if got != shape:
        raise CourseValueError(
            f"noisy_runs evaluates loss.{method} on a stack of points, one per seed, and needs "
            f"a result of shape {shape}, but {_describe(loss)} gave "
            f"{'no array' if got is None else f'shape {got}'}; make its {method} work "
            f"elementwise (with numpy), or run gradient_descent once per seed"
        )


#: The most work one call of mini-batch runs may do, counted as the numbers of the data set read
#: each epoch (N x d) plus _UPDATE_COST per update (the Python overhead of one batch): about
#: 3-5 ns a unit, so the cap is under a minute. The course's largest call (compare_methods of
#: lesson 05, SGD among its methods) does about 1e8.
_MAX_WORK = 10_000_000_000
_UPDATE_COST = 1_000


def _epoch_cost(n: int, d: int, batch_size: int) -> int:
    return n * d + _UPDATE_COST * updates_per_epoch(n, batch_size)


def _check_epochs(n: int, d: int, batch_size: int, epochs: int, name: str = "epochs") -> None:
    """Raise unless one ``minibatch_sgd`` run of ``epochs`` epochs fits: at most ``MAX_STEPS``
    updates (rounded up to a whole epoch: a range test of ``MAX_STEPS`` steps runs), its
    weights after every epoch within ``_MAX_NUMBERS``, its work within ``_MAX_WORK``."""
    per_epoch = updates_per_epoch(n, batch_size)
    caps = [
        (
            -(-MAX_STEPS // per_epoch),
            f"{per_epoch:,} update{'s' if per_epoch > 1 else ''} per epoch, and a run records "
            f"every update, at most MAX_STEPS = {MAX_STEPS:,}",
        ),
        (
            _MAX_NUMBERS // d - 1,
            "a run records its weights after every epoch; more would not fit in memory",
        ),
        (_MAX_WORK // _epoch_cost(n, d, batch_size), "more would run for minutes"),
    ]
    cap, why = min(caps, key=lambda c: c[0])
    if epochs > cap:
        raise CourseValueError(
            f"{name} must be at most {cap:,} for a run on N={n:,} examples of d={d:,} "
            f"features at batch_size={batch_size:,} ({why}), got {_describe_int(epochs)}"
        )


def _check_work(n: int, d: int, runs: Sequence[tuple[int, int]], what: str) -> None:
    """Raise unless ``runs`` (``(batch_size, epochs)`` each) of ``minibatch_sgd`` on N x d data
    fit in ``_MAX_WORK`` together (each run is checked by :func:`_check_epochs` too)."""
    for b, e in runs:
        _check_epochs(n, d, b, e)
    total = sum(e * _epoch_cost(n, d, b) for b, e in runs)
    if total > _MAX_WORK:
        raise CourseValueError(
            f"{what} ask for too much work: {len(runs)} runs of minibatch_sgd on N={n:,} "
            f"examples of d={d:,} features would do about {total:.2g} operations, more than the "
            f"{_MAX_WORK:.0e} (about a minute) one call may do; use fewer epochs or rates"
        )


@dataclass(frozen=True, repr=False)
class MinibatchRun:
    """The record of one mini-batch SGD run on a :class:`LinearRegression` loss.

    Attributes
    ----------
    weights : ndarray of shape (epochs + 1, d)
        The weights at the start and after each epoch (a full pass over the data).
    losses : ndarray of shape (epochs + 1,)
        The full-data loss at those weights.
    batch_losses : ndarray of shape (n_updates,)
        The loss on each mini-batch, measured just before the update it drove.
    lrs : ndarray of shape (n_updates,)
        The rate of each update.
    batch_size, updates_per_epoch : int
        ``updates_per_epoch`` is ``ceil(N / batch_size)``: the last, smaller batch is used.
    status : str
        ``"diverged"`` (a non-finite value, a full loss past 1e12 times its start, one that
        grew epoch after epoch: :func:`epochs_growing`, or one that ended ``EVIDENT_GROWTH``
        times above its start) or ``"completed"`` (every epoch run).
    """

    weights: np.ndarray
    losses: np.ndarray
    batch_losses: np.ndarray
    lrs: np.ndarray
    batch_size: int
    updates_per_epoch: int
    status: str
    epochs: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "epochs", len(self.losses) - 1)
        _freeze(self.weights, self.losses, self.batch_losses, self.lrs)

    @property
    def n_updates(self) -> int:
        return len(self.lrs)

    @property
    def phrase(self) -> str:
        """The status in words (``STATUS_PHRASES``)."""
        return STATUS_PHRASES[self.status]

    def __repr__(self) -> str:
        return (
            f"MinibatchRun(status={self.status!r}, batch_size={self.batch_size}, "
            f"epochs={self.epochs}, updates={self.n_updates}, "
            f"final loss={float(self.losses[-1]):.4g})"
        )


def minibatch_sgd(
    loss: Any,
    w0: ArrayLike,
    lr: Any,
    batch_size: int,
    epochs: int,
    *,
    seed: int = 0,
    update: Update | None = None,
) -> MinibatchRun:
    """Mini-batch stochastic gradient descent on a data-set loss (linear regression, a network).

    Each epoch reshuffles the examples (sampling without replacement) and walks through them
    in batches of ``batch_size``; the last batch of an epoch may be smaller and is used.
    ``batch_size=1`` is plain SGD, ``batch_size=N`` is full-batch gradient descent.

    Parameters
    ----------
    loss : LinearRegression or MLP
        The data set and loss to sample batches from: any loss with ``n_samples`` and
        ``minibatch_value_and_gradient(w, idx)``.
    w0 : array_like of shape (d,)
        The start weights.
    lr : float or callable
        A fixed rate or a schedule; the schedule's step counts updates, not epochs.
    batch_size : int
        From 1 to N.
    epochs : int
        Passes over the data (>= 0).
    seed : int
        Seeds the shuffles: the same seed gives the same run on every machine.
    update : Update, optional
        How a step turns the batch's gradient into a move: ``updates.plain()`` (the default),
        ``momentum(mu)``, ``nesterov(mu)``, ``adam()``, ``rmsprop()``, ``normalised()``,
        ``clipped(c)``. Its memory (a velocity, running averages) carries across batches and
        epochs, as a library's optimizer does.

    Returns
    -------
    MinibatchRun

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, w_true = make_regression(1000, 3, noise=0.1, seed=0)
    >>> run = minibatch_sgd(LinearRegression(X, y), [0, 0, 0], lr=0.05, batch_size=32, epochs=5)
    >>> run.updates_per_epoch, run.status, bool(run.losses[-1] < 0.02)
    (32, 'completed', True)
    """
    if not callable(getattr(loss, "minibatch_value_and_gradient", None)):
        check_loss(loss)
        raise CourseTypeError(
            f"minibatch_sgd needs a loss on a data set to draw batches from (LinearRegression or "
            f"MLP), got {loss!r}; use gradient_descent for other losses"
        )
    w = check_point("w0", w0, loss.shape)
    n = loss.n_samples
    batch_size = check_count("batch_size", batch_size, minimum=1)
    if batch_size > n:
        raise CourseValueError(
            f"batch_size must be between 1 and the number of examples N={n}, got {batch_size}"
        )
    epochs = check_count("epochs", epochs)
    _check_epochs(n, w.size, batch_size, epochs)
    seed = check_count("seed", seed)
    per_epoch = updates_per_epoch(n, batch_size)
    rates = schedule_rates(lr, epochs * per_epoch)
    if update is not None or not isinstance(loss, LinearRegression):
        rule = _check_batch_update(update, w.size)
        return _minibatch_run(loss, w, rates, batch_size, epochs, seed, rule)
    rate_list = rates.tolist()  # plain floats are faster to index in the hot loop
    X, y = loss.X, loss.y
    # A summed loss (LinearRegression(..., reduction="sum")) steps with the batch's sum.
    mean = getattr(loss, "reduction", "mean") == "mean"
    rng = np.random.default_rng(seed)
    # Inside other_last_bits() (a diagnostic) each batch holds the same examples, summed in
    # reverse, the features are summed in reverse (w is kept reversed until it is recorded), and
    # each batch's loss and gradient get their last bits jittered.
    reverse = sums_reversed()
    if reverse:
        X = X[:, ::-1]

    weights = np.empty((epochs + 1, w.size))
    full_losses = np.empty(epochs + 1)
    batch_losses = np.empty(epochs * per_epoch)
    weights[0], full_losses[0] = w, loss.value(w)
    if reverse:
        w = w[::-1].copy()
    limit = _divergence_limit(full_losses[0])
    status, done, k = "completed", 0, 0
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n)
            if reverse:
                order = np.concatenate(
                    [order[s : s + batch_size][::-1] for s in range(0, n, batch_size)]
                )
            # One gather per epoch; the batches are then contiguous slices (cheap views).
            Xs, ys = X[order], y[order]
            for start in range(0, n, batch_size):
                Xb = Xs[start : start + batch_size]
                r = Xb @ w - ys[start : start + batch_size]
                nb = len(r) if mean else 1
                g = r @ Xb
                batch_losses[k] = (r @ r) / nb
                if reverse:
                    g, batch_losses[k] = jitter(g), jitter(batch_losses[k])
                w = w - (rate_list[k] * 2.0 / nb) * g
                k += 1
            weights[epoch + 1] = w[::-1] if reverse else w
            full_losses[epoch + 1] = loss.value(weights[epoch + 1])
            done = epoch + 1
            if not (np.all(np.isfinite(w)) and full_losses[done] <= limit):
                status = "diverged"
                break
    return _minibatch_record(
        weights, full_losses, batch_losses, rates, batch_size, n, done, k, status
    )


def _minibatch_record(
    weights: np.ndarray,
    full_losses: np.ndarray,
    batch_losses: np.ndarray,
    rates: np.ndarray,
    batch_size: int,
    n: int,
    done: int,
    k: int,
    status: str,
) -> MinibatchRun:
    """The run of ``done`` epochs and ``k`` updates, with its status read (one rule for both
    of minibatch_sgd's loops)."""
    if (
        status == "completed"
        and (
            epochs_growing(full_losses[: done + 1])
            or abs(full_losses[done]) > EVIDENT_GROWTH * max(abs(full_losses[0]), 1.0)
            # A network's loss is bounded by its saturated units: thrown far from its start by
            # a too-large rate it then wanders high for ever, a runaway that never overflows.
            or full_losses[done] > ENDED_ABOVE * max(abs(full_losses[0]), 1.0)
            # A full batch is gradient descent, one step an epoch: its runs read as gradient
            # descent reads them (a swing that grows is diverged even within a few epochs).
            or (
                batch_size == n and swing(weights[: done + 1], full_losses[: done + 1]) == "growing"
            )
        )
    ):
        status = "diverged"
    return MinibatchRun(
        weights[: done + 1].copy(),
        full_losses[: done + 1].copy(),
        batch_losses[:k].copy(),
        rates[:k].copy(),
        batch_size,
        updates_per_epoch(n, batch_size),
        status,
    )


def _check_batch_update(update: Any, size: int) -> Update:
    """An update rule a mini-batch run can use: one that moves by the batch's gradient alone
    (one_after_another re-reads the full loss for every parameter: not a mini-batch method)."""
    rule = _check_update(update, 0.0, size)
    if getattr(rule, "reads_loss", False):
        raise CourseValueError(
            f"{update!r} reads the full loss at every step, so it cannot run on mini-batches; "
            f"use plain(), momentum(mu), nesterov(mu), adam(), rmsprop(), normalised() or "
            f"clipped(c)"
        )
    return rule


def _minibatch_run(
    loss: Any,
    w: np.ndarray,
    rates: np.ndarray,
    batch_size: int,
    epochs: int,
    seed: int,
    update: Update,
) -> MinibatchRun:
    """minibatch_sgd's loop for any data-set loss and update rule: each batch's value and
    gradient from ``loss.minibatch_value_and_gradient`` (which honours other_last_bits)."""
    n = loss.n_samples
    per_epoch = updates_per_epoch(n, batch_size)
    rate_list = rates.tolist()
    rng = np.random.default_rng(seed)
    weights = np.empty((epochs + 1, w.size))
    full_losses = np.empty(epochs + 1)
    batch_losses = np.empty(epochs * per_epoch)
    weights[0], full_losses[0] = w, _checked_value(loss.value(w), 0)
    limit = _divergence_limit(full_losses[0])
    status, done, k = "completed", 0, 0
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                value, g = loss.minibatch_value_and_gradient(w, order[start : start + batch_size])
                batch_losses[k] = value
                w = np.asarray(update.step(loss, w, g, rate_list[k]), dtype=float)
                k += 1
            weights[epoch + 1] = w
            full_losses[epoch + 1] = loss.value(w)
            done = epoch + 1
            if not (np.all(np.isfinite(w)) and abs(full_losses[done]) <= limit):
                status = "diverged"
                break
    return _minibatch_record(
        weights, full_losses, batch_losses, rates, batch_size, n, done, k, status
    )
