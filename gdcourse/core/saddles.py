"""Saddle points and local minima: how long gradient descent takes to leave a saddle, and what
the Hessian's eigenvalues say about a critical point."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .descent import gradient_descent
from .errors import check_count, check_finite_number, check_positive_number
from .last_bits import jitter
from .losses import SaddleWithMinima

__all__ = ["critical_point_near", "escape_steps_simulated", "saddle_escape_steps"]


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
    threshold = check_positive_number("threshold", threshold)
    steps = check_count("steps", steps)
    loss = SaddleWithMinima() if loss is None else loss
    run = gradient_descent(loss, [x0, y0], lr=lr, steps=steps, noise=noise, seed=seed)
    out = np.flatnonzero(np.abs(run.weights[:, 1]) >= threshold)
    return int(out[0]) if out.size else None


def critical_point_near(loss: Any, w: ArrayLike, within: float = 0.01) -> str:
    """Which named critical point of ``loss`` (its ``saddle_point``, ``minimizers`` or
    ``minimizer``) ``w`` is within ``within`` of: ``"saddle"``, ``"lower minimum"``, ``"upper
    minimum"``, ``"minimum"``, or ``"elsewhere"``.

    Examples
    --------
    >>> saddle = SaddleWithMinima()
    >>> critical_point_near(saddle, [0.0, 0.999]), critical_point_near(saddle, [1.0, 1.0])
    ('upper minimum', 'elsewhere')
    """
    within = check_positive_number("within", within)
    w = np.asarray(w, dtype=float)
    names: dict[str, Any] = {}
    if getattr(loss, "saddle_point", None) is not None:
        names["saddle"] = loss.saddle_point
    points = getattr(loss, "minimizers", None)
    if points is not None:
        names["lower minimum"], names["upper minimum"] = points[0], points[1]
    elif getattr(loss, "minimizer", None) is not None:
        names["minimum"] = loss.minimizer
    for name, point in names.items():
        if np.linalg.norm(w - np.asarray(point, dtype=float)) < within:
            return name
    return "elsewhere"
