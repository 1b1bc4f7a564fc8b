"""`make lab` starts JupyterLab on the course, headless, and serves the lessons."""

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_welcome_lesson_without_opening_a_browser(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = os.environ | {
        "JUPYTER_TOKEN": token,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "BROWSER": "false",  # if anything tried to open a browser, it would fail here
    }
    log = (tmp_path / "lab.log").open("w+")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"WORK={tmp_path / 'my-work'}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"JupyterLab did not start:\n{log.read()}")
                time.sleep(0.5)
        assert status == 200
        status, page = _get(f"{base}/lab/tree/notebooks/00_welcome.ipynb?token={token}")
        assert status == 200 and b"JupyterLab" in page
        _, listing = _get(f"{base}/api/contents/notebooks?token={token}")
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert "00_welcome.ipynb" in names
        log.seek(0)
        assert f"127.0.0.1:{port}" in log.read()  # the URL to open is printed
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
