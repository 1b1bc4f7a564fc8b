"""The sharpness of a loss: the largest eigenvalue of its Hessian at a point, computed from
gradients alone (lesson 10, part 2).

A network's Hessian is costly to form (2,410 x 2,410 numbers for lesson 10's), but its product
with a vector is a directional derivative of the gradient, which two gradients give by central
differences. Lanczos' method turns a few such products into the extreme eigenvalues. Plain power
iteration would return the eigenvalue of largest *magnitude*, which on a non-convex loss can be a
negative one; Lanczos gives the largest *algebraic* eigenvalue, the one lesson 03's stability
limit ``2 / lambda_max`` is about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .descent import _checked_value
from .errors import (
    CourseTypeError,
    CourseValueError,
    _check_loss_shape,
    _check_numbers,
    _describe,
    check_count,
    check_loss,
    check_point,
)

__all__ = [
    "HVP_STEP",
    "MAX_STEP",
    "Sharpness",
    "SharpnessRun",
    "SharpnessStudy",
    "descent_sharpness",
    "hessian_vector_product",
    "sharpness",
    "sharpness_study",
]

#: The central difference's step, relative to max(|w|, 1) (the gradient at w +- h v / |v|):
#: its error is of order h^2 times the third derivative, its rounding of order eps / h.
HVP_STEP = 1e-4


def hessian_vector_product(
    loss: Any, w: ArrayLike, v: ArrayLike, *, step: float = HVP_STEP
) -> np.ndarray:
    """``H(w) v`` from two gradients: ``(g(w + h u) - g(w - h u)) / (2 h) * |v|`` with
    ``u = v / |v|`` and ``h = step * max(|w|, 1)``.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> bowl = QuadraticBowl([1.0, 5.0])
    >>> hessian_vector_product(bowl, [0.3, -0.2], [0.0, 2.0]).round(6).tolist()
    [0.0, 10.0]
    """
    check_loss(loss)
    w = check_point("w", w, _check_loss_shape(loss, "w", w))
    v = _check_numbers("v", v, "a vector of one number per parameter")
    if v.shape != w.shape:
        raise CourseValueError(f"v must have the shape of w, {w.shape}, got {v.shape}")
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(v))):
        raise CourseValueError("w and v must contain only finite numbers")
    step = _check_step(step)
    size = float(np.linalg.norm(v))
    if size == 0:
        return np.zeros(w.shape)
    with np.errstate(over="ignore"):
        h = step * max(float(np.linalg.norm(w)), 1.0)
    u = v / size
    if not np.isfinite(h):
        raise CourseValueError(
            "w is so large that |w| overflows, so the central difference's step (step x |w|) "
            "cannot be formed"
        )
    plus, minus = _gradient_at(loss, w + h * u, w.shape), _gradient_at(loss, w - h * u, w.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        product = (plus - minus) / (2 * h) * size
    if not np.all(np.isfinite(product)):
        raise CourseValueError(
            "the Hessian-vector product at w is not finite: the gradient differs by more than "
            "a float can hold between w - h v and w + h v (the loss is too steep there)"
        )
    return product


#: The largest relative step: past it the two points are farther from w than w is from 0 (or 1),
#: and the difference reads the curvature of a wide region, not the Hessian at w. (Exercise 10
#: uses steps up to about 0.3 on purpose: there a one-sided difference is visibly off.)
MAX_STEP = 1.0


def _check_step(step: Any) -> float:
    if isinstance(step, bool) or not isinstance(step, (int, float, np.number)):
        raise CourseTypeError(f"step must be a number, got {_describe(step)}")
    if not (math.isfinite(float(step)) and 0 < float(step) <= MAX_STEP):
        raise CourseValueError(
            f"step must be a small positive number (above 0, at most {MAX_STEP:g} times "
            f"max(|w|, 1); the default is {HVP_STEP:g}), got {step!r}"
        )
    return float(step)


def _gradient_at(loss: Any, point: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """loss.gradient(point) as floats of ``shape``, or one sentence naming what it returned."""
    raw = loss.gradient(point)
    try:
        g = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        g = None
    if g is None or g.shape != shape:
        raise CourseTypeError(
            f"loss.gradient(w) must return one number per parameter (shape {shape}), got "
            f"{_describe(raw)}"
        )
    if not np.all(np.isfinite(g)):
        raise CourseValueError(
            "the gradient is not finite near w (the loss overflows there), so the curvature "
            "cannot be read from it"
        )
    return g


@dataclass(frozen=True)
class Sharpness:
    """The largest eigenvalue of the Hessian at a point, by Lanczos.

    Attributes
    ----------
    value : float
        The largest (algebraic) eigenvalue found.
    smallest : float
        The smallest one found (negative at a point where the loss curves down somewhere).
    iterations : int
        Hessian-vector products used.
    residual : float
        ``|H x - value x|`` for the eigenvector estimate ``x``, relative to ``|value|``: how far
        from an eigenvalue the reading is.
    """

    value: float
    smallest: float
    iterations: int
    residual: float


def sharpness(
    loss: Any, w: ArrayLike, *, iterations: int = 30, seed: int = 0, step: float = HVP_STEP
) -> Sharpness:
    """The sharpness ``lambda_max`` of ``loss`` at ``w``: Lanczos' method (with full
    reorthogonalisation) on Hessian-vector products, from a seeded random start.

    Parameters
    ----------
    loss : Loss
        Any loss with ``gradient(w)``.
    w : array_like
        The point.
    iterations : int
        Hessian-vector products (2 to 500; at most the number of parameters).
    seed : int
        Seeds the start vector: the same seed gives the same reading on every machine, up to
        the last bits of the sums.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> s = sharpness(QuadraticBowl([1.0, 3.0, 7.0]), [0.1, 0.2, 0.3], iterations=3)
    >>> round(s.value, 6), round(s.smallest, 6)
    (7.0, 1.0)
    """
    check_loss(loss)
    w = check_point("w", w, _check_loss_shape(loss, "w", w)).astype(float)
    n = w.size
    k = check_count("iterations", iterations, minimum=2, maximum=500, why="each is two gradients")
    k = min(k, n)
    seed = check_count("seed", seed)
    step = _check_step(step)
    q = np.random.default_rng(seed).normal(size=n)
    q /= np.linalg.norm(q)
    basis = [q]
    alphas: list[float] = []
    betas: list[float] = []
    for j in range(k):
        z = hessian_vector_product(loss, w.reshape(w.shape), basis[j].reshape(w.shape), step=step)
        z = z.ravel()
        alphas.append(float(basis[j] @ z))
        for b in basis:  # full reorthogonalisation: a few hundred vectors at most
            z = z - (b @ z) * b
        beta = float(np.linalg.norm(z))
        if j == k - 1 or beta <= 1e-12 * max(1.0, abs(alphas[-1])):
            break
        betas.append(beta)
        basis.append(z / beta)
    m = len(alphas)
    T = np.diag(alphas) + np.diag(betas[: m - 1], 1) + np.diag(betas[: m - 1], -1)
    values, vectors = np.linalg.eigh(T)
    top = float(values[-1])
    x = np.column_stack(basis[:m]) @ vectors[:, -1]
    hx = hessian_vector_product(loss, w, x.reshape(w.shape), step=step).ravel()
    residual = float(np.linalg.norm(hx - top * x)) / max(abs(top), 1e-300)
    return Sharpness(top, float(values[0]), m + 1, residual)


@dataclass(frozen=True)
class SharpnessRun:
    """Full-batch gradient descent at one rate, with the sharpness read along the way.

    Attributes
    ----------
    lr : float
        The rate; ``2 / lr`` is the sharpness above which lesson 03's quadratic diverges.
    steps : ndarray of int
        The steps at which the sharpness was read (0, ``every``, 2 ``every``, ...).
    sharpness : ndarray
        The sharpness at those steps.
    losses : ndarray
        The loss at every step, from the start.
    """

    lr: float
    steps: np.ndarray
    sharpness: np.ndarray
    losses: np.ndarray

    @property
    def threshold(self) -> float:
        """``2 / lr``: the stability limit of lesson 03."""
        return 2.0 / self.lr

    def plateau(self, start: int) -> float:
        """The median sharpness over the readings from step ``start`` on: single readings hover
        (and differ in their last bits between CPUs), a window's median does not."""
        start = check_count("start", start)
        window = self.sharpness[self.steps >= start]
        if window.size == 0:
            raise CourseValueError(
                f"start must be at most the last reading's step, {int(self.steps[-1])}, got {start}"
            )
        return float(np.median(window))


