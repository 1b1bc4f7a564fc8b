"""Lesson 03 (the learning rate): every number and claim of its prose, its three checks with
their targeted hints, and its figures' stated findings."""

import math

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gdcourse import (
    REGIMES,
    Quadratic1D,
    TiltedDoubleWell,
    ____,
    best_fixed_lr,
    error_multiplier,
    first_step_within,
    gradient_descent,
    max_stable_lr,
    quadratic_regime,
    steps_to_tolerance,
)
from gdcourse.lessons import learning_rate as lesson
from gdcourse.plots.learning_rate import (
    multiplier_figure,
    rate_runs,
    regime_runs,
    same_gradient_figure,
    tolerance_figure,
)

SEED = Quadratic1D(a=2, c=3)  # (w - 3)^2
STEEP = Quadratic1D(a=8, c=6)  # 4 (w - 6)^2


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- section 1: the seed's three rates ------------------------------------------------------------
def test_the_lesson_constants_are_the_seed_example():
    assert (lesson.SEED_LOSS.a, lesson.SEED_LOSS.c, lesson.SEED_W0) == (2, 3, 7.0)
    assert lesson.SEED_RATES == (0.0001, 2.0, 0.1)
    assert (lesson.STEEP_LOSS.a, lesson.STEEP_LOSS.c) == (8, 6)
    assert SEED.formula == "(w - 3)^2" and STEEP.formula == "4 (w - 6)^2"


def test_tiny_rate_takes_29955_steps_to_get_within_a_hundredth_and_a_run_confirms_it():
    k = steps_to_tolerance(a=2, lr=0.0001, e0=4.0, tol=0.01)
    assert k == 29_955
    run = gradient_descent(SEED, 7.0, lr=0.0001, steps=30_000, tol=0.0)
    assert first_step_within(run.weights, c=3.0, tol=0.01) == k
    assert steps_to_tolerance(a=2, lr=0.1, e0=4.0, tol=0.01) == 27
    assert round(k / 27) == 1_109  # "some 1,100 times as many"
    assert k < 1_000_000  # "millions" overstates it for this example


def test_rate_two_goes_minus_9_39_minus_105_with_loss_growing_ninefold():
    run = gradient_descent(SEED, 7.0, lr=2.0, steps=30)
    assert run.weights[1:4].tolist() == [-9.0, 39.0, -105.0]
    assert run.losses[:4].tolist() == [16.0, 144.0, 1296.0, 11664.0]
    assert np.allclose(run.losses[1:] / run.losses[:-1], 9.0)
    assert run.status == "diverged"


# -- section 2: the multiplier ----------------------------------------------------------------
@given(
    a=st.floats(0.01, 100),
    c=st.floats(-10, 10),
    w=st.floats(-10, 10),
    lr=st.floats(1e-4, 10),
)
def test_one_step_multiplies_the_error_by_one_minus_rate_times_curvature(a, c, w, lr):
    loss = Quadratic1D(a=a, c=c)
    new = gradient_descent(loss, w, lr=lr, steps=1, tol=0.0).weights[-1]
    assert new - c == pytest.approx((1 - lr * a) * (w - c), rel=1e-9, abs=1e-9)


@given(a=st.floats(0.01, 100), lr=st.floats(1e-4, 10), e0=st.floats(0.1, 10))
def test_the_loss_is_multiplied_by_the_square_of_the_multiplier(a, lr, e0):
    loss = Quadratic1D(a=a, c=0.0)
    run = gradient_descent(loss, e0, lr=lr, steps=3, tol=0.0)
    assume(run.status != "diverged" and np.all(run.losses > 1e-200))
    np.testing.assert_allclose(run.losses[1:] / run.losses[:-1], (1 - lr * a) ** 2, rtol=1e-8)


def test_the_seed_multipliers_are_0_9998_minus_3_and_0_8():
    assert [error_multiplier(2, lr) for lr in lesson.SEED_RATES] == pytest.approx(
        [0.9998, -3.0, 0.8]
    )


