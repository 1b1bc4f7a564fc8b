"""The Flashcards widget: answers hidden until revealed, navigation wraps and hides again, every
button has a visible label and a tooltip, and bad cards are refused with a clear message."""

import pytest

import gdcourse.widgets as widgets_package
from gdcourse import CourseTypeError, CourseValueError
from gdcourse.checks import Card
from gdcourse.lessons import review
from gdcourse.widgets.flashcards import HIDDEN_NOTE, Flashcards

CARDS = [Card("What is 2 + 3?", "5", topic="sums"), ("Capital of France?", "Paris")]


def test_answer_is_hidden_until_revealed_then_hidden_again():
    deck = Flashcards(CARDS)
    assert deck.index == 0 and not deck.revealed
    assert deck.answer_html.value == "" and deck.answer_html.layout.display == "none"
    assert HIDDEN_NOTE in deck.shown_text and "5" not in deck.answer_html.value
    assert "What is 2 + 3?" in deck.question_html.value
    assert "card 1 of 2 · sums" in deck.header.value

    deck.reveal_button.click()
    assert deck.revealed and deck.answer_html.value == "<b>A.</b> 5"
    assert deck.answer_html.layout.display is None
    assert deck.hidden_note.layout.display == "none"
    assert deck.reveal_button.description == "Hide"
    assert "5" in deck.shown_text and HIDDEN_NOTE not in deck.shown_text

    deck.reveal_button.click()
    assert not deck.revealed and deck.answer_html.value == ""
    assert deck.reveal_button.description == "Reveal"


def test_next_and_previous_wrap_around_and_hide_the_answer():
    deck = Flashcards(CARDS, title="Deck")
    deck.reveal()
    deck.next_button.click()
    assert deck.index == 1 and not deck.revealed
    assert "Capital of France?" in deck.question_html.value
    assert deck.header.value == "<b>Deck</b>: card 2 of 2"  # no topic: no " · "
    deck.next_button.click()
    assert deck.index == 0
    deck.previous_button.click()
    assert deck.index == 1
    deck.reveal()
    assert deck.answer_html.value.endswith("Paris")
    deck.go(4)
    assert deck.index == 0 and not deck.revealed


def test_every_button_has_a_visible_label_and_a_tooltip():
    deck = Flashcards(CARDS)
    for button in (deck.previous_button, deck.reveal_button, deck.next_button):
        assert button.description.strip()
        assert button.tooltip and len(button.tooltip) > len(button.description)
    assert "gdcourse-flashcards" in deck.widget._dom_classes
    assert "Flashcards(2 cards, showing card 1)" == repr(deck)
    bundle = deck._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@pytest.mark.parametrize(
    "cards, error, match",
    [
        ([], CourseValueError, "at least one card"),
        (["just a string"], CourseTypeError, "each card must be"),
        ([("", "answer")], ValueError, "question must be a non-empty string"),
        ([("question?", None)], CourseTypeError, "answer must be a non-empty string"),
    ],
)
def test_bad_decks_are_refused_with_a_clear_message(cards, error, match):
    with pytest.raises(error, match=match):
        Flashcards(cards)


def test_go_refuses_a_non_integer_index():
    with pytest.raises(CourseTypeError, match="whole number"):
        Flashcards(CARDS).go(1.5)


def test_cards_are_the_checks_data_and_the_widgets_export_no_copy_of_them():
    assert "Card" not in widgets_package.__all__
    with pytest.raises(AttributeError):
        widgets_package.Card  # noqa: B018


def test_dict_cards_and_the_review_decks_work():
    deck = Flashcards([{"question": "q?", "answer": "a", "topic": "t"}])
    assert deck.card == Card("q?", "a", "t")
    for cards in (review.SEED_CARDS, review.LESSON_CARDS):
        deck = Flashcards(cards)
        for i in range(len(cards)):
            deck.go(i)
            deck.reveal()
            assert deck.answer_html.value == f"<b>A.</b> {cards[i].answer}"
