"""Lesson 05 (SGD, mini-batch and full batch): the core's experiments on its problem, the numbers
of its prose, its checks with their targeted hints, and its figures."""

import math

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import (
    CourseValueError,
    LinearRegression,
    ____,
    check_gradient,
    compare_methods,
    epoch_average_gradient,
    escape_fractions,
    gradient_descent,
    gradient_spread,
    hessian_eigenvalues,
    linear_scaling_table,
    max_stable_lr,
    minibatch_gradient_variance,
    minibatch_sgd,
    noisy_runs,
    sample_variance,
    tune_rate,
    updates_per_epoch,
)
from gdcourse.lessons import sgd as lesson
from gdcourse.lessons import sgd_practice as ex
from gdcourse.plots.sgd import (
    comparison_figure,
    escape_figure,
    noise_floor_figure,
    variance_figure,
)

LOSS = lesson.problem()
W0 = lesson.W0
MIN = float(LOSS.value(LOSS.minimizer))


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_updates_per_epoch_rounds_up_like_minibatch_sgd():
    for n, b in [(1000, 32), (1024, 32), (1000, 1000), (7, 3), (5, 1)]:
        assert updates_per_epoch(n, b) == math.ceil(n / b)
    for b in (1, 3, 100, 1024):
        run = minibatch_sgd(LOSS, W0, 0.001, b, 1)
        assert run.n_updates == updates_per_epoch(1024, b)


def test_one_shuffled_epoch_of_equal_batches_averages_to_the_full_gradient():
    for b in (1, 32, 256):
        g = epoch_average_gradient(LOSS, W0, b, seed=3)
        np.testing.assert_allclose(g, LOSS.gradient(W0), atol=1e-10)
    with pytest.raises(ValueError):
        epoch_average_gradient(LOSS, W0, 3)


def test_sampled_variance_matches_the_formula_within_four_standard_errors():
    for b in (1, 4, 16, 64, 256):
        s = sample_variance(LOSS, W0, b, n_batches=2000, seed=1)
        assert abs(s.z) < 4
        assert s.theory == minibatch_gradient_variance(LOSS, W0, b)
    full = sample_variance(LOSS, W0, 1024, n_batches=10)
    assert full.theory == 0.0 and full.measured < 1e-20


def test_variance_at_b_64_over_b_16_is_a_bit_under_a_quarter():
    ratio = minibatch_gradient_variance(LOSS, W0, 64) / minibatch_gradient_variance(LOSS, W0, 16)
    assert ratio == pytest.approx(0.25 * 960 / 1008) and round(ratio, 4) == 0.2381


def test_tuning_picks_the_lowest_final_loss_and_diverged_runs_lose():
    t = tune_rate(LOSS, W0, 1024, 8, grid=lesson.RATE_GRID)
    assert t.lr == 0.3 and t.final_losses[1.0] > 1.0
    t1 = tune_rate(LOSS, W0, 1, 8, grid=lesson.RATE_GRID)
    assert t1.lr == 0.001 and math.isinf(t1.final_losses[0.3])
    assert min(lesson.RATE_GRID) < t1.lr  # not at the edge of the grid


def test_comparison_orderings_that_do_not_depend_on_the_machine():
    full, mini, sgd = compare_methods(
        LOSS, W0, {"full batch": 1024, "mini-batch": 32, "SGD": 1}, epochs=8, grid=lesson.RATE_GRID
    )
    assert (full.lr, mini.lr, sgd.lr) == (0.3, 0.03, 0.001)
    assert full.run.losses[-1] < min(mini.run.losses[1], sgd.run.losses[1])
    assert max(sgd.run.losses[1], mini.run.losses[1]) < full.run.losses[1] / 5
    assert list(mini.updates[:3]) == [0, 32, 64] and full.seconds_per_epoch > 0


def test_a_larger_constant_rate_settles_at_a_higher_floor():
    floors = {}
    for lr in (0.003, 0.03):
        run = minibatch_sgd(LOSS, W0, lr, 1, 30)
        floors[lr] = float(np.mean(run.losses[-10:]) - MIN)
    assert floors[0.03] > 3 * floors[0.003] > 0


