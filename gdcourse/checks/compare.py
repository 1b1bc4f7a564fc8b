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
    """A short description of a student's value for messages: its type, and itself if short."""
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} item{'s' if len(value) != 1 else ''}"
    text = repr(value)
    return text if len(text) <= limit else f"a {type(value).__name__}"


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
    if isinstance(answer, (dict, set)) or callable(answer):
        return None, f"Expected {what}, got {describe(answer)}."
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None, f"Expected {what}, got {describe(answer)}, which is not all numbers."
    return arr, ""


def close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    """Same shape and equal within ``|a - b| <= atol + rtol * |b|`` everywhere (no nan allowed)."""
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


format_value = _fmt
