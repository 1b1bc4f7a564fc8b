"""Wrong update rules that students commonly use, run by the core, so checks can recognise them.

Each function runs ``steps`` updates of a rule from ``w0`` with the core's runner,
``gradient_descent(..., update=...)`` (the rules are those of :mod:`gdcourse.core.updates`), and
returns exactly ``steps + 1`` weights, ``w0`` first. A check compares a student's wrong answer
with these to give a targeted hint.

Every step is taken (``tol=None``): at a point where the gradient is exactly 0 a right run stays
put. A wrong rule whose run blew up (the status ``"diverged"``, stopped by an overflow or a loss
past 1e12 times its start) is filled with ``nan``, which no answer matches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import (
    CourseValueError,
    Update,
    factor_two_missing,
    first_gradient_kept,
    gradient_descent,
    loss_for_gradient,
    one_after_another,
    sign_flipped,
)

__all__ = [
    "ascent_weights",
    "correct_weights",
    "first_gradient_weights",
    "half_gradient_weights",
    "loss_as_gradient_weights",
    "sequential_weights",
]


def _weights(loss: Any, w0: Any, lr: float, steps: int, update: Update | None) -> np.ndarray:
    # tol=None: every step is taken, also where the true gradient is 0 (a wrong rule may still
    # move from there); only a run that blew up stops early.
    run = gradient_descent(loss, w0, lr=lr, steps=steps, tol=None, update=update)
    missing = steps - run.n_steps
    if missing == 0:
        return run.weights.copy()
    if update is None:
        raise CourseValueError(
            f"the reference run diverged after {run.n_steps} of the {steps} steps asked for"
        )
    rest = np.full((missing, *run.weights.shape[1:]), np.nan)
    return np.concatenate([run.weights, rest])


def correct_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The right weights for exactly ``steps`` steps (a run that lands on a minimum stays there).

    >>> from gdcourse import Quadratic1D
    >>> correct_weights(Quadratic1D(a=2, c=3), 7.0, 0.5, 3).tolist()
    [7.0, 3.0, 3.0, 3.0]
    """
    return _weights(loss, w0, lr, steps, None)


def ascent_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """Sign flipped: ``w + lr * gradient`` (walking uphill), ``update=sign_flipped()``.

    >>> from gdcourse import Quadratic1D
    >>> ascent_weights(Quadratic1D(a=2, c=3), 7.0, 0.1, 2).round(6).tolist()
    [7.0, 7.8, 8.76]
    """
    return _weights(loss, w0, lr, steps, sign_flipped())


def loss_as_gradient_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The loss used where the gradient belongs: ``w - lr * L(w)``,
    ``update=loss_for_gradient()``."""
    return _weights(loss, w0, lr, steps, loss_for_gradient())


def half_gradient_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The factor 2 of d/dw (w - c)^2 = 2 (w - c) forgotten: ``w - lr * gradient / 2``,
    ``update=factor_two_missing()``."""
    return _weights(loss, w0, lr, steps, factor_two_missing())


def sequential_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """Parameters updated one after another, each using the already-updated earlier ones:
    ``update=one_after_another()``."""
    return _weights(loss, w0, lr, steps, one_after_another())


def first_gradient_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The gradient at w0 reused for every step, never computed again at the new point:
    ``update=first_gradient_kept()``."""
    return _weights(loss, w0, lr, steps, first_gradient_kept())