def test_linear_scaling_holds_below_the_stability_limit_and_breaks_above():
    table = linear_scaling_table(LOSS, W0, 8, 0.02, (1, 4, 16, 32, 64, 128), 8)
    assert [r.batch_size for r in table] == [8, 32, 128, 256, 512, 1024]
    assert [r.stable for r in table] == [True] * 4 + [False] * 2
    assert [r.diverging for r in table] == [False] * 4 + [True] * 2
    # warmup does not rescue a rate above the limit; without warmup the result is the same
    run = minibatch_sgd(LOSS, W0, 1.28, 512, 8)
    assert run.losses[-1] > run.losses[0]
    # No overflow, not past 1e12 times the start: the core calls them diverged because their
    # full loss grew epoch after epoch, and the table reads that status.
    assert run.status == "diverged" and run.epochs == 8
    assert [r.final_loss > 1e6 for r in table[4:]] == [True, True]


def test_sharp_flat_wells_gradient_is_right_and_its_minima_are_as_stated():
    wells = lesson.SHARP_FLAT
    for w in np.linspace(-2.5, 3.5, 25):
        assert check_gradient(wells, float(w)).passed
    sharp, barrier, flat = wells.minima()
    assert sharp == pytest.approx(-1.0, abs=1e-3) and flat == pytest.approx(1.47, abs=0.01)
    assert sharp < barrier < flat
    assert round(wells.curvature(sharp)) == 100 and round(wells.curvature(flat)) == 2
    assert wells(sharp) < wells(flat)


def test_vectorised_noisy_runs_equal_gradient_descent_seed_by_seed():
    wells = lesson.SHARP_FLAT
    finals = noisy_runs(wells, -1.0, 0.01, 300, noise=8.0, seeds=range(4)).weights[:, -1]
    for s in range(4):
        run = gradient_descent(wells, -1.0, 0.01, 300, noise=8.0, seed=s, tol=0)
        assert finals[s] == pytest.approx(run.weights[-1], abs=1e-12)


def test_escape_fractions_count_the_single_runs_that_end_past_the_barrier():
    wells = lesson.SHARP_FLAT
    barrier = wells.minima()[1]
    f = escape_fractions(wells, -1.0, 0.01, 400, noises=(0, 15), seeds=range(8))
    for noise in (0.0, 15.0):
        ends = [
            gradient_descent(wells, -1.0, 0.01, 400, noise=noise, seed=s, tol=0).weights[-1]
            for s in range(8)
        ]
        assert f[noise] == np.mean(np.array(ends) > barrier)


def test_escape_fraction_rises_with_noise_but_never_reaches_all():
    f = escape_fractions(lesson.SHARP_FLAT, -1.0, 0.01, 2000, (0, 4, 10, 20), range(200))
    assert f[0.0] == 0.0 and f[4.0] < 0.05 and f[10.0] > 0.5 and max(f.values()) < 0.8


# -- the checks ----------------------------------------------------------------------------------
def test_q1_right_and_floor_recognised():
    assert lesson.q1.check([1000, 32, 10, 8, 1]).outcome == "correct"
    v = lesson.q1.check([1000, 31, 10, 7, 1])
    assert v.outcome == "incorrect" and "round down" in v.message
    assert lesson.q1.check(____).outcome == "not_attempted"


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [(0.5, "standard deviation"), (1.0, "not equally noisy"), (0.25, "(N - B)/(N - 1)")],
)
def test_q2_misconceptions_get_targeted_hints(answer, phrase):
    v = lesson.q2.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message
    assert str(lesson.q2.expected())[:5] not in v.message


def test_q2_right():
    assert lesson.q2.check(0.2381).outcome == "correct"


def test_q3_right_and_confusion_explained():
    assert lesson.q3.check({"a": "per epoch", "b": "per second", "c": "per update"}).outcome == (
        "correct"
    )
    v = lesson.q3.check({"a": "per update", "b": "per second", "c": "per update"})
    assert v.outcome == "incorrect" and "bottleneck" in v.message


