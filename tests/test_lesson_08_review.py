"""Lesson 08 (the review): every number and claim on its cards and in its prose, its six checks
with their targeted messages, and the core's functions behind them."""

import math

import numpy as np
import pytest

from gdcourse import (
    AbsoluteValue,
    LinearRegression,
    QuadraticBowl,
    SaddleWithMinima,
    ____,
    batch_variance,
    best_fixed_lr,
    contraction_factor,
    error_multiplier,
    escape_steps_simulated,
    gradient_descent,
    gradient_step,
    inverse_time_decay,
    make_regression,
    max_stable_lr,
    minibatch_gradient_variance,
    noise_floor,
    one_after_another,
    quadratic_regime,
    saddle_escape_steps,
    sweep_ratios,
    updates_per_epoch,
)
from gdcourse.lessons import review as lesson


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


def _answer(topic: str) -> str:
    return next(c.answer for c in lesson.CARDS if c.topic == topic)


def _sweep_ratio(eigenvalues, lr):
    """The notebook's sweep (cell review-17): a fresh run of 100 steps from (1, 1, ...)."""
    bowl = QuadraticBowl(list(eigenvalues))
    return sweep_ratios(bowl, np.ones(len(eigenvalues)), [lr], lesson.SWEEP_STEPS)[0]


def _abs_descent(w0, lr, steps):
    return gradient_descent(AbsoluteValue(), w0, lr=lr, steps=steps, tol=0.0)


# -- the seed's cards ------------------------------------------------------------------------------
def test_seed_card_1_is_5_point_3_and_w_moved_right_by_0_3():
    step = gradient_step(lesson.SEED_W0, lesson.SEED_SLOPE, lr=lesson.SEED_LR)
    assert (lesson.SEED_W0, lesson.SEED_SLOPE, lesson.SEED_LR) == (5.0, -3.0, 0.1)
    assert math.isclose(step, 5.3)
    assert math.isclose(step - 5.0, 0.3)  # moved right, by +0.3
    text = _answer("seed card 1")
    assert "= 5.3$" in text and "<b>right</b>" in text and "+0.3" in text


def test_seed_card_2_counts_7813_updates_and_states_the_variance_formula():
    assert updates_per_epoch(1_000_000, 128) == 7_813
    assert updates_per_epoch(1_000_000, 1_000_000) == 1
    assert batch_variance(3.0, 40, 40) == 0.0  # B = N without replacement
    assert "7,813 updates instead of 1" in _answer("seed card 2")
    # sigma^2 / B (N - B)/(N - 1) is what the core measures on real data
    X, y, _ = make_regression(50, 3, seed=2)
    loss, w = LinearRegression(X, y), np.ones(3)
    per_example = np.array(
        [LinearRegression(X[i : i + 1], y[i : i + 1]).gradient(w) for i in range(50)]
    )
    sigma2 = float(np.mean(np.sum((per_example - loss.gradient(w)) ** 2, axis=1)))
    for b in (1, 7, 25, 50):
        assert math.isclose(
            batch_variance(sigma2, 50, b),
            minibatch_gradient_variance(loss, w, b),
            rel_tol=1e-9,
        )


def test_seed_card_3_escape_numbers_and_the_stable_line():
    assert math.isclose(saddle_escape_steps(1e-6, 0.1, 0.5), math.log(0.5 / 1e-6) / math.log(1.2))
    assert round(saddle_escape_steps(1e-6, 0.1, 0.5)) == 72
    assert escape_steps_simulated(1e-6, 0.1, threshold=0.5, loss=SaddleWithMinima()) == 73
    assert "72 from $y_0 = 10^{-6}$" in _answer("seed card 3")
    assert "a real run takes 73" in _answer("seed card 3")
    # started exactly on y = 0, gradient descent never leaves it: it converges to the saddle
    run = gradient_descent(SaddleWithMinima(), [1.0, 0.0], lr=0.1, steps=500)
    assert np.all(run.weights[:, 1] == 0.0) and np.allclose(
        run.final_weights, [0.0, 0.0], atol=1e-6
    )


