"""gradient_descent and Trajectory: statuses, simultaneous updates, schedules, bad input."""

import math
import warnings

import numpy as np
import pytest

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    constant,
    gradient_descent,
    gradient_step,
    linear_warmup,
    step_decay,
)

SEED = Quadratic1D(a=2, c=3)


def test_weights_include_w0_and_have_one_row_per_step():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=5)
    assert run.weights.shape == (6,)
    assert run.losses.shape == run.grad_norms.shape == (6,)
    assert run.lrs.tolist() == [0.1] * 5
    assert run.weights[0] == 7.0
    assert run.status == "max_steps"


def test_nd_weights_have_one_row_per_step_and_one_column_per_parameter():
    run = gradient_descent(Rosenbrock(), [-1.5, 2.0], lr=1e-3, steps=10)
    assert run.weights.shape == (11, 2)
    assert np.all(np.diff(run.losses) < 0)  # small rate on a smooth valley: loss falls


def test_loss_decreases_every_step_below_the_stable_rate():
    run = gradient_descent(SEED, 7.0, lr=0.75, steps=20)
    assert np.all(np.diff(run.losses) < 0)
    assert np.all(np.diff(np.sign(run.weights - 3))[:5] != 0)  # it oscillates around 3


def test_converged_when_gradient_norm_reaches_tol_and_stops_there():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=10_000, tol=1e-6)
    assert run.status == "converged"
    assert run.grad_norms[-1] <= 1e-6 < run.grad_norms[-2]
    assert run.n_steps < 10_000


def test_start_at_the_minimum_converges_in_zero_steps():
    run = gradient_descent(SEED, 3.0, lr=0.1, steps=10)
    assert (run.status, run.n_steps) == ("converged", 0)


def test_rate_two_over_a_is_bouncing_not_max_steps():
    run = gradient_descent(SEED, 7.0, lr=1.0, steps=50)
    assert run.status == "bouncing" and run.phrase == "bounces between two points forever"
    assert run.weights[-1] in (7.0, -1.0)


def test_slowly_shrinking_oscillation_is_not_called_bouncing():
    run = gradient_descent(SEED, 7.0, lr=0.95, steps=50)  # multiplier -0.9
    assert run.status == "max_steps"


def test_divergence_is_a_status_without_warnings_or_exceptions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow) fails the test
        run = gradient_descent(Rosenbrock(), [-1.5, 2.0], lr=0.5, steps=1000)
    assert run.status == "diverged"
    assert run.n_steps < 1000


def test_diverged_run_stops_at_the_first_nonfinite_or_huge_loss():
    run = gradient_descent(SEED, 7.0, lr=3.0, steps=1000)  # multiplier -5
    assert run.status == "diverged"
    assert np.all(np.isfinite(run.losses[:-1]))
    assert run.losses[-1] > 1e12 * run.losses[0] or not np.isfinite(run.losses[-1])
    assert run.losses[-2] <= 1e12 * run.losses[0]


def test_all_parameters_update_simultaneously_on_a_coupled_loss():
    bowl = QuadraticBowl([1.0, 4.0], rotation=0.6)  # off-diagonal Hessian: coupled
    w0 = np.array([2.0, -1.0])
    run = gradient_descent(bowl, w0, lr=0.2, steps=1)
    expected = w0 - 0.2 * bowl.gradient(w0)
    assert np.allclose(run.weights[1], expected)
    # One-after-another (x first, then y with the new x) gives a different point.
    x_new = w0[0] - 0.2 * bowl.gradient(w0)[0]
    y_new = w0[1] - 0.2 * bowl.gradient([x_new, w0[1]])[1]
    assert not np.allclose(run.weights[1], [x_new, y_new])


def test_saddle_started_on_the_axis_converges_to_the_saddle_point():
    run = gradient_descent(SaddleWithMinima(), [1.0, 0.0], lr=0.1, steps=500)
    assert run.status == "converged"
    assert np.allclose(run.final_weights, [0.0, 0.0], atol=1e-9)


