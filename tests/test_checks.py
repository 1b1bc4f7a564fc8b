"""The check system: every outcome, every misconception, rendering, and no leaked answers."""

import json
import warnings

import numpy as np
import pytest

from gdcourse import (
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    ____,
    factor_two_missing,
    gradient_descent,
    loss_for_gradient,
    one_after_another,
    sign_flipped,
)
from gdcourse.checks import (
    OUTCOMES,
    VERDICT_MIME,
    ChoiceQuestion,
    NumberQuestion,
    Verdict,
    progress,
)
from gdcourse.checks.misconceptions import (
    ascent_weights,
    correct_weights,
    half_gradient_weights,
    loss_as_gradient_weights,
    sequential_weights,
)
from gdcourse.checks.trajectory import trajectory_question
from gdcourse.lessons import lr_exploration as ex

LOSS = Quadratic1D(a=2, c=2)
RIGHT_01 = [8.0, 6.8, 5.84, 5.072, 4.4576]  # (w - 2)^2 from 8 at rate 0.1


@pytest.fixture(autouse=True)
def progress_log(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(path))
    return path


def _no_reference_in(message: str, values) -> None:
    for v in values:
        assert f"{v:.6g}" not in message, f"the message reveals {v}: {message}"


# -- outcomes -------------------------------------------------------------------------------
def test_right_answer_is_correct_in_any_numeric_form():
    for answer in (
        RIGHT_01,
        tuple(RIGHT_01),
        np.array(RIGHT_01),
        [np.float64(x) for x in RIGHT_01],
    ):
        assert ex.q5.check(answer).outcome == "correct"
    assert ex.q9.check(np.float64(1.0)).correct
    assert ex.q9.check(np.array(1.0)).correct  # 0-d array
    assert ex.q9.check([1.0]).correct  # one-element list for one number
    assert ex.q9.check(1).correct


def test_answers_within_tolerance_pass_and_outside_fail():
    assert ex.q5.check(np.array(RIGHT_01) * (1 + 1e-8)).correct
    assert not ex.q5.check(np.add(RIGHT_01, [0, 0, 0, 0, 1e-3])).correct


def test_placeholder_is_not_attempted_never_an_exception():
    for q, answer in ((ex.q1, ____), (ex.q2, ____), (ex.q2, [8, ____, 2, 2, 2]), (ex.q8, ____)):
        v = q.check(answer)
        assert v.outcome == "not_attempted"
        assert q.answer_var in v.message


def test_check_without_an_answer_says_how_to_call_it():
    v = ex.q2.check()
    assert v.outcome == "not_attempted" and "ex.q2.check(w_05)" in v.message


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [
        (None, "Did your function return its result?"),
        ("4.4576", "remove the quotes"),
        ("four", "got the text 'four'"),
        (True, "yes/no value"),
        ({"a": 1}, "Expected a list of 5 weights"),
        ([8, 6.8, [5.84]], "not all numbers"),
        (4.4576, "Expected 5 weights, w0 included; got a single number"),
        ([1, 2, 3], "Expected 5 weights, w0 included; got 3"),
    ],
)
def test_wrong_types_and_shapes_get_a_sentence(answer, sentence):
    v = ex.q5.check(answer)
    assert v.outcome == "incorrect"
    assert sentence in v.message


def test_a_whole_trajectory_is_recognised():
    run = gradient_descent(LOSS, 8.0, lr=0.1, steps=4)
    assert "use run.weights" in ex.q5.check(run).message


def test_nan_and_inf_get_the_divergence_explanation():
    for bad in ([8, 6.8, np.inf, 5.072, 4.4576], [8, np.nan, 5.84, 5.072, 4.4576]):
        v = ex.q5.check(bad)
        assert v.outcome == "incorrect" and "diverging run" in v.message


def test_internal_error_is_blamed_on_the_course_not_the_student():
    def broken():
        raise RuntimeError("reference exploded")

    q = NumberQuestion(
        lesson="t",
        name="q1",
        answer_var="x",
        prompt="p",
        hints=(),
        solution_code="",
        expected=broken,
    )
    v = q.check(1.0)
    assert v.outcome == "internal_error"
    assert "bug in gdcourse, not a problem with your answer" in v.message


