"""The learning-rate explorer's regime strip: bands by regime along the rate axis, labelled
boundaries at 1/a and 2/a, a marker that moves by blitting, a full redraw for a new curvature."""

import itertools
import math

import numpy as np
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text

from gdcourse import (
    CourseTypeError,
    Quadratic1D,
    TiltedDoubleWell,
    best_fixed_lr,
    max_stable_lr,
    quadratic_regime,
    regime_bands,
)
from gdcourse.plots.learning_rate import REGIME_BAND_STYLE
from gdcourse.widgets import LearningRateExplorer


def _render(explorer):
    """What the browser's first draw does: render once, which caches the background."""
    explorer.fig.canvas.draw()


def _strip(**kwargs):
    return LearningRateExplorer(curvature=True, regime_strip=True, **kwargs)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _band_patches(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]


def test_the_strip_is_off_by_default_and_the_explorer_unchanged():
    ex = LearningRateExplorer()
    assert ex._ax_strip is None
    assert len(ex.fig.figure.axes) == 2
    assert "strip" not in ex.data()
    assert "\n" not in ex.readout_text


def test_the_strip_spans_the_rate_slider_on_a_log_scale():
    ex = _strip()
    slider = ex.controls["lr"]
    ax = ex._ax_strip
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(ax.get_xlim(), (10**slider.min, 10**slider.max))
    assert len(ex.fig.figure.axes) == 3


@pytest.mark.parametrize("a", [0.1, 0.5, 2.0, 8.0, 10.0])
def test_every_band_holds_the_regime_the_core_names_for_its_rates(a):
    low, high = 1e-4, 10.0
    bands = regime_bands(a, (low, high))
    # The bands tile the rate range without gaps, in order.
    assert bands[0][1] == low and bands[-1][2] == high
    for (_, _, hi), (_, lo, _) in itertools.pairwise(bands):
        assert hi == lo
    for regime, lo, hi in bands:
        for rate in np.geomspace(lo, hi, 7)[1:-1]:
            assert quadratic_regime(a, rate) == regime


def test_the_boundaries_are_lines_at_one_over_a_and_two_over_a_with_their_values():
    ex = _strip()  # a = 2
    ax = ex._ax_strip
    lines = [ln for ln in ax.lines if ln is not ex._strip_marker]
    xs = sorted(float(ln.get_xdata()[0]) for ln in lines)
    assert xs == [0.5, 1.0]
    styles = {float(ln.get_xdata()[0]): ln.get_linestyle() for ln in lines}
    assert styles[0.5] != styles[1.0]  # solid and dashed, not only told apart by position
    texts = _texts(ax)
    assert "one step 1/a = 0.5" in texts
    assert "2/a = 1 bounces" in texts
    assert ex.data()["strip"]["boundaries"] == {"1/a": 0.5, "2/a": 1.0}


def test_regimes_are_told_apart_by_hatch_and_text_not_by_colour_alone():
    ex = _strip()
    patches = _band_patches(ex._ax_strip)
    assert len(patches) == 3
    hatches = [p.get_hatch() for p in patches]
    assert len(set(hatches)) == 3
    assert {s["hatch"] for s in REGIME_BAND_STYLE.values()} == set(hatches)
    texts = _texts(ex._ax_strip)
    assert "monotone" in texts and "diverging" in texts
    assert "osc." in texts  # the narrow band 0.5 to 1 gets the short label


def test_moving_the_rate_only_moves_the_marker_by_blitting():
    ex = _strip()
    _render(ex)
    full, blits = ex.fig.full_redraws, ex.fig.blits
    patches = _band_patches(ex._ax_strip)
    ex.set(lr=0.3)
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 1)
    assert ex._strip_marker in ex.fig._animated
    assert ex._strip_marker.get_xdata()[0] == pytest.approx(0.3)
    assert ex.data()["strip"]["marker"] == pytest.approx(0.3)
    assert _band_patches(ex._ax_strip) == patches  # the background was left alone


def test_a_new_curvature_redraws_the_strip_in_full_and_moves_the_boundaries():
    ex = _strip()
    _render(ex)
    full = ex.fig.full_redraws
    n_artists = len(ex._strip_artists)
    ex.set(a=4.0)
    assert ex.fig.full_redraws == full + 1
    texts = _texts(ex._ax_strip)
    assert "one step 1/a = 0.25" in texts and "2/a = 0.5 bounces" in texts
    assert "one step 1/a = 0.5" not in texts  # the old labels are gone, not drawn over
    assert len(ex._strip_artists) == n_artists
    assert len(_band_patches(ex._ax_strip)) == 3
    assert ex.data()["strip"]["bands"] == regime_bands(4.0, (1e-4, 10.0))
    assert "curvature a = 4" in ex._strip_label.get_text()


def test_the_readout_says_where_the_rate_sits_in_the_strip():
    ex = _strip()
    assert ex.readout_text.endswith(
        "Strip at a = 2: the rate is below 1/a = 0.5, in the monotone regime."
    )
    one, two = ex._presets
    one.click()
    assert ex.readout_text.endswith("the rate is at 1/a = 0.5, in the one-step regime.")
    two.click()
    assert ex.readout_text.endswith("the rate is at 2/a = 1, in the bouncing regime.")
    ex.set(lr=0.75)
    assert "between 1/a = 0.5 and 2/a = 1, in the oscillating-converging regime" in (
        ex.readout_text
    )
    ex.set(lr=3.0)
    assert ex.readout_text.endswith("the rate is above 2/a = 1, in the diverging regime.")
    assert ex.data()["strip"]["regime"] == "diverging"


