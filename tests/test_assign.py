"""`gdcourse assign`: a student release holds the chosen exercises, their lessons and a README,
withholds solutions, and never carries solution code."""

import datetime
import json
import re
from pathlib import Path

import nbformat
import pytest

import gdcourse
from gdcourse.checks import ASSESSMENT_ENV, ASSIGNMENT_MARKER, assessment_mode
from gdcourse.instructor.release import AssignError, assign, resolve_lesson
from gdcourse.lessons import lr_exploration

from .notebook_run import execute

ROOT = Path(__file__).resolve().parents[1]
ALL_LESSONS = sorted({p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")})
WITH_EXERCISE = sorted({p.name[:2] for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb")})
WITHOUT_EXERCISE = [n for n in ALL_LESSONS if n not in WITH_EXERCISE]


@pytest.fixture(autouse=True)
def _no_assessment_env(monkeypatch):
    """Assessment mode must come from the marker alone, never from the environment."""
    monkeypatch.delenv(ASSESSMENT_ENV, raising=False)


def _course_files(number: str) -> list[str]:
    """The course's own notebooks of one lesson, as release paths."""
    return sorted(
        f"{folder}/{p.name}"
        for folder in ("notebooks", "exercises")
        for p in (ROOT / folder).glob(f"{number}_*.ipynb")
    )


def _on_disk(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def _texts(out: Path) -> dict[str, str]:
    """Every release file's text; for a notebook also its cell sources and metadata decoded,
    since JSON escapes quotes and newlines that a solution line may contain."""
    texts = {}
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            nb = json.loads(text)
            text += "\n".join(
                ["".join(c["source"]) for c in nb["cells"]] + [json.dumps(nb["metadata"])]
            )
        texts[path.relative_to(out).as_posix()] = text
    return texts


# --- what a release holds ------------------------------------------------------------------


def test_the_lessons_exist_and_some_have_no_exercise():
    assert "03" in WITH_EXERCISE
    assert WITHOUT_EXERCISE  # 00 and 08: the lesson-only case below is really exercised


@pytest.mark.parametrize(
    "name",
    [
        "3",
        "03",
        "learning_rate",
        "lr_exploration",
        "LR_Exploration",
        "03_lr_exploration.ipynb",
        "exercises/03_lr_exploration.ipynb",
        "03_learning_rate",
    ],
)
def test_every_way_of_naming_lesson_three_resolves_to_its_two_notebooks(name):
    number, paths = resolve_lesson(name, ROOT)
    assert number == "03"
    assert [f"{p.parent.name}/{p.name}" for p in paths] == [
        "notebooks/03_learning_rate.ipynb",
        "exercises/03_lr_exploration.ipynb",
    ]
    assert all(p.is_file() and p.parent.parent == ROOT for p in paths)


def test_lesson_three_by_number_and_by_exercise_slug_gives_the_same_release(tmp_path):
    by_number = assign(["03"], tmp_path / "a", ROOT)
    by_slug = assign(["lr_exploration"], tmp_path / "b", ROOT)
    expected = sorted([ASSIGNMENT_MARKER, "README.md", *_course_files("03")])
    assert "exercises/03_lr_exploration.ipynb" in expected
    assert by_number.files == by_slug.files == expected
    assert by_number.lessons == by_slug.lessons == ["03"]
    assert by_number.out == tmp_path / "a"
    assert by_number.notes == []
    for rel in expected:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_several_lessons_at_once_are_merged_sorted_and_noted(tmp_path):
    lesson_only = WITHOUT_EXERCISE[-1]
    release = assign(["5", "lr_exploration", "03", lesson_only], tmp_path / "rel", ROOT)
    assert release.lessons == sorted(["03", "05", lesson_only])
    expected = [ASSIGNMENT_MARKER, "README.md"]
    for number in release.lessons:
        expected += _course_files(number)
    assert release.files == sorted(expected)
    assert not any(f.startswith(f"exercises/{lesson_only}_") for f in release.files)
    assert len(release.notes) == 1
    assert f"lesson {lesson_only} has no exercise notebook" in release.notes[0]


def test_files_list_is_exactly_what_is_on_disk_and_nothing_is_left_beside_it(tmp_path):
    release = assign(ALL_LESSONS, tmp_path / "rel", ROOT)
    assert _on_disk(tmp_path / "rel") == release.files
    assert [p.name for p in tmp_path.iterdir()] == ["rel"]  # the staging folder is gone
    assert release.lessons == ALL_LESSONS


def test_released_notebooks_are_the_course_notebooks_marked_as_an_assignment(tmp_path):
    release = assign(ALL_LESSONS, tmp_path / "rel", ROOT)
    notebooks = [f for f in release.files if f.endswith(".ipynb")]
    assert notebooks == sorted(f for n in ALL_LESSONS for f in _course_files(n))
    for rel in notebooks:
        released = json.loads((tmp_path / "rel" / rel).read_text(encoding="utf-8"))
        course = json.loads((ROOT / rel).read_text(encoding="utf-8"))
        assert released["metadata"]["gdcourse"].pop("assignment") is True, rel
        # The version it was released from: grading it with another one warns.
        assert released["metadata"]["gdcourse"].pop("version") == gdcourse.__version__, rel
        # The one text change: an assignment withholds solutions, so it does not offer them.
        for cell, original in zip(released["cells"], course["cells"], strict=True):
            text = "".join(cell["source"])
            assert "shows a solution" not in text, rel
            original["source"] = (
                "".join(original["source"])
                .replace(
                    ", and\n`ex.q1.solution()` shows a solution.",
                    "; solutions are not available in this assignment (`ex.q1.solution()` says "
                    "so).",
                )
                .replace(
                    "`lesson.q1.solution()` shows a solution.",
                    "Solutions are not available in this assignment (`lesson.q1.solution()` says "
                    "so).",
                )
            )
            cell["source"] = text
        assert released == course, f"{rel} changed beyond the assignment flag"
        assert all(
            c.get("outputs", []) == [] for c in released["cells"] if c["cell_type"] == "code"
        )
        nbformat.validate(nbformat.from_dict(released))


# --- no solutions ---------------------------------------------------------------------------

_SOLUTION_LINE = re.compile(r"^\s*[^=#]+?=(?!=)(?P<rhs>.*?)#\s*SOLUTION\s*$")


def _solution_lines(path: Path) -> list[str]:
    """Solution code of one solution notebook: the right-hand side of each `# SOLUTION` line
    and each code line inside `### BEGIN SOLUTION` / `### END SOLUTION`."""
    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        inside = False
        for line in cell.source.split("\n"):
            stripped = line.strip()
            if stripped.startswith("### BEGIN SOLUTION"):
                inside = True
            elif stripped.startswith("### END SOLUTION"):
                inside = False
            elif inside and stripped and not stripped.startswith("#"):
                lines.append(stripped)
            elif not inside and (match := _SOLUTION_LINE.match(line)):
                lines.append(match["rhs"].strip())
    return lines


def _student_material() -> str:
    """What students have anyway: the course's lesson and exercise notebooks' cell sources."""
    return "\n".join(
        cell.source
        for folder in ("notebooks", "exercises")
        for path in sorted((ROOT / folder).glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
    )


def _secret_lines() -> dict[str, list[str]]:
    """{solution notebook: its solution lines that are neither trivial (under 12 characters)
    nor already in a notebook students get (e.g. `w = np.array([1.0, 2.0])` in a lesson)}."""
    public = _student_material()
    return {
        path.name: [
            line for line in _solution_lines(path) if len(line) >= 12 and line not in public
        ]
        for path in sorted((ROOT / "solutions").glob("*.ipynb"))
    }


def _leaks(out: Path, secrets: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    return [
        (rel, source, line)
        for rel, text in _texts(out).items()
        for source, lines in secrets.items()
        for line in lines
        if line in text
    ]


def test_every_solution_notebook_has_secret_lines_to_look_for():
    secrets = _secret_lines()
    assert len(secrets) == len(WITH_EXERCISE)
    assert all(secrets.values()), {k: v for k, v in secrets.items() if not v}


def test_the_leak_scan_finds_a_solution_notebook_planted_in_a_release(tmp_path):
    # Without this, a scan that never matches (e.g. on JSON-escaped quotes) would pass silently.
    (tmp_path / "exercises").mkdir()
    planted = ROOT / "solutions" / "03_lr_exploration.ipynb"
    (tmp_path / "exercises" / planted.name).write_text(planted.read_text(encoding="utf-8"))
    secrets = _secret_lines()
    found = {line for _, _, line in _leaks(tmp_path, secrets)}
    assert found == set(secrets[planted.name])


def test_a_release_of_every_lesson_holds_no_solution_code(tmp_path):
    out = tmp_path / "rel"
    release = assign(ALL_LESSONS, out, ROOT)
    assert not any(f.startswith("solutions/") for f in release.files)
    assert not (out / "solutions").exists()
    solution_bytes = {p.read_bytes() for p in (ROOT / "solutions").glob("*.ipynb")}
    assert not any((out / f).read_bytes() in solution_bytes for f in release.files)
    assert _leaks(out, _secret_lines()) == []
    for rel, text in _texts(out).items():
        assert "### BEGIN SOLUTION" not in text and "# SOLUTION" not in text, rel


# --- assessment mode ------------------------------------------------------------------------


def test_the_marker_records_the_release_and_turns_assessment_mode_on(tmp_path):
    out = tmp_path / "rel"
    before = datetime.date.today().isoformat()
    release = assign(["03", "05"], out, ROOT)
    after = datetime.date.today().isoformat()
    marker = json.loads((out / ASSIGNMENT_MARKER).read_text())
    assert marker["lessons"] == release.lessons == ["03", "05"]
    assert marker["exercises"] == [f for f in release.files if f.startswith("exercises/")]
    assert marker["gdcourse_version"] == gdcourse.__version__
    assert marker["created"] in {before, after}  # a run across midnight may see either

    assert not assessment_mode(tmp_path)  # beside the release: no marker
    assert assessment_mode(out / "exercises")
    assert assessment_mode(out / "notebooks")


def test_solution_is_withheld_inside_a_release_and_shown_outside(tmp_path, monkeypatch):
    out = tmp_path / "rel"
    assign(["03"], out, ROOT)
    monkeypatch.chdir(tmp_path)
    shown = str(lr_exploration.q1.solution())
    assert lr_exploration.q1.solution_code in shown
    monkeypatch.chdir(out / "exercises")
    withheld = str(lr_exploration.q1.solution())
    assert "not available" in withheld
    assert lr_exploration.q1.solution_code not in withheld


def test_a_released_exercise_withholds_the_solution_in_a_fresh_kernel(tmp_path):
    # The kernel runs in the notebook's folder, as in JupyterLab, and must find the marker there.
    out = tmp_path / "rel"
    assign(["03"], out, ROOT)
    path = out / "exercises" / "03_lr_exploration.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("ex.q1.solution()"))
    nbformat.write(nb, path)
    ran = execute(path)
    shown = "".join(
        out.get("data", {}).get("text/plain", "") for out in ran.cells[-1].get("outputs", [])
    )
    assert "not available" in shown
    assert lr_exploration.q1.solution_code not in shown


# --- refusals -------------------------------------------------------------------------------


def test_a_non_empty_out_is_refused_and_left_untouched(tmp_path):
    out = tmp_path / "rel"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    with pytest.raises(AssignError, match=r"not empty.*choose a new folder or empty it"):
        assign(["03"], out, ROOT)
    assert (out / "notes.txt").read_text() == "my notes"
    assert _on_disk(out) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


def test_an_out_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "rel"
    out.write_text("x")
    with pytest.raises(AssignError, match="is a file"):
        assign(["03"], out, ROOT)
    assert out.read_text() == "x"


def test_an_empty_out_folder_is_used_even_the_current_one(tmp_path, monkeypatch):
    out = tmp_path / "empty"
    out.mkdir()
    monkeypatch.chdir(out)
    release = assign(["03"], Path("."), ROOT)
    assert _on_disk(out) == release.files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_failed_write_leaves_no_half_release(tmp_path, monkeypatch):
    written = []
    real_write_text = Path.write_text

    def write_then_fail(self, *args, **kwargs):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(self)
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_then_fail)
    with pytest.raises(AssignError, match="could not write the release"):
        assign(["03"], tmp_path / "rel", ROOT)
    assert len(written) == 2  # it did fail half-way
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_lesson_lists_the_valid_names_and_suggests_the_close_one(tmp_path):
    with pytest.raises(AssignError) as err:
        assign(["03", "lr_explortion"], tmp_path / "rel", ROOT)
    message = str(err.value)
    assert "unknown lesson 'lr_explortion'" in message
    assert "Did you mean 'lr_exploration'?" in message
    for path in [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb")]:
        assert path.stem[:2] in message and path.stem[3:] in message
    assert not (tmp_path / "rel").exists()

    with pytest.raises(AssignError, match=r"unknown lesson '42'") as far:
        resolve_lesson("42", ROOT)
    assert "Did you mean" not in str(far.value)


def test_no_lessons_is_an_error(tmp_path):
    with pytest.raises(AssignError, match="expected a list of lessons"):
        assign([], tmp_path / "rel", ROOT)
    with pytest.raises(AssignError, match="expected a list of lessons"):
        assign("03", tmp_path / "rel", ROOT)  # a bare string would assign 0 and 3


# --- the students' README -------------------------------------------------------------------


def _section(readme: str, title: str) -> str:
    return readme.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_lists_each_notebook_and_names_the_files_to_hand_in(tmp_path):
    out = tmp_path / "rel"
    release = assign(["03", "05"], out, ROOT)
    readme = (out / "README.md").read_text()
    notebooks = [f for f in release.files if f.endswith(".ipynb")]
    exercises = [f for f in notebooks if f.startswith("exercises/")]
    assert len(exercises) == 2
    contents = _section(readme, "What is in it")
    for rel in notebooks:
        assert f"`{rel}`" in contents
    hand_in = _section(readme, "What to hand in")
    for rel in exercises:
        assert f"`{Path(rel).name}`" in hand_in
    assert "student id" in hand_in
    assert not any(Path(f).name in hand_in for f in notebooks if f.startswith("notebooks/"))

    how = _section(readme, "How to check your work")
    assert "not available" in how and "Restart Kernel and Run All Cells" in how
    assert "don't rename" in how
    # The example check is a real check cell of the exercise, not an invented one.
    example = re.search(r"```python\n(.*?)\s+#", how)[1]
    first = nbformat.read(out / exercises[0], as_version=4)
    assert any(example == c.source.strip() for c in first.cells if c.cell_type == "code")
    assert "make lab" in _section(readme, "Set up")


def test_readme_of_a_lesson_only_release_says_there_is_nothing_to_hand_in(tmp_path):
    lesson_only = WITHOUT_EXERCISE[0]
    release = assign([lesson_only], tmp_path / "rel", ROOT)
    assert release.files == sorted([ASSIGNMENT_MARKER, "README.md", *_course_files(lesson_only)])
    readme = (tmp_path / "rel" / "README.md").read_text()
    assert "nothing to hand in" in _section(readme, "What to hand in")
    assert ".ipynb" not in _section(readme, "What to hand in")
    assert "lesson.q" in _section(readme, "How to check your work")
    assert release.notes and "nothing to hand in" in release.notes[0]


def test_the_assign_command_writes_a_release_and_reports_errors_in_one_sentence(
    tmp_path, capsys, monkeypatch
):
    from gdcourse.cli import main

    monkeypatch.chdir(ROOT)
    assert main(["assign", "03", "--out", str(tmp_path / "rel")]) == 0
    assert "exercises/03_lr_exploration.ipynb" in capsys.readouterr().out
    assert main(["assign", "lr_exploratoin", "--out", str(tmp_path / "rel2")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gdcourse assign: unknown lesson") and "Traceback" not in err
    assert not (tmp_path / "rel2").exists()
