"""The checks every explorer runs on its arguments before it builds a control, so a student gets
one sentence naming the argument, the value and what was expected, never a clamped slider or a
raw ``TraitError``.

They build on the core's ``check_*`` helpers (``gdcourse/core/errors.py``) and add what only a
widget needs: a value inside its slider's range, a (low, high) range, a window, a flag, a choice.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import CourseTypeError, CourseValueError
from ..core.errors import (
    _check_sequence,
    _describe,
    _real,
    _to_float,
    check_count,
    check_finite_number,
    check_loss,
    check_point,
)

__all__ = [
    "MAX_STEPS",
    "centre_of",
    "check_choice",
    "check_control_value",
    "check_extent",
    "check_flag",
    "check_loss_of_shape",
    "check_point_within",
    "check_range",
    "check_steps",
    "check_text",
    "check_whole_within",
    "check_within",
    "view_extent",
]

#: An explorer reruns its whole run on every control move: more steps than this would make the
#: controls lag (and a mistyped 10**9 would freeze the kernel).
MAX_STEPS = 10_000


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is True or False, else a CourseTypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise CourseTypeError(f"{name} must be True or False, got {_shown(value)}")
    return bool(value)


def check_text(name: str, value: Any) -> str:
    """``value`` if it is a string with some text in it."""
    if not isinstance(value, str):
        raise CourseTypeError(f"{name} must be a non-empty string, got {_shown(value)}")
    if not value.strip():
        raise CourseValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_choice(name: str, value: Any, options: Sequence[str]) -> str:
    """``value`` if it is one of ``options`` (strings)."""
    if not isinstance(value, str):
        raise CourseTypeError(f"{name} must be one of {list(options)}, got {_shown(value)}")
    if value not in options:
        raise CourseValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value


def check_steps(name: str, value: Any, *, minimum: int = 1, maximum: int = MAX_STEPS) -> int:
    """A whole number of steps from ``minimum`` to ``maximum``."""
    value = check_count(name, value, minimum=minimum)
    if value > maximum:
        raise CourseValueError(
            f"{name} must be a whole number from {minimum} to {maximum:,} (every control move "
            f"reruns the explorer), got {value:,}"
        )
    return value


def check_whole_within(name: str, value: Any, low: int, high: int, where: str) -> int:
    """A whole number from ``low`` to ``high`` (either may be negative); ``where`` says whose
    range it is."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise CourseTypeError(
            f"{name} must be a whole number from {low} to {high} ({where}), got {_shown(value)}"
        )
    value = int(value)
    if not low <= value <= high:
        raise CourseValueError(
            f"{name} must be a whole number from {low} to {high} ({where}), got {value}"
        )
    return value


def _g(value: Any) -> str:
    """A number as ``:g`` writes it; a whole number too large for a float by its size."""
    try:
        return f"{value:g}"
    except (OverflowError, ValueError, TypeError):
        text = str(value)
        return text if len(text) <= 20 else f"a number of {len(text.lstrip('-'))} digits"


def check_within(name: str, value: float, low: float, high: float, where: str) -> float:
    """``value`` if ``low <= value <= high``; ``where`` says whose range it is (a slider's)."""
    if not low <= value <= high:
        raise CourseValueError(
            f"{name} must be between {low:g} and {high:g} ({where}), got {_g(value)}"
        )
    return value


def check_range(name: str, value: Any, *, positive: bool = False) -> tuple[float, float]:
    """A ``(low, high)`` pair of finite numbers with ``low < high`` (both > 0 if ``positive``)."""
    kind = "positive numbers" if positive else "finite numbers"
    value = _check_sequence(name, value, 2, f"a pair (low, high) of {kind}")
    for item in value:
        item = _real(item)
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise CourseTypeError(
                f"{name} must be a pair (low, high) of {kind}, got {_describe(value)}"
            )
    low, high = (_to_float(f"each end of {name}", _real(v), kind) for v in value)
    if not (math.isfinite(low) and math.isfinite(high)) or (positive and low <= 0):
        raise CourseValueError(f"{name} must be a pair (low, high) of {kind}, got {(low, high)}")
    if not low < high:
        raise CourseValueError(
            f"{name} must be a pair (low, high) with low < high, got {(low, high)}"
        )
    return low, high


def check_extent(name: str, value: Any) -> tuple[float, float, float, float]:
    """A window ``(xmin, xmax, ymin, ymax)`` of finite numbers with ``xmin < xmax`` and
    ``ymin < ymax``."""
    expected = f"{name} must be four finite numbers (xmin, xmax, ymin, ymax)"
    value = _check_sequence(name, value, 4, "four finite numbers (xmin, xmax, ymin, ymax)")
    value = tuple(_real(v) for v in value)
    if any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in value):
        raise CourseTypeError(f"{expected}, got {_describe(value)}")
    x0, x1, y0, y1 = (_to_float(f"each entry of {name}", v, "a finite number") for v in value)
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)):
        raise CourseValueError(f"{expected}, got {(x0, x1, y0, y1)}")
    if not (x0 < x1 and y0 < y1):
        raise CourseValueError(
            f"{name} must have xmin < xmax and ymin < ymax, got {(x0, x1, y0, y1)}"
        )
    return x0, x1, y0, y1