def descent_sharpness(
    loss: Any,
    w0: ArrayLike,
    lr: float,
    steps: int,
    *,
    every: int | None = None,
    iterations: int = 20,
    seed: int = 0,
) -> SharpnessRun:
    """Gradient descent ``w <- w - lr * g(w)`` for ``steps`` steps, reading the sharpness
    (:func:`sharpness`, ``iterations`` products from ``seed``) every ``every`` steps (by
    default every 50, or at the start and the end of a run of 50 steps or fewer).

    On a network trained with the mean-squared error the sharpness rises until it reaches
    about ``2 / lr`` and then hovers there while the loss keeps falling, not monotonically:
    the *edge of stability* (Cohen et al., 2021).

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> run = descent_sharpness(QuadraticBowl([1.0, 3.0]), [1.0, 1.0], 0.1, 4, every=2)
    >>> run.steps.tolist(), run.sharpness.round(6).tolist(), run.threshold
    ([0, 2, 4], [3.0, 3.0, 3.0], 20.0)
    """
    check_loss(loss)
    w = check_point("w0", w0, _check_loss_shape(loss, "w0", w0)).astype(float)
    rate = _check_numbers("lr", lr, "a positive number")
    if rate.ndim != 0 or not (math.isfinite(float(rate)) and float(rate) > 0):
        raise CourseValueError(f"lr must be one positive number, got {lr!r}")
    lr = float(rate)
    steps = check_count("steps", steps, minimum=1, maximum=100_000)
    every = min(50, steps) if every is None else every
    every = check_count(
        "every", every, minimum=1, maximum=steps, why="the steps between two readings"
    )
    losses = np.empty(steps + 1)
    readings: list[float] = []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            losses[k] = _checked_value(loss.value(w), k)
            if not math.isfinite(losses[k]):
                raise CourseValueError(
                    f"the loss overflowed at step {k}: lr={lr:g} diverges from this start, so "
                    f"there is no sharpness to follow; try a smaller rate"
                )
            if k % every == 0:
                readings.append(sharpness(loss, w, iterations=iterations, seed=seed).value)
            if k < steps:
                w = w - lr * np.asarray(loss.gradient(w), dtype=float)
    return SharpnessRun(lr, np.arange(0, steps + 1, every), np.array(readings), losses)


