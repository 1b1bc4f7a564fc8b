"""The class at a glance (`summary.csv`, `summary.html`): per question the share of each kind of
answer, how many students made each mistake the checks know, the score distribution, and the
files that could not be graded counted apart. Unit tests on hand-built gradebooks, then one real
`gdcourse grade` run.
"""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gdcourse.checks.plain import to_plain
from gdcourse.checks.questions import grading_session
from gdcourse.instructor import grading
from gdcourse.instructor.grading import GradedSubmission, QuestionResult
from gdcourse.instructor.summary import (
    BAR_COLOUR,
    category,
    score_bins,
    score_figure,
    summarise,
    summary_html,
    summary_rows,
    write_summary,
)
from gdcourse.lessons import lr_exploration, update_rule

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"


def _r(q, outcome, points=0, max_points=2, misconception="", hidden=False, message="Not yet."):
    return QuestionResult(
        f"update_rule.{q}",
        outcome,
        points,
        max_points,
        message,
        prompt=f"The prompt of {q}.",
        hidden=hidden,
        misconception=misconception,
    )


def _sub(student, results, status="ok"):
    return GradedSubmission(student, f"{student}.ipynb", "update_rule", status, "", results)


def _not_graded(student, status="not_json"):
    results = [_r(q, "not_graded") for q in ("q1", "q2", "h1")]
    return _sub(student, results, status)


UPHILL = "Your w moves uphill: in the direction the gradient points."


def _class() -> list[GradedSubmission]:
    """Six files: four graded (three stepped up the gradient in q2), two that could not be."""
    flip = dict(misconception="sign flipped", message=UPHILL + "\nTry again, or ask for a hint.")
    return [
        _sub(
            "ada", [_r("q1", "correct", 2), _r("q2", "incorrect", **flip), _r("h1", "correct", 2)]
        ),
        _sub("bo", [_r("q1", "correct", 2), _r("q2", "incorrect", **flip), _r("h1", "error")]),
        _sub("cy", [_r("q1", "incorrect", 1), _r("q2", "incorrect", **flip), _r("h1", "missing")]),
        _sub(
            "di",
            [
                _r("q1", "incorrect", misconception="rate left out"),
                _r("q2", "correct", 2),
                _r("h1", "incorrect", hidden=True),
            ],
        ),
        _not_graded("eve"),
        _not_graded("fay", "not_a_notebook"),
    ]


def _question(summary, label):
    return next(q for q in summary.questions if q.label == label)


def test_three_students_who_stepped_up_the_gradient_are_counted_on_q2():
    s = summarise(_class())
    assert _question(s, "q2").misconceptions == [("sign flipped", 3)]
    assert _question(s, "q1").misconceptions == [("rate left out", 1)]
    assert _question(s, "h1").misconceptions == []
    # what the check told them: the message's first line, without "Try again, or ask..."
    assert _question(s, "q2").told["sign flipped"] == UPHILL


def test_mistakes_are_ordered_by_how_many_students_made_them():
    flip = dict(misconception="sign flipped")
    rate = dict(misconception="rate left out")
    graded = [_sub(n, [_r("q1", "incorrect", **rate)]) for n in "ab"] + [
        _sub(n, [_r("q1", "incorrect", **flip)]) for n in "cde"
    ]
    assert _question(summarise(graded), "q1").misconceptions == [
        ("sign flipped", 3),
        ("rate left out", 2),
    ]


def test_each_answer_counts_in_one_category():
    assert category(_r("q1", "correct", 2)) == "correct"
    assert category(_r("q1", "incorrect", 1)) == "partly"  # partial credit: 0 < points < max
    assert category(_r("q1", "incorrect", 0)) == "wrong"
    assert category(_r("q1", "not_attempted")) == "not_attempted"
    assert category(_r("q1", "missing")) == "not_attempted"
    for outcome in ("error", "internal_error", "not_graded"):
        assert category(_r("q1", outcome)) == "error"


def test_files_that_could_not_be_graded_are_counted_apart_not_as_wrong_answers():
    s = summarise(_class())
    assert (s.files, s.graded, s.not_graded) == (6, 4, {"not_a_notebook": 1, "not_json": 1})
    q1 = _question(s, "q1")
    assert q1.n == 4
    assert q1.counts == {"correct": 2, "partly": 1, "wrong": 1, "not_attempted": 0, "error": 0}
    h1 = _question(s, "h1")
    assert h1.counts == {"correct": 1, "partly": 0, "wrong": 1, "not_attempted": 1, "error": 1}
    page = summary_html(s)
    assert "2 files could not be graded" in page and "4 of 6 submitted files were graded" in page


