"""Lesson 10's real data and its stored studies: the handwritten digits scikit-learn ships
(8 x 8 images, 1,797 of them, 10 classes), split once, by a seed, into training, validation
and test rows.

scikit-learn is imported only when the digits are loaded, so ``import gdcourse`` stays fast and
the numpy-only core never sees it. The studies that take more than a lesson's seconds (sweeps
over rates, batch sizes and schedules) are computed by the core (:mod:`gdcourse.core.training`)
and stored beside this module as ``digits_studies.json``; :func:`compute_studies` makes them
again, and a test in ``make test`` does so and compares.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from .core import MLP, RateSweep, ScalingStudy, SharpnessStudy, TrainingGrid
from .core.errors import CourseValueError, _describe, check_count

__all__ = [
    "ADAM_RATES",
    "EPOCHS",
    "GRID_BATCH_SIZES",
    "HIDDEN",
    "MOMENTUM",
    "MOMENTUM_RATES",
    "RANGE_TEST",
    "SCALING",
    "SCHEDULE_RATES",
    "SHARPNESS",
    "SKLEARN_DEFAULT_RATES",
    "SKLEARN_PLAIN",
    "SPLIT_SEED",
    "SPLIT_SIZES",
    "SWEEP_BATCH",
    "SWEEP_RATES",
    "SWEEP_SEEDS",
    "DigitsSplit",
    "Studies",
    "compute_studies",
    "compute_study",
    "load_digits_split",
    "save_studies",
    "sensitivity",
    "sklearn_fit",
    "sklearn_sweep",
    "stored_studies",
]

#: Training, validation and test rows (1,797 in all), and the seed that shuffles them apart.
SPLIT_SIZES = (1000, 400, 397)
SPLIT_SEED = 0
#: The network: 64 pixels -> 32 tanh units -> 10 scores, softmax cross-entropy.
HIDDEN = 32
#: Every study's budget: 20 epochs; the sweep's batch size, rates (half a decade apart) and seeds.
EPOCHS = 20
SWEEP_BATCH = 32
SWEEP_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
SWEEP_SEEDS = (0, 1, 2)
#: The range test of the lesson (run live: a tenth of a second).
RANGE_TEST = MappingProxyType(
    {"lr_min": 1e-3, "lr_max": 100.0, "steps": 320, "batch_size": 32, "seed": 3}
)
#: The linear scaling study: batch 8 at rate 0.025, both multiplied by k.
SCALING = MappingProxyType(
    {"base_batch": 8, "base_lr": 0.025, "factors": (1, 2, 4, 8, 16, 32, 64, 125)}
)
#: The schedule study: these peak rates, constant and with warmup + cosine.
SCHEDULE_RATES = (0.1, 0.3, 1.0, 1.5, 2.0, 3.0)
#: The explorer's grid: every sweep rate at these batch sizes, both schedules, seed 0.
GRID_BATCH_SIZES = (8, 32, 128, 1000)

#: Part 2's optimizers, each swept as the SGD sweep is (batch, epochs, seeds): heavy-ball
#: momentum 0.9 and Adam (its defaults), each over half-decade rates from its slow end to past
#: its blow-up.
MOMENTUM = 0.9
MOMENTUM_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
ADAM_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
#: The sharpness along full-batch gradient descent from ``net.init(seed)``: the mean-squared
#: error at three rates whose ``2 / lr`` lies below the starting sharpness (about 22), read every
#: ``every`` steps; the plateau is the median from ``plateau_from`` on; cross-entropy at one rate.
SHARPNESS = MappingProxyType(
    {
        "mse_rates": (0.1, 0.13, 0.16),
        "mse_steps": 5000,
        "every": 100,
        "plateau_from": 3000,
        "ce_rate": 1.0,
        "ce_steps": 3000,
        "ce_every": 200,
        "seed": 0,
    }
)
#: scikit-learn's MLPClassifier over the SGD sweep's rates: the same network (64-32-10, tanh,
#: softmax cross-entropy), batch, epochs and seeds; plain (no momentum, no L2) and with its
#: defaults (momentum 0.9 with Nesterov, L2 1e-4) over ``SKLEARN_DEFAULT_RATES``.
SKLEARN_PLAIN = MappingProxyType({"momentum": 0.0, "nesterovs_momentum": False, "alpha": 0.0})
SKLEARN_DEFAULT_RATES = MOMENTUM_RATES

_STORE = "digits_studies.json"


@dataclass(frozen=True)
class DigitsSplit:
    """The digits, scaled to [0, 1] (pixel / 16), in three seeded parts.

    ``network(part)`` is lesson 10's network on one part: the same parameter layout on every
    part, so weights trained on ``"train"`` are scored on ``"val"`` or ``"test"``.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def network(self, part: str = "train", *, loss: str = "cross_entropy") -> MLP:
        """The 64-32-10 tanh network on the rows of ``part`` ("train", "val" or "test")."""
        parts = {"train": 0, "val": 1, "test": 2}
        if not isinstance(part, str) or part not in parts:
            raise CourseValueError(f"part must be 'train', 'val' or 'test', got {_describe(part)}")
        X, y = [(self.X_train, self.y_train), (self.X_val, self.y_val), (self.X_test, self.y_test)][
            parts[part]
        ]
        return MLP(X, y, HIDDEN, activation="tanh", loss=loss, n_classes=10)


