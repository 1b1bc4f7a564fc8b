"""Fixtures for the browser tests: one private JupyterLab server and one headless Chromium per
session, a fresh page per test, and a screenshot in test-artifacts/ when a test fails."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser import lab as driver

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# The fixture notebook is driven in a browser by these tests, not run by nbval.
collect_ignore_glob = ["fixtures/*"]

REPORTS = pytest.StashKey[dict]()
TARGET = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server rooted at the repository, on a free port with a random token."""
    server = driver.start_lab(ROOT, tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not driver.CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{driver.CHROMIUM} is missing. chromium is required in CI: "
                ".ci/run installs it with apt-get install -y chromium",
                pytrace=False,
            )
        pytest.skip(
            f"{driver.CHROMIUM} not found: install Debian's Chromium with "
            "`sudo apt-get install -y chromium` to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = driver.launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def failure_target(request) -> list:
    """Append a Locator here; if the test fails, the screenshot shows it (the last one)."""
    return request.node.stash.setdefault(TARGET, [])


@pytest.fixture
def page(request, browser, lab, failure_target):
    """A fresh page; on failure a screenshot goes to test-artifacts/<test name>.png. Kernels
    started by the test are shut down afterwards."""
    page = driver.new_page(browser)
    page.set_default_timeout(30_000)
    yield page
    reports = request.node.stash.get(REPORTS, {})
    if any(r.failed for r in reports.values()):
        _screenshot(page, request.node.name, failure_target)
    try:
        driver.shutdown_kernels(page)
    except Exception:
        pass
    lab.shutdown_all_kernels()
    page.context.close()


def _screenshot(page, name: str, targets: list) -> None:
    """Full-page screenshot after scrolling the failing output into view (JupyterLab paints
    only the cells in view)."""
    try:
        if not driver.scroll_to_first_problem(page) and targets:
            targets[-1].scroll_into_view_if_needed(timeout=3000)
    except Exception:
        pass
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
    try:
        page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True, timeout=15_000)
        print(f"screenshot: {path}")
    except Exception as exc:
        print(f"could not save a screenshot to {path}: {exc}")