def test_the_questions_most_often_wrong_come_first():
    s = summarise(_class())
    assert [q.label for q in s.most_often_wrong()] == ["q2", "q1", "h1"]  # 3, 2 and 1 wrong
    page = summary_html(s)
    worst = page[page.index("Questions most often wrong") : page.index("Per question")]
    assert worst.index("q2") < worst.index("q1") < worst.index("h1 (hidden check)")
    assert "most often: sign flipped" in worst


def test_the_csv_holds_each_count_with_its_share():
    rows = summary_rows(summarise(_class()))
    mistakes = [
        (r["question"], r["name"], r["students"], r["of"], r["share"])
        for r in rows
        if r["kind"] == "misconception"
    ]
    assert mistakes == [
        ("update_rule.q1", "rate left out", "1", "4", "0.250"),
        ("update_rule.q2", "sign flipped", "3", "4", "0.750"),
    ]
    hidden = {r["question"]: r["hidden"] for r in rows if r["kind"] == "outcome"}
    assert hidden == {"update_rule.q1": "no", "update_rule.q2": "no", "update_rule.h1": "yes"}
    ng = [(r["name"], r["students"], r["of"]) for r in rows if r["kind"] == "not_graded"]
    assert ng == [("not_a_notebook", "1", "6"), ("not_json", "1", "6")]
    scores = {r["name"]: int(r["students"]) for r in rows if r["kind"] == "score"}
    assert sum(scores.values()) == 4  # the graded ones only


def test_no_student_name_reaches_the_summary(tmp_path):
    graded = [
        _sub("zelda_secret", [_r("q1", "incorrect", misconception="sign flipped")]),
        _not_graded("yorick_secret"),
    ]
    for path in write_summary(graded, tmp_path):
        text = path.read_text(encoding="utf-8")
        assert "zelda_secret" not in text and "yorick_secret" not in text


def test_a_mistake_named_like_a_formula_is_inert_in_the_spreadsheet(tmp_path):
    graded = [_sub("a", [_r("h1", "incorrect", hidden=True, misconception="=HYPERLINK(1)")])]
    write_summary(graded, tmp_path)
    with (tmp_path / "summary.csv").open(encoding="utf-8", newline="") as f:
        names = [r["name"] for r in csv.DictReader(f) if r["kind"] == "misconception"]
    assert names == ["'=HYPERLINK(1)"]


def test_the_page_is_self_contained_and_says_in_words_what_the_picture_shows():
    page = summary_html(summarise(_class()))
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "<img src='data:image/png;base64," in page
    alt = page.split("alt='", 1)[1].split("'", 1)[0]
    # the four graded scores: 4/6, 2/6, 1/6 and 2/6 of the points
    assert "4 graded submissions" in alt and "Median score 33%" in alt
    assert "10–19%: 1, 30–39%: 2, 60–69%: 1." in alt
    assert "<th scope='col'>Partly right</th>" in page
    assert "<th scope='row'>h1 (hidden check)</th>" in page


def test_the_score_picture_has_labelled_axes_and_a_title_that_states_the_finding():
    fig = score_figure(summarise(_class()))
    (ax,) = fig.axes
    assert ax.get_title() == "Median score 33%; 3 of 4 graded submissions below half the points"
    assert ax.get_xlabel().startswith("Score") and ax.get_ylabel() == "Submissions"
    assert [p.get_height() for p in ax.patches] == [0, 1, 0, 2, 0, 0, 1, 0, 0, 0]


def test_full_marks_and_a_fraction_on_a_bin_edge_land_in_their_bins():
    bins = dict(score_bins([1.0, 2 / 3, 0.7 - 1e-12, 0.0]))
    assert (bins["90–100%"], bins["60–69%"], bins["70–79%"], bins["0–9%"]) == (1, 1, 1, 1)


def test_the_bars_are_the_course_palettes_blue():
    from gdcourse.plots.style import PALETTE

    assert BAR_COLOUR == PALETTE[0]


def test_nothing_graded_still_writes_both_files(tmp_path):
    paths = write_summary([_not_graded("a")], tmp_path)
    assert [p.name for p in paths] == ["summary.csv", "summary.html"]
    assert "No submission could be graded" in paths[1].read_text(encoding="utf-8")


