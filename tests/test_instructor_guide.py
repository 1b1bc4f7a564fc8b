"""The instructor guide, docs/instructor.md: generated parts up to date, every lesson covered,
answer keys equal to the solution notebooks' code, and that code really answers the checks."""

import importlib
import json
import re
import shutil
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from gdcourse.checks import questions_of
from gdcourse.instructor.guide import GuideError, render_lessons, update_guide

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructor.md"
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _slug(path: Path) -> str:
    return _notebook(path)["metadata"]["gdcourse"]["slug"]


def _module(slug: str):
    return importlib.import_module(f"gdcourse.lessons.{slug}")


def _guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _lesson_section(text: str, number: str) -> str:
    """The guide's section of lesson ``number``: from its ### heading to the next one."""
    match = re.search(rf"^### {number} · .*?(?=^### |^<!-- END GENERATED|\Z)", text, re.M | re.S)
    assert match, f"docs/instructor.md has no section '### {number} · ...'"
    return match.group(0)


def _subsection(section: str, title: str) -> str:
    match = re.search(rf"^#### {re.escape(title)}.*?$\n(.*?)(?=^#### |\Z)", section, re.M | re.S)
    assert match, f"no '#### {title}' in:\n{section[:200]}"
    return match.group(1).strip()


def _misconception_items(body: str) -> list[str]:
    """Table body rows, or top-level bullets with their continuation lines."""
    lines = body.splitlines()
    rows = [line for line in lines if line.startswith("|")][2:]  # after header and rule
    bullets: list[list[str]] = []
    for line in lines:
        if line.startswith("- "):
            bullets.append([line])
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1].append(line.strip())
    return rows + [" ".join(b) for b in bullets]


def _answer_key(text: str, exercise: str) -> dict[str, str]:
    """``{qN: code}`` of the answer key of ``exercises/<exercise>`` in the guide."""
    match = re.search(
        rf"^#### Answer key: `exercises/{re.escape(exercise)}`.*?(?=^### |^<!-- END GENERATED)",
        text,
        re.M | re.S,
    )
    assert match, f"docs/instructor.md has no answer key for exercises/{exercise}"
    return dict(
        re.findall(r"^\*\*(q\d+)\*\* [^\n]*\n\n```python\n(.*?)\n```", match.group(0), re.M | re.S)
    )


def _solution_snippets(nb: dict) -> list[tuple[str, str]]:
    """(variable, code) for every '# SOLUTION' line and BEGIN/END block, read independently of
    the guide's own parser: the code a student has to write for that variable."""
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = _source(cell)
        for line in src.splitlines():
            if line.rstrip().endswith("# SOLUTION"):
                var = re.match(r"\s*(\w+)\s*=", line).group(1)
                found.append((var, line.rsplit("# SOLUTION", 1)[0].strip()))
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", src, re.S):
            lines = block.splitlines()
            while lines and lines[0].lstrip().startswith("#"):  # the prompt the exercise keeps
                lines.pop(0)
            code = textwrap.dedent("\n".join(lines)).strip()
            for var in re.findall(r"^(?:def (\w+)\(|(\w+) =)", code, re.M):
                found.append((var[0] or var[1], code))
    return found


# -- the committed guide ---------------------------------------------------------------------


def test_committed_guide_is_up_to_date():
    assert update_guide(ROOT, check=True), "docs/instructor.md is out of date: run gdcourse guide"


def test_guide_keeps_the_lead_s_assign_and_grade_section():
    text = _guide_text()
    assert "## Assign, grade, read the gradebook" in text
    assert text.index("## Assign, grade") < text.index("<!-- BEGIN GENERATED: lessons -->")


@pytest.mark.parametrize("notebook", LESSONS)
def test_every_lesson_has_time_goals_and_misconceptions_with_a_question(notebook):
    section = _lesson_section(_guide_text(), notebook[:2])
    time = re.search(r"^\*\*Time in class:\*\* (.+)$", section, re.M)
    assert time and re.search(r"\d+\D*minutes", time.group(1)), "no time in class in minutes"
    goals = _subsection(section, "Goals")
    assert re.search(r"^\s*(?:-|\d+\.) \S", goals, re.M), "the goals have no list item"
    items = _misconception_items(_subsection(section, "Misconceptions"))
    assert items, "no misconception"
    without = [item for item in items if "?" not in item]
    assert not without, f"misconceptions without a diagnostic question: {without}"


