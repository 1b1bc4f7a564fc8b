"""Times the Gradescope autograder per submission against `gdcourse grade` on the same file.

Run with `.venv/bin/python benchmarks/autograder_time.py [--runs 6] [--user-python PY]`. It
builds exercise 03's autograder (with one hidden check), then grades the same submissions (a
full, a partial and a blank one, in turn) alternately with `run_autograder` as Gradescope runs
it (`AUTOGRADER_ROOT` standing in for `/autograder`, a fresh one each time) and with `gdcourse
grade FILE --out DIR --workers 1`, each a whole command from a cold start, and prints the
medians side by side. Where the grader is root and a Python every user may run exists, it also
times `run_autograder` in the unprivileged-user mode (`GDCOURSE_SANDBOX=user`, what a container
without namespaces gives); `--user-python` names one where this Python is root's alone.
Gradescope's own time to start a container and run `setup.sh` is not in these figures.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = """
from gdcourse.checks import NumberQuestion
LESSON = "lr_exploration"
h1 = NumberQuestion(
    lesson=LESSON, name="h1", answer_var="w_05", prompt="The weights at rate 0.5, again.",
    hints=("Run it.",), solution_code="", points=1, expected=lambda: [8.0, 2.0, 2.0, 2.0, 2.0],
)
"""


def submissions(folder: Path) -> list[Path]:
    solution = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    blank = nbformat.read(ROOT / "exercises" / "03_lr_exploration.ipynb", as_version=4)
    partial = copy.deepcopy(solution)
    partial.cells.append(nbformat.v4.new_code_cell("w_05 = [8.0, 3.0, 2.0, 2.0, 2.0]"))
    out = []
    for name, nb in (("full", solution), ("partial", partial), ("blank", blank)):
        (folder / name).mkdir()
        path = folder / name / "03_lr_exploration.ipynb"
        nbformat.write(nb, path)
        out.append(path)
    return out


def autograder(zip_path: Path, notebook: Path, python: str, env: dict[str, str]) -> float:
    root = Path(tempfile.mkdtemp(prefix="gdag-bench-", dir="/tmp"))
    os.chmod(root, 0o755)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    shutil.copy(notebook, root / "submission" / notebook.name)
    (root / "submission_metadata.json").write_text("{}")
    run_env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GDCOURSE_PYTHON": python, **env}
    start = time.perf_counter()
    subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=run_env,
        check=True,
        capture_output=True,
        cwd=root,
    )
    took = time.perf_counter() - start
    assert (root / "results" / "results.json").is_file()
    shutil.rmtree(root)
    return took


def grade(notebook: Path, hidden: Path, base: Path) -> float:
    out = Path(tempfile.mkdtemp(dir=base)) / "out"
    argv = [sys.executable, "-m", "gdcourse.cli", "grade", str(notebook), "--out", str(out)]
    argv += ["--lesson", "03", "--hidden", str(hidden), "--workers", "1"]
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def user_python(given: str | None) -> str | None:
    """A Python the kernel's unprivileged user may run: ``given``, or this one if every user may
    reach it."""
    if os.geteuid() != 0:
        return None
    if given:
        return given
    probe = "from gdcourse.instructor import sandbox; print(sandbox.out_of_reach())"
    seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return sys.executable if seen.stdout.strip() == "[]" else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6, help="submissions timed per way")
    parser.add_argument(
        "--user-python",
        help="for the user mode: a Python every user may run, with the course's packages",
    )
    args = parser.parse_args()
    from gdcourse.instructor import sandbox
    from gdcourse.instructor.gradescope import build_autograder

    base = Path(tempfile.mkdtemp(prefix="gdag-bench-"))
    hidden = base / "hidden_03.py"
    hidden.write_text(HIDDEN)
    zip_path = base / "autograder.zip"
    build_autograder("03", zip_path, ROOT, [hidden])
    files = submissions(base)
    ways: dict[str, list[float]] = {"gdcourse grade": [], "run_autograder": []}
    python = user_python(args.user_python)
    if python:
        ways["run_autograder, user mode"] = []
    print(f"protections: {'; '.join(sandbox.protections())}")
    for i in range(args.runs):
        notebook = files[i % len(files)]
        ways["gdcourse grade"].append(grade(notebook, hidden, base))
        ways["run_autograder"].append(autograder(zip_path, notebook, sys.executable, {}))
        if python:
            user = {sandbox.MODE_ENV: "user"}
            ways["run_autograder, user mode"].append(autograder(zip_path, notebook, python, user))
    shutil.rmtree(base)
    reference = statistics.median(ways["gdcourse grade"])
    print(f"{args.runs} submissions of exercise 03 (full, partial, blank in turn), one at a time:")
    for name, times in ways.items():
        median = statistics.median(times)
        print(f"  {name:<28} median {median:5.2f} s per submission  ({median / reference:.2f}x)")
    if not python:
        print("  (user mode not timed: needs root and a Python every user may run)")


if __name__ == "__main__":
    main()