@pytest.mark.parametrize("a", [0.5, 2.0, 8.0])
def test_the_five_regimes_in_order_of_rate(a):
    rates = [0.5 / a, 1 / a, 1.5 / a, 2 / a, 2.5 / a]
    assert [quadratic_regime(a, lr) for lr in rates] == list(REGIMES)
    runs = [gradient_descent(Quadratic1D(a=a, c=0), 1.0, lr=lr, steps=200) for lr in rates]
    assert [r.status for r in runs] == [
        "converged",
        "converged",
        "converged",
        "bouncing",
        "diverged",
    ]
    monotone, one, wobbly, bouncing, _ = runs
    assert np.all(monotone.weights > 0)  # never crosses the minimum
    assert one.n_steps == 1 and one.weights[1] == 0.0
    assert np.all(np.diff(np.sign(wobbly.weights[:20])) != 0)  # changes side every step ...
    assert np.all(np.diff(wobbly.losses[:20]) < 0)  # ... and the loss still falls every step
    assert np.allclose(np.abs(bouncing.weights), 1.0)


def test_regime_pairs_cover_every_regime_and_mix_rates_and_curvatures():
    regimes = {quadratic_regime(a, lr) for a, lr in lesson.REGIME_PAIRS}
    assert regimes == set(REGIMES)
    assert quadratic_regime(0.1, 5.0) == "monotone"  # a rate of 5 is fine on a flat loss
    assert quadratic_regime(8.0, 0.3) == "diverging"  # 0.3 diverges on a sharp one


# -- section 3: Goldilocks, Newton, the edge, the descent lemma -------------------------------
@given(a=st.floats(0.01, 100), c=st.floats(-10, 10), w=st.floats(-10, 10))
def test_the_rate_one_over_a_is_newtons_step_and_lands_in_one_step(a, c, w):
    loss = Quadratic1D(a=a, c=c)
    newton = w - loss.gradient(w) / loss.hessian(w)
    step = w - best_fixed_lr(a) * loss.gradient(w)
    assert newton == pytest.approx(c, abs=1e-9) and step == pytest.approx(c, abs=1e-9)


def test_seed_goldilocks_half_and_edge_one_bounces_between_7_and_minus_1():
    assert (best_fixed_lr(2), max_stable_lr(2)) == (0.5, 1.0)
    assert gradient_descent(SEED, 7.0, lr=0.5, steps=1).weights.tolist() == [7.0, 3.0]
    bounce = gradient_descent(SEED, 7.0, lr=1.0, steps=4)
    assert bounce.weights.tolist() == [7.0, -1.0, 7.0, -1.0, 7.0]


class _Wavy:
    """L(w) = w^2/2 + 2 cos(w): non-convex (L'' = 1 - 2 cos w < 0 near 0), 3-smooth."""

    beta = 3.0

    def value(self, w):
        return 0.5 * np.asarray(w) ** 2 + 2 * np.cos(w)

    def gradient(self, w):
        return np.asarray(w) - 2 * np.sin(w)


@given(w=st.floats(-20, 20), fraction=st.floats(0.01, 0.999))
def test_descent_lemma_every_rate_below_two_over_beta_lowers_a_non_convex_loss(w, fraction):
    loss, lr = _Wavy(), fraction * 2 / _Wavy.beta
    g = float(loss.gradient(w))
    new = float(loss.value(w - lr * g))
    bound = float(loss.value(w)) - lr * (1 - _Wavy.beta * lr / 2) * g**2
    assert new <= bound + 1e-9
    assert new <= float(loss.value(w)) + 1e-12


def test_descent_lemma_is_about_each_step_not_the_global_minimum():
    # The wavy loss is non-convex: L'' = 1 - 2 cos(0) = -1 at 0.
    assert 1 - 2 * math.cos(0.0) < 0
    # A double well: the loss falls at every step, yet the run settles in the worse minimum.
    well = TiltedDoubleWell(0.5)
    run = gradient_descent(well, 1.5, lr=0.05, steps=500)
    assert run.status == "converged"
    assert np.all(np.diff(run.losses) <= 1e-12)  # falls at every step (up to rounding)
    left = gradient_descent(well, -1.5, lr=0.05, steps=500)
    assert run.final_weights > 0 > left.final_weights
    assert left.final_loss < run.final_loss  # the global minimum is the other one


