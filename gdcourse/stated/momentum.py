"""The numbers lesson 09 states (momentum and adaptive rates): its notebook, its one-pager and
its exercise."""

from __future__ import annotations

import inspect
import math

import numpy as np

from ..core import (
    Quadratic1D,
    QuadraticBowl,
    adam,
    best_momentum,
    distances_to,
    gradient_descent,
    heavy_ball_limit,
    max_stable_lr,
    momentum,
    momentum_radius,
    nesterov_limit,
    noisy_runs,
    path_difference,
    rmsprop,
    settled_loss,
    steps_to_relative_tolerance,
)
from ..lessons import momentum as lesson
from ..lessons import momentum_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/09_momentum.ipynb"
ONE_PAGER = "docs/lessons/09_momentum.md"
EXERCISE = "exercises/09_momentum_practice.ipynb"

# Section 1's runs either side of heavy ball's limit (cell momentum-08), section 2's valley
# (lesson 04's: curvatures 1 and 20 turned by 30 degrees, from (-2.5, 1), 25 steps; cell
# momentum-19), section 3's momenta (cell momentum-22) and section 4's (cell momentum-25).
LIMIT_MU, LIMIT_FACTORS = 0.5, (0.97, 1.03)
VALLEY_EIGENVALUES, VALLEY_DEGREES, VALLEY_W0, VALLEY_STEPS = (1.0, 20.0), 30, (-2.5, 1.0), 25
TOO_MUCH = (0.9, 0.99)
NESTEROV_MU = 0.9
#: Section 4's runs: eta * a = 1.5, inside heavy ball's limit and outside Nesterov's at mu = 0.9.
NESTEROV_H = 1.5
#: The seed's "0.01, 0.001, or 0.0001 are common starting points" (said of no optimizer).
SEED_RATES = (0.01, 0.001, 0.0001)
ADAM_DEFAULT_LR = 1e-3


# -- steps to shrink the error, and their margins -------------------------------------------------
def _tuning():
    return best_momentum(lesson.BOWL_EIGENVALUES)


def _momentum_steps(start: str, mu: float | None = None) -> int | None:
    t = _tuning()
    return steps_to_relative_tolerance(
        lesson.bowl_started(start),
        t.lr,
        1 / lesson.SHRINK,
        update=momentum(t.mu if mu is None else mu),
    )


def _plain_lr() -> float:
    return 2 / (min(lesson.BOWL_EIGENVALUES) + max(lesson.BOWL_EIGENVALUES))


def _plain_steps(start: str) -> int | None:
    return steps_to_relative_tolerance(lesson.bowl_started(start), _plain_lr(), 1 / lesson.SHRINK)


def _crossing_margin(d: np.ndarray, tol: float) -> float:
    """How far the first step within ``tol`` and the step before were from ``tol`` (relative)."""
    within = d <= tol
    if not within.any():
        return 0.0
    k = int(np.argmax(within))
    if k == 0:
        return 0.0
    return float(min(d[k - 1] - tol, tol - d[k]) / tol)


def _shrink_margin(start: str, lr: float, update) -> float:
    bowl = lesson.bowl_started(start)
    run = gradient_descent(bowl, np.zeros(2), lr=lr, steps=4000, tol=0.0, update=update)
    d = distances_to(run.weights, bowl.minimizer)
    return _crossing_margin(d, d[0] / lesson.SHRINK)


def _momentum_margin(start: str, mu: float | None = None) -> float:
    t = _tuning()
    return _shrink_margin(start, t.lr, momentum(t.mu if mu is None else mu))


def _formula_margin(which: int) -> float:
    """How far ln(1e6) / -ln(radius) was from a whole number (relative to it)."""
    t = _tuning()
    r = (t.radius, t.plain_radius)[which]
    q = math.log(lesson.SHRINK) / -math.log(r)
    return abs(q - round(q)) / q if abs(q - round(q)) > 0 else 0.0


def _peak_growth() -> float:
    """From a start along the stiff axis, the largest distance over the start's."""
    t = _tuning()
    bowl = lesson.bowl_started("along L")
    run = gradient_descent(bowl, np.zeros(2), lr=t.lr, steps=150, tol=None, update=momentum(t.mu))
    d = distances_to(run.weights, bowl.minimizer)
    return float(d.max() / d[0])


