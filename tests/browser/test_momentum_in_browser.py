"""The momentum explorer (lesson 09) in real JupyterLab: every control answers from the keyboard,
the marker in the stability region moves where the readout says, and axe-core finds nothing
serious. One notebook opened once (tests/browser/fixtures/momentum_explorer.ipynb), so the whole
test costs a few seconds beside the other browser tests."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser import lab as driver
from tests.browser.test_widgets_in_browser import (
    _assert_accessible,
    _assert_clean,
    _expect_change,
)

pytestmark = pytest.mark.browser

FIXTURE = "tests/browser/fixtures/momentum_explorer.ipynb"

#: A hash of the canvas's pixels inside a box given in fractions of the figure (matplotlib's
#: left, bottom, width, height): the stability panel, where only the marker moves.
_CROP_JS = """([el, box]) => {
    const c = el.querySelector('canvas.gdx-canvas');
    const [left, bottom, width, height] = box;
    const x = Math.round(left * c.width), w = Math.round(width * c.width);
    const y = Math.round((1 - bottom - height) * c.height), h = Math.round(height * c.height);
    const data = c.getContext('2d').getImageData(x, y, w, h).data;
    let hash = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) { hash ^= data[i]; hash = Math.imul(hash, 0x01000193); }
    return (hash >>> 0).toString(16);
}"""


def _marked_at(readout: str) -> tuple[float, float]:
    """The marker's place as the readout states it: "marked at (0.5, 0.5)"."""
    found = re.search(r"marked at \(([-\d.e+]+), ([-\d.e+]+)\)", readout)
    assert found, f"the readout does not say where the marker is: {readout!r}"
    return float(found[1]), float(found[2])


def _panel_box(page) -> list[float]:
    """The stability panel's box, printed by the fixture's last cell."""
    text = page.locator(".jp-OutputArea-output", has_text="stability axes:").first.inner_text()
    return [float(v) for v in text.split("stability axes:", 1)[1].split()]


def _crop(explorer, box) -> str:
    return explorer.page.evaluate(_CROP_JS, [explorer.element_handle(), box])


def _after(explorer, before, what: str) -> driver.Snapshot:
    """The snapshot once the action's frame arrived and the explorer is quiet again."""
    _expect_change(explorer, before, what)
    return driver.settle(explorer)


def _marker_moves(explorer, box, act, what: str) -> tuple[tuple, tuple]:
    before, crop = driver.settle(explorer), _crop(explorer, box)
    act()
    after = _after(explorer, before, what)
    deadline = time.monotonic() + 5
    while _crop(explorer, box) == crop:
        assert time.monotonic() < deadline, f"{what}: the stability panel's pixels did not change"
        time.sleep(0.05)
    return _marked_at(before.readout), _marked_at(after.readout)


def test_the_momentum_explorer_in_jupyterlab(page, lab, failure_target):
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
    box = _panel_box(page)

    # Every control is labelled, and the picture is named by the readout.
    labels = [driver.label_of(s) for s in driver.sliders(explorer).all()]
    assert any("rate" in x for x in labels) and any("momentum" in x for x in labels), labels
    select = explorer.locator(driver.SELECT + " select").first
    assert select.evaluate("(s) => s.labels.length && s.labels[0].textContent") == "method"

    # The rate, from the keyboard: the marker moves right, as far as the readout says.
    rate = driver.sliders(explorer).filter(has_text="rate").first.locator(driver.SLIDER_HANDLE)
    (x0, y0), (x1, y1) = _marker_moves(
        explorer, box, lambda: (rate.focus(), rate.press("ArrowRight")), "rate \u2192"
    )
    # (the bowl's lambda_max is 10: the marker's x is 10 times the rate the readout states)
    shown_rate = float(re.search(r"rate ([\d.e+-]+),", driver.settle(explorer).readout)[1])
    assert x1 > x0 and x1 == pytest.approx(10 * shown_rate, rel=1e-2) and y1 == y0

    # The momentum: the marker moves up by one notch.
    mu = driver.sliders(explorer).filter(has_text="momentum").first.locator(driver.SLIDER_HANDLE)
    (x0, y0), (x1, y1) = _marker_moves(
        explorer, box, lambda: (mu.focus(), mu.press("ArrowRight")), "momentum \u2192"
    )
    assert x1 == x0 and y1 == pytest.approx(y0 + 0.01)
    assert mu.get_attribute("aria-valuetext") or mu.input_value()

    # The method, from the keyboard: Nesterov's lower limit at the same point.
    before = driver.settle(explorer)
    select.focus()
    select.press("ArrowDown")
    after = _after(explorer, before, "method \u2193")
    assert select.evaluate("(s) => s.options[s.selectedIndex].textContent") == "Nesterov"
    assert after.readout.startswith("Nesterov,") and "2(1 + \u03bc)/(1 + 2\u03bc)" in after.readout
    assert _marked_at(after.readout) == _marked_at(before.readout)

    # The preset, from the keyboard: heavy ball at its best tuning, the marker moves there.
    preset = explorer.locator(driver.BUTTON, has_text="best heavy ball")
    (x0, _), (x1, y1) = _marker_moves(
        explorer, box, lambda: (preset.focus(), preset.press("Enter")), "preset (Enter)"
    )
    said = driver.settle(explorer).readout
    assert said.startswith("heavy ball,") and (x1, y1) != (x0, _)

    # Adam: the marker leaves the panel, and the readout says why.
    before = driver.settle(explorer)
    select.select_option(label="Adam")
    after = _after(explorer, before, "method Adam")
    assert "stability region does not apply" in after.readout and "marked at" not in after.readout
    # (each action above went through _expect_change: pixels and readout changed, and the
    # picture's accessible name is the new readout: the shared contract, without a second pass)
    _assert_clean(page, FIXTURE, "after using the explorer", console)
    _assert_accessible(page, FIXTURE, "after using every control")
    driver.shutdown_kernels(page)
