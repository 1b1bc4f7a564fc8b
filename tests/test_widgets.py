"""The explorers, driven from Python: controls, readouts, plotted data, redraw strategy."""

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import gdcourse.widgets
from gdcourse import (
    REGIME_PHRASES,
    STATUS_PHRASES,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    SaddleWithMinima,
    TiltedDoubleWell,
    gradient_descent,
    quadratic_regime,
)
from gdcourse.widgets import ContourExplorer, LearningRateExplorer
from gdcourse.widgets.conditioning import ConditioningExplorer
from gdcourse.widgets.step import StepExplorer


def _render(explorer):
    """What the browser's first draw does: render once, which caches the background."""
    explorer.fig.canvas.draw()


def test_readout_states_the_result_in_words_and_numbers():
    ex = LearningRateExplorer(Quadratic1D(a=2, c=3), w0=7.0, lr=0.75, steps=20)
    assert ex.readout_text == (
        "rate 0.75: multiplier -0.5, oscillating but converging; after 20 steps the run has not "
        "converged, now at w = 3, loss 1.5e-11"
    )
    assert ex.run.status == "max_steps"


def test_moving_the_rate_reruns_gradient_descent_and_updates_plot_and_readout():
    ex = LearningRateExplorer(lr=0.1)
    ex.set(lr=0.3)
    expected = gradient_descent(Quadratic1D(2, 3), 7.0, lr=0.3, steps=20)
    np.testing.assert_array_equal(ex.data()["weights"], expected.weights)
    np.testing.assert_array_equal(ex._path.get_xdata(), expected.weights)
    assert ex.readout_text.startswith("rate 0.3: multiplier 0.4, converging steadily")


def test_presets_land_exactly_on_one_over_a_and_two_over_a():
    ex = LearningRateExplorer(Quadratic1D(a=4, c=0), w0=2.0)
    one, two = ex._presets
    assert one.description == "rate 1/a = 0.25 (one step)"
    one.click()
    assert ex.controls["lr"].value == 0.25
    assert "landing on the minimum in one step" in ex.readout_text
    two.click()
    assert ex.controls["lr"].value == 0.5
    assert "bouncing between two points forever" in ex.readout_text
    assert ex.data()["status"] == "bouncing"
    assert f"the run {STATUS_PHRASES['bouncing']}" in ex.readout_text


def test_divergence_is_shown_not_raised():
    ex = LearningRateExplorer(lr=5.0)
    assert ex.run.status == "diverged"
    assert "diverging; after 7 steps the run diverges" in ex.readout_text
    assert ex._offchart.get_text() == "iterates leave the chart \u2192 the run diverges"
    x = ex._path.get_xdata()
    assert np.all((x >= ex._xlim[0]) & (x <= ex._xlim[1]))  # clipped to the axes, not off


def test_rate_and_start_moves_only_blit_while_curvature_redraws_everything():
    ex = LearningRateExplorer(curvature=True)
    _render(ex)
    full, blits = ex.fig.full_redraws, ex.fig.blits
    ex.set(lr=0.2)
    ex.set(w0=5.0)
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 2)
    ex.set(a=4.0)
    assert ex.fig.full_redraws == full + 1
    assert ex.loss.a == 4.0
    assert ex._presets[0].description == "rate 1/a = 0.25 (one step)"
    xs, ys = ex.data()["curve"]
    np.testing.assert_allclose(ys, 2.0 * (xs - 3) ** 2)


def test_non_quadratic_loss_works_and_names_where_it_converged():
    ex = LearningRateExplorer(TiltedDoubleWell(0.5), w0=1.5, lr=0.05, steps=200)
    assert ex.run.status == "converged"
    assert f"the run converges at w = {ex.run.final_weights:.4g}" in ex.readout_text
    assert ex._presets  # its curvature at the minimum is known from the Hessian


def test_an_exception_in_a_callback_is_shown_in_the_readout():
    ex = LearningRateExplorer()

    def broken(w):
        raise RuntimeError("boom")

    object.__setattr__(ex.loss, "value", broken)  # losses are sealed: break it behind their back
    ex.set(lr=0.2)
    assert "could not update (RuntimeError: boom)" in ex.readout_text


def test_every_control_has_a_visible_label_and_a_tooltip():
    for ex in (LearningRateExplorer(curvature=True), ContourExplorer()):
        for name, control in ex.controls.items():
            assert control.description, name
            assert control.tooltip, name
        assert "gdcourse-explorer" in ex.widget._dom_classes
        assert ex.widget.readout == ex.readout_text  # what the front end shows and names