def _valley_end(with_momentum: bool) -> float:
    valley = QuadraticBowl(VALLEY_EIGENVALUES, rotation=math.radians(VALLEY_DEGREES))
    t = best_momentum(valley.eigenvalues)
    lr, rule = (t.lr, momentum(t.mu)) if with_momentum else (2 / sum(VALLEY_EIGENVALUES), None)
    run = gradient_descent(valley, VALLEY_W0, lr=lr, steps=VALLEY_STEPS, tol=None, update=rule)
    return float(distances_to(run.weights[-1:], valley.minimizer)[0])


# -- Adam ------------------------------------------------------------------------------------------
def _adam_default(name: str) -> float:
    return inspect.signature(adam).parameters[name].default


def _eps_moved(factor: float) -> float:
    return path_difference(
        lesson.scaled_bowl(1.0),
        lesson.scaled_bowl(factor),
        lesson.ADAM_W0,
        lesson.ADAM_LR,
        lesson.ADAM_STEPS,
        update=adam(),
    )


def _rmsprop_first_step() -> float:
    run = gradient_descent(
        lesson.scaled_bowl(1.0),
        lesson.ADAM_W0,
        lr=lesson.ADAM_LR,
        steps=1,
        tol=None,
        update=rmsprop(),
    )
    return float(abs(run.weights[1][0] - run.weights[0][0]) / lesson.ADAM_LR)


def _stable_below(factor: float) -> float:
    return max_stable_lr(lesson.scaled_bowl(factor).eigenvalues)


def _far_run(adam_rule: bool):
    far = QuadraticBowl(lesson.FAR_EIGENVALUES)
    if adam_rule:
        return far, gradient_descent(
            far,
            lesson.FAR_W0,
            lr=lesson.FAR_ADAM_LR,
            steps=lesson.FAR_STEPS,
            tol=None,
            update=adam(),
        )
    plain_lr = 1 / max(lesson.FAR_EIGENVALUES)
    return far, gradient_descent(far, lesson.FAR_W0, lr=plain_lr, steps=100, tol=None)


def _far_steps(adam_rule: bool) -> int:
    far, run = _far_run(adam_rule)
    return int(np.argmax(distances_to(run.weights, far.minimizer) <= lesson.FAR_TOL))


def _far_margin(adam_rule: bool) -> float:
    far, run = _far_run(adam_rule)
    return _crossing_margin(distances_to(run.weights, far.minimizer), lesson.FAR_TOL)


def _floor(rule: str, lr: float) -> float:
    runs = noisy_runs(
        Quadratic1D(a=lesson.FLOOR_A, c=0.0),
        lesson.FLOOR_W0,
        lr=lr,
        steps=lesson.FLOOR_STEPS,
        noise=lesson.FLOOR_NOISE,
        seeds=lesson.FLOOR_SEEDS,
        update=adam() if rule == "adam" else None,
    )
    return settled_loss(runs, last=lesson.FLOOR_LAST)


BOTH = (NOTEBOOK, ONE_PAGER)