@functools.cache
def load_digits_split() -> DigitsSplit:
    """The digits of scikit-learn (shipped with it: no download), split 1,000 / 400 / 397 by
    ``SPLIT_SEED``: the same rows in each part on every machine."""
    from sklearn.datasets import load_digits  # here, not at the top: import gdcourse stays fast

    data = load_digits()
    X = np.asarray(data.data, dtype=float) / 16.0
    y = np.asarray(data.target, dtype=int)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(y))
    a, b = SPLIT_SIZES[0], SPLIT_SIZES[0] + SPLIT_SIZES[1]
    parts = []
    for rows in (order[:a], order[a:b], order[b:]):
        Xp, yp = X[rows], y[rows]
        Xp.flags.writeable = yp.flags.writeable = False
        parts += [Xp, yp]
    return DigitsSplit(*parts)


@dataclass(frozen=True)
class Studies:
    """Lesson 10's precomputed studies.

    Attributes
    ----------
    sweep : RateSweep
        ``SWEEP_RATES`` at batch ``SWEEP_BATCH`` for ``EPOCHS`` epochs, accuracy on validation.
    test_accuracy : RateSweep
        The sweep's best rate again, scored on the test rows.
    scaling : ScalingStudy
        ``SCALING`` at ``EPOCHS`` epochs, accuracy on validation.
    constant, warmup_cosine : RateSweep
        ``SCHEDULE_RATES`` at batch ``SWEEP_BATCH``, constant and with warmup + cosine.
    grid : TrainingGrid
        The explorer's runs.
    momentum, adam : RateSweep
        The sweep with ``momentum(MOMENTUM)`` over ``MOMENTUM_RATES`` and ``adam()`` over
        ``ADAM_RATES``.
    mse_sharpness, ce_sharpness : SharpnessStudy
        ``SHARPNESS``: the mean-squared error at its three rates, cross-entropy at one.
    sklearn, sklearn_defaults : RateSweep
        :func:`sklearn_sweep`, plain over ``SWEEP_RATES`` and with scikit-learn's defaults over
        ``SKLEARN_DEFAULT_RATES``.
    """

    sweep: RateSweep
    test_accuracy: RateSweep
    scaling: ScalingStudy
    constant: RateSweep
    warmup_cosine: RateSweep
    grid: TrainingGrid
    momentum: RateSweep
    adam: RateSweep
    mse_sharpness: SharpnessStudy
    ce_sharpness: SharpnessStudy
    sklearn: RateSweep
    sklearn_defaults: RateSweep
    #: Study name -> which runs end differently when the last bits of the sums change
    #: (``other_last_bits()``): runs past the edge of stable training are chaotic, and another
    #: CPU ends them elsewhere. The lesson states no number of these, and the regeneration test
    #: compares only their status. Shapes: a sweep's ``accuracy``, the scaling study's (for the
    #: scaled and the fixed rate: ``(2, b, s)``), the grid's ``diverged``.
    sensitive: dict[str, np.ndarray] | None = None


