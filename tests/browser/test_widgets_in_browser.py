"""Every notebook with widgets runs in real JupyterLab, and its explorers answer every control.

An explorer (see gdcourse.widgets) is an element with class `gdcourse-explorer` holding its
native controls, a canvas and a `gdcourse-readout`. Each slider step, button click, Play press
and list choice must change BOTH the picture's pixels and the readout text. The fixture
notebook is a minimal explorer built from the same parts, so the suite tests the platform
itself, apart from any lesson.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.browser import lab as driver

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = "tests/browser/fixtures/explorer_contract.ipynb"


def _has_widgets(path: Path) -> bool:
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return True  # unreadable: let the test open it and report
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            if "gdcourse.widgets" in source or "ipywidgets" in source:
                return True
    return False


NOTEBOOKS = [
    p.relative_to(ROOT).as_posix()
    for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
    if _has_widgets(p)
] + [FIXTURE]


def _assert_clean(page, relpath: str, when: str, console: list[str]) -> None:
    errors = driver.cell_errors(page)
    if errors:
        pytest.fail(f"{relpath}: cell errors {when}:\n" + "\n---\n".join(errors), pytrace=False)
    broken = driver.widget_errors(page)
    if broken:
        pytest.fail(
            f"{relpath}: widgets not displayed {when}: {broken}\n"
            "browser console errors:\n" + "\n".join(m[:300] for m in console[-10:]),
            pytrace=False,
        )


def _assert_accessible(page, relpath: str, when: str) -> None:
    """axe-core on every output, the explorers included: no serious or critical violation."""
    from tests.browser.test_accessibility import axe_missing, serious_in_outputs

    missing = axe_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; it is required in CI", pytrace=False)
        return  # locally without npm: the accessibility tests say so (skipped)
    serious = serious_in_outputs(page)
    if serious:
        pytest.fail(f"{relpath}: accessibility violations {when}: {serious}", pytrace=False)


def _expect_change(explorer, before, what: str) -> driver.Snapshot:
    try:
        after = driver.wait_for_change(explorer, before, timeout=10)
    except driver.NoChange as exc:
        message = f"{what}: {exc}"
    else:
        _expect_named_by_the_readout(explorer, what)
        return after
    pytest.fail(message, pytrace=False)


def _expect_named_by_the_readout(explorer, what: str) -> None:
    """The picture (role=img) is named by the readout: what a screen reader reads of it."""
    picture = explorer.locator(driver.PICTURE)
    if not picture.count():
        return  # the fixture's plain-ipywidgets explorers have none
    deadline = time.monotonic() + 5
    while True:
        name = picture.first.get_attribute("aria-label") or ""
        readout = explorer.locator(driver.READOUT).first.inner_text().strip()
        if picture.first.get_attribute("role") == "img" and name.strip() == readout:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: the picture is named {name!r}, the readout says {readout!r}")
        time.sleep(0.05)


def _expect_quiet(explorer, what: str) -> driver.Snapshot:
    try:
        return driver.settle(explorer, quiet=0.5, timeout=5, strict=True)
    except driver.StillChanging as exc:
        message = f"{what}: {exc}"
    pytest.fail(message, pytrace=False)


def _exercise(page, explorer, where: str) -> None:
    explorer.scroll_into_view_if_needed()
    sliders = driver.sliders(explorer)
    for j in range(sliders.count()):
        slider = sliders.nth(j)
        label = driver.label_of(slider)
        handle = slider.locator(driver.SLIDER_HANDLE).first
        if handle.is_disabled():  # e.g. T of a constant schedule: it must say why
            why = handle.get_attribute("title") or ""
            assert why.strip(), f"{where}, slider {label!r} is disabled without a word"
            continue
        before = driver.settle(explorer)
        key = driver.press_slider(slider)
        _expect_change(explorer, before, f"{where}, slider {label!r} ({key})")

    buttons = driver.buttons(explorer)
    for j in range(buttons.count()):
        button = buttons.nth(j)
        label = driver.label_of(button)
        before = driver.settle(explorer)
        button.click()
        _expect_change(explorer, before, f"{where}, button {label!r}")

    plays = driver.plays(explorer)
    for j in range(plays.count()):
        play = plays.nth(j)
        what = f"{where}, Play button {j}"
        before = driver.settle(explorer)
        play.click()
        _expect_change(explorer, before, f"{what}: play")
        assert play.inner_text() in ("Pause", "Play"), f"{what}: its name is {play.inner_text()!r}"
        if play.inner_text() == "Pause":
            play.click()  # pause: the animation ends, without errors
        _expect_quiet(explorer, f"{what}: after pause")
        assert play.inner_text() == "Play", f"{what}: after pausing it says {play.inner_text()!r}"
        errors = driver.cell_errors(page)
        if errors:
            pytest.fail(f"{what}: errors after pause:\n" + "\n---\n".join(errors), pytrace=False)

    selects = explorer.locator(driver.SELECT + " select")
    for j in range(selects.count()):
        select = selects.nth(j)
        options = select.locator("option")
        current = select.input_value()
        other = next(
            options.nth(i).get_attribute("value")
            for i in range(options.count())
            if options.nth(i).get_attribute("value") != current
        )
        before = driver.settle(explorer)
        select.select_option(other)
        _expect_change(explorer, before, f"{where}, list {j} set to option {other}")


@pytest.mark.parametrize("relpath", NOTEBOOKS)
def test_explorers_respond_in_jupyterlab(page, lab, failure_target, relpath):
    console = driver.watch_console(page)
    driver.open_notebook(page, lab, relpath)
    driver.run_all(page)
    driver.wait_idle(page, timeout=180)
    _assert_clean(page, relpath, "after running all cells", console)

    _assert_accessible(page, relpath, "after running all cells")

    explorers = driver.explorers(page)
    count = explorers.count()
    if relpath == FIXTURE:
        assert count == 1, f"{relpath}: expected 1 explorer, found {count}"
    for i in range(count):
        explorer = explorers.nth(i)
        failure_target.append(explorer)
        _exercise(page, explorer, f"{relpath}, explorer {i}")

    _assert_clean(page, relpath, "after using the explorers", console)
    _assert_accessible(page, relpath, "after using every control")
    _expect_stills_hidden(page, relpath, count)
    if relpath == FIXTURE:
        _expect_ends_reachable(explorers.first)
        _expect_shrinks_to_fit(page, explorers.first)
        _expect_moves_kept_while_the_kernel_is_busy(page, explorers.first)
        _expect_notice_when_the_kernel_is_gone(page, explorers.first)
    for i in range(count):
        _expect_tooltip_says_why_disabled(explorers.nth(i))
    driver.shutdown_kernels(page)


def _expect_tooltip_says_why_disabled(explorer) -> None:
    """A schedule list set to "constant" disables the time-scale slider, whose tooltip then
    says why (the tooltip follows the kernel's, not the one the page was built with)."""
    select = explorer.locator(driver.SELECT + " select")
    if not select.count() or not select.locator("option", has_text="constant").count():
        return
    if not explorer.locator(driver.SLIDER).filter(has_text="time scale").count():
        return  # a schedule list without a time scale (lesson 10's explorer): nothing to disable
    chosen = select.first.evaluate("(s) => s.options[s.selectedIndex].textContent")
    if chosen != "constant":
        before = driver.settle(explorer)
        select.first.select_option(label="constant")
        driver.wait_for_change(explorer, before, need_canvas=False)
    slider = explorer.locator(driver.SLIDER).filter(has_text="time scale").first
    handle = slider.locator(driver.SLIDER_HANDLE)
    deadline = time.monotonic() + 5
    while not (handle.is_disabled() and "no time scale" in (handle.get_attribute("title") or "")):
        assert time.monotonic() < deadline, (
            f"T disabled without a word: {handle.get_attribute('title')!r}"
        )
        time.sleep(0.1)
    assert "no time scale" in (slider.get_attribute("title") or "")


def _expect_stills_hidden(page, relpath: str, count: int) -> None:
    """Each explorer displays a still picture after itself (for viewers and exports): next to
    its live explorer it is not shown."""
    stills = page.locator(".jp-OutputArea-output .gdcourse-explorer-still")
    assert stills.count() == count, f"{relpath}: {stills.count()} stills for {count} explorers"
    for i in range(count):
        assert not stills.nth(i).is_visible(), f"{relpath}: still {i} shown beside its explorer"


def _expect_ends_reachable(explorer) -> None:
    """End and Home take a log slider to its ends, also an end off its grid (log10 0.5)."""
    slider = explorer.locator(driver.SLIDER).filter(has_text="rate").first
    handle = slider.locator(driver.SLIDER_HANDLE)
    # Rapid presses (a held key, a drag): the kernel gets the latest position, not a queue of
    # old ones; once quiet, the readout is the slider's own value.
    handle.focus()
    start, step, top = handle.evaluate("(e) => [e.value, e.step, e.max].map(Number)")
    for _ in range(25):
        handle.press("ArrowRight")
    quiet = driver.settle(explorer, quiet=0.5)
    said = float(quiet.readout.split("rate = ", 1)[1].split(",", 1)[0])
    assert said == pytest.approx(10 ** min(start + 25 * step, top), rel=1e-3), quiet.readout
    for key, end in (("End", "0.5"), ("Home", "0.001")):
        before = driver.settle(explorer)
        handle.focus()
        handle.press(key)
        driver.wait_for_change(explorer, before, need_canvas=False)
        assert handle.get_attribute("aria-valuetext") == end, f"{key}: not at the end {end}"
        assert driver.settle(explorer).readout.startswith(f"rate = {end},")


def _expect_shrinks_to_fit(page, explorer) -> None:
    """In a narrow window the picture shrinks, in proportion, to fit its cell."""
    canvas = explorer.locator("canvas.gdx-canvas")
    wide = canvas.bounding_box()
    page.set_viewport_size({"width": 520, "height": 1000})
    try:
        deadline = time.monotonic() + 5
        while True:
            box = canvas.bounding_box()
            room = explorer.evaluate("(el) => el.closest('.jp-OutputArea-output').clientWidth")
            if box["width"] <= room + 1 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert box["width"] <= room + 1, f"the picture ({box['width']} px) overflows {room} px"
        assert box["width"] < wide["width"]
        # ... and no control is cut off: every row fits (a slider gives up width).
        cut = explorer.evaluate(
            "(el) => [...el.querySelectorAll('.gdx-row')]"
            ".filter((r) => r.scrollWidth > r.clientWidth + 1).map((r) => r.textContent)"
        )
        assert cut == [], f"controls cut off in a {room} px cell: {cut}"
        ratio = (box["height"] / box["width"], wide["height"] / wide["width"])
        assert ratio[0] == pytest.approx(ratio[1], rel=0.02), "the picture is distorted"
    finally:
        page.set_viewport_size(driver.VIEWPORT)


def _expect_moves_kept_while_the_kernel_is_busy(page, explorer) -> None:
    """Keys pressed and buttons clicked while the kernel runs a long cell: once it is free, the
    kernel, the sliders and the readout are where the student's last actions left them, in the
    order they were done (no older position wins, no click is lost or overtaken)."""
    rate = (
        explorer.locator(driver.SLIDER).filter(has_text="rate").first.locator(driver.SLIDER_HANDLE)
    )
    shown = explorer.locator(driver.SLIDER).filter(has_text="steps shown").first
    shown = shown.locator(driver.SLIDER_HANDLE)
    offset = lambda text: int(text.split("offset = ", 1)[1].split(",", 1)[0])  # noqa: E731
    explorer.locator(driver.BUTTON, has_text="Reset").click()  # k = 0: the steps below count
    before = driver.settle(explorer, quiet=0.5)
    assert shown.evaluate("(e) => Number(e.value)") == 0
    start, step = rate.evaluate("(e) => [e.value, e.step].map(Number)")
    extra = offset(before.readout) - int(shown.evaluate("(e) => Number(e.value)"))
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
        ".requestExecute({code: 'import time; time.sleep(5)'})"
    )
    for wait in (0.3, 1.0, 2.6):  # the last one after the page's 3 s patience with an answer
        time.sleep(wait)
        rate.focus()
        rate.press("ArrowRight")
    shown.focus()
    shown.press("ArrowRight")
    shown.press("ArrowRight")
    explorer.locator(driver.BUTTON, has_text="Reset").click()  # after the two steps: k = 0
    for _ in range(2):
        explorer.locator(driver.BUTTON, has_text="Shift").click()  # each click counts
    expected = (10 ** (start + 3 * step), extra + 2)
    deadline = time.monotonic() + 40
    while True:
        said = driver.settle(explorer, quiet=0.5).readout
        got = (float(said.split("rate = ", 1)[1].split(",", 1)[0]), offset(said))
        if got[0] == pytest.approx(expected[0], rel=1e-3) and got[1] == expected[1]:
            break
        assert time.monotonic() < deadline, f"after a busy kernel: {said!r}, expected {expected}"
        time.sleep(0.5)
    assert rate.evaluate("(e) => Number(e.value)") == pytest.approx(start + 3 * step)
    assert shown.evaluate("(e) => Number(e.value)") == 0


def _expect_notice_when_the_kernel_is_gone(page, explorer) -> None:
    """After a kernel restart the explorer says it has stopped and disables its controls,
    instead of controls that look live and do nothing."""
    page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()"
    )
    notice = explorer.locator(".gdx-notice")
    notice.wait_for(state="visible", timeout=30_000)
    assert "Run the cell again" in notice.inner_text()
    assert notice.get_attribute("role") == "alert"
    for control in explorer.locator("input, select, button").all():
        assert control.is_disabled(), "a control of a stopped explorer is still enabled"
