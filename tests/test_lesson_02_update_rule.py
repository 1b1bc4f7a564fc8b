"""Lesson 02, the update rule: every number its prose states, and every question's behaviour.

Covers notebooks/02_update_rule.ipynb (gdcourse.lessons.update_rule) and the exercise
02_update_rule_practice (gdcourse.lessons.update_rule_practice).
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from gdcourse import (
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    ____,
    gradient_descent,
    gradient_step,
    max_stable_lr,
    one_after_another,
    quadratic_regime,
    sweep_path,
)
from gdcourse.checks import questions_of
from gdcourse.checks.misconceptions import (
    ascent_weights,
    half_gradient_weights,
    sequential_weights,
)
from gdcourse.lessons import update_rule as lesson
from gdcourse.lessons import update_rule_practice as practice

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_update_rule.ipynb"
SEED = Quadratic1D(a=2, c=3)  # (w - 3)^2


@pytest.fixture(autouse=True)
def progress_log(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))


def _no_reference_in(message: str, reference) -> None:
    for v in np.ravel(np.asarray(reference, dtype=float)):
        assert f"{v:.6g}" not in message, f"the message reveals {v}: {message}"


def _sweep(loss, w0, lr, order=None):
    """One step of the core's one_after_another(order), laid out one parameter at a time."""
    run = gradient_descent(loss, w0, lr=lr, steps=1, tol=0.0, update=one_after_another(order))
    return sweep_path(run, order)


# -- the numbers of the lesson's prose -------------------------------------------------------
def test_seed_walk_7_to_6_2_to_5_56_with_losses_16_10_24_6_55():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=4)
    assert run.weights[:3].tolist() == pytest.approx([7.0, 6.2, 5.56])
    assert run.losses[:3].tolist() == pytest.approx([16.0, 10.24, 6.5536])
    assert round(run.losses[2], 2) == 6.55
    assert SEED.gradient(run.weights[:3]).tolist() == pytest.approx([8.0, 6.4, 5.12])


def test_steps_shrink_0_8_then_0_64_then_0_512_because_the_gradient_shrinks():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=3)
    moves = np.abs(np.diff(run.weights))
    assert moves.tolist() == pytest.approx([0.8, 0.64, 0.512])
    np.testing.assert_allclose(moves, 0.1 * np.abs(SEED.gradient(run.weights[:-1])))
    assert np.all(np.diff(moves) < 0) and np.all(run.lrs == 0.1)  # the rate never changed


def test_googles_gradient_2_5_at_rate_0_01_moves_0_025():
    assert abs(gradient_step(10.0, 2.5, lr=0.01) - 10.0) == pytest.approx(0.025)
    assert abs(gradient_step(10.0, -2.5, lr=0.01) - 10.0) == pytest.approx(0.025)


def test_flashcard_5_minus_0_1_times_minus_3_is_5_3_to_the_right():
    new = gradient_step(5.0, -3.0, lr=0.1)
    assert new == pytest.approx(5.3) and new > 5.0
    assert lesson.q3.expected() == "right"


def test_the_sign_of_w_plays_no_part_in_the_direction():
    for w in (-5.0, 0.0, 5.0):
        assert gradient_step(w, -3.0, lr=0.1) > w
        assert gradient_step(w, 3.0, lr=0.1) < w


def test_explorer_claims_start_below_3_moves_right_and_rate_1_2_overshoots_with_rising_loss():
    below = gradient_descent(SEED, 1.0, lr=0.1, steps=1)
    assert SEED.gradient(1.0) < 0 and below.weights[1] > below.weights[0]
    for lr in (1.2, 10**0.08, 1.05, 1.5):  # "a rate above 1, say about 1.2" (log slider notches)
        run = gradient_descent(SEED, 7.0, lr=lr, steps=15)
        sides = np.sign(run.weights - 3)
        assert np.all(sides[1:] == -sides[:-1])  # every step jumps past 3
        assert np.all(np.diff(run.losses) > 0)  # and the loss rises at every step


def test_coupled_bowl_is_x2_minus_xy_plus_y2_with_curvatures_1_and_3_turned_45_degrees():
    bowl = lesson.COUPLED_BOWL
    np.testing.assert_allclose(bowl.matrix, [[2, -1], [-1, 2]], atol=1e-15)
    for x, y in [(2.0, 0.0), (1.0, -3.0), (0.5, 0.25)]:
        assert bowl.value([x, y]) == pytest.approx(x * x - x * y + y * y)
        np.testing.assert_allclose(bowl.gradient([x, y]), [2 * x - y, 2 * y - x], atol=1e-12)
    values, vectors = np.linalg.eigh(bowl.matrix)
    assert values.tolist() == pytest.approx([1.0, 3.0])
    assert abs(vectors[0, 0]) == pytest.approx(abs(vectors[1, 0]))  # axes on the diagonals


