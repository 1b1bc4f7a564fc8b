"""The saddle explorer: readout in words and numbers, the ridge button, noise, the estimate line,
every control changes the drawing and the sentence, and slider echoes cost nothing."""

import math

import numpy as np
import pytest

from gdcourse import (
    SaddleWithMinima,
    critical_point_near,
    escape_steps_simulated,
    gradient_descent,
    saddle_escape_steps,
    steps_near_saddle,
)
from gdcourse.widgets.saddle import SaddleExplorer


def test_default_readout_states_start_plateau_and_escape_with_the_estimate():
    ex = SaddleExplorer()
    first, second = ex.readout_text.splitlines()
    d = ex.data()
    assert first == (
        f"start (1, 1e-06), noise 0, rate 0.1: {d['steps_near_saddle']} steps near the saddle "
        "(|\u2207L| < 0.01), then escapes to (0, 1)."
    )
    assert d["escape_step"] == 73 and "step 73" in second and "72.0" in second
    assert d["end"] == "(0, 1)"
    assert math.isclose(d["predicted_escape"], saddle_escape_steps(1e-6, 0.1))
    assert d["escape_step"] == escape_steps_simulated(1e-6, 0.1, x0=1.0, steps=400)


def test_ridge_button_starts_exactly_on_y0_and_converges_to_the_saddle():
    ex = SaddleExplorer()
    ex._ridge_button.click()
    d = ex.data()
    assert d["y0"] == 0.0 and d["end"] == "saddle" and d["escape_step"] is None
    assert d["predicted_escape"] is None
    assert ex.run.status == "converged"
    assert f"the run {ex.run.phrase} to the saddle (0, 0)" in ex.readout_text
    assert ex._finding.get_text().startswith(f"The run {ex.run.phrase} to the saddle")
    assert "back to" in ex._ridge_button.description
    ex._ridge_button.click()
    assert ex.data()["y0"] == 1e-6


def test_noise_rescues_a_start_on_the_ridge():
    ex = SaddleExplorer()
    ex.set(on_ridge=True, noise=0.01)
    d = ex.data()
    assert d["end"] in ("(0, 1)", "(0, -1)") and d["escape_step"] is not None
    assert "noise 0.01" in ex.readout_text and "escapes" in ex.readout_text


def test_moving_the_y0_slider_leaves_the_ridge_and_lengthens_the_plateau():
    ex = SaddleExplorer()
    ex.set(on_ridge=True)
    ex.set(log_y0=-3)
    k3 = ex.data()["escape_step"]
    assert ex.data()["y0"] == 1e-3
    ex.set(log_y0=-9)
    k9 = ex.data()["escape_step"]
    # each factor 10 costs ln 10 / ln 1.2 ~ 12.6 steps
    assert abs((k9 - k3) - 6 * math.log(10) / math.log(1.2)) < 2


def test_a_small_rate_may_not_escape_within_the_steps():
    ex = SaddleExplorer(log_y0=-12, lr=0.02)
    assert ex.data()["end"] == "stuck" and "not escaped yet" in ex.readout_text
    # Still within 0.5 of the saddle but not converged to it: never called "at the saddle".
    assert critical_point_near(ex.loss, ex.run.weights[-1], within=0.5) == "saddle"
    assert ex.run.status != "converged" and "converges to the saddle" not in ex.readout_text


def test_where_a_run_ends_is_the_cores_critical_point_and_status():
    ex = SaddleExplorer()
    for on_ridge, log_y0, noise, lr in ((False, -6, 0.0, 0.1), (True, -6, 0.0, 0.1),
                                        (True, -6, 0.05, 0.1), (False, -3, 0.0, 0.4)):  # fmt: skip
        ex.set(on_ridge=on_ridge, log_y0=log_y0, noise=noise, lr=lr)
        run = gradient_descent(
            SaddleWithMinima(), [1.0, ex.y0], lr=lr, steps=400, noise=noise, seed=0
        )
        place = critical_point_near(SaddleWithMinima(), run.weights[-1], within=0.5)
        end = ex.data()["end"]
        if place in ("upper minimum", "lower minimum"):
            assert end == ("(0, 1)" if place == "upper minimum" else "(0, -1)")
            assert f"escapes to {end}" in ex.readout_text
        elif place == "saddle" and run.status == "converged":
            assert end == "saddle"
        else:
            assert end == "stuck"


@pytest.mark.parametrize(
    ("name", "value"),
    [("x0", 1.05), ("log_y0", -5), ("noise", 0.0005), ("lr", 10 ** (-1 + 0.01))],
)
def test_every_control_step_changes_the_path_and_the_readout(name, value):
    ex = SaddleExplorer()
    before_text, before_path = ex.readout_text, ex.data()["path"].copy()
    ex.set(**{name: value})
    after = ex.data()["path"]
    assert ex.readout_text != before_text
    assert after.shape != before_path.shape or not np.allclose(after, before_path)


def test_slider_echo_does_not_recompute_and_updates_blit():
    ex = SaddleExplorer()
    ex.fig.canvas.draw()  # captures the background, as the browser's first draw does
    full, blits = ex.fig.full_redraws, ex.fig.blits
    ex.set(x0=0.5)
    ex._ridge_button.click()
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 2)  # fixed axes: blit only
    run = ex.run
    ex.controls["x0"].value = 0.5  # the same value again
    assert ex.run is run


def test_steps_near_saddle_counts_small_gradients_off_the_minima():
    w = np.array([[1.0, 0.0], [0.1, 0.01], [0.0, 0.2], [0.0, 1.0]])
    g = np.array([2.0, 0.005, 0.004, 0.0])
    assert steps_near_saddle(w, g, 0.01) == 2


@pytest.mark.parametrize("x0", [-1.0, 0.5, 1.0])
@pytest.mark.parametrize("log_y0", [-8, -6, -2])
@pytest.mark.parametrize(("noise", "lr"), [(0.0, 0.1), (0.01, 0.05), (0.05, 0.3)])
def test_the_escape_step_is_the_cores_for_the_run_it_shows(x0, log_y0, noise, lr):
    # The explorer reads the escape step off the run it draws (one run per move): it must be
    # what the core's escape_steps_simulated says for that start, rate and noise.
    ex = SaddleExplorer(x0=x0, log_y0=log_y0, noise=noise, lr=lr)
    expected = escape_steps_simulated(
        ex.y0, lr, x0=x0, steps=ex.steps, noise=noise, seed=ex.seed, loss=ex.loss
    )
    assert ex.data()["escape_step"] == expected