# -- misconceptions -------------------------------------------------------------------------
def _rule(rule, lr=0.1, steps=4):
    return rule(LOSS, 8.0, lr, steps).tolist()


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda: _rule(ascent_weights), "stepped up the gradient"),
        (lambda: _rule(half_gradient_weights), "factor 2"),
        (lambda: _rule(loss_as_gradient_weights, lr=0.01), "slope dL/dw, not the height"),
        (lambda: RIGHT_01[:-1], "one step too few"),
        (lambda: RIGHT_01[1:], "put w0 first"),
        (lambda: [LOSS(w) for w in RIGHT_01], "losses L(w), not the weights"),
    ],
)
def test_known_misconceptions_get_a_targeted_hint_without_the_answer(wrong, phrase):
    q = (
        ex.q5
        if "height" not in phrase
        else trajectory_question(
            lesson="t",
            name="q1",
            answer_var="w",
            prompt="p",
            loss=LOSS,
            w0=8.0,
            lr=0.01,
            steps=4,
            hints=("h",),
            solution_code="s",
        )
    )
    v = q.check(wrong())
    assert v.outcome == "incorrect"
    assert phrase in v.message
    _no_reference_in(str(v), q.expected()[1:])


_RULES = [
    (ascent_weights, sign_flipped),
    (half_gradient_weights, factor_two_missing),
    (loss_as_gradient_weights, loss_for_gradient),
    (sequential_weights, one_after_another),
    (correct_weights, lambda: None),
]
_PROBLEMS = [
    (LOSS, 8.0, 0.1),
    (LOSS, 8.0, 0.01),
    (QuadraticBowl([1.0, 4.0], rotation=0.6), [2.0, -1.0], 0.2),
    (QuadraticBowl([1.0, 3.0], rotation=0.785), [2.0, 0.0], 0.25),
]


@pytest.mark.parametrize(
    ("simulate", "update", "loss", "w0", "lr"),
    [
        (*rule, *problem)
        for rule in _RULES
        for problem in _PROBLEMS
        # One parameter after another needs at least two parameters.
        if not (rule[0] is sequential_weights and np.ndim(problem[1]) == 0)
    ],
)
def test_each_wrong_rule_is_the_cores_update_rule_run_by_the_cores_runner(
    simulate, update, loss, w0, lr
):
    weights = simulate(loss, w0, lr, 4)
    run = gradient_descent(loss, w0, lr=lr, steps=4, tol=0.0, update=update())
    assert run.n_steps == 4 and weights.shape == run.weights.shape
    np.testing.assert_array_equal(weights, run.weights)


def test_a_run_that_lands_on_the_minimum_stays_there_and_one_that_blows_up_is_nan():
    # Rate 1/a lands on c = 2 in one step; the core's runner stops there (gradient exactly 0).
    assert correct_weights(LOSS, 8.0, 0.5, 4).tolist() == [8.0, 2.0, 2.0, 2.0, 2.0]
    assert half_gradient_weights(LOSS, 8.0, 1.0, 3).tolist() == [8.0, 2.0, 2.0, 2.0]
    # Walking uphill at rate 1 triples the distance each step: past 1e12 times the start loss
    # the core stops the run ("diverged"); no answer matches the steps it did not take.
    wrong = ascent_weights(LOSS, 8.0, 1.0, 30)
    run = gradient_descent(LOSS, 8.0, lr=1.0, steps=30, tol=0.0, update=sign_flipped())
    assert run.status == "diverged" and run.n_steps < 30 and len(wrong) == 31
    np.testing.assert_array_equal(wrong[: run.n_steps + 1], run.weights)
    assert np.all(np.isnan(wrong[run.n_steps + 1 :]))
    with pytest.raises(CourseValueError, match="the reference run diverged after"):
        correct_weights(LOSS, 8.0, 3.0, 40)


def test_one_step_too_many_is_recognised():
    too_many = gradient_descent(LOSS, 8.0, lr=0.1, steps=5).weights
    assert "one step too many" in ex.q5.check(too_many).message


def _coupled_question():
    """3 steps on a rotated bowl: its off-diagonal Hessian couples the two parameters."""
    bowl = QuadraticBowl([1.0, 4.0], rotation=0.6)
    q = trajectory_question(
        lesson="t", name="q1", answer_var="w", prompt="p", loss=bowl, w0=[2.0, -1.0], lr=0.2,
        steps=3, hints=("h",), solution_code="s",
    )  # fmt: skip
    return bowl, q


def test_simultaneous_versus_one_after_another_on_a_coupled_loss():
    bowl, q = _coupled_question()
    sequential = sequential_weights(bowl, [2.0, -1.0], 0.2, 3)
    assert not np.allclose(sequential, q.expected())  # the coupling makes them differ
    v = q.check(sequential)
    assert v.outcome == "incorrect" and "one after another" in v.message
    assert q.check(q.expected()).correct


def test_losses_question_recognises_weights_given_instead():
    v = ex.q3.check([8.0, 2.0, 2.0, 2.0, 2.0])
    assert "weights w, not the losses" in v.message


def test_steps_question_misconceptions_do_not_print_the_answer():
    for answer, phrase in ((25, "after the first 4"), (28, "one step short"), (30, "too many")):
        v = ex.q6.check(answer)
        assert v.outcome == "incorrect" and phrase in v.message
        assert "29" not in str(v)
    assert "29" not in str(ex.q6.check(100))


