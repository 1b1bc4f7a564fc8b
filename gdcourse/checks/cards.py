"""Flashcards as data: a question, its answer and a topic. Lessons declare decks of them;
``gdcourse.widgets.Flashcards`` shows them."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import CourseValueError

__all__ = ["Card"]


@dataclass(frozen=True)
class Card:
    """One flashcard: a question, its answer (HTML with $...$ math allowed), and a topic."""

    question: str
    answer: str
    topic: str = ""

    def __post_init__(self) -> None:
        for field_name in ("question", "answer"):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value.strip():
                raise CourseValueError(
                    f"a card's {field_name} must be a non-empty string, got {value!r}"
                )
