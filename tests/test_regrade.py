"""`gdcourse grade ... --update`: regrade some students into an earlier run, leaving every other
row, page and file as it was."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gdcourse.cli import main
from gdcourse.instructor.store import RESULTS, load_results

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"
EXERCISE = ROOT / "exercises" / "03_lr_exploration.ipynb"


def _rows(out: Path) -> dict[str, dict]:
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("regrade")
    subs = base / "subs"
    subs.mkdir()
    (subs / "ada.ipynb").write_bytes(SOLUTION.read_bytes())
    (subs / "bob.ipynb").write_bytes(EXERCISE.read_bytes())  # blank: not attempted
    (subs / "cy.ipynb").write_bytes(EXERCISE.read_bytes())
    out = base / "out"
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    rows_before = _rows(out)
    fixed = base / "fixed"
    fixed.mkdir()
    (fixed / "bob.ipynb").write_bytes(SOLUTION.read_bytes())  # bob hands in the full solution
    (fixed / "dee.ipynb").write_bytes(SOLUTION.read_bytes())  # a late newcomer
    assert (
        main(
            [
                "grade",
                str(fixed / "bob.ipynb"),
                str(fixed / "dee.ipynb"),
                "--out",
                str(out),
                "--update",
            ]
        )
        == 0
    )
    return {"out": out, "before": before, "rows_before": rows_before, "base": base}


def test_only_the_regraded_rows_change(run):
    rows = _rows(run["out"])
    assert list(rows) == ["ada", "bob", "cy", "dee"]  # the class's order, newcomers last
    assert rows["ada"] == run["rows_before"]["ada"]  # graded_at included
    assert rows["cy"] == run["rows_before"]["cy"]
    assert float(rows["bob"]["total"]) == float(rows["bob"]["max_total"]) > 0
    assert float(run["rows_before"]["bob"]["total"]) == 0
    assert float(rows["dee"]["total"]) == float(rows["dee"]["max_total"])


def test_other_students_pages_are_untouched_and_the_summary_counts_everyone(run):
    out, before = run["out"], run["before"]
    for name in ("feedback/ada.html", "feedback/cy.html", "executed/ada.ipynb"):
        assert (out / name).read_bytes() == before[out / name], name
    assert (out / "feedback/bob.html").read_bytes() != before[out / "feedback/bob.html"]
    assert (out / "feedback/dee.html").exists()
    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        q1 = next(r for r in csv.DictReader(f) if r["question"].endswith(".q1"))
    assert (q1["name"], q1["students"], q1["of"]) == ("correct", "3", "4")  # ada, bob, dee
    assert [g.student for g in load_results(out)] == ["ada", "bob", "cy", "dee"]
    listed = json.loads((out / ".gdcourse-grade-run.json").read_text(encoding="utf-8"))
    assert "feedback/dee.html" in listed and "feedback/ada.html" in listed and RESULTS in listed


def test_update_needs_an_earlier_run_and_is_not_force(tmp_path, capsys):
    sub = tmp_path / "ada.ipynb"
    sub.write_bytes(SOLUTION.read_bytes())
    assert main(["grade", str(sub), "--out", str(tmp_path / "new"), "--update"]) == 1
    assert "needs the results of an earlier run" in capsys.readouterr().err
    assert main(["grade", str(sub), "--out", str(tmp_path / "o"), "--update", "--force"]) == 1
    assert "give one of them" in capsys.readouterr().err


def test_a_file_of_another_exercise_is_flagged_not_mixed_in(run, capsys):
    other = run["base"] / "other"
    other.mkdir()
    (other / "ed.ipynb").write_bytes(
        (ROOT / "solutions" / "04_many_parameters_practice.ipynb").read_bytes()
    )
    assert main(["grade", str(other / "ed.ipynb"), "--out", str(run["out"]), "--update"]) == 3
    assert _rows(run["out"])["ed"]["status"] == "wrong_lesson"


def test_an_update_needs_the_earlier_runs_hidden_checks_and_roster_again(tmp_path):
    from gdcourse.cli import _check_update_matches
    from gdcourse.instructor.grading import GradedSubmission, GradeError, QuestionResult

    hidden = QuestionResult("lr_exploration.h1", "correct", 2, 2, "", hidden=True)
    earlier = [GradedSubmission("ada", "ada.ipynb", "lr_exploration", "ok", "", [hidden])]
    with pytest.raises(GradeError, match=r"graded hidden checks \(lr_exploration.h1\)"):
        _check_update_matches(earlier, [], None, tmp_path)
    (tmp_path / "canvas_import.csv").write_text("Student,ID\n", encoding="utf-8")
    with pytest.raises(GradeError, match="give --roster again"):
        _check_update_matches([], [], None, tmp_path)
    _check_update_matches([], [], tmp_path / "export.csv", tmp_path)  # with it: fine
