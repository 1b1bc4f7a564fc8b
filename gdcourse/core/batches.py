"""Mini-batches: how noisy a mini-batch gradient is, how many updates an epoch holds, and the
noise floor a constant rate settles at with noisy gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import CourseTypeError, CourseValueError, check_count, check_positive_number
from .last_bits import jitter

__all__ = [
    "batch_variance",
    "minibatch_gradient_variance",
    "noise_floor",
    "updates_per_epoch",
]


def batch_variance(sigma2: float, n: int, batch_size: int) -> float:
    """``E|g_B - grad L|^2 = sigma^2 / B * (N - B) / (N - 1)``: the variance of a batch of ``B``
    drawn without replacement from ``N`` examples whose per-example gradients spread by
    ``sigma^2`` (``minibatch_gradient_variance`` computes it from data).

    Examples
    --------
    >>> round(batch_variance(8.0, 100, 25), 4)
    0.2424
    """
    sigma2 = check_positive_number("sigma2 (the per-example spread)", sigma2, allow_zero=True)
    n = check_count("n (the number of examples)", n, minimum=1)
    b = check_count("batch_size", batch_size, minimum=1)
    if b > n:
        raise CourseValueError(f"batch_size must be between 1 and N={n}, got {b}")
    if n == 1:
        return 0.0
    return float(jitter(sigma2 / b * (n - b) / (n - 1)))


def minibatch_gradient_variance(loss: Any, w: ArrayLike, batch_size: int) -> float:
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
    if not callable(getattr(loss, "per_example_gradients", None)):
        raise CourseTypeError(
            f"loss must be a LinearRegression (a data set with per-example gradients), got {loss!r}"
        )
    per_example = loss.per_example_gradients(w)
    n = per_example.shape[0]
    sigma2 = float(np.mean(np.sum((per_example - per_example.mean(axis=0)) ** 2, axis=1)))
    return batch_variance(sigma2, n, batch_size)


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
