"""`gdcourse build` (exercises from solutions) and `gdcourse start` (a student's own copy)."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from gdcourse.cli import main, start
from gdcourse.instructor.build import BuildError, build, strip_solutions

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = {"w_05", "descent_weights", "steps_needed"}


def test_solution_suffix_blanks_the_right_hand_side():
    src = "w_05 = descent_weights(8, 0.5, 4)  # SOLUTION\nprint(w_05)"
    assert strip_solutions(src, ANSWERS) == "w_05 = ____\nprint(w_05)"


def test_solution_block_keeps_its_prompt_and_blanks_each_answer_variable():
    src = (
        "x = 1\n### BEGIN SOLUTION\n# Count the steps.\nsteps_needed = 0\nw = 8.0\n"
        "while abs(w - 2) > 0.01:\n    w -= 0.2 * (w - 2)\n    steps_needed += 1\n"
        "### END SOLUTION\nprint(steps_needed)"
    )
    out = strip_solutions(src, ANSWERS)
    assert out == "x = 1\n# Count the steps.\nsteps_needed = ____\nprint(steps_needed)"
    assert "w = ____" not in out  # w is a helper, not an answer variable


def test_solution_block_defining_a_function_becomes_a_blank_name():
    src = (
        "### BEGIN SOLUTION\n# Write it.\ndef descent_weights(w0, lr, steps):\n"
        "    return [w0]\n### END SOLUTION"
    )
    assert strip_solutions(src, ANSWERS) == "# Write it.\ndescent_weights = ____"


def test_unterminated_block_and_misplaced_marker_are_build_errors():
    with pytest.raises(BuildError, match="has no END"):
        strip_solutions("### BEGIN SOLUTION\nx = 1", ANSWERS, "nb, cell 3")
    with pytest.raises(BuildError, match="must end an assignment"):
        strip_solutions("print(1)  # SOLUTION", ANSWERS)


def _course_copy(tmp_path: Path) -> Path:
    for folder in ("solutions", "exercises", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_generated_exercise_has_no_solution_code_or_outputs():
    nb = nbformat.read(ROOT / "exercises" / "03_lr_exploration.ipynb", as_version=4)
    text = json.dumps(nb)
    assert "BEGIN SOLUTION" not in text and "# SOLUTION" not in text
    assert "lr * 2 * (w - 2)" not in text  # the solution's update line
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    sol = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    assert [c.id for c in nb.cells] == [c.id for c in sol.cells]
    assert [c.metadata.get("tags") for c in nb.cells] == [c.metadata.get("tags") for c in sol.cells]


def test_build_refuses_to_overwrite_an_edited_exercise_unless_forced(tmp_path):
    root = _course_copy(tmp_path)
    exercise = root / "exercises" / "03_lr_exploration.ipynb"
    nb = nbformat.read(exercise, as_version=4)
    nb.cells[3].source = "# my own attempt\ndef descent_weights(w0, lr, steps):\n    return [w0]"
    nbformat.write(nb, exercise)
    edited = exercise.read_text()
    # A change in the solution makes the build want to rewrite the exercise.
    solution = root / "solutions" / "03_lr_exploration.ipynb"
    sol = nbformat.read(solution, as_version=4)
    sol.cells[0].source += "\n\nA new sentence."
    nbformat.write(sol, solution)
    result = build(root)
    assert result.refused == ["exercises/03_lr_exploration.ipynb"]
    assert exercise.read_text() == edited
    assert build(root, force=True).written == ["exercises/03_lr_exploration.ipynb"]
    assert "A new sentence." in exercise.read_text()


def test_build_rewrites_a_pristine_exercise_when_its_solution_changes(tmp_path):
    root = _course_copy(tmp_path)
    solution = root / "solutions" / "03_lr_exploration.ipynb"
    sol = nbformat.read(solution, as_version=4)
    sol.cells[0].source += "\n\nA new sentence."
    nbformat.write(sol, solution)
    assert build(root, check=True).refused == ["exercises/03_lr_exploration.ipynb"]
    assert build(root).written == ["exercises/03_lr_exploration.ipynb"]
    assert "exercises/03_lr_exploration.ipynb" in build(root).unchanged


def test_start_copies_lessons_and_exercises_and_never_overwrites(tmp_path, capsys):
    target = tmp_path / "my-work"
    mine = target / "exercises" / "03_lr_exploration.ipynb"
    mine.parent.mkdir(parents=True)
    mine.write_text("my answers")
    copied, kept = start(target, ROOT)
    assert mine.read_text() == "my answers"
    assert kept == [mine]
    assert target / "notebooks" / "00_welcome.ipynb" in copied
    again_copied, _ = start(target, ROOT)
    assert again_copied == []


def test_cli_start_and_build_check(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["start", str(tmp_path / "w")]) == 0
    assert "copied" in capsys.readouterr().out
    assert main(["build", "--check"]) == 0


def test_my_work_is_ignored_by_git():
    assert "my-work/" in (ROOT / ".gitignore").read_text().splitlines()
