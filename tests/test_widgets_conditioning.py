"""The conditioning explorer: readout in words and numbers, multipliers drawn as bars, presets
that survive the slider's snapping, blitting for the rate, a full redraw for kappa."""

import math

import numpy as np
import pytest

from gdcourse import (
    REGIME_PHRASES,
    QuadraticBowl,
    best_fixed_lr,
    contraction_factor,
    distances_to,
    gradient_descent,
    max_stable_lr,
    multipliers,
)
from gdcourse.widgets.conditioning import ConditioningExplorer


def test_readout_states_kappa_rate_multipliers_and_the_bound():
    ex = ConditioningExplorer(kappa=10, lr=0.15)
    first = ex.readout_text.splitlines()[0]
    assert first == (
        "\u03ba 10, rate 0.15: multipliers 0.85 (shallow) and -0.5 (steep); "
        "stable below 2/\u03bb_max = 0.2."
    )
    assert "steep direction zig-zags" in ex.readout_text
    assert "0.182" in ex.readout_text and "0.818" in ex.readout_text
    run = gradient_descent(QuadraticBowl.with_condition_number(10, angle=math.pi / 6),
                           (-2.5, 1.0), lr=0.15, steps=40)  # fmt: skip
    dist = distances_to(run.weights, [0.0, 0.0])
    assert f"after 40 steps the run {run.phrase}" in ex.readout_text
    assert f"the distance to the minimum is {dist[-1] / dist[0]:.2g} of the start" in (
        ex.readout_text
    )
    assert f"slowest factor {contraction_factor([1, 10], 0.15):.3g}" in ex.readout_text


def test_bars_show_the_multipliers_clipped_to_the_panel():
    ex = ConditioningExplorer(kappa=10, lr=0.15)
    assert np.allclose(ex.data()["bars"], [0.85, -0.5])
    ex.set(lr=0.5)
    d = ex.data()
    assert np.allclose(d["multipliers"], [0.5, -4.0]) and np.allclose(d["bars"], [0.5, -2.0])
    np.testing.assert_array_equal(d["multipliers"], multipliers([1.0, 10.0], 0.5))
    assert d["status"] == "diverged" and "the run diverges" in ex.readout_text


def test_presets_set_the_best_rate_and_the_edge_exactly():
    ex = ConditioningExplorer(kappa=10, lr=0.05)
    ex._presets[0].click()
    assert ex.data()["lr"] == best_fixed_lr([1, 10])
    assert ex.widget.values["lr"] == best_fixed_lr([1, 10])  # the browser gets it exact
    ex._presets[1].click()
    assert ex.data()["lr"] == max_stable_lr([1, 10])
    # The steep direction's regime, in the core's words (REGIME_PHRASES), not the explorer's.
    assert f"the steep direction is {REGIME_PHRASES['bouncing']}" in ex.readout_text
    assert ex.data()["multipliers"][1] == pytest.approx(-1.0)
    assert f"the run {ex.run.phrase}" in ex.readout_text  # and the run's own status


def test_kappa_redraws_contours_and_preset_labels():
    ex = ConditioningExplorer(kappa=10, lr=0.01)
    ex.fig.canvas.draw()
    full = ex.fig.full_redraws
    ex.set(kappa=50)
    assert ex.fig.full_redraws == full + 1
    assert "0.04" in ex._presets[1].description
    assert np.allclose(ex.data()["eigenvalues"], [1, 50])
    blits = ex.fig.blits
    ex.set(lr=0.02)
    assert ex.fig.blits == blits + 1 and ex.fig.full_redraws == full + 1


def test_a_diverging_path_stays_inside_the_fixed_axes():
    ex = ConditioningExplorer(kappa=10, lr=1.0)
    path = ex.data()["path"]
    assert np.all(np.abs(path) <= 3.0)
    assert ex._offchart.get_text() == "the path leaves the chart \u2192 the run diverges"


@pytest.mark.parametrize("lr", [0.05, 0.15, 0.2, 0.21, 0.5, 1.0])
def test_title_and_readout_say_the_status_the_core_gave(lr):
    ex = ConditioningExplorer(kappa=10, lr=lr)
    title = ex._finding.get_text()
    assert title.splitlines()[0] == f"The run {ex.run.phrase}"
    assert f"the run {ex.run.phrase}" in ex.readout_text
    if ex.run.status != "diverged":
        assert "diverg" not in title + ex.readout_text + ex._offchart.get_text()
