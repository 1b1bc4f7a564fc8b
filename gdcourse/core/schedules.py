"""Learning-rate schedules: callables mapping a step number (0, 1, 2, ...) to a rate.

Each helper returns a :class:`Schedule`. Call it with one step or an array of steps; the runners
(``gradient_descent``, ``minibatch_sgd``) accept a schedule wherever they accept a fixed rate.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    _MAX_STEPS,
    _STEPS_WHY,
    CourseTypeError,
    CourseValueError,
    _describe,
    _real,
    _to_float,
    _uncalled,
    check_count,
    check_positive_number,
)
from .last_bits import jitter

__all__ = [
    "Schedule",
    "constant",
    "cosine_decay",
    "exponential_decay",
    "geometric_growth",
    "inverse_time_decay",
    "linear_warmup",
    "schedule_rates",
    "step_decay",
    "travel_bound",
]


class Schedule:
    """A learning-rate schedule: ``schedule(step)`` is the rate used at update number ``step``.

    Build one with the helpers in this module (``constant``, ``step_decay``, ...), not directly.
    """

    def __init__(self, description: str, rates: Callable[[np.ndarray], np.ndarray]) -> None:
        self._description = description
        self._rates = rates

    def __repr__(self) -> str:
        return self._description

    def __call__(self, step: ArrayLike) -> float | np.ndarray:
        t = np.asarray(step)
        if t.dtype.kind not in "iu" or np.any(t < 0):
            raise CourseValueError(
                f"step must be a whole number >= 0 or an array of them (a schedule takes step "
                f"numbers), got {step!r}"
            )
        out = jitter(self._rates(t.astype(float)))
        return float(out) if np.ndim(out) == 0 else out

    def rates(self, n_steps: int) -> np.ndarray:
        """The rates of the first ``n_steps`` updates (at most ``MAX_STEPS``), as an array."""
        n_steps = check_count("n_steps", n_steps, maximum=_MAX_STEPS, why=_STEPS_WHY)
        return np.asarray(self(np.arange(n_steps)), dtype=float)

    def error_factors(self, a: float, n_steps: int) -> np.ndarray:
        """What the first updates at these rates do to the distance to the minimum of
        ``a/2 (w - c)^2`` with exact gradients: entry ``k`` is ``prod_{t < k} (1 - a * rate_t)``,
        the error after ``k`` updates divided by the error at the start (``n_steps + 1``
        entries, ``1.0`` first; negative where the run is on the other side of the minimum).

        Gradient descent computes the same one step at a time; this is one product of the
        rates, so a million steps take milliseconds.

        Examples
        --------
        >>> exponential_decay(0.1, 0.5).error_factors(2, 3).round(4).tolist()
        [1.0, 0.8, 0.72, 0.684]
        """
        a = check_positive_number("a (the curvature)", a)
        rates = self.rates(n_steps)
        with np.errstate(over="ignore", invalid="ignore"):  # a runaway overflows: an outcome
            factors = np.cumprod(1.0 - a * rates)
        return np.concatenate(([1.0], np.asarray(jitter(factors), dtype=float)))


def constant(lr: float) -> Schedule:
    """The same rate ``lr`` at every step.

    Examples
    --------
    >>> constant(0.1)(5)
    0.1
    """
    lr = check_positive_number("lr", lr)
    return Schedule(f"constant({lr:g})", lambda t: np.full(t.shape, lr))


def step_decay(lr: float, factor: float, every: int) -> Schedule:
    """Multiply the rate by ``factor`` every ``every`` steps: ``lr * factor**floor(t / every)``.

    Examples
    --------
    >>> s = step_decay(1.0, 0.5, every=10)
    >>> s(9), s(10), s(25)
    (1.0, 0.5, 0.25)
    """
    lr = check_positive_number("lr", lr)
    factor = check_positive_number("factor", factor)
    if factor > 1:
        raise CourseValueError(f"factor must be in (0, 1] for a decay, got {factor!r}")
    every = check_count("every", every, minimum=1)
    return Schedule(
        f"step_decay({lr:g}, factor={factor:g}, every={every})",
        lambda t: lr * factor ** np.floor(t / every),
    )


def exponential_decay(
    lr: float, gamma: float | None = None, *, half_life: float | None = None
) -> Schedule:
    """``lr * gamma**t`` with ``0 < gamma <= 1``, or given the steps ``half_life`` over which the
    rate halves (``gamma = 0.5 ** (1 / half_life)``).

    Its rates have a finite sum, ``lr / (1 - gamma)``, so the total distance a run can travel
    is bounded: decay too fast and the run freezes before it arrives.

    Examples
    --------
    >>> round(exponential_decay(0.4, half_life=10)(10), 12)
    0.2
    """
    lr = check_positive_number("lr", lr)
    if (gamma is None) == (half_life is None):
        raise CourseValueError("give exactly one of gamma and half_life")
    if half_life is not None:
        half_life = check_positive_number("half_life", half_life)
        gamma = round(0.5 ** (1 / half_life), 15)  # (15 digits: a tidy repr of the schedule)
        if gamma == 0:  # gamma below 5e-16 rounds to 0: the rate would be 0 after one step
            raise CourseValueError(
                f"half_life must be at least about 0.02 steps (shorter, gamma rounds to 0 and "
                f"the rate is 0 after one step), got {half_life!r}"
            )
    gamma = check_positive_number("gamma", gamma)
    if gamma > 1:
        raise CourseValueError(f"gamma must be in (0, 1] for a decay, got {gamma!r}")
    return Schedule(f"exponential_decay({lr:g}, gamma={gamma:g})", lambda t: lr * gamma**t)


def inverse_time_decay(lr: float, decay: float) -> Schedule:
    """The 1/t schedule ``lr / (1 + decay * t)``.

    Its rates sum to infinity while their squares sum to a finite number: the Robbins-Monro
    conditions, enough (not required) for SGD to converge. How fast depends on the rate's scale:
    late on the rate is about ``c / t`` with ``c = lr / decay``, and on a quadratic of curvature
    ``a`` the error of exact gradients falls like ``t**(-c a)``; with noise the mean squared error
    falls like ``1/t`` only when ``c a > 1/2`` (else like ``t**(-2 c a)``).
    """
    lr = check_positive_number("lr", lr)
    decay = check_positive_number("decay", decay, allow_zero=True)
    return Schedule(
        f"inverse_time_decay({lr:g}, decay={decay:g})", lambda t: lr / (1.0 + decay * t)
    )


def cosine_decay(lr: float, total_steps: int, final_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` at step 0 down to ``final_lr`` at ``total_steps``, then flat.

    Examples
    --------
    >>> s = cosine_decay(1.0, total_steps=100)
    >>> s(0), s(50), s(100), s(150)
    (1.0, 0.5, 0.0, 0.0)
    """
    lr = check_positive_number("lr", lr)
    total_steps = check_count("total_steps", total_steps, minimum=1)
    final_lr = check_positive_number("final_lr", final_lr, allow_zero=True)
    if final_lr > lr:
        raise CourseValueError(f"final_lr must be at most lr={lr:g}, got {final_lr!r}")

    def rates(t: np.ndarray) -> np.ndarray:
        progress = np.minimum(t, total_steps) / total_steps
        # round() removes 1e-17 residues, so the end of the cosine is exactly final_lr.
        return np.round(final_lr + 0.5 * (lr - final_lr) * (1 + np.cos(math.pi * progress)), 15)

    return Schedule(
        f"cosine_decay({lr:g}, total_steps={total_steps}, final_lr={final_lr:g})", rates
    )


