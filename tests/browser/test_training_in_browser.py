"""The training explorer (lesson 10) in real JupyterLab: the rate, the batch size and the schedule
answer from the keyboard and the mouse, the readout states the run the controls name, and axe-core
finds nothing serious. One notebook opened once (tests/browser/fixtures/training_explorer.ipynb),
on the stored grid of runs."""

from __future__ import annotations

import re

import pytest

from tests.browser import lab as driver
from tests.browser.test_widgets_in_browser import (
    _assert_accessible,
    _assert_clean,
    _expect_change,
)

pytestmark = pytest.mark.browser

FIXTURE = "tests/browser/fixtures/training_explorer.ipynb"


def _after(explorer, before, what: str) -> driver.Snapshot:
    """The snapshot once the action's frame arrived and the explorer is quiet again."""
    _expect_change(explorer, before, what)
    return driver.settle(explorer)


def _setting(readout: str) -> tuple[str, str, str]:
    """(rate, batch, schedule) as the readout's first line states them."""
    found = re.match(r"rate ([\d.e+-]+), batch (\d+), (constant|warmup \+ cosine)", readout)
    assert found, f"the readout does not state the run: {readout!r}"
    return found[1], found[2], found[3]


def test_the_training_explorer_in_jupyterlab(page, lab, failure_target):
    console = driver.watch_console(page)
    driver.open_notebook(page, lab, FIXTURE)
    driver.run_all(page)
    driver.wait_idle(page, timeout=120)
    _assert_clean(page, FIXTURE, "after running all cells", console)
    _assert_accessible(page, FIXTURE, "after running all cells")
    explorers = driver.explorers(page)
    assert explorers.count() == 1
    explorer = explorers.first
    failure_target.append(explorer)
    explorer.scroll_into_view_if_needed()

    # Every control is labelled; the default run is stated in the readout.
    labels = [driver.label_of(s) for s in driver.sliders(explorer).all()]
    assert any("rate" in x for x in labels) and any("batch" in x for x in labels), labels
    select = explorer.locator(driver.SELECT + " select").first
    assert select.evaluate("(s) => s.labels.length && s.labels[0].textContent") == "schedule"
    start = driver.settle(explorer)
    assert _setting(start.readout) == ("0.3", "32", "constant")
    assert "ceil(1000 / 32) = 32 updates per epoch" in start.readout

    # The rate, from the keyboard: one notch up the grid's rates.
    rate = driver.sliders(explorer).filter(has_text="rate").first.locator(driver.SLIDER_HANDLE)
    rate.focus()
    rate.press("ArrowRight")
    after = _after(explorer, start, "rate \u2192")
    assert _setting(after.readout) == ("1", "32", "constant")
    assert rate.get_attribute("aria-valuetext") == "1"

    # The batch size, from the keyboard: one notch down, more updates per epoch.
    batch = driver.sliders(explorer).filter(has_text="batch").first.locator(driver.SLIDER_HANDLE)
    before = after
    batch.focus()
    batch.press("ArrowLeft")
    after = _after(explorer, before, "batch \u2190")
    assert _setting(after.readout) == ("1", "8", "constant")
    assert "ceil(1000 / 8) = 125 updates per epoch" in after.readout

    # The rate, by mouse: a click at the slider's right end is the grid's largest rate, which
    # blows up.
    before = after
    box = rate.bounding_box()
    rate.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
    after = _after(explorer, before, "rate clicked at its right end")
    assert _setting(after.readout) == ("30", "8", "constant")
    assert "The run diverges: it blows up." in after.readout
    assert "differs from one CPU to another" in after.readout  # stored as sensitive

    # The schedule, from the keyboard, then by mouse (the list's own choice).
    before = after
    select.focus()
    select.press("ArrowDown")
    after = _after(explorer, before, "schedule \u2193")
    assert select.evaluate("(s) => s.options[s.selectedIndex].textContent") == "warmup + cosine"
    assert _setting(after.readout) == ("30", "8", "warmup + cosine")
    before = after
    select.select_option(label="constant")
    after = _after(explorer, before, "schedule constant")
    assert _setting(after.readout) == ("30", "8", "constant")

    # The batch size by mouse: the right end is the full batch, one update per epoch.
    before = after
    box = batch.bounding_box()
    batch.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
    after = _after(explorer, before, "batch clicked at its right end")
    assert _setting(after.readout) == ("30", "1000", "constant")
    assert "ceil(1000 / 1000) = 1 update per epoch" in after.readout
    # (each action above went through _expect_change: pixels and readout changed, and the
    # picture's accessible name is the new readout)
    _assert_clean(page, FIXTURE, "after using the explorer", console)
    _assert_accessible(page, FIXTURE, "after using every control")
    driver.shutdown_kernels(page)