def compute_study(name: str, best_rate: float | None = None) -> Any:
    """Run one study of lesson 10 (``name`` one of ``Studies``' fields but ``sensitive``).
    ``"test_accuracy"`` trains at ``best_rate`` (default: the stored sweep's best rate)."""
    from .core import adam, momentum, rate_sweep, scaling_study, sharpness_study, training_grid

    if name not in _KINDS:
        raise CourseValueError(f"name must be one of {sorted(_KINDS)}, got {_describe(name)}")
    digits = load_digits_split()
    net, val = digits.network("train"), digits.network("val")
    S = SHARPNESS
    common = {"batch_size": SWEEP_BATCH, "epochs": EPOCHS, "seeds": SWEEP_SEEDS}
    if name == "sweep":
        return rate_sweep(net, SWEEP_RATES, evaluate=val, **common)
    if name == "test_accuracy":
        rate = stored_studies().sweep.best_rate if best_rate is None else best_rate
        return rate_sweep(net, [rate], evaluate=digits.network("test"), **common)
    if name == "scaling":
        base_batch, base_lr, factors = SCALING["base_batch"], SCALING["base_lr"], SCALING["factors"]
        return scaling_study(
            net, base_batch, base_lr, factors, epochs=EPOCHS, evaluate=val, seeds=SWEEP_SEEDS
        )
    if name in ("constant", "warmup_cosine"):
        return rate_sweep(net, SCHEDULE_RATES, evaluate=val, schedule=name, **common)
    if name == "momentum":
        return rate_sweep(net, MOMENTUM_RATES, evaluate=val, update=momentum(MOMENTUM), **common)
    if name == "adam":
        return rate_sweep(net, ADAM_RATES, evaluate=val, update=adam(), **common)
    if name == "mse_sharpness":
        mse = digits.network("train", loss="mse")
        return sharpness_study(
            mse, mse.init(S["seed"]), S["mse_rates"], S["mse_steps"], every=S["every"]
        )
    if name == "ce_sharpness":
        return sharpness_study(
            net, net.init(S["seed"]), [S["ce_rate"]], S["ce_steps"], every=S["ce_every"]
        )
    if name == "sklearn":
        return sklearn_sweep(SWEEP_RATES)
    if name == "sklearn_defaults":
        return sklearn_sweep(SKLEARN_DEFAULT_RATES, defaults=True)
    return training_grid(net, SWEEP_RATES, GRID_BATCH_SIZES, epochs=EPOCHS, evaluate=val)