def test_guessing_the_final_value_does_not_pass():
    # Rate 0.5 lands on exactly 2 in one step; rate 1.0 ends where it started.
    assert not ex.q2.check(2.0).correct
    assert not ex.q4.check(8.0).correct


# -- function questions ---------------------------------------------------------------------
def right_descent_weights(w0, lr, steps):
    weights = [w0]
    for _ in range(steps):
        weights.append(weights[-1] - lr * 2 * (weights[-1] - 2))
    return weights


def test_function_question_passes_a_right_function_and_shows_a_table():
    v = ex.q1.check(right_descent_weights)
    assert v.correct and v.points == 2
    assert v.table[0] == ("call", "your result", "")
    assert len(v.table) == 1 + len(ex.q1.cases)
    assert all(row[2] == "\u2714" for row in v.table[1:])


def test_function_raising_reports_the_input_and_the_students_own_error():
    def crashes(w0, lr, steps):
        if steps == 0:
            raise IndexError("my own bug")
        return right_descent_weights(w0, lr, steps)

    v = ex.q1.check(crashes)
    assert v.outcome == "incorrect" and v.right == 5  # partial credit: the other inputs count
    assert "descent_weights(8.0, 1.0, 0)" in v.message
    assert "IndexError: my own bug" in v.message
    assert 'raise IndexError("my own bug")' in v.message  # the student's line
    assert "questions.py" not in v.message  # not our frames


def test_function_with_flipped_sign_gets_the_sign_hint():
    def ascent(w0, lr, steps):
        weights = [w0]
        for _ in range(steps):
            weights.append(weights[-1] + lr * 2 * (weights[-1] - 2))
        return weights

    v = ex.q1.check(ascent)
    assert v.outcome == "incorrect" and "stepped up the gradient" in v.message


def test_function_leaving_out_w0_gets_that_hint():
    v = ex.q1.check(lambda w0, lr, steps: right_descent_weights(w0, lr, steps)[1:])
    assert "leaves out w0" in v.message


def test_function_that_returns_nothing_is_asked_about_return():
    def forgot_return(w0, lr, steps):
        right_descent_weights(w0, lr, steps)

    v = ex.q1.check(forgot_return)
    assert v.outcome == "incorrect" and "return its result" in v.message


def test_called_function_instead_of_the_function_itself():
    v = ex.q1.check(right_descent_weights(8, 0.5, 4))
    assert "without calling it: ex.q1.check(descent_weights)" in v.message


def test_partly_right_function_counts_its_passes():
    v = ex.q1.check(
        lambda w0, lr, steps: right_descent_weights(w0, lr, steps) if lr != 0.25 else [0]
    )
    assert v.outcome == "incorrect" and "Right on 5 of 6 inputs" in v.message


# -- choice questions -----------------------------------------------------------------------
RIGHT_REGIMES = {0.5: "one-step", 1.0: "bouncing", 0.1: "monotone", 1.2: "diverging"}


def test_choice_accepts_loose_spelling_of_labels():
    assert ex.q8.check(RIGHT_REGIMES).correct
    assert ex.q8.check({k: v.upper().replace("-", " ") for k, v in RIGHT_REGIMES.items()}).correct
    assert ex.q8.check({str(k): v for k, v in RIGHT_REGIMES.items()}).correct


def test_choice_names_the_wrong_keys_and_the_known_confusion():
    v = ex.q8.check(RIGHT_REGIMES | {1.0: "diverging"})
    assert v.outcome == "incorrect"
    assert "rate 1.0" in v.message and "grows every step" in v.message
    assert "bouncing" not in v.message


def test_choice_typo_gets_a_suggestion_and_missing_keys_are_named():
    assert "Did you mean 'diverging'?" in ex.q8.check(RIGHT_REGIMES | {1.2: "diverge"}).message
    partial = {k: v for k, v in RIGHT_REGIMES.items() if k != 1.2}
    assert "missing rate 1.2" in ex.q8.check(partial).message
    unknown = ex.q8.check(RIGHT_REGIMES | {0.3: "monotone"}).message
    assert "not one of the rates asked about" in unknown


def test_single_label_question():
    q = ChoiceQuestion(
        lesson="t",
        name="q1",
        answer_var="r",
        prompt="p",
        hints=(),
        solution_code="",
        expected=lambda: "bouncing",
        choices=("monotone", "bouncing"),
        confusions={("bouncing", "monotone"): "It crosses the minimum."},
    )
    assert q.check("Bouncing").correct
    v = q.check("monotone")
    assert not v.correct and "It crosses the minimum." in v.message


