"""Lesson 10, part 1 (the learning rate on a real network): its claims recomputed from the core
where the notebook reads the store, its checks with their targeted messages, its cards, its
figures, and the core's new pieces it rests on (a network on the mini-batch runner, the status of
a saturated network, the range test on a network)."""

import math

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import (
    ENDED_ABOVE,
    MLP,
    ____,
    adam,
    last_layer_gradient,
    minibatch_sgd,
    momentum,
    one_after_another,
    range_test,
    training_curves,
    updates_per_epoch,
)
from gdcourse.checks import Card
from gdcourse.core.errors import CourseTypeError, CourseValueError
from gdcourse.digits import EPOCHS, RANGE_TEST, SWEEP_BATCH, load_digits_split, stored_studies
from gdcourse.lessons import network as lesson
from gdcourse.plots.network import (
    curves_figure,
    digits_figure,
    scaling_figure,
    schedule_figure,
    u_curve_figure,
)

DIGITS = load_digits_split()
NET, VAL = DIGITS.network("train"), DIGITS.network("val")
STUDIES = stored_studies()


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _range_test():
    settings = {k: v for k, v in RANGE_TEST.items() if k != "seed"}
    return range_test(NET, NET.init(RANGE_TEST["seed"]), seed=RANGE_TEST["seed"], **settings)


# -- section 1: the start -----------------------------------------------------------------------
def test_the_loss_starts_near_ln_10_because_the_first_scores_are_small():
    for seed in range(5):
        w = NET.init(seed)
        assert abs(NET.value(w) - math.log(10)) < 0.2
        scores = NET._scores(w, NET.X)[2]
        assert np.abs(scores).mean() < 1.0  # small scores: softmax near uniform
    # A start with large last-layer weights starts far above ln 10: the claim can fail.
    w = NET.init(0).copy()
    W2 = NET.unpack(w)[2]
    W2 *= 30
    assert NET.value(w) > 2 * math.log(10)


def test_q1_ln_10_and_its_misconceptions_are_named():
    assert lesson.q1.check(math.log(10)).outcome == "correct"
    assert lesson.q1.check(2.3).outcome == "correct"  # within rtol 2e-3
    for wrong, name in (
        (1.0, "log base 10"),
        (0.1, "the probability itself"),
        (-math.log(10), "the sign"),
    ):
        v = lesson.q1.check(wrong)
        assert v.outcome == "incorrect" and v.misconception == name, wrong
    assert lesson.q1.check(3.0).outcome == "incorrect"
    assert lesson.q1.check("two").outcome != "correct"


# -- section 2: the range test ------------------------------------------------------------------
def test_the_range_test_blows_up_near_1_9_with_a_margin_and_its_pick_trains():
    found = _range_test()
    assert f"{found.blow_up:.2f}" == "1.89" and found.blow_up_margin > 0.1
    assert found.at_minimum < found.blow_up
    run = training_curves(NET, found.suggested, SWEEP_BATCH, EPOCHS, evaluate=VAL, seed=0)
    assert run.status == "completed" and run.val_accuracy[-1] > 0.95
    # Above the blow-up the same training is thrown off (the reading means something).
    thrown = training_curves(NET, 3 * found.blow_up, SWEEP_BATCH, 2, evaluate=VAL, seed=0)
    assert thrown.status == "diverged"


def test_other_seeds_put_the_blow_up_at_the_same_rate_or_later_and_a_tenth_of_it_is_safe():
    settings = {k: v for k, v in RANGE_TEST.items() if k != "seed"}
    ups = [range_test(NET, NET.init(s), seed=s, **settings).blow_up for s in range(10)]
    assert min(ups) >= _range_test().blow_up * (1 - 1e-12) and max(ups) > 2.0
    for up in (min(ups), max(ups)):
        run = training_curves(NET, up / 10, SWEEP_BATCH, 3, evaluate=VAL, seed=0)
        assert run.status == "completed" and run.train_loss[-1] < run.train_loss[0]


# -- section 3: the U-curve ---------------------------------------------------------------------
def test_the_stored_sweeps_best_rate_is_recomputed_from_its_runs():
    """Three of the stored runs, trained again here: the best rate and its neighbour."""
    for rate in (0.3, 1.0):
        row = STUDIES.sweep.accuracy[list(STUDIES.sweep.rates).index(rate)]
        again = [
            training_curves(NET, rate, SWEEP_BATCH, EPOCHS, evaluate=VAL, seed=s).val_accuracy[-1]
            for s in (0, 1)
        ]
        np.testing.assert_array_equal(again, row[:2])


def test_q2_the_best_rate_is_1_and_the_near_misses_get_their_reason():
    assert lesson.q2.check("1").outcome == "correct"
    assert lesson.q2.check(1.0).outcome == "correct"  # a number for a numeric label
    for wrong, words in (("0.1", "rule of thumb"), ("0.3", "not the best"), ("3", "blow-up")):
        v = lesson.q2.check(wrong)
        assert v.outcome == "incorrect" and words in v.message, wrong
    assert lesson.q2.check("fast").outcome != "correct"


