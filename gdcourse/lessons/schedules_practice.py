"""Questions of ``exercises/06_schedules_practice.ipynb``: the rates of a step decay, a partial sum
of an exponential schedule, a warmup-then-1/t schedule of your own, and reading a range test."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    LinearRegression,
    RangeTest,
    exponential_decay,
    inverse_time_decay,
    linear_warmup,
    make_regression,
    range_test,
    step_decay,
)

LESSON = "schedules_practice"

__all__ = [
    "Q1_STEPS",
    "RANGE_SCALE",
    "RANGE_SETTINGS",
    "RANGE_W0",
    "q1",
    "q2",
    "q3",
    "q4",
    "range_choices",
    "range_problem",
    "the_range_test",
]

# -- q1: the rates of a step decay --------------------------------------------------------------
Q1_LR, Q1_FACTOR, Q1_EVERY = 0.8, 0.5, 30
Q1_STEPS = (0, 29, 30, 59, 60, 100)


def _step_rates(shift: int = 0, rounding=math.floor) -> list[float]:
    return [Q1_LR * Q1_FACTOR ** rounding((t + shift) / Q1_EVERY) for t in Q1_STEPS]


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="step_rates",
    prompt=f"step_decay({Q1_LR:g}, factor={Q1_FACTOR:g}, every={Q1_EVERY}): its rates at steps "
    f"{', '.join(map(str, Q1_STEPS))}. A list of {len(Q1_STEPS)} numbers.",
    expected=lambda: step_decay(Q1_LR, Q1_FACTOR, every=Q1_EVERY)(np.array(Q1_STEPS)).tolist(),
    noun="rates",
    misconceptions=(
        Misconception(
            name="one step early",
            answer=lambda: _step_rates(shift=1),
            message="Some rates drop one step too early. Steps are counted from 0: steps 0 to "
            f"{Q1_EVERY - 1} are the first {Q1_EVERY} steps, all at the initial rate.",
        ),
        Misconception(
            name="rounded up",
            answer=lambda: _step_rates(rounding=math.ceil),
            message="The rate drops only after every full block of steps: round t / every "
            "down, not up.",
        ),
    ),
    hints=(
        "The rate is lr * factor ** floor(t / every).",
        f"floor(59 / {Q1_EVERY}) = 1, floor(60 / {Q1_EVERY}) = 2.",
    ),
    solution_code="step_rates = [0.8 * 0.5 ** (t // 30) for t in (0, 29, 30, 59, 60, 100)]",
)

# -- q2: the sum of the first rates of an exponential decay -------------------------------------
Q2_LR, Q2_GAMMA, Q2_N = 0.2, 0.9, 20


def _partial_sum(n: int) -> float:
    return float(exponential_decay(Q2_LR, Q2_GAMMA).rates(n).sum())


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="rates_sum",
    prompt=f"exponential_decay({Q2_LR:g}, gamma={Q2_GAMMA:g}): the sum of its first {Q2_N} rates "
    f"(steps 0 to {Q2_N - 1}). 4 digits.",
    expected=lambda: _partial_sum(Q2_N),
    rtol=1e-3,
    misconceptions=(
        Misconception(
            name="infinite sum",
            answer=lambda: Q2_LR / (1 - Q2_GAMMA),
            message="That is the sum of all the rates, forever. Only the first 20 count here: "
            "use the partial sum of a geometric series.",
        ),
        Misconception(
            name="21 terms",
            answer=lambda: _partial_sum(Q2_N + 1),
            message="One rate too many: steps 0 to 19 are 20 rates.",
        ),
        Misconception(
            name="steps 1 to 20",
            answer=lambda: Q2_GAMMA * _partial_sum(Q2_N),
            message="That sums the rates of steps 1 to 20. The schedule starts at step 0, whose "
            "rate is lr * gamma**0 = lr: sum steps 0 to 19.",
        ),
        Misconception(
            name="19 terms",
            answer=lambda: _partial_sum(Q2_N - 1),
            message="One rate too few: step 0 has a rate too (gamma**0 = 1).",
        ),
    ),
    hints=(
        "The rates are lr, lr*gamma, ..., lr*gamma**19.",
        "A geometric partial sum: lr * (1 - gamma**20) / (1 - gamma).",
    ),
    solution_code="rates_sum = 0.2 * (1 - 0.9**20) / (1 - 0.9)",
)

# -- q3: warmup, then 1/t -----------------------------------------------------------------------
Q3_LR, Q3_WARMUP, Q3_DECAY = 0.5, 10, 0.1
_REFERENCE = linear_warmup(inverse_time_decay(Q3_LR, Q3_DECAY), warmup_steps=Q3_WARMUP)


def _warmup_then_inverse(t: int) -> float:
    return float(_REFERENCE(int(t)))


q3 = FunctionQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="warmup_then_inverse",
    prompt=f"Write warmup_then_inverse(t): a linear warmup from 0 at step 0 to {Q3_LR:g} at step "
    f"{Q3_WARMUP}, then {Q3_LR:g} / (1 + {Q3_DECAY:g} * (t - {Q3_WARMUP})).",
    reference=_warmup_then_inverse,
    cases=tuple({"t": t} for t in (0, 3, 9, 10, 11, 30, 200)),
    trivial=(lambda t: 0.0, lambda t: Q3_LR),  # a rate that ignores the step
    misconceptions=(
        Misconception(
            name="ramp reaches the top a step early",
            answer=lambda: (
                lambda t: Q3_LR * t / (Q3_WARMUP - 1) if t < Q3_WARMUP else _warmup_then_inverse(t)
            ),
            message="The ramp is too steep: it should reach the full rate at step 10, so each "
            "warmup step adds a tenth of it.",
        ),
        Misconception(
            name="1/t not shifted",
            answer=lambda: (
                lambda t: Q3_LR * t / Q3_WARMUP if t < Q3_WARMUP else Q3_LR / (1 + Q3_DECAY * t)
            ),
            message="After the warmup the decay should start afresh: measure its steps from the "
            "end of the warmup, t - 10, so that step 10 has the full rate.",
        ),
    ),
    hints=(
        "Two cases: if t < 10, the ramp 0.5 * t / 10; otherwise the 1/t formula.",
        "Otherwise: 0.5 / (1 + 0.1 * (t - 10)).",
    ),
    solution_code="def warmup_then_inverse(t):\n"
    "    if t < 10:\n"
    "        return 0.5 * t / 10\n"
    "    return 0.5 / (1 + 0.1 * (t - 10))",
    points=2,
)

# -- q4: reading a range test -------------------------------------------------------------------


#: The exercise's problem: make_regression(256, 4, noise=1.0, seed=2) with every input three times
#: as large (so its rates differ from the lesson's), started at 2 in every weight; its range test
#: has the lesson's settings.
RANGE_SCALE, RANGE_W0 = 3.0, np.full(4, 2.0)
RANGE_W0.setflags(write=False)  # a student's in-place change cannot reach the checks
RANGE_SETTINGS = frozen({"lr_min": 1e-4, "lr_max": 10.0, "steps": 100, "batch_size": 32})


@cache
def range_problem() -> LinearRegression:
    """The exercise's regression problem (built once)."""
    X, y, _ = make_regression(256, 4, noise=1.0, seed=2)
    return LinearRegression(RANGE_SCALE * X, y)


