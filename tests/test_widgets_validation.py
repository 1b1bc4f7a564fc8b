"""Every explorer refuses an argument it cannot use with one sentence that names the argument:
a CourseTypeError for the wrong kind of value, a CourseValueError for a value out of range. Never a
slider that clamps the value without a word, and never a raw traitlets TraitError or numpy error.
"""

from functools import cache

import numpy as np
import pytest

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    LinearRegression,
    Quadratic1D,
    QuadraticBowl,
    make_regression,
)
from gdcourse.checks import Card
from gdcourse.widgets import ContourExplorer, LearningRateExplorer
from gdcourse.widgets.batch_size import BatchSizeExplorer
from gdcourse.widgets.conditioning import ConditioningExplorer
from gdcourse.widgets.flashcards import Flashcards
from gdcourse.widgets.gradient_direction import GradientDirectionExplorer
from gdcourse.widgets.momentum import MomentumExplorer
from gdcourse.widgets.saddle import SaddleExplorer
from gdcourse.widgets.schedule import ScheduleExplorer
from gdcourse.widgets.step import StepExplorer

TYPE, VALUE = CourseTypeError, CourseValueError


@cache
def problem() -> LinearRegression:
    X, y, _ = make_regression(64, 2, noise=0.1, seed=3)
    return LinearRegression(X, y)


def _refused(make, error, name):
    """``make()`` raises ``error`` (exactly the course's class) in one sentence naming ``name``."""
    with pytest.raises(Exception) as info:  # the class is checked below
        make()
    err = info.value
    assert isinstance(err, error), f"{type(err).__name__}: {err}"
    message = str(err)
    assert name in message, message
    assert ". " not in message and "\n" not in message, f"not one sentence: {message}"


