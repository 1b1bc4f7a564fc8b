"""A diagnostic: inside ``other_last_bits()`` the core computes as another CPU might.

Another CPU's BLAS adds the terms of a dot product in another order, may fuse a multiply and an
add, and numpy's SIMD loops give ``power`` or ``exp`` other last bits, so a result's last bits
differ between machines. A number the course states must not depend on them: the registry of
stated numbers recomputes each one inside this block and requires the same displayed digits.

Inside the block the core (1) adds its sums in reverse: the rows of every data set, the terms of
every product over features or coordinates, the examples of each mini-batch; and (2) jitters the
last bits of every loss value, gradient, schedule rate and closed-form result it computes by up
to a relative ``JITTER`` (seeded, so a recomputation is itself reproducible). In exact
arithmetic (1) changes nothing; (2) is the size of the rounding differences a long computation
can accumulate, and far below what the registry of stated numbers calls a tie (1e-6).
``touched()`` counts how many results were reordered or jittered, so that a recomputation that
reached none of the core's arithmetic (a cached result, a value computed at import) can be told
from a robust one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

__all__ = ["current_block", "jitter", "other_last_bits", "sums_reversed", "touched"]

#: The largest jitter, relative (about 450 units in the last place).
JITTER = 1e-13


class _Diagnostic:
    __slots__ = ("count", "rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.count = rng, 0


_ACTIVE: ContextVar[_Diagnostic | None] = ContextVar("gdcourse_other_last_bits", default=None)


def sums_reversed() -> bool:
    """Is an :func:`other_last_bits` block active? (The caller then sums in reverse.)"""
    state = _ACTIVE.get()
    if state is None:
        return False
    state.count += 1
    return True


def jitter(values: Any) -> Any:
    """``values`` with their last bits jittered inside an :func:`other_last_bits` block (each
    finite entry multiplied by ``1 + u JITTER`` with ``u`` uniform in [-1, 1]); unchanged outside
    it. Zeros, infinities, NaN and signs stay as they are."""
    state = _ACTIVE.get()
    if state is None:
        return values
    state.count += 1
    arr = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        out = arr * (1 + JITTER * state.rng.uniform(-1.0, 1.0, size=arr.shape))
    if np.ndim(values) == 0 and not isinstance(values, np.ndarray):
        return float(out)
    return out


def current_block() -> object | None:
    """The active :func:`other_last_bits` block (``None`` outside one): what a result computed
    in it belongs to, so that a cache never carries one out of it."""
    return _ACTIVE.get()


def touched() -> int:
    """How many results the active block has reordered or jittered so far (0 outside one)."""
    state = _ACTIVE.get()
    return 0 if state is None else state.count


@contextmanager
def other_last_bits(seed: int = 1) -> Iterator[None]:
    """Within this block the core sums in reverse and jitters its last bits (see the module).

    Examples
    --------
    >>> from gdcourse import LinearRegression, make_regression
    >>> X, y, _ = make_regression(50, 3, seed=0)
    >>> loss = LinearRegression(X, y)
    >>> with other_last_bits():
    ...     g = loss.gradient([1.0, 2.0, 3.0])
    ...     reached = touched() > 0
    >>> bool(abs(g - loss.gradient([1.0, 2.0, 3.0])).max() < 1e-12), reached
    (True, True)
    """
    token = _ACTIVE.set(_Diagnostic(np.random.default_rng(seed)))
    try:
        yield
    finally:
        _ACTIVE.reset(token)