def test_one_step_at_once_x_first_and_y_first_land_on_three_points_with_these_losses():
    bowl, w0, lr = lesson.COUPLED_BOWL, lesson.BOWL_W0, lesson.BOWL_LR
    at_once = gradient_descent(bowl, w0, lr=lr, steps=1).weights[1]
    x_first = _sweep(bowl, w0, lr, (0, 1))
    y_first = _sweep(bowl, w0, lr, (1, 0))
    np.testing.assert_allclose(at_once, [1.0, 0.5])
    np.testing.assert_allclose(x_first, [[2, 0], [1, 0], [1, 0.25]], atol=1e-12)
    np.testing.assert_allclose(y_first, [[2, 0], [2, 0.5], [1.125, 0.5]], atol=1e-12)
    # the partial derivatives the prose computes on the way
    assert bowl.gradient([1.0, 0.0])[1] == pytest.approx(-1.0)
    assert bowl.gradient([2.0, 0.5])[0] == pytest.approx(3.5)
    losses = [bowl.value(p) for p in (at_once, x_first[-1], y_first[-1])]
    assert losses == pytest.approx([0.75, 0.8125, 0.953125])
    assert round(losses[2], 3) == 0.953
    assert bowl.value(w0) == pytest.approx(4.0)  # the legend's start loss


def test_the_sweep_at_0_25_is_under_relaxed_gauss_seidel_not_gauss_seidel():
    # Gauss-Seidel moves each coordinate to the lowest point along it: x_i -= g_i / A_ii, the
    # sweep at rate 1 / A_ii. The lesson's sweep at 0.25 (A_ii = 2) goes the fraction
    # 0.25 * 2 = 0.5 of each such move: under-relaxed, relaxation factor 0.5.
    bowl, w0, lr = lesson.COUPLED_BOWL, lesson.BOWL_W0, lesson.BOWL_LR
    diagonal = np.diag(bowl.matrix)
    assert diagonal[0] == pytest.approx(2.0) and diagonal[1] == pytest.approx(2.0)
    gauss_seidel = _sweep(bowl, w0, 1 / diagonal[0], (0, 1))
    for i, point in enumerate(gauss_seidel[1:]):  # each move zeroes its partial derivative
        assert bowl.gradient(point)[i] == pytest.approx(0.0, abs=1e-12)
    assert lr * diagonal[0] == pytest.approx(0.5)
    relaxed = _sweep(bowl, w0, lr, (0, 1))
    for i in (0, 1):
        before = relaxed[i]
        lowest = before[i] - bowl.gradient(before)[i] / diagonal[i]  # Gauss-Seidel's move
        moved = relaxed[i + 1][i] - before[i]
        assert moved == pytest.approx(0.5 * (lowest - before[i]))
        assert moved != pytest.approx(lowest - before[i])  # not all the way


def test_elsewhere_one_after_another_can_end_lower_than_gradient_descent():
    bowl, lr = lesson.COUPLED_BOWL, lesson.BOWL_LR
    start = (2.0, 1.0)
    at_once = gradient_descent(bowl, start, lr=lr, steps=1).weights[1]
    x_first = _sweep(bowl, start, lr)[-1]
    assert bowl.value(x_first) < bowl.value(at_once)


def test_one_after_another_is_the_checks_sequential_rule():
    bowl = lesson.COUPLED_BOWL
    np.testing.assert_array_equal(
        _sweep(bowl, (2.0, 0.0), 0.25)[-1],
        sequential_weights(bowl, (2.0, 0.0), 0.25, 1)[1],
    )


def test_without_coupling_every_order_agrees_with_gradient_descent():
    straight = QuadraticBowl([1.0, 3.0])  # L = x^2/2 + 3 y^2/2
    assert straight.value([2.0, 1.0]) == pytest.approx(2.0**2 / 2 + 3 * 1.0**2 / 2)
    start = np.array([2.0, 0.0])
    at_once = gradient_step(start, straight.gradient(start), lr=0.25)
    for order in [(0, 1), (1, 0)]:
        np.testing.assert_allclose(_sweep(straight, start, 0.25, order)[-1], at_once)


def test_the_sweep_path_reads_each_partial_derivative_where_the_earlier_ones_moved():
    # The path the plot of cell update-rule-30 draws, against a loop that moves one parameter
    # at a time and reads its partial derivative at the point reached so far.
    bowl, lr = lesson.COUPLED_BOWL, 0.1
    for order in [(0, 1), (1, 0)]:
        run = gradient_descent(bowl, (2.0, -1.0), lr=lr, steps=3, update=one_after_another(order))
        w, expected = np.array([2.0, -1.0]), [np.array([2.0, -1.0])]
        for _ in range(3):
            for i in order:
                w[i] -= lr * bowl.gradient(w)[i]
                expected.append(w.copy())
        path = sweep_path(run, order)
        assert path.shape == (3 * 2 + 1, 2)
        np.testing.assert_array_equal(path, expected)
        np.testing.assert_array_equal(path[::2], run.weights)  # every sweep ends on the run


