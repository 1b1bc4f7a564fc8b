"""The numbers lesson 04 states (gradient magnitude and many parameters): its notebook, its
one-pager and its exercise."""

from __future__ import annotations

import inspect
import math
from functools import cache

import numpy as np

from ..core import (
    Trajectory,
    best_fixed_lr,
    condition_number,
    contraction_factor,
    gradient_descent,
    hessian_eigenvalues,
    step_lengths,
    steps_per_tenfold,
    steps_to_relative_tolerance,
)
from ..lessons import many_parameters as lesson
from ..lessons import many_parameters_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/04_many_parameters.ipynb"
ONE_PAGER = "docs/lessons/04_many_parameters.md"
EXERCISE = "exercises/04_many_parameters_practice.ipynb"

# The runs exactly as the notebook makes them (sections 1 and 4), with the inputs its text states.
SEED = {"w0": 7.0, "lr": 0.3, "steps": 30}  # cell many-parameters-03
SADDLE_LR, SADDLE_STEPS = 0.1, 100  # cell many-parameters-06
PLATEAU, PLATEAU_WINDOW = 0.01, 60  # |gradient| < 0.01 among the first 60 steps
KAPPAS = (10, 100)  # cell many-parameters-20
EXPLORER_START_RATE = 0.05  # the rate the "Try:" of section 6 starts from
Q5_UNIT_FACTOR = 100  # ex.scaled_data() multiplies its second column by 100 (a literal there)


@cache
def _seed_steps() -> np.ndarray:
    """The step lengths of plain descent on (w - 3)^2 from 7 at rate 0.3."""
    run = gradient_descent(
        lesson.SEED_LOSS, w0=SEED["w0"], lr=SEED["lr"], steps=SEED["steps"], tol=0
    )
    return step_lengths(run)


@cache
def _saddle_run() -> Trajectory:
    return gradient_descent(lesson.SADDLE, w0=lesson.SADDLE_W0, lr=SADDLE_LR, steps=SADDLE_STEPS)


def _plateau() -> np.ndarray:
    """The steps (among the first 60) at which the saddle run's gradient is below 0.01."""
    return np.flatnonzero(_saddle_run().grad_norms[:PLATEAU_WINDOW] < PLATEAU)


def _plateau_margin() -> float:
    """How close any of the first 60 gradient norms comes to the threshold 0.01 (relative)."""
    norms = _saddle_run().grad_norms[:PLATEAU_WINDOW]
    return float(np.min(np.abs(norms / PLATEAU - 1)))


def _steps_per_tenfold(kappa: float) -> float:
    return steps_per_tenfold(contraction_factor([1, kappa]))


def _turn_in_degrees(rotation: np.ndarray) -> float:
    return math.degrees(math.atan2(rotation[1, 0], rotation[0, 0]))


def _explorer_default(name: str):
    from ..widgets.conditioning import ConditioningExplorer  # only when asked: it needs ipywidgets

    return inspect.signature(ConditioningExplorer.__init__).parameters[name].default


@cache
def _scaled():
    """Section 7's regression, raw and standardised, each with its best fixed rate."""
    out = []
    for loss in lesson.scaled_regression():
        out.append((loss, best_fixed_lr(hessian_eigenvalues(loss))))
    return tuple(out)


@cache
def _steps_to_a_millionth(which: int) -> int:
    loss, rate = _scaled()[which]
    return steps_to_relative_tolerance(loss, rate, rel_tol=1e-6)


def _steps_margin(which: int) -> float:
    """How far the distances at the steps before and at the count are from the tolerance."""
    loss, rate = _scaled()[which]
    n = _steps_to_a_millionth(which)
    run = gradient_descent(loss, np.zeros(loss.shape[0]), lr=rate, steps=n, tol=0.0)
    dist = np.linalg.norm(run.weights - np.asarray(loss.minimizer), axis=1)
    target = 1e-6 * dist[0]
    return float(min(np.min(dist[:n] / target - 1), 1 - dist[n] / target))


def _two_digits(value: float) -> str:
    """A whole number rounded to two significant digits: 120.3 -> '120'."""
    return f"{float(f'{value:.2g}'):.0f}"


