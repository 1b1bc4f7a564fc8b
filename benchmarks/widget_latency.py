"""Key-to-pixels latency of every explorer control, in real JupyterLab and headless Chromium.

Run with `.venv/bin/python benchmarks/widget_latency.py [--quick] [--strict]` from the
repository root (or `make bench-widgets`). Needs Debian's Chromium (/usr/bin/chromium).

One JupyterLab server, rooted at a temporary directory that holds a notebook generated here
(nothing is written into the repository), one kernel, one browser page. The notebook shows:

  floor     a FloatSlider whose observer sets an HTML widget: the bare kernel round trip;
  interact  `ipywidgets.interactive` over a matplotlib line plot, inline backend: the naive
            way, for comparison;
  ipympl    a BlitFigure that moves one marker, no text, no computing: the least any
            ipympl explorer costs (a reference, no target);
  explorers LearningRateExplorer(curvature=True), StepExplorer and ContourExplorer, as the
            lessons build them, and GradientDirectionExplorer, ConditioningExplorer and
            BatchSizeExplorer.

A move is a key press on a slider handle (ArrowRight / ArrowLeft alternately, so no slider
hits an end) or a button click. Press and detection run inside one `page.evaluate`: the page
reads `performance.now()`, dispatches the event, then polls once per animation frame (the
frame in which the new pixels are presented) until the picture changed:

  floor     the HTML text changed;
  interact  the output's <img> changed and the new image is decoded;
  explorer  the ipympl canvas pixels changed (an FNV hash of getImageData).

It then keeps polling until nothing changed for `--quiet-ms`, so moves never queue. The cases
are measured round-robin (one move of each control per round) so that a slow spell of this
shared machine hits every control alike. Targets are ratios to the floor's median: at most
1.5x for controls that only move artists (timed to the first new pixels), at most 3.5x for
controls that must redraw the background (timed to the last new frame of the move, since an
explorer may first blit its artists over the old background). A move whose picture never
changes (within `--timeout-ms`) fails its control: the student is left with a stale picture.

Diagnostics: when the explorer's text readout changed, when ipympl's front end received the
first PNG (a wrapper around URL.createObjectURL), and, from the kernel, the time per blit and
per full draw, frames sent (diff / full / identical to the previous frame) and PNG sizes.

Exit status: 0; 1 with --strict when a target is missed; 2 when the kernel was restarted
during the run (the widgets died, so the numbers mean nothing).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser import lab  # noqa: E402  (needs the repository root on sys.path)

MOVES_TARGET = 1.5  # max ratio to the floor, for controls that only move artists
REDRAW_TARGET = 3.5  # max ratio to the floor, for controls that must redraw the background
MOVES, REDRAW = "moves artists", "redraws background"
NOTEBOOK = "widget_latency.ipynb"
PACKAGES = (
    "jupyterlab",
    "jupyterlab_widgets",
    "ipywidgets",
    "ipykernel",
    "ipympl",
    "matplotlib",
    "numpy",
    "playwright",
)


# --------------------------------------------------------------------------- the notebook

_SETUP = """\
import json
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from gdcourse.widgets import (
    BatchSizeExplorer,
    BlitFigure,
    ConditioningExplorer,
    ContourExplorer,
    GradientDirectionExplorer,
    LearningRateExplorer,
    StepExplorer,
)

# After the import: importing ipympl switches pyplot to the ipympl backend.
%matplotlib inline