def test_every_solution_code_is_right():
    lam_max = float(hessian_eigenvalues(LOSS, W0).max())  # what cell sgd-30 leaves behind
    for q in (lesson.q1, lesson.q2, lesson.q3, lesson.q4):
        env = {"math": math, "max_stable_lr": max_stable_lr, "lam_max": lam_max}
        exec(q.solution_code, env)
        assert q.check(env[q.answer_var]).outcome == "correct"


def test_practice_misconceptions():
    assert "round down" in ex.q1.check([50_000 // b for b in ex.Q1_BATCHES]).message
    s2 = gradient_spread(ex.DATA, ex.W)
    assert "finite-population" in ex.q2.check([s2 / b for b in ex.Q2_BATCHES]).message
    assert ex.q2.check([s2 / b * (200 - b) / 199 for b in ex.Q2_BATCHES]).outcome == "correct"
    assert "variance of w" in ex.q4.check(0.1 * 4 / (4 * 1.6)).message
    assert "small-rate" in ex.q4.check(0.1).message

    def by_n(X, y, w, idx):
        Xb = X[idx]
        return 2 / len(y) * Xb.T @ (Xb @ w - y[idx])

    assert "len(idx)" in ex.q3.check(by_n).message


# -- the figures ---------------------------------------------------------------------------------
def test_figures_draw_and_state_their_findings():
    samples = [sample_variance(LOSS, W0, b, n_batches=50) for b in (1, 16)]
    variance_figure(samples, ([1, 16], [s.theory for s in samples]))
    assert plt.gcf().axes[0].get_title().startswith("The variance falls like 1/B")
    comps = compare_methods(
        LOSS, W0, {"full": 1024, "mini": 32}, epochs=2, grid=lesson.RATE_GRID, tune_epochs=2
    )
    comparison_figure(comps, MIN)
    assert plt.gcf().axes[0].get_title().startswith("Per update")
    noise_floor_figure({0.01: minibatch_sgd(LOSS, W0, 0.01, 32, 3)}, MIN)
    escape_figure(lesson.SHARP_FLAT, {0.0: 0.0, 10.0: 0.6}, w0=-1.0)
    assert "flat basin" in plt.gcf().axes[1].get_ylabel()


# -- section 5: the scale of the loss sets the rate ------------------------------------------------
SUM = lesson.summed()


def test_the_summed_loss_is_n_times_the_mean_in_value_gradient_and_hessian():
    n, w = LOSS.n_samples, np.array([0.5, -1.0, 2.0, 0.0, 3.0])
    # N = 1024 is a power of two: the factor is exact in binary floating point.
    assert SUM.value(w) == pytest.approx(n * LOSS.value(w), rel=1e-12)
    assert np.array_equal(SUM.gradient(w), n * LOSS.gradient(w))
    assert np.array_equal(SUM.hessian(w), n * LOSS.hessian(w))
    idx = np.arange(32)
    assert np.array_equal(SUM.minibatch_gradient(w, idx), 32 * LOSS.minibatch_gradient(w, idx))
    assert "reduction='sum'" in repr(SUM) and SUM.formula == "sum((X w - y)^2)"


def test_the_same_steps_at_a_rate_n_or_b_times_smaller_and_divergence_at_the_means_rate():
    on_mean = gradient_descent(LOSS, W0, lr=lesson.SUM_RATE, steps=lesson.SUM_STEPS)
    assert on_mean.status == "converged"
    assert gradient_descent(SUM, W0, lr=lesson.SUM_RATE, steps=lesson.SUM_STEPS).status == (
        "diverged"
    )
    same = gradient_descent(SUM, W0, lr=lesson.SUM_RATE / 1024, steps=lesson.SUM_STEPS)
    k = on_mean.n_steps + 1  # the sum's run stops later: its gradient is 1024 times longer
    assert same.status == "converged" and same.n_steps > on_mean.n_steps
    assert np.array_equal(same.weights[:k], on_mean.weights)  # bit for bit, as the lesson says
    b, lr = lesson.SUM_BATCH, lesson.SUM_BATCH_RATE
    mean_run = minibatch_sgd(LOSS, W0, lr, b, lesson.SUM_EPOCHS)
    assert mean_run.status == "completed" and mean_run.losses[-1] < 1.01 * MIN
    assert minibatch_sgd(SUM, W0, lr, b, lesson.SUM_EPOCHS).status == "diverged"
    scaled = minibatch_sgd(SUM, W0, lr / b, b, lesson.SUM_EPOCHS)
    assert np.array_equal(scaled.weights, mean_run.weights)
    # Summed batches at 0.03 step like the mean at 32 x 0.03, past the full batch's limit.
    assert b * lr > max_stable_lr(hessian_eigenvalues(LOSS, W0))


def test_the_demonstration_uses_the_full_batchs_tuned_rate():
    assert lesson.SUM_RATE == tune_rate(LOSS, W0, 1024, 8, grid=lesson.RATE_GRID).lr


def test_variance_formulas_refuse_a_summed_loss_and_reduction_is_checked():
    for measure in (
        lambda: minibatch_gradient_variance(SUM, W0, 32),
        lambda: sample_variance(SUM, W0, 32, n_batches=10),
        lambda: epoch_average_gradient(SUM, W0, 32),
        lambda: gradient_spread(SUM, W0),
        lambda: linear_scaling_table(SUM, W0, 8, 0.02, (1, 4), 2),
        lambda: __import__("gdcourse").range_test(SUM, W0, steps=20, batch_size=32),
    ):
        with pytest.raises(CourseValueError, match="reduction='sum'"):
            measure()
    with pytest.raises(CourseValueError, match=r"reduction must be 'mean' or 'sum'.*'total'"):
        LinearRegression(LOSS.X, LOSS.y, reduction="total")


def test_q4_right_and_both_slips_recognised():
    limit = max_stable_lr(hessian_eigenvalues(LOSS, W0))
    assert lesson.q4.expected() == pytest.approx(limit / 1024, rel=1e-12)
    assert lesson.q4.check(float(f"{limit / 1024:.3g}")).outcome == "correct"
    v = lesson.q4.check(limit)
    assert v.outcome == "incorrect" and "limit for the mean" in v.message
    v = lesson.q4.check(limit * 1024)
    assert v.outcome == "incorrect" and "rise or fall" in v.message


# -- section 7: the rate selects flat minima, without noise ---------------------------------------
def test_a_rate_above_a_minimums_limit_cannot_settle_there_and_goes_to_the_flat_one():
    wells = lesson.SHARP_FLAT
    sharp, _, flat = wells.minima()
    sharp_limit = max_stable_lr(wells.curvature(sharp))
    flat_limit = max_stable_lr(wells.curvature(flat))
    low, mid, high = lesson.SELECTION_RATES
    assert low < sharp_limit < mid < high < flat_limit
    runs = {lr: gradient_descent(wells, lesson.SELECTION_W0, lr=lr, steps=lesson.SELECTION_STEPS)
            for lr in lesson.SELECTION_RATES}  # fmt: skip
    assert runs[low].n_steps > 10  # not a rate that lands at once (0.01 is 1/curvature)
    assert runs[low].status == "converged" and abs(runs[low].weights[-1] - sharp) < 1e-4
    assert runs[mid].status == "bouncing"
    a, b = sorted(runs[mid].weights[-2:])
    assert a < sharp < b and b < 0  # either side of the sharp minimum, still in its well
    assert runs[high].status == "converged" and abs(runs[high].weights[-1] - flat) < 1e-4


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (lambda limit: -limit, "A rate is positive"),
        (lambda limit: limit / 2, "1/lambda_max"),
        (lambda limit: 2 / limit, "a curvature, not a rate"),
        (lambda limit: 1024 * max_stable_lr(hessian_eigenvalues(LOSS, W0)) / 1000 / 1024, "q1's"),
    ],
)
def test_q4_names_the_other_slips_without_the_answer(answer, phrase):
    limit = lesson.q4.expected()
    v = lesson.q4.check(answer(limit))
    assert v.outcome == "incorrect" and phrase in v.message
    assert f"{limit:.3g}" not in v.message and f"{limit:.2g}" not in v.message


def test_q4_shallowest_direction_is_named():
    lam = hessian_eigenvalues(lesson.summed(), W0)
    v = lesson.q4.check(2 / float(lam.min()))
    assert v.outcome == "incorrect" and "shallowest" in v.message