def test_the_linear_escape_count_matches_multiplying_by_1_plus_2_eta():
    for y0, lr in ((1e-6, 0.1), (1e-4, 0.05), (1e-3, 0.2)):
        k = math.ceil(saddle_escape_steps(y0, lr, 1.0))
        assert y0 * (1 + 2 * lr) ** k >= 1.0 > y0 * (1 + 2 * lr) ** (k - 1)


# -- one card per lesson -----------------------------------------------------------------------
def test_lesson_cards_cover_lessons_00_to_07():
    topics = [c.topic for c in lesson.LESSON_CARDS]
    assert [t[:2] for t in topics] == ["00", "01", "02", "03", "04", "05", "06", "07"]
    assert len(lesson.CARDS) == 11


def test_card_00_run_is_7_6_2_5_56_with_loss_16_10_24_6_5536():
    run = gradient_descent(lesson.WELCOME_LOSS, 7.0, lr=0.1, steps=2, tol=0.0)
    assert np.allclose(run.weights, [7.0, 6.2, 5.56]) and np.allclose(
        run.losses, [16, 10.24, 6.5536]
    )
    assert "7 → 6.2 → 5.56; loss: 16 → 10.24 → 6.5536" in _answer("00 welcome")


def test_card_01_gradient_is_perpendicular_to_the_level_set_and_steepest():
    bowl = QuadraticBowl([1.0, 6.0], rotation=0.4)
    w = np.array([1.3, -0.7])
    g = bowl.gradient(w)
    tangent = np.array([-g[1], g[0]]) / np.linalg.norm(g)
    h = 1e-5  # the loss does not change (to first order) along the level set
    assert abs(bowl.value(w + h * tangent) - bowl.value(w - h * tangent)) / (2 * h) < 1e-8
    angles = np.linspace(0, 2 * np.pi, 721)
    rates = [g @ np.array([np.cos(t), np.sin(t)]) for t in angles]
    best = angles[int(np.argmax(rates))]
    assert np.allclose([np.cos(best), np.sin(best)], g / np.linalg.norm(g), atol=1e-2)


def test_card_02_all_at_once_differs_from_one_after_another():
    loss, w0, lr = lesson.PAIR_LOSS, lesson.PAIR_W0, lesson.PAIR_LR
    at_once = gradient_descent(loss, w0, lr=lr, steps=1).final_weights
    seq = gradient_descent(loss, w0, lr=lr, steps=1, update=one_after_another()).final_weights
    assert np.allclose(at_once, [0.6, 0.6]) and np.allclose(seq, [0.6, 0.68])
    assert np.allclose(at_once, gradient_step(w0, loss.gradient(w0), lr))  # one gradient, old point
    assert "$(0.6, 0.6)$" in _answer("02 update rule") and "$(0.6, 0.68)$" in _answer(
        "02 update rule"
    )


def test_card_03_five_regimes_and_their_edges():
    a = 2.0
    got = [quadratic_regime(a, f / a) for f in (0.5, 1.0, 1.5, 2.0, 2.5)]
    assert got == ["monotone", "one-step", "oscillating-converging", "bouncing", "diverging"]
    assert error_multiplier(a, 0.3) == 1 - 0.3 * a


def test_card_04_contraction_0_9802_and_feature_scaling_lowers_kappa():
    assert math.isclose(contraction_factor([1.0, 100.0]), 99 / 101)
    assert f"{99 / 101:.4f}" == "0.9802" and "0.9802 for $\\kappa = 100$" in _answer(
        "04 many parameters"
    )
    assert math.isclose(best_fixed_lr([1.0, 100.0]), 2 / 101)
    assert math.isclose(max_stable_lr([1.0, 100.0]), 2 / 100)
    # feature scaling: standardising badly scaled features lowers the Hessian's condition number
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 1.0]
    Xs = (X - X.mean(0)) / X.std(0)
    kappa = lambda M: np.linalg.cond(M.T @ M)  # noqa: E731
    assert kappa(Xs) < 2 < 1000 < kappa(X)


