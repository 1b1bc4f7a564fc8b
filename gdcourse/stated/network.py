"""The numbers lesson 10 states (the learning rate on a real network): its notebook and its
one-pager.

Two kinds of entry. The live ones (the start loss, the range test, the runs at its pick) are
recomputed here as another CPU might compute them. The sweeps are stored with the course
(``gdcourse/digits_studies.json``): their entries read the store, say so in ``exact``, and
``tests/test_digits_studies.py`` regenerates the store, compares it at the displayed precision and
checks that no run they read is one the store marks as sensitive to the last bits.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import range_test, rate_sweep, sharpness, updates_per_epoch
from ..core.training import WARMUP_SHARE
from ..digits import (
    EPOCHS,
    GRID_BATCH_SIZES,
    HIDDEN,
    MOMENTUM,
    RANGE_TEST,
    SCALING,
    SCHEDULE_RATES,
    SHARPNESS,
    SPLIT_SIZES,
    SWEEP_BATCH,
    SWEEP_RATES,
    SWEEP_SEEDS,
    load_digits_split,
    stored_studies,
)
from ..lessons import network as lesson
from . import given, stated

NOTEBOOK = "notebooks/10_network.ipynb"
ONE_PAGER = "docs/lessons/10_network.md"
BOTH = (NOTEBOOK, ONE_PAGER)
#: Why a stored study's number cannot depend on the machine that shows it.
STORED = (
    "read from the stored studies (gdcourse/digits_studies.json); tests/test_digits_studies.py "
    "regenerates them, compares at the displayed precision, and checks the run is not one the "
    "store marks as sensitive to the last bits"
)
#: The pixel's largest value (scikit-learn's digits are 0 to 16), the gradient check's rows
#: and its bound, the lesson's time.
PIXEL_MAX, CHECK_ROWS, CHECK_BOUND, MINUTES, EXERCISE_MINUTES = 16, 40, 1e-9, 60, 25


def _pct(v: float) -> str:
    """An accuracy of a whole number of rows over 400, shown exactly (79.75%, 86%)."""
    return f"{100 * v:.4g}%"


def _range_test():
    net = load_digits_split().network("train")
    settings = {k: v for k, v in RANGE_TEST.items() if k != "seed"}
    return range_test(net, net.init(RANGE_TEST["seed"]), seed=RANGE_TEST["seed"], **settings)


def _picked_accuracy() -> float:
    """The lowest validation accuracy of the three runs at the range test's pick."""
    d = load_digits_split()
    sweep = rate_sweep(
        d.network("train"),
        [_range_test().suggested],
        batch_size=SWEEP_BATCH,
        epochs=EPOCHS,
        evaluate=d.network("val"),
        seeds=SWEEP_SEEDS,
    )
    return float(sweep.accuracy.min())


def _row(study: str, rate: float) -> np.ndarray:
    s = getattr(stored_studies(), study)
    return s.accuracy[list(s.rates).index(rate)]


def _scaled(batch: int, kept: bool = False) -> np.ndarray:
    s = stored_studies().scaling
    values = s.fixed_accuracy if kept else s.scaled_accuracy
    return values[s.batch_sizes.tolist().index(batch)]


def _held() -> np.ndarray:
    s = stored_studies().scaling
    return s.scaled_accuracy[: s.batch_sizes.tolist().index(256) + 1]


def _runs() -> dict[str, int]:
    s = stored_studies()
    part2 = sum(getattr(s, n).accuracy.size for n in ("momentum", "adam", "sklearn"))
    part2 += s.sklearn_defaults.accuracy.size
    return {
        "sweep": s.sweep.accuracy.size,
        "scaling": 2 * s.scaling.scaled_accuracy.size,
        "schedule": s.constant.accuracy.size + s.warmup_cosine.accuracy.size,
        "all": s.sweep.accuracy.size
        + s.test_accuracy.accuracy.size
        + 2 * s.scaling.scaled_accuracy.size
        + s.constant.accuracy.size
        + s.warmup_cosine.accuracy.size
        + s.grid.diverged.size
        + part2,
        "part 2": part2,
    }


def _mean(study: str, rate: float) -> float:
    return float(_row(study, rate).mean())


def _start_sharpness() -> float:
    mse = load_digits_split().network("train", loss="mse")
    return sharpness(mse, mse.init(SHARPNESS["seed"]), iterations=20).value


