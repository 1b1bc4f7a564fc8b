"""The numbers lesson 05 states (SGD, mini-batch and full batch): its notebook, its one-pager and
its exercise."""

from __future__ import annotations

import inspect
import math
from functools import cache, partial

import numpy as np

from ..core import (
    Quadratic1D,
    gradient_descent,
    hessian_eigenvalues,
    linear_scaling_table,
    max_stable_lr,
    noise_floor,
    sample_variance,
    settled_loss,
    tune_rate,
    updates_per_epoch,
)
from ..lessons import sgd as lesson
from ..lessons import sgd_practice as ex
from . import given, stated

NOTEBOOK = "notebooks/05_sgd.ipynb"
ONE_PAGER = "docs/lessons/05_sgd.md"
EXERCISE = "exercises/05_sgd_practice.ipynb"

# The runs exactly as the notebook makes them, with the inputs its text states.
TYPICAL_BATCHES = (32, 512)  # section 1: "typically 32 to 512"
METHODS = {"full batch": 1024, "mini-batch": 32, "SGD": 1}  # cell sgd-17
EPOCHS = 8  # cells sgd-17 and sgd-30
FLOOR_EPOCHS = 30  # cell sgd-25
# Cell sgd-27: a/2 w^2 with gradient noise s, at two rates, 20 000 steps, the first 1000 dropped.
NOISY = {"a": 2.0, "noise": 1.0, "rates": (0.05, 0.2), "steps": 20_000, "burn_in": 1000}
AGREEMENT = 0.1  # "agrees, within 10%" (the notebook asserts it)
SCALING = {"base_batch": 8, "base_lr": 0.02, "factors": (1, 4, 16, 32, 64, 128), "epochs": EPOCHS}
GOYAL_WARMUP_EPOCHS = 5  # Goyal et al. (2017) ramp the rate up over the first 5 epochs
SAME_LOSS = 0.01  # "reach the same loss, to within 0.01"
CHEAP_BATCH = 64  # section 6: "a batch of 64 cost little more than one example"
ESCAPE = {"w0": -1.0, "lr": 0.01, "steps": 2000, "seeds": 200}  # cell sgd-33
PAPER_BATCH = 256  # the one-pager's "A paper trains with SGD at batch size 256"


def _min_loss() -> float:
    loss = lesson.problem()
    return float(loss.value(loss.minimizer))


def _limit() -> float:
    return max_stable_lr(hessian_eigenvalues(lesson.problem(), lesson.W0))


def _ceil_margin(n: int, b: int) -> float:
    """How far n / b is from a whole number (relative): what decides its ceiling."""
    q = n / b
    return abs(q - round(q)) / q


# -- tuned rates (section 3) ---------------------------------------------------------------------
@cache
def _tuned(batch_size: int):
    return tune_rate(lesson.problem(), lesson.W0, batch_size, EPOCHS, grid=lesson.RATE_GRID)


def _tuned_margin(batch_size: int) -> float:
    """The gap between the lowest final loss and the next lowest, relative: the argmin's margin."""
    best, second = sorted(_tuned(batch_size).final_losses.values())[:2]
    return (second - best) / best


# -- the noise floor (section 4) -----------------------------------------------------------------
def _measured_floor(lr: float) -> float:
    run = gradient_descent(
        Quadratic1D(a=NOISY["a"], c=0),
        w0=1.0,
        lr=lr,
        steps=NOISY["steps"],
        noise=NOISY["noise"],
        seed=0,
        tol=0,
    )
    return settled_loss(run, last=NOISY["steps"] - NOISY["burn_in"])


def _agreement_margin() -> float:
    """How far each long run's relative deviation from noise_floor is from 10% (relative)."""
    margins = []
    for lr in NOISY["rates"]:
        theory = noise_floor(NOISY["a"], lr, NOISY["noise"])
        margins.append(1 - abs(_measured_floor(lr) - theory) / theory / AGREEMENT)
    return min(margins)


# -- linear scaling (section 5) ------------------------------------------------------------------
@cache
def _scaling():
    return linear_scaling_table(lesson.problem(), lesson.W0, **SCALING)


def _holds(row) -> bool:
    return not row.diverging and abs(row.final_loss - _min_loss()) < SAME_LOSS


def _largest_holding():
    return max((r for r in _scaling() if _holds(r)), key=lambda r: r.batch_size)


def _first_diverging():
    return min((r for r in _scaling() if r.diverging), key=lambda r: r.batch_size)