def test_card_05_quarter_of_the_variance_and_the_noise_floors():
    ratio = batch_variance(1.0, 10**6, 64) / batch_variance(1.0, 10**6, 16)
    assert abs(ratio - 0.25) < 1e-4
    f1, f2 = noise_floor(2.0, 0.1, 1.0), noise_floor(2.0, 0.05, 1.0)
    assert (f"{f1:.4f}", f"{f2:.4f}") == ("0.0278", "0.0132")
    assert "0.0278 at $\\eta = 0.1$ and 0.0132 at $\\eta = 0.05$" in _answer("05 SGD")
    rates = np.linspace(0.01, 0.9, 30)
    assert np.all(np.diff([noise_floor(2.0, r, 1.0) for r in rates]) > 0)  # grows with the rate


def test_card_06_robbins_monro_schedule_and_a_sweep_crossing_at_two_over_a():
    rates = inverse_time_decay(0.5, 1.0).rates(100_000)
    assert np.allclose(rates[:4], [0.5, 0.25, 0.5 / 3, 0.125])  # eta_0 / (1 + k)
    sums = np.cumsum(rates)
    assert sums[-1] > 5.5 and sums[-1] - sums[9_999] > 1.1  # grows like ln k: diverges
    assert np.sum(rates**2) < 0.25 * math.pi**2 / 6  # bounded: converges
    for a in (0.5, 2.0, 8.0, 30.0):
        assert abs(error_multiplier(a, 0.999 * 2 / a)) < 1 < abs(error_multiplier(a, 1.001 * 2 / a))
        eig = (a / 10, a)
        assert _sweep_ratio(eig, 0.99 * 2 / a) < 1 < _sweep_ratio(eig, 1.01 * 2 / a)
    assert "crosses the start loss at exactly $2/a$" in _answer("06 schedules")


def test_the_notebooks_sweep_crosses_the_start_loss_at_two_over_eight():
    eig = (0.5, 2.0, 8.0)
    assert max_stable_lr(list(eig)) == 0.25
    below = [_sweep_ratio(eig, lr) for lr in np.linspace(0.01, 0.25, 25)]
    above = [_sweep_ratio(eig, lr) for lr in np.linspace(0.255, 0.5, 25)]
    assert max(below) < 1 < min(above)
    # one call sweeps every rate, each a fresh run: the same numbers
    rates = np.linspace(0.01, 0.5, 7)
    together = sweep_ratios(QuadraticBowl(list(eig)), np.ones(3), rates, lesson.SWEEP_STEPS)
    assert together.tolist() == [_sweep_ratio(eig, lr) for lr in rates]
    with pytest.raises(ValueError, match="a sweep divides by the start loss"):
        sweep_ratios(QuadraticBowl(list(eig)), np.zeros(3), [0.1], 10)  # started at the minimum


def test_card_07_names_the_escape_formula():
    assert "\\ln(0.5/|y_0|)/\\ln(1 + 2\\eta)" in _answer("07 saddles")


# -- the notebook's Q&A section ------------------------------------------------------------------
def test_descent_on_abs_bounces_at_0_05_forever():
    run = _abs_descent(1.05, 0.1, 400)
    w = run.weights
    assert run.n_steps == 400  # every step is taken
    assert np.allclose(np.abs(w[10:]), 0.05)  # from step 10 on, |w| = 0.05
    assert np.all(np.sign(w[11:]) == -np.sign(w[10:-1]))
    assert np.all(np.abs(w[:10]) > 0.05 + 0.09)
    # the status says so, in the words the notebook prints and the text uses
    assert run.status == "bouncing" and run.phrase == "bounces between two points forever"
    at_kink = _abs_descent(0.0, 0.1, 3)  # at the kink: slope 0, it never moves
    assert at_kink.status == "converged" and at_kink.weights.tolist() == [0.0]


def test_same_rate_is_cautious_on_a_flat_loss_and_explosive_on_a_steep_one():
    assert math.isclose(error_multiplier(lesson.FLAT_A, lesson.SAME_RATE), 0.95)
    assert math.isclose(error_multiplier(lesson.STEEP_A, lesson.SAME_RATE), -2.0)
    assert max_stable_lr(lesson.FLAT_A) == 4.0


def test_a_large_gradient_can_be_close_to_the_minimum_of_a_steep_loss():
    from gdcourse import Quadratic1D

    near_steep = abs(Quadratic1D(a=100, c=0).gradient(0.1))  # distance 0.1: gradient 10
    far_flat = abs(Quadratic1D(a=1, c=0).gradient(5.0))  # distance 5: gradient 5
    assert near_steep > far_flat


