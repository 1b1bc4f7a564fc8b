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
    SharpnessRun,
    SharpnessStudy,
    descent_sharpness,
    hessian_vector_product,
    sharpness,
    sharpness_study,
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


def test_following_the_sharpness_along_descent_reads_the_dense_hessian_at_each_step():
    net = _tiny_network()
    w = net.init(seed=1)
    run = descent_sharpness(net, w, 0.3, 40, every=10, iterations=60)
    assert run.steps.tolist() == [0, 10, 20, 30, 40] and run.losses.shape == (41,)
    for k in range(41):  # the same descent, by hand
        assert net.value(w) == pytest.approx(run.losses[k], rel=1e-12)
        if k % 10 == 0:
            top = np.linalg.eigvalsh(_dense_hessian(net, w))[-1]
            assert run.sharpness[k // 10] == pytest.approx(top, rel=1e-5)
        w = w - 0.3 * net.gradient(w)
    assert run.threshold == pytest.approx(2 / 0.3)


def test_a_plateau_is_a_windows_median_and_a_study_stacks_its_runs():
    bowl = QuadraticBowl([1.0, 3.0])
    study = sharpness_study(bowl, [1.0, 1.0], [0.1, 0.5], 6, every=2)
    assert isinstance(study, SharpnessStudy) and study.sharpness.shape == (2, 4)
    assert study.thresholds.tolist() == [20.0, 4.0]
    np.testing.assert_allclose(study.plateau(2), [3.0, 3.0], rtol=1e-9)
    run = study.run(1)
    assert isinstance(run, SharpnessRun) and run.lr == 0.5
    readings = np.array([1.0, 9.0, 2.0, 30.0, 3.0])
    hovering = SharpnessRun(0.1, np.arange(0, 50, 10), readings, np.ones(41))
    assert hovering.plateau(10) == 6.0 and hovering.plateau(0) == 3.0  # medians of 4 and of 5
    with pytest.raises(CourseValueError, match="start must be at most the last reading's step, 40"):
        hovering.plateau(41)


def test_following_the_sharpness_refuses_what_it_cannot_follow():
    bowl = QuadraticBowl([1.0, 3.0])
    with pytest.raises(CourseValueError, match=r"lr must be one positive number, got -0\.1"):
        descent_sharpness(bowl, [1.0, 1.0], -0.1, 5)
    with pytest.raises(CourseValueError, match="lr=1 diverges from this start"):
        descent_sharpness(bowl, [1.0, 1.0], 1.0, 2000)  # 2/lr = 2 < 3: it diverges
    with pytest.raises(CourseValueError, match="rates must be a list of positive numbers"):
        sharpness_study(bowl, [1.0, 1.0], 0.1, 5)
    with pytest.raises(CourseValueError, match="rates must hold at least one rate"):
        sharpness_study(bowl, [1.0, 1.0], [], 5)
