"""The batch-size explorer of lesson 05, driven from Python, on the lesson's problem built from
the core (``make_regression(1024, 5, noise=0.5, seed=0)``, start at 3 in every weight)."""

from functools import cache

import numpy as np
import pytest

from gdcourse import (
    STATUS_PHRASES,
    CourseTypeError,
    CourseValueError,
    LinearRegression,
    Quadratic1D,
    make_regression,
    minibatch_sgd,
)
from gdcourse.widgets.batch_size import BatchSizeExplorer

W0 = np.full(5, 3.0)


@cache
def problem() -> LinearRegression:
    X, y, _ = make_regression(1024, 5, noise=0.5, seed=0)
    return LinearRegression(X, y)


def explorer(**kwargs) -> BatchSizeExplorer:
    return BatchSizeExplorer(problem(), W0, **kwargs)


def test_it_opens_with_the_run_it_describes():
    ex = explorer(batch_size=32, lr=0.03)
    run = minibatch_sgd(problem(), W0, 0.03, 32, 6, seed=0)
    np.testing.assert_array_equal(ex.data()["losses"], run.losses)
    assert ex.readout_text.startswith(
        "batch 32, rate 0.03, seed 0: 32 updates per epoch; after 6 epochs (192 updates) loss "
        f"{run.losses[-1]:.4f}"
    )
    assert "above the minimum 0.2476" in ex.readout_text


@pytest.mark.parametrize(("name", "value"), [("batch", 64), ("lr", 0.0307), ("seed", 1)])
def test_every_control_step_changes_the_run_the_title_and_the_readout(name, value):
    ex = explorer()
    ex.fig.canvas.draw()
    before = (ex.readout_text, ex._title.get_text(), ex.data()["losses"].copy())
    ex.set(**{name: value})
    assert ex.readout_text != before[0] and ex._title.get_text() != before[1]
    assert not np.array_equal(ex.data()["losses"], before[2])


def test_full_batch_is_one_update_per_epoch_and_updates_axis_follows():
    ex = explorer(batch_size=1024, lr=0.3)
    assert "1 update per epoch" in ex.readout_text
    np.testing.assert_array_equal(ex.data()["updates"], np.arange(1, 7))


def test_a_rate_above_the_limit_diverges_in_words_not_an_error():
    ex = explorer(batch_size=32, lr=1.0)
    assert ex.data()["status"] == "diverged"
    assert f"the run {STATUS_PHRASES['diverged']}" in ex.readout_text


def test_the_words_follow_the_cores_status_not_the_loss():
    # Full batch at rate 0.93 (above 2/lambda_max = 0.89): 6 updates are too few for the run
    # to show its runaway (its loss is still below its start), so its status is "completed" and
    # nothing says diverging; at rate 1 the swing grows within them and the status says so.
    ex = explorer(batch_size=1024, lr=0.93)
    d = ex.data()
    assert d["status"] == "completed" and "diverg" not in ex.readout_text
    assert f"loss {d['losses'][-1]:.4f}" in ex.readout_text
    ex.set(lr=1.0)
    d = ex.data()
    assert d["status"] == "diverged" and "the run diverges" in ex.readout_text
    assert d["losses"][-1] < 1e6 * d["losses"][0]  # not by the loss's size: by the swing


def test_a_slider_echo_does_not_recompute():
    ex = explorer(lr=0.03)
    run = ex.run
    ex.set(lr=0.030000000000000002)
    assert ex.run is run


def test_controls_have_labels_and_tooltips():
    ex = explorer()
    for c in ex.controls.values():
        assert c.description and c.tooltip
    assert list(ex.controls["batch"].options)[:3] == [1, 2, 4]
    assert list(ex.controls["batch"].options)[-1] == 1024


def test_it_takes_any_regression_problem_and_start():
    X, y, _ = make_regression(64, 2, noise=0.1, seed=3)
    ex = BatchSizeExplorer(LinearRegression(X, y), [0.0, 0.0], batch_size=8, lr=0.1, epochs=3)
    run = minibatch_sgd(LinearRegression(X, y), [0.0, 0.0], 0.1, 8, 3, seed=0)
    np.testing.assert_array_equal(ex.data()["losses"], run.losses)
    assert list(ex.controls["batch"].options) == [1, 2, 4, 8, 16, 32, 64]
    assert ex.readout_text.startswith("batch 8, rate 0.1, seed 0: 8 updates per epoch")


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((Quadratic1D(2, 3), 7.0), {}, CourseTypeError, "loss must be a LinearRegression"),
        ((None, W0), {}, CourseTypeError, "loss must be a LinearRegression"),
        (("problem", [3.0, 3.0]), {}, CourseValueError, r"w0 must have shape \(5,\)"),
        (("problem", W0), {"batch_size": 24}, CourseValueError, "batch_size must be a power of"),
        (("problem", W0), {"batch_size": 2048}, CourseValueError, "batch_size must be a power"),
        (("problem", W0), {"lr": 5.0}, CourseValueError, "lr must be between 0.001 and 1"),
        (("problem", W0), {"lr": -1.0}, CourseValueError, "lr must be a finite number > 0"),
        (("problem", W0), {"epochs": 0}, CourseValueError, "epochs must be a whole number >= 1"),
        (("problem", W0), {"seed": 2.5}, CourseTypeError, "seed must be a whole number"),
    ],
)
def test_bad_arguments_are_refused_in_one_sentence(args, kwargs, error, match):
    args = tuple(problem() if isinstance(a, str) else a for a in args)
    with pytest.raises(error, match=match):
        BatchSizeExplorer(*args, **kwargs)


def test_the_problem_and_start_are_required_and_the_rest_are_keywords():
    with pytest.raises(TypeError):
        BatchSizeExplorer()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        BatchSizeExplorer(problem(), W0, 32)  # type: ignore[misc]


def test_at_the_full_batch_the_explorer_finds_divergence_just_above_the_limit():
    """Lesson 05, section 8: "at B = 1024, find the lowest rate the explorer calls diverging and
    compare it with 2/lambda_max". A full batch is gradient descent, one step an epoch: its
    status is gradient descent's for the same steps, so a runaway shows within 6 updates."""
    from gdcourse import gradient_descent, hessian_eigenvalues, max_stable_lr, minibatch_sgd
    from gdcourse.lessons import sgd
    from gdcourse.widgets.batch_size import BatchSizeExplorer

    loss, w0 = sgd.problem(), sgd.W0
    limit = max_stable_lr(hessian_eigenvalues(loss, w0))
    ex = BatchSizeExplorer(loss, w0, batch_size=1024)
    slider = ex.controls["lr"]
    notches = [
        10 ** (slider.min + i * slider.step)
        for i in range(round((slider.max - slider.min) / slider.step) + 1)
    ]
    diverging = []
    for lr in notches:
        ex.set(lr=lr)
        steps = gradient_descent(loss, w0, lr=lr, steps=ex.epochs, tol=0)
        assert (ex.run.status == "diverged") == (steps.status == "diverged"), lr
        if ex.run.status == "diverged":
            diverging.append(lr)
            assert "the run diverges" in ex.readout_text
    assert diverging and limit < min(diverging) < 1.1 * limit  # a little above the limit
    assert all(lr > limit for lr in diverging)
    # The rate set is the rate run: 0.8905 (above the limit) is not run as 0.89 (below it).
    ex.set(lr=0.8905)
    assert ex.run.lrs[0] == 0.8905
    # Below the limit a full batch never reads as diverged, however close.
    run = minibatch_sgd(loss, w0, 0.999 * limit, 1024, 60)
    assert run.status != "diverged"
