"""Saddle points and local minima: how long gradient descent takes to leave a saddle, which
critical point a run ends at, and where runs from many starts end (the basins of attraction)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .descent import MAX_STEPS, gradient_descent
from .errors import (
    _STEPS_WHY,
    CourseValueError,
    _check_loss_shape,
    _check_numbers,
    _check_total,
    _describe,
    check_count,
    check_finite_number,
    check_loss,
    check_point,
    check_positive_number,
)
from .last_bits import jitter
from .losses import SaddleWithMinima

__all__ = [
    "CRITICAL_POINT_KINDS",
    "ZERO_EIGENVALUE",
    "basin_ends",
    "classify_eigenvalues",
    "classify_hessian",
    "critical_point_near",
    "escape_step_of",
    "escape_steps_simulated",
    "saddle_escape_steps",
    "steps_near_saddle",
]


#: The kinds of critical point second derivatives tell apart, in the order of their codes 0-3.
CRITICAL_POINT_KINDS = ("minimum", "maximum", "saddle", "undecided")
#: An eigenvalue this close to 0 is taken as zero: the Hessian cannot decide.
ZERO_EIGENVALUE = 1e-12


def classify_eigenvalues(eigenvalues: ArrayLike) -> str:
    """The kind of critical point a Hessian with these eigenvalues indicates: ``"saddle"`` (both
    signs, whatever else is zero: a direction down and a direction up already prove it),
    ``"minimum"`` (all positive), ``"maximum"`` (all negative) or ``"undecided"`` (one within
    1e-12 of zero and the others of one sign: second derivatives alone cannot tell).

    Examples
    --------
    >>> classify_eigenvalues([3.0, 0.5]), classify_eigenvalues([-1.0, 4.0])
    ('minimum', 'saddle')
    >>> classify_eigenvalues([5.0, 0.0]), classify_eigenvalues([-1.0, 0.0, 2.0])
    ('undecided', 'saddle')
    """
    expected = "a non-empty list of finite numbers"
    lam = _check_numbers("eigenvalues", eigenvalues, expected)
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise CourseValueError(
            f"eigenvalues must be a non-empty list of finite numbers, got {_describe(eigenvalues)}"
        )
    if np.any(lam > ZERO_EIGENVALUE) and np.any(lam < -ZERO_EIGENVALUE):
        return "saddle"
    if np.any(np.abs(lam) <= ZERO_EIGENVALUE):
        return "undecided"
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "saddle"


def classify_hessian(h: ArrayLike) -> str:
    """The kind of critical point a symmetric Hessian ``h`` indicates, from its eigenvalues
    (see :func:`classify_eigenvalues`).

    Examples
    --------
    >>> classify_hessian([[2, 0], [0, -2]]), classify_hessian([[1, 2], [2, 1]])
    ('saddle', 'saddle')
    >>> classify_hessian([[2, 1], [1, 2]]), classify_hessian([[1, 0], [0, 0]])
    ('minimum', 'undecided')
    """
    m = _check_numbers("h", h, "a square matrix of numbers (a Hessian)")
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.size == 0:
        raise CourseValueError(
            f"h must be a square matrix of numbers (a Hessian), got {_describe(h)}"
        )
    if not np.all(np.isfinite(m)):
        raise CourseValueError(f"h must hold finite numbers, got {_describe(h)}")
    if not np.allclose(m, m.T, rtol=1e-9, atol=1e-12):
        raise CourseValueError(
            f"h must be symmetric (a Hessian is: h[i][j] == h[j][i]), got {_describe(h)}"
        )
    return classify_eigenvalues(np.linalg.eigvalsh(m))


def saddle_escape_steps(y0: float, lr: float, threshold: float = 0.5) -> float:
    """Steps for ``|y|`` to grow from ``|y0|`` to ``threshold`` near the saddle of
    ``x^2 - y^2 + ...``, where each step multiplies ``y`` by ``1 + 2 lr`` (the linearised
    dynamics): ``ln(threshold / |y0|) / ln(1 + 2 lr)``. ``math.inf`` for ``y0 = 0`` (a start on
    the ridge never leaves it), and ``0.0`` for ``|y0| >= threshold``: a start that far out has
    already escaped, and needs no steps (the formula would give a negative number). A rate so
    small that ``1 + 2 lr`` rounds to 1 gets the huge finite count ``ln(threshold / |y0|) /
    ln1p(2 lr)``, not a division by zero.

    Examples
    --------
    >>> round(saddle_escape_steps(1e-6, 0.1), 2)
    71.97
    >>> f"{saddle_escape_steps(1e-6, 1e-17):.4g}"
    '6.561e+17'
    >>> saddle_escape_steps(0.8, 0.1)  # already past the threshold 0.5
    0.0
    """
    y0 = check_finite_number("y0", y0)
    lr = check_positive_number("lr", lr)
    threshold = check_positive_number("threshold", threshold)
    if y0 == 0:
        return math.inf
    if abs(y0) >= threshold:
        return 0.0
    # The formula as written, unless a ratio over- or underflows: a tiny rate (1 + 2 lr rounds
    # to 1, the answer a huge number of steps), a huge one, a tiny |y0| or a huge threshold.
    ratio, grow = threshold / abs(y0), 1 + 2 * lr
    if math.isfinite(ratio):
        distance = math.log(ratio)
    else:
        distance = math.log(threshold) - math.log(abs(y0))
    if grow != 1.0 and math.isfinite(grow):
        per_step = math.log(grow)
    elif math.isfinite(2 * lr):
        per_step = math.log1p(2 * lr)
    else:
        per_step = math.log(2) + math.log(lr)
    return float(jitter(distance / per_step))


def escape_steps_simulated(
    y0: float,
    lr: float,
    *,
    x0: float = 1.0,
    threshold: float = 0.5,
    steps: int = 5000,
    noise: float = 0.0,
    seed: int = 0,
    loss: Any = None,
) -> int | None:
    """The first step ``k`` at which gradient descent from ``(x0, y0)`` on ``loss`` (default
    :class:`SaddleWithMinima`) has ``|y_k| >= threshold``; ``None`` if it never does within
    ``steps`` (a start exactly on the ridge ``y = 0`` never leaves it).

    Examples
    --------
    >>> escape_steps_simulated(1e-6, 0.1)
    73
    >>> escape_steps_simulated(0.0, 0.1) is None
    True
    """
    x0, y0 = check_finite_number("x0", x0), check_finite_number("y0", y0)
    threshold = check_positive_number("threshold", threshold)
    steps = check_count("steps", steps, maximum=MAX_STEPS, why=_STEPS_WHY)
    loss = SaddleWithMinima() if loss is None else loss
    check_loss(loss)
    if _check_loss_shape(loss, "(x0, y0)", [x0, y0]) != (2,):
        raise CourseValueError(
            f"loss must be a loss of two parameters (x, y), such as SaddleWithMinima(), got "
            f"{_describe(loss)}"
        )
    run = gradient_descent(loss, [x0, y0], lr=lr, steps=steps, noise=noise, seed=seed)
    return escape_step_of(run, threshold)


def escape_step_of(run: Any, threshold: float = 0.5) -> int | None:
    """The first step ``k`` of a run of two parameters (x, y) at which ``|y_k| >= threshold``,
    ``None`` if there is none: what :func:`escape_steps_simulated` reads off the run it makes
    (an explorer that holds that very run reads it off its own, instead of running it again).

    Examples
    --------
    >>> run = gradient_descent(SaddleWithMinima(), [1.0, 1e-6], lr=0.1, steps=200)
    >>> escape_step_of(run) == escape_steps_simulated(1e-6, 0.1, steps=200)
    True
    """
    out = np.flatnonzero(np.abs(run.weights[:, 1]) >= threshold)
    return int(out[0]) if out.size else None


def critical_point_near(loss: Any, w: ArrayLike, within: float = 0.01) -> str:
    """Which named critical point of ``loss`` ``w`` is within ``within`` of: ``"saddle"``,
    ``"lower minimum"``, ``"upper minimum"`` (a :class:`SaddleWithMinima`), ``"global minimum"``,
    ``"local minimum"``, ``"local maximum"`` (a ``TiltedDoubleWell``), ``"minimum"`` (any loss
    with a ``minimizer``), or ``"elsewhere"`` (also for a point that overflowed, and for a
    loss that names none of these points).

    Examples
    --------
    >>> saddle = SaddleWithMinima()
    >>> critical_point_near(saddle, [0.0, 0.999]), critical_point_near(saddle, [1.0, 1.0])
    ('upper minimum', 'elsewhere')
    >>> from gdcourse import TiltedDoubleWell
    >>> critical_point_near(TiltedDoubleWell(0.5), 0.93)
    'local minimum'
    """
    check_loss(loss)
    within = check_positive_number("within", within)
    w = check_point("w", w, _check_loss_shape(loss, "w", w), finite=False)
    names: dict[str, Any] = {}
    if getattr(loss, "saddle_point", None) is not None:
        names["saddle"] = loss.saddle_point
    points = getattr(loss, "minimizers", None)
    if points is not None:
        names["lower minimum"], names["upper minimum"] = points[0], points[1]
    elif getattr(loss, "global_minimizer", None) is not None:
        names["global minimum"] = loss.global_minimizer
        names["local minimum"] = loss.local_minimizer
        names["local maximum"] = loss.local_maximizer
    elif getattr(loss, "minimizer", None) is not None:
        names["minimum"] = loss.minimizer
    for name, point in names.items():
        if np.linalg.norm(w - np.asarray(point, dtype=float)) < within:
            return name
    return "elsewhere"


def basin_ends(loss: Any, starts: ArrayLike, lr: float, steps: int = 3000) -> np.ndarray:
    """Where gradient descent on ``loss`` at the fixed rate ``lr`` ends from each start: one run
    of at most ``steps`` updates per start, and its last point. For a small rate a run never
    jumps a hump, so the minimum each start reaches shows which basin of attraction it is in.

    Parameters
    ----------
    loss : Loss
        Any loss, e.g. :class:`~gdcourse.core.losses.TiltedDoubleWell`.
    starts : array_like
        The start points: numbers for a 1-D loss, one row per start otherwise (at least one).
    lr : float
        The rate of every run.
    steps : int
        The most updates of each run (it stops earlier once it has converged).

    Returns
    -------
    ndarray of shape (len(starts), *loss.shape)

    Examples
    --------
    >>> from gdcourse import TiltedDoubleWell
    >>> well = TiltedDoubleWell(tilt=0.5)
    >>> basin_ends(well, [-1.5, 0.1, 0.2, 1.5], lr=0.01).round(2).tolist()
    [-1.06, -1.06, 0.93, 0.93]
    """
    check_loss(loss)
    steps = check_count("steps", steps, maximum=MAX_STEPS, why=_STEPS_WHY)
    known = getattr(loss, "shape", None) is not None
    shape = _check_loss_shape(loss, "starts", 0) if known else ()
    each = f"a start of {shape[0]} numbers" if shape else "a number"
    expected = f"a list of at least one start point ({each} each)"
    points = _check_numbers("starts", starts, expected)
    fits = points.ndim >= 1 and (points.shape[1:] == shape if known else True)
    if not fits or len(points) == 0:
        raise CourseValueError(f"starts must be {expected}, got {_describe(starts)}")
    if not np.all(np.isfinite(points)):
        raise CourseValueError(f"starts must be finite, got {_describe(starts)}")
    _check_total(
        "starts x steps",
        len(points) * steps,
        MAX_STEPS,
        f"one run per start; the runs together take at most MAX_STEPS = {MAX_STEPS:,} steps, "
        f"about a minute",
    )
    return np.array([gradient_descent(loss, w0, lr=lr, steps=steps).weights[-1] for w0 in points])


def steps_near_saddle(
    weights: ArrayLike, grad_norms: ArrayLike, grad_tol: float, threshold: float = 0.5
) -> int:
    """How many iterates of a run on :class:`SaddleWithMinima` sit on the saddle's plateau: the
    gradient shorter than ``grad_tol`` while ``|y| < threshold`` (not yet gone to a minimum).

    Examples
    --------
    >>> steps_near_saddle([[1.0, 0.0], [0.0, 0.1], [0.0, 0.9]], [2.0, 0.001, 0.001], 0.01)
    1
    """
    grad_tol = check_positive_number("grad_tol", grad_tol)
    threshold = check_positive_number("threshold", threshold)
    w = _check_numbers("weights", weights, "a run's points, shape (k, 2)")
    g = _check_numbers("grad_norms", grad_norms, "a list of numbers, one length per point")
    if w.ndim != 2 or w.shape[1] != 2 or g.shape != (len(w),):
        raise CourseValueError(
            f"weights must be a run's points, shape (k, 2), and grad_norms one length per point; "
            f"got shapes {w.shape} and {g.shape}"
        )
    return int(np.sum((g < grad_tol) & (np.abs(w[:, 1]) < threshold)))
