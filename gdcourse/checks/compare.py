"""Turning a student's answer into numbers, and saying in a sentence why it is not right.

Nothing here ever prints the expected value: messages describe the student's answer (its type,
its length, where it first goes wrong), not ours.
"""

from __future__ import annotations

import decimal
import math
import numbers
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from typing import Any

import numpy as np

__all__ = [
    "DIVERGENCE_NOTE",
    "close",
    "decimals_shown",
    "describe",
    "is_masked",
    "rounded_entries",
    "rounded_from",
    "to_numbers",
    "tolerance_text",
]

DIVERGENCE_NOTE = (
    "Your answer contains inf or nan. That is what a diverging run produces: each step "
    "overshoots further than the last until the numbers overflow. If this run should converge, "
    "check the rate you used and the sign of your update."
)


_NONE_INSIDE = (
    "which holds None: a function that ends without `return` gives None, and so does print() "
    "(e.g. weights.append(print(w)), or an entry computed by a function of yours that never "
    "returns its result)."
)


def describe(value: Any, limit: int = 40) -> str:
    """A short description of a student's value for messages: its type, and itself if short.
    Never raises, whatever the value's own ``__repr__`` or ``__len__`` do."""
    try:
        return _describe(value, limit)
    except Exception:
        name = type(value).__name__
        return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} object"


