"""The step explorer of lesson 02, driven from Python: tangent, next point, readout, player."""

import numpy as np
import pytest

from gdcourse import (
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    TiltedDoubleWell,
    gradient_descent,
)
from gdcourse.widgets import StepExplorer
from gdcourse.widgets.step import direction_of

SEED = Quadratic1D(a=2, c=3)  # (w - 3)^2


def _render(explorer):
    """What the browser's first draw does: render once, which caches the background."""
    explorer.fig.canvas.draw()


def test_it_opens_on_the_start_of_the_seed_walk():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    assert ex.readout_text == (
        "step 0 of 15: w = 7, gradient 8, so next w = 7 - 0.1 × 8 = 6.2, a move of 0.8 to the "
        "left; the loss falls from 16 to 10.24"
    )
    assert ex._finding.get_text() == "The tangent slopes up (gradient > 0), so w moves left"


def test_step_one_reads_the_seeds_second_step_in_words_and_numbers():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    ex.player.step_button.click()
    assert ex.readout_text == (
        "step 1 of 15: w = 6.2, gradient 6.4, so next w = 6.2 - 0.1 × 6.4 = 5.56, a move of 0.64 "
        "to the left; the loss falls from 10.24 to 6.5536"
    )


def test_tangent_touches_the_curve_at_w_with_the_gradient_as_slope():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1, k=2)
    d = ex.data()
    assert d["k"] == 2 and d["w"] == pytest.approx(5.56)
    xs, ys = d["tangent"]
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    assert slope == pytest.approx(SEED.gradient(5.56)) == pytest.approx(d["gradient"])
    assert ys[0] + slope * (5.56 - xs[0]) == pytest.approx(SEED.value(5.56))  # through (w, L(w))


def test_next_point_is_w_minus_rate_times_gradient_on_the_axis_and_on_the_curve():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1, k=1)
    nx, ny = ex.data()["next_marker"]
    assert nx == pytest.approx(6.2 - 0.1 * 6.4) == pytest.approx(5.56)
    assert ny == pytest.approx(SEED.value(5.56))
    assert ex.data()["next_on_axis"] == pytest.approx(5.56)
    assert ex._step_label.get_text() == "\u2212\u03b7 \u00d7 gradient = -0.64"


def test_player_walks_the_stored_run_and_only_blits():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    run = ex.run
    _render(ex)
    full, blits = ex.fig.full_redraws, ex.fig.blits
    for _ in range(3):
        ex.player.step_button.click()
    assert ex.data()["k"] == 3
    np.testing.assert_allclose(ex.data()["path"], run.weights[:4])
    ex.player.reset_button.click()
    assert ex.data()["k"] == 0 and ex.readout_text.startswith("step 0 of 15: w = 7,")
    assert ex.run is run  # nothing recomputed
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 4)


def test_moving_a_slider_reruns_and_shows_the_new_run_whole():
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    ex.set(lr=0.3)
    expected = gradient_descent(SEED, 7.0, lr=0.3, steps=15)
    np.testing.assert_array_equal(ex.data()["weights"], expected.weights)
    assert ex.data()["k"] == expected.n_steps
    ex.player.reset_button.click()
    assert ex.readout_text.startswith("step 0 of 15: w = 7, gradient 8, so next w = 7 - 0.3 × 8")


def test_a_slider_echo_of_the_same_value_does_not_move_the_player():
    # The browser sends 7.000000000000002 back for 7 (it snaps to min + k * step).
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    ex.set(w0=7.000000000000002)
    assert ex.data()["k"] == 0


def test_negative_gradient_moves_right():
    ex = StepExplorer(SEED, w0=1.0, lr=0.1)
    assert ex.data()["gradient"] == -4.0
    assert ex.data()["next_w"] == pytest.approx(1.4)
    assert "so next w = 1 - 0.1 × (-4) = 1.4, a move of 0.4 to the right" in ex.readout_text
    assert "slopes down (gradient < 0), so w moves right" in ex._finding.get_text()
    assert [direction_of(g) for g in (8.0, -3.0, 0.0)] == ["left", "right", "nowhere"]


