"""Lesson 06 (learning-rate schedules and the range test): the core's measurements it uses, the
numbers of its prose, its checks with their targeted hints, and its figures."""

import ast
import inspect
import json
import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import (
    Quadratic1D,
    ____,
    constant,
    cosine_decay,
    exponential_decay,
    gradient_descent,
    inverse_time_decay,
    max_stable_lr,
    minibatch_sgd,
    noise_floor,
    noisy_runs,
    range_test,
    settled_loss,
    step_decay,
    sweep_losses,
    travel_bound,
)
from gdcourse.lessons import schedules as lesson
from gdcourse.plots.schedules import losses_figure, range_test_figure, rates_figure, sweep_figure

LOSS = lesson.loss()
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks/06_schedules.ipynb"


def _cells() -> dict[str, str]:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return {c["id"]: "".join(c["source"]) for c in nb["cells"]}


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _noisy(lr, steps=lesson.SETTLE_STEPS, seeds=lesson.SETTLE_SEEDS):
    """The lesson's noisy runs (cell schedules-03): 500 seeds on (w - 3)^2 from 7, noise 1."""
    return noisy_runs(LOSS, lesson.W0, lr, steps, noise=lesson.NOISE, seeds=seeds)


def _settled(lr) -> float:
    return settled_loss(_noisy(lr), last=lesson.SETTLE_LAST)


def test_vectorised_noisy_runs_are_exactly_the_cores_runs():
    for lr in (0.3, inverse_time_decay(0.5, 0.05), cosine_decay(0.5, 300)):
        rows = _noisy(lr, steps=300, seeds=range(4)).losses
        for s in range(4):
            run = gradient_descent(LOSS, 7.0, lr=lr, steps=300, noise=1.0, seed=s, tol=0)
            np.testing.assert_allclose(rows[s], run.losses, rtol=1e-12, atol=1e-15)


def test_the_settled_loss_is_the_mean_of_the_last_losses_of_every_seed():
    runs = _noisy(0.5, steps=300, seeds=range(4))
    assert settled_loss(runs, last=100) == float(runs.losses[:, -100:].mean())
    assert settled_loss(runs.losses[2], last=1) == float(runs.losses[2, -1])
    with pytest.raises(ValueError, match="last must be at most the number of losses"):
        settled_loss(runs, last=302)


def test_a_constant_rate_settles_on_its_noise_floor_and_decays_settle_ten_times_deeper():
    for lr in (0.5, 0.1):
        assert _settled(lr) == pytest.approx(noise_floor(2, lr, 1.0), rel=0.1)
    assert noise_floor(2, 0.5, 1.0) == 0.25 and round(noise_floor(2, 0.1, 1.0), 4) == 0.0278
    for s in (inverse_time_decay(0.5, 0.05), cosine_decay(0.5, total_steps=2000)):
        assert _settled(s) < noise_floor(2, 0.1, 1.0) / 10
        assert 0.0005 < _settled(s) < 0.002  # "about 0.001" (docs)


def test_the_floor_check_has_room_for_the_measurements_noise():
    """Cell schedules-05 allows 10% between where constant 0.5 and 0.1 settle and their floors:
    with 500 runs that is at least 5 standard errors of the mean (with 20 runs, constant 0.1's
    was 6%: the 10% was under 2 of them), and each mean is within 3 of them of its floor."""
    for lr in (0.5, 0.1):
        runs = _noisy(lr)
        per_run = runs.losses[:, -lesson.SETTLE_LAST :].mean(axis=1)
        mean = per_run.mean()
        standard_error = per_run.std(ddof=1) / math.sqrt(len(per_run)) / mean
        assert 0.1 >= 5 * standard_error and standard_error < 0.02, (lr, standard_error)
        assert abs(mean / noise_floor(2, lr, 1.0) - 1) < 3 * standard_error, lr
    # The notebook runs the seeds and steps the lesson module (and so the registry) says.
    call = _cells()["schedules-03"]
    n_seeds, steps = len(lesson.SETTLE_SEEDS), lesson.SETTLE_STEPS
    assert f"lr, {steps}, noise=1.0, seeds=range({n_seeds}))" in call
    assert f"last={lesson.SETTLE_LAST})" in call and lesson.SETTLE_SEEDS == range(n_seeds)