def test_sweep_path_refuses_an_order_that_misses_a_parameter_and_weights_of_one_point():
    run = gradient_descent(lesson.COUPLED_BOWL, (2.0, 0.0), lr=0.25, steps=1)
    with pytest.raises(CourseValueError, match=r"order must list each of the 2 parameters"):
        sweep_path(run, order=(0,))
    with pytest.raises(CourseValueError, match=r"order must list each parameter once"):
        sweep_path(run, order=(0, 0))
    with pytest.raises(CourseValueError, match=r"one row of d parameters per iterate"):
        sweep_path([2.0, 0.0])


# -- the lesson's questions ------------------------------------------------------------------
def right_gd_step(w, grad, lr):
    return w - lr * grad


def test_q1_passes_a_right_gd_step_on_numbers_and_arrays():
    v = lesson.q1.check(right_gd_step)
    assert v.correct and len(v.table) == 1 + len(lesson.q1.cases)
    assert any(isinstance(c["w"], np.ndarray) for c in lesson.q1.cases)


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda w, grad, lr: w + lr * grad, "moves uphill"),
        (lambda w, grad, lr: w - grad, "where does lr appear"),
        (lambda w, grad, lr: w - lr, "subtracted the rate alone"),
        (lambda w, grad, lr: grad - lr * w, "swapped the roles of w and grad"),
        (lambda w, grad, lr: -lr * grad, "returns the step"),
        (lambda w, grad, lr: lr * grad, "returns the step"),
    ],
)
def test_q1_recognises_each_wrong_update(wrong, phrase):
    v = lesson.q1.check(wrong)
    assert v.outcome == "incorrect" and phrase in v.message


def test_q1_a_function_that_only_handles_single_numbers_shows_the_failing_call():
    # Right on the numbers, raising on the arrays: "Not yet", the failing call shown, and the
    # share of the inputs it got right (partial credit).
    v = lesson.q1.check(lambda w, grad, lr: float(w) - lr * float(grad))
    assert v.outcome == "incorrect" and "gd_step(np.array(" in v.message
    assert 0 < v.right < v.of and 0 < v.points < v.max_points


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (5.4, "reused the gradient of the first step"),
        (6.84, "went uphill"),
        (8.76, "Both of your steps went uphill"),
        (6.2, "where the first step ended"),
        (6.4, "the gradient at w = 6.2"),
        (6.5536, "the loss at the new point"),
    ],
)
def test_q2_second_step_misconceptions(answer, phrase):
    v = lesson.q2.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message
    _no_reference_in(str(v), lesson.q2.expected())


def test_q2_right_answer_is_5_56():
    assert lesson.q2.expected() == pytest.approx(5.56)
    assert lesson.q2.check(5.56).correct


def test_q3_direction_left_gets_a_nudge_not_the_answer():
    v = lesson.q3.check("left")
    assert v.outcome == "incorrect" and "product's sign" in v.message
    assert lesson.q3.check("Right").correct


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([1.0, 0.25], "one after another"),
        ([1.125, 0.5], "one after another"),
        ([3.0, -0.5], "uphill"),
        ([4.0, -2.0], "the gradient at (2, 0)"),
        ([-1.0, 0.5], "That is the step"),
    ],
)
def test_q4_simultaneous_step_misconceptions(answer, phrase):
    v = lesson.q4.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message
    _no_reference_in(str(v), lesson.q4.expected())


def test_q4_right_answer_in_any_form():
    for answer in ([1, 0.5], (1.0, 0.5), np.array([1.0, 0.5])):
        assert lesson.q4.check(answer).correct


# -- the exercise's numbers and questions ----------------------------------------------------
def test_practice_two_steps_lengths_and_halving():
    run = gradient_descent(practice.LOSS, 2.0, lr=0.25, steps=3)
    assert run.weights.tolist() == pytest.approx([2.0, 0.5, -0.25, -0.625])
    assert practice.q4.expected().tolist() == pytest.approx([1.5, 0.75, 0.375])
    lengths = practice.q4.expected()
    assert lengths[1:] / lengths[:-1] == pytest.approx([0.5, 0.5])  # each half the one before


def test_practice_plot_title_loss_falls_4x_at_every_step():
    run = gradient_descent(practice.LOSS, 2.0, lr=0.25, steps=10)
    assert run.losses[1:] / run.losses[:-1] == pytest.approx([0.25] * 10)


