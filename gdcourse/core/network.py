"""A small neural network as a loss: one hidden layer, numpy only (lesson 10's real network).

``MLP(X, y, hidden)`` is a loss like the others: its parameters are one flat vector ``w``
(``W1``, ``b1``, ``W2``, ``b2`` in that order, :meth:`MLP.unpack`), ``value(w)`` and
``gradient(w)`` are over the whole data set, ``minibatch_gradient(w, idx)`` over the rows
``idx``, so the core's runners train it as they train the quadratics: plain, momentum or Adam
(``gradient_descent(..., update=...)``), and mini-batches. The outputs are ``k`` scores per
example (one per class) and the loss is their softmax cross-entropy or half their squared
distance to the one-hot target (the form Cohen et al., 2021, train to measure sharpness),
averaged over the examples.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .errors import CourseValueError, _check_numbers, _describe, check_count
from .last_bits import jitter, sums_reversed
from .losses import Loss, _check_rows, _read_only

__all__ = [
    "ACTIVATIONS",
    "MAX_CLASSES",
    "MAX_HIDDEN",
    "MLP",
    "OUTPUT_LOSSES",
    "RELU_BIAS",
    "last_layer_gradient",
]

#: The hidden layer's activations.
ACTIVATIONS = ("tanh", "relu")
#: The losses on the output scores: softmax cross-entropy, or half the squared distance to the
#: one-hot target (summed over the classes), each averaged over the examples.
OUTPUT_LOSSES = ("cross_entropy", "mse")
#: The widest hidden layer (the course's networks are small; this keeps a slip from asking for
#: gigabytes).
MAX_HIDDEN = 4096
#: The most classes (labels 0 to 999).
MAX_CLASSES = 1000
#: ReLU's hidden biases start here, not at 0: an all-zero input row would otherwise sit every
#: unit exactly on the kink, where the derivative is not defined.
RELU_BIAS = 0.01


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        shown = " or ".join(repr(o) for o in options)
        raise CourseValueError(f"{name} must be {shown}, got {_describe(value)}")
    return value


def _cross_entropy(z: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
    """The mean softmax cross-entropy of the scores ``z`` against one-hot rows ``T``, and its
    gradient with respect to ``z``: ``(softmax(z) - T) / n``."""
    n = z.shape[0]
    top = z.max(axis=1, keepdims=True)
    shifted = np.log(np.exp(z - top).sum(axis=1))  # log-sum-exp minus the top score
    true = z[np.arange(n), T.argmax(axis=1)]  # (not z * T: -inf * 0 is nan)
    # (top - true) first, then the shifted sum: with scores of 1e200 the two large terms
    # would otherwise cancel to 0, a perfect fit, where ln 10 is right.
    value = float(np.mean(shifted + (top[:, 0] - true)))
    if np.isposinf(z).any():  # a score past the largest float: the loss is too
        value = math.inf
    return value, (np.exp(z - top) / np.exp(shifted)[:, None] - T) / n


def last_layer_gradient(
    hidden: ArrayLike, scores: ArrayLike, labels: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of a batch's mean softmax cross-entropy with respect to the last layer.

    With ``P = softmax(scores)`` row by row and ``G = (P - onehot(labels)) / B`` for a batch of
    ``B`` rows, the gradient is ``dW2 = hidden.T @ G`` and ``db2 = G.sum(axis=0)``: the same
    numbers as the ``W2`` and ``b2`` parts of :meth:`MLP.minibatch_gradient`.

    Parameters
    ----------
    hidden : array_like of shape (B, h)
        The hidden layer's outputs for the batch (``tanh(X W1 + b1)``).
    scores : array_like of shape (B, k)
        The output scores ``hidden @ W2 + b2``.
    labels : array_like of shape (B,)
        Class labels from 0 to ``k - 1``.

    Returns
    -------
    dW2 : ndarray of shape (h, k)
    db2 : ndarray of shape (k,)

    Examples
    --------
    >>> dW2, db2 = last_layer_gradient([[1.0, 0.0]], [[0.0, 0.0]], [1])
    >>> dW2.tolist(), db2.tolist()
    ([[0.5, -0.5], [0.0, 0.0]], [0.5, -0.5])
    """
    A = _check_numbers("hidden", hidden, "a 2-D array (one row of hidden outputs per example)")
    Z = _check_numbers("scores", scores, "a 2-D array (one row of scores per example)")
    y = _check_numbers("labels", labels, "an array of class labels (whole numbers from 0)")
    if A.ndim != 2 or Z.ndim != 2 or A.shape[0] < 1 or Z.shape[0] != A.shape[0]:
        raise CourseValueError(
            f"hidden and scores must be 2-D with one row per example each (the same number of "
            f"rows), got shapes {A.shape} and {Z.shape}"
        )
    if y.shape != (A.shape[0],):
        raise CourseValueError(
            f"labels must hold one label per row, i.e. shape ({A.shape[0]},); got {y.shape}"
        )
    k = Z.shape[1]
    if np.any(y != np.round(y)) or np.any(y < 0) or np.any(y >= k):
        raise CourseValueError(
            f"labels must be whole numbers from 0 to {k - 1} (one per class score), got "
            f"{_describe(labels)}"
        )
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(Z))):
        raise CourseValueError("hidden and scores must contain only finite numbers")
    T = np.zeros(Z.shape)
    T[np.arange(Z.shape[0]), y.astype(int)] = 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        G = _cross_entropy(Z, T)[1]
    return A.T @ G, G.sum(axis=0)


