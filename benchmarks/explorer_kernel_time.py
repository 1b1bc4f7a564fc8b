"""The kernel's share of an explorer move: time per move of every control, in plain Python.

    .venv/bin/python benchmarks/explorer_kernel_time.py [--moves N] [--only lr,step]

Each explorer is built as the widget benchmark's notebook builds it (the same arguments, in
`EXPLORERS` below), with a comm that only measures what would be sent. A move is what the page
sends for one arrow key (`{"value": [name, position]}` one step up, then down, alternately);
its time runs from the message to the frame serialised (the core's runs, the recording of the
moving layer, the readout). Buttons are clicked (after an untimed move, so a preset changes
something). In JupyterLab the same work takes about twice
as long (the kernel shares the cores with the browser): a move lands in the floor's animation
frame only if it takes under about 2 ms here (see benchmarks/widget_latency.py, "reply").
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gdcourse.digits import stored_studies
from gdcourse.lessons import gradient, sgd
from gdcourse.widgets import (
    BatchSizeExplorer,
    ConditioningExplorer,
    ContourExplorer,
    GradientDirectionExplorer,
    LearningRateExplorer,
    MomentumExplorer,
    SaddleExplorer,
    ScheduleExplorer,
    StepExplorer,
    TrainingExplorer,
)

EXPLORERS = {
    "lr": lambda: LearningRateExplorer(curvature=True, regime_strip=True),
    "step": lambda: StepExplorer(w0=7.0, lr=0.1, steps=15),
    "contour": lambda: ContourExplorer(lr=0.1, steps=30),
    "direction": lambda: GradientDirectionExplorer(gradient.BOWL, point=(1.0, 2.0), angle=30.0),
    "conditioning": lambda: ConditioningExplorer(kappa=10, lr=0.15),
    "batch": lambda: BatchSizeExplorer(sgd.problem(), sgd.W0, batch_size=32, lr=0.03),
    "schedule": lambda: ScheduleExplorer(kind="cosine", lr=0.3, T=100, noise=1.0),
    "saddle": lambda: SaddleExplorer(x0=1.0, log_y0=-6, noise=0.0, lr=0.1),
    "momentum": lambda: MomentumExplorer(lr=0.05, mu=0.5),
    "training": lambda: TrainingExplorer(stored_studies().grid, stored_studies().sensitive["grid"]),
}


class _Comm:
    """Stands in for the kernel's comm: serialises what would be sent, as a comm would."""

    comm_id, kernel = "benchmark", object()

    def __init__(self) -> None:
        self.sent = 0

    def send(self, data=None, metadata=None, buffers=None) -> None:
        self.sent += len(json.dumps(data, default=str))
        self.sent += sum(memoryview(b).nbytes for b in buffers or [])

    def on_msg(self, callback) -> None: ...

    def on_close(self, callback) -> None: ...

    def close(self, *args, **kwargs) -> None: ...


def _next_position(control, up: bool):
    spec, position = control.spec(), control.position()
    if control.kind in ("choice", "select"):
        return (position + 1) % len(control.options)
    step = spec.get("step") or 1
    here = math.log10(position) if control.kind == "log" else position
    there = here + (step if up else -step)
    if not spec["min"] <= there <= spec["max"]:
        there = here - (step if up else -step)
    return 10**there if control.kind == "log" else there


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated explorers (e.g. lr,step)")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    print(f"{'explorer':<14}{'control':<34}{'median ms':>10}{'max ms':>8}{'sent kB':>9}")
    for key, make in EXPLORERS.items():
        if only and key not in only:
            continue
        view = make().widget
        view.comm = comm = _Comm()
        actions = [(name, c) for name, c in view._controls.items() if not c.disabled]
        actions += [(f"button {b.description[:24]}", b) for b in view._buttons.values()]
        for label, thing in actions:
            times, sizes = [], []
            for i in range(2 + args.moves):
                if label.startswith("button "):
                    key_ = next(k for k, b in view._buttons.items() if b is thing)
                    message = {"click": key_}
                    # A preset clicked twice does nothing the second time: move away first
                    # (the step player one step back, if there is one, for Step and Reset).
                    name, away = next(
                        ((n, c) for n, c in actions if getattr(c, "kind", "") == "play"),
                        actions[0],
                    )
                    up = i % 2 == 0 and away.kind != "play"
                    view._message(view, {"value": [name, _next_position(away, up)]}, [])
                else:
                    message = {"value": [label, _next_position(thing, i % 2 == 0)]}
                comm.sent = 0
                t0 = time.perf_counter()
                view._message(view, message, [])
                if i >= 2:  # the first two warm the caches
                    times.append((time.perf_counter() - t0) * 1000)
                    sizes.append(comm.sent / 1000)
            print(
                f"{key:<14}{label:<34}{statistics.median(times):10.2f}{max(times):8.2f}"
                f"{statistics.median(sizes):9.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