def test_the_guaranteed_decrease_is_largest_at_one_over_beta():
    beta = 3.0
    rates = np.linspace(1e-3, 2 / beta, 2001)
    decrease = rates * (1 - beta * rates / 2)
    assert rates[np.argmax(decrease)] == pytest.approx(1 / beta, abs=1e-3)


def test_goldilocks_question_loss_is_5_w_minus_1_squared_with_curvature_10():
    loss = lesson.GOLDILOCKS_LOSS
    assert loss.formula == "5 (w - 1)^2" and loss.hessian(0.0) == 10
    for w0 in (4.0, -2.0):
        run = gradient_descent(loss, w0, lr=1 / 10, steps=5)
        assert run.weights.tolist() == [w0, 1.0] and run.status == "converged"


# -- section 4: steps to a tolerance ------------------------------------------------------------
def _formula(a, lr, e0, tol):
    return math.ceil(math.log(tol / abs(e0)) / math.log(abs(1 - lr * a)))


@pytest.mark.parametrize(
    ("a", "lr", "e0", "tol"),
    [
        (2, 0.1, 4.0, 0.01),
        (2, 0.9, 4.0, 0.01),
        (2, 0.8, 4.0, 1e-3),
        (2, 0.0001, 4.0, 0.01),
        (8, 0.2, -3.0, 1e-6),
        (0.5, 3.0, 10.0, 0.05),
        (10, 0.01, 1.0, 1e-4),
    ],
)
def test_formula_steps_to_tolerance_and_a_simulated_run_agree(a, lr, e0, tol):
    k = steps_to_tolerance(a, lr, e0, tol)
    assert _formula(a, lr, e0, tol) == k
    run = gradient_descent(Quadratic1D(a=a, c=0.0), e0, lr=lr, steps=k + 5, tol=0.0)
    assert first_step_within(run.weights, c=0.0, tol=tol) == k


def test_the_worked_example_is_26_85_rounded_up_to_27_for_rates_point_1_and_point_9():
    assert math.log(0.01 / 4) / math.log(0.8) == pytest.approx(26.85, abs=0.005)
    assert steps_to_tolerance(2, 0.1, 4.0, 0.01) == steps_to_tolerance(2, 0.9, 4.0, 0.01) == 27
    assert error_multiplier(2, 0.9) == pytest.approx(-0.8)


def test_first_step_within_is_none_when_never_within():
    assert first_step_within([7.0, 6.0], c=3.0, tol=0.01) is None
    assert first_step_within([3.0], c=3.0, tol=0.01) == 0


# -- section 5: curvature, not the gradient ---------------------------------------------------
def test_same_gradient_8_at_7_but_best_rates_half_and_an_eighth():
    assert SEED.gradient(7.0) == STEEP.gradient(7.0) == 8.0
    assert (best_fixed_lr(2), best_fixed_lr(8)) == (0.5, 0.125)
    assert (max_stable_lr(2), max_stable_lr(8)) == (1.0, 0.25)
    assert error_multiplier(2, 0.3) == pytest.approx(0.4)
    assert error_multiplier(8, 0.3) == pytest.approx(-1.4)
    assert gradient_descent(SEED, 7.0, lr=0.3, steps=200).status == "converged"
    assert gradient_descent(STEEP, 7.0, lr=0.3, steps=200).status == "diverged"


def test_a_ten_times_smaller_gradient_does_not_make_the_sharp_loss_safe():
    assert STEEP.gradient(6.1) == pytest.approx(0.8)
    assert STEEP.gradient(6.1) == pytest.approx(SEED.gradient(7.0) / 10)
    assert gradient_descent(STEEP, 6.1, lr=0.3, steps=200).status == "diverged"


@given(a=st.floats(0.01, 100), c=st.floats(-10, 10), w=st.floats(-10, 10))
def test_distance_to_the_minimum_is_gradient_over_curvature(a, c, w):
    loss = Quadratic1D(a=a, c=c)
    assert abs(loss.gradient(w)) / a == pytest.approx(abs(w - c), rel=1e-9, abs=1e-12)


def test_gradient_8_means_distance_4_on_a_and_1_on_b():
    assert (SEED.gradient(7.0) / SEED.a, STEEP.gradient(7.0) / STEEP.a) == (4.0, 1.0)