def geometric_growth(lr_min: float, lr_max: float, steps: int) -> Schedule:
    """A rate that grows by the same factor every step, from ``lr_min`` at step 0 to ``lr_max``
    at step ``steps - 1``, then stays there: the schedule of a learning-rate range test.

    Examples
    --------
    >>> s = geometric_growth(1e-3, 1.0, steps=4)
    >>> [round(s(t), 6) for t in range(6)]
    [0.001, 0.01, 0.1, 1.0, 1.0, 1.0]
    """
    lr_min = check_positive_number("lr_min", lr_min)
    lr_max = check_positive_number("lr_max", lr_max)
    if lr_max <= lr_min:
        raise CourseValueError(f"lr_max must be larger than lr_min={lr_min:g}, got {lr_max!r}")
    steps = check_count("steps", steps, minimum=2)
    # In logarithms, so that no intermediate ratio overflows (lr_max / lr_min can be huge).
    low, span = math.log(lr_min), math.log(lr_max) - math.log(lr_min)
    return Schedule(
        f"geometric_growth({lr_min:g}, {lr_max:g}, steps={steps})",
        lambda t: np.exp(low + span * np.minimum(t, steps - 1) / (steps - 1)),
    )


def linear_warmup(after: float | Schedule, warmup_steps: int, start_lr: float = 0.0) -> Schedule:
    """Ramp the rate linearly from ``start_lr`` to ``after``'s first rate, then follow ``after``.

    Parameters
    ----------
    after : float or Schedule
        The rate (or schedule) to use once the warmup ends; it starts at its own step 0.
    warmup_steps : int
        How many steps the ramp takes (>= 1).
    start_lr : float
        The rate at step 0 (>= 0; a zero-rate step leaves the weights where they are).

    Examples
    --------
    >>> s = linear_warmup(0.1, warmup_steps=4)
    >>> [round(s(t), 3) for t in range(6)]
    [0.0, 0.025, 0.05, 0.075, 0.1, 0.1]
    """
    if not isinstance(after, Schedule):
        after = constant(check_positive_number("after (the rate after warmup)", after))
    warmup_steps = check_count("warmup_steps", warmup_steps, minimum=1)
    start_lr = check_positive_number("start_lr", start_lr, allow_zero=True)
    target = float(after(0))

    def rates(t: np.ndarray) -> np.ndarray:
        ramp = start_lr + (target - start_lr) * t / warmup_steps
        later = after._rates(np.maximum(t - warmup_steps, 0.0))
        return np.where(t < warmup_steps, ramp, later)

    return Schedule(
        f"linear_warmup({after!r}, warmup_steps={warmup_steps}, start_lr={start_lr:g})", rates
    )


