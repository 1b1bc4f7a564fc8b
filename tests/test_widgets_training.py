"""The training explorer (lesson 10): every control picks another run of the core's grid, and the
picture and the readout show that run's numbers; a diverged run is said to blow up, a sensitive
one to differ from one CPU to another; bad arguments are refused in one sentence."""

from __future__ import annotations

import dataclasses
import math
from functools import cache

import numpy as np
import pytest

from gdcourse import (
    MLP,
    STATUS_PHRASES,
    CourseTypeError,
    CourseValueError,
    thrown_off_epoch,
    training_grid,
)
from gdcourse.widgets import TrainingExplorer
from gdcourse.widgets.training import SCHEDULE_LABELS

RATES, SIZES, EPOCHS = (0.1, 1.0, 1000.0), (4, 32), 3


@cache
def small_grid():
    """A 4-4-3 network on 32 rows: three rates (the last blows up), two batch sizes, both
    schedules, three epochs (a twentieth of a second)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    net = MLP(X[:32], y[:32], hidden=4, n_classes=3)
    val = MLP(X[32:], y[32:], hidden=4, n_classes=3)
    return training_grid(net, RATES, SIZES, epochs=EPOCHS, evaluate=val)


def _explorer(**kwargs) -> TrainingExplorer:
    return TrainingExplorer(small_grid(), **kwargs)


def _run(grid, lr, batch, schedule):
    i = list(grid.rates).index(lr)
    j = list(grid.batch_sizes).index(batch)
    m = list(grid.schedules).index(schedule)
    return i, j, m


def _assert_shows_the_grids_run(ex, grid, sensitive=None):
    d = ex.data()
    i, j, m = _run(grid, d["lr"], d["batch_size"], d["schedule"])
    assert d["index"] == (i, j, m)
    np.testing.assert_array_equal(d["train_loss"], grid.train_loss[i, j, m])
    np.testing.assert_array_equal(d["val_loss"], grid.val_loss[i, j, m])
    np.testing.assert_array_equal(d["val_accuracy"], grid.val_accuracy[i, j, m])
    status = "diverged" if grid.diverged[i, j, m] else "completed"
    assert d["status"] == status
    assert d["updates_per_epoch"] == math.ceil(ex.n_samples / d["batch_size"])
    text, title = ex.readout_text, ex._title.get_text()
    train, acc = grid.train_loss[i, j, m], grid.val_accuracy[i, j, m]
    assert f"from {train[0]:.3g} to {train[-1]:.3g} in {grid.epochs} epochs" in text
    assert f"validation accuracy {acc[-1]:.2%} after the last epoch" in text
    assert f"= {d['updates_per_epoch']} update" in text
    assert f"\u2192 {train[-1]:.3g}" in title
    thrown = status == "completed" and thrown_off_epoch(train) is not None
    assert f"The run {STATUS_PHRASES[status]}" in text
    assert (STATUS_PHRASES[status] in title) is not thrown
    assert ("thrown off first" in text) is thrown and ("thrown off, then" in title) is thrown
    if status == "diverged":
        assert "blows up" in text and "blows up" in title
    else:
        assert "diverg" not in text + title and "it blows up." not in text
    chaotic = bool(sensitive[i, j, m]) if sensitive is not None else False
    assert d["sensitive"] is chaotic
    assert ("differs from one CPU to another" in text) is chaotic
    assert "edge" not in text.lower() + title.lower()


def test_the_default_view_is_the_middle_rate_and_batch_at_a_constant_rate():
    ex = _explorer()
    d = ex.data()
    assert (d["lr"], d["batch_size"], d["schedule"]) == (1.0, 4, "constant")
    first, second, picture = ex.readout_text.splitlines()
    assert first == (
        "rate 1, batch 4, constant rate: ceil(32 / 4) = 8 updates per epoch (32 training rows "
        "in batches of 4)."
    )
    assert second.startswith("The run ran all its epochs: its training loss went from ")
    assert picture.startswith("Picture: left, the training loss (solid line, circles)")
    assert ex._title.get_text().splitlines()[0] == "rate 1, batch 4, constant"
    _assert_shows_the_grids_run(ex, small_grid())


@pytest.mark.parametrize(
    ("name", "value"), [("lr", 0.1), ("lr", 1000.0), ("batch", 32), ("schedule", "warmup + cosine")]
)
def test_every_control_picks_another_run_of_the_grid(name, value):
    ex = _explorer()
    before_text, before = ex.readout_text, ex.data()
    ex.set(**{name: value})
    after = ex.data()
    assert ex.readout_text != before_text and after["index"] != before["index"]
    assert not np.array_equal(after["train_loss"], before["train_loss"])
    _assert_shows_the_grids_run(ex, small_grid())


def test_every_run_of_the_grid_is_shown_as_the_core_computed_it():
    ex = _explorer()
    for lr in RATES:
        for batch in SIZES:
            for schedule, label in SCHEDULE_LABELS.items():
                ex.set(lr=lr, batch=batch, schedule=label)
                _assert_shows_the_grids_run(ex, small_grid())
                assert ex.data()["schedule"] == schedule


@pytest.mark.parametrize("schedule", ["warmup_cosine", "warmup + cosine"])
def test_the_first_run_may_be_chosen_by_its_settings(schedule):
    ex = _explorer(lr=1000.0, batch_size=32, schedule=schedule)
    d = ex.data()
    assert (d["lr"], d["batch_size"], d["schedule"]) == (1000.0, 32, "warmup_cosine")
    _assert_shows_the_grids_run(ex, small_grid())


def test_a_diverged_run_blows_up_and_says_so():
    ex = _explorer(lr=1000.0, batch_size=32)
    assert ex.data()["status"] == "diverged"
    assert "The run diverges: it blows up." in ex.readout_text
    assert ex._title.get_text().splitlines()[1].startswith("the run diverges, it blows up")


def test_updates_per_epoch_follow_the_batch_size():
    ex = _explorer(batch_size=32)
    assert ex.data()["updates_per_epoch"] == 1
    assert "ceil(32 / 32) = 1 update per epoch" in ex.readout_text
    assert "1 update per epoch" in ex._acc_title.get_text()


def test_a_sensitive_run_says_its_curve_differs_from_one_cpu_to_another():
    grid = small_grid()
    sensitive = np.zeros(grid.diverged.shape, dtype=bool)
    sensitive[_run(grid, 1000.0, 4, "constant")] = True
    sensitive[_run(grid, 0.1, 4, "constant")] = True
    ex = TrainingExplorer(grid, sensitive, lr=1000.0, batch_size=4)
    _assert_shows_the_grids_run(ex, grid, sensitive)
    assert "and so can whether it ends blown up" in ex.readout_text
    assert "chaotic" in ex._acc_title.get_text()
    ex.set(lr=0.1)
    _assert_shows_the_grids_run(ex, grid, sensitive)
    assert "differs from one CPU to another" in ex.readout_text
    ex.set(batch=32)
    _assert_shows_the_grids_run(ex, grid, sensitive)
    assert "chaotic" not in ex._acc_title.get_text()


def test_a_run_that_overflowed_is_drawn_up_to_its_last_finite_epoch():
    grid = small_grid()
    i, j, m = _run(grid, 1000.0, 4, "constant")
    train = grid.train_loss.copy()
    train[i, j, m, 2:] = np.nan  # the core writes nan after the epoch a run overflowed
    ex = TrainingExplorer(dataclasses.replace(grid, train_loss=train), lr=1000.0, batch_size=4)
    last = grid.train_loss[i, j, m, 1]
    assert f"to {last:.3g} in 1 epoch and then overflowed" in ex.readout_text
    assert "nan" not in ex.readout_text


def test_the_loss_axis_holds_every_run_of_the_grid():
    ex = _explorer()
    low, high = ex._ax_loss.get_ylim()
    grid = small_grid()
    assert low < grid.train_loss.min() and grid.train_loss.max() < high
    renders = ex.fig.renders
    for lr in RATES:
        ex.set(lr=lr)
    assert ex.fig.renders == renders  # no control moves an axis: the still image stays


def test_the_stored_grid_of_lesson_10():
    from gdcourse.digits import stored_studies

    studies = stored_studies()
    grid, sensitive = studies.grid, studies.sensitive["grid"]
    ex = TrainingExplorer(grid, sensitive)
    assert ex.n_samples == 1000
    d = ex.data()
    assert (d["lr"], d["batch_size"], d["schedule"]) == (0.3, 32, "constant")
    assert ex.readout_text.startswith("rate 0.3, batch 32, constant rate: ceil(1000 / 32) = 32 ")
    _assert_shows_the_grids_run(ex, grid, sensitive)
    for lr in grid.rates.tolist():
        for batch in grid.batch_sizes.tolist():
            for label in SCHEDULE_LABELS.values():
                ex.set(lr=lr, batch=batch, schedule=label)
                _assert_shows_the_grids_run(ex, grid, sensitive)


def _refused(make, error, name):
    with pytest.raises(Exception) as info:
        make()
    err = info.value
    assert isinstance(err, error), f"{type(err).__name__}: {err}"
    message = str(err)
    assert name in message, message
    assert ". " not in message and "\n" not in message, f"not one sentence: {message}"


@pytest.mark.parametrize(
    ("make", "error", "name"),
    [
        (lambda: TrainingExplorer(None), CourseTypeError, "grid"),
        (lambda: TrainingExplorer({"rates": [0.1]}), CourseTypeError, "TrainingGrid"),
        (lambda: _explorer(sensitive=[True, False]), CourseValueError, "(3, 2, 2)"),
        (lambda: _explorer(sensitive=np.zeros((3, 2, 2))), CourseTypeError, "sensitive"),
        (lambda: _explorer(sensitive="yes"), CourseTypeError, "sensitive"),
        (lambda: _explorer(sensitive=np.zeros((2, 2, 2), bool)), CourseValueError, "sensitive"),
        (lambda: _explorer(lr=0.5), CourseValueError, "lr"),
        (lambda: _explorer(lr="fast"), CourseValueError, "lr"),
        (lambda: _explorer(batch_size=8), CourseValueError, "batch_size"),
        (lambda: _explorer(schedule="cosine"), CourseValueError, "schedule"),
        (lambda: _explorer(schedule=3), CourseValueError, "schedule"),
        (lambda: _explorer().set(lr=0.2), CourseValueError, "lr"),
        (lambda: _explorer().set(batch=5), CourseValueError, "batch"),
        (lambda: _explorer().set(rate=0.1), CourseValueError, "rate"),
    ],
)
def test_an_unusable_argument_is_refused_in_one_sentence_naming_it(make, error, name):
    _refused(make, error, name)


def test_the_controls_are_labelled_sliders_over_the_grid_and_a_list():
    ex = _explorer()
    lr, batch, schedule = (ex.controls[k] for k in ("lr", "batch", "schedule"))
    assert (lr.kind, batch.kind, schedule.kind) == ("choice", "choice", "select")
    assert lr.labels == ["0.1", "1", "1000"] and batch.labels == ["4", "32"]
    assert schedule.labels == ["constant", "warmup + cosine"]
    for control in (lr, batch, schedule):
        assert control.description and control.tooltip
    assert "edge" not in " ".join(c.tooltip for c in ex.controls.values()).lower()


def test_the_page_moves_a_control_by_its_position():
    ex = _explorer()
    view = ex.widget
    view._message(view, {"value": ["lr", 2]}, [])
    assert ex.data()["lr"] == 1000.0 and view.texts["lr"] == "1000"
    view._message(view, {"value": ["schedule", 1]}, [])
    assert ex.data()["schedule"] == "warmup_cosine"
    assert view.readout == ex.readout_text
    view._message(view, {"value": ["batch", 7]}, [])  # no such position: the kernel's kept
    assert ex.data()["batch_size"] == 4


def test_a_run_thrown_off_and_brought_back_says_so():
    """The stored grid's warmup + cosine at rate 3, batch 32: its loss jumps far above its
    start, then the decay brings it back to about where it began; its status is "completed",
    and the readout must not let that read as a run that trained."""
    from gdcourse.digits import stored_studies

    s = stored_studies()
    ex = TrainingExplorer(
        s.grid, s.sensitive["grid"], lr=3.0, batch_size=32, schedule="warmup_cosine"
    )
    assert ex.status == "completed"
    assert "thrown off first: at epoch 1" in ex.readout_text
    assert ex._title.get_text().splitlines()[1].startswith("thrown off, then brought back")
    ex.set(lr=0.3)  # a calm run: nothing of the kind said
    assert "thrown off" not in ex.readout_text
