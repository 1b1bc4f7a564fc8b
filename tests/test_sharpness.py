"""The sharpness (the Hessian's largest eigenvalue) from gradients alone: Hessian-vector products
by central differences, Lanczos on them, checked against exact Hessians and a dense numerical
one on a tiny network, and the largest *algebraic* eigenvalue where the largest in size is
negative."""

import numpy as np
import pytest

from gdcourse import (
    MLP,
    QuadraticBowl,
    SaddleWithMinima,
    Sharpness,
    hessian_vector_product,
    sharpness,
)
from gdcourse.core.errors import CourseTypeError, CourseValueError


def _dense_hessian(loss, w, h=1e-5):
    n = w.size
    H = np.empty((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        H[:, i] = (loss.gradient(w + e) - loss.gradient(w - e)) / (2 * h)
    return (H + H.T) / 2


def _tiny_network(loss="mse"):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    return MLP(X, y, 5, loss=loss)


def test_a_hessian_vector_product_is_the_hessian_times_the_vector():
    bowl = QuadraticBowl([1.0, 5.0], rotation=0.4)
    v = np.array([0.3, -2.0])
    np.testing.assert_allclose(
        hessian_vector_product(bowl, [0.2, 0.7], v), bowl.hessian([0.2, 0.7]) @ v, rtol=1e-8
    )
    assert hessian_vector_product(bowl, [0.2, 0.7], [0.0, 0.0]).tolist() == [0.0, 0.0]


def test_the_sharpness_of_a_bowl_is_its_largest_curvature():
    s = sharpness(QuadraticBowl([1.0, 3.0, 7.0]), [0.1, 0.2, 0.3], iterations=3)
    assert isinstance(s, Sharpness)
    assert abs(s.value - 7.0) < 1e-8 and abs(s.smallest - 1.0) < 1e-8 and s.residual < 1e-8


class _Saddle:
    """w0^2 / 2 - 3 w1^2 / 2: curvatures 1 and -3, the negative one the larger in size."""

    shape = (2,)

    def value(self, w):
        return 0.5 * w[0] ** 2 - 1.5 * w[1] ** 2

    def gradient(self, w):
        return np.array([w[0], -3.0 * w[1]])


def test_at_a_saddle_it_is_the_largest_algebraic_eigenvalue_not_the_largest_in_size():
    s = sharpness(_Saddle(), [0.0, 0.0])
    assert s.value > 0 and abs(s.value - 1.0) < 1e-6 and abs(s.smallest + 3.0) < 1e-6
    assert np.linalg.eigvalsh(SaddleWithMinima().hessian([0.0, 0.0])).tolist() == [-2.0, 2.0]
    assert abs(sharpness(SaddleWithMinima(), [0.0, 0.0]).value - 2.0) < 1e-6


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_on_a_tiny_network_it_agrees_with_the_dense_hessian(loss):
    net = _tiny_network(loss)
    w = net.init(0)
    eigenvalues = np.linalg.eigvalsh(_dense_hessian(net, w))
    assert eigenvalues[0] < 0 < eigenvalues[-1]  # non-convex: plain power iteration could mislead
    for k in (20, w.size):
        s = sharpness(net, w, iterations=k)
        assert abs(s.value - eigenvalues[-1]) < 1e-6 * abs(eigenvalues[-1])
        assert s.residual < 1e-5


def test_the_reading_is_seeded_and_does_not_depend_much_on_the_seed():
    net = _tiny_network()
    w = net.init(1)
    a, b = sharpness(net, w, seed=0), sharpness(net, w, seed=0)
    assert a == b
    assert abs(sharpness(net, w, seed=5).value - a.value) < 1e-6 * a.value


def test_bad_arguments_get_one_sentence():
    bowl = QuadraticBowl([1.0, 2.0])
    with pytest.raises(CourseValueError, match="v must have the shape of w"):
        hessian_vector_product(bowl, [0.0, 0.0], [1.0, 2.0, 3.0])
    with pytest.raises(CourseValueError, match="finite"):
        hessian_vector_product(bowl, [0.0, 0.0], [np.nan, 1.0])
    with pytest.raises(CourseValueError, match="iterations"):
        sharpness(bowl, [0.0, 0.0], iterations=1)
    with pytest.raises((CourseTypeError, CourseValueError)):
        sharpness("bowl", [0.0, 0.0])
