"""Key-to-pixels latency of every explorer control, in real JupyterLab and headless Chromium.

    .venv/bin/python benchmarks/widget_latency.py [--moves N] [--quick] [--strict]

(or `make bench-widgets`, which installs the "bench" extra: ipympl and bqplot, for the
reference rows). One private JupyterLab server, one kernel, one page, running the notebook
`benchmarks/notebooks/widget_latency.ipynb` from a temporary copy (nothing is written into the
repository). It shows:

  floor      an ipywidgets slider whose observer sets an HTML text: the bare round trip;
  interact   `ipywidgets.interactive` over a matplotlib plot, inline backend (the naive way);
  ipympl     one marker moved by blitting on an ipympl canvas (what the explorers were);
  bqplot     the learning-rate explorer drawn with bqplot (benchmarks/prototypes/): the other
             way issue 18 prototyped;
  explorers  every course explorer as its lesson builds it; every control is found in the page
             (each range input, list, button and Play button), so new ones are measured too.

A move of a native range input is `stepUp()`/`stepDown()` and an `input` event (what a key press
does to it; alternately up and down, so no slider reaches an end); an ipywidgets slider gets a
keydown ArrowRight/ArrowLeft on its handle; a button (and Play) is clicked; a list takes its next
option. The clock starts in the page just before the event; the move ends in the first
animation frame in which the picture changed: an explorer's canvas `data-frame` counter, the
floor's text, interact's decoded image, ipympl's canvas pixels, bqplot's SVG paths. Play is
paused again after its first frame. Between moves the page must be quiet for `--quiet-ms`, so
moves never queue, and the controls take turns (one move each per round), so a slow spell of
this shared machine hits all alike.

The "reply" column is when the kernel's answer (its first widget update after the move) reached
the page (`widget_latency_replies.js` watches the page's sockets): the rest of a move is the
page drawing it and waiting for the next animation frame. A move lands in the floor's frame
only if its reply comes within a few ms of the floor's.

Targets (issue 18), as ratios to the floor's median in the same run: every explorer control
within 1.5x, the median over all explorer controls within 1.25x. Exit status 0; 1 with
--strict when a target is missed or a control never changed the picture.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import lab  # noqa: E402

NOTEBOOK = ROOT / "benchmarks" / "notebooks" / "widget_latency.ipynb"
PROTOTYPES = ROOT / "benchmarks" / "prototypes"
EACH, MEDIAN = 1.5, 1.25
REFERENCES = ("interact", "ipympl", "bqplot")

_JS = (ROOT / "benchmarks" / "widget_latency.js").read_text()  # runs in the page
# Runs before the notebook opens: notes when each widget update from the kernel reaches the page
# (the "reply" column: the time to the kernel's answer, before the page draws it).
REPLY_WATCH = ROOT / "benchmarks" / "widget_latency_replies.js"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20, help="recorded moves per control")
    parser.add_argument("--quick", action="store_true", help="5 moves per control")
    parser.add_argument("--warmup", type=int, default=2, help="unrecorded moves per control")
    parser.add_argument("--quiet-ms", type=int, default=300)
    parser.add_argument("--timeout-ms", type=int, default=3000)
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--only", default="", help="comma-separated outputs (e.g. floor,lr)")
    args = parser.parse_args()
    moves = 5 if args.quick else args.moves
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="gdcourse-widget-latency-"))
    os.environ["GDCOURSE_BENCH_PROTOTYPES"] = str(PROTOTYPES)  # the kernel inherits it
    times: dict[tuple[str, str], list[float]] = {}
    replies: dict[tuple[str, str], list[float]] = {}
    stale: dict[tuple[str, str], int] = {}
    notes: dict[tuple[str, str], dict[str, int]] = {}  # moves skipped (disabled) / no effect
    console: list[str] = []
    try:
        (tmp / "root").mkdir()
        write_notebook(tmp / "root" / NOTEBOOK.name, args.only)
        with lab.start_lab(tmp / "root", tmp / "lab") as server, sync_playwright() as pw:
            browser = lab.launch_browser(pw)
            print(f"Chromium {browser.version}; load average at the start {load_start[0]:.2f}")
            page = lab.new_page(browser)  # a normal window: a tall one slows every frame
            page.add_init_script(path=REPLY_WATCH)
            page.set_default_timeout(120_000)
            console = lab.watch_console(page)
            lab.open_notebook(page, server, NOTEBOOK.name)
            lab.run_all(page)
            lab.wait_idle(page, timeout=300)
            problems = lab.cell_errors(page) + lab.widget_errors(page)
            if problems:
                raise SystemExit("the benchmark notebook failed:\n" + "\n".join(problems))
            page.wait_for_timeout(2000)
            page.evaluate(_JS)
            keys = page.evaluate(
                "[...document.querySelectorAll('[class*=bench-]')].map(e => "
                "[...e.classList].find(c => c.startsWith('bench-')).slice(6))"
            )
            cases = [(k, c) for k in keys for c in page.evaluate("k => bench.controls(k)", k)]
            for round_ in range(args.warmup + moves):
                for key, control in cases:
                    page.evaluate(
                        "([k, ms, t]) => bench.quiet(k, ms, t)",
                        [key, args.quiet_ms, args.timeout_ms],
                    )
                    result = page.evaluate(
                        "([k, c, up, t]) => bench.move(k, c, up, t)",
                        [key, control, round_ % 2 == 0, args.timeout_ms],
                    )
                    name = (key, control["label"].strip())
                    if round_ < args.warmup:
                        continue
                    for what in ("skipped", "noEffect"):
                        if what in result:
                            counts = notes.setdefault(name, {})
                            counts[what] = counts.get(what, 0) + 1
                    if "skipped" in result or "noEffect" in result:
                        continue
                    if "stale" in result:
                        stale[name] = stale.get(name, 0) + 1
                    else:
                        times.setdefault(name, []).append(result["ms"])
                        if result.get("reply") is not None:
                            replies.setdefault(name, []).append(result["reply"])
            lab.shutdown_kernels(page)
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ok = report(times, replies, stale, notes, moves, load_start)
    errors = list(dict.fromkeys(console))
    print(f"browser console errors: {len(errors)}" + "".join(f"\n  {e[:200]}" for e in errors[:10]))
    return 1 if args.strict and not ok else 0


def write_notebook(path: Path, only: str) -> None:
    """The benchmark notebook, or (``--only``) its setup and the outputs named, with the floor."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    if only:
        keep = {"floor", *only.split(",")}
        nb.cells = [
            c
            for i, c in enumerate(nb.cells)
            if i < 2 or any(f'"bench-{k}"' in c.source for k in keep)
        ]
    nbformat.write(nb, path)


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def versions() -> str:
    names = ("jupyterlab", "ipywidgets", "anywidget", "ipympl", "bqplot", "matplotlib", "numpy")
    found = []
    for name in ("playwright", *names):
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} missing")
    return ", ".join(found)