def sklearn_fit(lr: float, seed: int = 0, *, defaults: bool = False) -> tuple[Any, np.ndarray]:
    """scikit-learn's ``MLPClassifier`` as lesson 10's network, trained on the training rows as
    the course's sweep trains (solver "sgd" at the constant rate ``lr``, batches of
    ``SWEEP_BATCH``, ``EPOCHS`` epochs, shuffled by ``seed``, no early stopping), with
    ``SKLEARN_PLAIN`` (no momentum, no L2 penalty) unless ``defaults``.

    Returns the fitted model and its weights in the course's layout (``MLP.unpack``'s order), so
    the course's network scores them: the same network, so the same predictions. The warning
    that the fit stopped before converging is silenced: 20 epochs is the budget, not a failure.

    Inside ``other_last_bits()`` (a diagnostic) the training inputs get their last bits
    jittered, so a run that chaos decides ends elsewhere.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from .core.last_bits import jitter

    rate = _sklearn_rate(lr)
    seed = check_count("seed", seed, maximum=2**32 - 1, why="scikit-learn's random_state")
    if not isinstance(defaults, bool):
        raise CourseValueError(f"defaults must be True or False, got {_describe(defaults)}")
    digits = load_digits_split()
    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,), activation="tanh", solver="sgd", learning_rate="constant",
        learning_rate_init=rate, batch_size=SWEEP_BATCH, max_iter=EPOCHS, shuffle=True,
        random_state=seed, tol=0.0, n_iter_no_change=EPOCHS + 1,
        **({} if defaults else SKLEARN_PLAIN),
    )  # fmt: skip
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(jitter(np.array(digits.X_train)), digits.y_train)
        except ValueError as error:  # scikit-learn refuses weights that overflowed
            if "non-finite" not in str(error):
                raise
            raise CourseValueError(
                f"at lr={rate:g} scikit-learn's weights overflowed and it stopped (the run "
                f"diverged): try a smaller rate"
            ) from None
    W1, W2 = model.coefs_
    b1, b2 = model.intercepts_
    return model, np.concatenate([W1.ravel(), b1, W2.ravel(), b2])


def _sklearn_rate(lr: Any) -> float:
    """``lr`` as scikit-learn's learning_rate_init, or one sentence saying what it must be."""
    ok = not isinstance(lr, bool) and isinstance(lr, (int, float, np.number))
    rate = float(lr) if ok else float("nan")
    if not (ok and np.isfinite(rate) and rate > 0):
        raise CourseValueError(
            f"lr must be one positive number (scikit-learn's learning_rate_init), got "
            f"{_describe(lr)}"
        )
    return rate


def sklearn_sweep(rates: Any, *, defaults: bool = False) -> RateSweep:
    """:func:`sklearn_fit` at each of ``rates`` and ``SWEEP_SEEDS``: a :class:`RateSweep` whose
    accuracies and final losses the course's network computes from scikit-learn's weights, and
    whose status is the course's rule for a network (a final loss above ``ENDED_ABOVE`` times
    the start, ln 10 at chance, is diverged)."""
    from .core import ENDED_ABOVE

    digits = load_digits_split()
    net, val = digits.network("train"), digits.network("val")
    if isinstance(rates, (str, bytes)) or not hasattr(rates, "__iter__"):
        raise CourseValueError(f"rates must be a list of positive numbers, got {_describe(rates)}")
    lrs = np.array([_sklearn_rate(r) for r in rates])
    if lrs.size == 0 or len(set(lrs.tolist())) != lrs.size:
        raise CourseValueError(
            f"rates must hold at least one rate, each once, got {_describe(rates)}"
        )
    acc = np.empty((lrs.size, len(SWEEP_SEEDS)))
    final = np.empty_like(acc)
    for i, lr in enumerate(lrs.tolist()):
        for j, seed in enumerate(SWEEP_SEEDS):
            _model, w = sklearn_fit(lr, seed, defaults=defaults)
            acc[i, j], final[i, j] = val.accuracy(w), net.value(w)
    diverged = ~np.isfinite(final) | (final > ENDED_ABOVE * np.log(10))
    return RateSweep(lrs, SWEEP_SEEDS, acc, final, diverged, SWEEP_BATCH, EPOCHS, "constant")


def compute_studies() -> Studies:
    """Run every study of lesson 10 (about 80 seconds on one core)."""
    sweep = compute_study("sweep")
    rest = [name for name in _KINDS if name not in ("sweep", "test_accuracy")]
    return Studies(
        sweep,
        compute_study("test_accuracy", sweep.best_rate),
        *(compute_study(name) for name in rest),
    )


