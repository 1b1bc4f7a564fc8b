"""Lessons declare questions and the problems they are about; they compute nothing of their own.

A lesson module's public names are its questions, its constants and a few builders of its
problem (data a notebook, its exercise and the registry of stated numbers share). Any other
public function or class would be a helper: maths belongs in the core, machinery in checks.
Private functions are allowed only as a question's answer, reference or misconception, each a
few lines composed of core calls.
"""

import ast
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parents[1] / "gdcourse" / "lessons"

#: Builders of a lesson's problem: each returns data (a loss, a data set, a range test's
#: reading) built from core calls, so the notebook and the checks use the very same problem.
DATA_BUILDERS = {
    "many_parameters": {"scaled_regression"},
    "momentum": {"bowl_started", "scaled_bowl"},
    "many_parameters_practice": {"scaled_data", "scaled_losses"},
    "schedules": {"loss", "regression"},
    "schedules_practice": {"range_problem", "the_range_test", "range_choices"},
    "sgd": {"problem", "summed"},
    # Checks machinery that has to move to gdcourse.checks (a label question with its own
    # table); issue 14 reworks the checks and takes it.
    "saddles_practice": {"LabelFunctionQuestion"},
}
#: The longest private function a lesson may hold (a question's answer, in a few core calls).
LONGEST_PRIVATE = 12
#: Except declarations, long for their text only: the review's twelve cards, lesson 09's and
#: lesson 10's five, and the factory of exercise 03's two trajectory questions (one call with
#: its prompt and hints).
LONG_DATA = {
    ("review", "_lesson_cards"),
    ("lr_exploration", "_weights_question"),
    ("momentum", "_cards"),
    ("network", "_cards"),
}

FILES = sorted(p for p in LESSONS.glob("*.py") if p.name != "__init__.py")


def _definitions(path: Path | str) -> list[ast.FunctionDef | ast.ClassDef]:
    source = path if isinstance(path, str) else path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    return [
        n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]


def _public_helpers(source: Path | str, stem: str) -> list[str]:
    public = {n.name for n in _definitions(source) if not n.name.startswith("_")}
    return sorted(public - DATA_BUILDERS.get(stem, set()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_lesson_defines_no_public_helper(path):
    extra = _public_helpers(path, path.stem)
    assert extra == [], f"gdcourse/lessons/{path.name} defines {extra}: move them to the core"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_lessons_private_functions_are_short_answers(path):
    for node in _definitions(path):
        if node.name.startswith("_") and (path.stem, node.name) not in LONG_DATA:
            length = node.end_lineno - node.lineno + 1
            assert length <= LONGEST_PRIVATE, (
                f"gdcourse/lessons/{path.name}: {node.name} is {length} lines, a helper: "
                f"move its computation to the core"
            )


def test_the_allow_list_names_only_what_exists():
    for stem, names in DATA_BUILDERS.items():
        defined = {n.name for n in _definitions(LESSONS / f"{stem}.py")}
        assert names <= defined, (stem, names - defined)


def test_the_scan_catches_a_helper_and_a_class():
    probe = (
        "def helper(x):\n    return x\n\nclass Tool:\n    pass\n\n"
        "Q = 1\n\ndef problem():\n    pass\n"
    )
    assert _public_helpers(probe, "sgd") == ["Tool", "helper"]
