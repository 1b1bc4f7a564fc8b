"""Closed-form results the lessons teach, so notebooks and tests can compare runs with theory.

On ``L(w) = a/2 (w - c)^2`` one step multiplies the error ``e = w - c`` by ``1 - lr * a``; every
1-D result here follows from that. For an n-D quadratic each eigen-direction has its own
multiplier ``1 - lr * lambda_i``. (Inside ``last_bits.other_last_bits()`` the results get their
last bits jittered, as another machine's ``log`` or rounding might give them.)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .errors import CourseValueError, check_count, check_finite_number, check_positive_number
from .last_bits import jitter

__all__ = [
    "REGIMES",
    "best_fixed_lr",
    "contraction_factor",
    "error_multiplier",
    "max_stable_lr",
    "minibatch_gradient_variance",
    "noise_floor",
    "quadratic_regime",
    "saddle_escape_steps",
    "steps_to_tolerance",
    "updates_per_epoch",
]

#: The five regimes of gradient descent on a 1-D quadratic, in order of increasing rate.
REGIMES = ("monotone", "one-step", "oscillating-converging", "bouncing", "diverging")

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
    (the bouncing and diverging regimes).

    Examples
    --------
    The seed's exploration: ``(w - 2)^2`` (a = 2) from 8, rate 0.1, to within 0.01 of 2:

    >>> steps_to_tolerance(a=2, lr=0.1, e0=8 - 2, tol=0.01)
    29
    """
    regime = quadratic_regime(a, lr)
    e0 = abs(check_finite_number("e0 (the start error w0 - c)", e0))
    tol = check_positive_number("tol", tol)
    if e0 <= tol:
        return 0
    if regime == "one-step":
        return 1
    if regime in ("bouncing", "diverging"):
        return math.inf
    m = jitter(abs(1.0 - lr * a))
    k = max(1, math.ceil(math.log(tol / e0) / math.log(m)))
    # Guard the ceiling against rounding in the logarithms: step to the exact smallest k.
    while k > 1 and m ** (k - 1) * e0 <= tol:
        k -= 1
    while m**k * e0 > tol:
        k += 1
    return k


def _curvatures(curvature: float | ArrayLike) -> np.ndarray:
    lam = np.atleast_1d(np.asarray(curvature, dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise CourseValueError(
            f"curvature must be a number > 0 or a list of eigenvalues > 0, got {curvature!r}"
        )
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


def minibatch_gradient_variance(loss, w: ArrayLike, batch_size: int) -> float:
    """The expected squared error of a mini-batch gradient: ``sigma^2 / B * (N - B) / (N - 1)``.

    ``sigma^2`` is the mean squared distance of the per-example gradients from their mean, and
    ``(N - B) / (N - 1)`` the correction for sampling without replacement (0 at ``B = N``).

    Parameters
    ----------
    loss : LinearRegression
    w : array_like of shape (d,)
    batch_size : int
        From 1 to N.
    """
    per_example = loss.per_example_gradients(w)
    n = per_example.shape[0]
    b = check_count("batch_size", batch_size, minimum=1)
    if b > n:
        raise CourseValueError(f"batch_size must be between 1 and N={n}, got {b}")
    if n == 1:
        return 0.0
    sigma2 = float(np.mean(np.sum((per_example - per_example.mean(axis=0)) ** 2, axis=1)))
    return float(jitter(sigma2 / b * (n - b) / (n - 1)))


def noise_floor(a: float, lr: float, noise: float) -> float:
    """The mean loss a noisy run settles at on ``a/2 (w - c)^2``: ``lr noise^2 / (2 (2 - lr a))``.

    With gradient noise of standard deviation ``noise`` (``gradient_descent(..., noise=...)``),
    the error follows ``e <- (1 - lr a) e - lr noise xi``; its stationary variance is
    ``lr noise^2 / (a (2 - lr a))``, and the loss is ``a/2`` times that. It grows with the rate
    (about proportionally for small rates), which is why lowering the rate lets a noisy run settle
    deeper. ``math.inf`` at and above the stable limit ``lr = 2/a``.

    Examples
    --------
    >>> round(noise_floor(a=2, lr=0.1, noise=1.0), 4)
    0.0278
    """
    a = check_positive_number("a (the curvature)", a)
    lr = check_positive_number("lr", lr)
    noise = check_positive_number("noise", noise, allow_zero=True)
    if lr * a >= 2:
        return math.inf
    return float(jitter(lr * noise**2 / (2 * (2 - lr * a))))


def updates_per_epoch(n: int, batch_size: int) -> int:
    """Updates in one epoch of mini-batches: ``ceil(n / batch_size)`` (the last, smaller batch
    is an update too).

    Examples
    --------
    >>> updates_per_epoch(1000, 32), updates_per_epoch(1024, 32), updates_per_epoch(10, 10)
    (32, 32, 1)
    """
    n = check_count("n (the number of examples)", n, minimum=1)
    batch_size = check_count("batch_size", batch_size, minimum=1)
    return -(-n // batch_size)


def saddle_escape_steps(y0: float, lr: float, threshold: float = 0.5) -> float:
    """Steps for ``|y|`` to grow from ``|y0|`` to ``threshold`` near the saddle of
    ``x^2 - y^2 + ...``, where each step multiplies ``y`` by ``1 + 2 lr`` (the linearised
    dynamics): ``ln(threshold / |y0|) / ln(1 + 2 lr)``. ``math.inf`` for ``y0 = 0`` (a start on
    the ridge never leaves it).

    Examples
    --------
    >>> round(saddle_escape_steps(1e-6, 0.1), 2)
    71.97
    """
    y0 = check_finite_number("y0", y0)
    lr = check_positive_number("lr", lr)
    threshold = check_positive_number("threshold", threshold)
    if y0 == 0:
        return math.inf
    return float(jitter(math.log(threshold / abs(y0)) / math.log(1 + 2 * lr)))