def report(times, replies, stale, notes, moves, load_start) -> bool:
    floor = statistics.median(times[("floor", "value slider")])
    print(f"\n{moves} moves per control; floor median {floor:.1f} ms")
    print("(reply: median time to the kernel's answer reaching the page; the rest is drawing and")
    print(" waiting for the next animation frame)\n")
    print(f"{'what':<14}{'control':<38}{'median':>8}{'p90':>8}{'reply':>7}{'ratio':>7}  target")
    ok, ratios = True, []

    def said(name) -> str:
        counts = {"readout changed, picture stale": stale.get(name, 0), **notes.get(name, {})}
        words = {"skipped": "skipped (disabled)", "noEffect": "no effect"}
        return "".join(f" ({n} moves {words.get(w, w)})" for w, n in counts.items() if n)

    for name in [*times, *(n for n in [*stale, *notes] if n not in times)]:
        key, label = name
        values = times.get(name, [])
        if not values:
            fail = bool(stale.get(name))  # a control with no effect at all is no failure
            verdict = "FAIL" if fail else ""
            print(f"{key:<14}{label:<38}{'no new pixels':>30}  {verdict}{said(name)}")
            ok &= not fail
            continue
        median, ratio = statistics.median(values), statistics.median(values) / floor
        if key == "floor":
            target = "the floor"
        elif key in REFERENCES:
            target = "reference"
        else:
            ratios.append(ratio)
            passed = ratio <= EACH and not stale.get(name)
            ok &= passed
            target = f"<= {EACH}x {'ok' if passed else 'FAIL'}"
        target += said(name)
        reply = statistics.median(replies[name]) if replies.get(name) else float("nan")
        print(
            f"{key:<14}{label:<38}{median:8.1f}{_p90(values):8.1f}{reply:7.1f}{ratio:7.2f}  "
            f"{target}"
        )
    overall = statistics.median(ratios)
    ok &= overall <= MEDIAN
    print(
        f"\nmedian ratio over all {len(ratios)} explorer controls: {overall:.2f} (target <= "
        f"{MEDIAN}x: {'ok' if overall <= MEDIAN else 'FAIL'})"
    )
    end = os.getloadavg()
    print(
        f"load average: start {load_start[0]:.2f}, end {end[0]:.2f}; all targets met: "
        f"{'yes' if ok else 'NO'}\n{versions()}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
