"""Update rules: how one step of gradient descent turns the gradient into a move.

``gradient_descent(loss, w0, lr, steps, update=...)`` takes any of them: plain descent (the
default), normalised and clipped descent (lesson 04), one parameter after another (lesson 02),
and the wrong rules students write, which the checks simulate to recognise them (the sign
flipped, the factor 2 of a square's derivative left out, the loss used where the gradient
belongs, the first gradient kept for every step). Each rule sees the loss, the point, its
gradient (noisy if the run adds noise) and the rate, and returns the new point; it works on one
point or on a stack of points (many seeds at once), except one-after-another, which re-evaluates
the gradient after every parameter.
``sweep_path`` lays out such a run one parameter at a time, the point after each move.

Some rules remember earlier steps (momentum's velocity, Adam's running averages): a runner starts
each run with a fresh copy of the rule (:meth:`Update.started`), so one rule object can drive
many runs and every run starts from rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from .errors import (
    CourseValueError,
    _check_counts,
    _check_numbers,
    _describe,
    check_count,
    check_positive_number,
)

__all__ = [
    "Update",
    "adam",
    "adam_step",
    "clipped",
    "factor_two_missing",
    "first_gradient_kept",
    "heavy_ball_step",
    "loss_for_gradient",
    "momentum",
    "nesterov",
    "normalised",
    "one_after_another",
    "plain",
    "rmsprop",
    "sign_flipped",
    "sweep_path",
]


class Update:
    """One step's rule. Build one with the functions of this module, not directly."""

    #: Whether the rule works on a stack of points at once (``noisy_runs``).
    stacks = True
    #: Whether a step depends on earlier ones (a velocity, running averages): then a small
    #: gradient does not mean a small step, and a run's status reads its steps, not only its
    #: gradient (see ``descent.gradient_descent``).
    remembers = False
    #: Whether a step reads the loss itself (not only the gradient it is given): such a rule
    #: cannot run on mini-batches (``descent.minibatch_sgd``).
    reads_loss = False

    def __init__(self, description: str) -> None:
        self._description = description

    def __repr__(self) -> str:
        return self._description

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        """The point after one step from ``w``, whose gradient (noise included) is ``g``."""
        raise NotImplementedError  # pragma: no cover - interface

    def _check_size(self, d: int) -> None:
        """Raise unless the rule can move a point of ``d`` parameters (runners call this once,
        at entry, so that a bad rule is refused before the run, not inside its loop)."""

    def started(self) -> Update:
        """This rule as a run starts it: itself when it remembers nothing, else a fresh copy
        with nothing remembered (momentum at rest, Adam's averages at 0)."""
        return self


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
    reads_loss = True

    def __init__(self, order: tuple[int, ...] | None) -> None:
        super().__init__(
            "one_after_another()" if order is None else f"one_after_another(order={order})"
        )
        self.order = order

    def _check_size(self, d: int) -> None:
        _check_order(self.order, d)

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        w = np.array(w, dtype=float)
        for i in _check_order(self.order, w.size):
            # Each partial derivative is read at the point with the earlier ones already moved.
            w.flat[i] -= lr * float(np.asarray(loss.gradient(w), dtype=float).flat[i])
        return w


def _parse_order(order: Any) -> tuple[int, ...] | None:
    """``order`` as a tuple of parameter numbers (``None`` stays ``None``: the default)."""
    if order is None:
        return None
    # An order of d entries must list 0 .. d-1 once each, whatever the loss; that d is the
    # loss's number of parameters is checked where that is known (a run's start, sweep_path).
    parsed = _check_counts("order", order, example="(1, 0)")
    if sorted(parsed) != list(range(len(parsed))):
        raise CourseValueError(
            f"order must list each parameter once, numbered from 0 (e.g. (1, 0) for two "
            f"parameters), got {parsed}"
        )
    return parsed


def _check_order(order: Sequence[int] | None, d: int) -> tuple[int, ...]:
    """``order`` (default 0, 1, ..., d - 1), checked to list each of ``d`` parameters once."""
    order = tuple(range(d)) if order is None else tuple(order)
    if sorted(order) != list(range(d)):
        raise CourseValueError(
            f"order must list each of the {d} parameters once (0 to {d - 1}), got {order}"
        )
    return order


