"""axe-core on the HTML the course writes and shows: the feedback and summary pages `gdcourse
grade` writes, the verdicts and notes a check displays, and every lesson notebook's outputs in
JupyterLab, explorers included (the widget test scans the notebooks it drives, with
``serious_in_outputs``). A serious or critical violation in the course's own markup fails the
test, with axe's own words for what is wrong.

axe-core is the npm registry's package, pinned and checksummed in the Makefile (`make test`
fetches it into the venv), injected with playwright's ``add_script_tag``: never a CDN.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from tests.browser import lab as driver

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE_VERSION = "4.14.1"  # the Makefile's AXE_VERSION
AXE_JS = Path(
    os.environ.get("GDCOURSE_AXE_JS", ROOT / ".venv" / f"axe-core-{AXE_VERSION}" / "axe.min.js")
)
#: The impacts that fail a test (axe's scale: minor, moderate, serious, critical).
FAILING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_page(browser):
    if not AXE_JS.exists():
        message = f"{axe_missing()} (apt-get install npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; it is required in CI", pytrace=False)
        pytest.skip(message)
    page = driver.new_page(browser)
    yield page
    page.context.close()


def _violations(page, document: str) -> list[str]:
    """axe's serious and critical violations in ``document``, one line each."""
    page.set_content(document)
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                where: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {v['where']}"
        for v in found
        if v["impact"] in FAILING
    ]


def _page(title: str, body: str) -> str:
    """A fragment as a page of its own (JupyterLab gives an output its page's language)."""
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body><main>{body}</main></body></html>"
    )


def _graded(status: str = "ok"):
    from gdcourse.instructor.grading import GradedSubmission, QuestionResult

    results = [
        QuestionResult("lr_exploration.q1", "correct", 2, 2, "Right.", prompt="Three steps."),
        QuestionResult(
            "lr_exploration.q2",
            "incorrect",
            0,
            2,
            "Look at step 2 again.\nTry again, or ask for ex.q2.hint().",
            hint="What does one step multiply the error by?",
            prompt="The weights of 4 steps at rate 0.5.",
            table=[["input", "yours", "expected", "ok"], ["w0 = 8", "[8, 5]", "[8, 3]", "no"]],
        ),
        QuestionResult("lr_exploration.q3", "error", 0, 1, "Your code raised ZeroDivisionError."),
        QuestionResult("lr_exploration.q4", "not_attempted", 0, 1, "Not attempted."),
        QuestionResult("lr_exploration.q5", "missing", 0, 1, "No variable w_12 in the notebook."),
        QuestionResult("lr_exploration.h1", "incorrect", 0, 1, "Not yet.", hidden=True),
    ]
    return GradedSubmission(
        student="ada <lovelace>",
        file="ada.ipynb",
        lesson="lr_exploration",
        status=status,
        detail="" if status == "ok" else "The file is not a notebook (JSON expected).",
        results=results if status == "ok" else [],
    )


@pytest.mark.parametrize("status", ["ok", "not_a_notebook"])
def test_the_feedback_pages_have_no_serious_accessibility_violation(axe_page, status):
    from gdcourse.instructor.gradebook import feedback_html

    assert _violations(axe_page, feedback_html(_graded(status))) == []


def test_the_class_summary_page_has_no_serious_accessibility_violation(axe_page):
    from dataclasses import replace

    from gdcourse.instructor.summary import summarise, summary_html

    ok = _graded("ok")
    wrong = replace(
        ok,
        student="bo",
        results=[replace(r, outcome="incorrect", misconception="sign flipped") for r in ok.results],
    )
    page = summary_html(summarise([ok, wrong, _graded("not_a_notebook")]))
    assert "sign flipped" in page and "<img" in page  # every section is on the page scanned
    assert _violations(axe_page, page) == []


