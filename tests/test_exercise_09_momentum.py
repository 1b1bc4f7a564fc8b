"""Exercise 09 (momentum and Adam in practice): the core's one-step functions agree with the
runner, every solution is right, blanks are not attempted, and each misconception is named
without giving the answer away."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    ____,
    adam,
    adam_step,
    gradient_descent,
    heavy_ball_limit,
    heavy_ball_step,
    momentum,
    nesterov,
    nesterov_limit,
)
from gdcourse.lessons import momentum_practice as ex

QUESTIONS = (ex.q1, ex.q2, ex.q3, ex.q4, ex.q5, ex.q6)


# -- the core's one-step functions ---------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    mu=st.floats(0, 0.99),
    h=st.floats(0.01, 3.0),
    w0=st.floats(-5, 5),
    steps=st.integers(1, 30),
)
def test_heavy_ball_step_repeated_is_the_runners_momentum(mu, h, w0, steps):
    loss = Quadratic1D(a=2.0, c=0.5)
    lr = h / 2.0
    run = gradient_descent(loss, w0, lr, steps, tol=None, update=momentum(mu))
    w, v, ws = w0, 0.0, [w0]
    for _ in range(run.n_steps):
        w, v = heavy_ball_step(w, v, float(loss.gradient(w)), lr, mu)
        ws.append(w)
    np.testing.assert_allclose(ws, run.weights, rtol=1e-12, atol=1e-12)


def test_adam_step_repeated_is_the_runners_adam_on_a_bowl():
    bowl = QuadraticBowl([1.0, 30.0])
    run = gradient_descent(bowl, [2.0, -1.0], 0.05, 60, tol=None, update=adam())
    w, m, s = np.array([2.0, -1.0]), np.zeros(2), np.zeros(2)
    for t in range(1, 61):
        w, m, s = adam_step(w, m, s, bowl.gradient(w), t, 0.05)
        np.testing.assert_allclose(w, run.weights[t], rtol=1e-12, atol=1e-15)


def test_adams_first_step_moves_every_parameter_by_the_rate_whatever_its_gradient():
    for g in (1e-3, 0.5, 200.0, -7.0):
        w, m, s = adam_step(1.0, 0.0, 0.0, g, 1, 0.01)
        # lr |g| / (|g| + eps): lr to within eps / |g| (1e-5 of it at |g| = 1e-3)
        assert abs((w - 1.0) + 0.01 * np.sign(g)) <= 0.01 * 1e-8 / abs(g) * 1.001
        assert m == pytest.approx(0.1 * g) and s == pytest.approx(0.001 * g * g)


@pytest.mark.parametrize(
    ("call", "error", "phrase"),
    [
        (lambda: heavy_ball_step(1.0, 0.0, 1.0, 0.1, 1.0), CourseValueError, "below 1"),
        (lambda: heavy_ball_step(1.0, 0.0, 1.0, -0.1, 0.5), CourseValueError, "lr"),
        (
            lambda: heavy_ball_step([1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 2.0], 0.1, 0.5),
            CourseValueError,
            "same shape as w",
        ),
        (lambda: heavy_ball_step("1", 0.0, 1.0, 0.1, 0.5), CourseTypeError, "w"),
        (lambda: adam_step(1.0, 0.0, 0.0, 1.0, 0, 0.1), CourseValueError, "t"),
        (lambda: adam_step(1.0, 0.0, -1.0, 1.0, 1, 0.1), CourseValueError, "at least 0"),
        (lambda: adam_step(1.0, 0.0, 0.0, 1.0, 1.5, 0.1), CourseTypeError, "whole"),
        (lambda: adam_step(1.0, 0.0, 0.0, 1.0, 1, 0.1, beta2=1.0), CourseValueError, "beta2"),
    ],
)
def test_the_step_functions_refuse_bad_input_in_a_sentence(call, error, phrase):
    with pytest.raises(error, match=phrase):
        call()


# -- the numbers of the exercise ----------------------------------------------------------------
def test_q1_limits_and_q2_weights_are_as_the_solution_says():
    assert ex.q1.expected() == pytest.approx([0.75, 0.375], rel=1e-12)
    np.testing.assert_allclose(ex.q2.expected(), [7.0, 6.2, 5.16], rtol=1e-12)


def _fate_by_simulation(method, lr, mu):
    update = momentum(mu) if method == "heavy_ball" else nesterov(mu)
    loss = Quadratic1D(a=ex.RUNS_CURVATURE, c=0.0)
    run = gradient_descent(loss, 1.0, lr, 3000, tol=None, update=update)
    return "converges" if abs(run.weights[-1]) < 1e-6 else "diverges"


def test_q6_fates_are_what_the_runs_do_and_no_run_is_near_its_limit():
    expected = ex.q6.expected()
    assert expected == {
        "A": "diverges",
        "B": "converges",
        "C": "diverges",
        "D": "converges",
        "E": "converges",
    }
    for label, (method, lr, mu) in ex.RUNS.items():
        assert _fate_by_simulation(method, lr, mu) == expected[label], label
        # 5% or more from the limit: a run's fate is no tie
        for factor in (0.95, 1.05):
            near = _fate_by_simulation(method, lr * factor, mu)
            assert near == expected[label], (label, factor)


def test_q5_moves_are_the_rate_against_each_gradients_sign():
    np.testing.assert_allclose(ex.q5.expected(), [-0.01, 0.01], rtol=1e-6)
    assert ex.q5.check([-0.01, 0.01]).outcome == "correct"


# -- the checks ---------------------------------------------------------------------------------
def test_every_solution_code_is_right():
    for q in QUESTIONS:
        env = {"np": np, "heavy_ball_limit": heavy_ball_limit, "nesterov_limit": nesterov_limit}
        exec(q.solution_code, env)
        assert q.check(env[q.answer_var]).outcome == "correct", q.name


def test_blanks_are_not_attempted():
    for q in QUESTIONS:
        assert q.check(____).outcome == "not_attempted", q.name

    def template(*args):
        return ____

    assert ex.q3.check(template).outcome == "not_attempted"
    assert ex.q4.check(template).outcome == "not_attempted"


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([0.375, 0.75], "wrong order"),
        ([3.0, 1.5], "bound lr * lambda"),
        ([0.5, 0.5], "plain descent's 2/lambda"),
        ([0.25, 0.125], "sign in front of mu"),
    ],
)
def test_q1_misconceptions(answer, phrase):
    v = ex.q1.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message and "0.75" not in v.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([7, 6.2, 5.56], "velocity was forgotten"),
        ([7, 7, 6.2], "old velocity"),
        ([7, 6.2, 4.76], "counted in full"),
        ([7, 7.8, 9.16], "uphill"),
    ],
)
def test_q2_misconceptions(answer, phrase):
    v = ex.q2.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message, v.message
    assert "5.16" not in v.message


@pytest.mark.parametrize(
    ("fn", "phrase"),
    [
        (lambda w, v, grad, lr, mu: (w + mu * v + lr * grad, mu * v + lr * grad), "uphill"),
        (
            lambda w, v, grad, lr, mu: (w - (mu * v + lr * grad), mu * v + lr * grad),
            "opposite sign",
        ),
        (lambda w, v, grad, lr, mu: (w + v, mu * v - lr * grad), "old velocity"),
        (lambda w, v, grad, lr, mu: (w + v - lr * grad, v - lr * grad), "multiply it by mu"),
        (lambda w, v, grad, lr, mu: (w - lr * grad, -lr * grad), "plain descent"),
        (lambda w, v, grad, lr, mu: (mu * v - lr * grad, w + mu * v - lr * grad), "wrong order"),
    ],
)
def test_q3_misconceptions_are_named(fn, phrase):
    v = ex.q3.check(fn)
    assert v.outcome == "incorrect" and phrase in v.message, v.message


def test_q3_a_function_that_never_moves_earns_nothing_and_a_half_right_one_some():
    v = ex.q3.check(lambda w, v, grad, lr, mu: (w, v))
    assert v.outcome == "incorrect" and v.right == 0

    def right_only_for_numbers(w, v, grad, lr, mu):
        if isinstance(w, np.ndarray):
            return w, v
        new_v = mu * v - lr * grad
        return w + new_v, new_v

    v = ex.q3.check(right_only_for_numbers)
    assert v.outcome == "incorrect" and v.right == 5 and v.of == 6


def _adam(correct=True, store_corrected=False, root=True, swap=False, eps_inside=False):
    b1, b2 = (0.999, 0.9) if swap else (0.9, 0.999)

    def step(w, m, s, grad, t, lr):
        m = b1 * m + (1 - b1) * grad
        s = b2 * s + (1 - b2) * grad**2
        mh = m / (1 - b1**t) if correct else m
        sh = s / (1 - b2**t) if correct else s
        denominator = np.sqrt(sh + 1e-8) if eps_inside else (np.sqrt(sh) if root else sh) + 1e-8
        return (w - lr * mh / denominator, *((mh, sh) if store_corrected else (m, s)))

    return step


@pytest.mark.parametrize(
    ("variant", "phrase"),
    [
        ({"correct": False}, "too small by 1 - beta^t"),
        ({"store_corrected": True}, "corrects them twice"),
        ({"root": False}, "square root"),
        ({"swap": True}, "other way round"),
        ({"eps_inside": True}, "under the square root"),
    ],
)
def test_q4_misconceptions_are_named(variant, phrase):
    assert ex.q4.check(_adam()).outcome == "correct"
    v = ex.q4.check(_adam(**variant))
    assert v.outcome == "incorrect" and phrase in v.message, v.message


def test_q4_a_wrong_s_of_zero_is_not_passed_by_an_absolute_tolerance():
    def s_forgotten(w, m, s, grad, t, lr):
        new_w, new_m, _ = _adam()(w, m, s, grad, t, lr)
        return new_w, new_m, 0.0 * s

    v = ex.q4.check(s_forgotten)
    assert v.outcome == "incorrect" and v.right == 0


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([-2.0, 0.005], "plain descent's moves"),
        ([-0.0316227766, 0.0316227766], "without the bias correction"),
        ([4.99, -1.99], "new point"),
        ([0.01, 0.01], "signs"),
    ],
)
def test_q5_misconceptions(answer, phrase):
    v = ex.q5.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message, v.message


def test_q6_a_wrong_fate_gets_the_limits_without_the_answer():
    wrong = {**ex.q6.expected(), "C": "converges"}
    v = ex.q6.check(wrong)
    assert v.outcome == "incorrect" and "own limit" in v.message


# -- found by the attack ------------------------------------------------------------------------
def test_q5_moves_with_the_gradient_are_a_sign_not_an_order():
    v = ex.q5.check([0.01, -0.01])
    assert v.outcome == "incorrect" and "uphill" in v.message and "order" not in v.message


def test_a_list_with_every_sign_flipped_is_told_so_not_that_its_order_is_wrong():
    # the checker's own rule, beyond q5's misconceptions: [a, -a] reversed is -[a, -a]
    from dataclasses import replace

    bare = replace(ex.q5, misconceptions=())
    v = bare.check([0.01, -0.01])
    assert "every sign the other way round" in v.message and "order" not in v.message


def test_q4_eps_forgotten_is_named_not_called_rounding():
    def no_eps(w, m, s, grad, t, lr):
        m = 0.9 * m + 0.1 * grad
        s = 0.999 * s + 0.001 * grad**2
        return w - lr * (m / (1 - 0.9**t)) / np.sqrt(s / (1 - 0.999**t)), m, s

    v = ex.q4.check(no_eps)
    assert v.outcome == "incorrect" and "add exactly eps" in v.message
    assert "rounded" not in v.message


def test_q3_the_velocitys_sign_alone_is_named_and_float32_results_pass():
    v = ex.q3.check(lambda w, v, grad, lr, mu: (w + mu * v - lr * grad, lr * grad - mu * v))
    assert v.outcome == "incorrect" and "opposite sign" in v.message

    def single(w, v, grad, lr, mu):
        new_v = np.asarray(mu * v - lr * grad, dtype=np.float32)
        return np.asarray(w + mu * v - lr * grad, dtype=np.float32), new_v

    assert ex.q3.check(single).outcome == "correct"


@pytest.mark.parametrize(
    ("call", "phrase"),
    [
        (lambda: heavy_ball_step(np.nan, 0.0, 8.0, 0.1, 0.5), "finite"),
        (lambda: heavy_ball_step(7.0, 0.0, np.inf, 0.1, 0.5), "finite"),
        (lambda: adam_step(1.0, 0.0, np.nan, 250.0, 1, 0.01), "finite"),
        (lambda: adam_step(1.0, 0.0, 0.0, 1e200, 1, 0.01), "too large"),
        (lambda: adam_step(1.0, 0.0, 0.0, 250.0, 10**400, 0.01), "at most"),
        (lambda: heavy_ball_step([1.0, 2.0], 0.0, 1.0, 0.1, 0.5), "gradient must have"),
    ],
)
def test_the_step_functions_refuse_values_they_cannot_step_from(call, phrase):
    with pytest.raises(CourseValueError, match=phrase):
        call()


def test_at_rest_is_one_number_for_every_entry_and_overflow_is_inf_without_warnings():
    import warnings

    w = adam_step(np.array([5.0, -2.0]), 0, 0, np.array([200.0, -0.5]), 1, 0.01)[0]
    np.testing.assert_allclose(w, [4.99, -1.99], rtol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, v = heavy_ball_step(1e308, 1e308, -1e308, 1.0, 0.9)
    assert np.isinf(w) and np.isinf(v)


def test_the_sign_rule_is_only_for_mixed_signs_never_for_a_run_or_a_list_of_losses():
    from gdcourse.lessons import lr_exploration

    for q in (lr_exploration.q2, lr_exploration.q3):  # a run from w0 = 8; its losses
        v = q.check(-np.asarray(q.expected(), dtype=float))
        assert v.outcome == "incorrect" and "every sign" not in v.message, q.name


@pytest.mark.parametrize(
    ("variant", "phrase"),
    [("uphill", "moves uphill"), ("swapped", "m and s in the wrong order")],
)
def test_q4_uphill_and_the_averages_swapped_are_named(variant, phrase):
    right = _adam()

    def answer(w, m, s, grad, t, lr):
        new_w, new_m, new_s = right(w, m, s, grad, t, lr)
        return (2 * w - new_w, new_m, new_s) if variant == "uphill" else (new_w, new_s, new_m)

    v = ex.q4.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message, v.message
