"""The core's small network (lesson 10): its gradient against central differences, mini-batches,
seeded starts, training on the core's runner, and its refusals."""

import numpy as np
import pytest

from gdcourse import (
    MLP,
    RELU_BIAS,
    CourseTypeError,
    CourseValueError,
    adam,
    gradient_descent,
    momentum,
    numerical_gradient,
)


def _data(n=12, d=3, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, size=n)
    y[:k] = np.arange(k)  # every class present
    return X, y


def _central(f, w, h=1e-6):
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        g[i] = (f(w + e) - f(w - e)) / (2 * h)
    return g


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_the_gradient_is_the_central_difference_of_the_value(activation, loss):
    X, y = _data()
    net = MLP(X, y, hidden=4, activation=activation, loss=loss)
    w = net.init(seed=3) + 0.1  # biases off 0: a ReLU unit at exactly 0 has no derivative
    np.testing.assert_allclose(net.gradient(w), _central(net.value, w), rtol=1e-5, atol=1e-8)


def test_the_cores_numerical_gradient_agrees_too():
    X, y = _data()
    net = MLP(X, y, hidden=5)
    w = net.init(seed=1)
    np.testing.assert_allclose(net.gradient(w), numerical_gradient(net, w), rtol=1e-5, atol=1e-8)


def test_the_minibatch_gradient_is_the_full_one_on_all_rows_and_their_weighted_mean_in_parts():
    X, y = _data(n=10)
    net = MLP(X, y, hidden=4, loss="mse")
    w = net.init(seed=2)
    full = net.gradient(w)
    np.testing.assert_allclose(net.minibatch_gradient(w, np.arange(10)), full, rtol=1e-12)
    parts = [np.arange(0, 4), np.arange(4, 10)]
    mean = sum(len(p) * net.minibatch_gradient(w, p) for p in parts) / 10
    np.testing.assert_allclose(mean, full, rtol=1e-12, atol=1e-15)


def test_the_loss_values_are_the_definitions():
    X, y = _data(n=6, k=2)
    net = MLP(X, y, hidden=3, n_classes=4)
    assert net.value(np.zeros(net.shape)) == pytest.approx(np.log(4), rel=1e-12)
    sq = MLP(X, y, hidden=3, loss="mse")
    assert sq.value(np.zeros(sq.shape)) == pytest.approx(0.5, rel=1e-12)  # ||0 - onehot||^2 / 2


def test_init_is_seeded_unpack_has_the_layers_shapes_and_accuracy_counts_right_labels():
    X, y = _data(n=20, d=4, k=3)
    net = MLP(X, y, hidden=6)
    np.testing.assert_array_equal(net.init(seed=5), net.init(seed=5))
    assert not np.array_equal(net.init(seed=5), net.init(seed=6))
    W1, b1, W2, b2 = net.unpack(net.init(seed=5))
    assert (W1.shape, b1.shape, W2.shape, b2.shape) == ((4, 6), (6,), (6, 3), (3,))
    assert not b1.any() and not b2.any()
    relu = MLP(X, y, hidden=6, activation="relu")
    assert np.all(relu.unpack(relu.init(seed=5))[1] == RELU_BIAS)
    w = net.init(seed=5)
    assert net.accuracy(w) == pytest.approx(np.mean(net.predict(w) == y))
    assert net.accuracy(w, X[:5], y[:5]) == pytest.approx(np.mean(net.predict(w, X[:5]) == y[:5]))


@pytest.mark.parametrize(
    ("update", "lr"),
    [(None, 0.5), (momentum(0.9), 0.1), (adam(), 0.02)],
    ids=["plain", "heavy ball", "adam"],
)
def test_the_runner_trains_it_to_fit_a_small_data_set(update, lr):
    X, y = _data(n=30, d=2, k=2, seed=4)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # not linearly separable: the hidden layer is needed
    net = MLP(X, y, hidden=16)
    run = gradient_descent(net, net.init(seed=0), lr, 1500, tol=None, update=update)
    assert run.losses[-1] < 0.25 * run.losses[0]
    assert net.accuracy(run.weights[-1]) >= 0.9