def test_learning_rate_slider_is_logarithmic():
    ex = LearningRateExplorer()
    assert ex.controls["lr"].kind == "log"
    assert ContourExplorer().controls["lr"].kind == "log"


def test_explorer_displays_as_its_widget_without_a_text_repr():
    bundle = LearningRateExplorer()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "<gdcourse" not in bundle.get("text/plain", "")


def test_explorer_draws_on_its_own_canvas_whatever_the_backend_and_leaves_pyplot_alone():
    previous = matplotlib.get_backend()
    plt.close("all")
    try:
        matplotlib.use("agg")
        ex = ContourExplorer()
        assert isinstance(ex.fig.canvas, FigureCanvasAgg)
        assert plt.get_fignums() == []
    finally:
        matplotlib.use(previous)


def test_contour_player_steps_through_the_stored_run_without_recomputing():
    ex = ContourExplorer(QuadraticBowl([1.0, 4.0]), w0=(2.0, 1.5), lr=0.2, steps=10)
    run = ex.run
    assert ex.data()["k"] == run.n_steps and len(ex.data()["path"]) == run.n_steps + 1
    _render(ex)
    blits = ex.fig.blits
    ex.player.reset_button.click()
    assert ex.data()["k"] == 0 and len(ex.data()["path"]) == 1
    assert "at step 0: w = (2, 1.5)" in ex.readout_text
    ex.player.step_button.click()
    ex.player.step_button.click()
    assert ex.data()["k"] == 2
    np.testing.assert_allclose(ex.data()["path"], run.weights[:3])
    assert ex.run is run  # nothing recomputed
    assert ex.fig.blits == blits + 3


def test_contour_rate_change_reruns_and_shows_the_whole_new_run():
    ex = ContourExplorer(QuadraticBowl([1.0, 4.0]), w0=(2.0, 1.5), lr=0.2, steps=10)
    ex.set(lr=0.6)  # above 2/4 = 0.5: diverges
    assert ex.run.lrs[0] == pytest.approx(0.6)
    assert "stable for rates below 2/\u03bb_max = 0.5" in ex.readout_text
    ex.set(steps=25)
    assert ex.data()["k"] == ex.run.n_steps


def test_saddle_path_and_gradient_plateau():
    ex = ContourExplorer(SaddleWithMinima(), w0=(1.5, 1e-3), lr=0.1, steps=80)
    norms = ex.data()["grad_norms"]
    dip = int(np.argmin(norms[:30]))  # slows down passing the saddle ...
    assert norms[dip] < 0.1 and norms[dip:40].max() > 0.5  # ... then speeds up, escaping
    assert norms[-1] < 1e-6


def test_explorers_refuse_a_loss_of_the_wrong_dimension():
    with pytest.raises(CourseValueError, match="needs a 1-D loss"):
        LearningRateExplorer(QuadraticBowl([1.0, 2.0]))
    with pytest.raises(CourseValueError, match="needs a 2-D loss"):
        ContourExplorer(Quadratic1D(2, 3))
    with pytest.raises(CourseValueError, match="unknown control"):
        LearningRateExplorer().set(rate=0.1)


def test_plot_titles_state_the_finding():
    ex = LearningRateExplorer(lr=0.1)
    # 16 / 0.0021 = 0.8**-40
    assert ex._finding.get_text() == ("The run has not converged\nthe loss fell 7,500x in 20 steps")
    ex.set(lr=1.0)
    assert ex._finding.get_text() == (
        "The run bounces between two points forever\nthe loss did not change in 20 steps"
    )
    ex.set(lr=3.0)
    assert ex._finding.get_text() == "The run diverges\nthe loss grew 4e12x in 9 steps"
    ex.set(lr=0.5)
    assert ex._finding.get_text() == "The run converges\nthe loss went from 16 to 0 in 1 step"


def _said(explorer):
    """The title and the readout of an explorer."""
    return explorer._finding.get_text(), explorer.readout_text