def test_a_boundary_beyond_the_slider_is_named_at_the_edge():
    ex = _strip()
    ex.set(a=0.1)  # 1/a = 10 is the slider's top; 2/a = 20 is beyond it
    texts = _texts(ex._ax_strip)
    assert "2/a = 20 (bounces) \u2192" in texts
    assert [b[0] for b in ex.data()["strip"]["bands"]] == ["monotone"]


def test_the_strip_needs_a_quadratic():
    with pytest.raises(CourseTypeError, match="regime strip needs a Quadratic1D"):
        LearningRateExplorer(TiltedDoubleWell(0.5), w0=1.5, regime_strip=True)


def test_a_growing_oscillation_is_titled_diverging_not_bouncing():
    # a = 8, rate 0.3: multiplier -1.4; within 20 steps the loss grows 7e5x, short of the
    # core's 1e12 limit: a swing that grows, so the core's status is "diverged" (every step
    # taken), and the explorer says so in the core's words.
    ex = LearningRateExplorer(Quadratic1D(a=8, c=3), lr=0.3)
    assert ex.run.status == "diverged" and ex.run.n_steps == 20
    assert ex.run.losses[-1] / ex.run.losses[0] == pytest.approx(1.4**40)
    assert ex._finding.get_text() == "The run diverges\nthe loss grew 700,000x in 20 steps"
    assert "after 20 steps the run diverges" in ex.readout_text
    ex.set(lr=0.25)  # 2/a: a true bounce
    assert ex.run.status == "bouncing"
    assert ex._finding.get_text().startswith("The run bounces between two points forever\n")
    assert "after 20 steps the run bounces between two points forever" in ex.readout_text


def test_the_boundaries_and_presets_are_the_cores_rates():
    for a in (0.3, 2.0, 3.0, 7.0):
        ex = LearningRateExplorer(Quadratic1D(a=a, c=0.0), w0=1.0, regime_strip=True)
        assert ex.data()["strip"]["boundaries"] == {
            "1/a": best_fixed_lr(a),
            "2/a": max_stable_lr(a),
        }
        one, two = ex._presets
        one.click()
        assert ex._value("lr") == best_fixed_lr(a)
        two.click()
        assert ex._value("lr") == max_stable_lr(a)


def test_every_control_of_the_strip_explorer_is_labelled():
    ex = _strip()
    for name, control in ex.controls.items():
        assert control.description and control.tooltip, name
    assert all(b.description.startswith("rate ") for b in ex._presets)


def test_the_marker_is_a_drawn_line_with_a_pointer_on_the_strip():
    ex = _strip(lr=0.02)
    marker = ex._strip_marker
    assert isinstance(marker, Line2D) and marker.get_marker() == "v"
    assert marker.get_animated()
    lo, hi = ex._ax_strip.get_xlim()
    assert lo < marker.get_xdata()[0] < hi
    assert math.isclose(marker.get_xdata()[0], 0.02)
    # The boundary labels are annotations offset above the strip, clear of the pointer.
    labels = [t for t in ex._ax_strip.texts if isinstance(t, Annotation)]
    assert labels and all(t.get_position()[1] > 0 for t in labels)
    assert all(isinstance(t, Text) for t in ex._ax_strip.texts)


def _snap(slider, value):
    """A log slider's grid value nearest ``value`` (exponents min + k * step)."""
    k = round((math.log10(value) - slider.min) / slider.step)
    return 10 ** (slider.min + k * slider.step)


def _browser_moves(ex, name, value):
    """What the front end sends when a student moves a slider: its name and new value."""
    ex.widget._message(ex.widget, {"value": [name, value]}, [])


def test_presets_stay_exact_though_the_slider_shows_them_on_its_grid():
    ex = _strip()
    one, two = ex._presets
    one.click()
    assert ex.widget.values["lr"] == 0.5  # sent exact: the browser only shows it snapped
    assert "landing on the minimum in one step" in ex.readout_text
    assert ex.run.weights.tolist() == [7.0, 3.0]
    two.click()
    assert "bouncing between two points forever" in ex.readout_text


def test_the_starting_curvature_stays_exact():
    ex = _strip()  # a = 2; the curvature slider's grid has 10**0.3 = 1.995, not 2
    assert ex.widget.values["a"] == 2.0
    assert ex.loss.a == 2.0
    assert ex._presets[0].description == "rate 1/a = 0.5 (one step)"
    assert "one step 1/a = 0.5" in _texts(ex._ax_strip)


def test_moving_a_snapped_slider_one_notch_uses_the_students_value():
    ex = _strip()
    ex._presets[0].click()
    slider = ex.controls["lr"]
    _browser_moves(ex, "lr", 10 ** (math.log10(_snap(slider, 0.5)) + slider.step))  # ArrowRight
    assert ex.readout_text.startswith(f"rate {slider.value:.3g}:")
    assert "oscillating but converging" in ex.readout_text
    _browser_moves(ex, "lr", _snap(slider, 0.5))  # and back: now the grid value, not 1/a
    assert "landing on the minimum" not in ex.readout_text
