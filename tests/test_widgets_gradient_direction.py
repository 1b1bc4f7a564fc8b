"""GradientDirectionExplorer, driven from Python: readout, presets, plotted data, redraws."""

import math

import numpy as np
import pytest

import gdcourse.widgets.gradient_direction as explorer_module
from gdcourse import (
    CourseValueError,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    angle_of,
    directional_derivative,
    measured_slope,
    read_direction,
    unit_vector,
)
from gdcourse.widgets import GradientDirectionExplorer
from gdcourse.widgets.gradient_direction import default_bowl

DEFAULT_READOUT = (
    "At (1, 2): gradient (\u22121, 4), length 4.12. Direction 30\u00b0: slope 1.13, uphill "
    "(74\u00b0 from the gradient).\n"
    "Steepest ascent at 104\u00b0 (slope 4.12 = |\u2207L|), steepest descent at 284\u00b0 "
    "(slope \u22124.12); slope 0 at 14\u00b0 and 194\u00b0, along the level set. \u2212\u2207L "
    "points 41\u00b0 away from the straight line to the minimum."
)


def _render(explorer):
    """What the browser's first draw does: render once, which caches the background."""
    explorer.fig.canvas.draw()


def test_readout_states_gradient_slope_and_steepest_directions_in_words_and_numbers():
    ex = GradientDirectionExplorer()
    assert ex.readout_text == DEFAULT_READOUT


def test_default_loss_is_the_rotated_bowl_with_unequal_curvatures():
    ex = GradientDirectionExplorer()
    assert isinstance(ex.loss, QuadraticBowl)
    assert sorted(ex.loss.eigenvalues.tolist()) == [1.0, 5.0]
    assert np.allclose(ex.loss.matrix, [[3, -2], [-2, 3]])
    assert "1.5x\u00b2 \u2212 2xy + 1.5y\u00b2" in ex._ax.get_title()


def test_presets_turn_u_to_ascent_descent_and_the_level_set():
    ex = GradientDirectionExplorer()
    star = math.degrees(math.atan2(4, -1))
    ascent, descent, level = ex._presets
    ascent.click()
    assert ex.controls["angle"].value == pytest.approx(star)
    assert ex.data()["slope"] == pytest.approx(math.sqrt(17))
    assert "this is the steepest ascent, the slope equals |\u2207L|" in ex.readout_text
    descent.click()
    assert ex.controls["angle"].value == pytest.approx(star + 180)
    assert ex.data()["slope"] == pytest.approx(-math.sqrt(17))
    assert "this is the steepest descent" in ex.readout_text
    level.click()
    assert ex.controls["angle"].value == pytest.approx(star + 90)
    assert ex.data()["slope"] == pytest.approx(0, abs=1e-12)
    assert "slope 0, flat: u runs along the level set" in ex.readout_text


def test_every_preset_and_slider_step_changes_the_readout():
    ex = GradientDirectionExplorer()
    seen = [ex.readout_text]
    ex.set(x=1.1)
    ex.set(y=2.1)
    ex.set(angle=35.0)
    for button in ex._presets:
        button.click()
        seen.append(ex.readout_text)
    assert len(set(seen)) == len(seen)


def test_slope_curve_is_the_cosine_law_and_the_measured_dots_lie_on_it():
    ex = GradientDirectionExplorer(point=(2.0, -1.0), angle=200.0)
    d = ex.data()
    g = default_bowl().gradient([2.0, -1.0])
    theta, slopes = d["curve"]
    star = angle_of(g)
    np.testing.assert_allclose(slopes, np.linalg.norm(g) * np.cos(np.radians(theta - star)))
    np.testing.assert_array_equal(slopes, directional_derivative(g, theta))  # the core's curve
    angles, measured = d["measured"]
    np.testing.assert_allclose(measured, [g @ unit_vector(a) for a in angles], atol=1e-8)
    assert d["slope"] == pytest.approx(g @ unit_vector(200.0))
    assert np.asarray(ex._now.get_xdata()).tolist() == [200.0]


def test_level_set_line_is_the_contour_through_the_point_and_perpendicular_to_the_gradient():
    ex = GradientDirectionExplorer(point=(1.0, 2.0))
    pts = ex.data()["level_set"]
    pts = pts[~np.isnan(pts[:, 0])]
    assert len(pts) > 50
    np.testing.assert_allclose(ex.loss.value(pts), 3.5, rtol=2e-3)
    # the tangent of the level set at the point is perpendicular to the gradient
    near = pts[np.linalg.norm(pts - [1.0, 2.0], axis=1) < 0.2]
    tangent = np.linalg.svd(near - near.mean(axis=0))[2][0]  # the line the nearby points follow
    g = ex.data()["gradient"]
    assert abs(tangent @ g) / (np.linalg.norm(tangent) * np.linalg.norm(g)) < 0.05


def test_gradient_does_not_point_at_the_minimum_except_on_the_bowls_axes():
    ex = GradientDirectionExplorer()
    assert ex.data()["off_minimum"] == pytest.approx(40.6, abs=0.05)
    ex.set(x=1.0, y=1.0)
    assert ex.data()["off_minimum"] == pytest.approx(0, abs=1e-6)
    assert "Here \u2212\u2207L points straight at the minimum." in ex.readout_text