def test_the_summary_loads_no_pyplot():
    code = (
        "import sys, tempfile, pathlib\n"
        "from gdcourse.instructor.summary import write_summary\n"
        "from tests.test_summary import _class\n"
        "write_summary(_class(), pathlib.Path(tempfile.mkdtemp()))\n"
        "print('matplotlib.pyplot' in sys.modules, 'matplotlib.figure' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.stdout.split() == ["False", "True"], out.stderr


# -- a recognised mistake travels from the check to the grader's result ---------------------------


def test_a_check_names_the_mistake_it_recognised_and_only_that():
    assert lr_exploration.q6.check(28).misconception == "one step off"
    assert lr_exploration.q6.check(17.3).misconception == ""  # wrong, but no known mistake
    assert lr_exploration.q6.check(29).misconception == ""  # right
    flipped = update_rule.q1.check(lambda w, grad, lr: w + lr * grad)
    assert (flipped.outcome, flipped.misconception) == ("incorrect", "sign flipped")


def test_the_grader_carries_the_mistake_into_the_result():
    rec = {"found": True, "answer": to_plain(28)}
    with grading_session():
        outcome, points, _, _, _, misconception = grading._judge(lr_exploration.q6, rec)
    assert (outcome, points, misconception) == ("incorrect", 0, "one step off")
    with grading_session():
        *_, misconception = grading._judge(lr_exploration.q6, {"found": True, "answer": "x"})
    assert misconception == ""


# -- one real run ------------------------------------------------------------------------------


def _with_steps(nb, value):
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "steps_needed = 0" in c.source)
    cell.source = f"steps_needed = {value}"
    return nb


@pytest.fixture(scope="module")
def graded_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("summary")
    subs = base / "submissions"
    subs.mkdir()
    sol = nbformat.read(SOLUTION, as_version=4)
    nbformat.write(sol, subs / "right.ipynb")
    nbformat.write(_with_steps(sol, 28), subs / "short_a.ipynb")  # q6 one step short
    nbformat.write(_with_steps(sol, 28), subs / "short_b.ipynb")
    (subs / "essay.docx").write_bytes(b"PK\x03\x04 not a notebook")
    out = base / "grades"
    cmd = [sys.executable, "-m", "gdcourse.cli", "grade", str(subs), "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=base)
    assert proc.returncode == 3, proc.stderr  # one file could not be graded
    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {"out": out, "rows": rows, "proc": proc}


def test_a_real_run_counts_the_students_one_step_short_on_q6(graded_run):
    mistakes = [
        (r["question"], r["name"], r["students"], r["of"])
        for r in graded_run["rows"]
        if r["kind"] == "misconception"
    ]
    assert mistakes == [("lr_exploration.q6", "one step off", "2", "3")]
    q6 = {
        r["name"]: r["students"]
        for r in graded_run["rows"]
        if r["question"] == "lr_exploration.q6" and r["kind"] == "outcome"
    }
    assert q6 == {"correct": "1", "partly": "0", "wrong": "2", "not_attempted": "0", "error": "0"}
    ng = [(r["name"], r["students"]) for r in graded_run["rows"] if r["kind"] == "not_graded"]
    assert ng == [("not_a_notebook", "1")]


def test_a_real_run_writes_the_page_and_lists_both_files_for_force(graded_run):
    out = graded_run["out"]
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "1 file could not be graded" in page and "3 of 4 submitted files" in page
    assert "q6: 2 students of 3 (67%): one step off" in page
    assert "short_a" not in page and "short_b" not in page and "essay" not in page
    manifest = json.loads((out / ".gdcourse-grade-run.json").read_text(encoding="utf-8"))
    assert {"summary.csv", "summary.html"} <= set(manifest)
    assert "summary.html" in graded_run["proc"].stdout


def test_a_known_label_confusion_is_a_mistake_the_summary_counts():
    from gdcourse.core import quadratic_regime
    from gdcourse.lessons import lr_exploration

    regimes = {lr: quadratic_regime(lr_exploration.LOSS.a, lr) for lr in lr_exploration.RATES}
    v = lr_exploration.q8.check(regimes | {1.0: "diverging"})  # bouncing called diverging
    assert v.outcome == "incorrect" and v.misconception == "diverging for bouncing"
    v = lr_exploration.q8.check(regimes | {1.0: "monotone"})  # no confusion the check knows
    assert v.misconception == ""