def test_guide_tables_have_as_many_cells_in_every_row_as_in_their_header():
    """A '|' inside a cell (say $|x|$) splits it in two when the table is rendered."""
    lines = _guide_text().splitlines()
    bad = []
    for i, line in enumerate(lines[:-1]):
        if line.startswith("|") and re.fullmatch(r"\|[\s:|-]+\|", lines[i + 1]):
            width = len(re.findall(r"(?<!\\)\|", line))
            for j in range(i + 2, len(lines)):
                if not lines[j].startswith("|"):
                    break
                if len(re.findall(r"(?<!\\)\|", lines[j])) != width:
                    bad.append(f"line {j + 1}: {lines[j]}")
    assert not bad, "table rows with a stray '|':\n" + "\n".join(bad)


@pytest.mark.parametrize("notebook", LESSONS)
def test_lesson_section_links_its_notebook_exercise_and_one_pager(notebook):
    number = notebook[:2]
    section = _lesson_section(_guide_text(), number)
    assert f"(../notebooks/{notebook})" in section
    one_pager = next((ROOT / "docs" / "lessons").glob(f"{number}_*.md")).name
    assert f"(lessons/{one_pager})" in section
    for exercise in (n for n in EXERCISES if n.startswith(number)):
        assert f"(../exercises/{exercise})" in section
        assert (ROOT / "exercises" / exercise).is_file()


def test_overview_points_are_the_sums_of_the_questions_points():
    text = _guide_text()
    overview = text[text.index("<!-- BEGIN GENERATED: overview -->") :]
    overview = overview[: overview.index("<!-- END GENERATED: overview -->")]
    rows = {r[0]: r for r in re.findall(r"^\| (\d\d) · (.*?) \| (.*?) \| (.*?) \|", overview, re.M)}
    assert sorted(rows) == [n[:2] for n in LESSONS]
    for notebook in LESSONS:
        number = notebook[:2]
        row = re.search(rf"^\| {number} · .*\| (\d+) \| (\d+|–) \|$", overview, re.M)
        assert row, f"no overview row with points for lesson {number}"
        lesson_points = sum(
            q.points for q in questions_of(_module(_slug(ROOT / "notebooks" / notebook)))
        )
        assert int(row.group(1)) == lesson_points
        exercises = [n for n in EXERCISES if n.startswith(number)]
        if exercises:
            module = _module(_slug(ROOT / "solutions" / exercises[0]))
            assert int(row.group(2)) == sum(q.points for q in questions_of(module))
        else:
            assert row.group(2) == "–"


@pytest.mark.parametrize("notebook", LESSONS)
def test_lesson_checks_key_holds_every_question_s_solution_code(notebook):
    section = _lesson_section(_guide_text(), notebook[:2])
    key = _subsection(section, "Checks in the lesson notebook")
    questions = questions_of(_module(_slug(ROOT / "notebooks" / notebook)))
    assert questions, "the lesson module declares no questions"
    for q in questions:
        assert f"# {q.name} ({q.points} point" in key
        assert q.solution_code.strip() in key, f"{q.id}: solution_code missing from the key"


