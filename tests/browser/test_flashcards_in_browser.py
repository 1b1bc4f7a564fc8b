"""The review notebook's flashcards work in real JupyterLab: after Run All, pressing a card's
Reveal button shows its answer, Next moves on and hides it again, and no cell or widget fails."""

from __future__ import annotations

import pytest

from tests.browser import lab as driver

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/08_review.ipynb"


def _assert_clean(page, when: str, console: list[str]) -> None:
    errors = driver.cell_errors(page)
    assert not errors, f"cell errors {when}:\n" + "\n---\n".join(errors)
    broken = driver.widget_errors(page)
    assert not broken, f"widgets not displayed {when}: {broken}\nconsole: {console[-10:]}"


def test_reveal_shows_the_answer_and_next_hides_it(page, lab, failure_target):
    console = driver.watch_console(page)
    driver.open_notebook(page, lab, NOTEBOOK)
    driver.run_all(page)
    driver.wait_idle(page, timeout=180)
    _assert_clean(page, "after running all cells", console)

    decks = page.locator(".jp-OutputArea-output .gdcourse-flashcards")
    decks.first.wait_for(state="visible", timeout=30_000)
    assert decks.count() == 2
    deck = decks.first
    failure_target.append(deck)
    deck.scroll_into_view_if_needed()

    answer = deck.locator(".gdcourse-flashcard-answer")
    reveal = deck.locator(".gdcourse-flashcard-button", has_text="Reveal")
    assert reveal.get_attribute("title") == "Show the answer to this card"
    # JupyterLab paints a cell only once it is in view: wait for the deck's text to appear.
    page.wait_for_function(
        "(el) => el.innerText.includes('card 1 of 3')", arg=deck.element_handle(), timeout=15_000
    )
    assert "moved right" not in deck.inner_text()  # hidden before the click

    reveal.click()
    page.wait_for_function(
        "(el) => el.innerText.includes('moved right')", arg=answer.element_handle(), timeout=10_000
    )
    assert answer.is_visible()
    assert "up by 0.3" in answer.inner_text()
    assert deck.locator(".gdcourse-flashcard-button", has_text="Hide").count() == 1

    deck.locator(".gdcourse-flashcard-button", has_text="Next").click()
    page.wait_for_function(
        "(el) => el.innerText.includes('card 2 of 3')", arg=deck.element_handle(), timeout=10_000
    )
    answer.wait_for(state="hidden", timeout=10_000)  # fails if the answer stays shown
    assert "mini-batches" in deck.inner_text()

    _assert_clean(page, "after using the flashcards", console)
    driver.shutdown_kernels(page)
