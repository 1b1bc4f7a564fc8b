"""Lesson 00: the first check every student can pass, and its targeted hints."""

import pytest

from gdcourse import ____
from gdcourse.lessons import welcome as lesson


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


def test_first_check_accepts_the_first_step_in_any_form():
    assert lesson.q1.expected() == pytest.approx(6.2)
    for answer in (6.2, 6.2000000001, [6.2]):
        assert lesson.q1.check(answer).correct


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [(7.0, "where the run starts"), (5.56, "after two steps"), (10.24, "the loss after one step")],
)
def test_first_check_explains_the_likely_mix_ups(answer, phrase):
    verdict = lesson.q1.check(answer)
    assert verdict.outcome == "incorrect" and phrase in verdict.message
    assert "6.2" not in str(verdict)


def test_blank_is_not_attempted():
    assert lesson.q1.check(____).outcome == "not_attempted"