class MLP(Loss):
    """A multilayer perceptron with one hidden layer, as a loss of its flat parameter vector.

    ``scores = act(X W1 + b1) W2 + b2``; ``L(w)`` is the mean over the examples of the
    cross-entropy of ``softmax(scores)`` against the labels, or of ``||scores - onehot||^2 / 2``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        The inputs, one row per example.
    y : array_like of shape (n_samples,)
        Class labels, whole numbers from 0 to ``n_classes - 1``.
    hidden : int
        Units in the hidden layer (1 to 4096).
    activation : {"tanh", "relu"}
    loss : {"cross_entropy", "mse"}
    n_classes : int, optional
        Default: the largest label plus 1 (at least 2).

    Examples
    --------
    >>> X = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    >>> net = MLP(X, [0, 1, 1], hidden=3)
    >>> net.shape, net.sizes
    ((17,), (2, 3, 2))
    >>> round(net.value(np.zeros(17)), 6)  # all scores 0: ln 2 for two classes
    0.693147
    """

    def __init__(
        self,
        X: ArrayLike,
        y: ArrayLike,
        hidden: int = 32,
        *,
        activation: str = "tanh",
        loss: str = "cross_entropy",
        n_classes: int | None = None,
    ) -> None:
        X = _check_numbers("X", X, "a 2-D array of numbers (one row per example)")
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise CourseValueError(
                f"X must be a 2-D array with at least one row and one column (one row per "
                f"example), got shape {X.shape}"
            )
        labels = _check_numbers("y", y, "an array of class labels (whole numbers from 0)")
        if labels.shape != (X.shape[0],):
            raise CourseValueError(
                f"y must have one label per row of X, i.e. shape ({X.shape[0]},); got shape "
                f"{labels.shape}"
            )
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(labels))):
            raise CourseValueError("X and y must contain only finite numbers (no NaN or inf)")
        if np.any(labels != np.round(labels)) or np.any(labels < 0):
            raise CourseValueError(
                f"y must hold class labels, whole numbers from 0 (0, 1, 2, ...), got {_describe(y)}"
            )
        if labels.max() >= MAX_CLASSES:
            raise CourseValueError(
                f"y's labels must be below {MAX_CLASSES} (the course's networks are small), got "
                f"the label {_describe(labels.max())}"
            )
        largest = int(labels.max())
        if n_classes is None:
            n_classes = max(largest + 1, 2)
        n_classes = check_count(
            "n_classes",
            n_classes,
            minimum=2,
            maximum=MAX_CLASSES,
            why="the course's networks are small",
        )
        if largest >= n_classes:
            raise CourseValueError(
                f"y's labels must be below n_classes = {n_classes}, got the label {largest}"
            )
        hidden = check_count(
            "hidden", hidden, minimum=1, maximum=MAX_HIDDEN, why="the course's networks are small"
        )
        self.activation = _choice("activation", activation, ACTIVATIONS)
        self.loss = _choice("loss", loss, OUTPUT_LOSSES)
        targets = np.zeros((X.shape[0], n_classes))
        targets[np.arange(X.shape[0]), labels.astype(int)] = 1.0
        self.X, self.targets = _read_only(X, targets)
        self.y = labels.astype(int)
        self.y.flags.writeable = False
        d, k = X.shape[1], n_classes
        self.sizes = (d, hidden, k)
        self.shape = (d * hidden + hidden + hidden * k + k,)
        self.formula = f"{loss} of a {d}-{hidden}-{k} {activation} network"
        # The runners ask for the value and the gradient at the same point: one pass for both.
        self._last: dict[str, Any] = {}

    def __repr__(self) -> str:
        d, h, k = self.sizes
        return (
            f"MLP(n_samples={self.n_samples}, sizes={d}-{h}-{k}, activation={self.activation!r}, "
            f"loss={self.loss!r})"
        )

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def unpack(self, w: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(W1, b1, W2, b2)`` of the flat parameters ``w``, shapes ``(d, h)``, ``(h,)``,
        ``(h, k)``, ``(k,)`` (views: no copy)."""
        w = self._weights(w)
        d, h, k = self.sizes
        cuts = np.cumsum([d * h, h, h * k])
        W1, b1, W2, b2 = np.split(w, cuts)
        return W1.reshape(d, h), b1, W2.reshape(h, k), b2

    def init(self, seed: int = 0) -> np.ndarray:
        """Seeded start weights: each layer's weights normal with variance 1/fan-in (2/fan-in
        for ReLU), the biases 0 (ReLU's hidden ones ``RELU_BIAS``). The same seed gives the
        same weights on every machine."""
        rng = np.random.default_rng(check_count("seed", seed))
        d, h, k = self.sizes
        gain = 2.0 if self.activation == "relu" else 1.0
        W1 = rng.normal(0.0, np.sqrt(gain / d), size=(d, h))
        W2 = rng.normal(0.0, np.sqrt(1.0 / h), size=(h, k))
        b1 = np.full(h, RELU_BIAS if self.activation == "relu" else 0.0)
        return np.concatenate([W1.ravel(), b1, W2.ravel(), np.zeros(k)])

    def _weights(self, w: ArrayLike) -> np.ndarray:
        arr = _check_numbers("w", w)
        if arr.shape != self.shape:
            raise CourseValueError(
                f"w must be the network's {self.shape[0]} parameters as one flat vector "
                f"(shape {self.shape}; MLP.init(seed) makes one), got shape {arr.shape}"
            )
        return arr

    def _scores(self, w: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W1, b1, W2, b2 = self.unpack(w)
        pre = X @ W1 + b1
        a = np.tanh(pre) if self.activation == "tanh" else np.maximum(pre, 0.0)
        return pre, a, a @ W2 + b2

    def _value_and_gradient(self, w: ArrayLike, rows: np.ndarray | None) -> tuple[float, Any]:
        w = self._weights(w)
        if rows is not None or sums_reversed():
            return self._computed(w, rows)
        key = w.tobytes()
        last = self._last.get("last")  # (key, result) in one entry: never half of another's
        if last is None or last[0] != key:
            last = (key, self._computed(w, None))
            self._last["last"] = last
        value, grad = last[1]
        return value, grad.copy()

    def _computed(self, w: np.ndarray, rows: np.ndarray | None) -> tuple[float, np.ndarray]:
        X, T = (self.X, self.targets) if rows is None else (self.X[rows], self.targets[rows])
        if sums_reversed():  # the examples summed in the other order (see last_bits), uncached
            X, T = X[::-1], T[::-1]
        n = X.shape[0]
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run: inf and nan
            pre, a, z = self._scores(w, X)
            if self.loss == "cross_entropy":
                value, dz = _cross_entropy(z, T)
            else:
                value = float(np.mean(0.5 * ((z - T) ** 2).sum(axis=1)))
                dz = (z - T) / n
            W2 = self.unpack(w)[2]
            da = dz @ W2.T
            dpre = da * (1.0 - a * a) if self.activation == "tanh" else da * (pre > 0)
            grad = np.concatenate(
                [(X.T @ dpre).ravel(), dpre.sum(axis=0), (a.T @ dz).ravel(), dz.sum(axis=0)]
            )
        return value, grad

    def value(self, w: ArrayLike) -> float:
        return self._value_and_gradient(w, None)[0]

    def gradient(self, w: ArrayLike) -> np.ndarray:
        return self._value_and_gradient(w, None)[1]

    def minibatch_gradient(self, w: ArrayLike, idx: ArrayLike) -> np.ndarray:
        """The gradient of the mean loss over the rows ``idx`` only: an unbiased estimate of the
        full gradient when the rows are drawn at random."""
        return self.minibatch_value_and_gradient(w, idx)[1]

    def minibatch_value_and_gradient(self, w: ArrayLike, idx: ArrayLike) -> tuple[float, Any]:
        """The mean loss over the rows ``idx`` and its gradient, from one pass (what a mini-batch
        step needs: ``minibatch_sgd`` records the value and steps by the gradient)."""
        rows = _check_rows(idx, self.n_samples)
        value, grad = self._value_and_gradient(w, rows)
        return jitter(value), jitter(grad)

    def predict(self, w: ArrayLike, X: ArrayLike | None = None) -> np.ndarray:
        """The class with the largest score for each row of ``X`` (default: the training rows)."""
        X = self.X if X is None else self._inputs(X)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.argmax(self._scores(self._weights(w), X)[2], axis=1)

    def accuracy(
        self, w: ArrayLike, X: ArrayLike | None = None, y: ArrayLike | None = None
    ) -> float:
        """The share of rows whose predicted class is their label (default: the training set)."""
        if (X is None) != (y is None):
            raise CourseValueError("give both X and y (another data set), or neither (this one)")
        labels = self.y if y is None else _check_numbers("y", y)
        predicted = self.predict(w, X)
        if labels.shape != predicted.shape:
            raise CourseValueError(
                f"y must have one label per row of X, i.e. shape {predicted.shape}; got shape "
                f"{labels.shape}"
            )
        return float(np.mean(predicted == labels))

    def _inputs(self, X: ArrayLike) -> np.ndarray:
        X = _check_numbers("X", X, "a 2-D array of numbers (one row per example)")
        if X.ndim != 2 or X.shape[1] != self.sizes[0] or X.shape[0] < 1:
            raise CourseValueError(
                f"X must be a 2-D array with {self.sizes[0]} columns (the network's inputs) and "
                f"at least one row, got "
                f"shape {X.shape}"
            )
        return X
