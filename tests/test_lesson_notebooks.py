"""Lesson notebooks: run as shipped (checks not attempted), and with every blank filled in by the
question's own solution code (every check correct). This proves each solution works in context."""

import importlib
import json
import re
from pathlib import Path

import nbformat
import pytest

from gdcourse.checks import questions_of

from .notebook_run import execute, verdicts

ROOT = Path(__file__).resolve().parents[1]


def _lesson_module(path: Path):
    slug = json.loads(path.read_text())["metadata"].get("gdcourse", {}).get("slug")
    try:
        return importlib.import_module(f"gdcourse.lessons.{slug}")
    except ModuleNotFoundError:
        return None


LESSONS = [
    p
    for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
    if _lesson_module(p) is not None and questions_of(_lesson_module(p))
]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_with_blanks_filled_by_the_solutions_gets_every_check_right(
    path, tmp_path, monkeypatch
):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))
    questions = questions_of(_lesson_module(path))
    by_var = {q.answer_var: q for q in questions}
    nb = nbformat.read(path, as_version=4)
    filled = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.split("\n"):
            blank = re.match(r"^(\w+) = ____\s*(#.*)?$", line)
            if blank and blank.group(1) in by_var:
                lines.append(by_var[blank.group(1)].solution_code)
                filled.add(blank.group(1))
            else:
                lines.append(line)
        cell.source = "\n".join(lines)
    assert filled == set(by_var), f"no `name = ____` blank for {set(by_var) - filled}"
    filled_path = tmp_path / path.name
    nbformat.write(nb, filled_path)
    found = verdicts(execute(filled_path))
    for q in questions:
        assert [v["outcome"] for v in found.get(q.name, [])] == ["correct"], q.name


CHECKS_HEAD = "# The course checks its own numbers"


def _asserts(source: str) -> bool:
    import ast

    code = "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )
    return any(isinstance(n, ast.Assert) for n in ast.walk(ast.parse(code)))


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name
)
def test_the_courses_own_checks_are_one_folded_cell_a_section_never_teaching_code(path):
    """The errata's item 22: the registry and tests/ carry the proofs; a lesson keeps at most one
    "the course checks its own numbers" cell per section, folded (its input hidden), and no cell
    a student reads mixes teaching code with asserts. The welcome shows its one example open."""
    nb = nbformat.read(path, as_version=4)
    section, seen = "(before the first section)", {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heads = [ln for ln in cell.source.splitlines() if ln.startswith("## ")]
            section = heads[-1] if heads else section
            continue
        if cell.cell_type != "code" or not _asserts(cell.source):
            continue
        where = f"{path.name} cell {cell.id}"
        assert cell.source.startswith(CHECKS_HEAD), f"{where}: asserts inside teaching code"
        # how the kernel's error display knows it is one of ours (gdcourse/_notebook.py)
        assert cell.source.rstrip().endswith('print("All the numbers above are right.")'), where
        folded = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert folded == (path.name != "00_welcome.ipynb"), f"{where}: folded is {folded}"
        assert section not in seen, f"{where}: a second check cell in {section!r} ({seen[section]})"
        seen[section] = cell.id