def _moved(a: Any, b: Any) -> np.ndarray:
    """Per run: did the accuracy change, or a loss move by more than 1e-4 of itself?"""
    if isinstance(a, RateSweep):
        loss = np.abs(a.final_loss - b.final_loss) > 1e-4 * np.abs(a.final_loss)
        return (a.accuracy != b.accuracy) | loss | (a.diverged != b.diverged)
    if isinstance(a, ScalingStudy):
        flipped = a.scaled_diverged != b.scaled_diverged
        return np.stack(
            [
                (a.scaled_accuracy != b.scaled_accuracy) | flipped,
                a.fixed_accuracy != b.fixed_accuracy,
            ]
        )
    if isinstance(a, SharpnessStudy):
        return np.abs(a.sharpness - b.sharpness) > 1e-4 * np.abs(a.sharpness)
    with np.errstate(invalid="ignore"):
        loss = np.abs(a.train_loss - b.train_loss) > 1e-4 * np.abs(a.train_loss)
        acc = a.val_accuracy != b.val_accuracy
    return np.any(loss | acc, axis=-1) | (a.diverged != b.diverged)


def sensitivity(studies: Studies, other: Studies) -> dict[str, np.ndarray]:
    """Which runs of ``studies`` ``other`` (the same studies computed inside
    ``other_last_bits()``) ends differently: :attr:`Studies.sensitive`."""
    return {name: _moved(getattr(studies, name), getattr(other, name)) for name in _KINDS}


def _encode(obj: Any) -> Any:
    """A study's field as JSON: arrays as nested lists, numbers to 6 significant digits."""
    if isinstance(obj, np.ndarray):
        if obj.dtype == bool or obj.dtype.kind in "iu":
            return obj.tolist()
        return np.vectorize(lambda v: float(f"{v:.6g}"), otypes=[float])(obj).tolist()
    if isinstance(obj, tuple):
        return list(obj)
    return obj


def save_studies(studies: Studies, path: Any) -> None:
    """Write ``studies`` as the JSON :func:`stored_studies` reads (for authors)."""
    out: dict[str, Any] = {}
    for name in _KINDS:
        study = getattr(studies, name)
        out[name] = {
            # Accuracies are whole rows over 400 or 397: kept to the last digit, never rounded.
            f: getattr(study, f).tolist() if "accuracy" in f else _encode(getattr(study, f))
            for f in type(study).__dataclass_fields__
        }
    if studies.sensitive is not None:
        out["sensitive"] = {k: v.tolist() for k, v in studies.sensitive.items()}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=0, allow_nan=True)
        f.write("\n")


_KINDS = {
    "sweep": RateSweep,
    "test_accuracy": RateSweep,
    "scaling": ScalingStudy,
    "constant": RateSweep,
    "warmup_cosine": RateSweep,
    "grid": TrainingGrid,
    "momentum": RateSweep,
    "adam": RateSweep,
    "mse_sharpness": SharpnessStudy,
    "ce_sharpness": SharpnessStudy,
    "sklearn": RateSweep,
    "sklearn_defaults": RateSweep,
}


def _decode(kind: type, fields: dict[str, Any]) -> Any:
    values = {}
    for name, value in fields.items():
        if name in ("seeds", "schedules"):
            values[name] = tuple(value)
        elif isinstance(value, list):
            values[name] = np.array(value)
        else:
            values[name] = value
    return kind(**values)


@functools.cache
def stored_studies() -> Studies:
    """The studies as stored with the course (what lesson 10 shows; ``compute_studies()``
    makes them again)."""
    text = resources.files(__package__).joinpath(_STORE).read_text(encoding="utf-8")
    raw = json.loads(text)
    sensitive = {k: np.array(v, dtype=bool) for k, v in raw.get("sensitive", {}).items()}
    return Studies(
        **{name: _decode(_KINDS[name], raw[name]) for name in _KINDS},
        sensitive=sensitive or None,
    )
