"""Shared settings for the whole suite.

Hypothesis runs derandomised, so the suite is the same on every machine. Progress events from
checks run by tests (and by notebook kernels, which inherit the environment) go to a scratch
file, never to the developer's own ~/.gdcourse/progress.jsonl.
"""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from gdcourse.checks import questions as _questions

settings.register_profile("course", derandomize=True, deadline=None, max_examples=200)
settings.load_profile("course")

os.environ["GDCOURSE_PROGRESS"] = str(
    Path(tempfile.mkdtemp(prefix="gdcourse-test-")) / "progress.jsonl"
)


@pytest.fixture(autouse=True)
def _fresh_check_session():
    """Each test starts as a fresh notebook would: no earlier question checked (questions that
    build on earlier ones, ``depends_on``, read what this session's checks found)."""
    _questions._LATEST.clear()
    _questions._MISTAKES.clear()
    yield


@pytest.fixture
def reference_answers(monkeypatch):
    """For tests that answer a function question with the course's own reference (a right
    function they need not write) to test something else: the watch that refuses such answers
    from students (checks.calling.CourseCalls, tested in test_course_calls.py) sees nothing."""
    from gdcourse.checks import calling

    monkeypatch.setattr(calling.CourseCalls, "_profile", lambda self, frame, event, arg: None)