# -- section 4: linear scaling --------------------------------------------------------------------
def test_q3_the_full_batch_blows_up_and_the_answer_follows_the_store():
    assert lesson.q3.check("blows up").outcome == "correct"
    v = lesson.q3.check("trains as well")
    assert v.outcome == "incorrect" and "curvature" in v.message
    assert lesson.q3.check("trains worse").outcome == "incorrect"


def test_a_full_batch_step_at_the_scaled_rate_is_thrown_off_live():
    run = minibatch_sgd(NET, NET.init(0), 0.025 * 125, 1000, EPOCHS, seed=0)
    assert run.status == "diverged"
    run = minibatch_sgd(NET, NET.init(0), 0.025 * 32, 1000, EPOCHS, seed=0)
    assert run.status == "completed"


# -- section 5: the schedule ---------------------------------------------------------------------
def test_q4_640_updates_and_the_rounding_slips():
    assert lesson.q4.check(640).outcome == "correct"
    assert EPOCHS * updates_per_epoch(1000, 32) == 640
    assert lesson.q4.check(620).misconception == "the last batch dropped"
    assert lesson.q4.check(625.0).misconception == "not rounded"


def test_every_solution_code_is_right_and_blanks_are_not_attempted():
    env = {"math": math, "updates_per_epoch": updates_per_epoch}
    for q in (lesson.q1, lesson.q2, lesson.q3, lesson.q4, lesson.q5, lesson.q6, lesson.q7):
        exec(q.solution_code, env)
        assert q.check(env[q.answer_var]).outcome == "correct", q.name
        assert q.check(____).outcome == "not_attempted"
        assert q.lesson == "network" and len(q.hints) >= 2 and q.explanation


def test_the_cards_state_the_stores_numbers():
    assert len(lesson.CARDS) == 8 and all(isinstance(c, Card) for c in lesson.CARDS)
    text = " ".join(c.answer for c in lesson.CARDS)
    low = STUDIES.sweep.accuracy[0]
    for number in (f"{100 * low.min():.0f}%", f"{100 * low.max():.0f}%", "26.5%", "2.30"):
        assert number in text, number
    assert all(c.topic.startswith("10 ") for c in lesson.CARDS)


# -- the core under the lesson: a network on the mini-batch runner ---------------------------------
def test_a_saturated_network_that_ends_far_above_its_start_has_diverged():
    small = MLP(DIGITS.X_train[:200], DIGITS.y_train[:200], 16, n_classes=10)
    w0 = small.init(0)
    run = minibatch_sgd(small, w0, 1000.0, 20, 3, seed=0)
    assert np.all(np.isfinite(run.losses))  # bounded: no overflow decides it
    assert run.losses[-1] > ENDED_ABOVE * run.losses[0] and run.status == "diverged"
    good = minibatch_sgd(small, w0, 0.3, 20, 3, seed=0)
    assert good.status == "completed" and good.losses[-1] < good.losses[0]


def test_minibatch_sgd_takes_momentum_and_adam_on_the_network_and_refuses_a_full_loss_rule():
    small = MLP(DIGITS.X_train[:100], DIGITS.y_train[:100], 8, n_classes=10)
    w0 = small.init(1)
    plain = minibatch_sgd(small, w0, 0.1, 10, 2, seed=0)
    heavy = minibatch_sgd(small, w0, 0.1, 10, 2, seed=0, update=momentum(0.9))
    moved = minibatch_sgd(small, w0, 1e-3, 10, 2, seed=0, update=adam())
    assert not np.allclose(plain.weights[-1], heavy.weights[-1])
    assert heavy.losses[-1] < plain.losses[-1]  # (momentum 0.9 goes ten times further here)
    assert moved.status == "completed" and moved.n_updates == 20
    with pytest.raises(CourseValueError, match="cannot run on mini-batches"):
        minibatch_sgd(small, w0, 0.1, 10, 1, update=one_after_another())