@pytest.mark.parametrize(
    ("make", "rates"),
    [
        (lambda lr: LearningRateExplorer(Quadratic1D(a=8, c=3), lr=lr), (0.05, 0.125, 0.2,
                                                                         0.25, 0.26, 0.3, 1.0)),
        (lambda lr: ContourExplorer(lr=lr, steps=30), (0.05, 0.15, 0.2, 0.21, 0.3, 1.0)),
        (lambda lr: ConditioningExplorer(kappa=10, lr=lr), (0.05, 0.15, 0.2, 0.21, 0.5)),
        (lambda lr: StepExplorer(lr=lr, steps=15), (0.1, 0.5, 1.0, 1.2)),
    ],
)  # fmt: skip
def test_every_explorer_says_the_status_the_core_gave_and_no_other(make, rates):
    others = {s: p for s, p in STATUS_PHRASES.items()}
    for lr in rates:
        ex = make(lr)
        status = ex.run.status
        title, readout = _said(ex)
        words = f"the run {STATUS_PHRASES[status]}"
        if isinstance(ex, StepExplorer):
            # The step explorer is about one step; it names the run's status when it ends.
            ex.player.set(ex.run.n_steps)
            title, readout = _said(ex)
            if status == "converged":
                assert readout.endswith(f"({words})")
            for other, phrase in others.items():
                if other != status:
                    assert f"the run {phrase}" not in readout + title
            continue
        assert title.splitlines()[0] == f"The run {STATUS_PHRASES[status]}", (lr, title)
        assert words in readout, (lr, readout)
        for other, phrase in others.items():
            if other != status:
                assert phrase not in title and f"the run {phrase}" not in readout, (lr, other)


def test_a_growing_swing_on_a_2d_bowl_is_titled_diverging_not_bouncing():
    # The run the issue names: 23.8 -> 4.8e7 within the steps, short of the 1e12 limit.
    ex = ConditioningExplorer(kappa=10, lr=0.21)
    assert ex.run.status == "diverged" and ex.run.n_steps == 40
    assert ex.run.losses[-1] < 1e12 * ex.run.losses[0]
    assert ex._finding.get_text().startswith("The run diverges\nthe loss grew")
    assert "bounc" not in ex._finding.get_text()
    ct = ContourExplorer(lr=0.21, steps=30)
    assert ct.run.status == "diverged" and "The run diverges" in ct._finding.get_text()


def test_start_sliders_use_round_steps_so_the_start_shows_as_typed():
    ex = ContourExplorer(w0=(-2.5, 2.0))
    assert ex.controls["y0"].value == 2.0
    assert ex.controls["y0"].step == 0.1
    assert round((ex.controls["y0"].value - ex.controls["y0"].min) / 0.1, 9).is_integer()


def test_importing_the_widgets_leaves_the_notebooks_pyplot_backend_alone(tmp_path):
    # An explorer (its Agg canvas, anywidget) must not change pyplot: later figures stay images.
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from .notebook_run import execute

    path = tmp_path / "backend.ipynb"
    nbformat.write(
        new_notebook(
            cells=[
                new_code_cell("import matplotlib.pyplot as plt\nplt.plot([1, 2]);"),
                new_code_cell(
                    "from gdcourse.widgets import LearningRateExplorer\nLearningRateExplorer()"
                ),
                new_code_cell("plt.plot([2, 1]);"),
            ]
        ),
        path,
    )
    cells = execute(path).cells
    assert "application/vnd.jupyter.widget-view+json" in cells[1].outputs[0]["data"]
    assert "image/png" in cells[2].outputs[0]["data"]  # an inline image, not a widget


def _marker_ops(ex):
    return [op for op in ex.fig.layer_ops("moving") if op["k"] == "markers"]


def test_the_browser_draws_the_iterates_where_matplotlib_puts_them():
    # The moving layer is matplotlib's own geometry in pixels (y down from the top): the
    # iterates' markers sit where the axes' transform puts each (w_k, L(w_k)).
    ex = LearningRateExplorer(lr=0.3, steps=6)
    ax = ex._ax_curve
    xy = np.frombuffer(ex.widget.coords, dtype="<f4")
    markers = [op for op in _marker_ops(ex) if op["np"] == len(ex.run.weights)]
    assert markers, "no marker set with one marker per iterate"
    at = xy[markers[0]["p"] : markers[0]["p"] + 2 * markers[0]["np"]].reshape(-1, 2)
    w = ex.run.weights
    expected = ax.transData.transform(np.column_stack([w, ex.loss.value(w)]))
    height = ex.fig.canvas.get_width_height()[1]
    np.testing.assert_allclose(at[:, 0], expected[:, 0], atol=0.01)
    np.testing.assert_allclose(at[:, 1], height - expected[:, 1], atol=0.01)
    ex.set(lr=0.4)  # a new rate moves them, and the frame is what the view holds
    assert np.frombuffer(ex.widget.coords, dtype="<f4").tobytes() != xy.tobytes()