# -- the answer keys against the solution notebooks -------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
def test_answer_key_has_the_solution_notebook_s_code_for_every_question(exercise):
    nb = _notebook(ROOT / "solutions" / exercise)
    key = _answer_key(_guide_text(), exercise)
    questions = questions_of(_module(nb["metadata"]["gdcourse"]["slug"]))
    assert sorted(key) == sorted(q.name for q in questions)
    snippets = _solution_snippets(nb)
    for q in questions:
        mine = [code for var, code in snippets if var == q.answer_var]
        assert mine, f"{exercise}: the test found no solution code for {q.name} ({q.answer_var})"
        for code in mine:
            assert code in key[q.name], f"{exercise} {q.name}: key lacks\n{code}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_answer_key_code_answers_every_check(exercise):
    """Run the exercise as a student would, pasting the key's code under each blank: every
    check cell must then say correct."""
    nb = _notebook(ROOT / "exercises" / exercise)
    module = _module(nb["metadata"]["gdcourse"]["slug"])
    by_var = {q.answer_var: q for q in questions_of(module)}
    key = _answer_key(_guide_text(), exercise)
    plt.switch_backend("Agg")  # the exercises draw figures; nothing is shown
    ns: dict = {}
    checked = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = _source(cell)
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if re.fullmatch(r"q\d+", t)]
        if tags:
            verdict = eval(src, ns)  # a check cell is one call: ex.qN.check(answer)
            assert verdict.outcome == "correct", f"{exercise} {tags[0]}: {verdict.message}"
            checked.add(tags[0])
            continue
        exec(src, ns)
        for var in re.findall(r"^\s*(\w+) = ____\s*$", src, re.M):
            if var in by_var:
                exec(key[by_var[var].name], ns)
    plt.close("all")
    assert checked == {q.name for q in questions_of(module)}


# -- generating the guide --------------------------------------------------------------------


def _course_copy(tmp_path: Path) -> Path:
    for folder in ("notebooks", "solutions", "exercises", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "part"),
    [
        ("## Goals", "## Aims", "Goals"),
        ("## Common misconceptions, with a diagnostic question", "## Pitfalls", "misconceptions"),
        ("Time in class:", "Duration:", "Time in class"),
    ],
)
def test_one_pager_missing_a_section_is_an_error_naming_file_and_section(tmp_path, old, new, part):
    root = _course_copy(tmp_path)
    page = root / "docs" / "lessons" / "04_many_parameters.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(GuideError, match=rf"docs/lessons/04_many_parameters\.md.*{part}"):
        render_lessons(root)


def test_solution_notebook_without_code_for_a_question_is_an_error_naming_it(tmp_path):
    root = _course_copy(tmp_path)
    path = root / "solutions" / "03_lr_exploration.ipynb"
    nb = _notebook(path)
    for cell in nb["cells"]:
        src = _source(cell)
        if "boundary_rate = 2 / 2  # SOLUTION" in src:
            cell["source"] = src.replace("  # SOLUTION", "")
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(GuideError, match=r"solutions/03_lr_exploration\.ipynb.*q9.*boundary_rate"):
        render_lessons(root)


def test_update_guide_checks_without_writing_then_rewrites_only_the_generated_parts(tmp_path):
    root = _course_copy(tmp_path)
    guide = root / "docs" / "instructor.md"
    committed = guide.read_text(encoding="utf-8")
    # A stale generated line, and a hand edit outside the generated blocks.
    stale = committed.replace("#### Goals", "#### Old goals", 1).replace(
        "# Instructor guide", "# Instructor guide (spring term)", 1
    )
    guide.write_text(stale, encoding="utf-8")
    assert update_guide(root, check=True) is False
    assert guide.read_text(encoding="utf-8") == stale
    assert update_guide(root) is True
    written = guide.read_text(encoding="utf-8")
    assert "#### Old goals" not in written
    assert written == committed.replace("# Instructor guide", "# Instructor guide (spring term)", 1)
    assert update_guide(root, check=True) is True


def test_update_guide_without_markers_is_an_error_naming_them(tmp_path):
    root = _course_copy(tmp_path)
    guide = root / "docs" / "instructor.md"
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("<!-- END GENERATED: lessons -->", ""),
        encoding="utf-8",
    )
    with pytest.raises(GuideError, match="END GENERATED: lessons"):
        update_guide(root, check=True)


def test_the_guide_command_reports_a_missing_guide_in_one_sentence(tmp_path, capsys, monkeypatch):
    from gdcourse.cli import main

    for folder in ("notebooks", "exercises", "solutions"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["guide", "--check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gdcourse guide: ") and "instructor guide is missing" in err
