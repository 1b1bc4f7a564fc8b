"""Input validation for the public API, and the errors it raises.

Every public function validates its arguments once, at the top, with these helpers (the
scikit-learn way), so a student gets one sentence naming the argument, the value received and
what was expected. The error classes subclass ValueError/TypeError, so ordinary ``except`` works.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

#: The errors a student's input raises; the ``check_*`` helpers are the core's own.
__all__ = ["CourseInputError", "CourseTypeError", "CourseValueError"]


class CourseInputError(Exception):
    """Marker base for errors caused by an argument a student passed (not a course bug)."""


class CourseValueError(CourseInputError, ValueError):
    """An argument had the right type but a value outside what the function accepts."""


class CourseTypeError(CourseInputError, TypeError):
    """An argument had a type the function cannot use."""


def _describe(value: Any) -> str:
    """A short, readable description of a received value for error messages."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array {np.array2string(value, separator=', ')} of shape {value.shape}"
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_positive_number(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0 (>= 0 if allowed)."""
    bound = ">= 0" if allow_zero else "> 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return check_positive_number(name, value.item(), allow_zero=allow_zero)
        raise CourseTypeError(f"{name} must be a finite number {bound}, got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise CourseValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return value


def check_finite_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CourseTypeError(f"{name} must be a finite number, got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise CourseValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_count(name: str, value: Any, *, minimum: int = 0) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if is_real and float(value).is_integer():
            hint = f" (use {int(value)}, not {value!r})"
        else:
            hint = ""
        raise CourseTypeError(
            f"{name} must be a whole number >= {minimum}, got {_describe(value)}{hint}"
        )
    value = int(value)
    if value < minimum:
        raise CourseValueError(f"{name} must be a whole number >= {minimum}, got {value}")
    return value


def check_point(name: str, value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``value`` as a float array of ``shape``, or raise naming what was wrong."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CourseTypeError(
            f"{name} must be a number or an array of numbers, got {_describe(value)}"
        ) from None
    if shape == ():
        if arr.shape not in ((), (1,)):
            raise CourseValueError(
                f"{name} must be a single number for this 1-D loss, got {_describe(arr)}"
            )
        arr = arr.reshape(())
    elif arr.shape != shape:
        raise CourseValueError(
            f"{name} must have shape {shape} ({shape[0]} parameters) for this loss, "
            f"got {_describe(arr)}"
        )
    if not np.all(np.isfinite(arr)):
        raise CourseValueError(f"{name} must be finite, got {_describe(arr)}")
    return arr.copy()


def check_loss(loss: Any) -> None:
    """Raise unless ``loss`` has callable ``value`` and ``gradient`` methods."""
    missing = [m for m in ("value", "gradient") if not callable(getattr(loss, m, None))]
    if missing:
        raise CourseTypeError(
            f"loss must be a loss object with value(w) and gradient(w) methods "
            f"(for example gdcourse.Quadratic1D(a=2, c=3)); got {_describe(loss)}, "
            f"which has no {' or '.join(m + '()' for m in missing)} method"
        )