def test_a_student_moving_a_slider_in_the_browser_reruns_the_explorer():
    ex = LearningRateExplorer(lr=0.1)
    ex.widget._message(ex.widget, {"value": ["lr", 10**-0.5]}, [])  # what the front end sends
    assert ex.controls["lr"].value == pytest.approx(10**-0.5)
    assert ex.readout_text.startswith("rate 0.316:")
    assert ex.widget.readout == ex.readout_text
    ex.widget._message(ex.widget, {"click": "b0"}, [])  # the first preset: 1/a
    assert ex.readout_text.startswith("rate 0.5: multiplier 0")
    ex.widget._message(ex.widget, {"value": ["lr", "not a number"]}, [])  # junk: ignored
    assert ex.readout_text.startswith("rate 0.5:")


def test_a_change_that_draws_nothing_new_sends_no_frame():
    # A control set to the value it has, or a player reset to where it was, sends no frame.
    ex = ContourExplorer(QuadraticBowl([1.0, 4.0]), w0=(2.0, 1.5), lr=0.2, steps=10)
    frames = []
    ex.widget.observe(frames.append, names="coords")
    sent = len(frames)
    ex.set(lr=0.3)  # a new run: one frame, not one per trait notification
    assert len(frames) == sent + 1
    ex.player.set(ex.player.k)  # no visible change
    ex.set(lr=0.3)
    assert len(frames) == sent + 1


def _everything_shown(explorer) -> str:
    """Every word an explorer shows: its axes' titles, texts and legends, and its readout."""
    shown = [explorer.readout_text]
    for ax in explorer.fig.figure.axes:
        shown += [ax.get_title(), *(t.get_text() for t in ax.texts)]
        if ax.get_legend() is not None:
            shown += [t.get_text() for t in ax.get_legend().get_texts()]
    return "\n".join(shown)


def _runs_of(explorer):
    return [r for r in (getattr(explorer, "run", None), getattr(explorer, "baseline", None)) if r]


def _saddle(lr, noise=0.0):
    from gdcourse.widgets.saddle import SaddleExplorer

    return SaddleExplorer(lr=lr, noise=noise)


def _schedule(kind, noise):
    from gdcourse.widgets.schedule import ScheduleExplorer

    return lambda lr: ScheduleExplorer(kind=kind, lr=lr, noise=noise)


def _batch(lr):
    from gdcourse.lessons import sgd
    from gdcourse.widgets.batch_size import BatchSizeExplorer

    return BatchSizeExplorer(sgd.problem(), sgd.W0, batch_size=32, lr=lr)


def _momentum(method, mu):
    from gdcourse.widgets.momentum import MomentumExplorer

    return lambda lr: MomentumExplorer(lr=lr, mu=mu, method=method)


# Rates on each side of every regime boundary, a hair from the stability limit included: 2/a is
# 1 for a = 2, 0.2 for the bowls of curvatures 1 and 10, and 1 for the schedules' a = 2.
_HAIR = (1 - 1e-8, 1.0, 1 + 1e-10, 1 + 1e-7, 1 + 1e-3, 1.1)
_SWEEPS = [
    ("learning rate", lambda lr: LearningRateExplorer(Quadratic1D(a=2, c=3), lr=lr),
     (0.01, 0.3, 0.5, 0.75, *_HAIR, 3.0)),
    ("contour", lambda lr: ContourExplorer(lr=lr, steps=30),
     (0.05, 0.1, 0.15, *(0.2 * h for h in _HAIR), 0.3, 1.0)),
    ("conditioning", lambda lr: ConditioningExplorer(kappa=10, lr=lr),
     (0.05, 0.15, *(0.2 * h for h in _HAIR), 0.5, 2.0)),
    ("conditioning, kappa 100", lambda lr: ConditioningExplorer(kappa=100, lr=lr),
     (0.01, *(0.02 * h for h in _HAIR), 0.5)),
    ("step", lambda lr: StepExplorer(lr=lr, steps=15), (0.1, 0.5, *_HAIR, 1.2)),
    ("saddle", _saddle, (0.02, 0.05, 0.1, 0.4)),
    ("saddle, noisy", lambda lr: _saddle(lr, noise=0.05), (0.02, 0.4)),
    *[
        (f"schedule {kind}, noise {noise}", _schedule(kind, noise), (0.001, 0.3, *_HAIR, 1.4))
        for kind in ("constant", "step decay", "exponential", "1/t", "cosine")
        for noise in (0.0, 1.0)
    ],
    ("batch size", _batch, (0.001, 0.03, 0.3, 1.0)),
    # momentum's stability limits on the bowl of curvatures 1 and 10: lr = limit / 10
    *[
        (f"momentum {method}, mu {mu}", _momentum(method, mu), (0.01, *(limit * h for h in _HAIR)))
        for method, mu, limit in (("heavy ball", 0.5, 0.3), ("heavy ball", 0.9, 0.38),
                                  ("Nesterov", 0.5, 0.15), ("Nesterov", 0.0, 0.2))
    ],
    ("momentum Adam", _momentum("Adam", 0.9), (0.01, 0.1, 0.5, 1.0)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "rates"), _SWEEPS, ids=[s[0] for s in _SWEEPS])
