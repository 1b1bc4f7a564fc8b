"""Update rules: how one step of gradient descent turns the gradient into a move.

``gradient_descent(loss, w0, lr, steps, update=...)`` takes any of them: plain descent (the
default), normalised and clipped descent (lesson 04), one parameter after another (lesson 02),
and the wrong rules students write, which the checks simulate to recognise them (the sign
flipped, the factor 2 of a square's derivative left out, the loss used where the gradient
belongs). Each rule sees the loss, the point, its gradient (noisy if the run adds noise) and the
rate, and returns the new point; it works on one point or on a stack of points (many seeds at
once), except one-after-another, which re-evaluates the gradient after every parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import CourseTypeError, CourseValueError, check_positive_number

__all__ = [
    "Update",
    "clipped",
    "factor_two_missing",
    "loss_for_gradient",
    "normalised",
    "one_after_another",
    "plain",
    "sign_flipped",
]


class Update:
    """One step's rule. Build one with the functions of this module, not directly."""

    #: Whether the rule works on a stack of points at once (``noisy_runs``).
    stacks = True

    def __init__(self, description: str) -> None:
        self._description = description

    def __repr__(self) -> str:
        return self._description

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        """The point after one step from ``w``, whose gradient (noise included) is ``g``."""
        raise NotImplementedError  # pragma: no cover - interface


def _lengths(g: np.ndarray, point_ndim: int) -> np.ndarray:
    """The length of each point's gradient, shaped to broadcast against ``g``."""
    if point_ndim == 0:
        return np.abs(g)
    axes = tuple(range(g.ndim - point_ndim, g.ndim))
    return np.sqrt(np.sum(g * g, axis=axes, keepdims=True))


class _Plain(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        return w - lr * g


class _Normalised(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        norm = _lengths(g, len(getattr(loss, "shape", ())))
        with np.errstate(invalid="ignore", divide="ignore"):
            direction = np.where(norm > 0, g / norm, 0.0)  # a flat point: no direction, no move
        return w - lr * direction


class _Clipped(Update):
    def __init__(self, clip: float) -> None:
        super().__init__(f"clipped({clip:g})")
        self.clip = clip

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        norm = _lengths(g, len(getattr(loss, "shape", ())))
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(norm > self.clip, self.clip / norm, 1.0)
        return w - lr * scale * g


class _OneAfterAnother(Update):
    stacks = False

    def __init__(self, order: tuple[int, ...] | None) -> None:
        super().__init__(
            "one_after_another()" if order is None else f"one_after_another(order={order})"
        )
        self.order = order

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        w = np.array(w, dtype=float)
        order = range(w.size) if self.order is None else self.order
        if sorted(order) != list(range(w.size)):
            raise CourseValueError(
                f"order must list each of the {w.size} parameters once (0 to {w.size - 1}), "
                f"got {tuple(order)}"
            )
        for i in order:
            # Each partial derivative is read at the point with the earlier ones already moved.
            w.flat[i] -= lr * float(np.asarray(loss.gradient(w), dtype=float).flat[i])
        return w


class _SignFlipped(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        return w + lr * g


class _FactorTwoMissing(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        return w - lr * g / 2


class _LossForGradient(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        value = np.asarray(loss.value(w), dtype=float)
        return w - lr * value.reshape(value.shape + (1,) * (w.ndim - value.ndim))


def plain() -> Update:
    """Gradient descent: ``w <- w - lr * g``, every parameter at once."""
    return _Plain("plain()")


def normalised() -> Update:
    """Normalised descent ``w <- w - lr * g / |g|``: every step has length ``lr``.

    The gradient's size is thrown away, so the steps do not shrink near the minimum: the run
    cannot settle, and ends bouncing around the minimum at a distance of about ``lr``.
    """
    return _Normalised("normalised()")


def clipped(clip: float) -> Update:
    """Descent on the clipped gradient ``g * min(1, clip / |g|)``: no step is longer than
    ``lr * clip``, and near a minimum (where ``|g| < clip``) it is plain descent."""
    return _Clipped(check_positive_number("clip", clip))


def one_after_another(order: Sequence[int] | None = None) -> Update:
    """The parameters updated one after another (coordinate-wise, Gauss-Seidel), each with its
    partial derivative read *after* the earlier ones moved: not gradient descent, which reads
    every partial derivative at the old point. ``order``: which parameter moves first
    (default 0, 1, 2, ...)."""
    if order is not None:
        try:
            order = tuple(int(i) for i in order)
        except (TypeError, ValueError):
            raise CourseTypeError(
                f"order must be a list of parameter numbers such as (1, 0), got {order!r}"
            ) from None
    return _OneAfterAnother(order)


def sign_flipped() -> Update:
    """A wrong rule: ``w <- w + lr * g``, walking uphill."""
    return _SignFlipped("sign_flipped()")


def factor_two_missing() -> Update:
    """A wrong rule: the factor 2 of ``d/dw (w - c)^2 = 2 (w - c)`` forgotten,
    ``w <- w - lr * g / 2``."""
    return _FactorTwoMissing("factor_two_missing()")


def loss_for_gradient() -> Update:
    """A wrong rule: the loss used where the gradient belongs, ``w <- w - lr * L(w)``."""
    return _LossForGradient("loss_for_gradient()")
