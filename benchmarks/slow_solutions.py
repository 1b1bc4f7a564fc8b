"""Times a deliberately slow but correct pure-Python solution of every function question, to
show that the checks' time limit (`gdcourse.checks.calling.TIME_LIMIT`) is at least 10 times
the slowest of them. Run with `.venv/bin/python benchmarks/slow_solutions.py`.

Each solution loops in plain Python (no numpy where the question allows it), one element at a
time, and is checked to be right before it is timed: the time is that of the slowest call over
the question's cases, the best of 5 repeats.
"""

from __future__ import annotations

import copy
import math
import time

from gdcourse.checks import calling
from gdcourse.lessons import (
    gradient,
    gradient_practice,
    lr_exploration,
    many_parameters_practice,
    saddles_practice,
    schedules_practice,
    sgd_practice,
    update_rule,
    update_rule_practice,
)


def _weights(c):
    def run(w0, lr, steps):
        weights = [float(w0)]
        for _ in range(steps):
            w = weights[-1]
            weights.append(w - lr * 2.0 * (w - c))
        return weights

    return run


def _grad_product(x, y):  # exercise 01: L = (x y - 2)^2
    r = x * y - 2.0
    return (2.0 * r * y, 2.0 * r * x)


def _normalise(X):
    rows, cols = len(X), len(X[0])
    out = [[0.0] * cols for _ in range(rows)]
    for j in range(cols):
        column = [float(X[i][j]) for i in range(rows)]
        mean = sum(column) / rows
        sd = math.sqrt(sum((v - mean) ** 2 for v in column) / rows)
        for i in range(rows):
            out[i][j] = (column[i] - mean) / sd
    return out


def _minibatch_gradient(X, y, w, idx):
    d = len(w)
    g = [0.0] * d
    for i in idx:
        r = sum(float(X[i][j]) * float(w[j]) for j in range(d)) - float(y[i])
        for j in range(d):
            g[j] += 2.0 * r * float(X[i][j])
    return [v / len(idx) for v in g]


def _classify(h):
    a, b, d = float(h[0][0]), float(h[0][1]), float(h[1][1])
    mid, rad = (a + d) / 2.0, math.sqrt(((a - d) / 2.0) ** 2 + b * b)
    low, high = mid - rad, mid + rad
    if abs(low) < 1e-12 or abs(high) < 1e-12:
        return "undecided"
    if low > 0:
        return "minimum"
    if high < 0:
        return "maximum"
    return "saddle"


def _central(f, w, h):
    return (f(w + h) - f(w - h)) / (2.0 * h)


def _gd_step(w, grad, lr):
    return w - lr * grad


def _by_reference(q):
    return lambda *args: q.reference(*copy.deepcopy(args))


SLOW = {
    "gradient.q5": _by_reference(gradient.q5),
    "gradient_practice.q2": _grad_product,
    "gradient_practice.q6": _central,
    "lr_exploration.q1": _weights(2.0),
    "many_parameters_practice.q4": _normalise,
    "saddles_practice.q4": _classify,
    "schedules_practice.q3": _by_reference(schedules_practice.q3),
    "sgd_practice.q3": _minibatch_gradient,
    "update_rule.q1": _gd_step,
    "update_rule_practice.q5": _weights(-1.0),
}
QUESTIONS = [
    gradient.q5,
    gradient_practice.q2,
    gradient_practice.q6,
    lr_exploration.q1,
    many_parameters_practice.q4,
    saddles_practice.q4,
    schedules_practice.q3,
    sgd_practice.q3,
    update_rule.q1,
    update_rule_practice.q5,
]


def main() -> None:
    slowest = 0.0
    print(f"{'question':30s} {'right?':>7s} {'slowest call (ms)':>18s}")
    for q in QUESTIONS:
        fn = SLOW[q.id]
        right = q.check(fn).outcome == "correct"
        worst = 0.0
        for case in q._cases():
            best = math.inf
            for _ in range(5):
                args = copy.deepcopy(tuple(case.values()))
                start = time.perf_counter()
                fn(*args)
                best = min(best, time.perf_counter() - start)
            worst = max(worst, best)
        slowest = max(slowest, worst)
        print(f"{q.id:30s} {'yes' if right else 'NO':>7s} {worst * 1e3:18.3f}")
    ratio = calling.TIME_LIMIT / slowest
    print(f"\nTIME_LIMIT = {calling.TIME_LIMIT:g} s: {ratio:,.0f} times the slowest call")
    print(f"at least 10 times: {'PASS' if ratio >= 10 else 'FAIL'}")


if __name__ == "__main__":
    main()
