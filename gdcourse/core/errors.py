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
            text = np.array2string(value, separator=", ")
            if value.ndim > 1:  # one line: a message is one sentence
                text = " ".join(text.split())
            return f"array {text} of shape {value.shape}"
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


def _holds_bool(value: Any) -> bool:
    """Is ``value`` a bool, or a list/tuple holding one (``np.asarray`` turns them into 1/0)?"""
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "b"
    if isinstance(value, (list, tuple)):
        return any(_holds_bool(v) for v in value)
    return False


def _check_numbers(
    name: str, value: Any, expected: str = "a number or an array of numbers"
) -> np.ndarray:
    """Return ``value`` as a float array, or raise unless it holds real numbers only.

    Bools, strings, ``None`` and other objects are refused (``np.asarray`` would quietly turn
    ``True`` into 1.0 and ``"3"`` into 3.0); shapes and finiteness are the caller's to check.
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return value.astype(float, copy=False)
    if not isinstance(value, (str, bytes)) and not _holds_bool(value):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):  # a ragged list, or an object numpy cannot read
            arr = None
        if arr is not None and arr.dtype.kind in "iuf":
            return arr.astype(float)
        if arr is not None and arr.dtype.kind == "O" and arr.size:  # e.g. Fraction, huge ints
            real = all(isinstance(v, numbers.Real) for v in arr.flat)
            if real:
                return arr.astype(float)
    raise CourseTypeError(f"{name} must be {expected}, got {_describe(value)}")


def _check_counts(
    name: str, values: Any, *, minimum: int = 0, example: str = "(0, 1)", each: str = ""
) -> tuple[int, ...]:
    """Return ``values`` as a tuple of ints, or raise unless it is a list of whole numbers
    >= ``minimum`` (each checked like :func:`check_count`, named ``each``; bools are not
    numbers). An empty list is the caller's to refuse or accept."""
    if isinstance(values, (str, bytes)) or not _iterable(values):
        raise CourseTypeError(
            f"{name} must be a list of whole numbers such as {example}, got {_describe(values)}"
        )
    each = each or f"each entry of {name}"
    return tuple(check_count(each, v, minimum=minimum) for v in values)


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def check_point(
    name: str, value: Any, shape: tuple[int, ...], *, finite: bool = True
) -> np.ndarray:
    """Return ``value`` as a float array of ``shape``, or raise naming what was wrong
    (``finite=False`` lets ``inf`` and ``nan`` through: an iterate of a run that overflowed)."""
    arr = _check_numbers(name, value)
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
    if finite and not np.all(np.isfinite(arr)):
        raise CourseValueError(f"{name} must be finite, got {_describe(arr)}")
    return arr.copy()


def check_loss(loss: Any) -> None:
    """Raise unless ``loss`` has callable ``value`` and ``gradient`` methods."""
    if isinstance(loss, type):
        raise CourseTypeError(
            f"loss must be a loss object, got the class {loss.__name__} itself; make one by "
            f"calling it, e.g. {loss.__name__}(...) (for example gdcourse.Quadratic1D(a=2, c=3))"
        )
    missing = [m for m in ("value", "gradient") if not callable(getattr(loss, m, None))]
    if missing:
        raise CourseTypeError(
            f"loss must be a loss object with value(w) and gradient(w) methods "
            f"(for example gdcourse.Quadratic1D(a=2, c=3)); got {_describe(loss)}, "
            f"which has no {' or '.join(m + '()' for m in missing)} method"
        )


def _check_loss_shape(loss: Any, w0_name: str, w0: Any) -> tuple[int, ...]:
    """The shape of ``loss``'s points: its ``shape`` (``()`` or ``(d,)``), or, for a loss without
    one, the shape of the start point ``w0`` (read with :func:`_check_numbers`)."""
    shape = getattr(loss, "shape", None)
    if shape is None:
        return _check_numbers(w0_name, w0).shape
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) and n >= 1
        for n in dims
    ):
        raise CourseTypeError(
            f"loss.shape must be () for a loss of one number or (d,) for a loss of d "
            f"parameters, got {_describe(shape)}"
        )
    return tuple(int(n) for n in dims)