def test_a_rate_means_nothing_without_its_curvature():
    assert quadratic_regime(10_000, 0.0001) == "one-step"
    assert quadratic_regime(10_000, 0.01) == "diverging"
    assert quadratic_regime(2, 0.0001) == "monotone"


# -- section 7: schedules -----------------------------------------------------------------------
def test_a_fixed_stable_rate_converges_on_a_quadratic_in_113_steps_without_a_schedule():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=1_000)
    assert (run.status, run.n_steps) == ("converged", 113)
    assert run.grad_norms[-1] <= 1e-10


@pytest.mark.parametrize("fraction", [0.025, 0.25, 0.495, 0.505, 0.75, 0.975])
def test_every_fixed_rate_below_two_over_a_reaches_any_tolerance(fraction):
    lr = fraction * max_stable_lr(2)
    k = steps_to_tolerance(2, lr, 4.0, 1e-8)
    assert math.isfinite(k)
    assert gradient_descent(SEED, 7.0, lr=lr, steps=k, tol=0.0).weights[-1] == pytest.approx(
        3.0, abs=1e-8
    )


# -- the checks ----------------------------------------------------------------------------------
def _solve(question, **namespace):
    ns = {"math": math, **namespace}
    exec(question.solution_code, ns)
    return ns[question.answer_var]


@pytest.mark.parametrize("name", ["q1", "q2", "q3"])
def test_each_solution_is_correct_and_a_blank_is_not_attempted(name):
    q = getattr(lesson, name)
    assert q.check(_solve(q)).outcome == "correct"
    assert q.check(____).outcome == "not_attempted"
    assert q.lesson == "learning_rate"


def test_regime_check_accepts_whole_number_keys_and_any_spelling():
    answer = {
        (int(a) if a.is_integer() else a, lr): r for (a, lr), r in lesson.q1.expected().items()
    }
    answer[(8, 0.3)] = "Diverging"
    assert lesson.q1.check(answer).correct


def test_regime_check_names_the_wrong_pairs_and_explains_the_likely_mix_up():
    answer = dict(lesson.q1.expected())
    answer[(8.0, 0.3)] = "monotone"  # "0.3 looks small"
    answer[(0.1, 5.0)] = "diverging"  # "5 looks large"
    verdict = lesson.q1.check(answer)
    assert verdict.outcome == "incorrect"
    assert "2 of your 6 labels are not right" in verdict.message
    assert "multiply it by the curvature" in verdict.message
    assert "A flat loss tolerates large rates" in verdict.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (0.2, "stability limit"),
        (10, "the curvature itself"),
        (5, "coefficient in front of"),
    ],
)
def test_goldilocks_check_recognises_2_over_a_and_a_and_the_coefficient(answer, phrase):
    verdict = lesson.q2.check(answer)
    assert verdict.outcome == "incorrect" and phrase in verdict.message
    assert "0.1" not in verdict.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (16, "One step short"),
        (18, "One step too many"),
        (8, "mix of logarithm bases"),
        (38, "mix of logarithm bases"),
        (1, "distance |w - 3|"),
        (10, "not on the loss"),
    ],
)
def test_steps_check_recognises_each_misconception_without_revealing_the_answer(answer, phrase):
    assert lesson.q3.expected() == 17
    verdict = lesson.q3.check(answer)
    assert verdict.outcome == "incorrect" and phrase in verdict.message
    assert "17" not in verdict.message


def test_the_misconceptions_of_each_number_question_are_distinct_wrong_answers():
    for q in (lesson.q2, lesson.q3):
        wrong = [float(m.answer()) for m in q.misconceptions]
        assert float(q.expected()) not in wrong
        assert len(set(wrong)) == len(wrong) or q is lesson.q3  # q3: both log mixes differ
    assert len({m.answer() for m in lesson.q3.misconceptions}) == 6


# -- the figures state what they show ------------------------------------------------------------
def test_seed_runs_figure_title_names_each_fate():
    assert rate_runs(SEED, 7.0, lesson.SEED_RATES, 30) is None
    ax = plt.gcf().axes[0]
    # Each run's fate is its status in the core's words, not a rule of the figure's own.
    for lr in lesson.SEED_RATES:
        run = gradient_descent(SEED, 7.0, lr=lr, steps=30)
        assert f"rate {lr:g} {run.phrase}" in ax.get_title()
    assert "rate 2 diverges" in ax.get_title()  # what section 1's text says of rate 2
    assert ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel()


