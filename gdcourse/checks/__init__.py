"""The exercise system: questions declared as data, checked into verdicts that render themselves.

Lesson modules in ``gdcourse.lessons`` declare questions with these classes; notebooks call
``ex.q1.check(answer)``, ``ex.q1.hint()`` and ``ex.q1.solution()``.
"""

from ..core.placeholder import Placeholder, ____, contains_placeholder
from .assessment import ASSESSMENT_ENV, ASSIGNMENT_MARKER, assessment_mode
from .calling import frozen
from .cards import Card
from .progress import progress, progress_file
from .questions import (
    ChoiceQuestion,
    FunctionQuestion,
    Misconception,
    NumberQuestion,
    Question,
    questions_of,
)
from .tables import gradient_table
from .verdict import OUTCOMES, VERDICT_MIME, Note, Verdict

__all__ = [
    "ASSESSMENT_ENV",
    "ASSIGNMENT_MARKER",
    "OUTCOMES",
    "VERDICT_MIME",
    "Card",
    "ChoiceQuestion",
    "FunctionQuestion",
    "Misconception",
    "Note",
    "NumberQuestion",
    "Placeholder",
    "Question",
    "Verdict",
    "____",
    "assessment_mode",
    "contains_placeholder",
    "frozen",
    "gradient_table",
    "progress",
    "progress_file",
    "questions_of",
]
