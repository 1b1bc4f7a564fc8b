"""Drive JupyterLab in headless Chromium: start a private server, open notebooks, poke widgets.

Free of pytest on purpose, so that benchmark scripts can reuse it (run them from the
repository root, or put it on sys.path, so that `tests.browser` imports)::

    from playwright.sync_api import sync_playwright
    from tests.browser import lab

    with lab.start_lab(repo_root, tmp_dir) as server, sync_playwright() as pw:
        browser = lab.launch_browser(pw)
        page = lab.new_page(browser)  # close with page.context.close()
        lab.open_notebook(page, server, "notebooks/01_descent.ipynb")
        lab.run_all(page)
        lab.wait_idle(page)
        ...
        lab.shutdown_kernels(page)
        browser.close()

Every wait has a timeout, and every timeout says what it was waiting for.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # playwright is only needed by the browser half
    from playwright.sync_api import Browser, Locator, Page, Playwright

CHROMIUM = Path(os.environ.get("GDCOURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}

# Classes of the explorer contract (gdcourse/widgets/explorer.js builds explorers this way):
# a field is a <label for> with its <input type=range> (or <select>) and an <output>; the
# step player's Play button sits in the field of its "steps shown" slider.
EXPLORER = ".gdcourse-explorer"
READOUT = ".gdcourse-readout"
SLIDER = ".gdx-field:has(input[type=range])"
SLIDER_HANDLE = "input[type=range]"
SELECT = ".gdx-field:has(select)"
BUTTON = "button.gdx-button"
PLAY = "button.gdx-play"
PICTURE = ".gdx-picture"


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        """Absolute URL of `path` (e.g. "lab/tree/x.ipynb?reset") with the token added."""
        path = path.lstrip("/")
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path}{sep}token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def api(self, path: str, method: str = "GET"):
        """Call the REST API (e.g. api("api/kernels")); returns the decoded JSON or None."""
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_all_kernels(self) -> None:
        """Server-side fallback for shutdown_kernels(page): delete every running kernel."""
        try:
            for kernel in self.api("api/kernels"):
                self.api(f"api/kernels/{kernel['id']}", method="DELETE")
        except (OSError, ValueError):
            pass

    def stop(self, timeout: float = 20) -> None:
        """Stop the server and every process it started (kernels included)."""
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # kernels live in the same process group: make sure none is left behind
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_lab(root: Path, tmp: Path, timeout: float = 60) -> LabServer:
    """Start `jupyter lab` on `root` with a free loopback port, a random token and private
    config/runtime/settings/workspace dirs under `tmp`; return once /api/status answers."""
    root, tmp = Path(root).resolve(), Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    dirs = {
        "JUPYTER_CONFIG_DIR": tmp / "config",
        "JUPYTER_RUNTIME_DIR": tmp / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": tmp / "settings",
        "JUPYTERLAB_WORKSPACES_DIR": tmp / "workspaces",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    # The news toast covers widgets in the bottom-right corner (the Makefile also turns it off
    # for the venv; this keeps the tests independent of that step).
    (dirs["JUPYTER_CONFIG_DIR"] / "labconfig").mkdir(exist_ok=True)
    (dirs["JUPYTER_CONFIG_DIR"] / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    # Never autosave: tests run the course's notebooks, whose files must stay as committed.
    docmanager = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True, exist_ok=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    bindir = Path(sys.executable).parent
    env = os.environ | {k: str(v) for k, v in dirs.items()}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env["BROWSER"] = "false"
    env.pop("JUPYTER_TOKEN", None)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        str(bindir / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp / "lab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(process, port, token, root, log_path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.api("api/status")
            return server
        except (OSError, ValueError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            why = "exited" if process.poll() is not None else f"did not answer in {timeout:.0f} s"
            raise RuntimeError(f"JupyterLab {why} (port {port}). Server log:\n{server.log()}")
        time.sleep(0.25)


# --------------------------------------------------------------------------- the browser


def launch_browser(playwright: Playwright, headless: bool = True) -> Browser:
    """Debian's Chromium (no downloaded browser builds), headless, in a fresh empty profile
    (Playwright gives every launch() a new temporary user data dir and deletes it on close)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} not found (apt-get install -y chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=headless, args=CHROMIUM_ARGS
    )


