"""Why `make test` limits BLAS to one thread a process: two processes (as pytest's two workers)
each compute lesson 10's training grid at once, first with BLAS free to start its own threads,
then with `OPENBLAS_NUM_THREADS=1`; one process alone is timed too. The times are printed side by
side from one run, with their ratio.

Run with `.venv/bin/python benchmarks/blas_threads.py [--study grid]` (any name of
`gdcourse.digits.Studies` but `sensitive`; `sweep` is quicker).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

LIMITS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run(study: str, processes: int, limited: bool) -> float:
    """Wall time of ``processes`` concurrent computations of ``study``."""
    env = {k: v for k, v in os.environ.items() if k not in LIMITS}
    if limited:
        env.update(dict.fromkeys(LIMITS, "1"))
    code = f"from gdcourse import digits; digits.compute_study({study!r})"
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(processes)]
    if any(p.wait() for p in procs):
        raise SystemExit("a computation failed")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default="grid")
    args = parser.parse_args()
    print(f"compute_study({args.study!r}) on {os.cpu_count()} cores")
    rows = []
    for processes in (1, 2):
        free, limited = run(args.study, processes, False), run(args.study, processes, True)
        rows.append((processes, free, limited))
    print(f"{'processes':>9}  {'BLAS threads free':>17}  {'one thread each':>15}  ratio")
    for processes, free, limited in rows:
        print(f"{processes:>9}  {free:>15.1f} s  {limited:>13.1f} s  {free / limited:5.2f}")


if __name__ == "__main__":
    main()