def instrument(fig):
    \"\"\"Count what the kernel does per frame (cheap: two perf_counter calls per event).\"\"\"
    stats = {"blit_ms": [], "full_requests": 0, "draw_ms": [], "frames": 0, "full": 0,
             "diff": 0, "empty": 0, "png_bytes": []}
    canvas, update, draw, send = fig.canvas, fig.update, fig.canvas.draw, fig.canvas.send_binary
    diff_image = canvas.get_diff_image

    def timed_update(*, full=False):
        if full or fig._background is None:
            stats["full_requests"] += 1
            return update(full=full)
        t = time.perf_counter()
        update(full=full)
        stats["blit_ms"].append(1e3 * (time.perf_counter() - t))

    def timed_draw():
        t = time.perf_counter()
        draw()
        stats["draw_ms"].append(1e3 * (time.perf_counter() - t))

    def counted_send(data):
        stats["frames"] += 1
        stats[canvas._current_image_mode] = stats.get(canvas._current_image_mode, 0) + 1
        stats["png_bytes"].append(len(data))
        send(data)

    def checked_diff_image():
        # A frame identical to the last one sent (costs a PNG and a message, shows nothing).
        if canvas._png_is_old:
            now = np.asarray(canvas.get_renderer().buffer_rgba()).view(np.uint32).squeeze(2)
            if now.shape == canvas._last_buff.shape and np.array_equal(now, canvas._last_buff):
                stats["empty"] += 1
        return diff_image()

    fig.update, canvas.draw, canvas.send_binary = timed_update, timed_draw, counted_send
    canvas.get_diff_image = checked_diff_image
    return stats
"""

_FLOOR = """\
floor_slider = widgets.FloatSlider(
    value=1.0, min=0.0, max=2.0, step=0.01, description="value", continuous_update=True
)
floor_html = widgets.HTML("<b>1.000</b>")
floor_html.add_class("bench-floor-out")


def _on_floor(change):
    floor_html.value = f"<b>{change['new']:.3f}</b>"


floor_slider.observe(_on_floor, names="value")
floor_box = widgets.VBox([floor_slider, floor_html])
floor_box.add_class("bench-floor")
display(floor_box)
"""

_INTERACT = """\
_x = np.linspace(0.0, 4 * np.pi, 400)


def naive_plot(freq=1.0):
    fig, ax = plt.subplots(figsize=(8.0, 3.4))
    ax.plot(_x, np.sin(freq * _x))
    ax.set_ylim(-1.1, 1.1)
    plt.show()


naive = widgets.interactive(
    naive_plot,
    freq=widgets.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.01, description="freq"),
)
naive.add_class("bench-interact")
display(naive)
"""

_IPYMPL_FLOOR = """\
# The least an ipympl explorer can do: one marker moved by the course's BlitFigure.
mini_fig = BlitFigure()
mini_marker = mini_fig.axes[0].plot([1.0], [1.0], "o", ms=8)[0]
mini_fig.axes[0].set_xlim(0.0, 2.0)
mini_fig.axes[0].set_ylim(0.0, 2.0)
mini_fig.animate([mini_marker])
mini_slider = widgets.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.01, description="value")


def _on_mini(change):
    mini_marker.set_data([change["new"]], [1.0])
    mini_fig.update()


mini_slider.observe(_on_mini, names="value")
mini_box = widgets.VBox([mini_slider, mini_fig.canvas])
mini_box.add_class("bench-ipympl")
display(mini_box)
"""

_LEARNING_RATE = """\
lr_ex = LearningRateExplorer(curvature=True)
lr_ex.widget.add_class("bench-lr")
lr_stats = instrument(lr_ex.fig)
lr_ex
"""

_CONTOUR = """\
ct_ex = ContourExplorer()
ct_ex.widget.add_class("bench-contour")
ct_stats = instrument(ct_ex.fig)
ct_ex
"""

_STEP = """\
st_ex = StepExplorer()
st_ex.widget.add_class("bench-step")
st_stats = instrument(st_ex.fig)
st_ex
"""

_DIRECTION = """\
gd_ex = GradientDirectionExplorer()
gd_ex.widget.add_class("bench-direction")
gd_stats = instrument(gd_ex.fig)
gd_ex
"""

_CONDITIONING = """\
cn_ex = ConditioningExplorer()
cn_ex.widget.add_class("bench-conditioning")
cn_stats = instrument(cn_ex.fig)
cn_ex
"""

_BATCH = """\
from gdcourse import LinearRegression, make_regression

