"""Losses: values, analytic gradients against central differences, Hessians, minima, input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdcourse import (
    CourseValueError,
    LinearRegression,
    Quadratic1D,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    TiltedDoubleWell,
    check_gradient,
    make_regression,
    numerical_gradient,
)

X, Y, W_TRUE = make_regression(50, 3, noise=0.3, seed=4)

LOSSES_1D = [Quadratic1D(2, 3), Quadratic1D(0.5, -1), TiltedDoubleWell(0.5)]
LOSSES_2D = [
    QuadraticBowl([1.0, 10.0], rotation=0.7, center=[1.0, -2.0]),
    SaddleWithMinima(),
    Rosenbrock(),
]
coord = st.floats(-2, 2)


@pytest.mark.parametrize("loss", LOSSES_1D, ids=repr)
@given(w=coord)
def test_1d_analytic_gradient_matches_central_differences(loss, w):
    assert check_gradient(loss, w).passed


@pytest.mark.parametrize("loss", LOSSES_2D, ids=repr)
@given(x=coord, y=coord)
def test_2d_analytic_gradient_matches_central_differences(loss, x, y):
    assert check_gradient(loss, [x, y]).passed


@given(w=st.lists(coord, min_size=3, max_size=3))
def test_regression_gradient_matches_central_differences(w):
    assert check_gradient(LinearRegression(X, Y), w).passed


@given(w=st.lists(coord, min_size=4, max_size=4))
def test_4d_bowl_gradient_matches_central_differences(w):
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))
    assert check_gradient(QuadraticBowl([1, 2, 5, 30], rotation=q), w).passed


@pytest.mark.parametrize("loss", [*LOSSES_2D, LinearRegression(X, Y)], ids=repr)
def test_hessian_is_the_derivative_of_the_gradient(loss):
    w = np.linspace(0.3, -0.4, loss.shape[0])
    numeric = np.array(
        [numerical_gradient(lambda v, i=i: loss.gradient(v)[i], w) for i in range(w.size)]
    )
    np.testing.assert_allclose(loss.hessian(w), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("loss", LOSSES_1D, ids=repr)
def test_1d_hessian_is_the_derivative_of_the_gradient(loss):
    assert loss.hessian(0.7) == pytest.approx(numerical_gradient(loss.gradient, 0.7), rel=1e-6)


def test_quadratic1d_matches_its_formula_and_returns_plain_floats():
    loss = Quadratic1D(a=2, c=3)
    assert loss.formula == "(w - 3)^2"
    assert isinstance(loss.value(7), float) and isinstance(loss.gradient(7), float)
    assert loss(7) == 16.0
    np.testing.assert_allclose(loss.value(np.array([1.0, 3.0, 5.0])), [4.0, 0.0, 4.0])
    assert loss.hessian(0.0) == 2.0


def test_bowl_has_the_chosen_eigenvalues_after_rotation():
    bowl = QuadraticBowl([1.0, 25.0], rotation=0.9)
    np.testing.assert_allclose(np.linalg.eigvalsh(bowl.matrix), [1.0, 25.0])
    assert bowl.condition_number == 25.0
    assert QuadraticBowl.with_condition_number(10).condition_number == 10.0
    assert bowl.value([0.0, 0.0]) == 0.0
    assert not np.allclose(bowl.matrix, np.diag(np.diag(bowl.matrix)))  # rotated: coupled


def test_bowl_evaluates_a_grid_of_points_at_once():
    bowl = QuadraticBowl([1.0, 4.0])
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)), axis=-1)
    values = bowl.value(grid)
    assert values.shape == (4, 5)
    assert values[0, 0] == pytest.approx(0.5 * (1 + 4))


def test_saddle_has_a_strict_saddle_at_the_origin_and_minima_at_plus_minus_one():
    s = SaddleWithMinima()
    assert np.allclose(s.gradient([0.0, 0.0]), 0)
    assert np.linalg.eigvalsh(s.hessian([0.0, 0.0])).tolist() == [-2.0, 2.0]  # strict saddle
    for m in s.minimizers:
        assert np.allclose(s.gradient(m), 0)
        assert np.all(np.linalg.eigvalsh(s.hessian(m)) > 0)
        assert s.value(m) == s.minimum_value == -0.5
    # Bounded below: far out along y the quartic wins.
    assert s.value([0.0, 10.0]) > 0


def test_tilted_double_well_has_a_worse_local_minimum():
    well = TiltedDoubleWell(0.5)
    for w in (well.global_minimizer, well.local_minimizer, well.local_maximizer):
        assert abs(well.gradient(w)) < 1e-12
    assert well.hessian(well.global_minimizer) > 0 and well.hessian(well.local_minimizer) > 0
    assert well.hessian(well.local_maximizer) < 0
    assert well.value(well.global_minimizer) < well.value(well.local_minimizer)
    assert well.global_minimizer < 0 < well.local_minimizer
    assert TiltedDoubleWell(-0.5).global_minimizer > 0


def test_rosenbrock_minimum():
    r = Rosenbrock()
    assert r.value(r.minimizer) == 0.0
    assert np.allclose(r.gradient(r.minimizer), 0)


def test_regression_loss_is_the_mean_squared_error_and_its_minimum_is_least_squares():
    loss = LinearRegression(X, Y)
    w = np.array([0.1, -0.2, 0.3])
    assert loss.value(w) == pytest.approx(np.mean((X @ w - Y) ** 2))
    assert np.allclose(loss.gradient(loss.minimizer), 0, atol=1e-10)
    assert np.allclose(loss.per_example_gradients(w).mean(axis=0), loss.gradient(w))
    everything = np.arange(len(Y))
    assert np.allclose(loss.minibatch_gradient(w, everything), loss.gradient(w))


def test_make_regression_is_seeded_and_recovers_w_true():
    a = make_regression(2000, 4, noise=0.1, seed=7)
    b = make_regression(2000, 4, noise=0.1, seed=7)
    c = make_regression(2000, 4, noise=0.1, seed=8)
    for left, right in zip(a, b, strict=True):
        assert np.array_equal(left, right)
    assert not np.array_equal(a[0], c[0])
    X, y, w_true = a
    assert np.allclose(LinearRegression(X, y).minimizer, w_true, atol=0.01)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Quadratic1D(a=0), r"a \(the curvature\) must be a finite number > 0, got 0.0"),
        (lambda: Quadratic1D(a=-2), "must be a finite number > 0, got -2.0"),
        (lambda: Quadratic1D(c=float("nan")), "must be a finite number, got nan"),
        (lambda: QuadraticBowl([1.0, -1.0]), "eigenvalues must all be finite numbers > 0"),
        (lambda: QuadraticBowl([1.0]), "at least 2 numbers"),
        (lambda: QuadraticBowl([1.0, 2.0, 3.0], rotation=0.5), "angle rotation only works in 2-D"),
        (lambda: QuadraticBowl([1.0, 2.0], rotation=[[1, 1], [0, 1]]), "orthogonal 2x2"),
        (lambda: TiltedDoubleWell(0.0), "tilt must be non-zero"),
        (lambda: LinearRegression(X, Y[:-1]), r"y must have one target per row of X"),
        (lambda: LinearRegression(X[:, 0], Y), "X must be a 2-D array"),
        (lambda: make_regression(0, 2), "n_samples must be a whole number >= 1, got 0"),
        (lambda: make_regression(10, 2, noise=-1), "noise must be a finite number >= 0"),
    ],
)
def test_bad_loss_arguments_get_a_sentence(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_wrong_point_size_names_the_expected_length():
    with pytest.raises(CourseValueError, match=r"w must have 2 entries"):
        Rosenbrock().value([1.0, 2.0, 3.0])
