"""What the grader runs inside a submission's kernel, after the student's cells: hand out each
answer the student left as plain data (a JSON display), never a verdict: the grader checks it.

Only the lesson's module and the question names travel into the kernel; a hidden-check file is
loaded by path, so its code never appears in the executed notebook or in any output.
"""

from __future__ import annotations

import importlib
import platform
import runpy
from typing import Any

from ..checks import Question, questions_of

__all__ = [
    "GRADE_MIME",
    "TYPED_ENV",
    "GradingExit",
    "hidden_questions",
    "no_exit",
    "report_answer",
    "report_environment",
    "watch_typed",
]

GRADE_MIME = "application/vnd.gdcourse.grade+json"
_MISSING = object()
#: Environment variable: {check cell source: [[question name, argument], ...]} (see watch_typed).
TYPED_ENV = "GDCOURSE_TYPED"
# {question name: ("data", plain record) or ("function", the function)}, taken when the tagged
# check cell ran: an answer typed into the check is what it was then, not what its names hold
# at the end of the notebook.
_TYPED: dict[str, tuple[str, Any]] = {}


def watch_typed() -> None:
    """Run at the kernel's start while grading: after each tagged check cell that passes its
    check something other than the answer variable, keep what that argument was then."""
    import json
    import os

    from IPython import get_ipython

    spec = json.loads(os.environ.pop(TYPED_ENV, "") or "{}")
    shell = get_ipython()
    if not spec or shell is None:
        return

    def after(result: Any) -> None:
        from ..checks.calling import TIME_LIMIT
        from ..checks.plain import read_answer
        from ..core.placeholder import contains_placeholder

        for name, expr in spec.get(getattr(result.info, "raw_cell", ""), []):
            try:
                value = eval(expr, shell.user_ns)  # the student's own expression, their kernel
            except Exception:
                continue
            if contains_placeholder(value):
                continue
            if callable(value) and not isinstance(value, type):
                _TYPED[name] = ("function", value)
            else:
                _TYPED[name] = ("data", read_answer(value, TIME_LIMIT))

    shell.events.register("post_run_cell", after)


class GradingExit(Exception):
    """``exit()`` or ``quit()`` in a cell while grading: the cell stops, the notebook goes on."""


def no_exit(*args: Any, **kwargs: Any) -> None:
    """What ``exit`` and ``quit`` are while grading. In a kernel they end it, and every later cell
    (and each restart's innocent cell) was blamed; here the cell that calls them raises instead,
    is named like any cell that raises, and the rest of the notebook runs."""
    raise GradingExit("exit() and quit() stop the notebook; while grading, only this cell stops")


def hidden_questions(path: str) -> tuple[str, list[Question]]:
    """The ``LESSON`` slug and the questions a hidden-check file declares."""
    namespace = runpy.run_path(path)
    found = [v for k, v in namespace.items() if isinstance(v, Question) and not k.startswith("_")]
    return str(namespace.get("LESSON", "")), found


def _display(record: dict[str, Any]) -> None:
    from IPython.display import display

    display(
        {GRADE_MIME: record, "text/plain": f"gdcourse grade record: {record.get('id', '')}"},
        raw=True,
    )


def report_environment() -> None:
    """Show the versions this kernel grades with."""
    from importlib.metadata import version

    _display(
        {"id": "environment", "gdcourse": version("gdcourse"), "python": platform.python_version()}
    )


def report_answer(
    slug: str,
    name: str,
    typed: str | None = None,
    answer_var: str | None = None,
    inputs: str | None = None,
) -> None:
    """Hand out the student's answer to one question as plain data (a grade record): the value of
    its variable, else of the argument its tagged check cell passed (``typed``); for a function,
    what it returned on the question's inputs. The grader checks it in its own process.

    A hidden check (the grader's own, not the lesson's) is named by its ``answer_var``, and for a
    function by the file of its ``inputs`` (a pickle the grader wrote: trusted here)."""
    import pickle

    from IPython import get_ipython

    from ..checks import FunctionQuestion
    from ..checks.calling import TIME_LIMIT
    from ..checks.plain import read_answer
    from ..checks.questions import record_calls
    from ..core.placeholder import contains_placeholder

    question = None
    if answer_var is None:
        questions = questions_of(importlib.import_module(f"gdcourse.lessons.{slug}"))
        question = next(q for q in questions if q.name == name)
        answer_var = question.answer_var
    record: dict[str, Any] = {"id": f"{slug}.{name}", "found": False}
    namespace = get_ipython().user_ns
    answer = namespace.get(answer_var, _MISSING)
    blank = answer is _MISSING or contains_placeholder(answer)
    if blank and question is not None and name in _TYPED:  # as it was when its check ran
        kind, value = _TYPED[name]
        if kind == "data":  # already handed-out data, frozen then
            _display({**record, "found": True, "answer": value})
            return
        answer, blank = value, False  # a function: called on the inputs below, as any answer
    if typed and blank:
        # No answer in the variable (or still the blank): the one typed into the check cell.
        try:
            typed_answer = eval(typed, namespace)  # the student's own expression, their kernel
        except Exception:
            typed_answer = _MISSING
        if typed_answer is not _MISSING and not contains_placeholder(typed_answer):
            answer = typed_answer
    if answer is not _MISSING:
        record["found"] = True
        if isinstance(question, FunctionQuestion):
            record["answer"] = question.recorded_calls(answer)
        elif inputs is not None:
            with open(inputs, "rb") as f:
                cases = pickle.load(f)
            record["answer"] = record_calls(answer, cases)
        else:
            record["answer"] = read_answer(answer, TIME_LIMIT)
    _display(record)