_X, _y, _ = make_regression(1024, 5, noise=0.5, seed=0)  # lesson 05's problem
bs_ex = BatchSizeExplorer(LinearRegression(_X, _y), np.full(5, 3.0), batch_size=32, lr=0.03)
bs_ex.widget.add_class("bench-batch")
bs_stats = instrument(bs_ex.fig)
bs_ex
"""

_KERNEL_STATS = """\
print(json.dumps({
    name: dict(stats, blits=ex.fig.blits, full_redraws=ex.fig.full_redraws)
    for name, ex, stats in [("learning rate", lr_ex, lr_stats), ("step", st_ex, st_stats),
                            ("contour", ct_ex, ct_stats), ("direction", gd_ex, gd_stats),
                            ("conditioning", cn_ex, cn_stats), ("batch size", bs_ex, bs_stats)]
}))
"""


CELLS = (
    _SETUP,
    _FLOOR,
    _INTERACT,
    _IPYMPL_FLOOR,
    _LEARNING_RATE,
    _STEP,
    _CONTOUR,
    _DIRECTION,
    _CONDITIONING,
    _BATCH,
)


def write_notebook(path: Path) -> None:
    def cell(i: int, source: str) -> dict:
        return {
            "id": f"bench-{i}",
            "cell_type": "code",
            "execution_count": None,
            # Inputs collapsed: every output then fits in one viewport, so all are painted.
            "metadata": {"jupyter": {"source_hidden": True}},
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }

    notebook = {
        "cells": [cell(i, s) for i, s in enumerate(CELLS)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def write_lab_settings(settings_dir: Path) -> None:
    """Attach every cell (no windowing), so that no output is skipped by the renderer."""
    tracker = settings_dir / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))


# --------------------------------------------------------------------------- the cases


@dataclass
class Case:
    case: str
    control: str
    kind: str  # MOVES, REDRAW, "floor" or "reference"
    root: str  # CSS selector of the widget box
    probe: str  # "html", "img" or "canvas"
    slider: str | None = None  # label prefix of a slider
    buttons: tuple[str, ...] = ()  # label prefixes of buttons, clicked in turn
    play: bool = False
    prepare: str | None = None  # label prefix of a button clicked (unmeasured) before a move
    method: str = "dispatch"  # "dispatch" (KeyboardEvent in the page) or "keyboard" (playwright)
    times: list[float] = field(default_factory=list)
    readout_times: list[float] = field(default_factory=list)
    last_times: list[float] = field(default_factory=list)
    png_times: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    count: int = 0  # moves made (warm-up included): sets the direction / button

    @property
    def target(self) -> float | None:
        return {MOVES: MOVES_TARGET, REDRAW: REDRAW_TARGET}.get(self.kind)


def make_cases() -> list[Case]:
    lr, st, ct = ".bench-lr", ".bench-step", ".bench-contour"
    gd, cn, bs = ".bench-direction", ".bench-conditioning", ".bench-batch"
    cases = [
        Case("floor: slider -> HTML", "slider", "floor", ".bench-floor", "html", slider="value"),
        Case("naive interact (inline)", "slider", "reference", ".bench-interact", "img", "freq"),
        Case("ipympl floor: 1 marker", "slider", "reference", ".bench-ipympl", "canvas", "value"),
        Case("LearningRateExplorer", "rate slider", MOVES, lr, "canvas", slider="rate"),
        Case("LearningRateExplorer", "start w0 slider", MOVES, lr, "canvas", slider="start w"),
        Case("LearningRateExplorer", "curvature slider", REDRAW, lr, "canvas", "curvature"),
        Case(
            "LearningRateExplorer",
            "preset buttons 1/a, 2/a",
            MOVES,
            lr,
            "canvas",
            buttons=("rate 1/a", "rate 2/a"),
        ),
        Case("StepExplorer", "rate slider", MOVES, st, "canvas", slider="rate"),
        Case("StepExplorer", "start w0 slider", MOVES, st, "canvas", slider="start w"),
        Case("StepExplorer", "Step button", MOVES, st, "canvas", buttons=("Step",)),
        Case("StepExplorer", "Play (first frame)", MOVES, st, "canvas", play=True),
        Case("ContourExplorer", "rate slider", MOVES, ct, "canvas", slider="rate"),
        Case("ContourExplorer", "start x0 slider", MOVES, ct, "canvas", slider="start x"),
        Case("ContourExplorer", "steps slider", REDRAW, ct, "canvas", slider="steps"),
        Case("ContourExplorer", "Step button", MOVES, ct, "canvas", buttons=("Step",)),
        Case("ContourExplorer", "Play (first frame)", MOVES, ct, "canvas", play=True),
        Case("GradientDirectionExplorer", "direction slider", MOVES, gd, "canvas", "direction"),
        Case("GradientDirectionExplorer", "point x slider", MOVES, gd, "canvas", "point x"),
        Case(
            "GradientDirectionExplorer",
            "direction presets",
            MOVES,
            gd,
            "canvas",
            buttons=("\u03b8 = steepest descent", "\u03b8 = along"),
        ),
        Case("ConditioningExplorer", "rate slider", MOVES, cn, "canvas", slider="rate"),
        Case("ConditioningExplorer", "condition number slider", REDRAW, cn, "canvas", "condition"),
        Case(
            "ConditioningExplorer",
            "presets",
            MOVES,
            cn,
            "canvas",
            buttons=("best fixed rate", "edge"),
        ),
        Case("BatchSizeExplorer", "batch size slider", MOVES, bs, "canvas", "batch size"),
        Case("BatchSizeExplorer", "rate slider", MOVES, bs, "canvas", slider="rate"),
        Case("BatchSizeExplorer", "seed slider", MOVES, bs, "canvas", slider="shuffle seed"),
    ]
    # Step from step 0 (after an unmeasured Reset): a run shown whole has no next step.
    for case in cases:
        if case.buttons == ("Step",):
            case.prepare = "Reset"
    return cases


# --------------------------------------------------------------------------- the page side

_BENCH_JS = r"""
() => {
    const fnv = (words) => {
        let h = 0x811c9dc5;
        for (let i = 0; i < words.length; i++) { h ^= words[i]; h = Math.imul(h, 0x01000193); }
        return h >>> 0;
    };
    const labelOf = (el) => (el.querySelector('.widget-label')?.textContent ?? '').trim();
    const rootOf = (sel) => {
        const root = document.querySelector(sel);
        if (!root) throw new Error(`no element ${sel}`);
        return root;
    };
    const findTarget = (spec, count) => {
        const root = rootOf(spec.root);
        if (spec.slider) {
            const slider = [...root.querySelectorAll('.widget-slider')]
                .find((s) => labelOf(s).startsWith(spec.slider));
            const handle = slider?.querySelector('.noUi-handle');
            if (!handle) throw new Error(`no slider "${spec.slider}" in ${spec.root}`);
            return handle;
        }
        if (spec.play) {
            const button = root.querySelector('.widget-play button');
            if (!button) throw new Error(`no Play control in ${spec.root}`);
            return button;
        }
        const name = spec.buttons[count % spec.buttons.length];
        return findButton(root, name);
    };
    const findButton = (root, name) => {
        const button = [...root.querySelectorAll('.widget-button')]
            .find((b) => b.textContent.trim().startsWith(name));
        if (!button) throw new Error(`no button "${name}"`);
        return button;
    };
    const probeOf = (spec) => {
        const root = rootOf(spec.root);
        if (spec.probe === 'html') {
            const el = root.querySelector('.bench-floor-out');
            return () => el.textContent;
        }
        if (spec.probe === 'img') {
            // null while a new image is still decoding: not yet new pixels.
            return () => {
                const imgs = [...root.querySelectorAll('.widget-output img')];
                if (!imgs.length || imgs.some((i) => !i.complete || !i.naturalWidth)) return null;
                return imgs.map((i) => i.src).join('|');
            };
        }
        const canvas = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
        if (!canvas) throw new Error(`no ipympl canvas in ${spec.root}`);
        const ctx = canvas.getContext('2d');
        return () => {
            const w = canvas.width, h = canvas.height;
            if (!w || !h) return null;
            return `${w}x${h}:` + fnv(new Uint32Array(ctx.getImageData(0, 0, w, h).data.buffer));
        };
    };
    const readoutOf = (spec) => {
        const el = rootOf(spec.root).querySelector('.gdcourse-readout');
        return el ? () => el.textContent : null;
    };
    // When ipympl received each PNG frame (its front end makes a blob URL of every image).
    const received = [];
    if (!URL.createObjectURL.__bench) {
        const create = URL.createObjectURL;
        URL.createObjectURL = function (obj) {
            if (obj instanceof Blob && obj.type === 'image/png') {
                received.push(performance.now());
                if (received.length > 100) received.shift();
            }
            return create.call(URL, obj);
        };
        URL.createObjectURL.__bench = true;
    }
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const focused = async (el, wait) => {
        if (document.activeElement !== el) {
            el.focus();
            for (let i = 0; i < 2; i++) await frame();
            await new Promise((r) => setTimeout(r, wait));
        }
    };
    const next = (poll, fn) => poll === 'raf' ? requestAnimationFrame(fn) : setTimeout(fn, 0);

    // Watch until the probe changed, then until it was quiet for opts.quiet ms. `act` runs
    // right after the clock starts (null: the caller presses a key itself); `onFirst` at the
    // first change.
    const watch = (spec, opts, act, onFirst = null) => new Promise((resolve) => {
        const probe = probeOf(spec), readout = readoutOf(spec);
        const before = probe(), readoutBefore = readout ? readout() : null;
        let moved = null;
        const t0 = performance.now();
        if (act) moved = act();
        let tFirst = null, tReadout = null, tLast = t0, last = before, frames = 0;
        const tick = () => {
            const now = performance.now();
            let sig;
            try { sig = probe(); } catch (e) { return resolve({error: String(e)}); }
            if (sig === null) {
                tLast = now;
            } else if (sig !== last) {
                frames++; last = sig; tLast = now;
                if (tFirst === null) { tFirst = now; if (onFirst) onFirst(); }
            }
            if (readout && tReadout === null && readout() !== readoutBefore) tReadout = now;
            if (tFirst === null && now - t0 > opts.timeout) {
                if (onFirst) onFirst();
                return resolve({error: `no new pixels within ${opts.timeout} ms`, moved});
            }
            if (tFirst !== null && now - tLast >= opts.quiet) {
                const png = received.find((t) => t >= t0);
                return resolve({dt: tFirst - t0, last: tLast - t0, frames, moved,
                                readout: tReadout === null ? null : tReadout - t0,
                                png: png === undefined ? null : png - t0});
            }
            next(opts.poll, tick);
        };
        next(opts.poll, tick);
    });

    window.__bench = {
        findTarget, findButton, watch,
        // One move: the key press / click and the detection, in the page.
        move: async (spec, count, opts) => {
            // Focus first, outside the timed part: focusing an output activates its notebook
            // cell, which JupyterLab restyles (a student's first click does that once).
            const target = findTarget(spec, count);
            await focused(target, opts.focusWait);
            return watch(spec, opts, () => {
                if (spec.slider) {
                    const key = count % 2 ? 'ArrowLeft' : 'ArrowRight';
                    // The slider's readout follows the handle at once (aria-valuenow does not).
                    const text = target.closest('.widget-slider').querySelector('.widget-readout');
                    const before = text.textContent;
                    for (const type of ['keydown', 'keyup'])
                        target.dispatchEvent(new KeyboardEvent(type, {
                            key, code: key, bubbles: true, cancelable: true}));
                    return text.textContent !== before;
                }
                target.click();
                return true;
            }, spec.play ? () => target.click() : null);  // Play: pause at the first frame
        },
        // The fallback: start the clock and the watch, then playwright presses the key.
        arm: async (spec, count, opts) => {
            await focused(findTarget(spec, count), opts.focusWait);
            window.__benchPending = watch(spec, opts, null);
        },
        click: (root, name) => findButton(rootOf(root), name).click(),
        visible: (sels) => sels.map((s) => {
            const r = rootOf(s).getBoundingClientRect();
            const inside = r.top >= 0 && r.bottom <= innerHeight;
            return {sel: s, top: r.top, bottom: r.bottom, inside};
        }),
    };
}
"""

_SETTLE_JS = """async ([spec, opts]) => {
    // Quiet for opts.quiet ms: first wait one quiet period, then restart if anything changed.
    for (let i = 0; i < 50; i++) {
        const r = await window.__bench.watch(spec, {...opts, timeout: opts.quiet}, null);
        if (r.error) return true;  // nothing changed during a whole quiet period
    }
    return false;
}"""


def spec_of(case: Case) -> dict:
    return {
        "root": case.root,
        "probe": case.probe,
        "slider": case.slider,
        "buttons": list(case.buttons),
        "play": case.play,
    }


def settle(page, case: Case, opts: dict) -> bool:
    return page.evaluate(_SETTLE_JS, [spec_of(case), opts])


def move(page, case: Case, opts: dict) -> dict:
    spec = spec_of(case)
    if case.method == "keyboard":
        page.evaluate("([s, c, o]) => window.__bench.arm(s, c, o)", [spec, case.count, opts])
        page.keyboard.press("ArrowLeft" if case.count % 2 else "ArrowRight")
        result = page.evaluate("() => window.__benchPending")
    else:
        result = page.evaluate(
            "([s, c, o]) => window.__bench.move(s, c, o)", [spec, case.count, opts]
        )
    case.count += 1
    return result


def measure_one(page, case: Case, opts: dict, record: bool) -> None:
    if case.prepare:
        page.evaluate("([r, n]) => window.__bench.click(r, n)", [case.root, case.prepare])
        settle(page, case, opts)
    result = move(page, case, opts)
    if case.slider and case.method == "dispatch" and result.get("moved") is False:
        # The synthetic KeyboardEvent did not move the handle: press real keys from now on.
        case.method = "keyboard"
        settle(page, case, opts)
        result = move(page, case, opts)
    if "error" in result:
        if record:
            case.failures.append(result["error"])
        settle(page, case, opts)
        return
    if record:
        case.times.append(result["dt"])
        case.frames.append(result["frames"])
        case.last_times.append(result["last"])
        if result.get("png") is not None:
            case.png_times.append(result["png"])
        if result.get("readout") is not None:
            case.readout_times.append(result["readout"])


# --------------------------------------------------------------------------- JupyterLab


_EXEC_JS = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false});
    let out = '';
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream') out += msg.content.text;
        if (msg.header.msg_type === 'error') out += msg.content.ename + ': ' + msg.content.evalue;
    };
    await future.done;
    return out;
}"""