def test_without_noise_a_stable_rate_converges_and_a_step_decay_rescues_a_too_large_rate():
    assert gradient_descent(LOSS, 7.0, lr=0.1, steps=500).status == "converged"
    assert gradient_descent(LOSS, 7.0, lr=1.5, steps=100).status == "diverged"
    run = gradient_descent(LOSS, 7.0, lr=step_decay(1.5, 0.5, every=5), steps=100)
    assert run.losses[0] == 16 and run.losses[5] == 16384  # error doubles for 5 steps
    assert run.losses[-1] < 1e-8 and 0.75 < max_stable_lr(2) < 1.5


def test_robbins_monro_partial_sums_behave_as_the_answer_says():
    t = np.arange(10**6)
    sums = {
        "constant": np.full(t.shape, 0.1),
        "exponential": 0.1 * 0.99**t,
        "1/t": 0.1 / (1 + t),
        "1/sqrt(t)": 0.1 / np.sqrt(1 + t),
    }
    ref = lesson.q1.expected()
    for name, r in sums.items():
        grows = r.sum() > 1.5 * r[:1000].sum()
        squares_settle = np.sum(r**2) < 1.01 * np.sum(r[:1000] ** 2)
        assert ref[name] == ("yes" if grows and squares_settle else "no"), name
    assert inverse_time_decay(0.1, 1.0).rates(5).tolist() == [0.1 / (1 + k) for k in range(5)]