def test_at_the_minimum_the_readout_says_flat_and_presets_do_nothing():
    ex = GradientDirectionExplorer()
    ex.set(x=0.0, y=0.0)
    assert "This is a flat point" in ex.readout_text and "It is the minimum." in ex.readout_text
    assert ex.data()["steepest_angle"] is None
    before = ex.controls["angle"].value
    for button in ex._presets:
        button.click()
    assert ex.controls["angle"].value == before


def test_turning_u_only_blits_and_moving_the_point_blits_unless_the_scale_changes():
    ex = GradientDirectionExplorer()
    _render(ex)
    full, blits = ex.fig.full_redraws, ex.fig.blits
    ex.set(angle=35.0)
    ex.set(x=1.1)  # |grad L| 4.12 -> 4.2: the slope axis keeps its limit 5
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 2)
    assert ex.data()["slope_limit"] == 5.0
    ex.set(x=2.5, y=-2.5)  # |grad L| 17.7: the axis grows to 50
    assert ex.fig.full_redraws == full + 1
    assert ex.data()["slope_limit"] == 50.0
    assert ex._ax_slope.get_ylim() == (-50.0, 50.0)


def test_slope_axis_limits_follow_the_gradient_in_round_steps():
    ex = GradientDirectionExplorer()
    for x, y in ((1.0, 2.0), (0.1, 0.0), (2.5, -2.5), (3.0, 3.0)):
        ex.set(x=x, y=y)
        length = ex.data()["length"]
        limit = ex.data()["slope_limit"]
        assert length * 1.15 <= limit
        assert limit in (1.0, 2.0, 5.0, 10.0, 20.0, 50.0)


def test_every_control_has_a_label_and_tooltip_and_the_angle_steps_by_5_degrees():
    ex = GradientDirectionExplorer()
    for name, control in ex.controls.items():
        assert control.description and control.tooltip, name
    for button in ex._presets:
        assert button.description and button.tooltip
    assert ex.controls["angle"].step == 5.0
    assert (ex.controls["angle"].min, ex.controls["angle"].max) == (0.0, 360.0)
    assert ex.controls["x"].step == 0.1 and ex.controls["x"].value == 1.0
    assert "gdcourse-explorer" in ex.widget._dom_classes
    assert ex.widget.readout == ex.readout_text  # what the front end shows and names


def test_explorer_displays_as_its_widget():
    bundle = GradientDirectionExplorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_other_losses_work_and_a_loss_without_one_minimum_has_no_line_to_it():
    ex = GradientDirectionExplorer(SaddleWithMinima(), point=(1.0, 0.5))
    assert "minimum" not in ex.readout_text.split("\n")[1]
    assert len(ex._to_min.get_xdata()) == 0
    ex = GradientDirectionExplorer(Rosenbrock(), point=(-1.0, 1.5), extent=(-2, 2, -1, 3))
    assert ex.data()["gradient"] == pytest.approx(Rosenbrock().gradient([-1.0, 1.5]))


def test_wrong_dimension_and_unknown_controls_are_refused():
    from gdcourse import Quadratic1D

    with pytest.raises(CourseValueError, match="needs a 2-D loss"):
        GradientDirectionExplorer(Quadratic1D(2, 3))
    with pytest.raises(CourseValueError, match="unknown control"):
        GradientDirectionExplorer().set(theta=10)


def test_an_exception_in_a_callback_is_shown_in_the_readout():
    ex = GradientDirectionExplorer()

    def broken(w):
        raise RuntimeError("boom")

    object.__setattr__(ex.loss, "gradient", broken)  # losses are sealed: break it behind their back
    ex.set(angle=40.0)
    assert "could not update (RuntimeError: boom)" in ex.readout_text


def test_the_geometry_is_the_cores_and_the_explorer_exports_none_of_it():
    assert set(explorer_module.__all__) == {"GradientDirectionExplorer", "default_bowl"}
    ex = GradientDirectionExplorer()
    r = read_direction(ex.loss, (1.0, 2.0), 30.0)
    assert (ex.data()["slope"], ex.data()["steepest_angle"]) == (r.slope, r.steepest_angle)
    assert ex.data()["level_set_angles"] == r.level_set_angles


def test_reading_helpers():
    r = read_direction(default_bowl(), (1.0, 2.0), 30.0)
    assert r.level_set_angles == pytest.approx((14.036, 194.036), abs=1e-3)
    assert r.descent_angle == pytest.approx(284.036, abs=1e-3)
    assert r.from_gradient == pytest.approx(-74.036, abs=1e-3)
    assert measured_slope(default_bowl(), (1.0, 2.0), 30.0) == pytest.approx(r.slope, abs=1e-9)
    assert angle_of([1.0, -1e-20]) == 0.0
    assert angle_of([0.0, 1.0]) == 90.0


def test_a_preset_survives_the_browser_snapping_the_slider_to_its_5_degree_steps():
    ex = GradientDirectionExplorer()
    ex._presets[1].click()  # steepest descent, 284.04°
    ex.set(angle=285.0)  # what the browser sends back
    assert ex.data()["angle"] == pytest.approx(284.036, abs=1e-3)
    assert "this is the steepest descent" in ex.readout_text
    ex.set(angle=290.0)  # one step on: the student's own angle
    assert ex.data()["angle"] == 290.0
    ex._presets[0].click()
    ex.set(x=1.1)  # a new point: the slider's value again
    ex.set(angle=105.0)
    assert ex.data()["angle"] == 105.0