def test_no_explorer_says_a_word_its_runs_status_contradicts(name, make, rates):
    """The errata's item 3: every explorer's words follow the core's status, everywhere it
    writes (titles, annotations, legends, readout): "bounc..." only beside a bouncing run,
    "diverg..." only beside a diverged one, "the run converges" only for a converged one, and a
    diverged or bouncing run is always said to be so."""
    for lr in rates:
        ex = make(lr)
        if isinstance(ex, StepExplorer):
            ex.player.set(ex.run.n_steps)  # it names the run's status at the run's end
        shown = _everything_shown(ex).lower()
        if isinstance(ex, ConditioningExplorer):
            # The steep direction's own regime (the core's quadratic model) is not the run's:
            # at 2/lambda_max it bounces while the shallow direction still converges.
            steep = quadratic_regime(ex._eigenvalues().max(), lr)
            mine = f"the steep direction is {REGIME_PHRASES[steep]}"
            assert (mine in shown) == (steep in ("diverging", "bouncing")), (name, lr, shown)
            shown = shown.replace(mine, "")
        statuses = {r.status for r in _runs_of(ex)}
        assert statuses, name
        said = (name, lr, statuses, shown)
        assert ("bounc" in shown) == ("bouncing" in statuses), said
        assert ("diverg" in shown) == ("diverged" in statuses), said
        if "the run converges" in shown:
            assert "converged" in statuses, said
        if "has not converged" in shown:
            assert statuses & {"max_steps", "completed"}, said


def test_a_multiplier_a_hair_inside_the_limit_is_not_shown_as_minus_one():
    ex = ConditioningExplorer(kappa=10, lr=0.2 * (1 - 1e-8))
    assert ex.run.status != "bouncing"
    shown = _everything_shown(ex)
    assert "-0.99999998" in shown and "slowest factor 0.99999998 per step" in shown
    assert not any(t.get_text() == "-1" for t in ex._bar_labels)
    ex.set(lr=0.2)
    assert [t.get_text() for t in ex._bar_labels] == ["0.8", "-1"]


def test_a_rate_just_below_the_limit_never_reads_as_the_limit():
    from gdcourse.widgets.parts import rate_against_limit

    assert rate_against_limit(10**-0.7, 0.2) == ("0.1995", "0.2")
    assert rate_against_limit(0.2, 0.2) == ("0.2", "0.2")
    assert rate_against_limit(10**0.29, 1.9543) == ("1.95", "1.954")
    for rate, limit in ((0.19999999, 0.2), (0.2000001, 0.2), (1.0, 1.0 + 1e-6)):
        r, m = rate_against_limit(rate, limit)
        assert r != m and (float(r) < float(m)) == (rate < limit)
    ct = ContourExplorer()
    ct.set(lr=10**-0.7)
    assert "rate 0.1995" in ct.readout_text and "2/\u03bb_max = 0.2." in ct.readout_text
    cd = ConditioningExplorer(kappa=10**0.01, lr=10**0.29)
    head = cd.readout_text.splitlines()[0]
    assert "rate 1.95:" in head and head.endswith("stable below 2/\u03bb_max = 1.954.")


def test_at_two_over_a_a_step_keeps_the_loss_and_says_so_whatever_the_rounding():
    # Rate 1 on (w - 3)^2 bounces: each step leaves the loss where it was, up to rounding.
    for w0 in (-2.8, -2.2, -0.4, 0.6, 0.8):
        ex = StepExplorer(lr=1.0, w0=w0)
        assert ex.run.status == "bouncing"
        for k in range(ex.run.n_steps + 1):
            ex.player.set(k)
            text = ex.readout_text + ex._finding.get_text()
            assert "rises" not in text and "falls" not in text and "overshot" not in text, w0
            assert "the loss stays at" in ex.readout_text
    lr = LearningRateExplorer(Quadratic1D(a=2, c=3), lr=1.0, w0=-2.8)
    assert "the loss did not change in 20 steps" in lr._finding.get_text()  # no "fell 2e-14%"