@cache
def the_range_test() -> RangeTest:
    """The range test the exercise reads: as in lesson 06, on :func:`range_problem`."""
    return range_test(range_problem(), RANGE_W0, **RANGE_SETTINGS)


def range_choices() -> dict:
    """The rates offered (2 significant digits), each with its role in the test."""
    t = the_range_test()
    roles = {
        "far too small": t.suggested / 100,
        "10x below the blow-up": t.suggested,
        "lowest loss": t.at_minimum,
        "blow-up": t.blow_up,
    }
    return {role: f"{rate:#.2g}" for role, rate in roles.items()}


_C = range_choices()

q4 = ChoiceQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="picked_rate",
    prompt="Read the range test in the notebook. Which rate do you pick for training, as a "
    f"string: one of {', '.join(repr(c) for c in sorted(_C.values(), key=float))}?",
    expected=lambda: range_choices()["10x below the blow-up"],
    choices=tuple(_C.values()),
    key_name="rate",
    confusions={
        (_C["10x below the blow-up"], _C["lowest loss"]): "The smoothed loss is lowest there "
        "because of all the steps taken at smaller rates before it (and the average lags "
        "behind the rate): that rate itself is already too large to train at. Stay well before "
        "the blow-up.",
        (_C["10x below the blow-up"], _C["blow-up"]): "That is where the smoothed loss blows "
        "up: the rate is already far too large there.",
        (_C["10x below the blow-up"], _C["far too small"]): "Safe, but the loss barely moved at "
        "that rate in the test: training would crawl. You can afford a larger rate.",
    },
    hints=(
        "Find the blow-up: the first rate at which the smoothed loss passes 4 times its lowest "
        "value so far (not where it starts rising, which is its lowest point).",
        "Pick about 10 times below that rate.",
    ),
    solution_code="picked_rate = ex.range_choices()['10x below the blow-up']",
    explanation="About 10 times below where the smoothed loss blows up: fast, with a margin "
    "for the noise of the batches and a start far from the minimum.",
)
