"""What the grader runs inside a submission's kernel, after the student's cells: re-check each
question against the variable the student left, and report the result as a JSON display.

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
    "GradingExit",
    "hidden_questions",
    "no_exit",
    "report_environment",
    "report_question",
]

GRADE_MIME = "application/vnd.gdcourse.grade+json"
_MISSING = object()


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


def report_question(slug: str, name: str, hidden_path: str | None = None) -> None:
    """Check the student's answer to one question and show the result as a grade record."""
    from IPython import get_ipython

    if hidden_path:
        _, questions = hidden_questions(hidden_path)
    else:
        questions = questions_of(importlib.import_module(f"gdcourse.lessons.{slug}"))
    question = next(q for q in questions if q.name == name)
    record: dict[str, Any] = {"id": f"{slug}.{name}", "answer_var": question.answer_var}
    answer = get_ipython().user_ns.get(question.answer_var, _MISSING)
    if answer is _MISSING:
        record["found"] = False
    else:
        verdict = question.check(answer)
        record.update(
            found=True,
            outcome=verdict.outcome,
            points=verdict.points,
            message=verdict.message,
            table=[list(row) for row in verdict.table],
        )
    _display(record)
