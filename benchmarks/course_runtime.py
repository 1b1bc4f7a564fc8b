"""Times the whole course executing headless, one notebook after another, in fresh kernels.

Run with `.venv/bin/python benchmarks/course_runtime.py [--strict]`: every notebook in notebooks/,
exercises/ and solutions/, in that order; target: at most 150 s in all on this 2-core machine
(120 s until lesson 09).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--strict", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    # Checks run by these notebooks log progress; keep that out of the user's own log.
    os.environ["GDCOURSE_PROGRESS"] = str(Path(tempfile.mkdtemp()) / "progress.jsonl")
    paths = [
        p
        for d in ("notebooks", "exercises", "solutions")
        for p in sorted((ROOT / d).glob("*.ipynb"))
    ]
    total = 0.0
    print(f"{'notebook':45} {'seconds':>8}")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        elapsed = time.perf_counter() - start
        total += elapsed
        print(f"{path.relative_to(ROOT).as_posix():45} {elapsed:8.2f}")
    verdict = "PASS" if total <= TARGET_S else "FAIL"
    label = f"total ({len(paths)} notebooks)"
    print(f"{label:45} {total:8.2f}  target <= {TARGET_S:.0f} s: {verdict}")
    return 1 if args.strict and verdict == "FAIL" else 0


if __name__ == "__main__":
    sys.exit(main())
