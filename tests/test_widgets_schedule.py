"""The schedule explorer of lesson 06, driven from Python: runs, panels, readout, controls."""

import numpy as np
import pytest

from gdcourse import (
    CourseValueError,
    Quadratic1D,
    cosine_decay,
    gradient_descent,
    noise_floor,
    noisy_runs,
    settled_loss,
)
from gdcourse.widgets.schedule import KINDS, ScheduleExplorer, make_schedule

LOSS = Quadratic1D(a=2, c=3)


def test_make_schedule_gives_each_kind_its_time_scale_meaning():
    assert make_schedule("constant", 0.4, 10).rates(3).tolist() == [0.4] * 3
    assert make_schedule("step decay", 0.4, 10)(10) == 0.2
    assert make_schedule("exponential", 0.4, 10)(10) == pytest.approx(0.2)
    assert make_schedule("1/t", 0.4, 10)(10) == pytest.approx(0.2)
    assert make_schedule("1/t", 0.4, 10)(20) == pytest.approx(0.4 / 3)
    assert make_schedule("cosine", 0.4, 10)(10) == 0.0
    with pytest.raises(CourseValueError, match="unknown schedule kind"):
        make_schedule("linear", 0.4, 10)


def test_it_opens_on_cosine_against_the_constant_rate_with_the_same_noise():
    ex = ScheduleExplorer()
    run = gradient_descent(LOSS, 7.0, lr=cosine_decay(0.3, 100), steps=400, noise=1.0, tol=0)
    const = gradient_descent(LOSS, 7.0, lr=0.3, steps=400, noise=1.0, tol=0)
    d = ex.data()
    np.testing.assert_array_equal(d["losses"], run.losses)
    np.testing.assert_array_equal(d["constant_losses"], const.losses)
    assert d["final"] == pytest.approx(np.mean(run.losses[-50:]))
    runs = noisy_runs(LOSS, 7.0, cosine_decay(0.3, 100), 400, noise=1.0, seeds=[0])
    assert d["final"] == settled_loss(runs, last=50)  # the core's reading, not the explorer's
    assert d["floor"] == pytest.approx(noise_floor(2, 0.3, 1.0))
    np.testing.assert_allclose(d["rate_line"], cosine_decay(0.3, 100).rates(400))
    # Each run in the core's words (its status's phrase), then where it settled (settled_loss).
    assert (ex.run.status, ex.baseline.status) == ("max_steps", "max_steps")
    assert ex.readout_text == (
        "cosine from 0.3 over T = 100 steps (falls along half a cosine to 0 at step T), "
        f"gradient noise 1: the run {ex.run.phrase}, mean loss of its last 50 steps "
        f"{d['final']:.3g}; constant rate 0.3 {ex.baseline.phrase}, mean loss of its last 50 "
        f"steps {d['constant_final']:.3g} (its noise floor 0.107, dotted). The schedule ends 14x "
        "lower than the constant rate."
    )
    assert d["final"] < d["constant_final"] / 10  # the decay settles deeper
    assert ex._finding.get_text().startswith("The schedule ends 14x lower")


def test_every_kind_and_slider_changes_the_readout_and_the_curves():
    ex = ScheduleExplorer()
    seen = {ex.readout_text}
    for kind in KINDS:
        ex.set(kind=kind)
        seen.add(ex.readout_text)
    assert len(seen) == len(KINDS)
    ex.set(kind="cosine")
    for name, value in (("lr", 0.3 * 10**0.01), ("T", 101), ("noise", 1.02)):
        before, line = ex.readout_text, ex.data()["loss_line"].copy()
        ex.set(**{name: value})
        assert ex.readout_text != before, name
        assert not np.array_equal(ex.data()["loss_line"], line), name


def test_slider_moves_only_blit_and_an_echo_recomputes_nothing():
    ex = ScheduleExplorer()
    ex.fig.canvas.draw()
    full, blits = ex.fig.full_redraws, ex.fig.blits
    ex.set(T=150)
    assert (ex.fig.full_redraws, ex.fig.blits) == (full, blits + 1)
    run = ex.run
    ex.set(noise=1.0000000000000002)
    assert ex.run is run


def test_exact_gradients_have_no_floor_and_a_too_large_rate_diverges_clipped():
    ex = ScheduleExplorer(noise=0.0)
    assert "exact gradients: no noise floor" in ex.readout_text
    assert np.isnan(ex.data()["floor"])
    assert ex.data()["constant_final"] == 0.0  # the constant run reached w = 3 exactly
    ex.set(lr=1.4, noise=1.0)
    assert ex.run.status == ex.baseline.status == "diverged"
    assert "the run diverges; constant rate 1.4 diverges" in ex.readout_text
    assert ex._finding.get_text().startswith("The schedule's run diverges")
    line = ex.data()["loss_line"]
    assert np.all((line >= 1e-8) & (line <= 1e3))


def test_every_control_has_a_label_and_a_tooltip():
    ex = ScheduleExplorer()
    assert set(ex.controls) == {"kind", "lr", "T", "noise"}
    for name, control in ex.controls.items():
        assert control.description and control.tooltip, name
    assert ex.controls["lr"].kind == "log"
    assert "gdcourse-explorer" in ex.widget._dom_classes


def test_an_exception_in_a_callback_is_shown_in_the_readout():
    ex = ScheduleExplorer()

    def broken(w):
        raise RuntimeError("boom")

    object.__setattr__(ex.loss, "gradient", broken)  # losses are sealed: break it behind their back
    ex.set(T=120)
    assert "could not update (RuntimeError: boom)" in ex.readout_text


