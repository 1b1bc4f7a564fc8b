"""The one check every plot helper runs on a student's values before it draws them.

A student's value can be anything a notebook cell can make: a generator, the None of a function
that prints instead of returning, text, a ragged list, a whole run. Such a value is not plotted:
one sentence, printed in the cell like "Fill in ... first", says which value, what it is and
what the plot needs, and the helper returns without a figure. (The exercise checks in
``gdcourse.checks`` say the same things about answers; plots may not import them, by the layer
rule of tests/test_layers.py.)

Numbers in a list, tuple or numpy array, numpy scalars included, pass unchanged; inf and nan
pass too (a diverging run is a lesson's outcome, and the figure draws what is finite).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ..core.placeholder import ____

__all__ = ["student_numbers"]

_NONE_HINT = "did your function return its result? A function that ends without return gives None"


def student_numbers(
    value: Any,
    what: str,
    needs: str,
    *,
    ndim: int = 1,
    length: int | None = None,
    width: int | None = None,
) -> np.ndarray | None:
    """``value`` as a float array, or None after printing one sentence saying why it cannot be.

    Parameters
    ----------
    value : Any
        The student's value.
    what : str
        Which value it is, in words: ``'the slopes'``, ``'the weights of "rate 0.5"'``.
    needs : str
        What the plot needs, in words: ``'a list of numbers, w0 first'``.
    ndim : int
        1 for a list of numbers, 2 for a list of points.
    length : int, optional
        How many numbers (or points) the plot needs; default: any number, at least one.
    width : int, optional
        For ``ndim=2``: how many numbers each point holds.

    Examples
    --------
    >>> student_numbers([8, 2.0, np.float64(0.5)], "the weights", "a list of numbers")
    array([8. , 2. , 0.5])
    >>> student_numbers(None, "the weights", "a list of numbers")  # doctest: +ELLIPSIS
    The plot waits: the weights should be a list of numbers, but got None — did your ...
    """
    got = _problem(value, ndim, length, width)
    if got:
        print(f"The plot waits: {what} should be {needs}, but got {got}.")
        return None
    return np.asarray(value, dtype=float)


def _problem(value: Any, ndim: int, length: int | None, width: int | None) -> str:
    """What is wrong with ``value`` for the plot, in words ("" when nothing is)."""
    bad = _not_numbers(value)
    if bad:
        return bad
    try:
        arr = np.asarray(value, dtype=float)
    except OverflowError:
        return "a number too large to be a floating-point number (check how it was computed)"
    except (TypeError, ValueError):
        return f"a {_kind(value)} of {_count(len(value), 'item')} of different shapes"
    except Exception as err:  # the student's own object raised while being read
        return f"a value that could not be read as numbers ({type(err).__name__}: {err})"
    if arr.ndim != ndim or (ndim == 2 and width is not None and arr.shape[1] != width):
        return _shape_words(value, arr)
    if arr.shape[0] == 0:
        return f"an empty {_kind(value)}"
    if length is not None and arr.shape[0] != length:
        return _shape_words(value, arr)
    return ""


def _not_numbers(value: Any, depth: int = 0) -> str:
    """Why ``value`` is not numbers (a number, or equal-length lists of numbers), or ""."""
    if _is_number(value):
        return ""
    alone = _alone(value)
    if alone:
        return alone
    if isinstance(value, np.ndarray) and value.dtype != object:
        return "" if value.dtype.kind in "iuf" else f"an array of {value.dtype} values"
    items = value.tolist() if isinstance(value, np.ndarray) else list(value)
    where = f"a {_kind(value)} of {_count(len(items), 'item')}"
    if depth > 3:
        return f"{where}, nested too deep"
    for item in items:
        inner = _not_numbers(item, depth + 1)
        if inner:
            return _one_of(where, items, item, inner)
    lengths = {np.ndim(item) and len(item) for item in items}
    if len(lengths) > 1 or len({np.ndim(item) for item in items}) > 1:
        return f"{where} of different lengths (a ragged list)"
    return ""


def _alone(value: Any) -> str:
    """What ``value`` is when it is no list of things at all ("" for a list, tuple or array)."""
    if value is None:
        return f"None \u2014 {_NONE_HINT}"
    if value is ____:
        return "the blank ____ \u2014 replace it with your answer"
    if isinstance(value, (bool, np.bool_)):
        return f"{value}, a yes/no value, not a number"
    if isinstance(value, (str, bytes)):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"the text {text!r}, not numbers"
    if isinstance(value, (numbers.Complex, np.complexfloating)):
        return f"the complex number {value}"
    if hasattr(value, "weights") and hasattr(value, "losses") and hasattr(value, "status"):
        return "a whole run (a Trajectory) \u2014 use its numbers, run.weights or run.losses"
    if inspect.isgenerator(value):
        return "a generator \u2014 make it a list with list(...) or [... for ...]"
    if isinstance(value, Iterator):
        return f"an iterator ({type(value).__name__}) \u2014 make it a list with list(...)"
    if isinstance(value, Mapping):
        return f"a {type(value).__name__} of {_count(len(value), 'entry')}, not a list"
    if isinstance(value, (set, frozenset)):
        return f"a set of {_count(len(value), 'item')} (a set has no order), not a list"
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        return f"the function {name} itself \u2014 call it to get its result"
    if isinstance(value, (list, tuple, np.ndarray)):
        return ""
    return f"a {type(value).__name__}, not numbers"


def _one_of(where: str, items: list, item: Any, inner: str) -> str:
    """``'a list of 4 items, one of them None — ...'``: the first bad item, and how many."""
    if item is None:
        share = _share(sum(i is None for i in items), len(items))
        return f"{where}, {share} None \u2014 {_NONE_HINT}"
    if isinstance(item, str):
        share = _share(sum(isinstance(i, str) for i in items), len(items))
        return f"{where}, {share} text (such as {item[:20]!r}), not numbers"
    return f"{where}, one of them {inner}"


def _share(n: int, total: int) -> str:
    """``'one of them'``, ``'3 of them'``, ``'all of them'``."""
    if n == total:
        return "all of them" if total > 2 else "both of them" if total == 2 else "which is"
    return "one of them" if n == 1 else f"{n} of them"


def _shape_words(value: Any, arr: np.ndarray) -> str:
    """The shape of numbers that do not fit, in words."""
    if arr.ndim == 0:
        return f"a single number ({float(arr):g})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {arr.shape}"
    if arr.ndim == 1:
        return f"a {_kind(value)} of {_count(arr.shape[0], 'number')}"
    if arr.ndim == 2:
        return f"a {_kind(value)} of {arr.shape[0]} lists of {_count(arr.shape[1], 'number')} each"
    return f"a {_kind(value)} of numbers nested {arr.ndim} deep"


def _is_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def _kind(value: Any) -> str:
    return "array" if isinstance(value, np.ndarray) else type(value).__name__


def _count(n: int, noun: str) -> str:
    if n == 1:
        return f"1 {noun}"
    return f"{n} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"
