"""Exercises and solutions: one source, and both run top to bottom with the right verdicts."""

import importlib
import json
from pathlib import Path

import pytest

from gdcourse.checks import questions_of
from gdcourse.instructor.build import build

from .notebook_run import execute, stream_text, verdicts

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def _questions(path: Path):
    slug = json.loads(path.read_text())["metadata"]["gdcourse"]["slug"]
    return questions_of(importlib.import_module(f"gdcourse.lessons.{slug}"))


def test_there_are_solution_notebooks_and_each_has_its_exercise():
    assert SOLUTIONS
    for path in SOLUTIONS:
        assert (ROOT / "exercises" / path.name).exists()


def test_exercises_are_exactly_what_the_build_produces():
    result = build(ROOT, check=True)
    assert result.refused == [], "exercises/ is out of date: run `gdcourse build`"
    assert len(result.unchanged) == len(SOLUTIONS)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_runs_top_to_bottom_with_every_check_correct(path, monkeypatch, tmp_path):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))
    found = verdicts(execute(path))
    for q in _questions(path):
        assert q.name in found, f"no check cell tagged {q.name}"
        assert [v["outcome"] for v in found[q.name]] == ["correct"], q.name
        assert found[q.name][0]["question"] == q.id


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_exercise_runs_top_to_bottom_with_every_check_not_attempted(path, monkeypatch, tmp_path):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))
    nb = execute(ROOT / "exercises" / path.name)
    found = verdicts(nb)
    for q in _questions(path):
        assert [v["outcome"] for v in found[q.name]] == ["not_attempted"], q.name
    if "loss_curves(" in json.dumps(nb):
        assert "Fill in the weights for" in stream_text(nb)  # the plot waits for the student