def test_the_conditioning_readout_and_its_bars_say_one_multiplier_near_the_limit():
    # Within the regime's own tolerance of the limit (lr * lambda_max = 2 +- 2e-9) the steep
    # multiplier is -1 in the readout and on its bar alike; at kappa = 1 the best rate
    # multiplies the distance by 0 (it does not "shrink it by 0").
    for lr in (0.2 * (1 - 1e-9), 0.2, 0.2 * (1 + 1e-9)):
        ex = ConditioningExplorer(kappa=10, lr=lr)
        steep = ex._bar_labels[1].get_text()
        assert f"and {steep} (steep)" in ex.readout_text.splitlines()[0], (lr, steep)
    flat = ConditioningExplorer(kappa=1, lr=0.5)
    assert "multiplies the distance by 0 per step" in flat.readout_text


def test_the_readouts_small_lies_are_gone():
    """Issue 18's list: no "multiplier 1.1e-16" at the 1/a preset, whatever the curvature; no
    "after 0 steps" for a run that starts at the minimum."""
    ex = LearningRateExplorer(curvature=True)
    slider = ex.controls["a"]
    for i in range(0, round((slider.max - slider.min) / slider.step) + 1, 7):
        ex.set(a=10 ** (slider.min + i * slider.step))
        ex._presets[0].click()
        head = ex.readout_text.split(";")[0]
        if "landing on the minimum in one step" in head:
            assert ": multiplier 0," in head, head
        assert "e-1" not in head, head
    still = LearningRateExplorer(Quadratic1D(a=2, c=3), w0=3.0, lr=1.0)
    text = still.readout_text
    assert "after 0 steps" not in text
    assert "bouncing between two points forever from any other start" in text
    assert "the run converges at once: it starts where the gradient is 0" in text
    with pytest.raises(CourseValueError, match="slider's range"):
        still.set(lr=0)  # never clamped silently


@pytest.mark.parametrize("store_widget_state", [False, True])
def test_a_saved_notebook_shows_each_explorers_picture_and_readout_without_a_kernel(
    tmp_path, store_widget_state
):
    # An explorer displays its still picture (named by its readout) and the readout as text
    # after the live widget: what a viewer, an HTML export or a notebook reopened without its
    # kernel shows, whether the widget state was saved (nbconvert --execute) or not (JupyterLab).
    import base64
    from html.parser import HTMLParser

    import nbclient
    import nbconvert
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from gdcourse.widgets import LearningRateExplorer\n"
            "ex = LearningRateExplorer(lr=0.75)\nex"
        ),
        nbformat.v4.new_code_cell("print(ex.readout_text)"),
    ]
    client = nbclient.NotebookClient(nb, timeout=120, store_widget_state=store_widget_state)
    client.execute(cwd=str(tmp_path))
    readout = nb.cells[1].outputs[0]["text"].strip()
    assert readout.startswith("rate 0.75: multiplier -0.5")
    page, _ = nbconvert.HTMLExporter().from_notebook_node(nb)

    class Stills(HTMLParser):
        def __init__(self):
            super().__init__()
            self.images, self.captions, self._in_caption = [], [], False

        def handle_starttag(self, tag, attrs):
            if tag == "img" and dict(attrs).get("src", "").startswith("data:image/png"):
                self.images.append(dict(attrs))
            self._in_caption = tag == "figcaption"

        def handle_data(self, data):
            if self._in_caption:
                self.captions.append(data.strip())

    found = Stills()
    found.feed(page)
    assert len(found.images) == 1, "one still picture, for the one explorer"
    assert found.images[0]["alt"] == readout
    picture = found.images[0]["src"].split("base64,", 1)[1]
    assert base64.b64decode(picture).startswith(b"\x89PNG")
    assert readout in found.captions
    widget, still = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in widget["data"]
    assert "run the notebook" in widget["data"]["text/plain"]  # where no widget is drawn
    assert still["data"]["text/plain"] == readout
    assert "gdcourse-explorer-still" in still["data"]["text/html"]
    # Shown next to its live explorer, the still is hidden by the explorer's own style sheet.
    css = (Path(gdcourse.widgets.__file__).parent / "explorer.css").read_text()
    assert ":has(.gdcourse-explorer) + .jp-OutputArea-child:has(.gdcourse-explorer-still)" in css


