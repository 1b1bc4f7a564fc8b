"""Wrong update rules that students commonly use, simulated exactly, so checks can recognise them.

Each function runs ``steps`` updates of a mistaken rule from ``w0`` and returns the weights,
``w0`` first. A check compares a student's wrong answer with these to give a targeted hint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import gradient_descent

__all__ = [
    "ascent_weights",
    "correct_weights",
    "half_gradient_weights",
    "loss_as_gradient_weights",
    "sequential_weights",
]


def _simulate(step: Callable[[np.ndarray], np.ndarray], w0: Any, steps: int) -> np.ndarray:
    w = np.asarray(w0, dtype=float)
    out = [w]
    with np.errstate(all="ignore"):  # a wrong rule may well blow up; that is fine here
        for _ in range(steps):
            w = step(w)
            out.append(w)
    return np.array(out)


def correct_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The right weights for exactly ``steps`` steps (a run that lands on a minimum stays there)."""
    run = gradient_descent(loss, w0, lr=lr, steps=steps, tol=0.0)
    if run.status == "diverged" and run.n_steps < steps:
        raise ValueError("the reference run diverged before the asked number of steps")
    pad = steps - run.n_steps  # tol=0 stops only where the gradient is exactly 0: w stays put
    return np.concatenate([run.weights, np.repeat(run.weights[-1:], pad, axis=0)])


def ascent_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """Sign flipped: ``w + lr * gradient`` (walking uphill)."""
    return _simulate(lambda w: w + lr * np.asarray(loss.gradient(w)), w0, steps)


def loss_as_gradient_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The loss used where the gradient belongs: ``w - lr * L(w)``."""
    return _simulate(lambda w: w - lr * np.asarray(loss.value(w)), w0, steps)


def half_gradient_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """The factor 2 of d/dw (w - c)^2 = 2 (w - c) forgotten: ``w - lr * gradient / 2``."""
    return _simulate(lambda w: w - lr * np.asarray(loss.gradient(w)) / 2, w0, steps)


def sequential_weights(loss: Any, w0: Any, lr: float, steps: int) -> np.ndarray:
    """Parameters updated one after another, each using the already-updated earlier ones."""

    def step(w: np.ndarray) -> np.ndarray:
        w = w.copy()
        for i in range(w.size):
            w[i] = w[i] - lr * np.asarray(loss.gradient(w))[i]
        return w

    return _simulate(step, w0, steps)
