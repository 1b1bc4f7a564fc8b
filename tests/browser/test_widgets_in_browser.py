"""Every notebook with widgets runs in real JupyterLab, and its explorers answer every control.

An explorer (see gdcourse.widgets) is an element with class `gdcourse-explorer` holding an
ipympl canvas and a `gdcourse-readout`. Each slider step, button click and Play/Stop press must
change BOTH the plot's pixels and the readout text. The fixture notebook follows the same
contract with plain ipywidgets, so the suite tests something real before the course has any.
"""

from __future__ import annotations

import json
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


def _expect_change(explorer, before, what: str) -> driver.Snapshot:
    try:
        return driver.wait_for_change(explorer, before, timeout=10)
    except driver.NoChange as exc:
        message = f"{what}: {exc}"
    pytest.fail(message, pytrace=False)


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
        play_pause, stop = play.locator("button").nth(0), play.locator("button").nth(1)
        what = f"{where}, Play control {j}"
        before = driver.settle(explorer)
        play_pause.click()
        _expect_change(explorer, before, f"{what}: play")
        # Stop: the animation ends and the explorer goes back to the start (value = min).
        before = driver.snapshot(explorer)
        stop.click()
        _expect_change(explorer, before, f"{what}: stop")
        _expect_quiet(explorer, f"{what}: after stop")
        # Play again, then pause: the animation ends, without errors.
        before = driver.settle(explorer)
        play_pause.click()
        _expect_change(explorer, before, f"{what}: play after stop")
        play_pause.click()
        _expect_quiet(explorer, f"{what}: after pause")
        errors = driver.cell_errors(page)
        if errors:
            pytest.fail(f"{what}: errors after pause:\n" + "\n---\n".join(errors), pytrace=False)
        stop.click()
        driver.settle(explorer)


@pytest.mark.parametrize("relpath", NOTEBOOKS)
def test_explorers_respond_in_jupyterlab(page, lab, failure_target, relpath):
    console = driver.watch_console(page)
    driver.open_notebook(page, lab, relpath)
    driver.run_all(page)
    driver.wait_idle(page, timeout=180)
    _assert_clean(page, relpath, "after running all cells", console)

    explorers = driver.explorers(page)
    count = explorers.count()
    if relpath == FIXTURE:
        assert count == 1, f"{relpath}: expected 1 explorer, found {count}"
    for i in range(count):
        explorer = explorers.nth(i)
        failure_target.append(explorer)
        _exercise(page, explorer, f"{relpath}, explorer {i}")

    _assert_clean(page, relpath, "after using the explorers", console)
    driver.shutdown_kernels(page)