def check_loss_of_shape(explorer: str, loss: Any, shape: tuple[int, ...], hint: str = "") -> Any:
    """``loss`` if it is a loss object (``value`` and ``gradient``) of ``shape`` parameters;
    ``hint`` ends the sentence otherwise (e.g. "; use ContourExplorer for 2-D losses")."""
    check_loss(loss)
    if tuple(getattr(loss, "shape", ())) != shape:
        size = "a 1-D loss (one parameter)" if shape == () else f"a {shape[0]}-D loss"
        if shape == (2,):
            size = "a 2-D loss (two parameters)"
        raise CourseValueError(f"{explorer} needs {size}, got {loss!r}{hint}")
    return loss


def check_point_within(
    name: str, value: Any, extent: tuple[float, float, float, float], where: str
) -> np.ndarray:
    """A point of two finite numbers inside ``extent`` (xmin, xmax, ymin, ymax)."""
    point = check_point(name, value, (2,))
    x0, x1, y0, y1 = extent
    if not (x0 <= point[0] <= x1 and y0 <= point[1] <= y1):
        raise CourseValueError(
            f"{name} must lie inside {where}, x from {x0:g} to {x1:g} and y from {y0:g} to "
            f"{y1:g}, got ({point[0]:g}, {point[1]:g})"
        )
    return point


def check_control_value(name: str, control: Any, value: Any) -> Any:
    """A value a control can take as it is, else the sentence a student reads: a slider would
    otherwise clamp a number outside its range silently."""
    kind = getattr(control, "kind", None)
    if kind == "play":
        value = check_count(name, value)
        return check_within(name, value, control.min, control.max, "the steps of the run")
    if kind == "int":
        value = check_count(name, value, minimum=int(control.min))
        return int(check_within(name, value, control.min, control.max, "the slider's range"))
    if kind == "log":
        value = check_finite_number(name, value)
        low, high = control.base**control.min, control.base**control.max
        # The ends are powers of the base: allow their last bits (10 ** log10(x) is not x).
        if not low * (1 - 1e-12) <= value <= high * (1 + 1e-12):
            raise CourseValueError(
                f"{name} must be between {low:.3g} and {high:.3g} (the slider's range), "
                f"got {value:g}"
            )
        return value
    if kind == "float":
        value = check_finite_number(name, value)
        return check_within(name, value, control.min, control.max, "the slider's range")
    if kind in ("choice", "select"):
        value = _real(value)  # np.int64(32) or np.array(32) is the option 32
        match = _option(value, control.values)
        if match is _NOT_AN_OPTION:
            raise CourseValueError(
                f"{name} must be one of {control.labels}, got {_describe(value)}"
            )
        return match
    return value


_NOT_AN_OPTION = object()


def _option(value: Any, options: list[Any]) -> Any:
    """The option equal to ``value`` (of the option's own type), or ``_NOT_AN_OPTION``; a bool or
    an array is never an option (``in`` would compare an array elementwise and raise)."""
    if isinstance(value, (bool, np.bool_, np.ndarray)):
        return _NOT_AN_OPTION
    for option in options:
        if isinstance(option, bool) or type(option) is not type(value):
            if not (isinstance(option, numbers.Number) and isinstance(value, numbers.Number)):
                continue
        try:
            if option == value:
                return option
        except (TypeError, ValueError):
            continue
    return _NOT_AN_OPTION


def centre_of(loss: Any, shape: tuple[int, ...]) -> Any:
    """The loss's minimiser if it names one (a float for a 1-D loss, an array otherwise), else
    the origin: where an explorer centres its chart."""
    minimizer = getattr(loss, "minimizer", None)
    if minimizer is None:
        return 0.0 if shape == () else np.zeros(shape)
    return float(minimizer) if shape == () else np.asarray(minimizer, dtype=float)


def view_extent(
    extent: Any, centre: np.ndarray, reach: float, point_name: str, point: np.ndarray
) -> tuple[float, float, float, float]:
    """A 2-D explorer's chart: ``extent`` (checked, and to hold the start point), or, when it is
    None, the square of half-width ``reach`` around ``centre``."""
    if extent is None:
        x, y = (float(v) for v in centre)
        return (x - reach, x + reach, y - reach, y + reach)
    checked = check_extent("extent", extent)
    check_point_within(point_name, point, checked, "extent")
    return checked