def test_multiplier_figure_marks_the_boundaries():
    multiplier_figure(2, rates=(0.1, 0.75, 2.0))
    ax = plt.gcf().axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "1/a = 0.5\n(one step)" in texts and "2/a = 1\n(bounces)" in texts
    assert "\u03b7 = 2: -3" in texts and "\u03b7 = 0.75: -0.5" in texts


def test_regime_runs_panels_are_titled_with_the_core_regimes():
    regime_runs(lesson.REGIME_PAIRS, steps=8)
    titles = [ax.get_title() for ax in plt.gcf().axes if ax.get_visible()]
    for (a, lr), title in zip(lesson.REGIME_PAIRS, titles, strict=True):
        assert title.endswith(quadratic_regime(a, lr))
    one_step = plt.gcf().axes[1].lines[-1].get_ydata()
    assert len(one_step) == 9 and np.all(one_step[1:] == 0)  # lands, then stays


def test_tolerance_figure_title_states_the_step():
    tolerance_figure(SEED, 7.0, (0.1, 0.9), 0.01, 40)
    assert plt.gcf().axes[0].get_title() == (
        "|w \u2212 3| shrinks by 0.8 per step: within 0.01 at step 27"
    )


def test_same_gradient_figure_states_that_one_converges_and_one_diverges():
    # Section 5's text: at rate 0.3 A converges and B diverges; the notebook's 30 steps are
    # enough for A's run to converge (to the runner's tolerance), so the title says so too.
    same_gradient_figure({"A": SEED, "B": STEEP}, 7.0, 0.3, 30)
    fig = plt.gcf()
    title = fig._suptitle.get_text()
    assert title.startswith("Same slope at the start, rate 0.3")
    a, b = (gradient_descent(loss, 7.0, lr=0.3, steps=30) for loss in (SEED, STEEP))
    assert (a.status, b.status) == ("converged", "diverged")
    assert f"A {a.phrase}" in title and f"B {b.phrase}" in title
    assert "same slope 8 at w = 7" in fig.axes[0].texts[0].get_text()


# -- section 6: what the explorer section tells students to try ---------------------------------
def test_the_explorer_try_list_rate_0_3_oscillates_past_3_3_and_diverges_past_6_7():
    from gdcourse.widgets import LearningRateExplorer

    ex = LearningRateExplorer(curvature=True, regime_strip=True)
    assert (ex.loss.a, ex.loss.c, ex.controls["w0"].value, ex.steps) == (2.0, 3.0, 7.0, 20)
    assert (1 / 0.3, 2 / 0.3) == pytest.approx((3.33, 6.67), abs=0.005)
    ex.set(lr=0.3)
    for a, regime in ((3.2, "monotone"), (3.4, "oscillating-converging"), (6.8, "diverging")):
        ex.set(a=a)
        assert ex.data()["strip"]["regime"] == regime
    ex._presets[0].click()
    for w0 in (5.0, -2.0, 10.0):
        ex.set(w0=w0)
        assert "landing on the minimum in one step" in ex.readout_text
        assert ex.run.n_steps == 1 and ex.run.final_weights == pytest.approx(3.0)


def test_one_over_a_takes_one_step_and_two_over_a_or_more_never_arrives():
    assert steps_to_tolerance(2, 0.5, 4.0, 0.01) == 1
    assert steps_to_tolerance(2, 1.0, 4.0, 0.01) == math.inf
    assert steps_to_tolerance(2, 1.2, 4.0, 0.01) == math.inf


def test_the_converging_rates_are_exactly_below_two_over_a_and_one_over_a_is_fastest():
    a = 2.0
    rates = np.linspace(0.001, 1.5, 1500)
    sizes = np.abs(1 - rates * a)
    assert np.all((sizes < 1) == (rates < 2 / a))
    assert rates[np.argmin(sizes)] == pytest.approx(1 / a, abs=1e-3)
