"""Flashcards as data: a question, its answer and a topic. Lessons declare decks of them;
``gdcourse.widgets.Flashcards`` shows them."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import CourseTypeError, CourseValueError

__all__ = ["Card"]


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Card:
    """One flashcard: a question, its answer (HTML with $...$ math allowed), and a topic.

    ``question`` and ``answer`` must be strings with some text; ``topic`` a string with some text,
    or left out (``""``: the card shows no topic).

    >>> Card("2 + 2?", "4", topic="sums").topic
    'sums'
    """

    question: str
    answer: str
    topic: str = ""

    def __post_init__(self) -> None:
        for field_name in ("question", "answer", "topic"):
            value = getattr(self, field_name)
            optional = field_name == "topic"
            expected = "a non-empty string, or left out" if optional else "a non-empty string"
            if not isinstance(value, str):
                raise CourseTypeError(
                    f"a card's {field_name} must be {expected}, got {_shown(value)}"
                )
            if not value.strip() and not (optional and value == ""):
                raise CourseValueError(f"a card's {field_name} must be {expected}, got {value!r}")
