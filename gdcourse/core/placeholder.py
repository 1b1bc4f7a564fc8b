"""The ``____`` placeholder that exercise notebooks leave for the student to fill in.

Arithmetic on it gives it back (so ``w = ____ - 0.1 * 8`` still runs), and a check that
receives it answers "not attempted" instead of raising.
"""

from __future__ import annotations

from typing import Any

from .errors import CourseTypeError

__all__ = ["Placeholder", "____", "contains_placeholder"]


class Placeholder:
    """The blank ``____`` in an exercise: replace it with your answer."""

    _instance: Placeholder | None = None

    def __new__(cls) -> Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __format__(self, spec: str) -> str:
        return "____"

    def _absorb(self, *args: Any, **kwargs: Any) -> Placeholder:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _absorb
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __abs__ = _absorb
    __call__ = __getitem__ = _absorb

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return self  # np.sqrt(____), np.ones(3) * ____: still the blank, as arithmetic gives

    def __float__(self) -> float:
        raise CourseTypeError(_STILL_BLANK)

    __int__ = __index__ = __float__

    def __iter__(self):
        raise CourseTypeError(_STILL_BLANK)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise CourseTypeError(_STILL_BLANK)

    # Comparing, rounding or taking the truth of the blank has no answer: say what to do.
    __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __round__ = __len__ = _refuse
    __eq__ = object.__eq__  # `x is ____` and `x == ____` keep working (identity)
    __hash__ = object.__hash__


_STILL_BLANK = "this is still the blank ____: replace it with your answer first"


____ = Placeholder()


def contains_placeholder(value: Any, _depth: int = 0) -> bool:
    """Is ``value`` the placeholder, or a list/tuple/dict holding it? (False for a container
    that cannot be looked into: its own ``__iter__`` raising is not a blank.)"""
    try:
        return _holds_placeholder(value, _depth)
    except Exception:
        return False


def _holds_placeholder(value: Any, _depth: int) -> bool:
    if value is ____:
        return True
    if _depth > 3:
        return False
    if isinstance(value, (list, tuple)):
        return any(_holds_placeholder(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_holds_placeholder(v, _depth + 1) for v in value.values())
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if type(value).__module__ == "numpy" and kind == "O":
        # np.array([8.0, ____]) holds the blank in an object array
        return any(_holds_placeholder(v, _depth + 1) for v in value.ravel()[:10_000].tolist())
    return False
