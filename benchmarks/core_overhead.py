"""Times one epoch of gdcourse.minibatch_sgd against a bare numpy loop, and `import gdcourse`.

Run with `.venv/bin/python benchmarks/core_overhead.py [--quick] [--strict]` (or `make bench`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import gdcourse

N_SAMPLES, N_FEATURES, SEED = 100_000, 20, 0
SGD_TARGET = 1.3  # max ours/bare at the batch sizes below
SGD_TARGET_BATCHES = (32, 256)
IMPORT_TARGET = 1.5  # max (import gdcourse) / (import numpy)
# Same arithmetic, same seed: only float rounding order differs, so this is far from "equal".
SAME_WEIGHTS_RTOL = 1e-9
REPO_ROOT = Path(__file__).resolve().parent.parent


def bare_epoch(
    X: np.ndarray, y: np.ndarray, w0: np.ndarray, lr: float, batch_size: int, seed: int
) -> np.ndarray:
    """One epoch of mini-batch SGD with nothing but the arithmetic (no checks, no recording)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    Xs, ys = X[order], y[order]
    w = w0
    for start in range(0, len(ys), batch_size):
        Xb = Xs[start : start + batch_size]
        r = Xb @ w - ys[start : start + batch_size]
        g = (2 / len(r)) * (r @ Xb)
        w = w - lr * g
    return w


def timed(fn: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def check_same(ours: np.ndarray, bare: np.ndarray, batch_size: int) -> None:
    """Abort if the two loops disagree: then the timing would not compare like with like."""
    rel = float(np.linalg.norm(ours - bare) / np.linalg.norm(bare))
    if not (np.all(np.isfinite(ours)) and rel <= SAME_WEIGHTS_RTOL):
        raise SystemExit(
            f"ABORT: at batch size {batch_size}, minibatch_sgd and the bare loop end at different "
            f"weights (relative difference {rel:.3g} > {SAME_WEIGHTS_RTOL:g}); they no longer do "
            f"the same arithmetic, so the timing comparison would be meaningless."
        )


def bench_minibatch(quick: bool) -> bool:
    """Print the ours-vs-bare table; return whether every target was met."""
    X, y, _ = gdcourse.make_regression(N_SAMPLES, N_FEATURES, noise=0.5, seed=SEED)
    loss = gdcourse.LinearRegression(X, y)
    # Time on the loss's own (contiguous) arrays so both loops read identical memory.
    X, y = loss.X, loss.y
    w0 = np.zeros(N_FEATURES)

    print(f"1. One epoch of mini-batch SGD, N={N_SAMPLES}, d={N_FEATURES} (min over repeats)")
    print(
        f"   {'batch':>7} {'reps':>5} {'ours (ms)':>10} {'bare (ms)':>10} {'ours/bare':>10}  target"
    )
    ok = True
    for batch_size in (1, 32, 256, N_SAMPLES):
        # Batch 1 needs a small rate to stay stable; it is also 100k Python-level steps, so slow.
        lr = 1e-3 if batch_size == 1 else 0.05
        reps = (1 if quick else 3) if batch_size == 1 else (2 if quick else 7)

        def ours(b: int = batch_size, lr: float = lr) -> np.ndarray:
            run = gdcourse.minibatch_sgd(loss, w0, lr, b, epochs=1, seed=SEED)
            if run.status != "completed":
                raise SystemExit(f"ABORT: minibatch_sgd {run.status} at batch size {b}, lr {lr}")
            return run.weights[-1]

        def bare(b: int = batch_size, lr: float = lr) -> np.ndarray:
            return bare_epoch(X, y, w0, lr, b, SEED)

        t_ours, t_bare = [], []
        # Interleaved so that a slow spell on the noisy machine hits both sides alike.
        for _ in range(reps):
            t, w_ours = timed(ours)
            t_ours.append(t)
            t, w_bare = timed(bare)
            t_bare.append(t)
            check_same(w_ours, w_bare, batch_size)
        best_ours, best_bare = min(t_ours), min(t_bare)
        ratio = best_ours / best_bare
        if batch_size in SGD_TARGET_BATCHES:
            passed = ratio <= SGD_TARGET
            ok &= passed
            verdict = f"<= {SGD_TARGET}: {'PASS' if passed else 'FAIL'}"
        else:
            verdict = "(none)"
        print(
            f"   {batch_size:>7} {reps:>5} {best_ours * 1e3:>10.2f} {best_bare * 1e3:>10.2f} "
            f"{ratio:>10.2f}  {verdict}"
        )
    return ok


# Each child prints its own import time, so interpreter start-up is not counted.
_IMPORT_CODE = """\
import json, sys, time
t = time.perf_counter()
import {module}
dt = time.perf_counter() - t
heavy = [m for m in ("matplotlib", "ipywidgets") if m in sys.modules]
print(json.dumps({{"s": dt, "heavy": heavy}}))
"""


# Students' Pythons cache compiled bytecode; some machines (CI, sandboxes) turn that off with
# PYTHONDONTWRITEBYTECODE, which would time the compiling of every source file instead. The
# children cache it, for numpy and gdcourse alike, in a folder of their own (the repository gets no
# __pycache__).
_PYCACHE = tempfile.mkdtemp(prefix="gdcourse-bench-pycache-")
_CHILD_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": _PYCACHE,
}


def time_import(module: str) -> tuple[float, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_CODE.format(module=module)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=_CHILD_ENV,
    )
    result = json.loads(out.stdout)
    return result["s"], result["heavy"]


def bench_import(quick: bool) -> bool:
    """Print import times in fresh interpreters; return whether every target was met."""
    reps = 5 if quick else 15
    # One discarded run each warms the OS file cache and writes any missing .pyc files.
    time_import("numpy")
    time_import("gdcourse")
    t_numpy, t_gd, heavy = [], [], set()
    for _ in range(reps):
        t_numpy.append(time_import("numpy")[0])
        t, loaded = time_import("gdcourse")
        t_gd.append(t)
        heavy.update(loaded)
    med_numpy, med_gd = statistics.median(t_numpy), statistics.median(t_gd)
    ratio = med_gd / med_numpy
    passed = ratio <= IMPORT_TARGET
    print(f"2. Import time in a fresh interpreter (median of {reps}, interleaved)")
    print(f"   import numpy     {med_numpy * 1e3:8.1f} ms")
    print(f"   import gdcourse  {med_gd * 1e3:8.1f} ms  (includes numpy)")
    verdict = "PASS" if passed else "FAIL"
    print(f"   ratio            {ratio:8.2f}     target <= {IMPORT_TARGET}: {verdict}")
    no_heavy = not heavy
    print(
        "   after import gdcourse: "
        + (
            "matplotlib and ipywidgets not loaded: PASS"
            if no_heavy
            else f"loaded {sorted(heavy)}: FAIL"
        )
    )
    return passed and no_heavy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, for a smoke run")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    start = time.perf_counter()
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, gdcourse "
        f"{gdcourse.__version__}, {platform.machine()}{' (quick)' if args.quick else ''}\n"
    )
    ok = bench_minibatch(args.quick)
    print()
    ok &= bench_import(args.quick)
    print(f"\nAll targets met: {'yes' if ok else 'NO'} ({time.perf_counter() - start:.1f} s)")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