def _describe(value: Any, limit: int) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        return f"a whole number of {len(str(abs(value)))} digits"
    text = repr(value)
    # Not `<map object at 0x7f...>`, and not a repr of the student's own that starts a new line
    # or imitates a verdict ("\u2714 Correct\nRight."): such a value is named by its type.
    if len(text) <= limit and " at 0x" not in text and text.isprintable():
        return text
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _fmt(x: Any) -> str:
    """Format a student's number or array compactly (their value, never ours)."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr) + 0.0:.6g}"  # + 0.0 turns -0 into 0
    shown = ", ".join(f"{v + 0.0:.6g}" for v in arr.ravel()[:8])
    return f"[{shown}, ...]" if arr.size > 8 else f"[{shown}]"


def to_numbers(answer: Any, *, what: str = "a number") -> tuple[np.ndarray | None, str]:
    """Convert an answer to a float array, or return ``(None, sentence saying why not)``.

    Accepts numbers, numpy scalars, 0-d arrays, lists, tuples and arrays.
    """
    if answer is None:
        return None, (
            "Your answer is None. Did your function return its result? A function that ends "
            "without `return` gives None, and so does assigning the result of print()."
        )
    if isinstance(answer, (bytes, bytearray)):
        # numpy reads bytearray(b"1") as the byte 49: text in another form, never a number
        return None, f"Expected {what}, got {describe(answer)}, which is bytes (text), not numbers."
    if isinstance(answer, memoryview):
        return None, (
            f"Expected {what}, got a memoryview (a view of raw memory): give the numbers "
            f"themselves, as a list or an array."
        )
    if is_masked(answer):
        # np.asarray drops a mask and keeps whatever lies under it: a hidden entry is no answer
        return None, (
            f"Expected {what}, got a masked array (or one inside it): give the plain numbers "
            f"(np.asarray or .filled() shows what is hidden under its mask)."
        )
    if isinstance(answer, str):
        try:
            float(answer)
        except ValueError:
            return None, f"Expected {what}, got {describe(answer)}."
        return None, f"Expected {what}, got {describe(answer)}: remove the quotes to give a number."
    if isinstance(answer, bool):
        return None, f"Expected {what}, got {answer}, which is a yes/no value, not a number."
    if hasattr(answer, "weights") and hasattr(answer, "losses") and hasattr(answer, "status"):
        return None, (
            "You passed a whole run (a Trajectory). This question wants numbers: use "
            "run.weights for the weights or run.losses for the losses."
        )
    if _is_iterator(answer):
        return None, (
            f"Expected {what}, got {describe(answer)}, which can be read only once: make it "
            f"a list, e.g. list(...) or [w for w in ...]."
        )
    # Any mapping or set, not only dict and set: numpy would read a UserDict as its keys.
    if isinstance(answer, (Mapping, AbstractSet)) or callable(answer):
        return None, f"Expected {what}, got {describe(answer)}."
    try:
        raw = np.asarray(answer)
    except Exception:  # a ragged list, or an object numpy cannot read
        if isinstance(answer, (list, tuple)) and any(item is None for item in answer[:10_000]):
            return None, f"Expected {what}, got {describe(answer)}, {_NONE_INSIDE}"
        return None, f"Expected {what}, got {describe(answer)}, which is not all numbers."
    why = _not_numbers(raw)
    if why:
        return None, f"Expected {what}, got {describe(answer)}, {why}"
    try:
        arr = raw.astype(float)
    except OverflowError:
        return None, (
            f"Expected {what}, got {describe(answer)}, which holds a number too large to be a "
            f"floating-point number (the largest is about 1.8e308): check how it was computed."
        )
    except Exception as err:  # e.g. an object whose __float__ raises: the student's value
        return None, (
            f"Expected {what}, got {describe(answer)}, which could not be read as numbers "
            f"({type(err).__name__}: {err})."
        )
    return arr, ""


def is_masked(value: Any, depth: int = 0, seen: list[int] | None = None) -> bool:
    """Is ``value`` a masked array, hold one (in lists or tuples, within reason), or hand one
    out through ``__array__``? numpy would read any of them with the mask dropped."""
    seen = [0] if seen is None else seen
    seen[0] += 1
    if isinstance(value, np.ma.MaskedArray) or value is np.ma.masked:
        return True
    if depth > 8 or seen[0] > 10_000:
        return False
    if isinstance(value, (list, tuple)):
        return any(is_masked(v, depth + 1, seen) for v in value[:10_000])
    if not isinstance(value, np.ndarray) and callable(getattr(type(value), "__array__", None)):
        try:  # np.asanyarray keeps the masked array an object's __array__ hands out
            return isinstance(np.asanyarray(value), np.ma.MaskedArray)
        except Exception:  # numpy will say what is wrong with it when it reads it
            return False
    return False


def _is_iterator(value: Any) -> bool:
    """A generator or other one-pass iterator: numpy would wrap it as one object."""
    return hasattr(value, "__next__") and hasattr(value, "__iter__")


def _not_numbers(raw: np.ndarray) -> str:
    """Why an array read from an answer is not numbers (text, yes/no values, None), or ''."""
    kind = raw.dtype.kind
    if kind in "Mm":
        return "which holds dates or durations, not numbers."
    if kind == "V":
        return "which holds raw records, not numbers."
    if kind == "c" or (kind == "O" and any(isinstance(v, complex) for v in raw.flat)):
        return (
            "which holds complex numbers: the answer is real numbers (take .real only if you "
            "know the imaginary part is 0)."
        )
    if kind in "US":
        return (
            "which holds text: a number in quotes, like '8', is text, not a number; remove "
            "the quotes."
        )
    if kind == "b":
        return "which holds True/False values, not numbers."
    if kind == "O":
        items = list(raw.flat)
        if any(isinstance(v, (np.datetime64, np.timedelta64, date, timedelta)) for v in items):
            return "which holds dates or durations, not numbers."
        if any(isinstance(v, (str, bytes)) for v in items):
            return _not_numbers(np.asarray(["text"]))
        if any(isinstance(v, (bool, np.bool_)) for v in items):
            return "which holds True/False values, not numbers."
        if any(v is None for v in items):
            return _NONE_INSIDE
    return ""


def tolerance_text(rtol: float, atol: float) -> str:
    """How close a number must be to count as right, in words a student can act on.

    >>> tolerance_text(1e-6, 1e-9)
    'to within a relative 1e-06 (7 significant digits are always enough)'
    >>> tolerance_text(0.005, 1e-9), tolerance_text(0, 0)
    ('to within 0.5% (3 significant digits are always enough)', 'exactly')
    """
    if rtol == 0 and atol == 0:
        return "exactly"
    if rtol > 0:
        # Rounding to d significant digits moves a number by up to 5 * 10**-d of itself.
        digits = math.ceil(math.log10(5 / rtol) - 1e-9)
        share = f"{rtol * 100:g}%" if rtol >= 1e-3 else f"a relative {rtol:g}"
        text = f"to within {share} ({digits} significant digits are always enough)"
    else:
        text = f"to within {atol:g}"
    if rtol > 0 and atol > 1e-9:  # 1e-9 only keeps an answer of 0 checkable: not worth a word
        text += f", or within {atol:g} of it"
    return text


def decimals_shown(x: float) -> int:
    """How many decimals ``x`` has as Python writes it (``5.07`` -> 2, ``1e-05`` -> 5, ``8.0``
    -> 0): the digits a student typed, or a rounding function kept."""
    if not math.isfinite(x) or x == int(x):
        return 0
    exponent = decimal.Decimal(repr(float(x))).as_tuple().exponent
    return max(0, -int(exponent))


def rounded_from(x: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> int | None:
    """If every entry of ``x`` is ``ref``'s entry or that entry rounded (or cut off) to the
    decimals the student wrote, and at least one is, the fewest decimals a rounded entry shows;
    else None (see :func:`rounded_entries` for when an entry is rounded)."""
    if x.shape != ref.shape or x.size == 0:
        return None
    right = np.abs(x - ref) <= atol + rtol * np.abs(ref)
    rounded = rounded_entries(x, ref)
    if right.all() or not np.all(right | (rounded >= 0)):
        return None
    return int(rounded[~right].min())


def rounded_entries(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """For each entry of ``x``: the decimals at which it is ``ref``'s entry rounded or cut off,
    or -1 where it is not (an int array of ``x``'s shape).

    An entry written with ``d`` decimals is "rounded" when it is the right value rounded to
    ``d`` decimals (at most half a unit ``10**-d`` away) or cut off there (towards 0, by less
    than one unit). A whole entry beside entries with decimals is read at the most decimals the
    answer shows (``0.0`` in ``[0.048, 0.0]``), or, with 2 digits or more, as rounded to a whole
    number (``25`` in ``[13.76, -14.46, 25]`` for 25.05; ``4`` for 4.46 is not). An answer with
    no decimals at all is never rounded: 3 for 3.4 is another answer, not fewer digits.
    """
    xs, rs = x.ravel().tolist(), ref.ravel().tolist()
    out = np.full(len(xs), -1)
    most = max((decimals_shown(v) for v in xs), default=0)
    if most == 0:
        return out.reshape(x.shape)
    for i, (xi, ri) in enumerate(zip(xs, rs, strict=True)):
        shown = decimals_shown(xi)
        tries = (shown,) if shown else ((most, 0) if abs(xi) >= 10 else (most,))
        for d in tries:
            unit = 10.0**-d
            rounded = abs(xi - ri) <= 0.5 * unit * (1 + 1e-9)
            cut = xi * ri >= 0 and 0 <= abs(ri) - abs(xi) < unit * (1 - 1e-9)
            if rounded or cut:
                out[i] = d
                break
    return out.reshape(x.shape)


def close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and equal within ``|a - b| <= atol + rtol * |b|`` everywhere (no nan allowed)."""
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def is_number(x: Any) -> bool:
    """A real number: also a Fraction or a Decimal; never True/False."""
    return isinstance(x, (numbers.Real, decimal.Decimal)) and not isinstance(x, bool)


format_value = _fmt