def test_practice_every_rate_used_converges():
    assert practice.LOSS.a == 2 and practice.LOSS.c == -1
    for case in practice.q5.cases:
        assert quadratic_regime(practice.LOSS.a, case["lr"]) in (
            "monotone",
            "one-step",
            "oscillating-converging",
        )
    assert quadratic_regime(practice.LOSS.a, practice.LR) == "monotone"
    assert practice.BOWL_LR < max_stable_lr(practice.BOWL.eigenvalues)


def test_practice_bowl_is_x2_plus_xy_plus_y2():
    np.testing.assert_allclose(practice.BOWL.matrix, [[2, 1], [1, 2]], atol=1e-15)
    np.testing.assert_allclose(practice.BOWL.gradient([1.0, 2.0]), [4.0, 5.0], atol=1e-12)
    np.testing.assert_allclose(
        practice.q6.expected(), [[1, 2], [0.2, 1.0], [-0.08, 0.56], [-0.16, 0.352]], atol=1e-12
    )


def test_practice_directions_depend_on_the_gradient_only():
    assert practice.q2.expected() == {"A": "right", "B": "left", "C": "right", "D": "left"}
    toward_zero = {"A": "left", "B": "right", "C": "right", "D": "left"}  # moved toward 0
    v = practice.q2.check(toward_zero)
    # Two labels: the check says how many are wrong, not which (naming them is the answer).
    assert v.outcome == "incorrect" and "2 of your 4 labels" in v.message
    assert "'A'" not in v.message and "'B'" not in v.message
    assert "not of w" in v.message


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (4.7, "moved with the gradient"),
        (8.0, "whole gradient"),
        (0.3, "That is the step"),
        (-0.3, "Subtract it"),
    ],
)
def test_practice_flashcard_misconceptions(answer, phrase):
    v = practice.q1.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message
    _no_reference_in(str(v), practice.q1.expected())


def test_practice_by_hand_steps_recognise_sign_and_factor_two():
    loss, w0, lr = practice.LOSS, practice.W0, practice.LR
    assert "stepped up the gradient" in practice.q3.check(ascent_weights(loss, w0, lr, 2)).message
    assert "factor 2" in practice.q3.check(half_gradient_weights(loss, w0, lr, 2)).message
    assert "put w0 first" in practice.q3.check([0.5, -0.25]).message
    assert not practice.q3.check(-0.25).correct  # the final value alone is not enough


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ([-1.5, -0.75, -0.375], "without its sign"),
        ([6, 3, 1.5], "gradients' sizes"),
        ([0.5, -0.25, -0.625], "weights after each step"),
    ],
)
def test_practice_step_length_misconceptions(answer, phrase):
    v = practice.q4.check(answer)
    assert v.outcome == "incorrect" and phrase in v.message


def test_practice_2d_one_after_another_is_recognised():
    wrong = sequential_weights(practice.BOWL, practice.BOWL_W0, practice.BOWL_LR, 3)
    v = practice.q6.check(wrong)
    assert v.outcome == "incorrect" and "one after another" in v.message
    assert practice.q6.check([np.array(p) for p in practice.q6.expected()]).correct


def test_practice_run_steps_function():
    def run_steps(w0, lr, steps):
        weights = [w0]
        for _ in range(steps):
            weights.append(weights[-1] - lr * 2 * (weights[-1] + 1))
        return weights

    assert practice.q5.check(run_steps).correct
    v = practice.q5.check(lambda w0, lr, steps: run_steps(w0, lr, steps)[1:])
    assert "leaves out w0" in v.message


# -- both modules: declared fully, solutions right, blanks not attempted ---------------------
MODULES = [lesson, practice]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_question_has_prompt_hints_solution_and_runs_its_own_solution(module):
    questions = questions_of(module)
    assert [q.name for q in questions] == [f"q{i}" for i in range(1, len(questions) + 1)]
    for q in questions:
        assert q.prompt and q.hints and q.solution_code and q.points >= 1
        assert q.id == f"{module.LESSON}.{q.name}"
        scope = {"np": np}
        exec(q.solution_code, scope)
        assert q.check(scope[q.answer_var]).correct, q.name
        assert q.check(____).outcome == "not_attempted", q.name


def test_practice_has_four_to_seven_questions():
    assert 4 <= len(questions_of(practice)) <= 7


# -- the notebook's shape --------------------------------------------------------------------
def test_notebook_is_stored_clean_with_tagged_checks_in_order():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["gdcourse"]["slug"] == "update_rule"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = nb["cells"]
    assert [c["id"] for c in cells] == [f"update-rule-{i:02d}" for i in range(len(cells))]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    tags = [t for c in code for t in c["metadata"].get("tags", [])]
    assert tags == [q.name for q in questions_of(lesson)]
    source = "".join("".join(c["source"]) for c in cells)
    assert "".join(cells[0]["source"]).startswith("# 02 · The update rule")
    assert "StepExplorer" in source and "02_update_rule_practice" in source
    assert math.isfinite(lesson.q4.expected()[0])