def _scaling_margin() -> float:
    """How far every comparison that reads the table is from going the other way (relative):
    each rate against 2/lambda_max, each final loss against its start (diverging) and the loss
    of each run that holds against the minimum plus 0.01."""
    start = float(lesson.problem().value(lesson.W0))
    limit, lowest = _limit(), _min_loss()
    margins = []
    for row in _scaling():
        margins.append(abs(row.lr / limit - 1))
        if np.isfinite(row.final_loss):
            margins.append(abs(row.final_loss / start - 1))
        if not row.diverging:
            margins.append(abs(1 - abs(row.final_loss - lowest) / SAME_LOSS))
    return min(margins)


# -- the sharp and the flat minimum (section 7) ----------------------------------------------------
@cache
def _minima() -> tuple[float, float, float]:
    return lesson.SHARP_FLAT.minima()


def _depth(which: int) -> float:
    return float(lesson.SHARP_FLAT.value(_minima()[which]))


def _minimum_margin(which: int, decimals: int) -> float:
    """The grid search's margin for a minimum shown with ``decimals`` decimals: how much higher
    (relative) the lowest loss is among the grid points of its basin that would show otherwise."""
    xs = np.linspace(-2.5, 3.5, 600_001)  # the grid of SharpFlatWells.minima
    xs = xs[xs < 0.0] if which == 0 else xs[xs > 0.5]
    v = lesson.SHARP_FLAT.value(xs)
    shown = round(_minima()[which], decimals)
    other = np.abs(xs - shown) > 0.5 * 10.0**-decimals
    return float((v[other].min() - v.min()) / abs(v.min()))


def _cycle_point(which: int) -> float:
    """The lower (0) or upper (1) of the two points the noiseless run at 0.03 bounces between."""
    run = gradient_descent(
        lesson.SHARP_FLAT,
        lesson.SELECTION_W0,
        lr=lesson.SELECTION_RATES[1],
        steps=lesson.SELECTION_STEPS,
    )
    if run.status != "bouncing":
        return math.nan  # the text says it bounces: a run that does not fails the registry
    return float(sorted(run.weights[-2:])[which])


def _explorer_default(name: str):
    from ..widgets.batch_size import BatchSizeExplorer  # only when asked: it needs ipywidgets

    return inspect.signature(BatchSizeExplorer.__init__).parameters[name].default


