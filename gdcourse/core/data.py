"""Seeded synthetic data sets for the lessons.

Every generator takes a ``seed``, so a notebook shows the same numbers on every machine.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .errors import (
    _MAX_NUMBERS,
    CourseValueError,
    _check_numbers,
    _check_total,
    check_count,
    check_positive_number,
)
from .last_bits import jitter, sums_reversed

__all__ = ["make_regression", "standardise"]


def make_regression(
    n_samples: int = 1000, n_features: int = 2, *, noise: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded synthetic regression problem ``y = X w_true + noise``.

    Parameters
    ----------
    n_samples, n_features : int
        The size of ``X``; each at least 1, and at most 20,000,000 numbers in all.
    noise : float
        Standard deviation of the Gaussian noise added to the targets (>= 0).
    seed : int
        Seed of the random generator: the same seed gives the same data on every machine.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Standard normal inputs.
    y : ndarray of shape (n_samples,)
    w_true : ndarray of shape (n_features,)
        The weights the data were made with.

    Examples
    --------
    >>> X, y, w_true = make_regression(100, 3, noise=0.1, seed=1)
    >>> X.shape, y.shape, w_true.shape
    ((100, 3), (100,), (3,))
    """
    n_samples = check_count("n_samples", n_samples, minimum=1)
    n_features = check_count("n_features", n_features, minimum=1)
    _check_total(
        "n_samples x n_features",
        n_samples * n_features,
        _MAX_NUMBERS,
        "the numbers of X; more would not fit in memory",
    )
    noise = check_positive_number("noise", noise, allow_zero=True)
    seed = check_count("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    w_true = rng.normal(size=n_features)
    X = rng.normal(size=(n_samples, n_features))
    # Inside other_last_bits() the products add the features in reverse (a diagnostic).
    clean = X[:, ::-1] @ w_true[::-1] if sums_reversed() else X @ w_true
    y = jitter(clean) + noise * rng.normal(size=n_samples)
    return X, y, w_true


def standardise(X: ArrayLike) -> np.ndarray:
    """Each column minus its mean, divided by its standard deviation (``ddof=0``): every feature
    on the same scale, which makes a regression's Hessian far better conditioned.

    Examples
    --------
    >>> standardise([[1.0, 10.0], [3.0, 30.0]]).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    X = _check_numbers("X", X, "a 2-D array of numbers (one row per example)")
    if X.ndim != 2:
        raise CourseValueError(f"X must be a 2-D array (one row per example), got shape {X.shape}")
    if X.shape[0] < 2 or X.shape[1] < 1:
        raise CourseValueError(
            f"X must have at least 2 rows (a standard deviation needs two examples) and 1 column, "
            f"got shape {X.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise CourseValueError("X must contain only finite numbers (no NaN or inf)")
    std = X.std(axis=0)
    if np.any(std == 0):
        raise CourseValueError("a column of X is constant: its standard deviation is 0")
    return (X - X.mean(axis=0)) / std