NUMBERS = (
    # -- section 1: heavy ball's limit ------------------------------------------------------------
    given("09 q1: the momentum", lesson.Q1_MU, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "09 q1: the largest rate, 2(1 + 0.8)/10",
        lambda: heavy_ball_limit(lesson.Q1_MU) / lesson.Q1_CURVATURE,
        ".2f",
        ONE_PAGER,
    ),
    given("09 the limit runs' momentum", LIMIT_MU, ".1f", NOTEBOOK),
    *(given(f"09 a limit run at {f} x the limit", f, ".2f", NOTEBOOK) for f in LIMIT_FACTORS),
    stated("09 q1: 1 + mu", lambda: 1 + lesson.Q1_MU, ".1f", ONE_PAGER, exact="1 + 0.8"),
    stated(
        "09 q1: plain descent's limit 2/lambda",
        lambda: 2 / lesson.Q1_CURVATURE,
        ".1f",
        ONE_PAGER,
        exact="2/10",
    ),
    stated(
        "09 heavy ball's limit at mu = 0.5", lambda: heavy_ball_limit(LIMIT_MU), ".0f", NOTEBOOK
    ),
    # -- section 2: the best tuning at kappa = 100 -------------------------------------------------
    given("09 the bowl's largest curvature (kappa)", max(lesson.BOWL_EIGENVALUES), ".0f", *BOTH),
    stated("09 best tuning: the radius", lambda: _tuning().radius, ".3f", *BOTH),
    stated("09 best tuning: the plain radius", lambda: _tuning().plain_radius, ".3f", *BOTH),
    given("09 shrink the error a million times", lesson.SHRINK, ".0e", NOTEBOOK),
    stated(
        "09 the formula's steps with momentum",
        lambda: _tuning().steps_to_shrink(lesson.SHRINK)[0],
        "d",
        *BOTH,
        margin=lambda: _formula_margin(0),
    ),
    stated(
        "09 the formula's steps without momentum",
        lambda: _tuning().steps_to_shrink(lesson.SHRINK)[1],
        "d",
        *BOTH,
        margin=lambda: _formula_margin(1),
    ),
    *(
        stated(
            f"09 simulated steps with momentum, start {start}",
            (lambda s=start: _momentum_steps(s)),
            "d",
            *BOTH,
            margin=(lambda s=start: _momentum_margin(s)),
        )
        for start in lesson.STARTS
    ),
    stated(
        "09 simulated steps of plain descent, start both",
        lambda: _plain_steps("both"),
        "d",
        *BOTH,
        margin=lambda: _shrink_margin("both", _plain_lr(), None),
    ),
    stated("09 the peak growth from a stiff start", _peak_growth, ".1f", *BOTH),
    given("09 the valley's steep curvature", VALLEY_EIGENVALUES[1], ".0f", NOTEBOOK),
    given("09 the valley's turn in degrees", VALLEY_DEGREES, "d", NOTEBOOK),
    given("09 the valley's start x", VALLEY_W0[0], ".1f", NOTEBOOK),
    given("09 the valley's steps", VALLEY_STEPS, "d", NOTEBOOK),
    stated("09 the valley: heavy ball's end distance", lambda: _valley_end(True), ".2g", NOTEBOOK),
    stated(
        "09 the valley: plain descent's end distance", lambda: _valley_end(False), ".2g", NOTEBOOK
    ),
    # -- section 3: too much momentum --------------------------------------------------------------
    *(
        given(f"09 too much momentum: mu = {mu}", mu, ".1f" if mu == 0.9 else ".2f", *BOTH)
        for mu in TOO_MUCH
    ),
    *(
        stated(
            f"09 the radius sqrt(mu) at mu = {mu}",
            (lambda mu=mu: momentum_radius(lesson.BOWL_EIGENVALUES, _tuning().lr, mu)),
            ".3f",
            *BOTH,
        )
        for mu in TOO_MUCH
    ),
    *(
        stated(
            f"09 simulated steps at mu = {mu}",
            (lambda mu=mu: _momentum_steps("both", mu)),
            ("d", ",d"),
            *BOTH,
            margin=(lambda mu=mu: _momentum_margin("both", mu)),
        )
        for mu in TOO_MUCH
    ),
    # -- section 4: Nesterov -----------------------------------------------------------------------
    stated("09 Nesterov's limit at mu = 0.9", lambda: nesterov_limit(NESTEROV_MU), ".2f", *BOTH),
    stated(
        "09 heavy ball's limit at mu = 0.9", lambda: heavy_ball_limit(NESTEROV_MU), ".1f", *BOTH
    ),
    given("09 Nesterov's demo: eta * a", NESTEROV_H, ".1f", ONE_PAGER),
    # -- section 5: Adam ---------------------------------------------------------------------------
    stated("09 Adam's beta1", lambda: _adam_default("beta1"), ".1f", NOTEBOOK, exact="a default"),
    stated("09 Adam's beta2", lambda: _adam_default("beta2"), ".3f", NOTEBOOK, exact="a default"),
    stated("09 Adam's eps", lambda: _adam_default("eps"), ".0e", NOTEBOOK, exact="a default"),
    stated(
        "09 RMSProp's first step over the rate",
        _rmsprop_first_step,
        ".2f",
        *BOTH,
        exact="1/sqrt(1 - 0.9): the gradient cancels in g / sqrt(0.1 g^2)",
    ),
    given("09 the Adam bowl's steep curvature", max(lesson.ADAM_EIGENVALUES), ".0f", NOTEBOOK),
    given("09 the Adam runs' rate", lesson.ADAM_LR, ".2f", NOTEBOOK),
    given("09 the Adam runs' steps", lesson.ADAM_STEPS, "d", *BOTH),
    given("09 the loss times 1000", lesson.SCALES[1], ".0f", *BOTH),
    given("09 unchanged means within", lesson.PATH_TOL, ".0e", *BOTH),
    *(
        stated(
            f"09 plain descent's limit, loss x {f:g}", (lambda f=f: _stable_below(f)), fmt, NOTEBOOK
        )
        for f, fmt in ((1.0, ".2f"), (10.0, ".3f"), (1000.0, ".0e"))
    ),
    *(given(f"09 eps matters: loss x {f:g}", f, ".0e", *BOTH) for f in lesson.EPS_SCALES),
    *(
        stated(f"09 Adam's path moves, loss x {f:g}", (lambda f=f: _eps_moved(f)), ".2g", *BOTH)
        for f in lesson.EPS_SCALES
    ),
    *(
        given(f"09 the seed's starting point {r:g}", r, f".{i + 2}f", NOTEBOOK, ONE_PAGER)
        for i, r in enumerate(SEED_RATES)
    ),
    given("09 Adam's sensible default", ADAM_DEFAULT_LR, ".0e", *BOTH),
    # -- section 6: where the normalisation costs ------------------------------------------------
    given("09 far start: within", lesson.FAR_TOL, ".2f", NOTEBOOK),
    stated(
        "09 far start: plain descent's rate 1/L",
        lambda: 1 / max(lesson.FAR_EIGENVALUES),
        ".1f",
        NOTEBOOK,
        exact="1/2",
    ),
    given("09 far start: Adam's rate", lesson.FAR_ADAM_LR, ".1f", *BOTH),
    stated(
        "09 far start: distance / rate",
        lambda: float(np.linalg.norm(lesson.FAR_W0)) / lesson.FAR_ADAM_LR,
        ".0f",
        NOTEBOOK,
        exact="10 / 0.1",
    ),
    stated(
        "09 far start: Adam's steps",
        lambda: _far_steps(True),
        "d",
        *BOTH,
        margin=lambda: _far_margin(True),
    ),
    stated(
        "09 far start: plain descent's steps",
        lambda: _far_steps(False),
        "d",
        *BOTH,
        margin=lambda: _far_margin(False),
    ),
    *(
        given(f"09 the floor's rate {lr}", lr, ".1f" if lr == 0.1 else ".2f", *BOTH)
        for lr in lesson.FLOOR_LRS
    ),
    *(
        stated(f"09 Adam's floor at {lr}", (lambda lr=lr: _floor("adam", lr)), ".2g", *BOTH)
        for lr in lesson.FLOOR_LRS
    ),
    stated("09 plain descent's floor at 0.1", lambda: _floor("plain", 0.1), ".2g", NOTEBOOK),
    # -- the exercise -----------------------------------------------------------------------------
    given("09 exercise q1: the momentum", ex.Q1_MU, ".1f", EXERCISE),
    given("09 exercise q2: the rate", ex.Q2_LR, ".1f", EXERCISE),
    given("09 exercise q2: the momentum", ex.Q2_MU, ".1f", EXERCISE),
    given("09 exercise q4: beta1", ex.ADAM_BETAS[0], ".1f", EXERCISE),
    given("09 exercise q4: beta2", ex.ADAM_BETAS[1], ".3f", EXERCISE),
    given("09 exercise q4: eps", ex.ADAM_EPS, ".0e", EXERCISE),
    given("09 exercise q5: the rate", ex.FIRST_LR, ".2f", EXERCISE),
    *(
        given(f"09 exercise q5: gradient {i}", g, ".0f" if abs(g) >= 1 else ".1f", EXERCISE)
        for i, g in enumerate(ex.FIRST_GRADIENT)
    ),
    stated(
        "09 exercise q5: one gradient over the other",
        lambda: abs(ex.FIRST_GRADIENT[0] / ex.FIRST_GRADIENT[1]),
        ".0f",
        EXERCISE,
        exact="200 / 0.5",
    ),
    *(
        given(f"09 exercise q6: run {label}'s {what}", value, ".1f", EXERCISE)
        for label, (_, lr, mu) in ex.RUNS.items()
        for what, value in (("rate", lr), ("momentum", mu))
        if value
    ),
)
