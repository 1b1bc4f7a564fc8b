"""Scans the status rule: bounded runs must never read as a growing swing, runaways must.

Not a timing: the figures docs/design.md ("Gradient-descent statuses") states about the rule,
measured on more runs than a test can afford. Run with
`.venv/bin/python benchmarks/status_rule_scan.py` (under a minute).

For each bounded run (|w| stays below 50 for 400 steps and the run is not stopped) every step
count n from 3 to 300 is read as `swing(weights[:n + 1], losses[:n + 1])`, which is what
`gradient_descent(..., steps=n)` decides on. For each runaway it prints the first step count
read as diverged and how many later step counts are not.
"""

from __future__ import annotations

import math
import time

import numpy as np

import gdcourse as g
from gdcourse.core.descent import swing

STEPS = 400


class SinQuad:
    """``0.05 w^2 + sin(3 w)``: bounded, chaotic at large rates."""

    def value(self, w):
        return 0.05 * w * w + np.sin(3 * w)

    def gradient(self, w):
        return 0.1 * w + 3 * np.cos(3 * w)


class NegCos:
    """``-cos(w)``: bounded steps whatever the rate."""

    def value(self, w):
        return -np.cos(w)

    def gradient(self, w):
        return np.sin(w)


class Lasso:
    """``w^2 + |w|``: a runaway whose step ratios fall towards |multiplier|."""

    def value(self, w):
        return w * w + abs(w)

    def gradient(self, w):
        return 2 * w + np.sign(w)


def bounded_runs():
    for tilt in (0.3, 0.5, 1.0):
        for lr in np.linspace(0.05, 0.6, 45):
            for w0 in np.linspace(-1.6, 1.6, 9):
                yield f"TiltedDoubleWell({tilt})", g.TiltedDoubleWell(tilt), float(w0), float(lr)
    for lr in np.linspace(0.002, 0.15, 40):
        for w0 in np.linspace(-1.5, 2.5, 21):
            yield "SharpFlatWells()", g.SharpFlatWells(), float(w0), float(lr)
    for lr in np.linspace(0.05, 1.0, 25):
        for w0 in np.linspace(-3, 3, 9):
            yield "0.05 w^2 + sin 3w", SinQuad(), float(w0), float(lr)
    for lr in np.linspace(1.0, 6.0, 25):
        for w0 in np.linspace(-3, 3, 7):
            yield "-cos w", NegCos(), float(w0), float(lr)
    # Cases a review found read as diverged by earlier versions of the rule.
    start = np.array([0.4108850619643629, -0.6906398587083891])
    yield "SaddleWithMinima()", g.SaddleWithMinima(), start, 1.0
    yield "SaddleWithMinima()", g.SaddleWithMinima(), start, 0.51
    yield "0.05 w^2 + sin 3w", SinQuad(), -2.25, 1.0
    yield "-cos w", NegCos(), 1.0, 2.125
    yield "TiltedDoubleWell(0.5)", g.TiltedDoubleWell(0.5), 0.4, 0.32
    rng = np.random.default_rng(1)
    for lr in np.linspace(0.3, 1.1, 17):
        for _ in range(6):
            yield "SaddleWithMinima()", g.SaddleWithMinima(), rng.uniform(-1, 1, 2), float(lr)


RUNAWAYS = [
    ("warm-up into 1.25 on a=2", g.Quadratic1D(2, 0), 10.0, lambda k: 1.25 - 0.8 * (k < 5), None),
    ("bowl [1, 100], steep share 1e-3", g.QuadraticBowl([1.0, 100.0]), [1.0, 1e-3], 0.0202, None),
    ("exponential decay from 1.1", g.Quadratic1D(2, 0), 1.0, g.exponential_decay(1.1, 0.9995), 0),
    ("cosine decay from 1.1", g.Quadratic1D(2, 0), 1.0, g.cosine_decay(1.1, 2000), None),
    ("w^2 + |w| at 1.05", Lasso(), 1.0, 1.05, None),
    ("minimum at 1000, 1e-7 away", g.Quadratic1D(2, 1000.0), 1000 + 1e-7, 1.0005, None),
    ("eta*a = 2 + 1e-7", g.Quadratic1D(1, 0), 3.0, 2 + 1e-7, None),
    (
        "one after another, a spiral",
        g.QuadraticBowl([3.2, 1.2], rotation=math.pi / 4),
        [1.0, 0.3],
        1.0,
        g.one_after_another(),
    ),
]


def main() -> None:
    start = time.perf_counter()
    counted, growing = 0, []
    for name, loss, w0, lr in bounded_runs():
        run = g.gradient_descent(loss, w0, lr, STEPS, tol=0)
        if run.n_steps < STEPS or np.max(np.abs(run.weights)) > 50:
            continue
        counted += 1
        for n in range(3, STEPS + 1):
            if swing(run.weights[: n + 1], run.losses[: n + 1]) == "growing":
                growing.append((name, np.round(w0, 4).tolist(), round(lr, 4), n))
    print(f"bounded runs: {counted}; step counts read as a growing swing: {len(growing)}")
    for hit in growing[:20]:
        print("   ", hit)
    print("runaways (first step count read as growing; later step counts not):")
    for name, loss, w0, lr, update in RUNAWAYS:
        run = g.gradient_descent(loss, w0, lr, 120, update=update or None)
        reads = [
            n
            for n in range(3, run.n_steps + 1)
            if swing(run.weights[: n + 1], run.losses[: n + 1]) == "growing"
        ]
        first = reads[0] if reads else None
        later = range(first, run.n_steps + 1) if first is not None else ()
        gaps = sum(1 for n in later if n not in reads)
        print(f"    {name:34s} status {run.status:9s} first {first}, later gaps {gaps}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