# (explorer, keyword arguments, error, the argument the message must name)
CASES = [
    # -- LearningRateExplorer ------------------------------------------------------------------
    (LearningRateExplorer, {"loss": "x^2"}, TYPE, "loss"),
    (LearningRateExplorer, {"loss": QuadraticBowl([1.0, 2.0])}, VALUE, "1-D loss"),
    (LearningRateExplorer, {"w0": "7"}, TYPE, "w0"),
    (LearningRateExplorer, {"w0": None}, TYPE, "w0"),
    (LearningRateExplorer, {"w0": True}, TYPE, "w0"),
    (LearningRateExplorer, {"w0": [7.0, 1.0]}, TYPE, "w0"),
    (LearningRateExplorer, {"w0": float("nan")}, VALUE, "w0"),
    (LearningRateExplorer, {"lr": -0.1}, VALUE, "lr"),
    (LearningRateExplorer, {"lr": 0}, VALUE, "lr"),
    (LearningRateExplorer, {"lr": "0.1"}, TYPE, "lr"),
    (LearningRateExplorer, {"lr": None}, TYPE, "lr"),
    (LearningRateExplorer, {"lr": 100.0}, VALUE, "lr"),  # beyond lr_range: no silent clamp
    (LearningRateExplorer, {"lr": 0.1, "lr_range": (0.2, 1.0)}, VALUE, "lr"),
    (LearningRateExplorer, {"steps": 0}, VALUE, "steps"),
    (LearningRateExplorer, {"steps": 10**9}, VALUE, "steps"),
    (LearningRateExplorer, {"steps": 2.5}, TYPE, "steps"),
    (LearningRateExplorer, {"steps": True}, TYPE, "steps"),
    (LearningRateExplorer, {"lr_range": (10.0, 1e-4)}, VALUE, "lr_range"),
    (LearningRateExplorer, {"lr_range": (0.0, 1.0)}, VALUE, "lr_range"),
    (LearningRateExplorer, {"lr_range": (1e-3,)}, VALUE, "lr_range"),
    (LearningRateExplorer, {"lr_range": "fast"}, TYPE, "lr_range"),
    (LearningRateExplorer, {"lr_range": None}, TYPE, "lr_range"),
    (LearningRateExplorer, {"w0_range": (10.0, 0.0)}, VALUE, "w0_range"),
    (LearningRateExplorer, {"w0": 7.0, "w0_range": (0.0, 5.0)}, VALUE, "w0"),
    (LearningRateExplorer, {"curvature": "yes"}, TYPE, "curvature"),
    (LearningRateExplorer, {"regime_strip": 1}, TYPE, "regime_strip"),
    (LearningRateExplorer, {"loss": Quadratic1D(50, 0), "curvature": True}, VALUE, "curvature a"),
    # -- StepExplorer ----------------------------------------------------------------------------
    (StepExplorer, {"loss": lambda w: w**2}, TYPE, "loss"),
    (StepExplorer, {"loss": QuadraticBowl([1.0, 2.0])}, VALUE, "1-D loss"),
    (StepExplorer, {"w0": "7"}, TYPE, "w0"),
    (StepExplorer, {"lr": -1.0}, VALUE, "lr"),
    (StepExplorer, {"lr": 5.0}, VALUE, "lr"),
    (StepExplorer, {"steps": 0}, VALUE, "steps"),
    (StepExplorer, {"k": -1}, VALUE, "k"),
    (StepExplorer, {"k": 99}, VALUE, "k"),
    (StepExplorer, {"k": 1.5}, TYPE, "k"),
    (StepExplorer, {"lr_range": (1.5, 1e-3)}, VALUE, "lr_range"),
    (StepExplorer, {"w0": 7.0, "w0_range": (-1.0, 1.0)}, VALUE, "w0"),
    # -- ContourExplorer -------------------------------------------------------------------------
    (ContourExplorer, {"loss": Quadratic1D(2, 3)}, VALUE, "2-D loss"),
    (ContourExplorer, {"loss": object()}, TYPE, "loss"),
    (ContourExplorer, {"w0": (1.0, 2.0, 3.0)}, VALUE, "w0"),
    (ContourExplorer, {"w0": "here"}, TYPE, "w0"),
    (ContourExplorer, {"w0": None}, TYPE, "w0"),
    (ContourExplorer, {"lr": 0.0}, VALUE, "lr"),
    (ContourExplorer, {"lr": 10.0}, VALUE, "lr"),
    (ContourExplorer, {"steps": 10**6}, VALUE, "steps"),
    (ContourExplorer, {"steps": "30"}, TYPE, "steps"),
    (ContourExplorer, {"extent": (3.0, -3.0, -3.0, 3.0)}, VALUE, "extent"),
    (ContourExplorer, {"extent": (1.0, 2.0, 3.0)}, VALUE, "extent"),
    (ContourExplorer, {"w0": (5.0, 0.0), "extent": (-3.0, 3.0, -3.0, 3.0)}, VALUE, "w0"),
    (ContourExplorer, {"lr_range": (0.0, 1.0)}, VALUE, "lr_range"),
    # -- GradientDirectionExplorer ---------------------------------------------------------------
    (GradientDirectionExplorer, {"loss": Quadratic1D(2, 3)}, VALUE, "2-D loss"),
    (GradientDirectionExplorer, {"loss": "bowl"}, TYPE, "loss"),
    (GradientDirectionExplorer, {"point": (1.0,)}, VALUE, "point"),
    (GradientDirectionExplorer, {"point": "here"}, TYPE, "point"),
    (GradientDirectionExplorer, {"angle": 400.0}, VALUE, "angle"),
    (GradientDirectionExplorer, {"angle": -10.0}, VALUE, "angle"),
    (GradientDirectionExplorer, {"angle": None}, TYPE, "angle"),
    (GradientDirectionExplorer, {"extent": (3.0, -3.0, -3.0, 3.0)}, VALUE, "extent"),
    (GradientDirectionExplorer, {"point": (9.0, 0.0), "extent": (-3, 3, -3, 3)}, VALUE, "point"),
    # -- ConditioningExplorer --------------------------------------------------------------------
    (ConditioningExplorer, {"kappa": 0.5}, VALUE, "kappa"),
    (ConditioningExplorer, {"kappa": 1000.0}, VALUE, "kappa"),
    (ConditioningExplorer, {"kappa": "ten"}, TYPE, "kappa"),
    (ConditioningExplorer, {"kappa": None}, TYPE, "kappa"),
    (ConditioningExplorer, {"lr": -0.15}, VALUE, "lr"),
    (ConditioningExplorer, {"lr": 5.0}, VALUE, "lr"),
    (ConditioningExplorer, {"steps": 0}, VALUE, "steps"),
    (ConditioningExplorer, {"angle": "thirty"}, TYPE, "angle"),
    (ConditioningExplorer, {"w0": (1.0, 2.0, 3.0)}, VALUE, "w0"),
    (ConditioningExplorer, {"w0": (5.0, 0.0)}, VALUE, "w0"),  # off the chart
    (ConditioningExplorer, {"kappa_range": (0.5, 10.0)}, VALUE, "kappa_range"),
    (ConditioningExplorer, {"kappa_range": (100.0, 1.0)}, VALUE, "kappa_range"),
    (ConditioningExplorer, {"lr_range": (2.0, 1e-3)}, VALUE, "lr_range"),
    # -- ScheduleExplorer ------------------------------------------------------------------------
    (ScheduleExplorer, {"kind": "linear"}, VALUE, "kind"),
    (ScheduleExplorer, {"kind": 3}, TYPE, "kind"),
    (ScheduleExplorer, {"kind": None}, TYPE, "kind"),
    (ScheduleExplorer, {"lr": -0.3}, VALUE, "lr"),
    (ScheduleExplorer, {"lr": 2.0}, VALUE, "lr"),
    (ScheduleExplorer, {"lr": "0.3"}, TYPE, "lr"),
    (ScheduleExplorer, {"T": 5}, VALUE, "T"),
    (ScheduleExplorer, {"T": 500}, VALUE, "T"),  # above steps (400)
    (ScheduleExplorer, {"T": 10.5}, TYPE, "T"),
    (ScheduleExplorer, {"noise": -1.0}, VALUE, "noise"),
    (ScheduleExplorer, {"noise": 3.0}, VALUE, "noise"),
    (ScheduleExplorer, {"noise": None}, TYPE, "noise"),
    (ScheduleExplorer, {"steps": 10}, VALUE, "steps"),
    (ScheduleExplorer, {"steps": 10**7}, VALUE, "steps"),
    (ScheduleExplorer, {"seed": -1}, VALUE, "seed"),
    # -- SaddleExplorer --------------------------------------------------------------------------
    (SaddleExplorer, {"x0": 5.0}, VALUE, "x0"),
    (SaddleExplorer, {"x0": "1"}, TYPE, "x0"),
    (SaddleExplorer, {"log_y0": 0}, VALUE, "log_y0"),
    (SaddleExplorer, {"log_y0": -20}, VALUE, "log_y0"),
    (SaddleExplorer, {"log_y0": -6.5}, TYPE, "log_y0"),
    (SaddleExplorer, {"noise": 1.0}, VALUE, "noise"),
    (SaddleExplorer, {"noise": -0.01}, VALUE, "noise"),
    (SaddleExplorer, {"lr": 1.0}, VALUE, "lr"),
    (SaddleExplorer, {"lr": 0.001}, VALUE, "lr"),
    (SaddleExplorer, {"steps": 0}, VALUE, "steps"),
    (SaddleExplorer, {"steps": 10**8}, VALUE, "steps"),
    (SaddleExplorer, {"grad_tol": 0.0}, VALUE, "grad_tol"),
    (SaddleExplorer, {"seed": 1.5}, TYPE, "seed"),
    # -- MomentumExplorer ------------------------------------------------------------------------
    (MomentumExplorer, {"loss": Quadratic1D(2, 0)}, TYPE, "loss"),
    (MomentumExplorer, {"w0": None}, TYPE, "w0"),
    (MomentumExplorer, {"lr": 10.0}, VALUE, "lr"),
    (MomentumExplorer, {"mu": 0.995}, VALUE, "mu"),
    (MomentumExplorer, {"mu": True}, TYPE, "mu"),
    (MomentumExplorer, {"method": "momentum"}, VALUE, "method"),
    (MomentumExplorer, {"steps": 10**8}, VALUE, "steps"),
]