class _SignFlipped(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        return w + lr * g


class _FactorTwoMissing(Update):
    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        return w - lr * g / 2


class _LossForGradient(Update):
    reads_loss = True

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
    """The parameters updated one after another (coordinate-wise descent), each with its
    partial derivative read *after* the earlier ones moved: not gradient descent, which reads
    every partial derivative at the old point. On a quadratic ``1/2 w^T A w - b^T w`` it is
    Gauss-Seidel relaxed by the factor ``lr * A_ii`` (Gauss-Seidel itself only at
    ``lr = 1/A_ii``, under-relaxed below it). ``order``: which parameter moves first
    (default 0, 1, 2, ...): whole numbers, each parameter listed once (a run checks that at its
    start, where the number of parameters is known).

    Examples
    --------
    >>> one_after_another((1, 0))
    one_after_another(order=(1, 0))
    """
    return _OneAfterAnother(_parse_order(order))


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


class _FirstGradientKept(Update):
    def __init__(self) -> None:
        super().__init__("first_gradient_kept()")
        self._first: np.ndarray | None = None

    def started(self) -> Update:
        return _FirstGradientKept()

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        if self._first is None:
            self._first = np.array(g, dtype=float)
        return w - lr * self._first


def first_gradient_kept() -> Update:
    """Wrong: the gradient at w0 used for every step, never computed again at the new point
    (``w_k = w0 - k * lr * gradient(w0)``). Each run remembers its own first gradient."""
    return _FirstGradientKept()


def sweep_path(run: Any, order: Sequence[int] | None = None) -> np.ndarray:
    """The path of a run of ``one_after_another(order)`` one parameter at a time: the start,
    then the point after each parameter moved (``d`` points per step, where the run has one).

    A step of that rule moves each parameter once, in ``order``, so the point after the first
    ``k`` of them moved has those ``k`` entries from the next iterate and the others from this
    one: the path is read off the run's weights, with no gradient computed again.

    Parameters
    ----------
    run : Trajectory or array_like of shape (steps + 1, d)
        A run with ``update=one_after_another(order)`` (or its weights, ``w0`` first).
    order : sequence of int, optional
        The order the run moved the parameters in (default 0, 1, ..., d - 1).

    Returns
    -------
    ndarray of shape (steps * d + 1, d)

    Examples
    --------
    One sweep on the coupled bowl x^2 - xy + y^2 from (2, 0) at rate 0.25 (lesson 02):

    >>> import math
    >>> from gdcourse import QuadraticBowl, gradient_descent
    >>> bowl = QuadraticBowl([1.0, 3.0], rotation=math.pi / 4)
    >>> run = gradient_descent(bowl, (2.0, 0.0), 0.25, 1, update=one_after_another((1, 0)))
    >>> sweep_path(run, order=(1, 0)).round(6).tolist()
    [[2.0, 0.0], [2.0, 0.5], [1.125, 0.5]]
    """
    weights = getattr(run, "weights", run)
    w = _check_numbers("run", weights, "a Trajectory or its weights (one row per iterate)").copy()
    if w.ndim != 2 or len(w) == 0:
        raise CourseValueError(
            f"run's weights must have one row of d parameters per iterate (shape (steps + 1, "
            f"d)), got shape {w.shape}"
        )
    order = _check_order(_parse_order(order), w.shape[1])
    path = [w[0]]
    for now, after in pairwise(w):
        point = now.copy()
        for i in order:
            point[i] = after[i]
            path.append(point.copy())
    return np.array(path)


def _fraction(name: str, value: Any, example: str) -> float:
    """A number in [0, 1), as a momentum or an averaging factor must be."""
    value = check_positive_number(name, value, allow_zero=True)
    if value >= 1:
        raise CourseValueError(
            f"{name} must be at least 0 and below 1 (e.g. {example}), got {value!r}: at 1 or "
            f"more the remembered part never fades"
        )
    return value


class _Momentum(Update):
    remembers = True

    def __init__(self, mu: float, look_ahead: bool) -> None:
        # (12 digits: 0.99999999999 is not shown as the refused 1)
        super().__init__(f"{'nesterov' if look_ahead else 'momentum'}({mu:.12g})")
        self.mu, self.look_ahead = mu, look_ahead
        self._v: np.ndarray | None = None

    def started(self) -> Update:
        return _Momentum(self.mu, self.look_ahead)

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        v = np.zeros_like(w, dtype=float) if self._v is None else self._v
        new_w, self._v = _heavy_ball(w, v, g, lr, self.mu)
        if not self.look_ahead:
            return new_w
        else:
            # The run's points are the look-ahead points y = w + mu v, where the gradient is
            # read: v' = mu v - lr grad(y), y' = y + mu v' - lr grad(y) (Sutskever et al. 2013).
            return w + self.mu * self._v - lr * g


class _Adam(Update):
    remembers = True

    def __init__(self, beta1: float, beta2: float, eps: float, correct: bool, name: str) -> None:
        super().__init__(name)
        self.beta1, self.beta2, self.eps, self.correct = beta1, beta2, eps, correct
        self._m: np.ndarray | None = None
        self._s: np.ndarray | None = None
        self._t = 0

    def started(self) -> Update:
        return _Adam(self.beta1, self.beta2, self.eps, self.correct, repr(self))

    def step(self, loss: Any, w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
        m = np.zeros_like(w, dtype=float) if self._m is None else self._m
        s = np.zeros_like(w, dtype=float) if self._s is None else self._s
        self._t += 1
        new_w, self._m, self._s = _adam(
            w, m, s, g, self._t, lr, self.beta1, self.beta2, self.eps, self.correct
        )
        return new_w


def _heavy_ball(w: Any, v: Any, g: Any, lr: float, mu: float) -> tuple[Any, Any]:
    # The velocity first, then the move by the new velocity (Polyak's order).
    v = mu * v - lr * g
    return w + v, v


def _adam(
    w: Any,
    m: Any,
    s: Any,
    g: Any,
    t: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    correct: bool = True,
) -> tuple[Any, Any, Any]:
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * g * g
    m_hat, s_hat = m, s
    if correct:  # the averages start at 0: early ones are too small by 1 - beta^t
        m_hat = m / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(s_hat) + eps), m, s


#: The largest step count ``adam_step`` takes (``beta ** t`` is 0 long before it).
_MAX_T = 10**12


def _state(**given: Any) -> dict[str, np.ndarray]:
    """The arrays of one step, checked: real and finite numbers, each of ``w``'s shape (the first
    one named); a single number for a state (``v = 0``, "at rest") stands for every entry."""
    out: dict[str, np.ndarray] = {}
    for name, value in given.items():
        arr = _check_numbers(name, value)
        if not np.all(np.isfinite(arr)):
            raise CourseValueError(
                f"{name} must hold finite numbers only, got {_describe(value)}: a run that "
                f"overflowed has diverged, so there is no next step to take"
            )
        first = next(iter(out.values()), None)
        if first is not None and arr.shape != first.shape:
            if arr.ndim == 0 and name != "gradient":
                arr = np.full(first.shape, float(arr))
            else:
                w_name = next(iter(out))
                one = ", or be one number for every entry" if name != "gradient" else ""
                raise CourseValueError(
                    f"{name} must have the same shape as {w_name} (one entry per parameter){one}: "
                    f"{w_name} has shape {first.shape}, {name} has shape {arr.shape}"
                )
        out[name] = arr
    return out


def _out(x: np.ndarray) -> float | np.ndarray:
    return float(x) if x.ndim == 0 else x


def heavy_ball_step(
    w: Any, v: Any, gradient: Any, lr: float, mu: float
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """One heavy-ball step: ``v <- mu v - lr gradient``, then ``w <- w + v``; returns the new
    ``(w, v)``. :func:`momentum` runs it step after step from ``v = 0``.

    Examples
    --------
    >>> w, v = heavy_ball_step(7.0, -0.8, 3.2, lr=0.1, mu=0.5)
    >>> round(w, 9), round(v, 9)
    (6.28, -0.72)
    """
    lr = check_positive_number("lr", lr)
    mu = _fraction("mu", mu, "0.9")
    arrays = _state(w=w, v=v, gradient=gradient)
    with np.errstate(over="ignore", invalid="ignore"):  # past the largest float: inf, diverged
        new_w, new_v = _heavy_ball(arrays["w"], arrays["v"], arrays["gradient"], lr, mu)
    return _out(new_w), _out(new_v)


def adam_step(
    w: Any,
    m: Any,
    s: Any,
    gradient: Any,
    t: int,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[float | np.ndarray, float | np.ndarray, float | np.ndarray]:
    """Step ``t`` (counted from 1) of Adam: the running averages ``m`` and ``s`` updated by the
    gradient, corrected for starting at 0, then the move; returns the new ``(w, m, s)``, the
    averages as stored (uncorrected). :func:`adam` runs it step after step from ``m = s = 0``.

    Examples
    --------
    The first step moves by ``lr |g| / (|g| + eps)``, ``lr`` up to a relative ``eps / |g|``,
    whatever the gradient's size:

    >>> w, m, s = adam_step(1.0, 0.0, 0.0, 250.0, t=1, lr=0.01)
    >>> round(w, 9), round(m, 9), round(s, 9)
    (0.99, 25.0, 62.5)
    """
    lr = check_positive_number("lr", lr)
    beta1 = _fraction("beta1", beta1, "0.9")
    beta2 = _fraction("beta2", beta2, "0.999")
    eps = check_positive_number("eps", eps)
    t = check_count("t", t, minimum=1, maximum=_MAX_T, why="more steps than a run can take")
    arrays = _state(w=w, m=m, s=s, gradient=gradient)
    if np.any(arrays["s"] < 0):
        raise CourseValueError(
            "s (the running average of the squared gradient) must be at least 0 in every entry, "
            f"got {_describe(s)}"
        )
    with np.errstate(over="ignore", invalid="ignore"):  # a gradient past 1e154 squares to inf
        new = _adam(*arrays.values(), t, lr, beta1, beta2, eps)
    if not np.all(np.isfinite(new[2])):
        raise CourseValueError(
            f"gradient is too large for Adam's running average of its square, got "
            f"{_describe(gradient)}: its square passes the largest float (about 1.8e308), so "
            f"s would be inf and the step 0"
        )
    return _out(new[0]), _out(new[1]), _out(new[2])


def momentum(mu: float) -> Update:
    """Heavy-ball momentum (Polyak 1964): ``v <- mu v - lr g``, ``w <- w + v``, from ``v = 0``.

    The velocity ``v`` remembers past steps, fading by ``mu`` each step (``0 <= mu < 1``;
    ``mu = 0`` is plain descent). On a quadratic each eigen-direction of curvature ``lambda``
    is stable exactly when ``0 < lr * lambda < 2 (1 + mu)`` (:func:`heavy_ball_limit`).

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 3, update=momentum(0.5))
    >>> run.weights.round(4).tolist()
    [7.0, 6.2, 5.16, 4.208]
    """
    return _Momentum(_fraction("mu", mu, "0.9"), look_ahead=False)


def nesterov(mu: float) -> Update:
    """Nesterov's momentum: the gradient read at the look-ahead point ``w + mu v``,
    ``v <- mu v - lr grad(w + mu v)``, ``w <- w + v``. The run records the look-ahead points
    (where each gradient is read), the form Sutskever et al. (2013) give it. On a quadratic it
    is stable exactly when ``0 < lr * lambda < 2 (1 + mu) / (1 + 2 mu)``
    (:func:`nesterov_limit`): a range that shrinks as ``mu`` grows.

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 2, update=nesterov(0.5))
    >>> run.weights.round(4).tolist()
    [7.0, 5.8, 4.76]
    """
    return _Momentum(_fraction("mu", mu, "0.9"), look_ahead=True)


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Update:
    """Adam (Kingma and Ba 2015): each parameter's step is the running average of its gradient
    divided by the running root-mean-square of it, both corrected for starting at 0:
    ``m <- beta1 m + (1 - beta1) g``, ``s <- beta2 s + (1 - beta2) g^2``,
    ``w <- w - lr m_hat / (sqrt(s_hat) + eps)`` with ``m_hat = m / (1 - beta1^t)`` and
    ``s_hat = s / (1 - beta2^t)`` at step ``t``. While ``sqrt(s_hat)`` is far above ``eps``,
    scaling the loss by any factor leaves the path unchanged, and the first step moves every
    parameter by ``lr |g| / (|g| + eps)`` against its gradient's sign: ``lr`` up to a relative
    ``eps / |g|``.

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 1, update=adam())
    >>> run.weights.round(6).tolist()
    [7.0, 6.9]
    """
    beta1 = _fraction("beta1", beta1, "0.9")
    beta2 = _fraction("beta2", beta2, "0.999")
    eps = check_positive_number("eps", eps)
    return _Adam(
        beta1, beta2, eps, True, f"adam(beta1={beta1:.12g}, beta2={beta2:.12g}, eps={eps:g})"
    )


def rmsprop(beta: float = 0.9, eps: float = 1e-8) -> Update:
    """RMSProp (Hinton's lecture notes, 2012), Adam's second half: ``s <- beta s + (1 - beta)
    g^2``, ``w <- w - lr g / (sqrt(s) + eps)``, with no average of the gradient itself and no
    correction for starting at 0 (so its first steps are longer than ``lr``, by
    ``1 / sqrt(1 - beta)``: 3.16 at 0.9).

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 1, update=rmsprop())
    >>> run.weights.round(4).tolist()
    [7.0, 6.6838]
    """
    beta = _fraction("beta", beta, "0.9")
    eps = check_positive_number("eps", eps)
    return _Adam(0.0, beta, eps, False, f"rmsprop(beta={beta:.12g}, eps={eps:g})")
