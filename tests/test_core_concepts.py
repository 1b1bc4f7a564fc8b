"""The functions that moved into the core from lessons, widgets and plots: what each computes,
and one sentence (never a raw traceback from our code) for each kind of bad input."""

import math

import numpy as np
import pytest

from gdcourse import (
    AbsoluteValue,
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    SaddleWithMinima,
    SharpFlatWells,
    TwoVariableLoss,
    angle_between,
    batch_variance,
    central_difference,
    condition_number,
    critical_point_near,
    difference_errors,
    directional_derivative,
    escape_steps_simulated,
    first_step_within,
    forward_difference,
    gradient_descent,
    hessian_eigenvalues,
    minibatch_gradient_variance,
    multipliers,
    read_direction,
    regime_bands,
    saddle_escape_steps,
    sign_label,
    standardise,
    step_lengths,
    steps_to_relative_tolerance,
    sweep_losses,
    travel_bound,
    wrap_angle,
    zigzag_direction,
)

SEED = Quadratic1D(a=2, c=3)


# -- losses that came from the lessons -----------------------------------------------------------
def test_absolute_value_has_slope_one_everywhere_but_its_kink_and_descent_bounces():
    loss = AbsoluteValue()
    assert loss.gradient(-0.3) == -1.0 and loss.gradient(2.0) == 1.0 and loss.gradient(0.0) == 0
    run = gradient_descent(loss, 1.05, lr=0.1, steps=40)
    np.testing.assert_allclose(np.abs(run.weights[-4:]), 0.05, atol=1e-12)
    assert run.status == "bouncing"


def test_sharp_flat_wells_find_their_minima_and_curvatures():
    wells = SharpFlatWells()
    sharp, barrier, flat = wells.minima()
    assert sharp < barrier < flat
    assert wells.curvature(sharp) == pytest.approx(100, rel=0.05)
    assert wells.curvature(flat) == pytest.approx(2, rel=0.1)
    assert abs(wells.gradient(sharp)) < 1e-2 and abs(wells.gradient(flat)) < 1e-3
    with pytest.raises(CourseValueError, match="sharp's width must be a finite number > 0"):
        SharpFlatWells(sharp=(-1.0, 0.0))
    with pytest.raises(CourseValueError, match="the sharp well must be left of the flat one"):
        SharpFlatWells(sharp=(2.0, 0.1))


def test_two_variable_loss_checks_its_formulas_and_points():
    poly = TwoVariableLoss("x^2 y", lambda x, y: x**2 * y, lambda x, y: (2 * x * y, x**2))
    assert poly.value([[2.0, -1.0], [1.0, 1.0]]).tolist() == [-4.0, 1.0]
    with pytest.raises(CourseTypeError, match="value and gradient must be functions"):
        TwoVariableLoss("x", 3.0, None)
    with pytest.raises(CourseValueError, match="w must have 2 entries"):
        poly.value([1.0, 2.0, 3.0])


# -- the quadratic model -------------------------------------------------------------------------
def test_multipliers_zigzags_and_regime_bands():
    assert multipliers([1.0, 20.0], 0.07).round(6).tolist() == [0.93, -0.4]
    assert [zigzag_direction([1, 20], lr) for lr in (0.03, 0.05, 0.07)] == [
        "neither",
        "neither",
        "steep",
    ]
    assert regime_bands(4.0, (0.01, 1.0)) == [
        ("monotone", 0.01, 0.25),
        ("oscillating-converging", 0.25, 0.5),
        ("diverging", 0.5, 1.0),
    ]
    with pytest.raises(CourseValueError, match="curvature must be a number > 0"):
        multipliers([1.0, -2.0], 0.1)


def test_hessian_eigenvalues_and_the_condition_number():
    bowl = QuadraticBowl([1.0, 20.0], rotation=math.pi / 6)
    np.testing.assert_allclose(hessian_eigenvalues(bowl), [1.0, 20.0])
    assert condition_number(bowl) == pytest.approx(20.0)
    assert condition_number(SaddleWithMinima().hessian([0.0, 1.0]).diagonal()) == 2.0
    with pytest.raises(CourseValueError, match="a condition number needs curvatures > 0"):
        condition_number(SaddleWithMinima())  # its Hessian at the origin has a negative one
    with pytest.raises(CourseTypeError, match="has no hessian"):
        hessian_eigenvalues(AbsoluteValue())


# -- mini-batches --------------------------------------------------------------------------------
def test_batch_variance_formula_and_its_limits():
    assert batch_variance(8.0, 100, 25) == pytest.approx(8 / 25 * 75 / 99)
    assert batch_variance(8.0, 100, 100) == 0.0  # the whole data set: no noise left
    with pytest.raises(CourseValueError, match="batch_size must be between 1 and N=100"):
        batch_variance(8.0, 100, 101)
    with pytest.raises(CourseTypeError, match="loss must be a LinearRegression"):
        minibatch_gradient_variance(SEED, 1.0, 2)


# -- saddles -------------------------------------------------------------------------------------
def test_escape_steps_and_where_a_run_ends():
    assert escape_steps_simulated(1e-6, 0.1) == 73
    assert round(saddle_escape_steps(1e-6, 0.1), 2) == 71.97
    assert escape_steps_simulated(0.0, 0.1) is None
    run = gradient_descent(SaddleWithMinima(), [1.0, 0.01], lr=0.1, steps=3000)
    assert critical_point_near(SaddleWithMinima(), run.weights[-1]) == "upper minimum"
    assert critical_point_near(SEED, 3.001) == "minimum"