@pytest.mark.parametrize(
    ("explorer", "kwargs", "error", "name"),
    CASES,
    ids=[f"{e.__name__}-{'-'.join(map(str, k))}-{n}" for e, k, _err, n in CASES],
)
def test_an_unusable_argument_is_refused_in_one_sentence_naming_it(explorer, kwargs, error, name):
    _refused(lambda: explorer(**kwargs), error, name)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        ((None,), {}, TYPE, "grid"),
        ((), {"sensitive": [True]}, VALUE, "sensitive"),
        ((), {"sensitive": np.ones((3, 2, 2))}, TYPE, "sensitive"),
        ((), {"lr": 0.5}, VALUE, "lr"),
        ((), {"batch_size": np.array([4, 32])}, VALUE, "batch_size"),
        ((), {"schedule": "cosine"}, VALUE, "schedule"),
    ],
)
def test_the_training_explorer_refuses_its_arguments_in_one_sentence(args, kwargs, error, name):
    from gdcourse.widgets.training import TrainingExplorer
    from tests.test_widgets_training import small_grid

    _refused(lambda: TrainingExplorer(*(args or (small_grid(),)), **kwargs), error, name)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"loss": Quadratic1D(2, 3)}, TYPE, "loss"),
        ({"w0": None}, TYPE, "w0"),
        ({"w0": [1.0, 2.0, 3.0]}, VALUE, "w0"),
        ({"batch_size": "8"}, TYPE, "batch_size"),
        ({"batch_size": 0}, VALUE, "batch_size"),
        ({"batch_size": 6}, VALUE, "batch_size"),
        ({"lr": True}, TYPE, "lr"),
        ({"lr": 2.0}, VALUE, "lr"),
        ({"epochs": 0}, VALUE, "epochs"),
        ({"epochs": 10**6}, VALUE, "epochs"),  # every slider move would rerun a million epochs
        ({"seed": 99}, VALUE, "seed"),
    ],
)
def test_the_batch_size_explorer_refuses_its_arguments_in_one_sentence(kwargs, error, name):
    args = {"loss": problem(), "w0": [0.0, 0.0], "batch_size": 8, **kwargs}
    loss, w0 = args.pop("loss"), args.pop("w0")
    _refused(lambda: BatchSizeExplorer(loss, w0, **args), error, name)


