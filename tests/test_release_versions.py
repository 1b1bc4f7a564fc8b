"""Releases after the deadline (`gdcourse release-solutions`) and the version a release is made
from (grading a submission made from another version warns)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import gdcourse
from gdcourse.cli import main
from gdcourse.instructor.grading import grade_submission
from gdcourse.instructor.release import AssignError, assign, release_solutions

ROOT = Path(__file__).resolve().parents[1]


def test_release_solutions_writes_the_solutions_and_notes_lessons_without(tmp_path):
    release = release_solutions(["3", "00"], tmp_path / "sol", ROOT)
    assert release.files == ["README.md", "solutions/03_lr_exploration.ipynb"]
    written = (tmp_path / "sol" / "solutions" / "03_lr_exploration.ipynb").read_bytes()
    assert written == (ROOT / "solutions" / "03_lr_exploration.ipynb").read_bytes()
    assert release.notes == ["lesson 00 has no exercise, so no solutions: nothing written"]
    readme = (tmp_path / "sol" / "README.md").read_text(encoding="utf-8")
    assert "Exercise: exploring the learning rate" in readme


@pytest.mark.parametrize(
    ("lessons", "message"),
    [
        (["00", "08"], "have no exercise, so there are no solutions to release"),
        (["99"], "unknown lesson '99'"),
        ([], "expected a list of lessons"),
    ],
)
def test_release_solutions_refuses_in_one_sentence(tmp_path, lessons, message):
    with pytest.raises(AssignError, match=message):
        release_solutions(lessons, tmp_path / "sol", ROOT)
    assert not (tmp_path / "sol").exists()


def test_release_solutions_never_overwrites(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "sol"
    assert main(["release-solutions", "03", "--out", str(out)]) == 0
    assert main(["release-solutions", "03", "--out", str(out)]) == 1
    assert "is not empty: a release never overwrites" in capsys.readouterr().err


def _released_solution(tmp_path: Path, version: str | None) -> Path:
    """The lesson-03 solution as a student hands it in from a release of ``version``."""
    if not (tmp_path / "rel").exists():
        assign(["03"], tmp_path / "rel", ROOT)
    released = json.loads((tmp_path / "rel" / "exercises" / "03_lr_exploration.ipynb").read_text())
    solution = json.loads((ROOT / "solutions" / "03_lr_exploration.ipynb").read_text())
    solution["metadata"]["gdcourse"] = dict(released["metadata"]["gdcourse"])
    if version is None:
        del solution["metadata"]["gdcourse"]["version"]
    else:
        solution["metadata"]["gdcourse"]["version"] = version
    subs = tmp_path / "subs"
    subs.mkdir(exist_ok=True)
    path = subs / f"student-{version or 'none'}.ipynb"
    path.write_text(json.dumps(solution), encoding="utf-8")
    return path


def test_grading_a_submission_from_another_version_warns(tmp_path, capsys):
    older = _released_solution(tmp_path, "0.0.9")
    same = _released_solution(tmp_path, gdcourse.__version__)
    unstamped = _released_solution(tmp_path, None)
    g = grade_submission(older)
    assert g.made_with == "0.0.9" and g.total == g.max_total  # graded all the same
    assert f"made from a gdcourse 0.0.9 release, graded with gdcourse {gdcourse.__version__}" in (
        g.detail
    )
    for path in (same, unstamped):
        g = grade_submission(path)
        assert "made from a gdcourse" not in g.detail and g.status == "ok", g.detail
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning: 1 submission was made from a release of gdcourse 0.0.9" in err
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        made = {row["student"]: row["made_with"] for row in csv.DictReader(f)}
    assert made == {
        "student-0.0.9": "0.0.9",
        f"student-{gdcourse.__version__}": gdcourse.__version__,
        "student-none": "",
    }


def test_a_forged_version_is_shown_as_a_version_not_as_markup(tmp_path):
    path = _released_solution(tmp_path, "=HYPERLINK(\x1b[2J 'x')" + "9" * 100)
    g = grade_submission(path)
    assert len(g.made_with) <= 40 and "\x1b" not in g.made_with and " " not in g.made_with


def test_feedback_names_the_exercise_by_its_title_not_its_slug():
    from gdcourse.instructor.gradebook import exercise_title, feedback_html
    from gdcourse.instructor.grading import GradedSubmission
    from gdcourse.instructor.notebooks import notebook_title

    heading = notebook_title(
        json.loads((ROOT / "exercises" / "03_lr_exploration.ipynb").read_text(encoding="utf-8"))
    )
    assert heading == "Exercise: exploring the learning rate"
    assert exercise_title("lr_exploration") == "03 · Exploring the learning rate"
    page = feedback_html(GradedSubmission("ada", "ada.ipynb", "lr_exploration", "ok", "", []))
    assert "Exercise: <strong>03 · Exploring the learning rate</strong>" in page
    assert "<title>Feedback for ada: 03 · Exploring the learning rate</title>" in page
    assert exercise_title("welcome") == "00 · Welcome to gdcourse"  # a lesson notebook's
