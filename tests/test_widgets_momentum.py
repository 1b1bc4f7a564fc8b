"""The momentum explorer: every control changes the run, the marker and the readout; the marker
sits where the core's ``momentum_stability`` puts the run, the readout says the core's status and
radius, and bad arguments are refused in one sentence."""

import math

import numpy as np
import pytest

from gdcourse import (
    STABILITY_PHRASES,
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    adam,
    best_momentum,
    gradient_descent,
    heavy_ball_limit,
    momentum,
    momentum_radius,
    momentum_stability,
    nesterov,
    nesterov_limit,
)
from gdcourse.widgets import MomentumExplorer
from gdcourse.widgets.momentum import METHOD_CHOICES

BOWL = QuadraticBowl([1.0, 10.0], rotation=math.pi / 6)
W0 = (-2.5, 2.0)


def _run(method: str, lr: float, mu: float, steps: int = 60):
    update = {"heavy ball": momentum, "Nesterov": nesterov}.get(method)
    rule = update(mu) if update is not None else adam(beta1=mu)
    return gradient_descent(BOWL, W0, lr=lr, steps=steps, update=rule)


def test_the_default_readout_states_the_point_the_region_and_the_radius():
    ex = MomentumExplorer(lr=0.05, mu=0.5)
    first, second, picture = ex.readout_text.splitlines()
    radius = momentum_radius([1.0, 10.0], 0.05, 0.5)
    assert first == (
        "heavy ball, rate 0.05, momentum \u03bc 0.5: \u03b7\u00b7\u03bb_max = 0.5 and the "
        f"stability limit 2(1 + \u03bc) = 3, so the run is {STABILITY_PHRASES['below']}; "
        f"spectral radius {radius:.3g} per step."
    )
    run = _run("heavy ball", 0.05, 0.5)
    assert second.startswith(f"After {run.n_steps} steps the run {run.phrase}; the loss fell")
    assert picture.startswith("Picture: left, the path over the bowl's contours from (-2.5, 2)")
    assert "marked at (0.5, 0.5)" in picture


@pytest.mark.parametrize("method", ["heavy ball", "Nesterov"])
@pytest.mark.parametrize(("lr", "mu"), [(0.01, 0.0), (0.05, 0.9), (0.14, 0.5), (0.3, 0.5)])
def test_marker_and_readout_are_the_cores_numbers(method, lr, mu):
    ex = MomentumExplorer(lr=lr, mu=mu, method=method)
    name = METHOD_CHOICES[method]
    s = momentum_stability(BOWL.eigenvalues, lr, mu, name)
    d = ex.data()
    assert d["stability"] == s
    assert d["marker"] == pytest.approx((s.h, mu)) and s.h == pytest.approx(10 * lr)
    assert d["marker_shape"] == {"below": "o", "at": "D", "above": "X"}[s.regime]
    limit = heavy_ball_limit(mu) if name == "heavy_ball" else nesterov_limit(mu)
    assert s.limit == limit and f"= {limit:.3g}, so the run is {s.phrase}" in ex.readout_text
    assert s.phrase in ex.readout_text
    if s.regime != "at":
        assert f"spectral radius {s.radius:.3g} per step" in ex.readout_text
    run = _run(method, lr, mu)
    np.testing.assert_array_equal(d["weights"], run.weights)
    assert d["status"] == run.status and f"the run {run.phrase}" in ex.readout_text
    assert ex._finding.get_text().splitlines()[0] == f"The run {run.phrase}"
    if run.status != "diverged":
        assert "diverg" not in ex.readout_text + ex._finding.get_text()


def test_heavy_ball_at_its_limit_has_radius_one():
    # lr * lambda_max = 2 (1 + mu) = 3 at mu = 0.5: the marker on the solid curve
    ex = MomentumExplorer(lr=0.3, mu=0.5)
    s = ex.data()["stability"]
    assert s.regime == "at" and ex.data()["marker"] == pytest.approx((3.0, 0.5))
    said = f"limit 2(1 + \u03bc) = 3, so the run is {STABILITY_PHRASES['at']}; spectral radius 1 "
    assert said in ex.readout_text
    ex.set(method="Nesterov")  # the same point is past Nesterov's lower limit, 1.5
    s = ex.data()["stability"]
    assert s.regime == "above" and s.limit == nesterov_limit(0.5)
    assert "stability limit 2(1 + \u03bc)/(1 + 2\u03bc) = 1.5, so" in ex.readout_text


@pytest.mark.parametrize(
    ("name", "value"),
    [("lr", 10 ** (math.log10(0.05) + 0.01)), ("mu", 0.51), ("method", "Nesterov")],
)
def test_every_control_changes_the_run_and_the_readout(name, value):
    ex = MomentumExplorer(lr=0.05, mu=0.5)
    before_text, before = ex.readout_text, ex.data()
    ex.set(**{name: value})
    after = ex.data()
    assert ex.readout_text != before_text
    assert not np.array_equal(after["weights"], before["weights"])
    if name != "method":
        assert after["marker"] != before["marker"]  # the marker moves with lr and mu
    assert after[name] == value


def test_the_marker_follows_rate_and_momentum():
    ex = MomentumExplorer(lr=0.05, mu=0.5)
    ex.set(lr=0.1)
    assert ex.data()["marker"] == pytest.approx((1.0, 0.5))
    ex.set(mu=0.9)
    assert ex.data()["marker"] == pytest.approx((1.0, 0.9))


