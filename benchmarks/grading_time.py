"""Times `gdcourse grade` on a class of 30 submissions of one exercise, on 2 workers and on 1, a
class of 200 on 2 workers (each size's total and time per submission), and the sandbox's cost per
submission.

Run with `.venv/bin/python benchmarks/grading_time.py [--students 30] [--large 200]
[--sandbox-runs 10]` (`--large 0` leaves the large class out). The
class is built from `solutions/03_lr_exploration.ipynb` and `exercises/03_lr_exploration.ipynb`:
a third full answers, a third blank, a third with one wrong answer and one cell that raises. Both
runs grade the same files, one after the other, so the speed-up is measured side by side on the
same machine. Then the same submissions are graded one at a time, alternately with and without
the sandbox (bubblewrap), and the medians per submission are printed side by side.
"""

from __future__ import annotations

import argparse
import copy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def make_class(folder: Path, students: int) -> None:
    solution = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    blank = nbformat.read(ROOT / "exercises" / "03_lr_exploration.ipynb", as_version=4)
    wrong = copy.deepcopy(solution)
    for cell in wrong.cells:
        if "steps_needed = 0" in cell.source:
            cell.source = "steps_needed = 28"
    wrong.cells.insert(3, nbformat.v4.new_code_cell("ratio = 1 / 0"))
    kinds = [solution, blank, wrong]
    for i in range(students):
        nbformat.write(kinds[i % 3], folder / f"student{i:02d}.ipynb")


def grade(folder: Path, out: Path, workers: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "gdcourse.cli",
            "grade",
            str(folder),
            "--out",
            str(out),
            "--workers",
            str(workers),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def sandbox_cost(folder: Path, runs: int) -> tuple[float, float]:
    """Median seconds per submission with and without the sandbox, graded alternately."""
    import statistics

    from gdcourse.instructor import grading, sandbox

    files = sorted(folder.glob("*.ipynb"))[:runs]
    with_box, without = [], []
    real = sandbox.available
    for f in files:
        for times, boxed in ((with_box, True), (without, False)):
            sandbox.available = real if boxed else (lambda: False)
            start = time.perf_counter()
            grading.grade_submission(f)
            times.append(time.perf_counter() - start)
    sandbox.available = real
    return statistics.median(with_box), statistics.median(without)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--large", type=int, default=200, help="a large class, on 2 workers")
    parser.add_argument("--sandbox-runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        make_class(folder, args.students)
        two = grade(folder, Path(tmp) / "out2", workers=2)
        one = grade(folder, Path(tmp) / "out1", workers=1)
        large = None
        if args.large:
            big = Path(tmp) / "large"
            big.mkdir()
            make_class(big, args.large)
            large = grade(big, Path(tmp) / "out-large", workers=2)
        boxed, bare = sandbox_cost(folder, args.sandbox_runs)
    n = args.students
    print(f"{'submissions':>11} {'workers':>8} {'seconds':>8} {'s/submission':>13}")
    print(f"{n:>11} {2:>8} {two:8.1f} {two / n:13.2f}")
    print(f"{n:>11} {1:>8} {one:8.1f} {one / n:13.2f}")
    if large is not None:
        print(f"{args.large:>11} {2:>8} {large:8.1f} {large / args.large:13.2f}")
    print(f"speed-up with 2 workers: {one / two:.2f}x ({n} submissions of exercise 03)")
    print(f"one submission, median of {args.sandbox_runs}: {boxed:.2f} s in the sandbox, "
          f"{bare:.2f} s without ({boxed - bare:+.2f} s, {boxed / bare:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