NUMBERS = (
    # -- section 1: steps shrink by themselves; a saddle's plateau -------------------------------
    given("04 the seed run's rate", SEED["lr"], ".1f", NOTEBOOK),
    *(
        stated(
            f"04 the seed run's step {k + 1}",
            (lambda k=k: float(_seed_steps()[k])),
            fmt,
            NOTEBOOK,
            exact="0.3 * 2 * (7 - 3) * 0.4^k: 2.4, 0.96, 0.384",
        )
        for k, fmt in enumerate((".1f", ".2f", ".3f"))
    ),
    stated(
        "04 the ratio of consecutive steps",
        lambda: float(_seed_steps()[1] / _seed_steps()[0]),
        ".1f",
        NOTEBOOK,
        exact="1 - 0.3 * 2",
    ),
    given("04 the saddle run's start y", lesson.SADDLE_W0[1], ".0e", NOTEBOOK, ONE_PAGER),
    given("04 the saddle run's rate", SADDLE_LR, ".1f", NOTEBOOK),
    given("04 the plateau's gradient threshold", PLATEAU, ".2f", NOTEBOOK),
    stated(
        "04 steps with the gradient below 0.01",
        lambda: len(_plateau()),
        "d",
        NOTEBOOK,
        margin=_plateau_margin,
    ),
    stated(
        "04 the plateau's first step",
        lambda: int(_plateau()[0]),
        "d",
        ONE_PAGER,
        margin=_plateau_margin,
    ),
    stated(
        "04 the plateau's last step",
        lambda: int(_plateau()[-1]),
        "d",
        ONE_PAGER,
        margin=_plateau_margin,
    ),
    stated(
        "04 the saddle run's first gradient norm",
        lambda: float(_saddle_run().grad_norms[0]),
        ".0f",
        NOTEBOOK,
    ),
    # -- sections 3 and 4: the stable rates, the best rate and its contraction factor ------------
    given(
        "04 q1: the flattest curvature", lesson.STABLE_EIGENVALUES[0], ".1f", NOTEBOOK, ONE_PAGER
    ),
    given("04 the larger condition number", KAPPAS[1], "d", NOTEBOOK),
    stated("04 kappa + 1 at kappa 10", lambda: KAPPAS[0] + 1, "d", NOTEBOOK, exact="10 + 1"),
    stated("04 kappa - 1 at kappa 100", lambda: KAPPAS[1] - 1, "d", NOTEBOOK, exact="100 - 1"),
    stated("04 kappa + 1 at kappa 100", lambda: KAPPAS[1] + 1, "d", NOTEBOOK, exact="100 + 1"),
    stated(
        "04 the contraction factor at kappa 10",
        lambda: contraction_factor([1, KAPPAS[0]]),
        ".3f",
        NOTEBOOK,
    ),
    stated(
        "04 the contraction factor at kappa 100",
        lambda: contraction_factor([1, KAPPAS[1]]),
        ".3f",
        NOTEBOOK,
    ),
    stated(
        "04 steps per tenfold at kappa 10",
        lambda: _steps_per_tenfold(KAPPAS[0]),
        ".1f",
        NOTEBOOK,
    ),
    stated(
        "04 steps per tenfold at kappa 100",
        lambda: _steps_per_tenfold(KAPPAS[1]),
        ".0f",
        NOTEBOOK,
    ),
    stated(
        "04 q2: the contraction factor of curvatures 1 and 9",
        lambda: contraction_factor(lesson.BOWL_EIGENVALUES),
        ".1f",
        ONE_PAGER,
        exact="(9 - 1) / (9 + 1)",
    ),
    stated(
        "04 q2: the loss's factor per step, its square",
        lambda: contraction_factor(lesson.BOWL_EIGENVALUES) ** 2,
        ".2f",
        ONE_PAGER,
        exact="0.8^2",
    ),
    # -- section 5: the zig-zag valley -------------------------------------------------------------
    given(
        "04 the valley's steep curvature",
        float(max(lesson.ZIGZAG_BOWL.eigenvalues)),
        ".0f",
        NOTEBOOK,
    ),
    stated(
        "04 the valley's condition number",
        lambda: lesson.ZIGZAG_BOWL.condition_number,
        ".0f",
        NOTEBOOK,
        exact="20 / 1",
    ),
    stated(
        "04 the valley's turn, in degrees",
        lambda: _turn_in_degrees(lesson.ZIGZAG_BOWL.rotation),
        ".0f",
        NOTEBOOK,
        exact="the angle the lesson chose, in degrees",
    ),
    *(
        given(f"04 q3: rate {rate}", rate, ".3f" if rate == 0.095 else ".2f", NOTEBOOK)
        for rate in lesson.ZIGZAG_RATES
    ),
    # -- section 6: the explorer ------------------------------------------------------------------
    stated(
        "04 the explorer's steps",
        lambda: _explorer_default("steps"),
        "d",
        NOTEBOOK,
        exact="a given of the explorer",
    ),
    stated(
        "04 the explorer's turn, in degrees",
        lambda: math.degrees(_explorer_default("angle")),
        ".0f",
        NOTEBOOK,
        exact="the angle the lesson chose, in degrees",
    ),
    given("04 the explorer: the rate to start from", EXPLORER_START_RATE, ".2f", NOTEBOOK),
    # -- section 7: standardising features ---------------------------------------------------------
    stated(
        "04 the scaled regression's examples",
        lambda: lesson.scaled_regression()[0].n_samples,
        "d",
        NOTEBOOK,
        exact="a given of the lesson",
    ),
    stated(
        "04 the condition number of the raw features",
        lambda: condition_number(_scaled()[0][0]),
        _two_digits,
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "04 the condition number of the standardised features",
        lambda: condition_number(_scaled()[1][0]),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "04 steps to a millionth, raw features",
        lambda: _steps_to_a_millionth(0),
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _steps_margin(0),
    ),
    stated(
        "04 steps to a millionth, standardised",
        lambda: _steps_to_a_millionth(1),
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _steps_margin(1),
    ),
    # -- the exercise ------------------------------------------------------------------------------
    given("04 exercise q1: the rate", ex.RATE, ".2f", EXERCISE),
    stated(
        "04 exercise q5: the examples",
        lambda: len(ex.scaled_data()[0]),
        "d",
        EXERCISE,
        exact="a given of the lesson",
    ),
    given(
        "04 exercise q5: the second feature's unit, times smaller", Q5_UNIT_FACTOR, "d", EXERCISE
    ),
)