def kernel_run(page, code: str) -> str:
    return page.evaluate(_EXEC_JS, code)


def wait_rendered(page, cases: list[Case], timeout: float = 60) -> None:
    """Until every box is displayed and every ipympl canvas holds an image."""
    roots = sorted({c.root for c in cases})
    deadline = time.monotonic() + timeout
    js = """(roots) => roots.every((s) => {
        const root = document.querySelector(s);
        if (!root) return false;
        const c = root.querySelector('.jupyter-matplotlib-canvas-div canvas');
        if (c) return c.width > 0 && c.height > 0;
        return root.querySelector('.widget-output img') || root.querySelector('.bench-floor-out');
    })"""
    while not page.evaluate(js, roots):
        if time.monotonic() > deadline:
            raise TimeoutError(f"widgets not rendered after {timeout:.0f} s: {roots}")
        time.sleep(0.2)


def fit_viewport(page, cases: list[Case], width: int) -> list[dict]:
    """Grow the viewport until every box is on screen at once (round-robin needs that)."""
    roots = list(dict.fromkeys(c.root for c in cases))  # in page order: the first on top
    height = page.viewport_size["height"]
    for _ in range(4):
        page.evaluate(f"document.querySelector('{roots[0]}').scrollIntoView({{block: 'start'}})")
        time.sleep(0.3)
        places = page.evaluate("(s) => window.__bench.visible(s)", roots)
        if all(p["inside"] for p in places):
            return places
        need = max(p["bottom"] - min(q["top"] for q in places) for p in places) + 400
        height = int(max(height + 200, need))
        page.set_viewport_size({"width": width, "height": height})
        time.sleep(0.5)
    return page.evaluate("(s) => window.__bench.visible(s)", roots)


