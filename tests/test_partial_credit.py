"""Partial credit, declared per question: a function earns the share of the check's inputs it gets
right, a dict of labels the share of its labels, a list of numbers all or nothing unless its
question declares otherwise. The grader counts the share itself, from the data the student's
process handed out, and a forged record earns no more than its right inputs.
"""

from __future__ import annotations

import csv
import time
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest

from gdcourse.checks import VERDICT_MIME, FunctionQuestion, NumberQuestion, calling
from gdcourse.checks.questions import grading_session, record_calls
from gdcourse.instructor import grading
from gdcourse.instructor.gradebook import feedback_html, write_gradebook
from gdcourse.instructor.grading import GradedSubmission, QuestionResult, grade_submission
from gdcourse.lessons import lr_exploration as ex

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"
RIGHT_REGIMES = {0.5: "one-step", 1.0: "bouncing", 0.1: "monotone", 1.2: "diverging"}
N_CASES = len(ex.q1.cases)  # 6


@pytest.fixture(autouse=True)
def progress_log(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))


def right(w0, lr, steps):
    weights = [w0]
    for _ in range(steps):
        weights.append(weights[-1] - lr * 2 * (weights[-1] - 2))
    return weights


def wrong_at_quarter(w0, lr, steps):
    return right(w0, lr, steps) if lr != 0.25 else [0.0] * (steps + 1)


def share(q, k: int, n: int) -> float:
    return float(Fraction(q.points * k, n))


# -- functions ----------------------------------------------------------------------------------
def test_a_function_right_on_some_inputs_earns_their_share_and_says_so():
    v = ex.q1.check(wrong_at_quarter)
    assert v.outcome == "incorrect"  # still "Not yet" for the student
    assert (v.right, v.of, v.unit) == (N_CASES - 1, N_CASES, "inputs")
    assert v.points == pytest.approx(share(ex.q1, 5, 6)) and 0 < v.points < v.max_points
    shown = f"(1.67/2 points: right on 5 of {N_CASES} inputs)"
    assert shown in str(v) and shown in v._repr_html_()
    record = v._repr_mimebundle_()[VERDICT_MIME]
    assert (record["right"], record["of"], record["unit"]) == (5, N_CASES, "inputs")


def test_a_right_function_gets_full_points_and_no_share_note():
    v = ex.q1.check(right)
    assert v.correct and v.points == ex.q1.points and (v.right, v.of) == (N_CASES, N_CASES)
    assert "right on" not in str(v).splitlines()[0]


def test_a_function_wrong_everywhere_earns_nothing():
    v = ex.q1.check(lambda w0, lr, steps: [0.0] * (steps + 1))
    assert v.outcome == "incorrect" and v.points == 0 and v.right == 0
    assert "right on" not in str(v).splitlines()[0]


def test_inputs_a_function_raises_on_are_wrong_and_the_others_count():
    def crashes(w0, lr, steps):
        if steps == 0:
            raise IndexError("my own bug")
        return right(w0, lr, steps)

    v = ex.q1.check(crashes)
    assert v.outcome == "incorrect" and v.right == N_CASES - 1
    assert v.points == pytest.approx(share(ex.q1, 5, 6))
    assert "IndexError: my own bug" in v.message  # the student still sees their error


def test_a_function_that_raises_everywhere_is_an_error_with_no_points():
    def always(w0, lr, steps):
        raise ValueError("nope")

    v = ex.q1.check(always)
    assert v.outcome == "error" and v.points == 0


def test_an_input_a_function_runs_too_long_on_is_wrong_and_the_others_count(monkeypatch):
    monkeypatch.setattr(calling, "TIME_LIMIT", 0.3)

    def slow_at_quarter(w0, lr, steps):
        if lr == 0.25:
            time.sleep(5)
        return right(w0, lr, steps)

    v = ex.q1.check(slow_at_quarter)
    assert v.outcome == "incorrect" and (v.right, v.of) == (N_CASES - 1, N_CASES)
    assert "did not return within 0.3 s" in v.message
    # The grader sees the same: the recorded calls go on after the one that timed out.
    rec = {"found": True, "answer": record_calls(slow_at_quarter, ex.q1._cases())}
    with grading_session():
        outcome, points, _, _, counted, _ = grading._judge(ex.q1, rec)
    assert outcome == "incorrect" and counted == (5, N_CASES, "inputs")
    assert points == pytest.approx(share(ex.q1, 5, 6))


def _doubling(cases: int, **kw) -> FunctionQuestion:
    """A function question: double x, on ``cases`` inputs."""
    return FunctionQuestion(
        lesson="t",
        name="q1",
        answer_var="f",
        prompt="Double it.",
        hints=(),
        solution_code="",
        reference=lambda x: 2 * x,
        cases=tuple({"x": float(x + 1)} for x in range(cases)),
        **kw,
    )