def _mse_reading(i: int, step: int) -> float:
    study = stored_studies().mse_sharpness
    return float(study.sharpness[i, study.steps.tolist().index(step)])


def _ce_reading(i: int) -> float:
    return float(stored_studies().ce_sharpness.sharpness[0, i])


def _start_loss() -> float:
    net = load_digits_split().network("train")
    return net.value(net.init(0))


NUMBERS = (
    # -- the data and the network ----------------------------------------------------------------
    stated(
        "10 the digits: images",
        lambda: sum(len(getattr(load_digits_split(), f"y_{p}")) for p in ("train", "val", "test")),
        ",d",
        *BOTH,
        exact="a count of the data set's rows",
    ),
    *(
        given(f"10 the split: {name} rows", n, (",d", "d"), *BOTH)
        for name, n in zip(("training", "validation", "test"), SPLIT_SIZES, strict=True)
    ),
    given("10 a pixel's largest value", PIXEL_MAX, "d", NOTEBOOK),
    given("10 the inputs (8 x 8 pixels)", 64, "d", *BOTH),
    given("10 the hidden units", HIDDEN, "d", *BOTH),
    stated(
        "10 the network's parameters",
        lambda: load_digits_split().network("train").shape[0],
        (",d", "d"),
        *BOTH,
        exact="arithmetic on the layer sizes, 64 * 32 + 32 + 32 * 10 + 10",
    ),
    stated("10 ln 10", lambda: math.log(lesson.N_CLASSES), ".2f", *BOTH, exact="a closed form"),
    stated(
        "10 the loss at the start (seed 0): near ln 10",
        _start_loss,
        ".2f",
        used_by="the notebook's printed start loss (2.29), asserted within 0.05 of ln 10",
    ),
    given("10 the gradient check's rows", CHECK_ROWS, "d", NOTEBOOK),
    given("10 the gradient check's bound", CHECK_BOUND, ".0e", NOTEBOOK),
    given("10 minutes for the lesson", MINUTES, "d", *BOTH),
    given("10 minutes for the exercise", EXERCISE_MINUTES, "d", ONE_PAGER),
    stated("10 the stored training runs", lambda: _runs()["all"], "d", *BOTH, exact=STORED),
    stated(
        "10 part 2's stored training runs", lambda: _runs()["part 2"], "d", ONE_PAGER, exact=STORED
    ),
    # -- the range test ---------------------------------------------------------------------------
    given("10 range test: the first rate", RANGE_TEST["lr_min"], ".0e", *BOTH),
    given("10 range test: the last rate", RANGE_TEST["lr_max"], ".0f", *BOTH),
    given("10 range test: updates", RANGE_TEST["steps"], "d", *BOTH),
    given("10 the batch of the range test and the sweep", SWEEP_BATCH, "d", *BOTH),
    stated(
        "10 range test: the blow-up",
        lambda: _range_test().blow_up,
        ".1f",
        *BOTH,
        margin=lambda: _range_test().blow_up_margin,
    ),
    stated(
        "10 range test: the pick, ten times below",
        lambda: _range_test().suggested,
        ".2f",
        *BOTH,
        margin=lambda: _range_test().blow_up_margin,
    ),
    stated(
        "10 the pick's runs: every seed above",
        _picked_accuracy,
        ".0%",
        *BOTH,
        margin=lambda: (_picked_accuracy() - 0.95) / 0.95,
    ),
    # -- the U-curve ------------------------------------------------------------------------------
    given("10 the epochs of every study", EPOCHS, "d", *BOTH),
    *(given(f"10 a sweep rate: {r:g}", r, ".6g", *BOTH) for r in (0.01, 0.1, 30.0)),
    given("10 a sweep rate: 0.3", 0.3, ".6g", *BOTH),
    stated("10 the sweep's runs", lambda: _runs()["sweep"], "d", NOTEBOOK, exact=STORED),
    stated("10 sweep: 0.01, lowest", lambda: _row("sweep", 0.01).min(), _pct, *BOTH, exact=STORED),
    stated("10 sweep: 0.01, highest", lambda: _row("sweep", 0.01).max(), _pct, *BOTH, exact=STORED),
    given("10 good: this accuracy on every seed", lesson.GOOD_ACCURACY, ".0%", *BOTH),
    stated(
        "10 sweep: the best mean (rate 1)",
        lambda: float(stored_studies().sweep.mean_accuracy.max()),
        _pct,
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 sweep: the mean at 0.3",
        lambda: float(_row("sweep", 0.3).mean()),
        _pct,
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 test accuracy at the best rate: lowest",
        lambda: float(stored_studies().test_accuracy.accuracy.min()),
        ".1%",
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 test accuracy at the best rate: highest",
        lambda: float(stored_studies().test_accuracy.accuracy.max()),
        ".1%",
        *BOTH,
        exact=STORED,
    ),
    # -- linear scaling ---------------------------------------------------------------------------
    given("10 scaling: the base rate", SCALING["base_lr"], ".6g", *BOTH),
    given("10 scaling: the largest factor", SCALING["factors"][-1], "d", NOTEBOOK),
    given("10 the full batch", SPLIT_SIZES[0], "d", *BOTH),
    stated(
        "10 scaling: the full batch's rate",
        lambda: SCALING["base_lr"] * SCALING["factors"][-1],
        ".6g",
        *BOTH,
        exact="0.025 x 125",
    ),
    stated("10 scaling's runs", lambda: _runs()["scaling"], "d", NOTEBOOK, exact=STORED),
    *(given(f"10 scaling: batch {b}", b, "d", *BOTH) for b in (256, 512)),
    stated("10 scaling: to 256, lowest", lambda: _held().min(), _pct, *BOTH, exact=STORED),
    stated("10 scaling: to 256, highest", lambda: _held().max(), _pct, *BOTH, exact=STORED),
    stated(
        "10 scaling: kept at 256, lowest",
        lambda: _scaled(256, True).min(),
        _pct,
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 scaling: kept at 256, highest",
        lambda: _scaled(256, True).max(),
        _pct,
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 scaling: kept at 1000, lowest",
        lambda: _scaled(1000, True).min(),
        _pct,
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 scaling: kept at 1000, highest",
        lambda: _scaled(1000, True).max(),
        _pct,
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 scaling: the rate at 512",
        lambda: SCALING["base_lr"] * 64,
        ".6g",
        NOTEBOOK,
        exact="0.025 x 64",
    ),
    stated("10 scaling: 512, lowest", lambda: _scaled(512).min(), _pct, *BOTH, exact=STORED),
    stated("10 scaling: 512, highest", lambda: _scaled(512).max(), _pct, *BOTH, exact=STORED),
    # -- the schedule -----------------------------------------------------------------------------
    given("10 the warmup's share", WARMUP_SHARE, ".0%", NOTEBOOK),
    given("10 the schedule study's peaks: the largest", SCHEDULE_RATES[-1], ".6g", NOTEBOOK),
    given("10 a schedule peak: 1.5", 1.5, ".6g", *BOTH),
    stated(
        "10 the schedule study's runs", lambda: _runs()["schedule"], "d", NOTEBOOK, exact=STORED
    ),
    stated(
        "10 the updates of a run (equal compute)",
        lambda: EPOCHS * updates_per_epoch(SPLIT_SIZES[0], SWEEP_BATCH),
        "d",
        *BOTH,
        exact="20 x ceil(1000 / 32)",
    ),
    *(
        stated(
            f"10 schedule: {study} at {rate:g}, {end}",
            (lambda s=study, r=rate, f=f: f(_row(s, r))),
            _pct,
            *BOTH,
            exact=STORED,
        )
        for study in ("constant", "warmup_cosine")
        for rate in (0.1, 1.0, 1.5)
        for end, f in (("lowest", np.min), ("highest", np.max))
        if not (study == "constant" and rate == 1.5)
    ),
    # -- the explorer -----------------------------------------------------------------------------
    *(given(f"10 the explorer's batch {b}", b, "d", NOTEBOOK) for b in GRID_BATCH_SIZES[2:]),
    given("10 the explorer's rates", len(SWEEP_RATES), "d", NOTEBOOK),
    # -- part 2: momentum and Adam -----------------------------------------------------------------
    given("10 momentum's mu (and Adam's beta1)", MOMENTUM, ".6g", *BOTH),
    given("10 Adam's beta2", 0.999, ".6g", NOTEBOOK),
    given("10 Adam's eps", 1e-8, ".0e", NOTEBOOK),
    given("10 momentum's first rate (Adam's default)", 0.001, ".6g", *BOTH),
    given("10 Adam's first rate", 0.0001, ".6g", NOTEBOOK),
    *(given(f"10 Adam's good band: {r:g}", r, ".6g", *BOTH) for r in (0.003, 0.03)),
    stated("10 momentum at 0.1: mean", lambda: _mean("momentum", 0.1), _pct, *BOTH, exact=STORED),
    stated(
        "10 momentum at 0.3: its two calm seeds",
        lambda: float(_row("momentum", 0.3)[1:].min()),
        _pct,
        NOTEBOOK,
        exact=STORED,
    ),
    stated("10 Adam at 0.01: mean", lambda: _mean("adam", 0.01), _pct, *BOTH, exact=STORED),
    stated(
        "10 the optimizers' runs",
        lambda: stored_studies().momentum.accuracy.size + stored_studies().adam.accuracy.size,
        "d",
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 scikit-learn's runs",
        lambda: (
            stored_studies().sklearn.accuracy.size + stored_studies().sklearn_defaults.accuracy.size
        ),
        "d",
        NOTEBOOK,
        exact=STORED,
    ),
    # -- part 2: the sharpness --------------------------------------------------------------------
    given("10 sharpness: the steps", SHARPNESS["mse_steps"], ",d", *BOTH),
    given(
        "10 sharpness: the window",
        SHARPNESS["mse_steps"] - SHARPNESS["plateau_from"],
        ",d",
        *BOTH,
    ),
    stated(
        "10 sharpness: the readings",
        lambda: stored_studies().mse_sharpness.sharpness.size,
        "d",
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 sharpness at the start (MSE, seed 0)",
        _start_sharpness,
        ".0f",
        *BOTH,
        margin=lambda: abs(_start_sharpness() - 21.5) / 21.5,
    ),
    *(given(f"10 sharpness: the rate {r:g}", r, ".6g", *BOTH) for r in SHARPNESS["mse_rates"]),
    *(
        stated(f"10 sharpness: 2/{r:g}", lambda r=r: 2 / r, ".3g", *BOTH, exact=f"2 / {r:g}")
        for r in SHARPNESS["mse_rates"][1:]
    ),
    given("10 sharpness: the plateau's bound", 0.02, ".0%", *BOTH),
    given("10 sharpness at 0.1: the dip below", 19, "d", NOTEBOOK),
    given("10 sharpness at 0.1: the step of its peak", 1600, ",d", NOTEBOOK),
    stated(
        "10 sharpness at 0.1: its peak at step 1,600",
        lambda: float(_mse_reading(0, 1600)),
        ".1f",
        NOTEBOOK,
        exact=STORED,
    ),
    given("10 sharpness: the median's drift bound", 0.005, ".1%", NOTEBOOK),
    stated("10 cross-entropy sharpness: start", lambda: _ce_reading(0), ".2f", *BOTH, exact=STORED),
    stated("10 cross-entropy sharpness: end", lambda: _ce_reading(-1), ".2f", *BOTH, exact=STORED),
    # -- part 2: scikit-learn ----------------------------------------------------------------------
    given("10 scikit-learn's default L2 penalty", 1e-4, ".0e", NOTEBOOK),
    stated(
        "10 scikit-learn at 0.01: mean", lambda: _mean("sklearn", 0.01), _pct, *BOTH, exact=STORED
    ),
    stated(
        "10 the course's SGD at 0.01: mean", lambda: _mean("sweep", 0.01), _pct, *BOTH, exact=STORED
    ),
    stated(
        "10 scikit-learn: the best mean (at 0.1)",
        lambda: float(stored_studies().sklearn.mean_accuracy.max()),
        _pct,
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 scikit-learn at 1: lowest seed",
        lambda: float(_row("sklearn", 1.0).min()),
        _pct,
        NOTEBOOK,
        exact=STORED,
    ),
    stated(
        "10 scikit-learn's defaults at 0.001: mean",
        lambda: _mean("sklearn_defaults", 0.001),
        _pct,
        *BOTH,
        exact=STORED,
    ),
    stated(
        "10 scikit-learn's defaults: the best mean (at 0.3)",
        lambda: float(stored_studies().sklearn_defaults.mean_accuracy.max()),
        _pct,
        *BOTH,
        exact=STORED,
    ),
)