def test_a_plain_update_through_the_general_loop_is_the_fast_loops_run():
    from gdcourse import LinearRegression, make_regression, plain

    X, y, _ = make_regression(300, 4, noise=0.3, seed=2)
    loss = LinearRegression(X, y)
    fast = minibatch_sgd(loss, np.zeros(4), 0.05, 16, 4, seed=3)
    general = minibatch_sgd(loss, np.zeros(4), 0.05, 16, 4, seed=3, update=plain())
    np.testing.assert_allclose(general.weights, fast.weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(general.batch_losses, fast.batch_losses, rtol=1e-12)


def test_last_layer_gradient_is_the_networks_own_and_refuses_bad_shapes():
    w = NET.init(2)
    rows = np.array([5, 17, 300, 999])
    W1, b1, W2, b2 = NET.unpack(w)
    hidden = np.tanh(NET.X[rows] @ W1 + b1)
    dW2, db2 = last_layer_gradient(hidden, hidden @ W2 + b2, NET.y[rows])
    g = NET.unpack(NET.minibatch_gradient(w, rows))
    np.testing.assert_allclose(dW2, g[2], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db2, g[3], rtol=1e-12, atol=1e-15)
    with pytest.raises(CourseValueError, match="one label per row"):
        last_layer_gradient(hidden, hidden @ W2, NET.y[:3])
    with pytest.raises(CourseValueError, match="whole numbers from 0 to 9"):
        last_layer_gradient(hidden, hidden @ W2, [0, 1, 2, 10])


def test_the_training_studies_refuse_bad_arguments_in_one_sentence():
    from gdcourse import rate_sweep, scaling_study, training_grid

    tiny = MLP(DIGITS.X_train[:20], DIGITS.y_train[:20], 4, n_classes=10)
    other = MLP(DIGITS.X_train[:20], DIGITS.y_train[:20], 5, n_classes=10)
    cases = [
        (lambda: rate_sweep(tiny, [], batch_size=4, epochs=1, evaluate=tiny), "rates"),
        (lambda: rate_sweep(tiny, [0.1, -1], batch_size=4, epochs=1, evaluate=tiny), "rates"),
        (lambda: rate_sweep(tiny, [0.1], batch_size=40, epochs=1, evaluate=tiny), "batch_size"),
        (lambda: rate_sweep(tiny, [0.1], batch_size=4, epochs=1, evaluate=other), "same network"),
        (lambda: rate_sweep(tiny, [0.1], batch_size=4, epochs=1, evaluate=tiny, seeds=()), "seeds"),
        (
            lambda: rate_sweep(
                tiny, np.linspace(0.1, 1, 3000), batch_size=4, epochs=1, evaluate=tiny
            ),
            "at most",
        ),
        (lambda: rate_sweep(tiny, [0.1, 0.1], batch_size=4, epochs=1, evaluate=tiny), "repeat"),
        (lambda: rate_sweep(tiny, ["0.1"], batch_size=4, epochs=1, evaluate=tiny), "numbers"),
        (lambda: scaling_study(tiny, 4, 0.1, (1, 8), epochs=1, evaluate=tiny), "batch_size"),
        (
            lambda: training_grid(tiny, [0.1], [4], epochs=1, evaluate=tiny, schedules=["cos"]),
            "schedule",
        ),
        (lambda: training_curves(tiny, 0.1, 4, 0, evaluate=tiny), "epochs"),
    ]
    for call, words in cases:
        with pytest.raises(CourseValueError, match=words):
            call()
    with pytest.raises(CourseTypeError, match="net must be an MLP"):
        rate_sweep("net", [0.1], batch_size=4, epochs=1, evaluate=tiny)


# -- the figures -----------------------------------------------------------------------------------
def test_figures_draw_what_the_store_holds_and_refuse_other_objects():
    digits_figure(DIGITS.X_train, DIGITS.y_train)
    assert len(plt.gcf().axes) == 10
    u_curve_figure(STUDIES.sweep, title="a finding")
    ax = plt.gcf().axes[0]
    assert ax.get_xscale() == "log" and ax.get_title() == "a finding"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "diverged" in labels and "mean of seeds" in labels
    scaling_figure(STUDIES.scaling, title="scaling")
    labels = [t.get_text() for t in plt.gcf().axes[0].get_legend().get_texts()]
    assert any("rate scaled" in t for t in labels) and any("kept" in t for t in labels)
    schedule_figure({"constant": STUDIES.constant, "cosine": STUDIES.warmup_cosine}, title="s")
    run = training_curves(NET, 0.3, 100, 2, evaluate=VAL)
    curves_figure({"seed 0": run}, title="curves")
    assert plt.gcf().axes[0].get_yscale() == "log"
    with pytest.raises(CourseTypeError, match="draws a RateSweep"):
        u_curve_figure(STUDIES.scaling, title="x")
    with pytest.raises(CourseTypeError, match="draws a TrainingCurves"):
        curves_figure({"x": STUDIES.sweep}, title="x")


def test_the_cross_entropy_keeps_its_precision_on_huge_scores():
    small = MLP(DIGITS.X_train[:50], DIGITS.y_train[:50], 8, n_classes=10)
    assert math.isclose(small.value(np.full(small.shape, 1e200)), math.log(10), rel_tol=1e-12)
    w = small.init(0)
    w[-10:] = -1e308  # every last bias hugely negative: the scores equal again
    assert math.isclose(small.value(w), math.log(10), rel_tol=1e-9)


def test_thrown_off_reads_the_first_epoch_past_twice_the_start():
    from gdcourse import thrown_off_epoch

    assert thrown_off_epoch([2.3, 1.0, 30.0, 2.2]) == 2
    assert thrown_off_epoch([2.3, 4.5, 1.0]) is None  # below twice the start: not thrown off
    assert thrown_off_epoch([0.1, 1.9, 2.1]) == 2  # the floor of 1: 2 x max(0.1, 1)
    with pytest.raises(CourseValueError, match="1-D list of losses"):
        thrown_off_epoch([])
