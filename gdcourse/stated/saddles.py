"""The numbers lesson 07 states (saddle points and local minima): its notebook, its one-pager and
its exercise."""

from __future__ import annotations

import inspect
import math
from functools import cache

import numpy as np

from ..core import (
    TiltedDoubleWell,
    escape_steps_simulated,
    fraction_all_positive,
    gradient_descent,
    saddle_escape_steps,
)
from ..lessons import saddles as lesson
from ..lessons import saddles_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/07_saddles.ipynb"
ONE_PAGER = "docs/lessons/07_saddles.md"
EXERCISE = "exercises/07_saddles_practice.ipynb"

# The escape times the notebook checks (cell saddles-13): three rates, five offsets, and the
# explorer's smallest rate (cell saddles-17's slider), where the cubic term costs the most.
CHECKED_RATES = (0.05, 0.1, 0.2)
CHECKED_OFFSETS = (1e-2, 1e-4, 1e-6, 1e-8, 1e-12)
SMALLEST_RATE = 0.02
# The noisy runs from exactly (1, 0) (cell saddles-15), and the seeds of the lesson's test
# (tests/test_lesson_07_saddles.py); "escaped" is |(|y| - 1)| < 0.05, as both check it.
NOISE, NOISE_STEPS, NOISE_SEEDS, TEST_SEEDS, NEAR_A_MINIMUM = 0.01, 300, 20, 40, 0.05
# The exercise's classifier calls an eigenvalue within this of zero "undecided" (q4).
UNDECIDED_WITHIN = 1e-12


# -- escape times ---------------------------------------------------------------------------------
def _simulated(y0: float, lr: float) -> int | None:
    """The lesson's simulated escape step: from (1, y0) until |y| >= 0.5 (cells saddles-11, 13)."""
    return escape_steps_simulated(
        y0, lr, x0=lesson.SADDLE_X0, threshold=lesson.ESCAPE_THRESHOLD, loss=lesson.SADDLE
    )


def _predicted(y0: float, lr: float) -> float:
    """The lesson's estimate ln(0.5/|y0|)/ln(1 + 2 lr)."""
    return saddle_escape_steps(y0, lr, threshold=lesson.ESCAPE_THRESHOLD)


def _escape_margin(y0: float, lr: float) -> float:
    """How far the escape step of ``_simulated(y0, lr)`` was from another step: the
    distances of ``|y|`` just before and at the escape step from the threshold (relative)."""
    threshold = lesson.ESCAPE_THRESHOLD
    k = _simulated(y0, lr)
    run = gradient_descent(lesson.SADDLE, [lesson.SADDLE_X0, y0], lr=lr, steps=5000)
    y = np.abs(run.weights[:, 1])
    if k is None or k == 0 or not (y[k - 1] < threshold <= y[k]):
        return 0.0  # not the run the lesson reads: fail loudly
    return float(min(threshold - y[k - 1], y[k] - threshold) / threshold)


@cache
def _gaps(rates: tuple[float, ...] = CHECKED_RATES) -> tuple[float, ...]:
    """Simulated minus estimated escape steps, for every rate and offset the notebook checks."""
    return tuple(_simulated(y0, lr) - _predicted(y0, lr) for lr in rates for y0 in CHECKED_OFFSETS)


def _gaps_margin(rates: tuple[float, ...] = CHECKED_RATES) -> float:
    return min(_escape_margin(y0, lr) for lr in rates for y0 in CHECKED_OFFSETS)


def _cubic_cost_times_rate() -> float:
    """How much later the flow dy/dt = 2y - 2y^3 (the steps as the rate shrinks, t = k lr)
    reaches the threshold T than the linear dy/dt = 2y, from a small y0: -ln(1 - T^2)/4, i.e.
    ln(4/3)/4 for T = 0.5. Divided by the rate it is steps: the cubic term's cost."""
    return -math.log1p(-(lesson.ESCAPE_THRESHOLD**2)) / 4