def test_descent_lemma_every_rate_below_two_over_beta_lowers_the_loss():
    # a beta-smooth, non-quadratic loss: the tilted double well has |L''| <= beta on [-2, 2]
    from gdcourse import TiltedDoubleWell

    loss = TiltedDoubleWell()
    ws = np.linspace(-2, 2, 4001)
    beta = float(np.max(np.abs(loss.hessian(ws))))
    for lr in (0.2 / beta, 1.0 / beta, 1.9 / beta):
        run = gradient_descent(loss, 1.8, lr=lr, steps=200, tol=0.0)
        assert np.all(np.abs(run.weights) <= 2)
        assert np.all(np.diff(run.losses) <= 1e-12)


def test_momentum_speeds_up_an_ill_conditioned_quadratic():
    lam = np.array([1.0, 100.0])
    e0, tol = np.array([1.0, 1.0]), 1e-6

    def steps(beta, lr):
        e, prev = e0.copy(), e0.copy()
        for k in range(1, 10_000):
            e, prev = e - lr * lam * e + beta * (e - prev), e
            if np.linalg.norm(e) < tol:
                return k
        return 10_000

    plain = steps(0.0, best_fixed_lr(lam))
    sk = np.sqrt(lam)
    heavy = steps(((sk[1] - sk[0]) / (sk[1] + sk[0])) ** 2, 4 / (sk[0] + sk[1]) ** 2)
    assert heavy * 3 < plain


# -- the checks ----------------------------------------------------------------------------------
QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6"]


def _solve(question):
    ns = {"math": math}
    exec(question.solution_code, ns)
    return ns[question.answer_var]


@pytest.mark.parametrize("name", QUESTIONS)
def test_each_solution_is_correct_and_a_blank_is_not_attempted(name):
    q = getattr(lesson, name)
    assert q.check(_solve(q)).outcome == "correct"
    assert q.check(____).outcome == "not_attempted"
    assert q.lesson == "review" and len(q.hints) >= 2 and q.solution_code and q.explanation


def test_the_expected_answers_are_the_stated_numbers():
    assert np.allclose(lesson.q1.expected(), [8.0, 5.0, 3.5, 2.75])
    assert lesson.q3.expected() == 0.25
    assert math.isclose(lesson.q4.expected(), 0.8)
    assert (
        math.isclose(lesson.q5.expected(), 8 / 25 * 75 / 99)
        and round(lesson.q5.expected(), 3) == 0.242
    )
    assert lesson.q6.expected() == 73 and 72 < math.log(1000) / math.log(1.1) < 72.5
    assert "0.5, 1, 1.5, 2, 3, 2.4" in lesson.q2.explanation
    assert lesson.q2.expected()[(40.0, 0.06)] == "diverging"
    assert len(set(lesson.q2.expected().values())) == 5  # every regime appears


def test_regime_check_names_the_confusion():
    answer = dict(lesson.q2.expected())
    answer[(40.0, 0.06)] = "monotone"
    verdict = lesson.q2.check(answer)
    assert verdict.outcome == "incorrect" and "multiply it by the curvature" in verdict.message


@pytest.mark.parametrize("name", ["q1", "q3", "q4", "q5", "q6"])
def test_each_misconception_is_recognised_without_revealing_the_answer(name):
    q = getattr(lesson, name)
    expected = np.asarray(q.expected(), dtype=float)
    assert q.misconceptions
    for m in q.misconceptions:
        wrong = m.answer()
        assert not np.allclose(np.asarray(wrong, dtype=float), expected, rtol=1e-6, atol=1e-9)
        verdict = q.check(wrong)
        assert verdict.outcome == "incorrect"
        assert m.message in verdict.message, (name, m.name)
        if expected.ndim == 0:
            assert f"{float(expected):g}" not in m.message


def test_misconceptions_of_each_question_are_distinct():
    for q in (lesson.q3, lesson.q4, lesson.q5):
        wrong = [float(m.answer()) for m in q.misconceptions]
        assert len({round(w, 9) for w in wrong}) == len(wrong)
    assert [m.answer() for m in lesson.q6.misconceptions] == [72, 142, 32, 167]