def test_rate_one_over_a_lands_and_then_the_gradient_is_zero():
    ex = StepExplorer(SEED, w0=7.0, lr=0.5)
    assert ex.run.status == "converged" and ex.data()["k"] == 0
    ex.player.step_button.click()
    assert ex.readout_text.startswith("step 1 of 1: w = 3, gradient 0, so next w = 3 - 0.5 × 0")
    assert "w does not move" in ex.readout_text
    assert ex._finding.get_text().startswith("The tangent is flat")
    assert not ex._arrow.get_visible()


def test_a_large_rate_overshoots_and_the_readout_says_the_loss_rises():
    ex = StepExplorer(SEED, w0=7.0, lr=1.2)
    assert "7 - 1.2 × 8 = -2.6, a move of 9.6 to the left" in ex.readout_text
    assert "the loss rises from 16 to 31.36: the step overshot" in ex.readout_text
    assert ex._finding.get_text().endswith("but too far: the loss rises")


def test_divergence_is_shown_clipped_not_raised():
    ex = StepExplorer(SEED, w0=7.0, lr=1.5, steps=200)
    assert ex.run.status == "diverged"
    x = ex.data()["path"]
    assert np.all((x >= ex._xlim[0]) & (x <= ex._xlim[1]))
    assert "overflowed" in ex.readout_text or "off the chart" in ex._offchart.get_text()


def test_works_on_a_non_quadratic_loss():
    ex = StepExplorer(TiltedDoubleWell(0.5), w0=1.5, lr=0.05)
    g = TiltedDoubleWell(0.5).gradient(1.5)
    assert ex.data()["gradient"] == pytest.approx(g)
    assert ex.data()["next_w"] == pytest.approx(1.5 - 0.05 * g)


def test_every_control_has_a_label_and_a_tooltip_and_the_rate_is_logarithmic():
    ex = StepExplorer()
    assert set(ex.controls) == {"lr", "w0", "k"}
    for name, control in ex.controls.items():
        assert control.description, name
        assert control.tooltip, name
    for button in (ex.player.reset_button, ex.player.step_button):
        assert button.description and button.tooltip
    assert ex.controls["lr"].kind == "log"
    assert "gdcourse-explorer" in ex.widget._dom_classes


def test_buttons_in_dom_order_each_change_what_is_shown_after_a_slider_move():
    # What the browser test does: a slider step, then Reset, Step in order, then Play.
    ex = StepExplorer(SEED, w0=7.0, lr=0.1)
    ex.set(lr=0.1 * 10**0.01)
    seen = [ex.readout_text]
    for button in (ex.player.reset_button, ex.player.step_button):
        button.click()
        seen.append(ex.readout_text)
    assert len(set(seen)) == 3
    assert ex.player.k < ex.player.play.max  # so Play has steps left to show


def test_an_exception_in_a_callback_is_shown_in_the_readout():
    ex = StepExplorer()

    def broken(w):
        raise RuntimeError("boom")

    object.__setattr__(ex.loss, "gradient", broken)  # losses are sealed: break it behind their back
    ex.set(lr=0.2)
    assert "could not update (RuntimeError: boom)" in ex.readout_text


def test_refuses_a_two_parameter_loss():
    with pytest.raises(CourseValueError, match="needs a 1-D loss"):
        StepExplorer(QuadraticBowl([1.0, 2.0]))


def test_each_next_point_is_the_runs_next_iterate():
    ex = StepExplorer(SEED, w0=7.0, lr=0.3)
    run = ex.run
    for k in range(run.n_steps):
        ex.player.set(k)
        assert ex.data()["next_w"] == run.weights[k + 1]


def test_the_words_say_diverges_only_when_the_core_does():
    ex = StepExplorer(SEED, w0=7.0, lr=1.2, steps=15)  # multiplier -1.4: a swing that grows
    assert ex.run.status == "diverged"
    ex.player.set(ex.run.n_steps)
    assert ex._offchart.get_text() == "the next w is off the chart \u2192 the run diverges"
    ex = StepExplorer(SEED, w0=7.0, lr=1.0, steps=15)  # 2/a: bounces between 7 and -1
    assert ex.run.status == "bouncing"
    for k in range(ex.run.n_steps + 1):
        ex.player.set(k)
        assert "diverg" not in ex._offchart.get_text() + ex._finding.get_text()
        assert "diverg" not in ex.readout_text
