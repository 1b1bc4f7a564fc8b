"""The quadratic model: one step multiplies the distance to the minimum by ``1 - lr * a``.

On ``L(w) = a/2 (w - c)^2`` every 1-D result follows from that multiplier: the five regimes,
the stable limit ``2/a``, the steps to a tolerance. On an n-D quadratic each eigen-direction of
the Hessian has its own multiplier ``1 - lr * lambda_i``: the steepest sets the limit, the ratio
of the extremes (the condition number) sets the speed. (Inside ``last_bits.other_last_bits()``
the results get their last bits jittered, as another machine's ``log`` or rounding might give
them.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_loss_shape,
    _check_numbers,
    _check_sequence,
    _describe,
    check_finite_number,
    check_loss,
    check_point,
    check_positive_number,
)
from .last_bits import jitter
from .losses import QuadraticBowl

__all__ = [
    "REGIMES",
    "REGIME_PHRASES",
    "best_fixed_lr",
    "condition_number",
    "contraction_factor",
    "error_multiplier",
    "errors_along_axes",
    "hessian_eigenvalues",
    "max_stable_lr",
    "multipliers",
    "quadratic_regime",
    "regime_bands",
    "steps_per_tenfold",
    "steps_to_tolerance",
    "zigzag_direction",
]

#: The five regimes of gradient descent on a 1-D quadratic, in order of increasing rate.
REGIMES = ("monotone", "one-step", "oscillating-converging", "bouncing", "diverging")
#: How each regime is said (after "the rate is ..."; how a run ended is its status, said with
#: ``STATUS_PHRASES``).
REGIME_PHRASES = {
    "monotone": "converging steadily, never overshooting",
    "one-step": "landing on the minimum in one step",
    "oscillating-converging": "oscillating but converging",
    "bouncing": "bouncing between two points forever",
    "diverging": "diverging",
}

# lr * a is compared with 1 and 2 to this relative tolerance: (1/a) * a is not always 1.0.
_REGIME_RTOL = 1e-9


def error_multiplier(a: float, lr: float) -> float:
    """The factor ``1 - lr * a`` by which one step multiplies the distance to the minimum.

    Examples
    --------
    >>> error_multiplier(2, 0.75)
    -0.5
    """
    a = check_positive_number("a (the curvature)", a)
    lr = check_positive_number("lr", lr)
    return jitter(1.0 - lr * a)


def quadratic_regime(a: float, lr: float) -> str:
    """Name the behaviour of gradient descent at rate ``lr`` on ``a/2 (w - c)^2``.

    Returns
    -------
    str
        ``"monotone"`` (0 < lr*a < 1), ``"one-step"`` (lr*a = 1), ``"oscillating-converging"``
        (1 < lr*a < 2), ``"bouncing"`` (lr*a = 2) or ``"diverging"`` (lr*a > 2); lr*a is
        compared with 1 and 2 to a relative tolerance of 1e-9.

    Examples
    --------
    >>> [quadratic_regime(2, lr) for lr in (0.1, 0.5, 0.75, 1.0, 2.0)]
    ['monotone', 'one-step', 'oscillating-converging', 'bouncing', 'diverging']
    """
    a = check_positive_number("a (the curvature)", a)
    lr = check_positive_number("lr", lr)
    x = lr * a
    if math.isclose(x, 1.0, rel_tol=_REGIME_RTOL):
        return "one-step"
    if math.isclose(x, 2.0, rel_tol=_REGIME_RTOL):
        return "bouncing"
    if x < 1:
        return "monotone"
    return "oscillating-converging" if x < 2 else "diverging"


def steps_to_tolerance(a: float, lr: float, e0: float, tol: float) -> float:
    """The smallest ``k`` with ``|1 - lr*a|**k * |e0| <= tol``: steps until within ``tol``.

    Returns 0 when ``|e0| <= tol`` already, and ``math.inf`` when the run never gets there
    (the bouncing and diverging regimes). A rate so small that ``1 - lr*a`` rounds to 1 still
    gets there, after about ``ln(|e0| / tol) / (lr*a)`` steps: that count is returned (a huge
    whole number, not exact to the step), or ``math.inf`` if it is past the largest float.

    Examples
    --------
    The seed's exploration: ``(w - 2)^2`` (a = 2) from 8, rate 0.1, to within 0.01 of 2:

    >>> steps_to_tolerance(a=2, lr=0.1, e0=8 - 2, tol=0.01)
    29
    >>> steps_to_tolerance(a=2, lr=1e-17, e0=6, tol=0.01)  # ln(600) / 2e-17
    319846482760807296
    """
    regime = quadratic_regime(a, lr)
    a, lr = float(a), float(lr)
    e0 = abs(check_finite_number("e0 (the start error w0 - c)", e0))
    tol = check_positive_number("tol", tol)
    if e0 <= tol:
        return 0
    if regime == "one-step":
        return 1
    if regime in ("bouncing", "diverging"):
        return math.inf
    # In logarithms, so that tol / e0 cannot underflow to 0 (tol = 5e-324).
    shrink = math.log(tol) - math.log(e0)
    m = jitter(abs(1.0 - lr * a))
    if m == 1.0:  # lr * a below the float's resolution at 1: each step shrinks by ~(1 - lr*a)
        with np.errstate(over="ignore"):
            estimate = shrink / math.log1p(-lr * a) if lr * a > 0 else math.inf
        return math.ceil(estimate) if math.isfinite(estimate) else math.inf
    k = max(1, math.ceil(shrink / math.log(m)))
    # Guard the ceiling against rounding in the logarithms: step to the exact smallest k.
    while k > 1 and m ** (k - 1) * e0 <= tol:
        k -= 1
    while m**k * e0 > tol:
        k += 1
    return k


def _curvatures(curvature: float | ArrayLike, name: str = "curvature") -> np.ndarray:
    expected = "a number > 0 or a list of eigenvalues > 0"
    lam = np.atleast_1d(_check_numbers(name, curvature, expected))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise CourseValueError(f"{name} must be {expected}, got {_describe(curvature)}")
    return lam


def max_stable_lr(curvature: float | ArrayLike) -> float:
    """The rate at which a quadratic stops converging: ``2 / a``, or ``2 / lambda_max`` in n-D.

    Below it every direction's multiplier has ``|1 - lr*lambda| < 1``; at it the stiffest
    direction bounces; above it the run diverges.

    Examples
    --------
    >>> max_stable_lr(2), max_stable_lr([1, 10])
    (1.0, 0.2)
    """
    return float(jitter(2.0 / _curvatures(curvature).max()))


def best_fixed_lr(curvature: float | ArrayLike) -> float:
    """The fixed rate that shrinks the slowest direction fastest: ``2 / (lambda_min + lambda_max)``.

    For one curvature ``a`` this is ``1/a``, the rate that lands on the minimum in one step
    (and Newton's step).

    Examples
    --------
    >>> best_fixed_lr(2), round(best_fixed_lr([1, 10]), 4)
    (0.5, 0.1818)
    """
    lam = _curvatures(curvature)
    return float(jitter(2.0 / (lam.min() + lam.max())))


def contraction_factor(curvature: float | ArrayLike, lr: float | None = None) -> float:
    """The worst per-step factor ``max_i |1 - lr*lambda_i|`` on the distance to the minimum.

    With ``lr`` omitted, the best fixed rate is used, giving ``(kappa - 1) / (kappa + 1)`` for
    condition number ``kappa``; the loss then shrinks by at least its square per step.

    Examples
    --------
    >>> round(contraction_factor([1, 10]), 4)  # (10 - 1) / (10 + 1)
    0.8182
    """
    lam = _curvatures(curvature)
    lr = best_fixed_lr(lam) if lr is None else check_positive_number("lr", lr)
    return float(jitter(np.max(np.abs(1.0 - lr * lam))))


def steps_per_tenfold(factor: float) -> float:
    """How many steps a per-step factor on the distance to the minimum takes to shrink it
    tenfold: ``log(10) / -log(|factor|)``, for ``-1 < factor < 1`` (a multiplier of
    :func:`error_multiplier` or :func:`multipliers` may be negative: the error flips sign and
    shrinks all the same). Not a whole number: the count at which the distance is exactly a
    tenth. A factor of 0 lands on the minimum in one step: 0.0 (the limit of the formula).

    Examples
    --------
    >>> round(steps_per_tenfold(contraction_factor([1, 10])), 2), steps_per_tenfold(0.0)
    (11.47, 0.0)
    >>> round(steps_per_tenfold(error_multiplier(2, 0.9)), 2)  # a multiplier of -0.8
    10.32
    """
    factor = check_finite_number("factor", factor)
    if not abs(factor) < 1:
        raise CourseValueError(
            f"factor must be between -1 and 1 (each step multiplies the distance to the minimum "
            f"by it, and only |factor| < 1 shrinks it), got {factor!r}: such a run never gets "
            f"ten times closer"
        )
    if factor == 0:
        return 0.0
    return math.log(10) / -math.log(abs(factor))


def multipliers(eigenvalues: ArrayLike, lr: float) -> np.ndarray:
    """The factor ``1 - lr * lambda_i`` by which one step multiplies the error along each
    eigen-direction of a quadratic.

    Examples
    --------
    >>> multipliers([1, 10], 0.15).round(4).tolist()
    [0.85, -0.5]
    """
    lam = _curvatures(eigenvalues)  # (named "curvature" in its message, as it always was)
    return np.asarray(jitter(1.0 - check_positive_number("lr", lr) * lam), dtype=float)


def zigzag_direction(eigenvalues: ArrayLike, lr: float) -> str:
    """Which eigen-direction of a 2-D bowl changes sign every step: ``"neither"``, ``"steep"``,
    ``"shallow"`` or ``"both"`` (a negative multiplier zig-zags; 0 lands in one step). A rate
    ``lr * lambda = 1`` to within rounding (``_REGIME_RTOL``, as for ``quadratic_regime``'s
    "one-step") lands too: ``1 - 0.05 * 20`` is 0, or -5.6e-17 where a CPU fuses the multiply
    and the add, which is noise, not a zig-zag.

    Parameters
    ----------
    eigenvalues : array_like of shape (2,)
        The bowl's two curvatures (each > 0), in any order.
    lr : float

    Examples
    --------
    >>> zigzag_direction([1, 20], 0.07), zigzag_direction([1, 20], 0.03)
    ('steep', 'neither')
    >>> zigzag_direction([1, 20], 0.05)  # 0.05 * 20 = 1: the steep direction lands in one step
    'neither'
    """
    lam = np.sort(_curvatures(eigenvalues, "eigenvalues"))
    if lam.size != 2:
        raise CourseValueError(
            f"eigenvalues must be exactly 2 numbers, the curvatures of a 2-D bowl (steep and "
            f"shallow), got {_describe(eigenvalues)}"
        )
    m = multipliers([lam[0], lam[-1]], lr)
    shallow, steep = bool(m[0] < -_REGIME_RTOL), bool(m[1] < -_REGIME_RTOL)
    return {(False, False): "neither", (False, True): "steep", (True, True): "both"}.get(
        (shallow, steep), "shallow"
    )


def regime_bands(a: float, lr_range: tuple[float, float]) -> list[tuple[str, float, float]]:
    """The rates of ``lr_range`` split by regime on ``a/2 (w - c)^2``: ``(regime, low, high)``.

    Only the three regimes that cover an interval are listed, clipped to ``lr_range`` and
    left out when they fall outside it; the boundaries ``1/a`` and ``2/a`` are single rates.

    ``lr_range`` is a pair ``(low, high)`` of rates with ``0 < low < high``.

    Examples
    --------
    >>> regime_bands(2.0, (1e-4, 10.0))
    [('monotone', 0.0001, 0.5), ('oscillating-converging', 0.5, 1.0), ('diverging', 1.0, 10.0)]
    """
    a = check_positive_number("a (the curvature)", a)
    expected = "a pair of rates (low, high) such as (1e-4, 10.0)"
    try:
        pair = _check_sequence("lr_range", lr_range, 2, expected)
    except CourseTypeError as err:  # (a number, a set, a string: a ValueError, as it was)
        raise CourseValueError(str(err)) from None
    low, high = (check_positive_number("lr_range's ends", x) for x in pair)
    if low >= high:
        raise CourseValueError(
            f"lr_range must be (low, high) with low < high, got {_describe(lr_range)}"
        )
    one, two = best_fixed_lr(a), max_stable_lr(a)
    spans = [("monotone", 0.0, one), ("oscillating-converging", one, two)]
    spans.append(("diverging", two, math.inf))
    bands = []
    for regime, lo, hi in spans:
        lo, hi = max(lo, low), min(hi, high)
        if lo < hi:
            bands.append((regime, lo, hi))
    return bands


def hessian_eigenvalues(loss: Any, w: ArrayLike | None = None) -> np.ndarray:
    """The eigenvalues of a loss's Hessian at ``w`` (default: the origin), sorted: the
    curvatures along its axes. For a quadratic they are the same everywhere. ``w`` is one point
    of the loss (a number for a 1-D loss, ``d`` numbers otherwise), finite.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> hessian_eigenvalues(QuadraticBowl([1.0, 5.0], rotation=0.7)).round(12).tolist()
    [1.0, 5.0]
    """
    check_loss(loss)
    if not callable(getattr(loss, "hessian", None)):
        raise CourseTypeError(f"{loss!r} has no hessian() method to read its curvatures from")
    shape = _check_loss_shape(loss, "w", 0.0 if w is None else w)
    w = np.zeros(shape) if w is None else check_point("w", w, shape)
    d = int(np.prod(shape or (1,)))
    with np.errstate(all="ignore"):  # a Hessian that overflows is refused below
        raw = loss.hessian(w)
    try:
        h = _check_numbers("loss.hessian(w)", raw)
    except CourseTypeError:
        h = None
    if h is None or h.size != d * d:
        raise CourseValueError(
            f"loss.hessian(w) must return a {d}x{d} matrix of numbers, got {_describe(raw)}"
        )
    h = h.reshape(d, d)
    if not np.all(np.isfinite(h)):
        raise CourseValueError(
            f"the Hessian at w is not finite ({_describe(h)}): w is too far out for this loss"
        )
    return np.linalg.eigvalsh(h)


def condition_number(loss_or_eigenvalues: Any) -> float:
    """``lambda_max / lambda_min`` of a quadratic loss's Hessian (or of a list of its
    eigenvalues): how much steeper the steepest direction is than the flattest.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> condition_number(QuadraticBowl([1.0, 20.0])), condition_number([2.0, 5.0, 10.0])
    (20.0, 5.0)
    """
    if hasattr(loss_or_eigenvalues, "eigenvalues"):
        lam = np.asarray(loss_or_eigenvalues.eigenvalues, dtype=float)
    elif callable(getattr(loss_or_eigenvalues, "gradient", None)):
        lam = hessian_eigenvalues(loss_or_eigenvalues)
    else:
        lam = _curvatures(loss_or_eigenvalues, "loss_or_eigenvalues")
    if lam.min() <= 0:
        raise CourseValueError(
            f"a condition number needs curvatures > 0 (a bowl), got {np.round(lam, 6).tolist()}"
        )
    return float(jitter(lam.max() / lam.min()))


def errors_along_axes(bowl: QuadraticBowl, weights: ArrayLike) -> np.ndarray:
    """The error ``w - center`` of each iterate along each axis of a bowl: column ``i`` is its
    component along ``bowl.rotation[:, i]``, the eigen-direction of curvature
    ``bowl.eigenvalues[i]``. One step multiplies column ``i`` by ``1 - lr * lambda_i``
    (:func:`multipliers`), each direction on its own.

    Parameters
    ----------
    bowl : QuadraticBowl
    weights : array_like of shape (d,) or (k + 1, d)
        One point, or the iterates of a run (``Trajectory.weights``).

    Examples
    --------
    >>> from gdcourse import QuadraticBowl, gradient_descent
    >>> bowl = QuadraticBowl([1.0, 4.0], rotation=math.pi / 2)
    >>> run = gradient_descent(bowl, [1.0, 2.0], lr=0.1, steps=1)
    >>> errors_along_axes(bowl, run.weights).round(12).tolist()  # multipliers 0.9 and 0.6
    [[2.0, -1.0], [1.8, -0.6]]
    """
    if not isinstance(bowl, QuadraticBowl):
        raise CourseTypeError(
            f"bowl must be a QuadraticBowl (a quadratic with axes to measure along), got {bowl!r}"
        )
    d = bowl.shape[0]
    w = _check_numbers("weights", weights, f"a point of {d} numbers or one such row per iterate")
    if w.ndim not in (1, 2) or w.shape[-1] != d:
        raise CourseValueError(
            f"weights must be a point of {d} numbers or one such row per iterate, got "
            f"{_describe(weights)}"
        )
    with np.errstate(all="ignore"):  # an iterate that overflowed has an infinite error
        return np.asarray(jitter((w - bowl.center) @ bowl.rotation), dtype=float)