def new_page(browser: Browser) -> Page:
    """A page in its own context (own cookies/storage), sized so explorers fit."""
    context = browser.new_context(viewport=VIEWPORT)
    return context.new_page()


_OPEN_STATE_JS = """(path) => {
    const w = window.jupyterapp?.shell?.currentWidget;
    if (!(w && w.context?.path === path && w.content?.widgets?.length)) return 'loading';
    const kernel = w.sessionContext?.session?.kernel;
    if (!kernel) return document.querySelector('.jp-Dialog') ? 'dialog' : 'no kernel';
    return kernel.status;
}"""


def open_notebook(page: Page, server: LabServer, relpath: str, timeout: float = 90) -> None:
    """Open `relpath` (relative to the server root) in a fresh workspace (?reset) and wait
    until its notebook panel is shown and its kernel is idle. A kernel-selection dialog (a
    notebook without kernelspec metadata) is accepted with its default choice."""
    relpath = Path(relpath).as_posix()
    page.goto(server.url(f"lab/tree/{urllib.parse.quote(relpath)}?reset"), timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    state = "not loaded"
    while time.monotonic() < deadline:
        try:
            state = page.evaluate(_OPEN_STATE_JS, relpath)
        except Exception as exc:  # the page may still be navigating (?reset redirects)
            if "context was destroyed" not in str(exc) and "navigation" not in str(exc):
                raise
            state = "navigating"
        if state == "idle" and page.locator(".jp-NotebookPanel:visible").count():
            return
        if state == "dialog":
            page.locator(".jp-Dialog .jp-mod-accept").first.click()
        time.sleep(0.1)
    raise TimeoutError(
        f"{relpath} did not open with an idle kernel in {timeout:.0f} s (last state: {state})"
    )


def run_all(page: Page) -> None:
    """Start `notebook:run-all-cells` on the current notebook (returns at once; see wait_idle)."""
    page.evaluate(
        """() => {
            window.__gdRunAll = 'running';
            window.jupyterapp.commands.execute('notebook:run-all-cells').then(
                () => { window.__gdRunAll = 'done'; },
                (e) => { window.__gdRunAll = 'failed: ' + e; });
        }"""
    )


_STATE_JS = """() => {
    const w = window.jupyterapp?.shell?.currentWidget;
    const kernel = w?.sessionContext?.session?.kernel;
    const pending = [], running = [];
    let errors = 0;
    (w?.content?.widgets ?? []).forEach((cell, i) => {
        const m = cell.model;
        if (m.type !== 'code') return;
        if (m.executionState === 'running') running.push(i);
        if (m.sharedModel.getSource().trim() && m.executionCount == null) pending.push(i);
        for (let j = 0; j < m.outputs.length; j++)
            if (m.outputs.get(j).type === 'error') errors++;
    });
    const starred = [...document.querySelectorAll('.jp-InputPrompt')]
        .filter((p) => p.textContent.includes('[*]')).length;
    return {kernel: kernel ? kernel.status : 'none', runAll: window.__gdRunAll ?? 'not started',
            running, pending, errors, starred};
}"""


def notebook_state(page: Page) -> dict:
    """Kernel status, run-all status, indexes of running/unexecuted code cells, error count."""
    return page.evaluate(_STATE_JS)


def wait_idle(page: Page, timeout: float = 120, settle: float = 0.3) -> dict:
    """Wait until the kernel is idle and no cell is queued or running ([*]), and, after
    run_all(), until every code cell has run (or a cell error stopped the run). The state must
    hold twice `settle` seconds apart."""
    deadline = time.monotonic() + timeout
    confirmed = False
    while True:
        state = notebook_state(page)
        done = (
            state["kernel"] == "idle"
            and not state["running"]
            and not state["starred"]
            and state["runAll"] != "running"
            and (not state["pending"] or state["errors"] > 0 or state["runAll"] == "not started")
        )
        if done and confirmed:
            return state
        confirmed = done
        if time.monotonic() > deadline:
            raise TimeoutError(f"notebook not idle after {timeout:.0f} s: {state}")
        time.sleep(settle if done else 0.2)


def shutdown_kernels(page: Page) -> None:
    """Shut down every session's kernel from the page (never close-and-shutdown: a dirty
    notebook opens a "save?" dialog and the command hangs)."""
    page.evaluate("() => window.jupyterapp.serviceManager.sessions.shutdownAll()")


# --------------------------------------------------------------------------- outputs


_ERRORS_JS = """() => {
    const found = [], keys = [];
    const w = window.jupyterapp?.shell?.currentWidget;
    (w?.content?.widgets ?? []).forEach((cell, i) => {
        const m = cell.model;
        if (m.type !== 'code') return;
        for (let j = 0; j < m.outputs.length; j++) {
            const o = m.outputs.get(j).toJSON();
            if (o.output_type === 'error') {
                found.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
                keys.push(String(o.evalue).split('\\n')[0]);
            } else if (o.output_type === 'stream' && o.name === 'stderr') {
                const t = Array.isArray(o.text) ? o.text.join('') : String(o.text);
                if (t.includes('Traceback') || t.includes('Error')) {
                    found.push(`cell ${i}: ${t.trim()}`);
                    keys.push(t.trim().split('\\n').pop());
                }
            }
        }
    });
    // The rendered outputs too (same rule), unless the model already reported them.
    const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
              + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]';
    for (const el of document.querySelectorAll(sel)) {
        const t = el.textContent.trim();
        const isError = el.dataset.mimeType === 'application/vnd.jupyter.error';
        if (!(isError || t.includes('Traceback') || t.includes('Error'))) continue;
        if (!keys.some((k) => k && t.includes(k))) found.push(t);
    }
    return found;
}"""


def cell_errors(page: Page) -> list[str]:
    """Texts of error outputs and of stderr outputs that mention Traceback/Error (read from the
    notebook model and from the rendered DOM, so off-screen cells count too)."""
    return page.evaluate(_ERRORS_JS)


_WIDGET_ERRORS_JS = """() => {
    const found = [];
    for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
        const t = el.textContent;
        if (t.includes('Error displaying widget') || t.includes('Loading widget'))
            found.push(t.trim().slice(0, 300));
        else if (el.querySelector('.jupyter-widgets-error-widget'))
            found.push('a widget failed to render (JavaScript error; see the browser console)');
    }
    return found;
}"""


def widget_errors(page: Page, grace: float = 5) -> list[str]:
    """Outputs still showing "Error displaying widget" or "Loading widget...", or the broken-
    widget placeholder of ipywidgets ("Click to show javascript error."), after `grace` seconds
    (widget views render asynchronously after a cell finishes)."""
    deadline = time.monotonic() + grace
    while True:
        found = page.evaluate(_WIDGET_ERRORS_JS)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def watch_console(page: Page) -> list[str]:
    """Start collecting the page's console errors and uncaught exceptions into the returned
    list (context for failure messages: JupyterLab also logs harmless errors)."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: messages.append(f"uncaught: {e}"))
    return messages


def scroll_to_first_problem(page: Page) -> bool:
    """Scroll the first error output or broken widget into view (for a screenshot)."""
    for selector in (
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]',
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
        '.jp-OutputArea-output:has-text("Error displaying widget")',
        '.jp-OutputArea-output:has-text("Loading widget")',
        ".jp-OutputArea-output:has(.jupyter-widgets-error-widget)",
    ):
        target = page.locator(selector).first
        try:
            if target.count():
                target.scroll_into_view_if_needed(timeout=2000)
                return True
        except Exception:
            continue
    return False


# --------------------------------------------------------------------------- explorers


def explorers(page: Page) -> Locator:
    """Every explorer in the outputs: a .gdcourse-explorer holding a canvas and a readout."""
    return (
        page.locator(f".jp-OutputArea-output {EXPLORER}")
        .filter(has=page.locator("canvas"))
        .filter(has=page.locator(READOUT))
    )


def sliders(explorer: Locator) -> Locator:
    return explorer.locator(SLIDER)


def buttons(explorer: Locator) -> Locator:
    """Plain Button widgets (Step / Reset / presets); the Play control's buttons are not."""
    return explorer.locator(BUTTON)


def plays(explorer: Locator) -> Locator:
    return explorer.locator(PLAY)


def label_of(control: Locator) -> str:
    """The visible label of a control ("" if it has none)."""
    text = control.evaluate(
        """(el) => {
            const l = el.querySelector('label');
            return (l && l.textContent.trim()) || el.textContent.trim()
                   || el.getAttribute('title');
        }"""
    )
    return text or ""


@dataclass(frozen=True)
class Snapshot:
    """What an explorer shows: a hash of every canvas's pixels, and the readout's text."""

    canvases: tuple[str, ...] = field(default=())
    readout: str = ""

    def differs(self, other: Snapshot) -> tuple[bool, bool]:
        """(canvas pixels changed, readout text changed)."""
        return self.canvases != other.canvases, self.readout != other.readout


_SNAPSHOT_JS = """(el) => {
    const hash = (s) => {
        let h = 0x811c9dc5;
        for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
        return (h >>> 0).toString(16) + ':' + s.length;
    };
    const canvases = [...el.querySelectorAll('canvas')].map((c) => {
        try { return `${c.width}x${c.height}:` + hash(c.toDataURL()); }
        catch (e) { return 'unreadable: ' + e; }
    });
    const readout = [...el.querySelectorAll('.gdcourse-readout')]
        .map((r) => r.textContent.trim()).join('\\n');
    return {canvases, readout};
}"""


def snapshot(explorer: Locator) -> Snapshot:
    data = explorer.evaluate(_SNAPSHOT_JS)
    return Snapshot(tuple(data["canvases"]), data["readout"])


class StillChanging(AssertionError):
    """An explorer's snapshot kept changing (e.g. a Play control that did not stop)."""


def settle(explorer: Locator, quiet: float = 0.25, timeout: float = 5, strict: bool = False):
    """The explorer's snapshot once it stopped changing for `quiet` seconds: use it as the
    "before" of an action. After `timeout` s of changes (a Play control animating) return the
    last snapshot, or with strict=True raise StillChanging."""
    deadline = time.monotonic() + timeout
    last = snapshot(explorer)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = snapshot(explorer)
        if now == last:
            return now
        last = now
    if strict:
        raise StillChanging(f"still changing after {timeout:.0f} s (readout now {last.readout!r})")
    return last


class NoChange(AssertionError):
    """An explorer's snapshot did not change in time."""


def wait_for_change(
    explorer: Locator,
    before: Snapshot,
    timeout: float = 10,
    need_canvas: bool = True,
    need_readout: bool = True,
    poll: float = 0.05,
) -> Snapshot:
    """Poll (every `poll` s) until the canvas pixels and/or the readout text differ from
    `before`; raise NoChange, saying which did not change, after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        now = snapshot(explorer)
        canvas_changed, readout_changed = now.differs(before)
        if (canvas_changed or not need_canvas) and (readout_changed or not need_readout):
            return now
        if time.monotonic() > deadline:
            missing = [
                what
                for what, ok, needed in (
                    ("canvas pixels", canvas_changed, need_canvas),
                    ("readout text", readout_changed, need_readout),
                )
                if needed and not ok
            ]
            raise NoChange(
                f"{' and '.join(missing)} did not change within {timeout:.0f} s "
                f"(readout now {now.readout!r})"
            )
        time.sleep(poll)


def press_slider(slider: Locator, key: str = "ArrowRight") -> str:
    """Focus the slider's range input and press `key` (one step). At the maximum,
    ArrowRight would do nothing, so ArrowLeft is pressed instead. Returns the key pressed."""
    handle = slider.locator(SLIDER_HANDLE).first
    handle.scroll_into_view_if_needed()
    if key == "ArrowRight":
        at_top = handle.evaluate("(el) => Number(el.value) + Number(el.step) / 2 > Number(el.max)")
        if at_top:
            key = "ArrowLeft"
    handle.focus()
    handle.press(key)
    return key


def make_tmp(prefix: str = "gdcourse-lab-") -> Path:
    """A fresh temporary directory (for start_lab's `tmp`, outside pytest)."""
    return Path(tempfile.mkdtemp(prefix=prefix))