@pytest.mark.parametrize(
    ("make", "error", "phrase"),
    [
        (lambda X, y: MLP(X[0], y), CourseValueError, "2-D"),
        (lambda X, y: MLP(X, y[:-1]), CourseValueError, "one label per row"),
        (lambda X, y: MLP(X, y + 0.5), CourseValueError, "whole numbers"),
        (lambda X, y: MLP(X, -y - 1), CourseValueError, "whole numbers"),
        (lambda X, y: MLP(X, y, n_classes=2), CourseValueError, "below n_classes"),
        (lambda X, y: MLP(X, y, hidden=0), CourseValueError, "hidden"),
        (lambda X, y: MLP(X, y, hidden=10**6), CourseValueError, "at most"),
        (lambda X, y: MLP(X, y, activation="sigmoid"), CourseValueError, "'tanh' or 'relu'"),
        (lambda X, y: MLP(X, y, loss="hinge"), CourseValueError, "cross_entropy"),
        (lambda X, y: MLP(X, ["a"] * len(y)), CourseTypeError, "y"),
        (lambda X, y: MLP(X, y).value(np.zeros(3)), CourseValueError, "flat vector"),
        (
            lambda X, y: MLP(X, y).minibatch_gradient(MLP(X, y).init(), [0.5]),
            CourseValueError,
            "row numbers",
        ),
        (
            lambda X, y: MLP(X, y).minibatch_gradient(MLP(X, y).init(), [99]),
            CourseValueError,
            "from 0 to",
        ),
        (lambda X, y: MLP(X, y).accuracy(MLP(X, y).init(), X), CourseValueError, "both X and y"),
        (lambda X, y: MLP(X, y).predict(MLP(X, y).init(), X[:, :2]), CourseValueError, "columns"),
    ],
)
def test_bad_input_is_refused_in_a_sentence(make, error, phrase):
    X, y = _data()
    with pytest.raises(error, match=phrase):
        make(X, y)


def test_a_network_is_fixed_once_made_and_its_data_read_only():
    X, y = _data()
    net = MLP(X, y, hidden=3)
    with pytest.raises(CourseValueError, match="fixed once made"):
        net.loss = "mse"
    with pytest.raises(ValueError):
        net.X[0, 0] = 1.0
    X[0, 0] = 99.0  # the caller's array is copied
    assert net.X[0, 0] != 99.0


def test_one_pass_serves_the_value_and_the_gradient_at_a_point_and_never_a_stale_one():
    X, y = _data()
    net, fresh = MLP(X, y, hidden=4), MLP(X, y, hidden=4)
    w1, w2 = net.init(seed=1), net.init(seed=2)
    g = net.gradient(w1)
    g[:] = 0.0  # a caller's change to the result it got does not reach the next call
    for w in (w1, w2, w1):
        assert net.value(w) == fresh.value(w)
        np.testing.assert_array_equal(net.gradient(w), fresh.gradient(w))
    w3 = w1.copy()
    w3[0] += 1e-12  # a different point, however close
    np.testing.assert_array_equal(net.gradient(w3), fresh.gradient(w3))


def test_found_by_review_infinite_scores_huge_labels_ragged_rows_and_the_relu_kink():
    import warnings

    net = MLP([[1.0]], [0], hidden=2)
    w = np.zeros(net.shape)
    W1, _, W2, _ = net.unpack(w)
    W1[:] = 10.0
    W2[:, 1] = -1e308  # the wrong class's score is -inf: softmax [1, 0], the loss 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.value(w) == 0.0
        W2[:, 1] = 1e308  # +inf: the loss is inf, not nan
        assert net.value(w) == np.inf
        net.predict(w)
    X, y = _data()
    for labels in ([0, 1e20, 1] * 4, [0, 10**4, 2] * 4):
        with pytest.raises(CourseValueError, match="below 1000"):
            MLP(X, labels)
    with pytest.raises(CourseValueError, match="at most"):
        MLP(X, y, n_classes=10**9)
    big = MLP(X, y, hidden=3)
    for idx in ([[0], [1, 2]], [10**30]):
        with pytest.raises(CourseValueError, match="row numbers"):
            big.minibatch_gradient(big.init(), idx)
    xor = MLP([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], hidden=4, activation="relu")
    w = xor.init(0)
    np.testing.assert_allclose(xor.gradient(w), _central(xor.value, w), rtol=1e-5, atol=1e-8)