def test_the_notebooks_suggestions_hold_no_noise_both_converge_and_a_fast_exponential_freezes():
    ex = ScheduleExplorer(kind="cosine", lr=0.3, T=100, noise=0.0)
    assert ex.data()["final"] < 1e-20 and ex.data()["constant_final"] < 1e-20
    ex = ScheduleExplorer(kind="exponential", lr=0.03, T=10, noise=0.0)
    assert ex.data()["final"] > 1.0  # frozen short of the minimum: bound 0.03/(1-0.5**0.1)*8 < 4
    assert 0.03 / (1 - 0.5**0.1) * 8 < 4
    assert ex.data()["constant_final"] < 1e-6  # the same rate kept constant arrives


def test_the_lessons_two_suggestions_read_as_the_lesson_says():
    """schedules-09: "noise 0 (no floor: both runs converge)", and the exponential with T = 10
    from 0.03 "freezes before it arrives": the core's status says both, in the readout."""
    calm = ScheduleExplorer(noise=0.0)
    assert calm.run.status == calm.baseline.status == "converged"
    assert "the run converges" in calm.readout_text
    frozen = ScheduleExplorer(kind="exponential", lr=0.03, T=10, noise=0.0)
    assert frozen.run.status == "max_steps" and "the run has not converged" in frozen.readout_text
    assert frozen.baseline.status != "diverged"


def test_the_time_scale_slider_is_disabled_for_a_constant_rate_and_says_why():
    ex = ScheduleExplorer(kind="constant")
    slider = ex.controls["T"]
    assert slider.disabled and "no time scale" in slider.tooltip
    assert ex.widget.spec[1][0]["disabled"] is True  # what the page draws
    ex.set(kind="cosine")
    assert not slider.disabled and "decays" in slider.tooltip


@pytest.mark.parametrize("noise", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("lr", [0.05, 0.3, 1.2])
def test_a_constant_schedule_is_its_own_baseline_exactly(lr, noise):
    # For the constant schedule the explorer computes one run, not the same run twice: it must
    # be, to the last bit, the run at the constant rate.
    from gdcourse import gradient_descent, noisy_runs

    ex = ScheduleExplorer(kind="constant", lr=lr, noise=noise)
    kw = {"steps": ex.steps, "noise": noise, "seed": ex.seed, **({"tol": 0} if noise else {})}
    alone = gradient_descent(ex.loss, ex.w0, lr=lr, **kw)
    np.testing.assert_array_equal(ex.baseline.losses, alone.losses)
    assert ex.baseline.status == alone.status
    every = noisy_runs(ex.loss, ex.w0, lr, ex.steps, noise=noise, seeds=[ex.seed])
    np.testing.assert_array_equal(ex._all_steps[1].losses, every.losses)


def test_the_constant_rates_runs_are_kept_while_only_the_schedule_changes(monkeypatch):
    # A new schedule or time scale leaves the constant-rate baseline as it was: it is not run
    # again, and what is kept is exactly a fresh run; a new rate or noise runs it anew.
    import gdcourse.widgets.schedule as schedule
    from gdcourse import gradient_descent, noisy_runs

    ex = ScheduleExplorer(kind="constant", lr=0.3, noise=1.0)
    calls = []
    real = schedule.gradient_descent
    monkeypatch.setattr(
        schedule, "gradient_descent", lambda *a, **k: calls.append(k["lr"]) or real(*a, **k)
    )
    for change in ({"kind": "cosine"}, {"T": 50}, {"kind": "step decay"}, {"T": 80}):
        ex.set(**change)
        assert calls == [ex.schedule], change  # the schedule's run only
        calls.clear()
        kw = {"steps": ex.steps, "noise": 1.0, "seed": ex.seed, "tol": 0}
        fresh = gradient_descent(ex.loss, ex.w0, lr=0.3, **kw)
        np.testing.assert_array_equal(ex.baseline.losses, fresh.losses)
        every = noisy_runs(ex.loss, ex.w0, 0.3, ex.steps, noise=1.0, seeds=[ex.seed])
        np.testing.assert_array_equal(ex._all_steps[1].losses, every.losses)
    for change in ({"lr": 0.2}, {"noise": 0.5}):
        ex.set(**change)
        assert calls[1:] == [ex._value("lr")], change  # the baseline is run again
        calls.clear()
    fresh = gradient_descent(ex.loss, ex.w0, lr=0.2, steps=ex.steps, noise=0.5, seed=ex.seed, tol=0)
    np.testing.assert_array_equal(ex.baseline.losses, fresh.losses)


def test_the_kept_constant_runs_follow_the_seed_and_never_leave_a_last_bits_block():
    from gdcourse.core.last_bits import other_last_bits

    ex = ScheduleExplorer(kind="cosine", lr=0.3, noise=1.0)
    ex.seed = 5  # a public attribute: the next move must not keep seed 0's runs
    ex.set(kind="step decay")
    fresh = ScheduleExplorer(kind="step decay", lr=0.3, noise=1.0, seed=5)
    np.testing.assert_array_equal(ex.baseline.losses, fresh.baseline.losses)
    assert ex.readout_text == fresh.readout_text
    with other_last_bits(1):
        ex = ScheduleExplorer(kind="cosine", lr=0.3, noise=1.0)
    ex.set(kind="step decay")
    fresh = ScheduleExplorer(kind="step decay", lr=0.3, noise=1.0)
    np.testing.assert_array_equal(ex.baseline.losses, fresh.baseline.losses)


def test_a_noise_of_minus_zero_is_no_noise():
    ex = ScheduleExplorer(kind="cosine", noise=-0.0)
    assert ex.readout_text == ScheduleExplorer(kind="cosine", noise=0.0).readout_text