def _verdicts_and_notes():
    """What checks display, as JupyterLab renders them (their text/html): every outcome, a
    table of a function's inputs, a hint, a solution."""
    from gdcourse.lessons import lr_exploration as ex
    from gdcourse.lessons import sgd

    shown = [
        sgd.q4.check(sgd.q4.expected()),
        sgd.q4.check(0.89),
        sgd.q4.check("0.00087"),
        sgd.q4.check(____),  # the course's blank, a builtin once gdcourse is imported
        sgd.q4.hint(),
        sgd.q4.solution(),
    ]
    functions = [q for q in vars(ex).values() if getattr(q, "recorded_calls", None)]
    for q in functions[:1]:
        shown.append(q.check(lambda *a: 0.0))  # wrong on every input: a full table
    return shown


def test_verdicts_hints_and_solutions_have_no_serious_accessibility_violation(axe_page):
    import gdcourse  # noqa: F401 - makes ____ a builtin

    shown = _verdicts_and_notes()
    assert len(shown) >= 7
    problems = {}
    for item in shown:
        found = _violations(axe_page, _page("A check's verdict", item._repr_html_()))
        if found:
            problems[str(item)[:60]] = found
    assert problems == {}


def test_the_harness_finds_what_it_is_for(axe_page):
    # A nameless button and a slider without a label: the violations issue 18 measured in the
    # explorers (button-name, aria-input-field-name), so a clean result above is a real one.
    found = _violations(
        axe_page,
        _page(
            "broken", "<button></button><div role='slider' aria-valuenow='1' tabindex='0'></div>"
        ),
    )
    assert any("button-name" in f for f in found) and any(
        "aria-input-field-name" in f for f in found
    )


_SCAN_OUTPUTS = """async () => {
    const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
    if (!outputs.length) return null;
    const result = await axe.run({include: outputs}, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        where: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    }));
}"""


def axe_missing() -> str | None:
    """Why axe cannot run here (None: it can). In CI that is a failure, never a skip."""
    if AXE_JS.exists():
        return None
    return f"{AXE_JS} is missing: `make test` fetches axe-core {AXE_VERSION} with npm"


def serious_in_outputs(page) -> list[dict]:
    """axe's serious and critical violations in every output of the open notebook, the
    explorers' controls, pictures and readouts included; and every figure without alt text."""
    # JupyterLab paints what is seen; an explorer's still is hidden beside its live explorer.
    outputs = page.locator(".jp-OutputArea-output")
    for output in outputs.filter(has_not=page.locator(".gdcourse-explorer-still")).all():
        output.scroll_into_view_if_needed(timeout=5000)
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(_SCAN_OUTPUTS)
    assert found is not None, "no outputs: the notebook did not run"
    serious = [v for v in found if v["impact"] in FAILING]
    figures = page.locator(".jp-OutputArea-output img")
    for i in range(figures.count()):
        if not figures.nth(i).get_attribute("alt"):
            serious.append({"id": "figure-alt", "impact": "serious", "where": [f"img {i}"]})
    return serious


def _widget_notebooks() -> set[str]:
    from tests.browser.test_widgets_in_browser import NOTEBOOKS

    return set(NOTEBOOKS)


#: Lessons without widgets are scanned here; those with widgets by the widget test, which opens
#: and runs them anyway (tests/browser/test_widgets_in_browser.py), before and after it drives
#: every control: together, every notebook of the course.
SCANNED = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "notebooks").glob("*.ipynb")
    if p.relative_to(ROOT).as_posix() not in _widget_notebooks()
)


if SCANNED:  # today every lesson has a widget (an explorer or a check's cells): none here

    @pytest.mark.parametrize("notebook", SCANNED)
    def test_a_lessons_figures_and_verdicts_have_no_serious_violation_in_jupyterlab(
        axe_page, page, lab, notebook
    ):
        driver.open_notebook(page, lab, notebook)
        driver.run_all(page)
        driver.wait_idle(page, timeout=300)
        assert serious_in_outputs(page) == []


def test_every_notebook_is_scanned_by_one_test():
    everything = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert everything == set(SCANNED) | (_widget_notebooks() & everything)
