"""Property tests that pin the theory the lessons teach to the simulated runs."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gdcourse import (
    REGIMES,
    Quadratic1D,
    QuadraticBowl,
    best_fixed_lr,
    contraction_factor,
    error_multiplier,
    gradient_descent,
    max_stable_lr,
    quadratic_regime,
    steps_to_tolerance,
)

curvatures = st.floats(1e-2, 1e2)
centres = st.floats(-10, 10)
starts = st.floats(-10, 10)


@given(a=curvatures, c=centres, w0=starts, x=st.floats(0.01, 2.5), steps=st.integers(0, 30))
def test_1d_trajectory_is_c_plus_multiplier_to_the_k_times_start_error(a, c, w0, x, steps):
    lr = x / a
    run = gradient_descent(Quadratic1D(a, c), w0, lr=lr, steps=steps)
    k = np.arange(len(run.weights))
    closed = c + (1 - lr * a) ** k * (w0 - c)
    np.testing.assert_allclose(run.weights, closed, rtol=1e-9, atol=1e-9 * (abs(c) + abs(w0 - c)))


def _run(a, c, w0, lr, steps):
    return gradient_descent(Quadratic1D(a, c), w0, lr=lr, steps=steps, tol=0.0)


@given(a=curvatures, c=centres, w0=starts, x=st.floats(0.01, 0.99))
def test_monotone_regime_approaches_from_one_side(a, c, w0, x):
    assume(abs(w0 - c) > 1e-3)
    assert quadratic_regime(a, x / a) == "monotone"
    e = _run(a, c, w0, x / a, 20).weights - c
    e = e[np.abs(e) > 1e-9 * (abs(c) + 1)]  # rounding noise once it has arrived
    assert np.all(np.sign(e) == np.sign(w0 - c))
    assert np.all(np.diff(np.abs(e)) < 0)


@given(a=curvatures, c=centres, w0=starts)
def test_one_step_regime_lands_on_the_minimum(a, c, w0):
    assume(abs(w0 - c) > 1e-3)
    lr = 1 / a
    assert quadratic_regime(a, lr) == "one-step"
    run = _run(a, c, w0, lr, 1)
    assert run.weights[1] == pytest.approx(c, abs=1e-12 * (abs(c) + abs(w0) + 1))


@given(a=curvatures, c=centres, w0=starts, x=st.floats(1.01, 1.99))
def test_oscillating_converging_regime_alternates_sides_while_loss_falls(a, c, w0, x):
    assume(abs(w0 - c) > 1e-3)
    assert quadratic_regime(a, x / a) == "oscillating-converging"
    run = _run(a, c, w0, x / a, 20)
    e = run.weights - c
    keep = np.abs(e) > 1e-9 * (abs(c) + 1)
    assert np.all(np.sign(e[keep][1:]) != np.sign(e[keep][:-1]))
    assert np.all(np.diff(run.losses[keep]) < 0)


@given(a=curvatures, c=centres, w0=starts)
def test_bouncing_regime_keeps_its_distance_and_the_run_says_bouncing_too(a, c, w0):
    assume(abs(w0 - c) > 1e-3)
    lr = 2 / a
    assert quadratic_regime(a, lr) == "bouncing"
    run = _run(a, c, w0, lr, 50)
    assert run.status == "bouncing"
    np.testing.assert_allclose(np.abs(run.weights - c), abs(w0 - c), rtol=1e-9, atol=1e-9)


@given(a=curvatures, c=centres, w0=starts, x=st.floats(2.2, 50))
def test_diverging_regime_diverges(a, c, w0, x):
    assume(abs(w0 - c) > 1e-3)
    assert quadratic_regime(a, x / a) == "diverging"
    assert _run(a, c, w0, x / a, 1000).status == "diverged"


def test_regimes_are_listed_in_order_of_increasing_rate():
    assert [quadratic_regime(2, lr) for lr in (0.1, 0.5, 0.75, 1.0, 1.5)] == list(REGIMES)


@given(a=curvatures)
def test_regime_boundaries_hold_despite_rounding(a):
    # (1/a) * a is not always exactly 1 in floating point; the helper still says "one-step".
    assert quadratic_regime(a, 1 / a) == "one-step"
    assert quadratic_regime(a, 2 / a) == "bouncing"
    assert quadratic_regime(a, 0.999 / a) == "monotone"
    assert quadratic_regime(a, 2.001 / a) == "diverging"


def test_error_multiplier_of_the_readout_example():
    assert error_multiplier(2, 0.75) == -0.5


@given(a=curvatures, x=st.floats(0.05, 1.95), e0=st.floats(1e-3, 1e3), tol=st.floats(1e-6, 1))
def test_steps_to_tolerance_is_the_first_step_within_tol(a, x, e0, tol):
    lr = x / a
    k = steps_to_tolerance(a, lr, e0, tol)
    if e0 <= tol:
        assert k == 0
        return
    m = abs(1 - lr * a)
    if m > 0:
        # Skip cases where rounding decides: the error lands within 1e-9 of tol.
        assume(abs(math.log(m**k * e0 / tol)) > 1e-9)
        assume(k == 1 or abs(math.log(m ** (k - 1) * e0 / tol)) > 1e-9)
    assert k < 10_000
    errors = np.abs(_run(a, 0.0, e0, lr, k).weights)
    assert errors[k] <= tol * (1 + 1e-9)
    assert np.all(errors[:k] > tol)


def test_steps_to_tolerance_edge_cases():
    assert steps_to_tolerance(2, 0.1, e0=0.005, tol=0.01) == 0
    assert steps_to_tolerance(2, 0.5, e0=6, tol=1e-9) == 1
    assert steps_to_tolerance(2, 1.0, e0=6, tol=0.01) == math.inf
    assert steps_to_tolerance(2, 1.5, e0=6, tol=0.01) == math.inf


def test_1d_rates_follow_from_the_curvature():
    assert max_stable_lr(2) == 1.0  # the seed's boundary for (w - 2)^2
    assert best_fixed_lr(2) == 0.5  # the Goldilocks rate 1/a


eigenvalue_lists = st.lists(st.floats(0.1, 100), min_size=2, max_size=5)


@given(lam=eigenvalue_lists)
def test_nd_quadratic_is_stable_just_below_2_over_lambda_max_and_not_just_above(lam):
    assume(max(lam) / min(lam) < 200)  # so 3000 steps suffice below the bound
    bowl = QuadraticBowl(lam)
    w0 = np.ones(len(lam))
    below = gradient_descent(bowl, w0, lr=0.98 * max_stable_lr(lam), steps=3000)
    above = gradient_descent(bowl, w0, lr=1.05 * max_stable_lr(lam), steps=3000)
    assert below.status == "converged" or below.final_loss < 1e-6 * below.losses[0]
    assert above.status == "diverged"


@given(lam=eigenvalue_lists, other=st.floats(0.01, 1.99))
def test_best_fixed_rate_has_the_smallest_contraction_factor(lam, other):
    kappa = max(lam) / min(lam)
    assert contraction_factor(lam) == pytest.approx((kappa - 1) / (kappa + 1))
    lr = other * max_stable_lr(lam)
    assert contraction_factor(lam, lr) >= contraction_factor(lam) - 1e-12


def test_distance_shrinks_by_the_contraction_factor_each_step():
    bowl = QuadraticBowl([1.0, 10.0], rotation=0.3)
    run = gradient_descent(bowl, [3.0, -2.0], lr=best_fixed_lr([1, 10]), steps=30, tol=0)
    dist = np.linalg.norm(run.weights, axis=1)
    ratios = dist[1:] / dist[:-1]
    assert np.all(ratios <= 9 / 11 + 1e-12)
    assert ratios[-1] == pytest.approx(9 / 11)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_theory_helpers_refuse_bad_curvature(bad):
    with pytest.raises(ValueError, match=r"must be a finite number > 0|must be a number > 0"):
        quadratic_regime(bad, 0.1)
    with pytest.raises(ValueError):
        max_stable_lr(bad)


def test_updates_per_epoch_counts_the_last_smaller_batch_like_minibatch_sgd():
    from gdcourse import LinearRegression, make_regression, minibatch_sgd, updates_per_epoch

    X, y, _ = make_regression(100, 2, noise=0.1, seed=0)
    for b in (1, 7, 32, 99, 100):
        run = minibatch_sgd(LinearRegression(X, y), np.zeros(2), lr=0.01, batch_size=b, epochs=1)
        assert updates_per_epoch(100, b) == run.updates_per_epoch == -(-100 // b)


@pytest.mark.parametrize(
    ("args", "message"), [((0, 5), "n \\(the number of examples\\)"), ((10, 0), "batch_size")]
)
def test_updates_per_epoch_rejects_empty_data_and_batches(args, message):
    from gdcourse import updates_per_epoch

    with pytest.raises(ValueError, match=message):
        updates_per_epoch(*args)


def test_saddle_escape_steps_is_the_linearised_growth_time():
    from gdcourse import saddle_escape_steps

    # |y| multiplies by 1 + 2 lr per step: after the predicted steps it has reached 0.5.
    k = saddle_escape_steps(1e-6, 0.1)
    assert math.isclose(1e-6 * 1.2**k, 0.5)
    assert saddle_escape_steps(0.0, 0.1) == math.inf  # on the ridge: never
    with pytest.raises(ValueError, match="lr"):
        saddle_escape_steps(1e-6, -0.1)


def test_steps_per_tenfold_reads_any_contracting_factor():
    from gdcourse import CourseValueError, contraction_factor, error_multiplier, steps_per_tenfold

    assert steps_per_tenfold(0.1) == pytest.approx(1.0)
    assert steps_per_tenfold(contraction_factor([1, 10])) == pytest.approx(11.474, abs=1e-3)
    assert steps_per_tenfold(contraction_factor([1, 1])) == 0.0  # kappa 1: one step lands
    # A negative multiplier flips the error's sign and shrinks it all the same.
    assert steps_per_tenfold(error_multiplier(2, 0.9)) == steps_per_tenfold(0.8)
    for bad in (1.0, -1.0, 1.5):
        with pytest.raises(CourseValueError, match="factor must be between -1 and 1"):
            steps_per_tenfold(bad)


def test_a_diverged_run_has_no_settled_loss():
    from gdcourse import Quadratic1D, gradient_descent, minibatch_sgd, settled_loss
    from gdcourse.lessons import sgd as lesson

    run = minibatch_sgd(lesson.problem(), lesson.W0, 0.2, batch_size=1, epochs=30)
    assert run.status == "diverged" and len(run.losses) < 10  # stopped past the 1e12 limit
    assert settled_loss(run, last=10) == math.inf
    assert settled_loss(gradient_descent(Quadratic1D(a=2), 1.0, 1.5, 30), last=5) == math.inf
