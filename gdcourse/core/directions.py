"""Directions in parameter space: the angle between two vectors.

Computed so that it stays accurate near 0 and 180 degrees, where ``acos`` of a cosine turns the
last bits of a dot product (which differ between CPUs) into visible degrees.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["angle_between"]


def angle_between(u: ArrayLike, v: ArrayLike) -> float:
    """The angle between two non-zero vectors, in degrees (0 to 180).

    Examples
    --------
    >>> angle_between([1.0, 0.0], [0.0, 2.0])
    90.0
    >>> angle_between([1.0, 2.0], [2.0, 4.0 + 1e-12]) < 1e-9  # acos would say about 1e-6
    True
    """
    a = np.asarray(u, dtype=float) / np.linalg.norm(u)
    b = np.asarray(v, dtype=float) / np.linalg.norm(v)
    # 2 atan2(|a - b|, |a + b|) is well conditioned for nearly parallel vectors; acos is not.
    return math.degrees(2 * math.atan2(np.linalg.norm(a - b), np.linalg.norm(a + b)))