# -- moving a control from Python: the same sentences, never a clamp or a TraitError ------------
@pytest.mark.parametrize(
    ("make", "values", "error", "name"),
    [
        (LearningRateExplorer, {"lr": 100.0}, VALUE, "lr"),
        (LearningRateExplorer, {"lr": "fast"}, TYPE, "lr"),
        (LearningRateExplorer, {"w0": 1e6}, VALUE, "w0"),
        (lambda: ScheduleExplorer(), {"kind": "linear"}, VALUE, "kind"),
        (lambda: ScheduleExplorer(), {"T": 1000}, VALUE, "T"),
        (lambda: ContourExplorer(steps=10), {"k": 99}, VALUE, "k"),
        (lambda: ContourExplorer(steps=10), {"steps": 1000}, VALUE, "steps"),
        (lambda: BatchSizeExplorer(problem(), [0.0, 0.0], batch_size=8), {"batch": 3}, VALUE,
         "batch"),
        (lambda: SaddleExplorer(), {"log_y0": 3}, VALUE, "log_y0"),
        (lambda: SaddleExplorer(), {"on_ridge": "yes"}, TYPE, "on_ridge"),
    ],
)
def test_set_refuses_a_value_its_control_cannot_take(make, values, error, name):
    ex = make()
    before = {key: ex.controls[key].value for key in values if key in ex.controls}
    _refused(lambda: ex.set(**values), error, name)
    assert {key: ex.controls[key].value for key in before} == before  # nothing was changed


def test_a_preset_the_slider_cannot_reach_is_disabled_and_says_so():
    # 2/a = 20 lies beyond the rate slider (up to 10): the button cannot set it exactly, so it
    # says so instead of clamping the rate to 10 under a label that reads 20.
    ex = LearningRateExplorer(Quadratic1D(0.1, 0.0), w0=2.0, curvature=True)
    one, two = ex._presets
    assert not one.disabled and two.disabled
    assert two.description == "rate 2/a = 20 (beyond the slider)"
    lr = ex.controls["lr"].value
    two.click()
    assert ex.controls["lr"].value == lr


# -- flashcards and their cards --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "name"),
    [
        (lambda: Flashcards(None), TYPE, "cards"),
        (lambda: Flashcards("What is 2 + 2?"), TYPE, "cards"),
        (lambda: Flashcards(Card("q?", "a")), TYPE, "cards"),
        (lambda: Flashcards([Card("q?", "a")], title=""), VALUE, "title"),
        (lambda: Flashcards([Card("q?", "a")], title=3), TYPE, "title"),
        (lambda: Flashcards([{"question": "q?", "answr": "a"}]), VALUE, "card 1"),
        (lambda: Flashcards([("q?", "a"), 7]), TYPE, "card 2"),
        (lambda: Card("q?", "a", topic=3), TYPE, "topic"),
        (lambda: Card("q?", "a", topic="   "), VALUE, "topic"),
        (lambda: Card("q?", "a", topic=None), TYPE, "topic"),
        (lambda: Card(None, "a"), TYPE, "question"),
        (lambda: Card("q?", ""), VALUE, "answer"),
    ],
)
def test_flashcards_and_cards_refuse_what_they_cannot_show(make, error, name):
    _refused(make, error, name)