def test_adam_has_no_marker_and_says_why():
    ex = MomentumExplorer(lr=0.05, mu=0.9, method="Adam")
    d = ex.data()
    assert d["stability"] is None and all(math.isnan(v) for v in d["marker"])
    assert "stability region does not apply" in ex.readout_text
    assert "spectral radius" not in ex.readout_text
    np.testing.assert_array_equal(d["weights"], _run("Adam", 0.05, 0.9).weights)
    ex.set(method="heavy ball")
    assert ex.data()["marker"] == pytest.approx((0.5, 0.9))


def test_a_rate_past_the_panel_is_drawn_at_its_border_and_said():
    ex = MomentumExplorer(lr=1.0, mu=0.5)
    d = ex.data()
    assert d["stability"].h == pytest.approx(10.0) and d["marker"][0] == pytest.approx(4.4)
    assert "at the panel's right border: \u03b7\u00b7\u03bb_max is 10" in ex.readout_text
    assert np.all(np.abs(d["path"]) <= 4.0 + 1e-12)
    assert "leaves the chart" in ex.readout_text


def test_the_best_tuning_preset_sets_heavy_ball_exactly_and_draws_once():
    ex = MomentumExplorer(lr=0.05, mu=0.0, method="Nesterov")
    ex.fig.canvas.draw()
    blits = ex.fig.blits
    ex._best_button.click()
    best = best_momentum(BOWL.eigenvalues)
    d = ex.data()
    assert (d["method"], d["lr"], d["mu"]) == ("heavy ball", best.lr, best.mu)
    assert ex.fig.blits == blits + 1  # one picture for the three controls
    assert d["stability"].radius == pytest.approx(best.radius)
    assert f"spectral radius {best.radius:.3g} per step" in ex.readout_text


def test_controls_blit_and_a_slider_echo_does_not_recompute():
    ex = MomentumExplorer()
    ex.fig.canvas.draw()
    full, blits = ex.fig.full_redraws, ex.fig.blits
    ex.set(lr=0.1)
    ex.set(mu=0.7)
    ex.set(method="Adam")
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 3)  # fixed axes: blit only
    run = ex.run
    ex.controls["mu"].value = 0.7  # the same value again
    assert ex.run is run


def test_controls_are_labelled_with_tooltips():
    ex = MomentumExplorer()
    for control in ex.controls.values():
        assert control.description.strip() and control.tooltip.strip()
    assert ex.controls["method"].values == ["heavy ball", "Nesterov", "Adam"]
    assert ex._best_button.description and ex._best_button.tooltip


def _refused(make, error, name):
    with pytest.raises(Exception) as info:
        make()
    err = info.value
    assert isinstance(err, error), f"{type(err).__name__}: {err}"
    message = str(err)
    assert name in message, message
    assert ". " not in message.replace("e.g. ", "") and "\n" not in message, message


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"loss": Quadratic1D(2, 0)}, CourseTypeError, "loss"),
        ({"loss": QuadraticBowl([1.0, 2.0, 3.0])}, CourseTypeError, "2-D QuadraticBowl"),
        ({"loss": "bowl"}, CourseTypeError, "loss"),
        ({"w0": (1.0,)}, CourseValueError, "w0"),
        ({"w0": "here"}, CourseTypeError, "w0"),
        ({"lr": -0.1}, CourseValueError, "lr"),
        ({"lr": 5.0}, CourseValueError, "lr"),
        ({"lr": "0.1"}, CourseTypeError, "lr"),
        ({"mu": 1.0}, CourseValueError, "mu"),
        ({"mu": -0.1}, CourseValueError, "mu"),
        ({"mu": None}, CourseTypeError, "mu"),
        ({"method": "adam"}, CourseValueError, "method"),
        ({"method": 2}, CourseTypeError, "method"),
        ({"steps": 0}, CourseValueError, "steps"),
        ({"steps": 10**9}, CourseValueError, "steps"),
        ({"lr_range": (1.0, 0.1)}, CourseValueError, "lr_range"),
        ({"extent": (0, 1, 0, 1)}, CourseValueError, "w0"),
    ],
)
def test_bad_arguments_are_refused_in_one_sentence(kwargs, error, name):
    _refused(lambda: MomentumExplorer(**kwargs), error, name)


def test_a_bad_value_set_from_python_is_one_sentence():
    ex = MomentumExplorer()
    _refused(lambda: ex.set(mu=1.5), CourseValueError, "mu")
    _refused(lambda: ex.set(method="sgd"), CourseValueError, "method")
    _refused(lambda: ex.set(beta=0.9), CourseValueError, "unknown control")


def test_a_start_at_the_minimum_stays_there_and_says_so():
    ex = MomentumExplorer(w0=(0.0, 0.0))
    assert ex.run.status == "converged" and np.all(ex.run.weights == 0.0)
    said = ex.readout_text
    assert f"The run {ex.run.phrase} at once" in said and "0 steps" not in said
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_best_tuning_beyond_the_sliders_is_a_disabled_button_that_says_so():
    ex = MomentumExplorer(QuadraticBowl([1.0, 1e6]), w0=(1.0, 1.0), lr=1e-3)  # mu ~ 0.996
    assert ex._best_button.disabled and "(beyond the sliders)" in ex._best_button.description
    text = ex.readout_text
    ex._best_button.click()
    assert ex.readout_text == text
