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


#: The most numbers one array a call builds may hold (160 MB of floats): a count that would size
#: a larger one is refused in one sentence, never a MemoryError or a kernel that swaps for hours.
_MAX_NUMBERS = 20_000_000
#: The most steps a run (or a schedule's list of rates) may take: ``descent.MAX_STEPS``, public
#: there; here so that every module can cap its counts with it.
_MAX_STEPS = 1_000_000
_STEPS_WHY = "a run records every iterate; more would not fit in memory or would run for minutes"

#: The largest float, said in messages.
_LARGEST_FLOAT = "about 1.8e308"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_int(value: int) -> str:
    """A whole number as a message shows it: digits (with commas) if short, else ``10**k`` or
    its number of digits (never 400 digits, nor ``int``'s refusal to print 5000)."""
    digits = _digits(value)
    if digits <= 30:
        return f"{value:,}"
    sign = "-" if value < 0 else ""
    if abs(value) == 10 ** (digits - 1):
        return f"{sign}10**{digits - 1}"
    return f"a {sign and 'negative '}whole number of {digits} digits"


def _digits(value: int) -> int:
    """The number of decimal digits of ``value`` (without printing it)."""
    n = abs(int(value))
    if n < 10**15:
        return len(str(n))
    digits = int(n.bit_length() * 0.30102999566398120) + 1  # log10(2): exact to within 1
    return digits if n >= 10 ** (digits - 1) else digits - 1