def _cost_of_a_factor_ten() -> float:
    """How many more steps the estimate needs when ``y0`` is 10 times closer to the ridge."""
    y0, lr = lesson.Q2_Y0, lesson.SADDLE_LR
    return _predicted(y0 / 10, lr) - _predicted(y0, lr)


# -- on the ridge, and with noise -------------------------------------------------------------
@cache
def _ridge_run():
    """Cell saddles-07: exactly on the ridge, at the lesson's rate."""
    return gradient_descent(lesson.SADDLE, [lesson.SADDLE_X0, 0.0], lr=lesson.SADDLE_LR, steps=5000)


def _ridge_margin() -> float:
    """How far the gradient's length was from the tolerance just before and at the stop."""
    run = _ridge_run()
    tol = inspect.signature(gradient_descent).parameters["tol"].default
    before, at = run.grad_norms[-2], run.grad_norms[-1]
    if run.status != "converged" or not at <= tol < before:
        return 0.0
    return float(min(before - tol, tol - at) / tol)


@cache
def _noisy_ends(seeds: int) -> np.ndarray:
    """The end ``y`` of each noisy run from exactly (1, 0) (cell saddles-15)."""
    return np.array(
        [
            gradient_descent(
                lesson.SADDLE,
                [lesson.SADDLE_X0, 0.0],
                lr=lesson.SADDLE_LR,
                steps=NOISE_STEPS,
                noise=NOISE,
                seed=s,
            ).weights[-1][1]
            for s in range(seeds)
        ]
    )


def _escaped(seeds: int) -> int:
    """How many of the seeds end near a minimum."""
    return int(np.sum(np.abs(np.abs(_noisy_ends(seeds)) - 1) < NEAR_A_MINIMUM))


def _escaped_margin(seeds: int) -> float:
    """How close the nearest run came to the edge of "near a minimum" (relative)."""
    distance = np.abs(np.abs(_noisy_ends(seeds)) - 1)
    return float(np.min(np.abs(distance - NEAR_A_MINIMUM)) / NEAR_A_MINIMUM)


# -- random symmetric matrices ----------------------------------------------------------------
def _samples() -> int:
    return inspect.signature(fraction_all_positive).parameters["samples"].default


def _fraction_margin(n: int) -> float:
    """How close the nearest of the lesson's random matrices came to the test "all eigenvalues
    > 0": its smallest eigenvalue (the one the test decides by), relative to its largest in
    size. The matrices are drawn as ``fraction_all_positive`` draws them (seed 0), and must give
    the same fraction."""
    rng = np.random.default_rng(0)
    g = rng.standard_normal((_samples(), n, n))
    lam = np.linalg.eigvalsh((g + np.swapaxes(g, 1, 2)) / 2)
    if float(np.mean(np.all(lam > 0, axis=1))) != fraction_all_positive(n):
        return 0.0  # not the lesson's matrices: fail loudly
    return float(np.min(np.abs(lam[:, 0]) / np.max(np.abs(lam), axis=1)))


def _basin_margin(starts: tuple[float, ...], well) -> float:
    """How far the nearest start is from the hump that divides the basins (relative)."""
    return float(min(abs(s - well.local_maximizer) for s in starts) / abs(well.local_maximizer))


@cache
def _explorer_controls():
    """The explorer's sliders (cell saddles-17)."""
    from ..widgets import SaddleExplorer

    return SaddleExplorer(x0=1.0, log_y0=-6, noise=0.0, lr=0.1).controls


def _explorer_slider():
    """The explorer's slider of ``k`` in ``y0 = 10^k``."""
    return _explorer_controls()["log_y0"]


def _explorer_smallest_rate() -> float:
    """The smallest rate the explorer's rate slider (a log slider) offers."""
    return 10.0 ** _explorer_controls()["lr"].min


def _cited_by_start(i: int) -> tuple[str, ...]:
    """Question 3's starts: the notebook states all four, the one-pager the middle two."""
    return (NOTEBOOK, ONE_PAGER) if i in (1, 2) else (NOTEBOOK,)


_FRACTION_FORMATS = {1: ".3f", 2: ".3f", 3: ".3f", 4: ".5f", 5: ".4f"}