def test_a_card_may_leave_its_topic_out():
    assert Card("q?", "a").topic == ""
    assert Flashcards([("q?", "a")]).card.topic == ""


# -- the second sweep: odd containers, huge ints, readouts on a regime's boundary ------------------
@pytest.mark.parametrize(
    ("make", "error", "name"),
    [
        (lambda: LearningRateExplorer(lr_range=np.array(1.0)), TYPE, "lr_range"),
        (lambda: LearningRateExplorer(lr_range=(1e-4, 10**400)), VALUE, "lr_range"),
        (lambda: LearningRateExplorer(w0=10**400), VALUE, "w0"),
        (lambda: StepExplorer(lr_range=np.array(0.5)), TYPE, "lr_range"),
        (lambda: ConditioningExplorer(kappa_range=np.array(3.0)), TYPE, "kappa_range"),
        (lambda: ConditioningExplorer(kappa=10**400), VALUE, "kappa"),
        (lambda: ContourExplorer(extent=np.array(1.0)), TYPE, "extent"),
        (lambda: ContourExplorer(extent=(-3, 10**400, -3, 3)), VALUE, "extent"),
        (lambda: GradientDirectionExplorer(extent=np.array(2.0)), TYPE, "extent"),
    ],
)
def test_odd_containers_and_huge_numbers_are_refused_in_one_sentence(make, error, name):
    _refused(make, error, name)


@pytest.mark.parametrize(
    ("make", "values", "name"),
    [
        (lambda: ScheduleExplorer(), {"kind": np.ones((2, 2))}, "kind"),
        (lambda: BatchSizeExplorer(problem(), [0.0, 0.0], batch_size=8),
         {"batch": np.ones((2, 2))}, "batch"),
        (LearningRateExplorer, {"lr": 10**400}, "lr"),
    ],
)
def test_set_refuses_an_array_or_a_huge_int_in_one_sentence(make, values, name):
    ex = make()
    with pytest.raises((CourseTypeError, CourseValueError)) as info:
        ex.set(**values)
    assert name in str(info.value) and "\n" not in str(info.value)


def _shown_rate_and_multiplier(text):
    head = text.split(",")[0]  # "rate 1.0000001: multiplier -1.0000002"
    rate, multiplier = head.removeprefix("rate ").split(": multiplier ")
    return float(rate), float(multiplier)


@pytest.mark.parametrize("lr", [1.0000001, 0.9999999, 0.5000001, 0.4999999])
def test_the_readout_never_shows_numbers_of_another_regime(lr):
    # Rates just off 1/a and 2/a (a = 2): "rate 1: multiplier -1" would say the rate bounces.
    from gdcourse.core import quadratic_regime

    ex = LearningRateExplorer(Quadratic1D(2.0, 0.0), w0=2.0, lr=lr)
    rate, multiplier = _shown_rate_and_multiplier(ex.readout_text)
    true = quadratic_regime(2.0, lr)
    assert quadratic_regime(2.0, rate) == true, ex.readout_text
    assert quadratic_regime(1.0, 1.0 - multiplier) == true, ex.readout_text


def test_the_conditioning_readout_shows_a_steep_multiplier_of_its_regime():
    ex = ConditioningExplorer(kappa=10.0, lr=0.2000001)  # lambda_max = 10: just past 2/10
    assert "multiplier -1," not in ex.readout_text and "-1 (steep)" not in ex.readout_text


def test_one_flashcard_is_one_card():
    assert repr(Flashcards([("q?", "a")])) == "Flashcards(1 card, showing card 1)"
    assert repr(Flashcards([("q?", "a"), ("r?", "b")])).startswith("Flashcards(2 cards")


def test_numpy_numbers_are_numbers_too():
    ex = LearningRateExplorer(w0=np.float64(7.0), lr=np.float32(0.1), steps=np.int64(20))
    assert ex.run.n_steps == 20