def travel_bound(lr: float, gamma: float, max_gradient: float) -> float:
    """The farthest a run on ``exponential_decay(lr, gamma)`` can ever move: the sum of its rates,
    ``lr / (1 - gamma)``, times the largest gradient it meets.

    Examples
    --------
    >>> round(travel_bound(0.1, 0.75, 8.0), 12)
    3.2
    """
    lr = check_positive_number("lr", lr)
    gamma = check_positive_number("gamma", gamma)
    if gamma >= 1:
        raise CourseValueError(
            f"gamma must be in (0, 1) for the rates to have a finite sum, got {gamma!r}"
        )
    max_gradient = check_positive_number("max_gradient", max_gradient, allow_zero=True)
    return float(jitter(lr / (1.0 - gamma) * max_gradient))


def schedule_rates(lr: Any, n_steps: int) -> np.ndarray:
    """The validated rates of ``n_steps`` updates, from a fixed rate or any schedule callable.

    A fixed rate must be a finite number > 0 (a numpy number or a 0-d array of one is a
    number). A schedule's rates must be finite numbers >= 0: a bool or a string is refused, not
    read as 1 or 0.1. ``n_steps`` is at most ``MAX_STEPS`` (1,000,000).
    """
    n_steps = check_count("n_steps", n_steps, maximum=_MAX_STEPS, why=_STEPS_WHY)
    lr = _real(lr)
    if callable(lr):
        uncalled = _uncalled("lr", lr, "a rate or a schedule")
        if uncalled is not None:
            raise uncalled
        if isinstance(lr, Schedule):
            rates = lr.rates(n_steps)
        else:
            rates = np.empty(n_steps)
            for k in range(n_steps):
                out = _real(lr(k))
                if isinstance(out, float):  # the usual answer: no more checks
                    rates[k] = out
                    continue
                if isinstance(out, (bool, np.bool_)) or not isinstance(out, numbers.Real):
                    raise CourseTypeError(
                        f"the schedule lr must return a number (a rate) for each step; at step "
                        f"{k} it returned {_describe(out)}"
                    )
                rates[k] = _to_float(f"the rate lr gave at step {k}", out, "a number")
        bad = np.flatnonzero(~np.isfinite(rates) | (rates < 0))
        if bad.size:
            k = int(bad[0])
            raise CourseValueError(
                f"a schedule's rates must be finite and >= 0; "
                f"lr gave {float(rates[k])!r} at step {k}"
            )
        return rates
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise CourseTypeError(
            f"lr must be a positive finite number or a schedule (a callable step -> rate), "
            f"got {_describe(lr)}"
        )
    value = _to_float("lr", lr, "a positive finite number or a schedule")
    if not math.isfinite(value) or value <= 0:
        raise CourseValueError(f"lr must be a positive finite number, got {value!r}")
    return np.full(n_steps, value)
