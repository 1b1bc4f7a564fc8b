"""Numerical gradients by central differences, and a check of an analytic gradient against them.

Central differences ``(f(w + h) - f(w - h)) / 2h`` have error of order ``h^2``, against ``h`` for
the one-sided difference, which is why they agree with the analytic gradient to many digits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_loss_shape,
    _check_numbers,
    _describe,
    check_finite_number,
    check_loss,
    check_point,
    check_positive_number,
)
from .last_bits import jitter

__all__ = [
    "DifferenceErrors",
    "GradientCheck",
    "central_difference",
    "check_gradient",
    "difference_errors",
    "forward_difference",
    "numerical_gradient",
]


def _as_function(f: Any, name: str = "f") -> Callable[[np.ndarray], Any]:
    if isinstance(f, type):
        check_loss(f)  # a class, not a loss object: says how to make one
    if callable(getattr(f, "value", None)):
        return f.value
    if callable(f):
        return f
    raise CourseTypeError(f"{name} must be a function of w or a loss object, got {_describe(f)}")


def _point(f: Any, w: Any) -> np.ndarray:
    """``w`` as a finite float array; of the loss's shape when ``f`` is a loss that has one
    (a 1-D loss takes one number, not many)."""
    arr = _check_numbers("w", w)
    shape = getattr(f, "shape", None)
    if shape is not None:
        check_point("w", arr, _check_loss_shape(f, "w", arr))
    elif not np.all(np.isfinite(arr)):
        raise CourseValueError(f"w must be finite, got {_describe(arr)}")
    return arr


def _number(name: str, out: Any) -> float:
    """One number a function returned, or a sentence saying what it returned instead."""
    if isinstance(out, float):  # (np.float64 is a float too)
        return float(out)
    try:
        value = _check_numbers(name, out)
    except CourseTypeError:
        value = None
    if value is None or value.size != 1:
        raise CourseTypeError(f"{name} must return one number, got {_describe(out)}")
    return float(value.reshape(()))


def numerical_gradient(f: Any, w: ArrayLike, *, h: float = 1e-5) -> float | np.ndarray:
    """Estimate the gradient of ``f`` at ``w`` by central differences.

    Parameters
    ----------
    f : callable or Loss
        A function returning one number, or a loss (its ``value`` is used).
    w : float or array_like
        Where to estimate the gradient.
    h : float
        The relative step: coordinate ``i`` moves by ``h * max(1, |w_i|)``.

    Examples
    --------
    >>> round(numerical_gradient(lambda w: (w - 3) ** 2, 7.0), 6)
    8.0
    """
    fn = _as_function(f)
    h = check_positive_number("h", h)
    w = _point(f, w)
    flat = w.ravel()
    grad = np.empty_like(flat)
    for i in range(flat.size):
        step = h * max(1.0, abs(flat[i]))
        up, down = flat.copy(), flat.copy()
        up[i] += step
        down[i] -= step
        above = _number("f", fn(up.reshape(w.shape)))
        grad[i] = (above - _number("f", fn(down.reshape(w.shape)))) / (2 * step)
    grad = jitter(grad)  # (inside last_bits.other_last_bits(): other last bits)
    return float(grad[0]) if w.ndim == 0 else grad.reshape(w.shape)


@dataclass(frozen=True)
class GradientCheck:
    """The result of :func:`check_gradient`: both gradients, their largest gap, and a verdict."""

    analytic: float | np.ndarray
    numerical: float | np.ndarray
    max_abs_error: float
    passed: bool


def check_gradient(
    loss: Any, w: ArrayLike, *, rtol: float = 1e-5, atol: float = 1e-6
) -> GradientCheck:
    """Compare ``loss.gradient(w)`` with the central-difference estimate.

    Passes when every entry satisfies ``|analytic - numerical| <= atol + rtol * |numerical|``.

    Examples
    --------
    >>> from gdcourse import Rosenbrock
    >>> check_gradient(Rosenbrock(), [-1.5, 2.0]).passed
    True
    """
    check_loss(loss)
    rtol = check_positive_number("rtol", rtol, allow_zero=True)
    atol = check_positive_number("atol", atol, allow_zero=True)
    w = _point(loss, w)
    raw = loss.gradient(w)
    try:
        analytic = _check_numbers("loss.gradient(w)", raw)
    except CourseTypeError:
        raise CourseTypeError(
            f"loss.gradient(w) must return numbers, one per parameter, got {_describe(raw)}"
        ) from None
    numerical = np.asarray(numerical_gradient(loss, w), dtype=float)
    if analytic.shape != numerical.shape:
        raise CourseValueError(
            f"loss.gradient(w) has shape {analytic.shape}, but w has shape {numerical.shape}"
        )
    gap = np.abs(analytic - numerical)
    passed = bool(np.all(gap <= atol + rtol * np.abs(numerical)))

    def out(a: np.ndarray) -> float | np.ndarray:
        return float(a) if a.ndim == 0 else a

    return GradientCheck(out(analytic), out(numerical), float(gap.max(initial=0.0)), passed)


def central_difference(f: Callable[[float], float], w: float, h: float) -> float:
    """``(f(w + h) - f(w - h)) / 2h`` with the step exactly ``h`` (``numerical_gradient`` scales
    its step by ``max(1, |w|)``; this undoes that).

    >>> round(central_difference(lambda w: w**3, 1.0, 0.1), 12)
    3.01
    """
    w = check_finite_number("w", w)
    h = check_positive_number("h", h)
    return float(numerical_gradient(f, w, h=h / max(1.0, abs(w))))


def forward_difference(f: Callable[[float], float], w: float, h: float) -> float:
    """The one-sided ``(f(w + h) - f(w)) / h``: error of order ``h``, not ``h^2``.

    >>> round(forward_difference(lambda w: w**3, 1.0, 0.1), 12)
    3.31
    """
    f = _as_function(f)
    w = check_finite_number("w", w)
    h = check_positive_number("h", h)
    return float(jitter((_number("f", f(w + h)) - _number("f", f(w))) / h))


@dataclass(frozen=True)
class DifferenceErrors:
    """How far central and forward differences are from the true derivative, for each ``h``."""

    hs: np.ndarray
    central: np.ndarray
    forward: np.ndarray

    def shrink(self) -> tuple[np.ndarray, np.ndarray]:
        """By how many times each error shrinks from one ``h`` to the next (central, forward)."""
        return self.central[:-1] / self.central[1:], self.forward[:-1] / self.forward[1:]


def difference_errors(
    f: Callable[[float], float],
    derivative: Callable[[float], float],
    w: float,
    hs: Sequence[float],
) -> DifferenceErrors:
    """The errors ``|estimate - f'(w)|`` of central and forward differences at each step ``h``.

    >>> e = difference_errors(lambda w: w**3, lambda w: 3 * w**2, 1.0, [0.1, 0.01])
    >>> [round(r) for r in e.shrink()[0]], [round(r) for r in e.shrink()[1]]
    ([100], [10])
    """
    _as_function(f)
    if not callable(derivative):
        raise CourseTypeError(
            f"derivative must be a function of w (the exact f'), got {_describe(derivative)}"
        )
    w = check_finite_number("w", w)
    hs = _check_numbers("hs", hs, "a list of step sizes h")
    if hs.ndim != 1 or hs.size == 0:
        raise CourseValueError(f"hs must be a non-empty list of step sizes h, got {_describe(hs)}")
    for h in hs.tolist():
        check_positive_number("each entry of hs", h)
    true = _number("derivative", derivative(w))
    central = np.array([abs(central_difference(f, w, h) - true) for h in hs])
    forward = np.array([abs(forward_difference(f, w, h) - true) for h in hs])
    return DifferenceErrors(hs, central, forward)
