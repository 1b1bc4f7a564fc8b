"""Turning a student's answer into numbers, and saying in a sentence why it is not right.

Nothing here ever prints the expected value: messages describe the student's answer (its type,
its length, where it first goes wrong), not ours.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["DIVERGENCE_NOTE", "close", "describe", "to_numbers"]

DIVERGENCE_NOTE = (
    "Your answer contains inf or nan. That is what a diverging run produces: each step "
    "overshoots further than the last until the numbers overflow. If this run should converge, "
    "check the rate you used and the sign of your update."
)


def describe(value: Any, limit: int = 40) -> str:
    """A short description of a student's value for messages: its type, and itself if short.
    Never raises, whatever the value's own ``__repr__`` or ``__len__`` do."""
    try:
        return _describe(value, limit)
    except Exception:
        name = type(value).__name__
        return f"{'an' if name[:1] in 'aeiou' else 'a'} {name} object"


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
    if len(text) <= limit:
        return text
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


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
    if isinstance(answer, (dict, set)) or callable(answer):
        return None, f"Expected {what}, got {describe(answer)}."
    try:
        raw = np.asarray(answer)
    except Exception:  # a ragged list, or an object numpy cannot read
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


def _is_iterator(value: Any) -> bool:
    """A generator or other one-pass iterator: numpy would wrap it as one object."""
    return hasattr(value, "__next__") and hasattr(value, "__iter__")


def _not_numbers(raw: np.ndarray) -> str:
    """Why an array read from an answer is not numbers (text, yes/no values, None), or ''."""
    kind = raw.dtype.kind
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
        if any(isinstance(v, (str, bytes)) for v in items):
            return _not_numbers(np.asarray(["text"]))
        if any(isinstance(v, (bool, np.bool_)) for v in items):
            return "which holds True/False values, not numbers."
        if any(v is None for v in items):
            return (
                "which holds None: a function that ends without `return` gives None, and so "
                "does print()."
            )
    return ""


def close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and equal within ``|a - b| <= atol + rtol * |b|`` everywhere (no nan allowed)."""
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


format_value = _fmt