@pytest.mark.parametrize(
    "cases, said", [(1, "Right on its one input."), (3, "Right on all 3 inputs.")]
)
def test_a_right_function_is_told_how_many_inputs_it_was_right_on(cases, said):
    assert _doubling(cases).check(lambda x: 2 * x).message.startswith(said)


def test_a_function_question_can_declare_all_or_nothing():
    q = _doubling(3, points=2, partial=False)
    v = q.check(lambda x: 2 * x if x < 3 else 0.0)
    assert v.outcome == "incorrect" and v.points == 0 and (v.right, v.of) == (0, 0)
    assert q.check(lambda x: 2 * x).points == 2


# -- labels -------------------------------------------------------------------------------------
def test_a_dict_of_labels_earns_the_share_of_its_right_labels():
    v = ex.q8.check(RIGHT_REGIMES | {1.2: "monotone"})
    assert v.outcome == "incorrect" and (v.right, v.of, v.unit) == (3, 4, "labels")
    assert v.points == share(ex.q8, 3, 4) == 1.5
    assert "(1.5/2 points: right on 3 of 4 labels)" in str(v)
    assert ex.q8.check(RIGHT_REGIMES).points == ex.q8.points


@pytest.mark.parametrize(
    ("answer", "k"),
    [
        ({k: v for k, v in RIGHT_REGIMES.items() if k != 1.2}, 3),  # a key missing
        (RIGHT_REGIMES | {1.2: "divergent"}, 3),  # not a label: that one is wrong
        ({0.5: "one-step"}, 0),  # one label right: what a dict of one label for all gets
        ({0.5: "one-step", 1.0: "bouncing"}, 2),
        ({}, 0),
        ("monotone", 0),  # not a dict: nothing to count
    ],
)
def test_labels_count_one_by_one(answer, k):
    v = ex.q8.check(answer)
    assert v.outcome == "incorrect"
    assert v.right == k and v.points == share(ex.q8, k, 4)


def test_a_label_for_a_key_not_asked_about_is_a_wrong_label():
    v = ex.q8.check(RIGHT_REGIMES | {0.3: "monotone"})
    assert v.outcome == "incorrect" and (v.right, v.of) == (4, 5)
    assert v.points == share(ex.q8, 4, 5) < ex.q8.points


def test_a_key_given_twice_holds_two_answers_and_neither_counts():
    # 0.1 and "0.1" are one rate: hedging between two labels must not earn that rate's point.
    hedged = {**RIGHT_REGIMES, "0.1": "bouncing"}
    v = ex.q8.check(hedged)
    assert v.outcome == "incorrect" and v.right == 3 and v.points == share(ex.q8, 3, 4)
    assert "twice" in v.message


# -- numbers ------------------------------------------------------------------------------------
def _list_question(**kw) -> NumberQuestion:
    return NumberQuestion(
        lesson="t",
        name="q2",
        answer_var="xs",
        prompt="Three numbers.",
        hints=(),
        solution_code="",
        points=3,
        expected=lambda: [1.0, 2.0, 3.0],
        **kw,
    )


def test_a_list_of_numbers_is_all_or_nothing_by_default():
    v = _list_question().check([1.0, 2.0, 4.0])
    assert v.outcome == "incorrect" and v.points == 0 and (v.right, v.of) == (0, 0)


def test_a_list_that_declares_partial_credit_counts_its_entries():
    q = _list_question(partial=True)
    v = q.check([1.0, 2.0, 4.0])
    assert v.outcome == "incorrect" and (v.right, v.of, v.unit) == (2, 3, "entries")
    assert v.points == 2
    assert q.check([1.0, 2.0]).points == 0  # too short: no entry is matched to its place
    assert q.check([1.0, 2.0, 3.0]).points == 3


# -- the grader counts, never the student's process -------------------------------------------
def _judged(q, answer_data, **forged):
    with grading_session():
        return grading._judge(q, {"found": True, "answer": answer_data, **forged})


def test_the_grader_counts_the_share_itself_and_ignores_a_claimed_one():
    data = record_calls(wrong_at_quarter, ex.q1._cases())
    outcome, points, _, _, counted, _ = _judged(
        ex.q1, data, points=2, right=6, of=6, verdict={"outcome": "correct", "points": 2}
    )
    assert outcome == "incorrect" and counted == (5, N_CASES, "inputs")
    assert points == pytest.approx(share(ex.q1, 5, 6))


def test_a_record_with_more_calls_than_inputs_earns_no_more():
    data = record_calls(wrong_at_quarter, ex.q1._cases())
    data["calls"] = data["calls"] * 50  # pretends to be many answers: only one per input counts
    outcome, points, *_ = _judged(ex.q1, data)
    assert outcome == "incorrect" and points == pytest.approx(share(ex.q1, 5, 6))