def test_error_factors_are_the_exact_run_and_one_over_t_crawls_like_a_power_of_t():
    """Cells schedules-18a/18b: 0.1 / (1 + t) meets Robbins-Monro, yet with exact gradients on
    a = 2 (c a = 0.2) it takes |w - 3| from 4 to only 0.22 in a million steps, 0.63 = 10^(-0.2)
    per tenfold, and at most e0 exp(-a sum of rates)."""
    s = inverse_time_decay(0.1, 1.0)
    factors = s.error_factors(lesson.A, 10**6)
    run = gradient_descent(LOSS, 7.0, lr=s, steps=10**4, tol=0)
    np.testing.assert_allclose(run.weights - 3.0, 4 * factors[: 10**4 + 1], rtol=1e-10)
    assert f"{4 * factors[10**6]:.2f}" == "0.22"
    for n in (10**4, 10**5, 10**6):  # t^(-c a): the same factor for every tenfold
        assert factors[n] / factors[n // 10] == pytest.approx(10**-0.2, rel=2e-3)
    assert 4 * factors[10**6] <= 4 * math.exp(-lesson.A * s.rates(10**6).sum())


def _falls() -> dict[str, float]:
    """Cell schedules-18c: how many times lower the mean loss of 200 noisy runs is over the second
    half of the first 10^4 steps than over the second half of the first 10^3."""
    slow = {
        "1/t, c a = 0.2": inverse_time_decay(0.1, 1.0),
        "1/t, c a = 20": inverse_time_decay(0.5, 0.05),
        "1/sqrt(t)": lambda t: 0.1 / np.sqrt(1 + t),
    }
    out = {}
    for name, lr in slow.items():
        runs = _noisy(lr, steps=lesson.LONG_STEPS, seeds=lesson.LONG_SEEDS)
        near = [settled_loss(runs.losses[:, : n + 1], last=n // 2) for n in lesson.LONG_CHECKPOINTS]
        out[name] = near[0] / near[1]
        if name == "1/sqrt(t)":
            # It stays near the noise floor of its current rate (the floor's mean over the steps).
            for n, measured in zip(lesson.LONG_CHECKPOINTS, near, strict=True):
                floor = np.mean([noise_floor(2, lr(t), 1.0) for t in range(n // 2, n)])
                assert measured == pytest.approx(floor, rel=0.25), n
    return out


def test_with_noise_the_constant_of_one_over_t_decides_and_one_over_sqrt_t_converges():
    """E(w - w*)^2 falls like t^(-2 c a) for c a = 0.2 (10^0.4 = 2.5 times per tenfold), like 1/t
    for c a = 20 (10 times), and 1/sqrt(t), which breaks the second condition, still converges in
    mean square, like its rate (sqrt(10) times)."""
    falls = _falls()
    assert falls["1/t, c a = 0.2"] == pytest.approx(10**0.4, rel=0.05)
    assert falls["1/t, c a = 20"] == pytest.approx(10, rel=0.1)
    assert falls["1/sqrt(t)"] == pytest.approx(math.sqrt(10), rel=0.15)
    assert [f"{x:.1f}" for x in falls.values()] == ["2.5", "9.6", "3.3"]  # as the text says
    src = _cells()["schedules-18c"]
    assert f"10_000, noise=1.0, seeds=range({len(lesson.LONG_SEEDS)}))" in src
    assert lesson.LONG_STEPS == 10_000 and lesson.LONG_CHECKPOINTS == (1_000, 10_000)
    assert "for n in (1_000, 10_000)" in src and "last=n // 2" in src


def test_robbins_monro_is_taught_as_sufficient_not_necessary():
    """q1's explanation, the notebook and the lesson 06 flashcard say that 1/sqrt(t) breaks the
    conditions and still converges: none of them may say or imply that it does not."""
    from gdcourse.lessons import review

    card = next(c for c in review.CARDS if c.topic == "06 schedules").answer
    for text in (lesson.q1.explanation, _cells()["schedules-18b"], card):
        assert "converges in mean square" in text
    assert "sufficient, not necessary" in lesson.q1.explanation
    assert "*sufficient*, not necessary" in _cells()["schedules-14"]
    assert "not required" in card


def test_exponential_decay_freezes_short_of_the_minimum_within_its_travel_bound():
    assert travel_bound(0.1, 0.75, 8.0) == 3.2
    assert exponential_decay(0.1, 0.75).rates(2000).sum() == pytest.approx(0.4)
    run = gradient_descent(LOSS, 7.0, lr=exponential_decay(0.1, 0.75), steps=1000, tol=0)
    moved = 7.0 - run.weights[-1]
    assert moved <= 3.2 < 4.0 and round(run.weights[-1], 2) == 4.71
    assert run.losses[-1] > 2.9
    assert travel_bound(0.1, 0.99, 8.0) == pytest.approx(80.0, rel=1e-12)


def test_a_travel_bound_above_the_distance_is_not_enough():
    """Cells schedules-22a/23: gamma = 0.9 can travel 8, twice the distance 4, yet freezes at
    3.48; the error left is e0 prod(1 - a eta0 gamma^t), between e0 exp(-a S - a^2 Q) and
    e0 exp(-a S) (S the sum of the rates, Q of their squares), so it arrives only when
    a eta0 / (1 - gamma) is large against ln(e0 / tol)."""
    assert travel_bound(0.1, 0.9, 8.0) == pytest.approx(2 * (lesson.W0 - lesson.C))
    run = gradient_descent(LOSS, 7.0, lr=exponential_decay(0.1, 0.9), steps=1000, tol=0)
    assert f"{run.weights[-1]:.2f}" == "3.48" and f"{run.weights[-1] - 3:.2f}" == "0.48"
    for gamma in (0.75, 0.9, 0.99):
        s = exponential_decay(0.1, gamma)
        rates = s.rates(3000)
        left = 4 * s.error_factors(lesson.A, 3000)[-1]
        upper = 4 * math.exp(-lesson.A * rates.sum())
        lower = 4 * math.exp(-lesson.A * rates.sum() - lesson.A**2 * np.sum(rates**2))
        assert lower <= left <= upper, gamma
        assert upper == pytest.approx(4 * math.exp(-lesson.A * 0.1 / (1 - gamma)), rel=1e-9)
    assert f"{4 * math.exp(-2 * 0.1 / (1 - 0.9)):.2f}" == "0.54"
    assert f"{4 * math.exp(-2 * 0.1 / (1 - 0.99)):.0e}" == "8e-09"


def _sweep(a, lrs, steps):
    """The lesson's sweep: fresh runs on a/2 (w - 3)^2 from w = 7."""
    return sweep_losses(a, lrs, steps, w0=lesson.W0, c=lesson.C)


def test_the_sweep_crosses_the_start_loss_exactly_at_two_over_a():
    for a in (1.0, 2.0, 4.0):
        lrs = np.geomspace(0.05 / a, 5.0 / a, 301)
        r = _sweep(a, lrs, 10)
        assert lrs[r <= 1].max() <= 2 / a < lrs[r > 1].min()
        assert _sweep(a, [2 / a], 10)[0] == pytest.approx(1.0)
    # Above 2/a the swing grows: the run is "diverged", yet it takes all 7 steps, and the sweep
    # shows its real loss, (1 - eta a)^(2k) times the start, not inf.
    np.testing.assert_allclose(
        _sweep(4.0, [0.1, 0.3, 0.6], 7), (1 - np.array([0.1, 0.3, 0.6]) * 4) ** 14
    )
    run = gradient_descent(Quadratic1D(a=4.0, c=lesson.C), lesson.W0, lr=0.6, steps=7, tol=0)
    assert run.status == "diverged" and run.n_steps == 7 and run.phrase == "diverges"
    assert _sweep(4.0, [0.25], 10)[0] == 0.0  # 1/a lands in one step (and converges there)
    # A run that blows up past 1e12 times its start before its last step counts as inf.
    assert _sweep(4.0, [2.0], 30)[0] == math.inf


def _lesson_range_test():
    return range_test(lesson.regression(), lesson.RANGE_W0, **lesson.RANGE_SETTINGS)


def _calls(source: str, name: str) -> list[dict]:
    """The literal keyword arguments of every call to ``name`` in a cell's source."""
    return [
        {
            k.arg: ast.literal_eval(k.value)
            for k in node.keywords
            if isinstance(k.value, ast.Constant)
        }
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name
    ]


def test_the_notebook_runs_the_range_test_and_trains_as_the_lesson_module_says():
    """The registry computes the lesson's numbers from lesson.RANGE_SETTINGS and TRAIN_EPOCHS;
    the notebook writes the call out for students: the two must agree."""
    nb = json.loads(
        (Path(__file__).resolve().parents[1] / "notebooks/06_schedules.ipynb").read_text()
    )
    src = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
    assert _calls(src["schedules-29"], "range_test") == [lesson.RANGE_SETTINGS]
    trained = _calls(src["schedules-30"], "minibatch_sgd")
    assert [t["epochs"] for t in trained] == [lesson.TRAIN_EPOCHS] * 2
    assert all(t["batch_size"] == lesson.RANGE_SETTINGS["batch_size"] for t in trained)


def test_the_range_test_reads_the_blow_up_and_the_lowest_smoothed_loss_far_from_a_tie():
    test = _lesson_range_test()
    problem = lesson.regression()
    limit = max_stable_lr(np.linalg.eigvalsh(problem.hessian(lesson.RANGE_W0)))
    assert f"{test.blow_up:#.2g}" == "2.0" and f"{test.suggested:#.2g}" == "0.20"
    assert f"{test.at_minimum:#.2g}" == "1.4" and f"{limit:.2f}" == "0.89"
    assert test.suggested < limit < test.at_minimum < test.blow_up
    # Far from a tie: a ratio would have to move by 49%, a smoothed loss by 5%, to read otherwise.
    assert test.blow_up_margin > 0.4 and test.minimum_margin > 0.05
    # The blow-up is where the smoothed loss first passes 4 times its lowest value so far.
    k = int(np.flatnonzero(test.rates == test.blow_up)[0])
    assert test.smoothed[k] > 4 * test.smoothed[:k].min()
    assert np.all(test.smoothed[:k] <= 4 * np.minimum.accumulate(test.smoothed[:k]))


def test_the_ten_times_rule_left_a_margin_of_four_and_a_half_below_the_limit():
    """Cell schedules-32: the picked rate is 4.5 times below 2/lambda_max, because the blow-up
    showed 2.2 times past it: the rule's 10 is the product of the two."""
    test = _lesson_range_test()
    problem = lesson.regression()
    limit = max_stable_lr(np.linalg.eigvalsh(problem.hessian(lesson.RANGE_W0)))
    below, past = limit / test.suggested, test.blow_up / limit
    assert f"{below:.1f}" == "4.5" and f"{past:.1f}" == "2.2"
    assert below * past == pytest.approx(10.0, rel=1e-12) and below < 10


def test_the_prose_reads_the_blow_up_as_the_code_does():
    """The blow-up is where the smoothed loss passes blow_up_factor (4) times its lowest so far,
    not where it starts rising: the notebook and exercise 06's hint say the core's factor."""
    from gdcourse.lessons import schedules_practice as practice

    factor = inspect.signature(range_test).parameters["blow_up_factor"].default
    phrase = f"{factor:g} times its lowest value so far"
    text = " ".join(_cells()["schedules-28"].split())
    assert f"exceeds {phrase}" in text
    assert phrase in practice.q4.hints[0] and "starts rising sharply" not in practice.q4.hints[0]
    # Smith (2017) raised the rate linearly and read the accuracy; geometric, on the loss, is
    # fastai's.
    assert "Smith (2017) raised the rate *linearly*" in text and "fastai's `lr_find`" in text
    assert re.search(r"fastai's `lr_find`, which raises the rate \*geometrically\*", text)


def test_the_smoothed_minimum_trails_the_batches_losses():
    test = _lesson_range_test()
    k = int(np.argmin(test.smoothed))
    # "an average of about the last 10 updates, taken at rates up to 3 times smaller"
    assert round(test.rates[k] / test.rates[k - 10]) == 3
    # "it is lowest ... where they [the batches' losses] are already rising"
    assert test.losses[k - 3 : k + 1].min() > 2 * test.losses.min()


def test_the_picked_rate_trains_and_the_lowest_loss_rate_diverges():
    test = _lesson_range_test()
    problem = lesson.regression()
    lowest = problem.value(problem.minimizer)
    picked = minibatch_sgd(problem, lesson.RANGE_W0, lr=test.suggested, batch_size=32, epochs=20)
    assert picked.status == "completed" and f"{picked.losses[-1] / lowest - 1:.0%}" == "3%"
    at_min = minibatch_sgd(problem, lesson.RANGE_W0, lr=test.at_minimum, batch_size=32, epochs=20)
    assert at_min.status == "diverged"


def test_the_lowest_loss_of_a_single_batch_is_decided_by_the_batches_noise():
    """ "(The lowest loss of a single batch is no better a reading: where it falls is decided by
    the noise of the batches.)" Across ten shuffles it moves by more than a factor of 3, while the
    smoothed minimum stays past the limit every time."""
    problem = lesson.regression()
    limit = max_stable_lr(np.linalg.eigvalsh(problem.hessian(lesson.RANGE_W0)))
    raw, smooth = [], []
    for seed in range(10):
        t = range_test(problem, lesson.RANGE_W0, batch_size=32, seed=seed)
        raw.append(t.rates[np.argmin(np.where(np.isfinite(t.losses), t.losses, np.inf))])
        smooth.append(t.at_minimum)
    assert max(raw) / min(raw) > 3 and min(smooth) > limit


# -- checks ---------------------------------------------------------------------------------------
def test_q1_robbins_monro():
    right = {"constant": "no", "exponential": "no", "1/t": "yes", "1/sqrt(t)": "no"}
    assert lesson.q1.check(____).outcome == "not_attempted"
    assert lesson.q1.check(right).outcome == "correct"
    wrong = lesson.q1.check({**right, "1/sqrt(t)": "yes"})
    assert wrong.outcome == "incorrect" and "separately" in wrong.message
    missed = lesson.q1.check({**right, "1/t": "no"})
    assert missed.outcome == "incorrect" and "harmonic series" in missed.message


def test_q2_crossing_rate_and_its_misconceptions():
    assert lesson.q2.check(____).outcome == "not_attempted"
    assert lesson.q2.check(0.5).outcome == "correct"
    for given, phrase in ((0.25, "lands exactly"), (2.0, "denominator"), (8.0, "smaller rate")):
        v = lesson.q2.check(given)
        assert v.outcome == "incorrect" and phrase in v.message, given
        assert "0.5" not in v.message


def test_q3_distance_bound_and_its_misconceptions():
    assert lesson.q3.check(____).outcome == "not_attempted"
    assert lesson.q3.check(3.2).outcome == "correct"
    for given, phrase in ((0.4, "sum of the rates"), (2.4, "first step"), (4.0, "how far")):
        v = lesson.q3.check(given)
        assert v.outcome == "incorrect" and phrase in v.message, given
        assert "3.2" not in v.message


def test_solution_code_of_each_question_is_accepted():
    for q in (lesson.q1, lesson.q2, lesson.q3):
        scope = {}
        exec(q.solution_code, scope)
        assert q.check(scope[q.answer_var]).outcome == "correct", q.name


# -- figures --------------------------------------------------------------------------------------
def test_figures_draw_labelled_axes_and_titles():
    rates_figure({"constant": constant(0.1), "cosine": cosine_decay(0.5, 50)}, 50, "t")
    ax = plt.gcf().axes[0]
    assert ax.get_xlabel() == "step t" and len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[1].get_ydata(), cosine_decay(0.5, 50).rates(50))
    plt.close("all")
    losses_figure({"a": [1.0, 0.5, 0.25]}, {"floor": 0.3}, "title")
    ax = plt.gcf().axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() == "title"
    plt.close("all")
    lrs = np.geomspace(0.01, 1, 11)
    sweep_figure(4.0, lrs, _sweep(4.0, lrs, 10), 10)
    ax = plt.gcf().axes[0]
    assert "2/a = 0.5" in ax.get_title()
    assert ax.lines[2].get_xdata()[0] == 0.5
    plt.close("all")
    test = _lesson_range_test()
    range_test_figure(test, 0.89)
    ax = plt.gcf().axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == [
        "loss of each batch",
        "smoothed (moving average, 0.9)",
        "smoothed loss off the chart from here",
        "blow-up (4\u00d7 the lowest): 2.0",
        "lowest smoothed loss: 1.4",
        "limit 2/\u03bb_max: 0.89",
        "pick 10\u00d7 below: 0.20",
    ]
    assert ax.get_xscale() == "log" and math.isclose(ax.lines[-1].get_xdata()[0], test.suggested)
    # The smoothed curve as computed, up to where it leaves the chart (10x its first value) ...
    top = 10 * test.smoothed[0]
    drawn = ax.lines[1].get_ydata()
    on = test.smoothed <= top
    np.testing.assert_array_equal(drawn[on], test.smoothed[on])
    assert np.all(np.isnan(drawn[~on]))
    # ... and the triangle where it leaves it, drawn at the top, not as a flat plateau.
    first_off = int(np.flatnonzero(~on)[0])
    assert ax.lines[2].get_xdata()[0] == test.rates[first_off] and ax.lines[2].get_ydata()[0] == top


def test_the_range_test_figure_of_a_test_that_never_blew_up_says_so():
    test = range_test(lesson.regression(), lesson.RANGE_W0, lr_max=0.01, steps=50)
    range_test_figure(test, 0.89)
    ax = plt.gcf().axes[0]
    assert "never blew up" in ax.get_title()
    assert not any(line.get_label().startswith(("blow-up", "pick")) for line in ax.lines)
    with pytest.raises(TypeError, match=r"draws the result of gdcourse\.range_test"):
        range_test_figure({"rates": [1, 2]})


# -- the exercise notebook's questions ------------------------------------------------------------
from gdcourse.lessons import schedules_practice as ex  # noqa: E402


def test_practice_q1_step_decay_rates_and_off_by_one():
    right = [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]
    assert ex.q1.expected() == right
    assert ex.q1.check(right).outcome == "correct"
    v = ex.q1.check([0.8, 0.4, 0.4, 0.2, 0.2, 0.1])
    assert v.outcome == "incorrect" and "one step too early" in v.message
    v = ex.q1.check([0.8, 0.4, 0.4, 0.2, 0.2, 0.05])
    assert v.outcome == "incorrect" and "round t / every down" in v.message


def test_practice_q2_partial_sum_and_its_misconceptions():
    ref = 0.2 * (1 - 0.9**20) / (1 - 0.9)
    assert ex.q2.expected() == pytest.approx(ref) and round(ref, 4) == 1.7568
    assert ex.q2.check(1.757).outcome == "correct"
    for given, phrase in (
        (2.0, "forever"),
        (ref + 0.2 * 0.9**20, "too many"),
        (ref - 0.2 * 0.9**19, "too few"),
    ):
        v = ex.q2.check(given)
        assert v.outcome == "incorrect" and phrase in v.message, given


def test_practice_q3_warmup_then_inverse():
    def right(t):
        return 0.5 * t / 10 if t < 10 else 0.5 / (1 + 0.1 * (t - 10))

    assert ex.q3.check(right).outcome == "correct"
    assert [round(ex._warmup_then_inverse(t), 6) for t in (0, 5, 10, 20)] == [0.0, 0.25, 0.5, 0.25]
    v = ex.q3.check(lambda t: 0.5 * t / 9 if t < 10 else right(t))
    assert v.outcome == "incorrect" and "too steep" in v.message
    v = ex.q3.check(lambda t: right(t) if t < 10 else 0.5 / (1 + 0.1 * t))
    assert v.outcome == "incorrect" and "t - 10" in v.message


def test_practice_q4_range_test_reading():
    choices = ex.range_choices()
    assert choices == {
        "far too small": "0.00019",
        "10x below the blow-up": "0.019",
        "lowest loss": "0.12",
        "blow-up": "0.19",
    }
    t = ex.the_range_test()
    assert t.blow_up_margin > 0.4 and t.minimum_margin > 0.01  # far from a tie
    problem = ex.range_problem()
    limit = max_stable_lr(np.linalg.eigvalsh(problem.hessian(np.zeros(4))))
    assert t.suggested < limit < t.at_minimum  # the lowest-loss rate is past the limit
    trained = minibatch_sgd(problem, ex.RANGE_W0, lr=t.at_minimum, batch_size=32, epochs=20)
    assert trained.status == "diverged"
    picked = minibatch_sgd(problem, ex.RANGE_W0, lr=t.suggested, batch_size=32, epochs=20)
    assert picked.losses[-1] < 1.05 * problem.value(problem.minimizer)
    assert ex.q4.check("0.019").outcome == "correct"
    v = ex.q4.check("0.12")
    assert v.outcome == "incorrect" and "smaller rates before it" in v.message
    assert "blows up" in ex.q4.check("0.19").message
    assert "crawl" in ex.q4.check("0.00019").message

    range_test_figure(t, annotate=False)
    # The two curves and where the smoothed loss leaves the chart; no marks giving the answer.
    labels = [line.get_label() for line in plt.gcf().axes[0].lines]
    assert labels == [
        "loss of each batch",
        "smoothed (moving average, 0.9)",
        "smoothed loss off the chart from here",
    ]


@pytest.mark.parametrize("answer", ["0.019", 0.019, "1.9e-02", " 0.019", "0.0190", 19e-3])
def test_practice_q4_takes_the_right_rate_however_it_is_written(answer):
    assert ex.q4.check(answer).outcome == "correct"


@pytest.mark.parametrize("answer", ["0.2", "0.20", "0.1", "0.0019", "0,019"])
def test_practice_q4_never_suggests_a_label_that_only_looks_alike(answer):
    v = ex.q4.check(answer)
    assert v.outcome == "incorrect" and "Did you mean" not in v.message
    assert "not one of the numbers offered: '0.00019', '0.019', '0.12', '0.19'" in v.message
    assert ex.q4.check(0.12).message == ex.q4.check("0.12").message  # the lowest-loss trap


def test_the_exercise_choices_are_the_registrys_numbers():
    from gdcourse.stated import schedules as stated

    by_role = {
        e.name.split("offered as ")[1].strip("'"): e for e in stated.NUMBERS if "offered" in e.name
    }
    assert {role: e.displays()[0] for role, e in by_role.items()} == ex.range_choices()


def test_practice_solution_code_is_accepted():
    for q in (ex.q1, ex.q2, ex.q3, ex.q4):
        scope = {"ex": ex}
        exec(q.solution_code, scope)
        assert q.check(scope[q.answer_var]).outcome == "correct", q.name


def test_the_rescued_run_freezes_short_of_the_minimum_as_the_text_says():
    """schedules-06: step decay from 1.5 rescues the run, but its rates sum to 15, so it freezes
    (an error near 5e-5, for ever) and the core's status is not "converged"."""
    from gdcourse import gradient_descent, step_decay

    schedule = step_decay(1.5, factor=0.5, every=5)
    run = gradient_descent(lesson.loss(), lesson.W0, lr=schedule, steps=2000, tol=0)
    assert run.status == "max_steps"
    assert abs(run.weights[-1] - run.weights[200]) < 1e-15 and run.weights[-1] - 3 > 4e-5
    assert abs(schedule.rates(2000).sum() - 15) < 1e-12