NUMBERS = (
    # -- section 1: the data, and updates per epoch ------------------------------------------------
    given("05 the lesson's examples N", lesson.N_SAMPLES, "d", NOTEBOOK, ONE_PAGER),
    given("05 typical mini-batch sizes: from", TYPICAL_BATCHES[0], "d", NOTEBOOK),
    given("05 typical mini-batch sizes: to", TYPICAL_BATCHES[1], "d", NOTEBOOK),
    given("05 q1: the examples", lesson.Q1_N, "d", NOTEBOOK, ONE_PAGER),
    *(
        given(f"05 q1: batch {b}", b, "d", NOTEBOOK, *((ONE_PAGER,) if b == 32 else ()))
        for b in lesson.Q1_BATCHES
        if b > 10
    ),
    stated(
        "05 q1: updates per epoch for N = 1000, B = 32 (one-pager)",
        lambda: updates_per_epoch(lesson.Q1_N, lesson.Q1_BATCHES[1]),
        "d",
        ONE_PAGER,
        exact="ceil(1000 / 32), whole numbers",
        margin=lambda: _ceil_margin(lesson.Q1_N, lesson.Q1_BATCHES[1]),
    ),
    stated(
        "05 q1: the count rounded down (the misconception)",
        lambda: lesson.Q1_N // lesson.Q1_BATCHES[1],
        "d",
        ONE_PAGER,
        exact="floor(1000 / 32), whole numbers",
        margin=lambda: _ceil_margin(lesson.Q1_N, lesson.Q1_BATCHES[1]),
    ),
    # -- section 2: the variance of a mini-batch gradient ------------------------------------------
    given(
        "05 the sampled batches per batch size",
        inspect.signature(sample_variance).parameters["n_batches"].default,
        "d",
        NOTEBOOK,
    ),
    given("05 q2: the batch grows from", lesson.Q2_FROM, "d", NOTEBOOK, ONE_PAGER),
    given("05 q2: the batch grows to", lesson.Q2_TO, "d", NOTEBOOK, ONE_PAGER),
    stated(
        "05 q2: the variance's factor",
        lambda: lesson.q2.expected(),
        ".4f",
        ONE_PAGER,
    ),
    # -- section 3: three comparisons, each at its own tuned rate ----------------------------------
    given("05 the comparison's mini-batch", METHODS["mini-batch"], "d", NOTEBOOK, ONE_PAGER),
    given("05 the rate grid's smallest rate", lesson.RATE_GRID[0], ".4f", NOTEBOOK, ONE_PAGER),
    *(
        stated(
            f"05 updates per epoch of {name} (B = {b})",
            (lambda b=b: updates_per_epoch(lesson.N_SAMPLES, b)),
            "d",
            NOTEBOOK,
            exact=f"1024 / {b}, whole numbers",
        )
        for name, b in METHODS.items()
        if b < lesson.N_SAMPLES
    ),
    *(
        stated(
            f"05 the tuned rate of {name}",
            (lambda b=b: _tuned(b).lr),
            fmt,
            ONE_PAGER,
            margin=lambda b=b: _tuned_margin(b),
        )
        for (name, b), fmt in zip(METHODS.items(), (".1f", ".2f", ".3f"), strict=True)
    ),
    stated(  # section 5 tries the full batch's tuned rate on the summed loss
        "05 the sum's demonstration: the full batch's tuned rate",
        lambda: _tuned(METHODS["full batch"]).lr,  # lesson.SUM_RATE (a test ties the two)
        ".1f",
        NOTEBOOK,
        margin=lambda: _tuned_margin(METHODS["full batch"]),
    ),
    stated("05 the lowest possible loss", _min_loss, ".4f", ONE_PAGER),
    # -- section 4: the noise floor ----------------------------------------------------------------
    given("05 the noise-floor runs' epochs", FLOOR_EPOCHS, "d", NOTEBOOK),
    given("05 the noisy quadratic's smaller rate", NOISY["rates"][0], ".2f", NOTEBOOK),
    given("05 the noisy quadratic's larger rate", NOISY["rates"][1], ".1f", NOTEBOOK),
    stated(
        "05 the noise floor at rate 0.05",
        lambda: noise_floor(NOISY["a"], NOISY["rates"][0], NOISY["noise"]),
        ".4f",
        NOTEBOOK,
    ),
    stated(
        "05 the noise floor at rate 0.2",
        lambda: noise_floor(NOISY["a"], NOISY["rates"][1], NOISY["noise"]),
        ".4f",
        NOTEBOOK,
        exact="0.2 / (2 (2 - 0.4)) = 1/16",
    ),
    given("05 the long noisy runs' steps", NOISY["steps"], ",d", NOTEBOOK),
    stated(
        "05 the long runs agree with noise_floor within",
        lambda: AGREEMENT,
        ".0%",
        NOTEBOOK,
        exact="a tolerance of the lesson",
        margin=_agreement_margin,
    ),
    # -- section 5: the linear scaling rule --------------------------------------------------------
    given("05 Goyal et al.'s warmup, in epochs", GOYAL_WARMUP_EPOCHS, "d", NOTEBOOK),
    given(
        "05 linear scaling: our runs' warmup, in epochs",
        inspect.signature(linear_scaling_table).parameters["warmup_epochs"].default,
        "d",
        NOTEBOOK,
    ),
    given("05 linear scaling: the base rate", SCALING["base_lr"], ".2f", NOTEBOOK, ONE_PAGER),
    given("05 linear scaling: the same loss, within", SAME_LOSS, ".2f", NOTEBOOK),
    stated(
        "05 linear scaling: the largest batch that holds",
        lambda: _largest_holding().batch_size,
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=_scaling_margin,
    ),
    stated(
        "05 linear scaling: the rate of the largest batch that holds",
        lambda: _largest_holding().lr,
        ".2f",
        NOTEBOOK,
        exact="0.02 * 32",
        margin=_scaling_margin,
    ),
    stated(
        "05 linear scaling: the first batch that diverges",
        lambda: _first_diverging().batch_size,
        "d",
        NOTEBOOK,
        ONE_PAGER,
        margin=_scaling_margin,
    ),
    stated(
        "05 linear scaling: the rate of the first batch that diverges",
        lambda: _first_diverging().lr,
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="0.02 * 64",
        margin=_scaling_margin,
    ),
    stated("05 the stability limit 2/lambda_max", _limit, ".2f", NOTEBOOK, ONE_PAGER),
    stated(
        "05 the stability limit of the summed loss",
        lambda: max_stable_lr(hessian_eigenvalues(lesson.summed(), lesson.W0)),
        ".2g",
        NOTEBOOK,
        ONE_PAGER,
    ),
    given("05 the summed batches' size", lesson.SUM_BATCH, "d", NOTEBOOK),
    given("05 the summed batches' rate", lesson.SUM_BATCH_RATE, ".2f", NOTEBOOK),
    stated(
        "05 summed batches of 32 at 0.03 step like the mean at",
        lambda: lesson.SUM_BATCH * lesson.SUM_BATCH_RATE,
        ".2f",
        NOTEBOOK,
        exact="32 * 0.03, two digits of a product of givens",
    ),
    # -- section 6 and the one-pager: "SGD" in practice --------------------------------------------
    given("05 a batch that costs little more than one example", CHEAP_BATCH, "d", NOTEBOOK),
    given("05 a paper's batch size", PAPER_BATCH, "d", ONE_PAGER),
    # -- section 7: sharp and flat minima ----------------------------------------------------------
    given("05 the wells' confining quadratic", lesson.SHARP_FLAT.confine, ".2f", NOTEBOOK),
    given("05 the sharp well's width", lesson.SHARP_FLAT.sharp[1], ".1f", NOTEBOOK),
    given("05 the flat well's centre", lesson.SHARP_FLAT.flat[0], ".1f", NOTEBOOK),
    given("05 the flat well's width", lesson.SHARP_FLAT.flat[1], ".1f", NOTEBOOK),
    stated(
        "05 the sharp minimum",
        lambda: _minima()[0],
        ".0f",
        NOTEBOOK,
        margin=lambda: _minimum_margin(0, 0),
    ),
    stated(
        "05 the flat minimum",
        lambda: _minima()[2],
        ".1f",
        NOTEBOOK,
        margin=lambda: _minimum_margin(2, 1),
    ),
    *(  # each well's loss at its minimum: nearly equal, the sharp one slightly deeper
        stated(f"05 the {well} well's depth", partial(_depth, i), ".3f", NOTEBOOK)
        for well, i in (("sharp", 0), ("flat", 2))
    ),
    stated(
        "05 the sharp minimum's curvature",
        lambda: lesson.SHARP_FLAT.curvature(_minima()[0]),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
    ),
    stated(
        "05 the flat minimum's curvature",
        lambda: lesson.SHARP_FLAT.curvature(_minima()[2]),
        ".0f",
        NOTEBOOK,
    ),
    stated(
        "05 the flat minimum's curvature, 3 digits",
        lambda: lesson.SHARP_FLAT.curvature(_minima()[2]),
        ".2f",
        NOTEBOOK,
    ),
    given("05 the selection's start", lesson.SELECTION_W0, ".1f", NOTEBOOK),
    *(
        given(f"05 the selection's {which} rate", rate, fmt, NOTEBOOK, *extra)
        for which, rate, fmt, extra in zip(
            ("smallest", "middle", "largest"),
            lesson.SELECTION_RATES,
            (".3f", ".2f", ".1f"),
            ((), (ONE_PAGER,), ()),
            strict=True,
        )
    ),
    *(  # "can settle only if eta < 2/curvature"
        stated(
            f"05 the {well} minimum's stability limit",
            lambda i=i: max_stable_lr(lesson.SHARP_FLAT.curvature(_minima()[i])),
            fmt,
            NOTEBOOK,
        )
        for well, i, fmt in (("sharp", 0, ".3f"), ("flat", 2, ".2f"))
    ),
    *(  # the two points the run at 0.03 bounces between
        stated(f"05 the bouncing run's {which} point", partial(_cycle_point, i), ".2f", NOTEBOOK)
        for which, i in (("lower", 0), ("upper", 1))
    ),
    given("05 the escape runs' steps", ESCAPE["steps"], "d", NOTEBOOK),
    given("05 the escape runs' rate", ESCAPE["lr"], ".2f", NOTEBOOK),
    given("05 the escape runs' seeds per noise level", ESCAPE["seeds"], "d", NOTEBOOK),
    # -- section 8: the explorer -------------------------------------------------------------------
    stated(
        "05 the explorer's rate to try",
        lambda: _explorer_default("lr"),
        ".2f",
        NOTEBOOK,
        exact="a given of the explorer",
    ),
    # -- the exercise ------------------------------------------------------------------------------
    given("05 exercise q1: the examples", ex.Q1_N, ",d", EXERCISE),
    *(given(f"05 exercise q1: batch {b}", b, ",d", EXERCISE) for b in ex.Q1_BATCHES),
    stated(
        "05 exercise q2: the examples",
        lambda: ex.DATA.n_samples,
        "d",
        EXERCISE,
        exact="a given of the lesson",
    ),
    *(given(f"05 exercise q2: batch {b}", b, "d", EXERCISE) for b in ex.Q2_BATCHES if b > 10),
    given("05 exercise q4: the rate", ex.Q4_LR, ".1f", EXERCISE),
)
