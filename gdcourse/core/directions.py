"""Directions in parameter space: unit vectors and angles, the slope along a direction (the
directional derivative ``grad L . u``), what the gradient says about the steepest direction and
the level set at a point (lesson 01), and how far each iterate of a run is from a point.

Angles between vectors are computed so that they stay accurate near 0 and 180 degrees, where
``acos`` of a cosine turns the last bits of a dot product (which differ between CPUs) into
visible degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_loss_shape,
    _check_numbers,
    _describe,
    check_finite_number,
    check_loss,
    check_point,
    check_positive_number,
)
from .gradient_check import numerical_gradient

__all__ = [
    "FLAT",
    "DirectionReading",
    "angle_between",
    "angle_of",
    "directional_derivative",
    "distances_to",
    "measured_slope",
    "read_direction",
    "sign_label",
    "unit_vector",
    "wrap_angle",
]

#: Below this gradient length a point counts as flat: no direction is steepest.
FLAT = 1e-12


def angle_between(u: ArrayLike, v: ArrayLike) -> float:
    """The angle between two non-zero vectors of the same length, in degrees (0 to 180).

    Examples
    --------
    >>> angle_between([1.0, 0.0], [0.0, 2.0])
    90.0
    >>> angle_between([1.0, 2.0], [2.0, 4.0 + 1e-12]) < 1e-9  # acos would say about 1e-6
    True
    """
    u, v = _vector("u", u), _vector("v", v)
    if u.shape != v.shape:
        raise CourseValueError(
            f"u and v must have the same number of entries (two vectors in the same space), got "
            f"{_describe(u)} and {_describe(v)}"
        )
    if not (np.linalg.norm(u) > 0 and np.linalg.norm(v) > 0):
        raise CourseValueError(
            f"an angle needs two non-zero vectors, got {u.tolist()} and {v.tolist()}"
        )
    a = u / np.linalg.norm(u)
    b = v / np.linalg.norm(v)
    # 2 atan2(|a - b|, |a + b|) is well conditioned for nearly parallel vectors; acos is not.
    return math.degrees(2 * math.atan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))


def _vector(name: str, value: Any) -> np.ndarray:
    """``value`` as a finite 1-D float array (a number counts as a vector of one entry)."""
    v = np.atleast_1d(_check_numbers(name, value, "a vector (a list of numbers)"))
    if v.ndim != 1:
        raise CourseValueError(f"{name} must be a vector (a list of numbers), got {_describe(v)}")
    if not np.all(np.isfinite(v)):
        raise CourseValueError(f"{name} must be finite, got {_describe(v)}")
    return v


def _two_parameter_loss(loss: Any, point: Any) -> np.ndarray:
    """Check ``loss`` is a loss of two parameters (the angles live in a plane), and return the
    finite point ``(x, y)`` on it."""
    check_loss(loss)
    if getattr(loss, "shape", None) is not None and _check_loss_shape(loss, "point", 0) != (2,):
        raise CourseValueError(
            f"loss must be a loss of two parameters (x, y), such as QuadraticBowl([1.0, 5.0]): "
            f"a direction is an angle in the plane; got {_describe(loss)}"
        )
    return check_point("point", point, (2,))


def sign_label(x: float, tol: float = 1e-9) -> str:
    """``"positive"``, ``"negative"`` or ``"zero"`` (within ``tol``): the sign of a slope.

    >>> sign_label(-0.5), sign_label(1e-12)
    ('negative', 'zero')
    """
    x = check_finite_number("x", x)
    tol = check_positive_number("tol", tol, allow_zero=True)
    return "zero" if abs(x) <= tol else "positive" if x > 0 else "negative"


def directional_derivative(gradient: ArrayLike, angles: ArrayLike) -> np.ndarray:
    """The slope ``grad L . u`` along the unit vector at each angle (degrees) of a 2-D point
    whose gradient is ``gradient``: ``|grad L| cos(angle - angle of grad L)``.

    >>> directional_derivative([3.0, 4.0], [0.0, 90.0]).round(12).tolist()
    [3.0, 4.0]
    """
    g = _check_numbers("gradient", gradient, "a 2-D vector (gx, gy)")
    if g.shape != (2,):
        raise CourseValueError(f"gradient must be a 2-D vector (gx, gy), got shape {g.shape}")
    t = np.radians(_check_numbers("angles", angles, "a number or a list of angles in degrees"))
    return g[0] * np.cos(t) + g[1] * np.sin(t)


def unit_vector(angle: float) -> np.ndarray:
    """The unit vector at ``angle`` degrees, counter-clockwise from the x-axis.

    >>> unit_vector(90.0).round(12).tolist()
    [0.0, 1.0]
    """
    t = math.radians(check_finite_number("angle", angle))
    return np.array([math.cos(t), math.sin(t)])


def angle_of(v: ArrayLike) -> float:
    """The angle of a 2-D vector in degrees, in ``[0, 360)``.

    The zero vector has no direction; it is given the angle 0.

    >>> angle_of([-1.0, 0.0]), angle_of([0.0, -2.0])
    (180.0, 270.0)
    """
    vec = _vector("v", v)
    if vec.shape != (2,):
        raise CourseValueError(f"v must be a 2-D vector (x, y), got {_describe(vec)}")
    x, y = (float(c) for c in vec)
    a = math.degrees(math.atan2(y, x)) % 360.0
    return 0.0 if a >= 360.0 else a


def wrap_angle(angle: float) -> float:
    """An angle difference in degrees, in ``(−180, 180]``."""
    a = (check_finite_number("angle", angle) + 180.0) % 360.0 - 180.0
    return 180.0 if a == -180.0 else a


@dataclass(frozen=True)
class DirectionReading:
    """What the explorer shows at one point and one direction.

    Attributes
    ----------
    point, gradient : ndarray of shape (2,)
    length : float
        ``|∇L|``.
    angle : float
        The direction ``θ`` in degrees; ``direction`` is its unit vector ``u``.
    slope : float
        The directional derivative ``∇L·u``.
    steepest_angle : float or None
        ``θ*``, the gradient's angle (steepest ascent); None at a flat point.
    level_set_angles : (float, float) or None
        ``θ* ± 90°``, where the slope is zero: along the level set.
    off_minimum : float or None
        The angle in degrees between ``−∇L`` and the straight line to the minimum, when the loss
        knows its minimum.
    """

    point: np.ndarray
    gradient: np.ndarray
    length: float
    angle: float
    direction: np.ndarray
    slope: float
    steepest_angle: float | None
    level_set_angles: tuple[float, float] | None
    off_minimum: float | None

    @property
    def descent_angle(self) -> float | None:
        """``θ* + 180°``: steepest descent."""
        return None if self.steepest_angle is None else (self.steepest_angle + 180.0) % 360.0

    @property
    def from_gradient(self) -> float | None:
        """How far ``θ`` is from ``θ*``, in degrees, in ``(−180, 180]``."""
        return None if self.steepest_angle is None else wrap_angle(self.angle - self.steepest_angle)


def read_direction(loss: Any, point: ArrayLike, angle: float) -> DirectionReading:
    """The gradient of ``loss`` at ``point`` and the slope along the direction ``angle`` (degrees).

    ``loss`` is a loss of two parameters (a direction is an angle in the plane) and ``point``
    is ``(x, y)``.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> bowl = QuadraticBowl([1.0, 5.0], rotation=math.pi / 4)
    >>> r = read_direction(bowl, (1.0, 2.0), 30.0)
    >>> r.gradient.round(12).tolist(), round(r.length, 3), round(r.steepest_angle, 2)
    ([-1.0, 4.0], 4.123, 104.04)
    >>> round(r.slope, 4), [round(a, 2) for a in r.level_set_angles]
    (1.134, [14.04, 194.04])
    """
    p = _two_parameter_loss(loss, point)
    angle = check_finite_number("angle", angle)
    raw = loss.gradient(p)
    try:
        g = _check_numbers("loss.gradient(point)", raw)
    except CourseTypeError:
        g = None
    if g is None or g.shape != (2,) or not np.all(np.isfinite(g)):
        raise CourseValueError(
            f"loss.gradient(point) must be two finite numbers (gx, gy), got {_describe(raw)}"
        )
    length = float(np.linalg.norm(g))
    u = unit_vector(angle)
    steepest = angle_of(g) if length > FLAT else None
    level = None
    if steepest is not None:
        a, b = (steepest + 90.0) % 360.0, (steepest + 270.0) % 360.0
        level = (min(a, b), max(a, b))
    off = None
    minimizer = getattr(loss, "minimizer", None)
    if steepest is not None and minimizer is not None:
        to_min = np.asarray(minimizer, dtype=float) - p
        if np.linalg.norm(to_min) > FLAT:
            off = angle_between(-g, to_min)
    return DirectionReading(
        point=p,
        gradient=g,
        length=length,
        angle=float(angle),
        direction=u,
        slope=float(g @ u),
        steepest_angle=steepest,
        level_set_angles=level,
        off_minimum=off,
    )


def measured_slope(loss: Any, point: ArrayLike, angle: float) -> float:
    """The slope along ``angle`` measured without the gradient: the derivative of
    ``t -> L(point + t u)`` at ``t = 0``, by central differences (``numerical_gradient``).
    Like :func:`read_direction`, for a loss of two parameters at a point ``(x, y)``.

    >>> from gdcourse import QuadraticBowl
    >>> bowl = QuadraticBowl([1.0, 5.0], rotation=math.pi / 4)
    >>> round(measured_slope(bowl, (1.0, 2.0), 30.0), 6)
    1.133975
    """
    p = _two_parameter_loss(loss, point)
    u = unit_vector(angle)
    return float(numerical_gradient(lambda t: loss.value(p + t * u), 0.0))


def distances_to(weights: ArrayLike, point: ArrayLike) -> np.ndarray:
    """How far each iterate of a run is from ``point``: ``|w_k - point|``, one number per row of
    ``weights`` (the absolute difference for a 1-D run, the length of ``w_k - point`` for a run of
    ``d`` parameters). An iterate that overflowed is ``inf`` or ``nan`` away.

    Parameters
    ----------
    weights : array_like of shape (k + 1,) or (k + 1, d)
        The iterates, one per row, as in ``Trajectory.weights``.
    point : float or array_like of shape (d,)
        The point to measure from, e.g. the loss's minimiser.

    Examples
    --------
    >>> distances_to([7.0, 6.2, 5.56], 3.0).round(6).tolist()
    [4.0, 3.2, 2.56]
    >>> distances_to([[3.0, 4.0], [0.0, 1.0]], [0.0, 0.0]).tolist()
    [5.0, 1.0]
    """
    return _distances(weights, point, "point")


def _distances(weights: ArrayLike, point: ArrayLike, name: str) -> np.ndarray:
    """:func:`distances_to`, with the point's argument named ``name`` in its messages."""
    w = _check_numbers("weights", weights, "a run's iterates, one per row (Trajectory.weights)")
    p = _check_numbers(name, point)
    if w.ndim not in (1, 2) or w.shape[0] == 0:
        raise CourseValueError(
            f"weights must hold one iterate per row (shape (k + 1,) or (k + 1, d)), got "
            f"{_describe(w)}"
        )
    expected = () if w.ndim == 1 else (w.shape[1],)
    if p.shape != expected or not np.all(np.isfinite(p)):
        what = "a finite number" if w.ndim == 1 else f"{w.shape[1]} finite numbers"
        raise CourseValueError(f"{name} must be {what}, like one iterate, got {_describe(point)}")
    with np.errstate(all="ignore"):  # an iterate that overflowed is infinitely far
        d = w - p
        return np.abs(d) if w.ndim == 1 else np.sqrt(np.sum(d * d, axis=1))
