"""Momentum on a quadratic: each eigen-direction is a 2x2 linear system.

Along an eigen-direction of curvature ``lambda``, with ``h = lr * lambda``, heavy ball
(``v <- mu v - lr g``, ``w <- w + v``) moves the error ``e`` and the velocity ``v`` by

    [e', v'] = [[1 - h, mu], [-h, mu]] [e, v],

and Nesterov (the gradient read at the look-ahead point ``y = w + mu v``, whose error the run
records) by ``[y', v'] = [[1 - (1 + mu) h, mu^2], [-h, mu]] [y, v]``. A run converges along that
direction exactly when the matrix's spectral radius (its largest eigenvalue in size) is below 1:
for heavy ball when ``0 < h < 2 (1 + mu)``, for Nesterov when ``0 < h < 2 (1 + mu) / (1 + 2 mu)``
(0 <= mu < 1). The radius is the per-step factor on the error in the long run; at the best
tuning for curvatures in ``[m, L]`` it is ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``, against
``(kappa - 1) / (kappa + 1)`` for the best rate without momentum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import CourseValueError, _check_numbers, check_positive_number
from .last_bits import jitter
from .quadratic import _curvatures

__all__ = [
    "METHODS",
    "STABILITY_PHRASES",
    "STABILITY_REGIMES",
    "MomentumStability",
    "MomentumTuning",
    "best_momentum",
    "heavy_ball_limit",
    "momentum_matrix",
    "momentum_radius",
    "momentum_stability",
    "nesterov_limit",
    "stability_limits",
]

#: The two momentum methods, as :func:`momentum_matrix` names them.
METHODS = ("heavy_ball", "nesterov")


def _mu(mu: float) -> float:
    mu = check_positive_number("mu", mu, allow_zero=True)
    if mu >= 1:
        raise CourseValueError(f"mu must be at least 0 and below 1 (e.g. 0.9), got {mu!r}")
    return mu


def _method(method: str) -> str:
    if method not in METHODS:
        raise CourseValueError(f"method must be 'heavy_ball' or 'nesterov', got {method!r}")
    return method


def heavy_ball_limit(mu: float) -> float:
    """The largest ``lr * lambda`` at which heavy ball converges: ``2 (1 + mu)``.

    Momentum widens the range of stable rates: at ``mu = 0.9`` it is 3.8, almost twice plain
    descent's 2.

    Examples
    --------
    >>> heavy_ball_limit(0.0), heavy_ball_limit(0.5), round(heavy_ball_limit(0.9), 10)
    (2.0, 3.0, 3.8)
    """
    return float(jitter(2.0 * (1.0 + _mu(mu))))


def nesterov_limit(mu: float) -> float:
    """The largest ``lr * lambda`` at which Nesterov's momentum converges:
    ``2 (1 + mu) / (1 + 2 mu)``. It shrinks as ``mu`` grows (towards 4/3), where heavy ball's
    widens.

    Examples
    --------
    >>> nesterov_limit(0.0), nesterov_limit(0.5), round(nesterov_limit(0.9), 4)
    (2.0, 1.5, 1.3571)
    """
    mu = _mu(mu)
    return float(jitter(2.0 * (1.0 + mu) / (1.0 + 2.0 * mu)))


def stability_limits(mu: ArrayLike, method: str = "heavy_ball") -> np.ndarray:
    """The stability limit at each momentum in ``mu``, to draw the stable region's boundary:
    the ``lr * lambda`` past which the run diverges (:func:`heavy_ball_limit` or
    :func:`nesterov_limit`, elementwise).

    Parameters
    ----------
    mu : float or array of floats
        Momentum values, each at least 0 and below 1.
    method : str
        ``"heavy_ball"`` or ``"nesterov"``.

    Returns
    -------
    numpy.ndarray
        One limit per momentum, of the shape of ``mu`` (a 1-element array for a number).

    Examples
    --------
    >>> stability_limits([0.0, 0.5]).tolist(), stability_limits([0.0, 0.5], "nesterov").tolist()
    ([2.0, 3.0], [2.0, 1.5])
    """
    method = _method(method)
    values = _check_numbers("mu", mu, "a number or an array of numbers from 0 up to (not) 1")
    shape = np.shape(values)
    flat = np.atleast_1d(values).ravel()
    if flat.size == 0:
        raise CourseValueError("mu must hold at least one momentum (e.g. [0, 0.5, 0.9]), got []")
    if not np.all(np.isfinite(flat)) or np.any((flat < 0) | (flat >= 1)):
        bad = next(float(x) for x in flat if not (math.isfinite(x) and 0 <= x < 1))
        raise CourseValueError(
            f"every mu must be at least 0 and below 1 (e.g. 0.9), got {bad!r} among them"
        )
    limit = heavy_ball_limit if method == "heavy_ball" else nesterov_limit
    limits = np.array([limit(float(x)) for x in flat])
    return limits.reshape(shape) if shape else limits


#: Where ``lr * lambda_max`` sits against the stability limit, and how each is said.
STABILITY_REGIMES = ("below", "at", "above")
#: (How a run ended is its status, said with ``STATUS_PHRASES``: these say what the theory
#: predicts for the long run, so none says "diverges".)
STABILITY_PHRASES = {
    "below": "below the stability limit: in the long run the error shrinks",
    "at": "at the stability limit: in the long run the error neither shrinks nor grows",
    "above": "above the stability limit: in the long run the error grows",
}
# h is compared with the limit to this relative tolerance, as quadratic_regime compares lr*a with
# 2: 2 (1 + mu) computed one way and lr * lambda another need not agree to the last bit.
_LIMIT_RTOL = 1e-9


@dataclass(frozen=True)
class MomentumStability:
    """Where a momentum run on a quadratic sits in the stability region: ``h = lr *
    lambda_max`` (its stiffest direction), the ``limit`` on ``h`` for its ``mu`` and
    ``method``, the spectral ``radius`` of the run (:func:`momentum_radius`), and the
    ``regime``, one of :data:`STABILITY_REGIMES` (``h`` below, at (within 1e-9, relative) or
    above the limit: the radius below, at or above 1)."""

    h: float
    mu: float
    method: str
    limit: float
    radius: float
    regime: str

    @property
    def stable(self) -> bool:
        """Whether the run converges: ``h`` inside the stable region."""
        return self.regime == "below"

    @property
    def phrase(self) -> str:
        """The regime in words (:data:`STABILITY_PHRASES`)."""
        return STABILITY_PHRASES[self.regime]


def momentum_stability(
    curvature: float | ArrayLike, lr: float, mu: float, method: str = "heavy_ball"
) -> MomentumStability:
    """Read a momentum run on a quadratic against its stability region: the point
    ``(lr * lambda_max, mu)``, the stability limit at that ``mu`` and the run's spectral radius.

    Examples
    --------
    >>> s = momentum_stability([1, 10], 0.3, 0.5)
    >>> s.h, s.limit, s.regime, round(s.radius, 6)
    (3.0, 3.0, 'at', 1.0)
    >>> momentum_stability([1, 10], 0.3, 0.5, "nesterov").phrase
    'above the stability limit: in the long run the error grows'
    >>> momentum_stability([1, 10], 0.1, 0.5).stable
    True
    """
    lam = _curvatures(curvature)
    lr = check_positive_number("lr", lr)
    mu, method = _mu(mu), _method(method)
    limit = heavy_ball_limit(mu) if method == "heavy_ball" else nesterov_limit(mu)
    radius = momentum_radius(lam, lr, mu, method)
    with np.errstate(over="ignore"):
        h = float(jitter(lr * float(lam.max())))
    if math.isclose(h, limit, rel_tol=_LIMIT_RTOL):
        regime = "at"
    else:
        regime = "below" if h < limit else "above"
    return MomentumStability(h=h, mu=mu, method=method, limit=limit, radius=radius, regime=regime)


def momentum_matrix(h: float, mu: float, method: str = "heavy_ball") -> np.ndarray:
    """The 2x2 matrix one step applies to (error, velocity) along an eigen-direction with
    ``h = lr * lambda`` (see the module's text).

    Examples
    --------
    >>> momentum_matrix(0.5, 0.25).tolist()
    [[0.5, 0.25], [-0.5, 0.25]]
    >>> momentum_matrix(0.5, 0.25, "nesterov").tolist()
    [[0.375, 0.0625], [-0.5, 0.25]]
    """
    h = check_positive_number("h (lr times the curvature)", h, allow_zero=True)
    mu = _mu(mu)
    if _method(method) == "heavy_ball":
        return np.array([[1.0 - h, mu], [-h, mu]])
    return np.array([[1.0 - (1.0 + mu) * h, mu * mu], [-h, mu]])


def _radius(h: float, mu: float, method: str) -> float:
    # The characteristic polynomial z^2 - b z + c, solved exactly: heavy ball's has
    # b = 1 + mu - h, c = mu; Nesterov's b = (1 + mu)(1 - h), c = mu (1 - h).
    if not math.isfinite(h):
        return math.inf
    if method == "heavy_ball":
        b, c = 1.0 + mu - h, mu
    else:
        b, c = (1.0 + mu) * (1.0 - h), mu * (1.0 - h)
    disc = b * b - 4.0 * c
    if not math.isfinite(disc):
        return math.inf
    if disc < 0:  # a complex pair: both of size sqrt(c), the run spirals
        return math.sqrt(c)
    root = math.sqrt(disc)
    return max(abs(b + root), abs(b - root)) / 2.0


def momentum_radius(
    curvature: float | ArrayLike, lr: float, mu: float, method: str = "heavy_ball"
) -> float:
    """The spectral radius of a momentum run on a quadratic: the largest over its curvatures of
    the 2x2 matrix's (:func:`momentum_matrix`), the long-run per-step factor on the error.
    Below 1 the run converges; at 1 or above it does not.

    Examples
    --------
    The best tuning for curvatures 1 and 100 (:func:`best_momentum`):

    >>> t = best_momentum([1, 100])
    >>> round(momentum_radius([1, 100], t.lr, t.mu), 4)
    0.8182
    """
    lam = _curvatures(curvature)
    lr = check_positive_number("lr", lr)
    mu, method = _mu(mu), _method(method)
    with np.errstate(all="ignore"):
        radii = [_radius(float(lr * x), mu, method) for x in lam]
    # A product too large for a float (lr * lambda past 1e154): the run explodes at once.
    return float(jitter(max(r if math.isfinite(r) else math.inf for r in radii)))


@dataclass(frozen=True)
class MomentumTuning:
    """The best heavy-ball rate and momentum for curvatures in ``[m, L]``, and the per-step
    factors they give: with momentum, and at the best rate without it (lesson 04)."""

    lr: float
    mu: float
    radius: float
    plain_radius: float

    def steps_to_shrink(self, factor: float) -> tuple[float, float]:
        """The steps the formula gives to shrink the error ``factor`` times, with momentum and
        without: ``ceil(ln(factor) / -ln(radius))`` (1 where the radius is 0: one curvature, a
        step lands; ``math.inf`` where it rounds to 1). Asymptotic: at the best tuning the
        error behaves like ``k r^k`` (and, from a start with a stiff part, first grows), so a
        simulated run takes longer."""
        factor = check_positive_number("factor", factor)
        if factor <= 1:
            raise CourseValueError(f"factor must be above 1 (e.g. 1e6), got {factor!r}")

        def steps(r: float) -> float:
            if r <= 0:
                return 1
            if r >= 1:
                return math.inf
            return math.ceil(math.log(factor) / -math.log(r))

        return steps(self.radius), steps(self.plain_radius)


def best_momentum(curvature: ArrayLike) -> MomentumTuning:
    """The heavy-ball tuning that shrinks the slowest direction fastest on a quadratic with
    curvatures in ``[m, L]`` (``kappa = L / m``): ``lr = 4 / (sqrt(L) + sqrt(m))^2`` and
    ``mu = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2``, giving the spectral radius
    ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    Examples
    --------
    >>> t = best_momentum([1, 100])
    >>> round(t.lr, 6), round(t.mu, 6), round(t.radius, 4), round(t.plain_radius, 4)
    (0.033058, 0.669421, 0.8182, 0.9802)
    >>> t.steps_to_shrink(1e6)
    (69, 691)
    """
    lam = _curvatures(curvature)
    m, big = float(lam.min()), float(lam.max())
    if big / m > 1e12:  # mu = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 would round to 1
        raise CourseValueError(
            f"the curvatures' ratio kappa = {big / m:.3g} is past 1e12: the best momentum "
            f"would round to 1, which never lets the velocity fade"
        )
    root = math.sqrt(big / m)
    radius = (root - 1.0) / (root + 1.0)
    kappa = big / m
    return MomentumTuning(
        lr=float(jitter(4.0 / (math.sqrt(big) + math.sqrt(m)) ** 2)),
        mu=float(jitter(radius * radius)),
        radius=float(jitter(radius)),
        plain_radius=float(jitter((kappa - 1.0) / (kappa + 1.0))),
    )