@dataclass(frozen=True)
class SharpnessStudy:
    """:func:`descent_sharpness` at several rates from one start (what lesson 10 stores).

    Attributes
    ----------
    rates : ndarray of shape (r,)
    steps : ndarray of int, shape (m,)
        The steps at which the sharpness was read.
    sharpness : ndarray of shape (r, m)
    losses : ndarray of shape (r, steps + 1)
    """

    rates: np.ndarray
    steps: np.ndarray
    sharpness: np.ndarray
    losses: np.ndarray

    @property
    def thresholds(self) -> np.ndarray:
        """``2 / rate`` for each rate."""
        return 2.0 / self.rates

    def run(self, i: int) -> SharpnessRun:
        """The run at ``rates[i]``."""
        i = check_count("i", i, maximum=self.rates.size - 1, why="an index into rates")
        return SharpnessRun(float(self.rates[i]), self.steps, self.sharpness[i], self.losses[i])

    def plateau(self, start: int) -> np.ndarray:
        """Each rate's median sharpness over the readings from step ``start`` on."""
        return np.array([self.run(i).plateau(start) for i in range(self.rates.size)])


def sharpness_study(
    loss: Any,
    w0: ArrayLike,
    rates: Any,
    steps: int,
    *,
    every: int | None = None,
    iterations: int = 20,
    seed: int = 0,
) -> SharpnessStudy:
    """:func:`descent_sharpness` from ``w0`` at each of ``rates``.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> s = sharpness_study(QuadraticBowl([1.0, 3.0]), [1.0, 1.0], [0.1, 0.2], 2, every=1)
    >>> s.sharpness.round(6).tolist(), s.thresholds.tolist()
    ([[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]], [20.0, 10.0])
    """
    values = rates.tolist() if isinstance(rates, np.ndarray) else rates
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise CourseValueError(f"rates must be a list of positive numbers, got {rates!r}")
    runs = [
        descent_sharpness(loss, w0, lr, steps, every=every, iterations=iterations, seed=seed)
        for lr in values
    ]
    if not runs:
        raise CourseValueError("rates must hold at least one rate, got none")
    return SharpnessStudy(
        np.array([r.lr for r in runs]),
        runs[0].steps,
        np.stack([r.sharpness for r in runs]),
        np.stack([r.losses for r in runs]),
    )
