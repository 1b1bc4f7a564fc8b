"""axe-core on every lesson notebook in JupyterLab: the serious and critical violations inside
the course's own outputs (explorers, flashcards, verdicts, figures), per notebook and rule.

A measurement beside the tests: the browser tests assert none at all (in every notebook, the
explorers included: tests/browser/test_widgets_in_browser.py and test_accessibility.py); this
lists them by rule when there are some. JupyterLab's own chrome is left out (the scan is
limited to the notebook's output areas).

    .venv/bin/python benchmarks/accessibility_report.py          # every lesson notebook
    .venv/bin/python benchmarks/accessibility_report.py 03 05    # the ones whose name starts so

Needs chromium and axe-core (`make test` fetches it into .venv).
"""

from __future__ import annotations

import collections
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import lab as driver  # noqa: E402

AXE_JS = Path(os.environ.get("GDCOURSE_AXE_JS", ROOT / ".venv" / "axe-core-4.14.1" / "axe.min.js"))
FAILING = ("serious", "critical")

_SCAN = """async () => {
    const outputs = Array.from(document.querySelectorAll('.jp-OutputArea-output'));
    if (!outputs.length) return [];
    const result = await axe.run({include: outputs}, {resultTypes: ["violations"]});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.length}));
}"""


def scan(page, server, notebook: str) -> list[dict]:
    driver.open_notebook(page, server, notebook)
    driver.run_all(page)
    driver.wait_idle(page, timeout=300)
    # JupyterLab paints cells only in view: scroll through the notebook once.
    for output in page.locator(".jp-OutputArea-output").all():
        output.scroll_into_view_if_needed(timeout=5000)
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(_SCAN)
    driver.shutdown_kernels(page)
    return [v for v in found if v["impact"] in FAILING]


def main(prefixes: list[str]) -> int:
    if not AXE_JS.exists():
        print(f"{AXE_JS} is missing: run `make test` once (it fetches axe-core with npm)")
        return 1
    from playwright.sync_api import sync_playwright

    notebooks = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "notebooks").glob("*.ipynb")
        if not prefixes or p.name.startswith(tuple(prefixes))
    )
    server = driver.start_lab(ROOT, driver.make_tmp())
    totals: collections.Counter[str] = collections.Counter()
    try:
        with sync_playwright() as playwright:
            browser = driver.launch_browser(playwright)
            for notebook in notebooks:
                page = driver.new_page(browser)
                page.set_default_timeout(60_000)
                found = scan(page, server, notebook)
                page.context.close()
                print(f"{notebook}: {len(found)} serious or critical rule(s) violated")
                for v in found:
                    print(f"  {v['impact']:8s} {v['id']:28s} {v['nodes']:3d} node(s): {v['help']}")
                    totals[v["id"]] += v["nodes"]
            browser.close()
    finally:
        server.stop()
    print("all notebooks:", dict(totals) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
