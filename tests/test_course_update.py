"""`gdcourse start --update`: the course's fixes reach a student's copy; their work never moves.

Each test makes a copy with the real `start`, edits it as a student would, then changes a
course (a copy of the real one, in tmp_path) as a fix would, and updates.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gdcourse.cli import main, start
from gdcourse.course_update import ORIGINALS, merge, update_copy

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "exercises/03_lr_exploration.ipynb"


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _save(path: Path, nb: dict) -> None:
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _cell(nb: dict, cid: str) -> dict:
    return next(c for c in nb["cells"] if c["id"] == cid)


def _src(nb: dict, cid: str) -> str:
    return "".join(_cell(nb, cid)["source"])


def test_start_keeps_the_course_version_it_gave(course, tmp_path):
    copy = tmp_path / "work"
    copied, _ = start(copy, course)
    for path in copied:
        rel = path.relative_to(copy)
        assert (copy / ORIGINALS / rel).read_bytes() == (course / rel).read_bytes()


def test_a_fix_reaches_untouched_cells_and_never_an_answer(course, tmp_path):
    copy = tmp_path / "work"
    start(copy, course)
    mine = _nb(copy / EXERCISE)
    _cell(mine, "lr-exploration-06")["source"] = "w_05 = [7.0, 2.0]\nloss_05 = [25.0, 0.0]\n"
    _cell(mine, "lr-exploration-06")["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "mine\n"}
    ]
    _cell(mine, "lr-exploration-09")["source"] = "## Step 3 (my notes: it bounces)"
    notes = {"cell_type": "markdown", "id": "my-notes", "metadata": {}, "source": "my own notes"}
    mine["cells"].insert(3, notes)
    mine["cells"] = [c for c in mine["cells"] if c["id"] != "lr-exploration-27"]  # deleted
    _save(copy / EXERCISE, mine)
    before = (copy / EXERCISE).read_bytes()

    fixed = _nb(course / EXERCISE)
    _cell(fixed, "lr-exploration-02")["source"] = "## Step 1 (a corrected sentence)"
    _cell(fixed, "lr-exploration-06")["source"] = "w_05 = ____  # a fixed comment\nloss_05 = ____"
    _cell(fixed, "lr-exploration-09")["source"] = "## Step 3: rate 1.0 (fixed)"
    new = {"cell_type": "markdown", "id": "course-new", "metadata": {}, "source": "A new note."}
    fixed["cells"].insert(1, new)
    _save(course / EXERCISE, fixed)

    result = update_copy(copy, course)
    after = _nb(copy / EXERCISE)
    assert result.updated[EXERCISE] == 2  # the corrected heading and the new cell
    assert _src(after, "lr-exploration-02") == "## Step 1 (a corrected sentence)"
    assert _src(after, "course-new") == "A new note."
    # The student's answer and their edited heading: theirs, outputs and all, and named.
    assert _src(after, "lr-exploration-06").startswith("w_05 = [7.0, 2.0]")
    assert _cell(after, "lr-exploration-06")["outputs"][0]["text"] == "mine\n"
    assert _src(after, "lr-exploration-09") == "## Step 3 (my notes: it bounces)"
    assert sorted(result.kept_cells[EXERCISE]) == ["lr-exploration-06", "lr-exploration-09"]
    # Their own cell stays after the cell it followed; their deletion stays.
    ids = [c["id"] for c in after["cells"]]
    assert ids[ids.index("my-notes") - 1] == "lr-exploration-02"
    assert "lr-exploration-27" not in ids
    # What they had is saved before anything was written.
    (backup,) = result.backups
    assert (copy / backup).read_bytes() == before
    # A second update has nothing to do, and changes nothing.
    again = update_copy(copy, course)
    assert (
        not again.updated
        and (copy / EXERCISE).read_bytes()
        == json.dumps(after, indent=1, ensure_ascii=False).encode() + b"\n"
    )


def test_a_changed_code_cell_loses_the_outputs_of_its_old_source(course, tmp_path):
    copy = tmp_path / "work"
    start(copy, course)
    mine = _nb(copy / EXERCISE)
    _cell(mine, "lr-exploration-04")["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "old check output\n"}
    ]
    _save(copy / EXERCISE, mine)  # ran, not edited
    fixed = _nb(course / EXERCISE)
    _cell(fixed, "lr-exploration-04")["source"] = "ex.q1.check(descent_weights)  # fixed"
    _save(course / EXERCISE, fixed)
    update_copy(copy, course)
    cell = _cell(_nb(copy / EXERCISE), "lr-exploration-04")
    assert "".join(cell["source"]).endswith("# fixed") and cell["outputs"] == []


def test_a_copy_without_originals_or_ids_is_left_exactly_as_it_is(course, tmp_path):
    copy = tmp_path / "work"
    start(copy, course)
    shutil.rmtree(copy / ORIGINALS)
    fixed = _nb(course / EXERCISE)
    _cell(fixed, "lr-exploration-02")["source"] = "## fixed"
    _save(course / EXERCISE, fixed)
    before = (copy / EXERCISE).read_bytes()
    result = update_copy(copy, course)
    assert EXERCISE in result.not_updated and "rename yours" in result.not_updated[EXERCISE]
    assert (copy / EXERCISE).read_bytes() == before
    base = {"cells": [{"cell_type": "code", "source": "x"}], "metadata": {}}
    assert merge(base, base, base) is None  # no ids: nothing to merge by


def test_new_course_notebooks_are_added_and_the_command_says_what_it_did(
    course, tmp_path, capsys, monkeypatch
):
    copy = tmp_path / "work"
    start(copy, course)
    (copy / "exercises" / "05_sgd_practice.ipynb").unlink()  # as if new in the course
    fixed = _nb(course / EXERCISE)
    _cell(fixed, "lr-exploration-02")["source"] = "## fixed"
    _save(course / EXERCISE, fixed)
    monkeypatch.chdir(course)
    assert main(["start", str(copy), "--update"]) == 0
    said = capsys.readouterr().out
    assert f"updated  {EXERCISE} (1 cell from the course)" in said
    assert "added    exercises/05_sgd_practice.ipynb" in said
    assert (copy / "exercises" / "05_sgd_practice.ipynb").exists()
    assert main(["start", str(copy), "--update"]) == 0
    assert "Your copy already has every fix of the course." in capsys.readouterr().out


def test_update_refuses_a_folder_that_is_not_a_copy(course, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(course)
    (tmp_path / "empty").mkdir()
    assert main(["start", str(tmp_path / "empty"), "--update"]) == 1
    assert "is not a copy of the course" in capsys.readouterr().err


def test_metadata_the_student_set_on_a_cell_the_course_fixed_stays(course, tmp_path):
    copy = tmp_path / "work"
    start(copy, course)
    mine = _nb(copy / EXERCISE)
    _cell(mine, "lr-exploration-02")["metadata"] = {"tags": ["my-tag"], "collapsed": True}
    _save(copy / EXERCISE, mine)
    fixed = _nb(course / EXERCISE)
    _cell(fixed, "lr-exploration-02")["source"] = "## fixed"
    _save(course / EXERCISE, fixed)
    update_copy(copy, course)
    cell = _cell(_nb(copy / EXERCISE), "lr-exploration-02")
    assert "".join(cell["source"]) == "## fixed"
    assert cell["metadata"] == {"tags": ["my-tag"], "collapsed": True}