def test_a_record_that_stops_early_counts_the_rest_as_wrong():
    data = record_calls(right, ex.q1._cases())
    data["calls"] = data["calls"][:3]
    outcome, points, _, _, counted, _ = _judged(ex.q1, data)
    assert outcome == "incorrect" and counted[:2] == (3, N_CASES)
    assert points == pytest.approx(share(ex.q1, 3, 6))


def test_points_are_clamped_to_the_question(monkeypatch):
    from gdcourse.checks.verdict import Verdict

    def inflated(self, answer):
        return Verdict("incorrect", "", self.id, 99, self.points, right=1, of=2, unit="inputs")

    monkeypatch.setattr(FunctionQuestion, "_evaluate", inflated)
    _, points, *_ = _judged(ex.q1, record_calls(right, ex.q1._cases()))
    assert points == ex.q1.points


# -- the gradebook and the feedback page --------------------------------------------------------
def _submission() -> GradedSubmission:
    results = [
        QuestionResult("x.q1", "incorrect", 2 * 5 / 6, 2, "m", right=5, of=6, unit="inputs"),
        QuestionResult("x.q2", "incorrect", 1 / 3, 1, "m", right=1, of=3, unit="labels"),
        QuestionResult("x.q3", "correct", 1, 1, "Right."),
    ]
    return GradedSubmission("alice", "alice.ipynb", "x", "ok", "", results)


def test_the_feedback_page_shows_the_share():
    page = feedback_html(_submission())
    assert "(1.67/2 points: right on 5 of 6 inputs)" in page
    assert "(0.33/1 points: right on 1 of 3 labels)" in page
    assert "Score: <strong>3 of 4 points</strong>" in page  # 1.67 + 0.33 + 1


def test_the_total_is_the_sum_of_the_points_columns(tmp_path):
    path = tmp_path / "grades.csv"
    write_gradebook([_submission()], path)
    (row,) = csv.DictReader(path.open(encoding="utf-8"))
    columns = [row[f"x.q{i} points"] for i in (1, 2, 3)]
    assert columns == ["1.67", "0.33", "1"]
    assert Fraction(row["total"]) == sum(map(Fraction, columns))


# -- end to end: a real kernel ------------------------------------------------------------------
def test_grading_gives_partial_credit_on_functions_and_labels(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "_right = descent_weights\n"
            "def descent_weights(w0, lr, steps):\n"
            "    return _right(w0, lr, steps) if lr != 0.25 else [0.0] * (steps + 1)\n"
            'regimes = {0.5: "one-step", 1.0: "bouncing", 0.1: "monotone", 1.2: "monotone"}\n'
        )
    )
    path = tmp_path / "submissions" / "alice.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    g = grade_submission(path, workdir=tmp_path)
    by = {r.id.rsplit(".", 1)[-1]: r for r in g.results}
    assert (by["q1"].outcome, by["q1"].right, by["q1"].of) == ("incorrect", 5, N_CASES)
    assert by["q1"].points == pytest.approx(share(ex.q1, 5, 6))
    assert (by["q8"].outcome, by["q8"].points, by["q8"].unit) == ("incorrect", 1.5, "labels")
    page = feedback_html(g)
    assert "right on 5 of 6 inputs" in page and "(1.5/2 points: right on 3 of 4 labels)" in page
    assert g.total == round(sum(round(r.points, 2) for r in g.results), 2) < g.max_total


def test_doing_no_work_earns_no_partial_credit():
    # A function that never moves is right where the run does not move (0 steps, a start at
    # the minimum); one label for every key is right where that is the label; a rate that
    # ignores the step is right where the schedule has that rate. None of that earns points.
    from gdcourse.lessons import saddles_practice, schedules_practice, update_rule

    for q, lazy in [
        (ex.q1, lambda w0, lr, steps: [w0] * (steps + 1)),
        (update_rule.q1, lambda w, grad, lr: w),
        (saddles_practice.q4, lambda h: "minimum"),
        (schedules_practice.q3, lambda t: 0.0),
    ]:
        v = q.check(lazy)
        assert v.outcome == "incorrect" and v.points == 0, q.id
        assert "an answer that does no work" in v.message.lower(), q.id
    v = ex.q8.check(dict.fromkeys(RIGHT_REGIMES, "one-step"))
    assert v.points == 0 and "all one label" in v.message
    # ... while an answer right beyond what doing nothing gets keeps its share.
    v = saddles_practice.q4.check(lambda h: "saddle" if h[0][1] else "minimum")
    assert 0 < v.points < saddles_practice.q4.points and (v.right, v.of) == (5, 11)
