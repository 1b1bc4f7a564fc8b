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
