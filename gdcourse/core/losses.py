"""Loss functions with values, analytic gradients and (where cheap) Hessians.

1-D losses take and return plain numbers and work elementwise on arrays (handy for plotting a
curve). n-D losses take a point of shape ``(d,)`` or a stack of points of shape ``(..., d)`` (handy
for contour grids) and return one value per point.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_numbers,
    _check_sequence,
    _describe,
    check_finite_number,
    check_positive_number,
)
from .last_bits import jitter, sums_reversed

__all__ = [
    "AbsoluteValue",
    "LinearRegression",
    "Loss",
    "Quadratic1D",
    "QuadraticBowl",
    "Rosenbrock",
    "SaddleWithMinima",
    "SharpFlatWells",
    "TiltedDoubleWell",
    "TwoVariableLoss",
]


def _scalar_or_array(x: np.ndarray) -> float | np.ndarray:
    """Return 0-d results as plain floats, so students see 8.0 and not array(8.)."""
    return float(x) if np.ndim(x) == 0 else x


def _flip(a: np.ndarray, reverse: bool) -> np.ndarray:
    """``a`` with its last axis reversed when ``reverse`` (see :mod:`.last_bits`)."""
    return a[..., ::-1] if reverse else a


#: The runners pass float arrays: the losses check only that (a type and a dtype lookup) before
#: taking the careful path of ``_check_numbers``, so validating costs nothing in a run's loop.
_FLOAT = np.dtype(float)


def _numbers(w: Any, name: str = "w") -> np.ndarray:
    """``w`` as a float array: numbers only (not bools, strings or None); any shape, and
    non-finite values allowed (a run that overflowed is still evaluated)."""
    if type(w) is np.ndarray and w.dtype is _FLOAT:
        return w
    return _check_numbers(name, w)


def _points(w: ArrayLike, d: int, name: str = "w") -> np.ndarray:
    """Validate a point or stack of points whose last axis has length ``d``."""
    arr = w if type(w) is np.ndarray and w.dtype is _FLOAT else _check_numbers(name, w)
    if arr.ndim == 0 or arr.shape[-1] != d:
        raise CourseValueError(
            f"{name} must have {d} entries (shape ({d},), or (..., {d}) for many points), "
            f"got shape {arr.shape}"
        )
    return arr


def _jittered(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, w: ArrayLike, *args: Any, **kwargs: Any) -> Any:
        return jitter(method(self, w, *args, **kwargs))

    return wrapper


def _sealing(cls: type, init: Callable[..., None]) -> Callable[..., None]:
    """``init``, then the loss sealed (by the outermost ``__init__``: a subclass's runs its
    base's first)."""

    @functools.wraps(init)
    def sealed_init(self: Loss, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        if type(self) is cls:  # the outermost __init__ of this loss (a subclass runs its own)
            self.__dict__["_sealed"] = True

    return sealed_init


def _check_rows(idx: Any, n: int) -> np.ndarray:
    """``idx`` as a 1-D integer array of row numbers of a data set of ``n`` rows (negative ones
    count from the end, as in numpy), or a :class:`CourseValueError` saying what is wrong."""
    try:
        rows = np.asarray(idx) if not isinstance(idx, (str, bytes)) else np.asarray(None)
    except ValueError:  # a ragged list
        rows = np.asarray(None)
    whole = rows.dtype.kind in "iu" or (
        rows.dtype.kind == "O"
        and all(isinstance(i, int) and not isinstance(i, bool) for i in rows.flat)
    )
    if rows.ndim != 1 or rows.size == 0 or not whole:
        raise CourseValueError(
            f"idx must be a non-empty 1-D array of row numbers (whole numbers), got "
            f"{_describe(idx)}"
        )
    if rows.dtype.kind == "O" or rows.min() < -n or rows.max() >= n:  # "O": past int64 too
        raise CourseValueError(f"idx must hold row numbers from 0 to {n - 1}, got {_describe(idx)}")
    return rows


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """C-contiguous read-only copies of ``arrays``."""
    out = []
    for a in arrays:
        c = np.array(a, dtype=float, order="C")
        c.flags.writeable = False
        out.append(c)
    return tuple(out)


class Loss:
    """Base class of the course's losses.

    Subclasses set ``shape`` (``()`` for a loss of one number, ``(d,)`` for ``d`` parameters)
    and implement ``value`` and ``gradient``; ``hessian`` where it is cheap. Calling the loss
    object is the same as calling ``value``.
    """

    shape: tuple[int, ...] = ()
    #: A plain-text formula, used in plot titles and readouts.
    formula: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every loss, the lessons' own included, gets its results' last bits jittered inside
        # last_bits.other_last_bits() (a diagnostic; outside it, one context lookup per call).
        super().__init_subclass__(**kwargs)
        for name in ("value", "gradient", "hessian"):
            if name in cls.__dict__:
                setattr(cls, name, _jittered(cls.__dict__[name]))
        if cls.__module__.startswith("gdcourse."):  # the course's losses; a student's stay open
            cls.__init__ = _sealing(cls, cls.__init__)

    def __setattr__(self, name: str, value: Any) -> None:
        # A loss is a fixed problem once made: `ex.LOSS.a = 5` in a notebook would change what
        # every later check compares with.
        if self.__dict__.get("_sealed"):
            raise CourseValueError(
                f"a {type(self).__name__} is fixed once made, so its {name} cannot be changed; "
                f"make a new one instead, e.g. {type(self).__name__}(...)"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__dict__.get("_sealed"):
            raise CourseValueError(
                f"a {type(self).__name__} is fixed once made, so its {name} cannot be removed"
            )
        object.__delattr__(self, name)

    def value(self, w: ArrayLike) -> float | np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def gradient(self, w: ArrayLike) -> float | np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def __call__(self, w: ArrayLike) -> float | np.ndarray:
        return self.value(w)


class Quadratic1D(Loss):
    """The 1-D quadratic ``L(w) = a/2 (w - c)^2``: curvature ``a``, minimum at ``w = c``.

    The seed example ``(w - 3)^2`` is ``Quadratic1D(a=2, c=3)``: its second derivative is 2.

    Parameters
    ----------
    a : float
        The curvature (second derivative), a finite number > 0.
    c : float
        Where the minimum is.

    Examples
    --------
    >>> loss = Quadratic1D(a=2, c=3)
    >>> loss.value(7), loss.gradient(7)
    (16.0, 8.0)
    """

    shape = ()

    def __init__(self, a: float = 2.0, c: float = 0.0) -> None:
        self.a = check_positive_number("a (the curvature)", a)
        self.c = check_finite_number("c (the minimiser)", c)
        half = self.a / 2
        if half == 1:
            self.formula = f"(w - {self.c:g})^2" if self.c else "w^2"
        else:
            self.formula = f"{half:g} (w - {self.c:g})^2"

    def __repr__(self) -> str:
        return f"Quadratic1D(a={self.a:g}, c={self.c:g})"

    @property
    def minimizer(self) -> float:
        """Where the loss is smallest (``c``)."""
        return self.c

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array(0.5 * self.a * (w - self.c) ** 2)

    def gradient(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array(self.a * (w - self.c))

    def hessian(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array(np.full(w.shape, self.a))


class AbsoluteValue(Loss):
    """``L(w) = |w|``: smooth everywhere but at its minimum, where its slope jumps from -1 to 1.

    Its gradient is ``sign(w)`` (0 at the kink), of size 1 however close ``w`` is to 0, so
    gradient descent at a fixed rate cannot settle: it ends bouncing around 0.

    Examples
    --------
    >>> loss = AbsoluteValue()
    >>> loss.value(-2.5), loss.gradient(-2.5), loss.gradient(0.0)
    (2.5, -1.0, 0.0)
    """

    shape = ()
    formula = "|w|"
    minimizer = 0.0

    def __repr__(self) -> str:
        return "AbsoluteValue()"

    def value(self, w: ArrayLike) -> float | np.ndarray:
        return _scalar_or_array(np.abs(_numbers(w)))

    def gradient(self, w: ArrayLike) -> float | np.ndarray:
        return _scalar_or_array(np.sign(_numbers(w)))


class TiltedDoubleWell(Loss):
    """A 1-D non-convex loss with a worse local minimum: ``L(w) = (w^2 - 1)^2 + tilt * w``.

    With ``tilt > 0`` the global minimum is near ``w = -1`` and a local one near ``w = +1``,
    separated by a local maximum near 0. The exact points are the roots of
    ``4 w^3 - 4 w + tilt``.

    Parameters
    ----------
    tilt : float
        Non-zero, with ``|tilt| < 8 / (3 sqrt 3) ~ 1.54`` so that both minima exist.
    """

    shape = ()
    _MAX_TILT = 8 / (3 * math.sqrt(3))

    def __init__(self, tilt: float = 0.5) -> None:
        tilt = check_finite_number("tilt", tilt)
        if tilt == 0 or abs(tilt) >= self._MAX_TILT:
            raise CourseValueError(
                f"tilt must be non-zero with |tilt| < {self._MAX_TILT:.4f} (so that there are "
                f"two minima), got {tilt!r}"
            )
        self.tilt = tilt
        self.formula = f"(w^2 - 1)^2 + {tilt:g} w"
        roots = np.sort(jitter(np.roots([4.0, 0.0, -4.0, tilt]).real))
        low, self.local_maximizer, high = (float(r) for r in roots)
        lower_first = self.value(low) < self.value(high)
        self.global_minimizer = low if lower_first else high
        self.local_minimizer = high if lower_first else low

    def __repr__(self) -> str:
        return f"TiltedDoubleWell(tilt={self.tilt:g})"

    @property
    def minimizer(self) -> float:
        """The global minimiser."""
        return self.global_minimizer

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array((w**2 - 1) ** 2 + self.tilt * w)

    def gradient(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array(4 * w * (w**2 - 1) + self.tilt)

    def hessian(self, w: ArrayLike) -> float | np.ndarray:
        w = _numbers(w)
        return _scalar_or_array(12 * w**2 - 4)


class QuadraticBowl(Loss):
    """The n-D quadratic bowl ``L(w) = 1/2 (w - center)^T A (w - center)``.

    ``A = R diag(eigenvalues) R^T``, with ``R`` the rotation.

    The eigenvalues are the curvatures along the bowl's axes; their ratio max/min is the
    condition number. ``rotation`` turns the axes away from the coordinate axes.

    Parameters
    ----------
    eigenvalues : array_like of shape (d,)
        Curvatures, each a finite number > 0; ``d >= 2``.
    rotation : float or array_like of shape (d, d), optional
        An angle in radians (2-D only) or an orthogonal matrix whose columns are the axes.
        Default: the coordinate axes.
    center : array_like of shape (d,), optional
        The minimiser. Default: the origin.

    Examples
    --------
    >>> bowl = QuadraticBowl([1.0, 10.0])
    >>> bowl.condition_number
    10.0
    >>> bowl.gradient([1.0, 1.0]).tolist()
    [1.0, 10.0]
    """

    def __init__(
        self,
        eigenvalues: ArrayLike,
        rotation: float | ArrayLike | None = None,
        center: ArrayLike | None = None,
    ) -> None:
        lam = _check_numbers("eigenvalues", eigenvalues, "a list of at least 2 numbers")
        if lam.ndim != 1 or lam.size < 2:
            raise CourseValueError(
                f"eigenvalues must be a list of at least 2 numbers, got shape {lam.shape}"
            )
        if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
            raise CourseValueError(
                f"eigenvalues must all be finite numbers > 0 (a bowl curves up in every "
                f"direction), got {lam.tolist()}"
            )
        d = lam.size
        self.shape = (d,)
        self.eigenvalues = lam
        if rotation is None:
            rot = np.eye(d)
        elif not isinstance(rotation, (list, tuple, np.ndarray)) or (
            isinstance(rotation, np.ndarray) and rotation.ndim == 0
        ):
            if d != 2:
                raise CourseValueError(
                    f"an angle rotation only works in 2-D; for {d}-D pass an orthogonal matrix"
                )
            t = check_finite_number("rotation (an angle in radians)", rotation)
            rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
        else:
            rot = _check_numbers("rotation", rotation, f"an angle or an orthogonal {d}x{d} matrix")
            if rot.shape != (d, d) or not np.allclose(rot.T @ rot, np.eye(d), atol=1e-9):
                raise CourseValueError(
                    f"rotation must be an orthogonal {d}x{d} matrix (R^T R = I), got shape "
                    f"{rot.shape}"
                )
        self.rotation = rot
        rev = sums_reversed()
        m = jitter((_flip(rot, rev) * _flip(lam, rev)) @ _flip(rot, rev).T)
        self.matrix = (m + m.T) / 2 if rev else m  # a jittered matrix is made symmetric again
        self.center = np.zeros(d) if center is None else _points(center, d, "center").copy()
        if self.center.shape != (d,) or not np.all(np.isfinite(self.center)):
            raise CourseValueError(f"center must be {d} finite numbers, got {center!r}")
        curvatures = ", ".join(f"{v:g}" for v in lam)
        self.formula = f"1/2 (w - c)^T A (w - c), curvatures {curvatures}"
        # A loss is a fixed problem: nothing a student's code does to its arrays may change it.
        self.eigenvalues, self.rotation, self.matrix, self.center = _read_only(
            self.eigenvalues, self.rotation, self.matrix, self.center
        )

    @classmethod
    def with_condition_number(
        cls, kappa: float, *, smallest: float = 1.0, angle: float = 0.0
    ) -> QuadraticBowl:
        """A 2-D bowl with eigenvalues ``smallest`` and ``kappa * smallest``, turned by ``angle``.

        ``angle`` is in radians.
        """
        kappa = check_positive_number("kappa (the condition number)", kappa)
        if kappa < 1:
            raise CourseValueError(f"kappa (the condition number) must be >= 1, got {kappa!r}")
        smallest = check_positive_number("smallest (eigenvalue)", smallest)
        return cls([smallest, kappa * smallest], rotation=angle)

    def __repr__(self) -> str:
        return f"QuadraticBowl(eigenvalues={self.eigenvalues.tolist()})"

    @property
    def condition_number(self) -> float:
        """Largest over smallest eigenvalue."""
        return float(self.eigenvalues.max() / self.eigenvalues.min())

    @property
    def minimizer(self) -> np.ndarray:
        return self.center.copy()

    def value(self, w: ArrayLike) -> float | np.ndarray:
        rev = sums_reversed()
        e = _flip(_points(w, self.shape[0]) - self.center, rev)
        m = self.matrix[::-1, ::-1] if rev else self.matrix
        return _scalar_or_array(0.5 * np.einsum("...i,ij,...j->...", e, m, e))

    def gradient(self, w: ArrayLike) -> np.ndarray:
        rev = sums_reversed()
        m = self.matrix[::-1, ::-1] if rev else self.matrix
        return _flip(_flip(_points(w, self.shape[0]) - self.center, rev) @ m, rev)

    def hessian(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, self.shape[0])
        return np.broadcast_to(self.matrix, (*w.shape, w.shape[-1])).copy()


class SaddleWithMinima(Loss):
    """``L(x, y) = x^2 - y^2 + y^4 / 2``: a strict saddle at the origin, minima at ``(0, +-1)``.

    Plain ``x^2 - y^2`` has a saddle too, but is unbounded below, so gradient descent that
    escapes it runs off forever; the quartic term gives it somewhere to go. The minima have
    loss ``-1/2``.

    Examples
    --------
    >>> s = SaddleWithMinima()
    >>> s.value([0.0, 1.0]), s.gradient([0.0, 1.0]).tolist()
    (-0.5, [0.0, 0.0])
    """

    shape = (2,)
    formula = "x^2 - y^2 + y^4/2"
    saddle_point = np.array([0.0, 0.0])
    minimizers = np.array([[0.0, -1.0], [0.0, 1.0]])
    saddle_point.setflags(write=False)  # shared by every instance: nobody may change them
    minimizers.setflags(write=False)
    minimum_value = -0.5

    def __repr__(self) -> str:
        return "SaddleWithMinima()"

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w = _points(w, 2)
        x, y = w[..., 0], w[..., 1]
        return _scalar_or_array(x**2 - y**2 + 0.5 * y**4)

    def gradient(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, 2)
        x, y = w[..., 0], w[..., 1]
        return np.stack([2 * x, -2 * y + 2 * y**3], axis=-1)

    def hessian(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, 2)
        y = w[..., 1]
        h = np.zeros((*w.shape, 2))
        h[..., 0, 0] = 2.0
        h[..., 1, 1] = -2.0 + 6.0 * y**2
        return h


def _well(name: str, pair: Any) -> tuple[float, float]:
    pair = _check_sequence(name, pair, 2, "a pair (centre, width), like (-1.0, 0.1)")
    return (
        check_finite_number(f"{name}'s centre", pair[0]),
        check_positive_number(f"{name}'s width", pair[1]),
    )


class SharpFlatWells(Loss):
    """``confine w^2 - exp(-(w - c1)^2 / (2 s1^2)) - exp(-(w - c2)^2 / (2 s2^2))``: two Gaussian
    wells of nearly equal depth, a sharp one (default at -1, width 0.1, curvature about 100) and
    a flat one (at 1.5, width 0.7, curvature about 2); the small quadratic keeps noisy runs from
    wandering off. Works elementwise on arrays.

    Parameters
    ----------
    sharp, flat : (float, float)
        Each well's centre and width (a width > 0).
    confine : float
        The coefficient of ``w^2`` (>= 0).

    Examples
    --------
    >>> wells = SharpFlatWells()
    >>> sharp, barrier, flat = wells.minima()
    >>> round(sharp, 2), round(flat, 1), round(wells.curvature(sharp))
    (-1.0, 1.5, 100)
    """

    shape = ()
    formula = "0.02 w^2 - exp(-(w+1)^2/0.02) - exp(-(w-1.5)^2/0.98)"

    def __init__(
        self,
        sharp: tuple[float, float] = (-1.0, 0.1),
        flat: tuple[float, float] = (1.5, 0.7),
        confine: float = 0.02,
    ) -> None:
        self.sharp = _well("sharp", sharp)
        self.flat = _well("flat", flat)
        if self.sharp[0] >= self.flat[0]:
            raise CourseValueError(
                f"the sharp well must be left of the flat one, got centres {self.sharp[0]:g} "
                f"and {self.flat[0]:g}"
            )
        self.confine = check_positive_number("confine", confine, allow_zero=True)

    def __repr__(self) -> str:
        return f"SharpFlatWells(sharp={self.sharp}, flat={self.flat}, confine={self.confine:g})"

    def _wells(self, w: ArrayLike) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        w = _numbers(w)
        out = []
        for c, s in (self.sharp, self.flat):
            e = np.exp(-((w - c) ** 2) / (2 * s**2))
            out.append((e, -(w - c) / s**2 * e))
        return w, out

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w, wells = self._wells(w)
        return _scalar_or_array(self.confine * w**2 - wells[0][0] - wells[1][0])

    def gradient(self, w: ArrayLike) -> float | np.ndarray:
        w, wells = self._wells(w)
        return _scalar_or_array(2 * self.confine * w - wells[0][1] - wells[1][1])

    def minima(self) -> tuple[float, float, float]:
        """(sharp minimum, the barrier between the basins, flat minimum), found on a grid of
        600,001 points spanning both wells."""
        xs = np.linspace(self.sharp[0] - 1.5, self.flat[0] + 2.0, 600_001)
        v = np.asarray(self.value(xs))
        middle = (self.sharp[0] + self.flat[0]) / 2
        left, right = xs < middle - 0.25, xs > middle + 0.25
        sharp = xs[left][np.argmin(v[left])]
        flat = xs[right][np.argmin(v[right])]
        between = (xs > sharp) & (xs < flat)
        barrier = xs[between][np.argmax(v[between])]
        return float(sharp), float(barrier), float(flat)

    def hessian(self, w: ArrayLike) -> float | np.ndarray:
        """The second derivative, exactly: ``2 confine + sum of e / s^2 (1 - (w - c)^2 / s^2)``
        over the wells, ``e`` each well's exponential."""
        w, wells = self._wells(w)
        out = 2 * self.confine
        for (c, s), (e, _) in zip((self.sharp, self.flat), wells, strict=True):
            out = out + e / s**2 * (1 - (w - c) ** 2 / s**2)
        return _scalar_or_array(np.asarray(out, dtype=float) + 0 * w)

    def curvature(self, w: ArrayLike) -> float | np.ndarray:
        """The second derivative at ``w`` (the same as :meth:`hessian`)."""
        return self.hessian(w)


class TwoVariableLoss(Loss):
    """A loss of two parameters given by formulas ``value(x, y)`` and ``gradient(x, y)``.

    Works on one point ``(x, y)`` or a stack of points of shape ``(..., 2)``, like the core's
    2-D losses, so it can be plotted, descended and checked with ``check_gradient``.

    Examples
    --------
    >>> L = TwoVariableLoss("x^2 y", lambda x, y: x**2 * y, lambda x, y: (2 * x * y, x**2))
    >>> L.value([2.0, -1.0]), L.gradient([2.0, -1.0]).tolist()
    (-4.0, [-4.0, 4.0])
    """

    shape = (2,)

    def __init__(
        self,
        formula: str,
        value: Callable[[Any, Any], Any],
        gradient: Callable[[Any, Any], tuple[Any, Any]],
    ) -> None:
        if not (callable(value) and callable(gradient)):
            raise CourseTypeError(
                "value and gradient must be functions of (x, y), e.g. lambda x, y: x**2 * y"
            )
        self.formula = str(formula)
        self._value = value
        self._gradient = gradient

    def __repr__(self) -> str:
        return f"TwoVariableLoss({self.formula!r})"

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w = _points(w, 2)
        raw = self._value(w[..., 0], w[..., 1])
        try:
            out = np.asarray(raw, dtype=float)
        except (TypeError, ValueError):
            out = None
        if out is None or (out.ndim and out.shape != w.shape[:-1]):
            raise CourseTypeError(
                f"the value function of {self!r} must return one number per point (x, y), "
                f"got {_describe(raw)}"
            )
        return _scalar_or_array(out)

    def gradient(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, 2)
        parts = self._gradient(w[..., 0], w[..., 1])
        try:
            gx, gy = parts
            return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(float)
        except (TypeError, ValueError):
            raise CourseTypeError(
                f"the gradient function of {self!r} must return two numbers (df/dx, df/dy) for "
                f"each point, got {_describe(parts)}"
            ) from None


class Rosenbrock(Loss):
    """The Rosenbrock valley ``L(x, y) = (a - x)^2 + b (y - x^2)^2``, minimum 0 at ``(a, a^2)``.

    A curved, narrow valley: the classic test of how a method copes with bad conditioning
    that changes from place to place.
    """

    shape = (2,)

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = check_finite_number("a", a)
        self.b = check_positive_number("b", b)
        self.formula = f"({self.a:g} - x)^2 + {self.b:g} (y - x^2)^2"

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a:g}, b={self.b:g})"

    @property
    def minimizer(self) -> np.ndarray:
        return np.array([self.a, self.a**2])

    def value(self, w: ArrayLike) -> float | np.ndarray:
        w = _points(w, 2)
        x, y = w[..., 0], w[..., 1]
        return _scalar_or_array((self.a - x) ** 2 + self.b * (y - x**2) ** 2)

    def gradient(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, 2)
        x, y = w[..., 0], w[..., 1]
        inner = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * inner, 2 * self.b * inner], axis=-1)

    def hessian(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, 2)
        x, y = w[..., 0], w[..., 1]
        h = np.empty((*w.shape, 2))
        h[..., 0, 0] = 2 - 4 * self.b * (y - x**2) + 8 * self.b * x**2
        h[..., 0, 1] = h[..., 1, 0] = -4 * self.b * x
        h[..., 1, 1] = 2 * self.b
        return h


class LinearRegression(Loss):
    """The mean squared error of a linear model on a data set: ``L(w) = mean((X w - y)^2)``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        The inputs, one row per example.
    y : array_like of shape (n_samples,)
        The targets.

    reduction : {"mean", "sum"}, default "mean"
        ``"sum"`` is ``L(w) = sum((X w - y)^2)``: N times the mean, and so is its gradient, its
        Hessian and a mini-batch's gradient (B times the batch mean), which divides by N (by B)
        the rates that work. The course's losses are means; the sum is there to show that slip.

    Notes
    -----
    The full-batch gradient is ``2/N X^T (X w - y)``; the mini-batch gradient on the rows
    ``idx`` is the same formula on those rows only, an unbiased estimate of the full one.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, reduction: str = "mean") -> None:
        if not isinstance(reduction, str) or reduction not in ("mean", "sum"):
            raise CourseValueError(
                f"reduction must be 'mean' or 'sum' (how the squared errors are combined), "
                f"got {reduction!r}"
            )
        X = _check_numbers("X", X, "a 2-D array of numbers (one row per example)")
        y = _check_numbers("y", y, "an array of numbers (one target per row of X)")
        if X.ndim != 2:
            raise CourseValueError(
                f"X must be a 2-D array (one row per example), got shape {X.shape}"
            )
        if y.shape != (X.shape[0],):
            raise CourseValueError(
                f"y must have one target per row of X, i.e. shape ({X.shape[0]},); "
                f"got shape {y.shape}"
            )
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise CourseValueError(f"X needs at least one row and one column, got {X.shape}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise CourseValueError("X and y must contain only finite numbers (no NaN or inf)")
        # C-contiguous copies keep row gathers and matrix products fast; read-only ones keep a
        # student's in-place change of their X (or of loss.X) from changing the problem.
        self.X, self.y = _read_only(X, y)
        self.shape = (X.shape[1],)
        self.reduction = reduction
        self.formula = f"{reduction}((X w - y)^2)"

    def __repr__(self) -> str:
        tail = ", reduction='sum'" if self.reduction == "sum" else ""
        return f"LinearRegression(n_samples={self.n_samples}, n_features={self.n_features}{tail})"

    def _factor(self, n: int) -> float:
        """What the sum of the squared errors' gradients is multiplied by: 2/n for a mean."""
        return 2.0 / n if self.reduction == "mean" else 2.0

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def minimizer(self) -> np.ndarray:
        """The least-squares solution (the minimum of the full loss)."""
        X, y, rev = self._data()
        return jitter(_flip(np.linalg.lstsq(X, y, rcond=None)[0], rev))

    def _data(self) -> tuple[np.ndarray, np.ndarray, bool]:
        """X and y, with rows and features reversed inside ``other_last_bits()``."""
        if sums_reversed():
            return self.X[::-1, ::-1], self.y[::-1], True
        return self.X, self.y, False

    def value(self, w: ArrayLike) -> float | np.ndarray:
        X, y, rev = self._data()
        r = _flip(_points(w, self.n_features), rev) @ X.T - y
        combine = np.mean if self.reduction == "mean" else np.sum
        return _scalar_or_array(combine(r**2, axis=-1))

    def gradient(self, w: ArrayLike) -> np.ndarray:
        X, y, rev = self._data()
        r = _flip(_points(w, self.n_features), rev) @ X.T - y
        return _flip(self._factor(self.n_samples) * (r @ X), rev)

    def hessian(self, w: ArrayLike) -> np.ndarray:
        w = _points(w, self.n_features)
        X, _, rev = self._data()
        h = self._factor(self.n_samples) * (X.T @ X)
        h = h[::-1, ::-1] if rev else h
        return np.broadcast_to(h, (*w.shape, w.shape[-1])).copy()

    def minibatch_gradient(self, w: ArrayLike, idx: ArrayLike) -> np.ndarray:
        """The gradient of the loss on the rows ``idx`` only (their mean or sum, like the loss)."""
        idx = _check_rows(idx, self.n_samples)
        rev = sums_reversed()
        idx = idx[::-1] if rev else idx
        Xb = _flip(self.X[idx], rev)
        r = Xb @ _flip(_points(w, self.n_features), rev) - self.y[idx]
        return jitter(_flip(self._factor(idx.size) * (r @ Xb), rev))

    def minibatch_value_and_gradient(self, w: ArrayLike, idx: ArrayLike) -> tuple[float, Any]:
        """The loss on the rows ``idx`` only (their mean or sum, like the loss) and its
        gradient, from one residual."""
        idx = _check_rows(idx, self.n_samples)
        rev = sums_reversed()
        idx = idx[::-1] if rev else idx
        Xb = _flip(self.X[idx], rev)
        r = Xb @ _flip(_points(w, self.n_features), rev) - self.y[idx]
        value = float(r @ r) * (1.0 / idx.size if self.reduction == "mean" else 1.0)
        return jitter(value), jitter(_flip(self._factor(idx.size) * (r @ Xb), rev))

    def per_example_gradients(self, w: ArrayLike) -> np.ndarray:
        """Per-example gradients, shape ``(n_samples, n_features)``; their mean (their sum, for
        ``reduction="sum"``) is the gradient."""
        w = _points(w, self.n_features)
        if w.ndim != 1:
            raise CourseValueError(f"w must be one point of shape ({self.n_features},)")
        rev = sums_reversed()
        r = _flip(self.X, rev) @ _flip(w, rev) - self.y
        return jitter(2.0 * r[:, None] * self.X)