@pytest.mark.parametrize(
    "junk", [1e9, -1.0, float("nan"), float("inf"), "abc", "0.5", True, None, [1]]
)
def test_a_tampered_front_end_cannot_set_a_value_the_slider_does_not_have(junk):
    ex = LearningRateExplorer(lr=0.1)
    before = ex.readout_text
    for name, value in (("lr", junk), ("w0", 1e300), ("nonexistent", 3), (["lr"], 0.2)):
        ex.widget._message(ex.widget, {"value": [name, value]}, [])
    assert ex.controls["lr"].value == 0.1 and ex.controls["w0"].value == 7.0
    assert ex.readout_text == before
    assert ex.widget.values["lr"] == 0.1  # the browser's slider is put back
    ex.widget._message(ex.widget, {"click": "b99"}, [])  # no such button: nothing happens
    ex.widget._message(ex.widget, "not a dict", [])
    ex.widget._message(ex.widget, {"click": ["b0"]}, [])  # unhashable: ignored, no error
    assert ex.readout_text == before


@pytest.mark.parametrize("junk", [-1, 1.7, True, "3", 99])
def test_a_list_or_whole_number_control_takes_only_its_own_positions(junk):
    from gdcourse.lessons import sgd
    from gdcourse.widgets import BatchSizeExplorer

    ex = BatchSizeExplorer(sgd.problem(), sgd.W0, batch_size=32, lr=0.03)
    ex.widget._message(ex.widget, {"value": ["batch", junk]}, [])
    assert ex.controls["batch"].value == 32


def test_a_move_answers_with_every_value_the_kernel_holds():
    # A page never sends other controls' positions: a preset the kernel just made stays.
    ex = LearningRateExplorer(lr=0.1)
    ex._presets[0].click()
    ex.widget._message(ex.widget, {"value": ["w0", 7.2]}, [])
    assert ex.controls["lr"].value == 0.5 and ex.widget.values["lr"] == 0.5
    assert ex.widget.values["w0"] == 7.2


def test_a_line_with_a_gap_is_drawn_in_pieces_as_matplotlib_draws_it():
    from gdcourse.widgets import LayeredFigure

    fig = LayeredFigure(ncols=1)
    (line,) = fig.axes[0].plot([0, 1, np.nan, 2, 3], [0, 1, np.nan, 1, 0])
    fig.axes[0].set_xlim(-1, 4)
    fig.animate([line])
    fig.update()
    paths = [op for op in fig.layer_ops("moving") if op["k"] == "path"]
    assert [op["n"] for op in paths] == [[2, 2]]


@pytest.mark.parametrize(
    "state",
    [
        {"readout": "forged", "problem": True},
        {"values": "not a dict"},
        {"values": {"lr": 5.0}},
        {"ops": "[{]", "background": b"junk"},
    ],
)
def test_a_page_cannot_set_the_kernels_state(state):
    # A page sends moves and clicks as messages (checked); a plain state update from it (what
    # a tampered page could send) changes nothing in the kernel: not the readout an export or
    # a grader reads, not a value.
    ex = LearningRateExplorer(lr=0.1)
    before = (ex.readout_text, ex.widget.readout, ex.widget.problem, dict(ex.widget.values))
    ex.widget._handle_msg({"content": {"data": {"method": "update", "state": state}}})
    after = (ex.readout_text, ex.widget.readout, ex.widget.problem, dict(ex.widget.values))
    assert after == before and ex.controls["lr"].value == 0.1
    assert ex.widget.ops != "[{]"


def test_hatches_travel_as_matplotlibs_own_tiles():
    # The browser fills a hatched band with the tile matplotlib itself draws (its density and
    # line width, the dots on the tile's edges included), not a guess at the pattern.
    from matplotlib.path import Path as MplPath

    ex = LearningRateExplorer(curvature=True, regime_strip=True)
    used = {op["hatch"] for op in ex.fig.frame_ops if op.get("hatch")}
    assert used and used <= set(ex.widget.hatches)
    for key in used:
        hatch, _color, lw, size = key.split("|")
        tile = ex.widget.hatches[key]
        expected = MplPath.hatch(hatch, 6).to_polygons(closed_only=False)
        assert len(tile["polys"]) == len(expected) and tile["size"] == int(size) == 100
        assert tile["lw"] == float(lw) > 0
        xs = [v for poly in tile["polys"] for v in poly[::2]]
        assert min(xs) <= 1 and max(xs) >= 99  # the tile is covered edge to edge