def test_saddle_with_a_tiny_offset_escapes_to_a_minimum():
    run = gradient_descent(SaddleWithMinima(), [1.0, 1e-6], lr=0.1, steps=2000)
    assert run.status == "converged"
    assert np.allclose(run.final_weights, [0.0, 1.0], atol=1e-6)


def test_schedule_rates_are_used_and_recorded():
    sched = step_decay(0.4, 0.5, every=2)
    run = gradient_descent(SEED, 7.0, lr=sched, steps=5)
    assert run.lrs.tolist() == [0.4, 0.4, 0.2, 0.2, 0.1]
    w = 7.0
    for rate in run.lrs:
        w = w - rate * SEED.gradient(w)
    assert run.weights[-1] == pytest.approx(w)


def test_zero_rate_warmup_step_is_a_no_op():
    run = gradient_descent(SEED, 7.0, lr=linear_warmup(0.1, warmup_steps=2), steps=3)
    assert run.lrs[0] == 0.0
    assert run.weights[1] == run.weights[0]


def test_plain_function_schedule_is_accepted():
    run = gradient_descent(SEED, 7.0, lr=lambda k: 0.1 / (k + 1), steps=3)
    assert run.lrs.tolist() == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_trajectory_is_frozen():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=3)
    with pytest.raises(ValueError):
        run.weights[0] = 0.0
    with pytest.raises(AttributeError):
        run.status = "converged"


def test_repr_is_a_short_summary():
    text = repr(gradient_descent(SEED, 7.0, lr=0.1, steps=3))
    assert text.startswith("Trajectory(status='max_steps', steps=3")
    assert "array" not in text


def test_custom_loss_object_works():
    class Abs4:
        def value(self, w):
            return float(w) ** 4

        def gradient(self, w):
            return 4 * float(w) ** 3

    run = gradient_descent(Abs4(), 1.0, lr=0.05, steps=20)
    assert np.all(np.diff(run.losses) < 0)


@pytest.mark.parametrize(
    ("lr", "message"),
    [
        (0.0, "lr must be a positive finite number, got 0.0"),
        (-0.1, "lr must be a positive finite number, got -0.1"),
        (float("nan"), "lr must be a positive finite number, got nan"),
        (float("inf"), "lr must be a positive finite number, got inf"),
    ],
)
def test_bad_rates_are_refused_with_a_sentence(lr, message):
    with pytest.raises(ValueError, match=message):
        gradient_descent(SEED, 7.0, lr=lr, steps=5)


def test_rate_of_wrong_type_names_what_was_expected():
    with pytest.raises(TypeError, match="lr must be a positive finite number or a schedule"):
        gradient_descent(SEED, 7.0, lr="0.1", steps=5)


def test_schedule_with_a_negative_rate_names_the_step():
    with pytest.raises(ValueError, match=r"lr gave -0.1 at step 2"):
        gradient_descent(SEED, 7.0, lr=lambda k: 0.1 if k < 2 else -0.1, steps=5)


@pytest.mark.parametrize("w0", [float("nan"), float("inf"), [1.0, float("nan")]])
def test_nonfinite_start_points_are_refused(w0):
    loss = SEED if np.ndim(w0) == 0 else Rosenbrock()
    with pytest.raises(CourseValueError, match="w0 must be finite"):
        gradient_descent(loss, w0, lr=0.1, steps=5)


def test_wrong_shape_start_point_says_how_many_parameters():
    with pytest.raises(CourseValueError, match=r"w0 must have shape \(2,\) \(2 parameters\)"):
        gradient_descent(Rosenbrock(), [1.0, 2.0, 3.0], lr=0.1, steps=5)
    with pytest.raises(CourseValueError, match="single number for this 1-D loss"):
        gradient_descent(SEED, [1.0, 2.0], lr=0.1, steps=5)


