"""Bad input to the course's own code gets the course's error classes (one sentence, shown by the
notebook's error display as a message, not a traceback), never a bare ``ValueError``."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gdcourse"
# The layers a student's input reaches. The instructor's tools and the stated-number registry
# speak to instructors and course authors.
STUDENT_FACING = ("core", "lessons", "checks", "widgets", "plots")
# Raised where Python's protocols require exactly these (attribute lookup, iteration).
PROTOCOL = {"AttributeError", "StopIteration", "NotImplementedError", "KeyboardInterrupt"}
BUILTIN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and name not in PROTOCOL
}


def _bare_raises(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name) and exc.id in BUILTIN_ERRORS:
                found.append(f"{path.name}:{node.lineno} raises {exc.id}")
    return sorted(found)


FILES = sorted(p for layer in STUDENT_FACING for p in (PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_no_bare_builtin_error_is_raised(path):
    assert not _bare_raises(path), "use CourseValueError or CourseTypeError (gdcourse.core.errors)"


def test_the_scan_sees_a_bare_raise(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(x):\n    if x:\n        raise ValueError('no')\n    raise TypeError\n")
    assert _bare_raises(sample) == ["sample.py:3 raises ValueError", "sample.py:4 raises TypeError"]
