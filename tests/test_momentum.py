"""Momentum, Nesterov, Adam and RMSProp as update rules of the one runner, and the 2x2 theory of
momentum on a quadratic: each rule against its textbook formula written out by hand, every run
starting from rest, and the stability limits and spectral radii as properties (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    adam,
    best_momentum,
    first_gradient_kept,
    gradient_descent,
    heavy_ball_limit,
    momentum,
    momentum_matrix,
    momentum_radius,
    momentum_stability,
    nesterov,
    nesterov_limit,
    noisy_runs,
    rmsprop,
    stability_limits,
)

BOWL = QuadraticBowl([1.0, 10.0], rotation=math.pi / 6)
START = np.array([3.0, -2.0])


def _grad(w: np.ndarray) -> np.ndarray:
    return np.asarray(BOWL.gradient(w), dtype=float)


def test_heavy_ball_is_v_mu_v_minus_lr_g_then_w_plus_v():
    w, v, out = START.copy(), np.zeros(2), [START.copy()]
    for _ in range(12):
        v = 0.7 * v - 0.05 * _grad(w)
        w = w + v
        out.append(w)
    run = gradient_descent(BOWL, START, 0.05, 12, update=momentum(0.7), tol=None)
    np.testing.assert_allclose(run.weights, out, rtol=1e-12, atol=1e-14)


def test_momentum_zero_is_plain_descent():
    a = gradient_descent(BOWL, START, 0.05, 30, update=momentum(0.0))
    b = gradient_descent(BOWL, START, 0.05, 30)
    np.testing.assert_allclose(a.weights, b.weights, rtol=1e-12, atol=1e-14)


def test_nesterov_records_the_look_ahead_points_of_the_textbook_rule():
    """Textbook Nesterov: v <- mu v - lr grad(w + mu v), w <- w + v; the run's points are the
    look-ahead points w + mu v, where the gradient is read."""
    mu, lr = 0.6, 0.05
    w, v = START.copy(), np.zeros(2)
    looks = [w + mu * v]
    for _ in range(12):
        v = mu * v - lr * _grad(w + mu * v)
        w = w + v
        looks.append(w + mu * v)
    run = gradient_descent(BOWL, START, lr, 12, update=nesterov(mu), tol=None)
    np.testing.assert_allclose(run.weights, looks, rtol=1e-12, atol=1e-14)


def test_adam_and_rmsprop_are_their_papers_formulas():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    w, m, s, out = START.copy(), np.zeros(2), np.zeros(2), [START.copy()]
    for t in range(1, 9):
        g = _grad(w)
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(s / (1 - b2**t)) + eps)
        out.append(w)
    run = gradient_descent(BOWL, START, lr, 8, update=adam(), tol=None)
    np.testing.assert_allclose(run.weights, out, rtol=1e-12, atol=1e-14)
    w, s, out = START.copy(), np.zeros(2), [START.copy()]
    for _ in range(8):
        g = _grad(w)
        s = 0.9 * s + 0.1 * g * g
        w = w - lr * g / (np.sqrt(s) + eps)
        out.append(w)
    run = gradient_descent(BOWL, START, lr, 8, update=rmsprop(), tol=None)
    np.testing.assert_allclose(run.weights, out, rtol=1e-12, atol=1e-14)


def test_adams_first_step_moves_every_parameter_by_the_rate():
    run = gradient_descent(BOWL, START, 0.01, 1, update=adam(), tol=None)
    np.testing.assert_allclose(np.abs(run.weights[1] - START), 0.01, rtol=1e-6)


@pytest.mark.parametrize(
    "rule",
    [momentum(0.9), nesterov(0.5), adam(), rmsprop(), first_gradient_kept()],
    ids=repr,
)
def test_one_rule_drives_many_runs_each_from_rest(rule):
    """A rule that remembers (a velocity, averages, a first gradient) starts each run afresh:
    the same run twice is the same run, and a run elsewhere does not leak into the next."""
    first = gradient_descent(BOWL, START, 0.02, 15, update=rule, tol=None)
    gradient_descent(BOWL, -3 * START, 0.02, 15, update=rule, tol=None)
    again = gradient_descent(BOWL, START, 0.02, 15, update=rule, tol=None)
    np.testing.assert_array_equal(first.weights, again.weights)


def test_momentum_takes_noise_and_many_seeds_at_once():
    runs = noisy_runs(BOWL, START, 0.02, 40, noise=0.5, seeds=[3, 7], update=momentum(0.8))
    one = gradient_descent(BOWL, START, 0.02, 40, noise=0.5, seed=7, tol=0, update=momentum(0.8))
    np.testing.assert_allclose(runs.weights[1], one.weights, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda: momentum(1.0), "mu must be at least 0 and below 1"),
        (lambda: momentum(-0.1), "mu must be a finite number >= 0"),
        (lambda: nesterov(float("nan")), "mu must be a finite number >= 0"),
        (lambda: adam(beta1=1.0), "beta1 must be at least 0 and below 1"),
        (lambda: adam(beta2=1.5), "beta2 must be at least 0 and below 1"),
        (lambda: adam(eps=0), "eps must be a finite number > 0"),
        (lambda: rmsprop(beta=1), "beta must be at least 0 and below 1"),
        (lambda: heavy_ball_limit(1.0), "mu must be at least 0 and below 1"),
        (lambda: momentum_matrix(0.5, 0.5, "polyak"), "method must be 'heavy_ball' or 'nesterov'"),
        (lambda: momentum_radius([1, -2], 0.1, 0.5), "curvature must be"),
        (lambda: best_momentum([1, 100]).steps_to_shrink(0.5), "factor must be above 1"),
    ],
)
def test_bad_settings_are_refused_in_one_sentence(make, says):
    with pytest.raises(CourseValueError, match=says):
        make()


def test_a_setting_of_the_wrong_type_is_a_type_error():
    with pytest.raises(CourseTypeError, match="mu must be a finite number >= 0, got 'high'"):
        momentum("high")


# -- the 2x2 theory -----------------------------------------------------------------------------
MUS = st.floats(min_value=0.0, max_value=0.99)
HS = st.floats(min_value=1e-3, max_value=8.0)


@given(h=HS, mu=MUS, method=st.sampled_from(["heavy_ball", "nesterov"]))
def test_the_radius_is_the_largest_eigenvalue_of_the_step_matrix(h, mu, method):
    expected = max(abs(np.linalg.eigvals(momentum_matrix(h, mu, method))))
    # Where the matrix is defective (a double eigenvalue: Nesterov at h = 1 is nilpotent), LAPACK's
    # eigenvalues are good to about sqrt(eps) only, and their last bits depend on the memory
    # layout numpy happens to get: 0 in one process, 5.9e-9 in another.
    assert momentum_radius(1.0, h, mu, method) == pytest.approx(expected, rel=1e-7, abs=1e-7)


@given(mu=MUS, inside=st.floats(min_value=1e-3, max_value=0.99))
def test_heavy_ball_converges_exactly_below_two_times_one_plus_mu(mu, inside):
    edge = heavy_ball_limit(mu)
    assert edge == pytest.approx(2 * (1 + mu))
    assert momentum_radius(1.0, edge * (1 - inside), mu) < 1
    assert momentum_radius(1.0, edge * (1 + inside), mu) > 1


@given(mu=MUS, inside=st.floats(min_value=1e-3, max_value=0.99))
def test_nesterov_converges_exactly_below_its_narrower_edge(mu, inside):
    edge = nesterov_limit(mu)
    assert edge == pytest.approx(2 * (1 + mu) / (1 + 2 * mu))
    assert edge <= heavy_ball_limit(mu) + 1e-12
    assert momentum_radius(1.0, edge * (1 - inside), mu, "nesterov") < 1
    assert momentum_radius(1.0, edge * (1 + inside), mu, "nesterov") > 1


@given(kappa=st.floats(min_value=1.5, max_value=1e4))
def test_the_best_tuning_gives_root_kappa_against_kappa(kappa):
    t = best_momentum([1.0, kappa])
    root = math.sqrt(kappa)
    assert t.radius == pytest.approx((root - 1) / (root + 1), rel=1e-12)
    assert t.plain_radius == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    # The formula's radius is the step matrix's at both ends of the spectrum (a double root).
    assert momentum_radius([1.0, kappa], t.lr, t.mu) == pytest.approx(t.radius, rel=1e-6)
    assert t.radius < t.plain_radius


def test_a_simulated_run_shrinks_at_the_radius_in_the_long_run():
    """At a generic tuning (no double root), the error's per-step factor over the last steps of
    a long run is the spectral radius."""
    bowl = QuadraticBowl([1.0, 20.0])
    lr, mu = 0.05, 0.5
    run = gradient_descent(bowl, [1.0, 1.0], lr, 400, update=momentum(mu), tol=None)
    err = np.linalg.norm(run.weights, axis=1)
    per_step = (err[-1] / err[-101]) ** (1 / 100)
    assert per_step == pytest.approx(momentum_radius([1.0, 20.0], lr, mu), rel=1e-3)


def test_a_spiralling_run_is_not_called_diverged():
    """Too much momentum spirals in (complex eigenvalues of size sqrt(mu)): the status says it
    is still moving, never that it diverged, though the error grows at first."""
    run = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 60, update=momentum(0.95), tol=None)
    assert momentum_radius(2.0, 0.1, 0.95) == pytest.approx(math.sqrt(0.95))
    assert run.status != "diverged"
    far = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 2.1, 60, update=momentum(0.0), tol=None)
    assert far.status == "diverged"


# -- statuses of runs that remember --------------------------------------------------------------
@pytest.mark.parametrize("mu", [0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("rel", [1e-3, 1e-2, 0.05])
@pytest.mark.parametrize("steps", [100, 1000])
def test_heavy_ball_past_its_limit_is_diverged_and_inside_it_is_not(mu, rel, steps):
    """Past 2(1 + mu) the steps of heavy ball do not lengthen every step (two eigenvalues near -1
    and -mu): the run is read over its last quarters, not its last few steps."""
    for loss, w0, lam in ((Quadratic1D(a=2, c=3), 7.0, 2.0), (BOWL, START, 10.0)):
        out = gradient_descent(
            loss, w0, heavy_ball_limit(mu) * (1 + rel) / lam, steps, update=momentum(mu)
        )
        if out.losses[-1] > 10 * out.losses[0]:
            assert out.status == "diverged", (mu, rel, steps, out.losses[-1] / out.losses[0])
        inside = gradient_descent(
            loss, w0, heavy_ball_limit(mu) * (1 - rel) / lam, steps, update=momentum(mu)
        )
        assert inside.status != "diverged", (mu, rel, steps)


def test_a_run_passing_the_minimum_at_speed_has_not_converged():
    """(w)^2 from 4 at rate 0.25 with mu = 0.5 lands on 0 at step 2 with velocity -2: the
    gradient is 0 there, but the run moves on, so it has not converged."""
    run = gradient_descent(Quadratic1D(a=2, c=0), 4.0, 0.25, 3, update=momentum(0.5))
    assert run.weights.tolist()[:3] == [4.0, 2.0, 0.0] and run.n_steps == 3
    assert run.status != "converged"
    settled = gradient_descent(Quadratic1D(a=2, c=3), 7.0, 0.1, 500, update=momentum(0.5))
    assert settled.status == "converged" and abs(settled.weights[-1] - settled.weights[-2]) <= 1e-10


def test_extreme_tunings_and_overflow_give_numbers_or_one_sentence():
    assert best_momentum([1.0]).steps_to_shrink(1e6) == (1, 1)  # one curvature: a step lands
    assert momentum_radius(1e200, 1e200, 0.5) == math.inf
    with pytest.raises(CourseValueError, match="past 1e12: the best momentum would round to 1"):
        best_momentum([1.0, 1e20])
    with pytest.raises(CourseTypeError, match=r"call it: momentum\(0\.9\)"):
        gradient_descent(BOWL, START, 0.1, 3, update=momentum)
    assert repr(momentum(0.99999999999)) == "momentum(0.99999999999)"  # not the refused 1


# -- the stability region as the momentum explorer draws it ------------------------------------
def test_the_limit_curve_is_each_methods_limit_at_every_momentum():
    mus = np.linspace(0.0, 0.99, 12)
    np.testing.assert_allclose(stability_limits(mus), 2 * (1 + mus), rtol=1e-12)
    np.testing.assert_allclose(
        stability_limits(mus, "nesterov"), 2 * (1 + mus) / (1 + 2 * mus), rtol=1e-12
    )
    assert stability_limits(0.5).tolist() == [heavy_ball_limit(0.5)]
    assert stability_limits([[0.0, 0.5]], "nesterov").shape == (1, 2)


@pytest.mark.parametrize(
    ("mu", "method", "says"),
    [
        ([], "heavy_ball", "at least one"),
        ([0.5, 1.0], "heavy_ball", "below 1"),
        ([-0.1], "nesterov", "at least 0"),
        ([float("nan")], "heavy_ball", "nan"),
        ([0.5], "adam", "method"),
    ],
)
def test_a_bad_limits_request_is_one_sentence(mu, method, says):
    with pytest.raises(CourseValueError, match=says) as info:
        stability_limits(mu, method)
    assert ". " not in str(info.value).replace("e.g. ", "")


def test_a_momentum_of_the_wrong_type_for_the_limits_is_a_type_error():
    with pytest.raises(CourseTypeError, match="mu"):
        stability_limits("0.5")


@pytest.mark.parametrize("method", ["heavy_ball", "nesterov"])
@pytest.mark.parametrize("mu", [0.0, 0.3, 0.9])
@pytest.mark.parametrize(("rel", "regime"), [(0.9, "below"), (1.0, "at"), (1.1, "above")])
def test_where_a_run_sits_is_h_against_the_limit_and_agrees_with_the_radius(
    method, mu, rel, regime
):
    lam = np.array([1.0, 10.0])
    limit = heavy_ball_limit(mu) if method == "heavy_ball" else nesterov_limit(mu)
    lr = rel * limit / 10.0
    s = momentum_stability(lam, lr, mu, method)
    assert s.h == pytest.approx(rel * limit) and s.limit == limit and s.mu == mu
    assert s.regime == regime and s.stable == (regime == "below")
    assert s.radius == momentum_radius(lam, lr, mu, method)
    if regime == "below":
        assert s.radius < 1 and "shrinks" in s.phrase
    elif regime == "above":
        assert s.radius > 1 and "grows" in s.phrase
    else:
        assert s.radius == pytest.approx(1.0, abs=1e-9)


def test_a_reading_of_bad_arguments_is_one_sentence():
    for kwargs, name in (({"lr": -1.0}, "lr"), ({"mu": 1.0}, "mu"), ({"method": "adam"}, "method")):
        args = {"curvature": [1.0, 10.0], "lr": 0.1, "mu": 0.5, "method": "heavy_ball"} | kwargs
        with pytest.raises(CourseValueError, match=name):
            momentum_stability(**args)
