"""Random symmetric matrices (the Gaussian orthogonal ensemble): how often all their eigenvalues
are positive, the chance that a random critical point is a minimum."""

from __future__ import annotations

import numpy as np

from .errors import _MAX_NUMBERS, _check_total, check_count
from .last_bits import jitter

__all__ = ["fraction_all_positive"]


def fraction_all_positive(n: int, samples: int = 20_000, seed: int = 0) -> float:
    """The fraction of random symmetric ``n x n`` matrices (GOE: ``(G + G^T)/2`` with standard
    normal ``G``) whose eigenvalues are all positive. Seeded, so the same on every machine.

    Examples
    --------
    >>> fraction_all_positive(1)  # a 1 x 1 matrix is one normal number: positive half the time
    0.498
    """
    n = check_count("n", n, minimum=1)
    samples = check_count("samples", samples, minimum=1)
    _check_total(
        "samples x n x n",
        samples * n * n,
        _MAX_NUMBERS,
        "the numbers of the random matrices; more would not fit in memory",
    )
    seed = check_count("seed", seed)
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((samples, n, n))
    sym = (g + np.swapaxes(g, 1, 2)) / 2
    return float(np.mean(np.all(jitter(np.linalg.eigvalsh(sym)) > 0, axis=1)))