# --------------------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def shown_times(case: Case) -> list[float]:
    """The times the table judges: to the first new pixels, except for a control that redraws
    the background, where an explorer may first blit its moving artists over the old background
    (new axes limits, old ticks): that frame is wrong, so the time is to the last new frame."""
    return case.last_times if case.kind == REDRAW else case.times


def report(cases: list[Case]) -> bool:
    floor = statistics.median(cases[0].times) if cases[0].times else float("nan")
    header = (
        f"{'case':<24} {'control':<24} {'kind':<19} {'median ms':>9} {'p90 ms':>7} "
        f"{'x floor':>7}  {'target':<9} result"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for c in cases:
        times = shown_times(c)
        if times:
            med, p90 = statistics.median(times), pct(times, 0.9)
            ratio = med / floor
            cells = f"{med:>9.1f} {p90:>7.1f} {ratio:>7.2f}"
        else:
            ratio = float("inf")
            cells = f"{'-':>9} {'-':>7} {'-':>7}"
        if c.target is None:
            target, verdict = ("(floor)" if c.kind == "floor" else "(none)"), ""
        else:
            target = f"<= {c.target}x"
            # A move that never showed new pixels left a stale picture on screen: a failure.
            passed = bool(times) and not c.failures and ratio <= c.target
            ok &= passed
            verdict = "PASS" if passed else "FAIL"
        if c.failures:
            verdict += f" ({len(c.failures)}/{len(c.failures) + len(times)} moves: no new pixels)"
        if c.kind == "floor" and not times:
            ok = False
            verdict = f"NO FLOOR ({c.failures[:1]})"
        kind = c.kind if c.kind in (MOVES, REDRAW) else "-"
        print(f"{c.case:<24} {c.control:<24} {kind:<19} {cells}  {target:<9} {verdict}")
    print(
        f"Times: key press / click to new pixels ({MOVES}), to the last new frame of the move "
        f"({REDRAW}).\n'no new pixels' = the picture did not change within the timeout: it stayed "
        f"stale after the move."
    )
    return ok


def report_details(cases: list[Case], kernel: dict | None) -> None:
    print("\nDetails (medians over the recorded moves, ms after the press): readout = the")
    print("explorer's text readout changed; png = the first PNG frame reached ipympl's front end;")
    print("first / last = the first / last change of the picture; frames = picture changes seen")
    print("per move; how = how the control was operated")

    def med(values: list[float], fmt: str = "7.1f") -> str:
        return format(statistics.median(values), fmt) if values else "-".rjust(7)

    for c in cases:
        how = c.method if c.slider else ("click" if not c.play else "click Play, then pause")
        if c.slider and c.method == "dispatch":
            how = "KeyboardEvent on the handle"
        elif c.slider:
            how = "page.keyboard.press (clock started just before)"
        print(
            f"  {c.case:<23} {c.control:<23} readout {med(c.readout_times)} png "
            f"{med(c.png_times)} first {med(c.times)} last {med(c.last_times)} frames "
            f"{med(c.frames, '2.0f')}  {how}"
        )
    if not kernel:
        return
    print("\nKernel side (whole run, warm-up included): blit = BlitFigure.update() restore/draw/")
    print("blit/PNG/send; full = draw_idle() then the canvas' full draw when the browser asks;")
    print("unchanged = frames identical to the previous one, sent anyway (as an empty diff, or")
    print("whole when BlitFigure sends frames in quick succession whole)")
    for name, s in kernel.items():
        blit = f"{statistics.median(s['blit_ms']):.1f}" if s["blit_ms"] else "-"
        draw = f"{statistics.median(s['draw_ms']):.1f}" if s["draw_ms"] else "-"
        png = sorted(s["png_bytes"])
        png_txt = f"{statistics.median(png) / 1e3:.1f} kB (max {png[-1] / 1e3:.1f})" if png else "-"
        print(
            f"  {name:<13} blits {s['blits']:>4} ({blit} ms)  full redraws {s['full_redraws']:>4} "
            f"(draw {draw} ms)  frames sent {s['frames']:>4}: {s.get('diff', 0)} diff, "
            f"{s.get('full', 0)} full, {s['empty']} unchanged; PNG {png_txt}"
        )


def environment(browser, args) -> str:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (missing)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    try:  # the explorers measured are the working tree's: say which
        git = ["git", "-C", str(REPO_ROOT)]
        head = subprocess.run(
            [*git, "log", "-1", "--format=%h %cd", "--date=format:%H:%M"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "gdcourse"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        code = f"gdcourse at {head}" + (f" + uncommitted {', '.join(dirty)}" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        code = "gdcourse (git state unknown)"
    return (
        f"Chromium {browser.version} (headless, {lab.CHROMIUM}), Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load {load}\n"
        + ", ".join(versions)
        + f"\n{code}"
        + f"\n{args.moves} moves per control (+{args.warmup} warm-up), round-robin; detection "
        f"{'per animation frame' if args.poll == 'raf' else 'by setTimeout(0) polling'}; "
        f"quiet {args.quiet_ms} ms between moves{' (quick)' if args.quick else ''}"
    )


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 moves per control (smoke run)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--moves", type=int, default=None, help="moves per control (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="unrecorded moves per control")
    parser.add_argument("--quiet-ms", type=int, default=300, help="settled: no change this long")
    parser.add_argument("--timeout-ms", type=int, default=3_000, help="max wait for new pixels")
    parser.add_argument(
        "--poll",
        choices=("raf", "timer"),
        default="raf",
        help="detect per animation frame (default) or by setTimeout(0) polling (~4 ms)",
    )
    parser.add_argument(
        "--focus-ms",
        type=int,
        default=30,
        help="wait after focusing another control, before the clock starts",
    )
    parser.add_argument("--headed", action="store_true", help="show the browser (debugging)")
    args = parser.parse_args()
    args.moves = args.moves or (5 if args.quick else 20)

    start = time.perf_counter()
    from playwright.sync_api import sync_playwright

    cases = make_cases()
    opts = {
        "quiet": args.quiet_ms,
        "timeout": args.timeout_ms,
        "poll": args.poll,
        "focusWait": args.focus_ms,
    }
    tmp = Path(tempfile.mkdtemp(prefix="gdcourse-widget-latency-"))
    kernel_stats, restarted = None, False
    try:
        root = tmp / "root"
        root.mkdir()
        write_notebook(root / NOTEBOOK)
        write_lab_settings(tmp / "lab" / "settings")
        with lab.start_lab(root, tmp / "lab") as server, sync_playwright() as pw:
            browser = lab.launch_browser(pw, headless=not args.headed)
            print(environment(browser, args), flush=True)
            width = lab.VIEWPORT["width"]
            context = browser.new_context(viewport={"width": width, "height": 2000})
            page = context.new_page()
            page.set_default_timeout(60_000)
            lab.open_notebook(page, server, NOTEBOOK)
            lab.run_all(page)
            lab.wait_idle(page, timeout=180)
            problems = lab.cell_errors(page) + lab.widget_errors(page)
            if problems:
                raise SystemExit("ABORT: the benchmark notebook failed:\n" + "\n".join(problems))
            wait_rendered(page, cases)
            page.evaluate(_BENCH_JS)
            places = fit_viewport(page, cases, width)
            hidden = [p["sel"] for p in places if not p["inside"]]
            if hidden:
                print(f"WARNING: not fully on screen: {hidden}")
            print(f"(ready after {time.perf_counter() - start:.0f} s)\n", flush=True)
            for case in cases:
                settle(page, case, opts)
            for round_ in range(args.warmup + args.moves):
                for case in cases:
                    measure_one(page, case, opts, record=round_ >= args.warmup)
            out = kernel_run(page, _KERNEL_STATS)
            try:
                kernel_stats = json.loads(out)
            except ValueError:
                print(f"(kernel statistics unavailable: {out.strip()[:300]})")
                if "NameError" in out:  # the notebook's names are gone: a new kernel
                    restarted = True
            lab.shutdown_kernels(page)
            context.close()
            browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ok = report(cases)
    report_details(cases, kernel_stats)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load}")
    print(f"All targets met: {'yes' if ok else 'NO'} (total {time.perf_counter() - start:.1f} s)")
    if restarted:
        print(
            "\nERROR: the kernel was restarted during the run (killed from outside?): every "
            "move after that found dead widgets. These numbers are meaningless; run again."
        )
        return 2
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
