"""A function question refuses the course's own answer however it is passed: the reference
itself (before any call), or a function of the student's that calls it, the lessons' or checks'
helpers, or the core function the question asks for; live and in grading alike. (An attack
passed exercise 10's q5 with ``lambda *a: ex.q5.reference(*a)``.)"""

import importlib
import pkgutil
import sys

import pytest

import gdcourse.lessons
from gdcourse.checks import FunctionQuestion, questions_of
from gdcourse.checks.calling import CourseCalls, call_student
from gdcourse.checks.plain import Recorded

FUNCTIONS = [
    q
    for m in pkgutil.iter_modules(gdcourse.lessons.__path__)
    for q in questions_of(importlib.import_module(f"gdcourse.lessons.{m.name}"))
    if isinstance(q, FunctionQuestion)
]


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.mark.parametrize("q", FUNCTIONS, ids=[q.id for q in FUNCTIONS])
def test_a_wrapper_of_the_reference_is_refused_live_and_in_grading(q):
    def wrapper(*args):
        return q.reference(*args)

    live = q.check(wrapper)
    assert live.outcome == "incorrect" and "course's own" in live.message, live.message
    graded = q.check(Recorded(q.recorded_calls(wrapper)))
    assert graded.outcome == "incorrect" and graded.points == 0, graded.message
    assert sys.getprofile() is None  # the watch is gone once the check is done


def test_the_watch_sees_the_call_itself_not_methods_and_puts_back_an_outer_hook():
    seen = []

    def outer(frame, event, arg):
        seen.append(event)

    def course_module_function():
        return 1

    course_module_function.__code__ = course_module_function.__code__.replace(
        co_filename=CourseCalls._ROOTS[0] + "/planted.py", co_qualname="course_module_function"
    )
    sys.setprofile(outer)
    try:
        watch = CourseCalls()
        call_student(lambda: course_module_function(), (), watch=watch)
        assert watch.hits and "course_module_function" in watch.hits[0]
        assert sys.getprofile() is outer
        quiet = CourseCalls()
        call_student(lambda: [].append(1), (), watch=quiet)
        assert quiet.hits == []
    finally:
        sys.setprofile(None)
