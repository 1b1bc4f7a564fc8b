"""Flashcards: a deck of question cards whose answers stay hidden until the student asks.

``Flashcards(cards)`` shows one card at a time: a counter ("Card 2 of 11 · topic"), the
question, and the answer once **Reveal** is pressed. **Previous** and **Next** move through the
deck (wrapping around) and hide the answer again, so every card is a fresh recall. Every button
has a visible label and a tooltip.

Unit tests drive it without a browser: ``deck.reveal()``, ``deck.next()``, ``deck.previous()``,
``deck.go(i)``, and read ``deck.index``, ``deck.revealed`` and ``deck.shown_text``. The cards
are :class:`gdcourse.checks.Card` data (or ``(question, answer[, topic])`` pairs, or dicts).

Examples
--------
>>> from gdcourse.checks import Card
>>> deck = Flashcards([Card("2 + 2?", "4", topic="warm-up")])
>>> deck.revealed, deck.answer_html.value
(False, '')
>>> deck.reveal(); deck.revealed, deck.answer_html.value
(True, '<b>A.</b> 4')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from ..checks.cards import Card
from ..core.errors import CourseTypeError, CourseValueError
from .arguments import check_text

__all__ = ["Flashcards"]

#: Shown in place of the answer until the card is revealed.
HIDDEN_NOTE = "<i>Answer hidden: think of your answer first, then press Reveal.</i>"


_FIELDS = ("question", "answer", "topic")


def _as_card(item: Any, number: int) -> Card:
    if isinstance(item, Card):
        return item
    if isinstance(item, dict):
        unknown = sorted(set(item) - set(_FIELDS), key=str)
        missing = [name for name in _FIELDS[:2] if name not in item]
        if unknown or missing:
            raise CourseValueError(
                f"card {number} must be a dict with keys 'question', 'answer' and optionally "
                f"'topic', got keys {sorted(item, key=str)}"
            )
        return Card(**item)
    if isinstance(item, Sequence) and not isinstance(item, str) and len(item) in (2, 3):
        return Card(*item)
    raise CourseTypeError(
        f"each card must be a Card, a (question, answer[, topic]) pair or a dict; card {number} "
        f"is {item!r}"
    )


class Flashcards:
    """A deck of flashcards with Previous / Reveal / Next buttons (see the module docstring)."""

    def __init__(self, cards: Iterable[Any], title: str = "Flashcards") -> None:
        if isinstance(cards, (str, bytes, dict, Card)) or not isinstance(cards, Iterable):
            raise CourseTypeError(
                f"cards must be a list of cards (Card, (question, answer[, topic]) pairs or "
                f"dicts), got {cards!r}"
            )
        self.cards: tuple[Card, ...] = tuple(_as_card(c, i + 1) for i, c in enumerate(cards))
        if not self.cards:
            raise CourseValueError("cards must hold at least one card, got none")
        self.title = check_text("title", title)
        self.index = 0
        self.revealed = False

        self.header = widgets.HTML()
        self.question_html = widgets.HTMLMath()
        self.answer_html = widgets.HTMLMath()
        self.hidden_note = widgets.HTML(HIDDEN_NOTE)
        self.previous_button = widgets.Button(
            description="Previous",
            icon="arrow-left",
            tooltip="Go to the previous card (its answer starts hidden)",
        )
        self.reveal_button = widgets.Button(
            description="Reveal",
            icon="eye",
            button_style="info",
            tooltip="Show the answer to this card",
        )
        self.next_button = widgets.Button(
            description="Next",
            icon="arrow-right",
            tooltip="Go to the next card (its answer starts hidden)",
        )
        self.previous_button.on_click(lambda _: self.previous())
        self.reveal_button.on_click(lambda _: self.toggle())
        self.next_button.on_click(lambda _: self.next())
        for b in (self.previous_button, self.reveal_button, self.next_button):
            b.add_class("gdcourse-flashcard-button")

        self.answer_html.add_class("gdcourse-flashcard-answer")
        self.question_html.add_class("gdcourse-flashcard-question")
        self.widget = widgets.VBox(
            [
                self.header,
                self.question_html,
                self.hidden_note,
                self.answer_html,
                widgets.HBox([self.previous_button, self.reveal_button, self.next_button]),
            ],
            layout=widgets.Layout(border="1px solid #999", padding="6px 12px", max_width="760px"),
        )
        self.widget.add_class("gdcourse-flashcards")
        self._render()

    # -- actions ------------------------------------------------------------------------------
    @property
    def card(self) -> Card:
        """The card shown now."""
        return self.cards[self.index]

    def reveal(self) -> None:
        """Show the current card's answer."""
        self.revealed = True
        self._render()

    def hide(self) -> None:
        """Hide the current card's answer."""
        self.revealed = False
        self._render()

    def toggle(self) -> None:
        """Reveal the answer, or hide it if it is shown (the Reveal / Hide button)."""
        self.hide() if self.revealed else self.reveal()

    def go(self, index: int) -> None:
        """Show card ``index`` (wrapping around the deck), answer hidden."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise CourseTypeError(f"index must be a whole number, got {index!r}")
        self.index = index % len(self.cards)
        self.revealed = False
        self._render()

    def next(self) -> None:
        """The next card (after the last one: the first), answer hidden."""
        self.go(self.index + 1)

    def previous(self) -> None:
        """The previous card (before the first one: the last), answer hidden."""
        self.go(self.index - 1)

    # -- what the student sees -----------------------------------------------------------------
    @property
    def shown_text(self) -> str:
        """The counter, the question and (if revealed) the answer, as shown."""
        parts = [self.header.value, self.question_html.value]
        parts.append(self.answer_html.value if self.revealed else self.hidden_note.value)
        return "\n".join(parts)

    def _render(self) -> None:
        card = self.card
        # Answer first: the browser applies each change as it arrives, and the next card's
        # question must never appear beside the previous card's answer.
        if self.revealed:
            self.answer_html.value = f"<b>A.</b> {card.answer}"
            self.answer_html.layout.display = None
            self.hidden_note.layout.display = "none"
            self.reveal_button.description = "Hide"
            self.reveal_button.icon = "eye-slash"
            self.reveal_button.tooltip = "Hide the answer to this card"
        else:
            self.answer_html.value = ""
            self.answer_html.layout.display = "none"
            self.hidden_note.layout.display = None
            self.reveal_button.description = "Reveal"
            self.reveal_button.icon = "eye"
            self.reveal_button.tooltip = "Show the answer to this card"
        self.question_html.value = f"<b>Q.</b> {card.question}"
        topic = f" · {card.topic}" if card.topic else ""
        # The counter last: once it shows the new card, the whole card is there.
        self.header.value = (
            f"<b>{self.title}</b>: card {self.index + 1} of {len(self.cards)}{topic}"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        n = len(self.cards)
        return f"Flashcards({n} card{'' if n == 1 else 's'}, showing card {self.index + 1})"