def _describe(value: Any) -> str:
    """A short, readable description of a received value for error messages."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:  # "array 1. of shape ()" would read as two sentences
            return _short(f"the 0-d array np.array({_describe(value.item())})")
        if value.size <= 6:
            try:
                text = np.array2string(value, separator=", ")
            except Exception:  # an entry that cannot print itself
                return f"an array of shape {value.shape}"
            if value.ndim > 1:  # one line: a message is one sentence
                text = " ".join(text.split())
            return _short(f"array {text} of shape {value.shape}")
        return f"an array of shape {value.shape}"
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        if _digits(int(value)) > 30:
            return _describe_int(int(value))
    try:
        text = repr(value)
    except Exception:  # a repr that raises (or a number too long to print)
        text = f"a {type(value).__name__} object"
    return _short(text)


def _magnitude(value: Any) -> str:
    """``about 1e400``: the size of a number too large for a float, without printing it."""
    try:
        if isinstance(value, numbers.Rational):
            num, den = abs(int(value.numerator)), int(value.denominator)
            exponent = _digits(num) - _digits(den)
            return f"about 1e{exponent}"
    except Exception:  # an odd number: say nothing about its size
        pass
    return "beyond that"


def _to_float(name: str, value: Any, expected: str) -> float:
    """``float(value)`` for a number, or one sentence: a number too large for a float (a huge
    ``int`` or ``Fraction``), or an object whose ``__float__`` fails."""
    try:
        return float(value)
    except OverflowError:
        raise CourseValueError(
            f"{name} is too large to be a floating-point number ({_magnitude(value)}; the "
            f"largest is {_LARGEST_FLOAT}), got {_describe(value)}"
        ) from None
    except Exception as err:  # a number type whose __float__ raises
        raise CourseTypeError(
            f"{name} must be {expected}, got {_describe(value)}, which cannot be turned into a "
            f"float ({type(err).__name__})"
        ) from None


#: The course's factories, and how a call of each looks: passed uncalled (``lr=constant``), a
#: message says "call it: constant(0.1)".
_FACTORY_CALLS = {
    "gdcourse.core.schedules": {
        "constant": "constant(0.1)",
        "step_decay": "step_decay(0.1, factor=0.5, every=100)",
        "exponential_decay": "exponential_decay(0.1, half_life=100)",
        "inverse_time_decay": "inverse_time_decay(0.1, decay=0.01)",
        "cosine_decay": "cosine_decay(0.1, total_steps=1000)",
        "linear_warmup": "linear_warmup(0.1, warmup_steps=10)",
        "geometric_growth": "geometric_growth(1e-4, 1.0, steps=100)",
    },
    "gdcourse.core.updates": {
        "plain": "plain()",
        "normalised": "normalised()",
        "clipped": "clipped(1.0)",
        "one_after_another": "one_after_another()",
        "sign_flipped": "sign_flipped()",
        "factor_two_missing": "factor_two_missing()",
        "loss_for_gradient": "loss_for_gradient()",
        "first_gradient_kept": "first_gradient_kept()",
        "momentum": "momentum(0.9)",
        "nesterov": "nesterov(0.9)",
        "adam": "adam()",
        "rmsprop": "rmsprop()",
    },
}


def _factory_call(value: Any) -> str | None:
    """How to call ``value`` if it is one of the course's factories passed uncalled
    (``constant``, ``sign_flipped``, ...), else ``None``."""
    calls = _FACTORY_CALLS.get(getattr(value, "__module__", None) or "")
    return None if calls is None else calls.get(getattr(value, "__name__", None))


def _uncalled(name: str, value: Any, expected: str) -> CourseTypeError | None:
    """The error for a course factory passed uncalled as ``name``, else ``None``."""
    call = _factory_call(value)
    if call is None:
        return None
    return CourseTypeError(
        f"{name} must be {expected}, got the function {value.__name__} itself, not what it "
        f"makes; call it: {call}"
    )


def _real(value: Any) -> Any:
    """A 0-d numpy array as the number it holds (anything else as it is)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def check_positive_number(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0 (>= 0 if allowed).

    numpy numbers and 0-d arrays of numbers are numbers; bools are not."""
    bound = ">= 0" if allow_zero else "> 0"
    value = _real(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _uncalled(name, value, f"a finite number {bound}") or CourseTypeError(
            f"{name} must be a finite number {bound}, got {_describe(value)}"
        )
    value = _to_float(name, value, f"a finite number {bound}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise CourseValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return value + 0.0  # -0.0 is 0: numpy refuses a scale of -0.0 as "< 0"


def check_finite_number(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number (numpy numbers
    and 0-d arrays of numbers are numbers; bools are not)."""
    value = _real(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _uncalled(name, value, "a finite number") or CourseTypeError(
            f"{name} must be a finite number, got {_describe(value)}"
        )
    value = _to_float(name, value, "a finite number")
    if not math.isfinite(value):
        raise CourseValueError(f"{name} must be a finite number, got {value!r}")
    return value


def check_count(
    name: str, value: Any, *, minimum: int = 0, maximum: int | None = None, why: str = ""
) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number >= ``minimum`` (and, if
    given, <= ``maximum``: ``why`` says why in the message, e.g. "a run records every iterate;
    more would not fit in memory"). numpy integers and 0-d arrays of them are whole numbers."""
    value = _real(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        hint = ""
        if isinstance(value, numbers.Real):
            try:
                if float(value).is_integer():
                    hint = f" (use {int(value)}, not {value!r})"
            except (OverflowError, TypeError, ValueError):
                pass
        raise _uncalled(name, value, f"a whole number >= {minimum}") or CourseTypeError(
            f"{name} must be a whole number >= {minimum}, got {_describe(value)}{hint}"
        )
    value = int(value)
    if value < minimum:
        raise CourseValueError(
            f"{name} must be a whole number >= {minimum}, got {_describe_int(value)}"
        )
    if maximum is not None and value > maximum:
        raise CourseValueError(_too_many(name, value, maximum, why))
    return value


def _too_many(what: str, value: int, maximum: int, why: str) -> str:
    """The sentence for a count past its cap: "steps must be at most 1,000,000 (why), got ..."."""
    because = f" ({why})" if why else ""
    return f"{what} must be at most {maximum:,}{because}, got {_describe_int(value)}"


def _check_total(what: str, total: int, maximum: int, why: str) -> None:
    """Raise unless a product of counts (``what`` says which, e.g. "seeds x steps") is at most
    ``maximum``."""
    if total > maximum:
        raise CourseValueError(_too_many(what, total, maximum, why))


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
            real = all(
                isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                for v in arr.flat
            )
            if real:
                try:
                    return arr.astype(float)
                except Exception:  # a huge int (OverflowError), a bad __float__
                    each = name if arr.ndim == 0 else f"each entry of {name}"
                    for v in arr.flat:  # the first entry that fails says why, in one sentence
                        _to_float(each, v, expected)
                    raise  # pragma: no cover - every entry converted one by one
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


def _check_sequence(name: str, value: Any, length: int, expected: str) -> tuple[Any, ...]:
    """``value``'s entries as a tuple, or raise unless it is an ordered sequence (a list, a
    tuple, a 1-D array) of exactly ``length`` entries. A set (no order), a dict, a string, a
    0-d array or a number is refused in one sentence ``"{name} must be {expected}, got ..."``;
    the entries are the caller's to check."""
    ordered = isinstance(value, (list, tuple)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )
    if not ordered:
        raise CourseTypeError(f"{name} must be {expected}, got {_describe(value)}")
    if len(value) != length:
        raise CourseValueError(
            f"{name} must be {expected}, got {len(value)} values: {_describe(value)}"
        )
    return tuple(value)


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