def test_a_cell_run_again_closes_the_explorers_its_last_run_made(monkeypatch):
    # ipywidgets keeps every widget alive for the session: an explorer cell run 50 times would
    # keep 50 figures (about 5 MB each). A new run of the same cell closes what its last run
    # made; two explorers made by one run, and other cells' explorers (even when a re-run cell
    # only shows one of them), stay.
    import gc
    import weakref

    from IPython.core.interactiveshell import InteractiveShell

    import gdcourse.widgets.base as base

    shell = InteractiveShell.instance()
    runs = iter([("a", "run-1"), ("a", "run-1"), ("b", "run-2"), ("a", "run-3"), ("c", "run-4")])
    monkeypatch.setattr(base, "_this_run", lambda: next(runs))
    monkeypatch.setattr(base, "_MADE", {})
    first, second, other, third, fourth = (LearningRateExplorer() for _ in range(5))
    assert first.widget is None and second.widget is None  # closed by cell a's new run
    assert other.widget.comm is not None and third.widget.comm is not None
    assert fourth.widget.comm is not None
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None, "a closed explorer is freed"
    # IPython's output cache (Out[n], _) may keep the object itself: all it held is freed (the
    # figure, its runs, the artists), it says so in a sentence when used, and when shown again.
    assert set(vars(second)) == {"controls", "readout", "widget", "fig", "_closed", "_dropped"}
    with pytest.raises(CourseValueError, match="closed when its cell ran again"):
        second.set(lr=0.2)
    with pytest.raises(CourseValueError, match="closed when its cell ran again"):
        second.data()
    with pytest.raises(CourseValueError, match="closed when its cell ran again"):
        second.png()
    assert second.readout_text  # its last words stay
    assert shell.display_formatter.format(second) == ({}, {})  # a sentence, no error


def test_a_disabled_control_refuses_a_move_from_the_page():
    from gdcourse.widgets.schedule import ScheduleExplorer

    ex = ScheduleExplorer(kind="constant", T=100)
    ex.widget._message(ex.widget, {"value": ["T", 50], "seq": 1}, [])
    assert ex.controls["T"].value == 100
    ex.set(kind="cosine")
    ex.widget._message(ex.widget, {"value": ["T", 50], "seq": 2}, [])
    assert ex.controls["T"].value == 50


def test_a_log_sliders_ends_are_its_own_numbers():
    # The page sends 10 ** log10(0.02) for the bottom end: the kernel takes the end it was given.
    import math

    from gdcourse.widgets.saddle import SaddleExplorer

    ex = SaddleExplorer()
    for end in (0.02, 0.4):
        for sent in (10 ** math.log10(end), math.nextafter(end, 1.0), math.nextafter(end, 0.0)):
            ex.set(lr=0.1)
            ex.widget._message(ex.widget, {"value": ["lr", sent]}, [])
            assert ex.controls["lr"].value == end


def test_the_stills_caption_keeps_the_readouts_lines():
    ex = LearningRateExplorer(curvature=True, regime_strip=True)
    assert "\n" in ex.readout_text
    page = ex.widget.still()._repr_mimebundle_()["text/html"]
    caption = page.split("<figcaption>", 1)[1]
    assert caption.startswith(ex.readout_text.split("\n")[0] + "<br>")


def test_an_interrupt_stops_a_cells_loop_but_only_the_redraw_of_a_move():
    # Kernel > Interrupt while a cell loops over ex.set(...) stops the cell (KeyboardInterrupt
    # goes on); while the kernel answers a move from the page, it stops the redraw only, the
    # readout says so, and the page is told the move is done (it never waits for good).
    ex = LearningRateExplorer(lr=0.1)
    sent = []

    class Comm:
        comm_id, kernel = "c", object()

        def send(self, data=None, metadata=None, buffers=None):
            sent.append(data)

        def on_msg(self, cb): ...

        def on_close(self, cb): ...

        def close(self, *a, **k): ...

    ex.widget.comm = Comm()
    real = ex.fig.update

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    ex.fig.update = interrupted
    with pytest.raises(KeyboardInterrupt):
        ex.set(lr=0.2)  # a cell's own call
    ex.widget._message(ex.widget, {"value": ["lr", 0.3], "seq": 4}, [])
    assert ex.readout_text.startswith("Interrupted before the picture was drawn")
    assert sent[-1] == {"method": "custom", "content": {"done": 4}}
    ex.fig.update = real
    ex.set(lr=0.25)
    assert ex.readout_text.startswith("rate 0.25")