# -- rendering, hints, solutions, progress --------------------------------------------------
def test_verdict_renders_html_text_and_a_machine_record():
    v = ex.q9.check(0.5)
    bundle = v._repr_mimebundle_()
    assert bundle["text/plain"].startswith("\u2718 q9: Not yet (0/1 points)")
    assert "#D55E00" in bundle["text/html"] and "Not yet" in bundle["text/html"]
    assert bundle[VERDICT_MIME] == {
        "question": "lr_exploration.q9",
        "outcome": "incorrect",
        "points": 0,
        "max_points": 1,
        "right": 0,
        "of": 0,
        "unit": "",
    }


def test_verdict_outcomes_are_the_five_documented():
    assert OUTCOMES == ("correct", "incorrect", "not_attempted", "error", "internal_error")
    with pytest.raises(ValueError):
        Verdict(outcome="maybe", message="")


def test_hints_come_in_order_and_solution_shows_code():
    assert "For more detail: ex.q1.hint(2)" in str(ex.q1.hint())
    assert str(ex.q1.hint(3)).startswith("\u2139 q1: hint 3 of 3")
    assert "there are hints 1 to 3" in str(ex.q1.hint(7))
    assert "def descent_weights" in str(ex.q1.solution())
    assert "<pre" in ex.q1.solution()._repr_html_()


def test_every_check_hint_and_solution_is_logged(progress_log):
    ex.q9.check(1.0)
    ex.q9.hint()
    ex.q9.solution()
    ex.q2.check(____)
    events = [json.loads(line) for line in progress_log.read_text().splitlines()]
    assert [(e["question"], e["event"], e.get("outcome")) for e in events] == [
        ("q9", "check", "correct"),
        ("q9", "hint", "shown"),
        ("q9", "solution", "shown"),
        ("q2", "check", "not_attempted"),
    ]
    assert all(e["lesson"] == "lr_exploration" and e["time"].endswith("+00:00") for e in events)
    table = progress()
    # q2 was not attempted (a blank): only q9 counts as attempted.
    rows = [(r.lesson, r.done, r.attempted, r.hints, r.solutions) for r in table.rows]
    assert rows == [("lr_exploration", 1, 1, 1, 1)]
    assert "03 Exercise: exploring the learning rate" in str(table)
    assert "<table" in table._repr_html_()


def test_unwritable_progress_file_warns_but_the_check_still_works(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(blocker / "progress.jsonl"))
    with pytest.warns(UserWarning, match="could not save your progress"):
        v = ex.q9.check(1.0)
    assert v.correct
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.q9.check(1.0)  # warned once per file, not at every check


def test_progress_survives_a_damaged_log(progress_log):
    progress_log.write_text(
        'not json\n{"lesson": "x", "question": "q1", "event": "check", "outcome": "correct"}\n'
    )
    rows = [(r.lesson, r.done, r.attempted, r.hints, r.solutions) for r in progress().rows]
    assert rows == [("x", 1, 1, 0, 0)]


def test_every_lesson_question_is_declared_with_hints_solution_and_points():
    from gdcourse.checks import questions_of

    for q in questions_of(ex):
        assert q.hints and q.solution_code and q.points >= 1 and q.prompt
        assert q.id.startswith("lr_exploration.q")


def test_reference_answers_come_from_the_core():
    assert ex.q5.expected().tolist() == pytest.approx(RIGHT_01)
    assert ex.q6.expected() == 29
    assert ex.q4.expected().tolist() == [8.0, -4.0, 8.0, -4.0, 8.0]
    assert ex.q7.expected().tolist() == pytest.approx([8, -6.4, 13.76, -14.464, 25.0496])
    assert ex.q9.expected() == 1.0


def test_a_wrong_number_is_called_too_large_or_too_small_never_given():
    assert "is too large" in ex.q9.check(1.5).message
    assert "is too small" in ex.q6.check(10).message
    assert "29" not in str(ex.q6.check(10))


def test_nd_trajectory_names_the_first_wrong_step():
    _, q = _coupled_question()
    answer = q.expected().copy()
    answer[2, 1] += 1
    assert "Your first 2 weights are right; entry 2 (step 2)" in q.check(answer).message


def test_messages_quote_the_name_the_notebook_uses_for_the_lesson():
    import gdcourse.lessons.lr_exploration as my_lesson  # noqa: F401 - found by the check

    def call_from_a_notebook():
        namespace = {"lesson_mod": ex}
        exec("verdict = lesson_mod.q9.check(0.25)", namespace)
        return namespace["verdict"]

    assert "lesson_mod.q9.hint()" in call_from_a_notebook().message
    assert "ex.q9.hint()" in ex.q9.check(0.25).message


def test_a_function_that_still_returns_the_blank_is_not_attempted():
    def descent_weights(w0, lr, steps):
        return ____

    v = ex.q1.check(descent_weights)
    assert v.outcome == "not_attempted" and "still returns the blank" in v.message