NUMBERS = (
    # -- sections 1 to 3: the ridge, and the escape time ------------------------------------------
    given(
        "07 the escape threshold |y| >= 0.5",
        lesson.ESCAPE_THRESHOLD,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        EXERCISE,
    ),
    given("07 the rate near the saddle", lesson.SADDLE_LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "07 on the ridge, x shrinks by 1 - 2 eta per step",
        lambda: float(_ridge_run().weights[1, 0] / _ridge_run().weights[0, 0]),
        ".1f",
        NOTEBOOK,
    ),
    stated(
        "07 on the ridge: steps to converge to the saddle",
        lambda: _ridge_run().n_steps,
        "d",
        ONE_PAGER,
        margin=_ridge_margin,
    ),
    given("07 q2: the offset y0", lesson.Q2_Y0, ".0e", NOTEBOOK, ONE_PAGER),
    stated(
        "07 q2: the escape estimate for y0 = 1e-6",
        lambda: _predicted(lesson.Q2_Y0, lesson.SADDLE_LR),
        ".1f",
        ONE_PAGER,
    ),
    stated(
        "07 the simulated escape step for y0 = 1e-6",
        lambda: _simulated(lesson.Q2_Y0, lesson.SADDLE_LR),
        "d",
        ONE_PAGER,
        margin=lambda: _escape_margin(lesson.Q2_Y0, lesson.SADDLE_LR),
    ),
    stated(
        "07 the growth factor 1 + 2 eta near the saddle",
        lambda: 1 + 2 * lesson.SADDLE_LR,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="1 + 2 * 0.1 = 1.2",
    ),
    stated(
        "07 the steps each factor 10 in y0 costs, ln 10 / ln 1.2",
        _cost_of_a_factor_ten,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    *(
        given(f"07 the checked rate {lr}", lr, ".2f" if lr == 0.05 else ".1f", NOTEBOOK, ONE_PAGER)
        for lr in CHECKED_RATES
    ),
    given("07 the largest checked offset", CHECKED_OFFSETS[0], ".0e", NOTEBOOK, ONE_PAGER),
    given("07 the smallest checked offset", CHECKED_OFFSETS[-1], ".0e", NOTEBOOK, ONE_PAGER),
    stated(
        "07 the simulation is slower than the estimate by at least",
        lambda: min(_gaps()),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=_gaps_margin,
    ),
    stated(
        "07 the simulation is slower than the estimate by at most",
        lambda: max(_gaps()),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=_gaps_margin,
    ),
    stated(
        "07 the cubic term costs about ln(4/3)/(4 eta) steps: ln(4/3)/4",
        _cubic_cost_times_rate,
        ".3f",
        NOTEBOOK,
        ONE_PAGER,
        exact="the closed form -ln(1 - 0.5^2)/4 = ln(4/3)/4 of the flow dy/dt = 2y - 2y^3",
    ),
    stated(
        "07 the explorer's smallest rate",
        _explorer_smallest_rate,
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="a setting of the explorer's slider",
    ),
    stated(
        "07 at the explorer's smallest rate the simulation is slower by at least",
        lambda: min(_gaps((SMALLEST_RATE,))),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _gaps_margin((SMALLEST_RATE,)),
    ),
    stated(
        "07 at the explorer's smallest rate the simulation is slower by at most",
        lambda: max(_gaps((SMALLEST_RATE,))),
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _gaps_margin((SMALLEST_RATE,)),
    ),
    # -- sections 4 and 5: noise, and the explorer ------------------------------------------------
    given("07 the gradient noise", NOISE, ".2f", NOTEBOOK, ONE_PAGER),
    given("07 the noisy runs' seeds", NOISE_SEEDS, "d", NOTEBOOK),
    stated(
        "07 noisy runs from the ridge that escape to a minimum",
        lambda: _escaped(NOISE_SEEDS),
        "d",
        ONE_PAGER,
        margin=lambda: _escaped_margin(NOISE_SEEDS),
    ),
    stated(
        "07 noisy runs of the tests that escape to a minimum",
        lambda: _escaped(TEST_SEEDS),
        "d",
        ONE_PAGER,
        margin=lambda: _escaped_margin(TEST_SEEDS),
    ),
    stated(
        "07 the explorer's smallest k of y0 = 10^k",
        lambda: _explorer_slider().min,
        "d",
        NOTEBOOK,
        exact="a setting of the explorer's slider",
    ),
    # -- section 6: random symmetric matrices -----------------------------------------------------
    stated(
        "07 random symmetric matrices per size",
        _samples,
        ",d",
        NOTEBOOK,
        ONE_PAGER,
        exact="a given of the lesson",
    ),
    *(
        stated(
            f"07 the fraction of random symmetric {n}x{n} matrices with all eigenvalues > 0",
            (lambda n=n: fraction_all_positive(n)),
            fmt,
            ONE_PAGER,
            margin=(lambda n=n: _fraction_margin(n)),
        )
        for n, fmt in _FRACTION_FORMATS.items()
    ),
    stated(  # "at n = 5 only 2 of them": the fraction 0.0001 is a count of 2
        "07 the 5x5 matrices with all eigenvalues > 0, of the samples",
        lambda: round(fraction_all_positive(5) * _samples()),
        "d",
        ONE_PAGER,
        margin=lambda: _fraction_margin(5),
    ),
    # -- section 7: the tilted double well --------------------------------------------------------
    given("07 the well's tilt", lesson.WELL.tilt, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "07 the well's global minimum",
        lambda: TiltedDoubleWell(lesson.WELL.tilt).global_minimizer,
        (".2f", ".3f"),
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "07 the well's local minimum",
        lambda: TiltedDoubleWell(lesson.WELL.tilt).local_minimizer,
        (".2f", ".3f"),
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "07 the well's local maximum (the basin boundary)",
        lambda: TiltedDoubleWell(lesson.WELL.tilt).local_maximizer,
        ".3f",
        NOTEBOOK,
        ONE_PAGER,
        margin=lambda: _basin_margin(lesson.WELL_STARTS, lesson.WELL),
    ),
    given("07 the well's rate", lesson.WELL_LR, ".2f", NOTEBOOK, ONE_PAGER),
    *(
        given(f"07 q3: start {w0}", w0, ".1f", *_cited_by_start(i))
        for i, w0 in enumerate(lesson.WELL_STARTS)
    ),
    # -- the exercise ---------------------------------------------------------------------------
    given("07 exercise q1: point A's small eigenvalue", ex.Q1_EIGENVALUES["A"][1], ".1f", EXERCISE),
    given("07 exercise q1: point C's small eigenvalue", ex.Q1_EIGENVALUES["C"][1], ".1f", EXERCISE),
    given(
        "07 exercise q1: point E's small negative eigenvalue",
        ex.Q1_EIGENVALUES["E"][2],
        ".2f",
        EXERCISE,
        ONE_PAGER,
    ),
    given("07 exercise q2: the rate", ex.Q2_LR, ".2f", EXERCISE),
    *(given(f"07 exercise q2: the offset {y0:.0e}", y0, ".0e", EXERCISE) for y0 in ex.Q2_Y0S),
    given("07 exercise q3: the tilt (written - 0.8 w)", abs(ex.Q3_WELL.tilt), ".1f", EXERCISE),
    given("07 exercise q3: the rate", ex.Q3_LR, ".2f", EXERCISE),
    *(
        given(f"07 exercise q3: start {w0}", w0, ".2f" if w0 == -0.15 else ".1f", EXERCISE)
        for w0 in ex.Q3_STARTS
    ),
    stated(
        "07 exercise q3: the hump between the basins",
        lambda: TiltedDoubleWell(ex.Q3_WELL.tilt).local_maximizer,
        ".3f",
        margin=lambda: _basin_margin(ex.Q3_STARTS, ex.Q3_WELL),
        used_by="exercise 07 q3's expected answer: which side of the hump each start is on",
    ),
    given(
        "07 exercise q4: an eigenvalue this close to 0 is undecided",
        UNDECIDED_WITHIN,
        ".0e",
        EXERCISE,
    ),
)