@pytest.mark.parametrize(
    ("steps", "exc", "message"),
    [
        (-1, CourseValueError, "steps must be a whole number >= 0, got -1"),
        (2.5, CourseTypeError, "steps must be a whole number >= 0, got 2.5"),
        (10.0, CourseTypeError, r"use 10, not 10.0"),
        (True, CourseTypeError, "steps must be a whole number"),
    ],
)
def test_bad_step_counts_are_refused(steps, exc, message):
    with pytest.raises(exc, match=message):
        gradient_descent(SEED, 7.0, lr=0.1, steps=steps)


def test_object_without_value_or_gradient_is_not_a_loss():
    with pytest.raises(TypeError, match=r"loss must be a loss object .* no value\(\) or gradient"):
        gradient_descent(lambda w: w**2, 7.0, lr=0.1, steps=5)


def test_errors_are_ordinary_value_and_type_errors():
    assert issubclass(CourseValueError, ValueError)
    assert issubclass(CourseTypeError, TypeError)


def test_gradient_step_moves_every_entry_at_once():
    assert gradient_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), lr=0.1).tolist() == [
        0.95,
        2.1,
    ]
    with pytest.raises(CourseValueError, match="same shape as w"):
        gradient_step(np.array([1.0, 2.0]), 3.0, lr=0.1)


def test_constant_schedule_matches_fixed_rate():
    a = gradient_descent(SEED, 7.0, lr=constant(0.3), steps=10)
    b = gradient_descent(SEED, 7.0, lr=0.3, steps=10)
    assert np.array_equal(a.weights, b.weights)


def test_noise_zero_is_plain_gradient_descent_and_noise_is_seeded():
    plain = gradient_descent(SEED, 7.0, lr=0.1, steps=20)
    assert np.array_equal(
        gradient_descent(SEED, 7.0, lr=0.1, steps=20, noise=0.0).weights, plain.weights
    )
    a = gradient_descent(SEED, 7.0, lr=0.1, steps=20, noise=0.5, seed=3)
    b = gradient_descent(SEED, 7.0, lr=0.1, steps=20, noise=0.5, seed=3)
    c = gradient_descent(SEED, 7.0, lr=0.1, steps=20, noise=0.5, seed=4)
    assert np.array_equal(a.weights, b.weights) and not np.array_equal(a.weights, c.weights)
    assert np.allclose(a.grad_norms, np.abs(SEED.gradient(a.weights)))  # the true gradient


def test_noisy_run_settles_at_the_noise_floor_which_grows_with_the_rate():
    from gdcourse import noise_floor

    floors = []
    for lr in (0.05, 0.2):
        run = gradient_descent(SEED, 7.0, lr=lr, steps=60_000, noise=1.0, seed=1, tol=0)
        settled = run.losses[1000:]
        floors.append(settled.mean())
        assert settled.mean() == pytest.approx(noise_floor(2, lr, 1.0), rel=0.1)
    assert floors[1] > 3 * floors[0]
    assert noise_floor(2, 1.0, 1.0) == float("inf")


def test_bad_noise_is_refused():
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        gradient_descent(SEED, 7.0, lr=0.1, steps=5, noise=-1.0)


def test_the_gradient_length_is_the_same_bits_as_the_plain_formula():
    # The loop's gradient length skips numpy's Python wrappers for speed: it must stay exactly
    # sqrt(sum(g * g)), the bits every stated number was computed with, at every size and scale.
    from gdcourse.core.descent import _grad_norm

    rng = np.random.default_rng(18)
    for n in (1, 2, 3, 7, 16, 100, 1000):
        for _ in range(100):
            g = rng.standard_normal(n) * 10.0 ** float(rng.integers(-200, 150))
            assert _grad_norm(g) == float(np.sqrt(np.sum(g * g)))
    assert _grad_norm([np.inf, 1.0]) == math.inf and math.isnan(_grad_norm([np.nan]))