# -- measurements --------------------------------------------------------------------------------
def test_first_step_within_and_step_lengths():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=40)
    k = first_step_within(run.weights, 3.0, 0.01)
    assert abs(run.weights[k] - 3) <= 0.01 < abs(run.weights[k - 1] - 3)
    assert first_step_within([7.0, 6.0], 3.0, 0.01) is None
    bowl = gradient_descent(QuadraticBowl([1.0, 3.0]), [2.0, 1.0], lr=0.1, steps=5)
    assert first_step_within(bowl.weights, [0.0, 0.0], 10.0) == 0
    np.testing.assert_allclose(step_lengths(run)[:2], [0.8, 0.64])
    np.testing.assert_allclose(
        step_lengths(bowl), np.linalg.norm(np.diff(bowl.weights, axis=0), axis=1)
    )


def test_steps_to_a_relative_tolerance_grow_with_the_condition_number():
    fast = steps_to_relative_tolerance(QuadraticBowl([1.0, 2.0], center=[1.0, 1.0]), lr=0.6)
    slow = steps_to_relative_tolerance(QuadraticBowl([1.0, 20.0], center=[1.0, 1.0]), lr=0.09)
    assert fast < slow
    with pytest.raises(CourseTypeError, match="has no minimizer"):
        steps_to_relative_tolerance(TwoVariableLoss("x", lambda x, y: x, lambda x, y: (1, 0)), 0.1)


def test_a_sweep_counts_only_runs_cut_short_as_infinite():
    ratios = sweep_losses(4.0, [0.1, 0.5, 0.6, 50.0], steps=10, w0=7.0, c=3.0)
    np.testing.assert_allclose(ratios[:3], (1 - np.array([0.1, 0.5, 0.6]) * 4) ** 20)
    assert ratios[3] == math.inf  # overflowed: the run stopped early


# -- directions ----------------------------------------------------------------------------------
def test_directions_signs_and_wrapped_angles():
    assert sign_label(-1e-12) == "zero" and sign_label(0.2) == "positive"
    np.testing.assert_allclose(directional_derivative([3.0, 4.0], [0, 90, 180]), [3, 4, -3])
    assert wrap_angle(350.0) == -10.0 and wrap_angle(-180.0) == 180.0
    reading = read_direction(QuadraticBowl([1.0, 5.0], rotation=math.pi / 4), (1.0, 1.0), 0.0)
    assert reading.off_minimum == pytest.approx(0.0, abs=1e-9)  # on the bowl's axis
    with pytest.raises(CourseValueError, match="an angle needs two non-zero vectors"):
        angle_between([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(CourseTypeError, match="loss must be a loss object"):
        read_direction(3.0, (1.0, 1.0), 0.0)
    with pytest.raises(CourseValueError, match="gradient must be a 2-D vector"):
        directional_derivative([1.0, 2.0, 3.0], [0.0])


# -- finite differences, data, schedules --------------------------------------------------------
def test_differences_and_their_errors():
    assert central_difference(lambda w: w**3, 1.0, 0.1) == pytest.approx(3.01)
    assert forward_difference(lambda w: w**3, 1.0, 0.1) == pytest.approx(3.31)
    errors = difference_errors(lambda w: w**3, lambda w: 3 * w**2, 1.0, [1e-1, 1e-2, 1e-3])
    np.testing.assert_allclose(errors.shrink()[0], 100, rtol=1e-3)
    np.testing.assert_allclose(errors.shrink()[1], 10, rtol=0.05)
    with pytest.raises(CourseValueError, match="h must be a finite number > 0"):
        central_difference(lambda w: w, 1.0, 0.0)


def test_standardise_and_the_travel_bound():
    Z = standardise([[1.0, 10.0], [3.0, 30.0], [5.0, 50.0]])
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    with pytest.raises(CourseValueError, match="a column of X is constant"):
        standardise([[1.0, 2.0], [1.0, 3.0]])
    assert travel_bound(0.1, 0.75, 8.0) == pytest.approx(3.2)
    with pytest.raises(CourseValueError, match="gamma must be in"):
        travel_bound(0.1, 1.0, 8.0)


def test_steps_to_relative_tolerance_takes_an_update_rule_and_counts_what_it_simulates():
    from gdcourse import best_momentum, momentum

    tuning = best_momentum([1.0, 100.0])
    bowl = QuadraticBowl([1.0, 100.0], center=[1.0, 1.0])
    with_momentum = steps_to_relative_tolerance(bowl, tuning.lr, update=momentum(tuning.mu))
    plain = steps_to_relative_tolerance(bowl, 2 / 101)
    # the formula's 69 is asymptotic; the simulated run takes longer, still far below plain's
    assert tuning.steps_to_shrink(1e6) == (69, 691)
    assert 69 < with_momentum < 100 and plain == 691
    with pytest.raises(TypeError, match="update"):
        steps_to_relative_tolerance(bowl, 0.01, update=momentum)


def test_path_difference_sees_adams_scaled_paths_coincide_and_plain_descents_part():
    from gdcourse import adam, path_difference

    bowl, scaled = QuadraticBowl([1.0, 100.0]), QuadraticBowl([1000.0, 100000.0])
    assert path_difference(bowl, scaled, [1.0, 1.0], 0.01, 200, update=adam()) < 1e-8
    assert path_difference(bowl, bowl, [1.0, 1.0], 0.01, 50) == 0.0
    # plain descent at 0.01 on the scaled bowl blows up and stops early: infinitely far apart
    assert path_difference(bowl, scaled, [1.0, 1.0], 0.01, 200) == float("inf")
    with pytest.raises(TypeError, match=r"^other must be a loss object"):
        path_difference(bowl, QuadraticBowl, [1.0, 1.0], 0.01, 5)
    with pytest.raises(ValueError, match="steps"):
        path_difference(bowl, bowl, [1.0, 1.0], 0.01, 0)
