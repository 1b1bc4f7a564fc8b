"""minibatch_sgd: batching, reshuffling, reproducibility, the variance law, bad input; and the
mini-batch experiments of gdcourse.core.batches built on it."""

import warnings

import numpy as np
import pytest

from gdcourse import (
    CourseInputError,
    CourseTypeError,
    LinearRegression,
    Quadratic1D,
    SharpFlatWells,
    compare_methods,
    epoch_average_gradient,
    escape_fractions,
    gradient_descent,
    gradient_spread,
    linear_scaling_table,
    make_regression,
    minibatch_gradient_variance,
    minibatch_sgd,
    sample_variance,
    tune_rate,
)

X, Y, W_TRUE = make_regression(100, 3, noise=0.5, seed=2)
LOSS = LinearRegression(X, Y)
W0 = np.zeros(3)


def test_last_smaller_batch_is_used_not_dropped():
    run = minibatch_sgd(LOSS, W0, lr=0.01, batch_size=32, epochs=3, seed=0)
    assert run.updates_per_epoch == 4  # 32 + 32 + 32 + 4
    assert run.n_updates == 12 == len(run.batch_losses) == len(run.lrs)
    assert run.weights.shape == (4, 3) and run.losses.shape == (4,)
    assert run.status == "completed"


def test_epoch_visits_every_example_once_in_a_fresh_order():
    # With batch_size 1 and a tiny rate, the batch losses of an epoch are the per-example
    # losses (at almost the same weights) in shuffled order: every example exactly once.
    run = minibatch_sgd(LOSS, W0, lr=1e-12, batch_size=1, epochs=2, seed=5)
    per_example = (X @ W0 - Y) ** 2
    first, second = run.batch_losses[:100], run.batch_losses[100:]
    np.testing.assert_allclose(np.sort(first), np.sort(per_example), rtol=1e-6)
    np.testing.assert_allclose(np.sort(second), np.sort(per_example), rtol=1e-6)
    assert not np.allclose(first, second)  # reshuffled between epochs


def test_same_seed_same_run_other_seed_other_run():
    a = minibatch_sgd(LOSS, W0, lr=0.05, batch_size=8, epochs=3, seed=11)
    b = minibatch_sgd(LOSS, W0, lr=0.05, batch_size=8, epochs=3, seed=11)
    c = minibatch_sgd(LOSS, W0, lr=0.05, batch_size=8, epochs=3, seed=12)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.batch_losses, b.batch_losses)
    assert not np.array_equal(a.weights, c.weights)


def test_full_batch_is_gradient_descent():
    sgd = minibatch_sgd(LOSS, W0, lr=0.1, batch_size=len(Y), epochs=20, seed=0)
    gd = gradient_descent(LOSS, W0, lr=0.1, steps=20, tol=0)
    np.testing.assert_allclose(sgd.weights, gd.weights, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sgd.losses, gd.losses, rtol=1e-12)
    np.testing.assert_allclose(sgd.batch_losses, gd.losses[:-1], rtol=1e-12)


def test_sgd_reaches_the_noise_floor_near_the_least_squares_loss():
    run = minibatch_sgd(LOSS, np.full(3, 3.0), lr=0.01, batch_size=1, epochs=20, seed=0)
    best = LOSS.value(LOSS.minimizer)
    assert run.losses[0] > 5 * best
    assert run.losses[-1] < 1.2 * best


def test_diverging_sgd_is_a_status_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = minibatch_sgd(LOSS, W0, lr=50.0, batch_size=10, epochs=50, seed=0)
    assert run.status == "diverged"
    assert run.epochs < 50


def test_schedule_counts_updates():
    run = minibatch_sgd(LOSS, W0, lr=lambda k: 0.1 / (1 + k), batch_size=50, epochs=2, seed=0)
    assert run.lrs.tolist() == pytest.approx([0.1, 0.05, 0.1 / 3, 0.025])


@pytest.mark.parametrize("batch_size", [1, 10, 50, 99])
def test_minibatch_gradient_variance_matches_sigma2_over_b_times_fpc(batch_size):
    w = np.array([0.5, -0.3, 1.0])
    rng = np.random.default_rng(batch_size)
    full = LOSS.gradient(w)
    draws = 4000
    sq = np.empty(draws)
    for i in range(draws):
        idx = rng.choice(len(Y), size=batch_size, replace=False)
        sq[i] = np.sum((LOSS.minibatch_gradient(w, idx) - full) ** 2)
    expected = minibatch_gradient_variance(LOSS, w, batch_size)
    stderr = sq.std(ddof=1) / np.sqrt(draws)
    assert abs(sq.mean() - expected) < 4 * stderr
    # The finite-population factor matters: without it, B = 99 of N = 100 would be 99x off.
    assert expected < minibatch_gradient_variance(LOSS, w, 1) / batch_size * 1.0001


def test_full_batch_has_zero_gradient_variance():
    assert minibatch_gradient_variance(LOSS, np.ones(3), len(Y)) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be a whole number >= 1, got 0"),
        ({"batch_size": 101}, ValueError, "between 1 and the number of examples N=100, got 101"),
        ({"batch_size": 2.0}, TypeError, "use 2, not 2.0"),
        ({"epochs": -1}, ValueError, "epochs must be a whole number >= 0"),
        ({"lr": -1.0}, ValueError, "lr must be a positive finite number"),
    ],
)
def test_bad_arguments_get_a_sentence(kwargs, exc, message):
    args = {"lr": 0.1, "batch_size": 10, "epochs": 1} | kwargs
    with pytest.raises(exc, match=message):
        minibatch_sgd(LOSS, W0, **args)


def test_needs_a_regression_loss():
    with pytest.raises(CourseTypeError, match="minibatch_sgd needs a loss on a data set to draw"):
        minibatch_sgd(Quadratic1D(2, 3), 7.0, lr=0.1, batch_size=1, epochs=1)


# -- the mini-batch experiments of the core (gdcourse.core.batches) -------------------------------
def test_gradient_spread_is_the_one_example_variance():
    w = np.array([0.5, -0.3, 1.0])
    g = LOSS.per_example_gradients(w)
    spread = np.mean(np.sum((g - LOSS.gradient(w)) ** 2, axis=1))
    assert gradient_spread(LOSS, w) == pytest.approx(spread)
    assert minibatch_gradient_variance(LOSS, w, 1) == pytest.approx(gradient_spread(LOSS, w))


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: gradient_spread(Quadratic1D(2, 3), 1.0), TypeError, "must be a LinearRegression"),
        (lambda: gradient_spread(LOSS, [1.0, 2.0]), ValueError, "w must have shape \\(3,\\)"),
        (lambda: epoch_average_gradient(LOSS, W0, 3), ValueError, "batch_size must divide N=100"),
        (lambda: sample_variance(LOSS, W0, 101), ValueError, "between 1 and N=100, got 101"),
        (lambda: sample_variance(LOSS, W0, 4, n_batches=1), ValueError, "n_batches must be"),
        (lambda: tune_rate(LOSS, W0, 10, 2, grid=()), ValueError, "grid .* at least one"),
        (lambda: tune_rate(LOSS, W0, 10, 2, grid=(0.1, -1)), ValueError, "each entry of grid"),
        (lambda: tune_rate(LOSS, W0, 10, 0, grid=(0.1,)), ValueError, "epochs must be"),
        (
            lambda: compare_methods(LOSS, W0, [1, 10], 2, grid=(0.1,)),
            TypeError,
            "batch_sizes must map each method's name",
        ),
        (
            lambda: compare_methods(LOSS, W0, {"SGD": 0}, 2, grid=(0.1,)),
            ValueError,
            "the batch size of 'SGD' must be a whole number >= 1",
        ),
        (
            lambda: linear_scaling_table(LOSS, W0, 8, 0.02, (1, 16), 2),
            ValueError,
            "base_batch \\* k at most N=100: k=16 gives 128",
        ),
        (
            lambda: linear_scaling_table(LOSS, W0, 8, -0.02, (1,), 2),
            ValueError,
            "base_lr must be a finite number > 0",
        ),
        (
            lambda: escape_fractions(LOSS, W0, 0.01, 10, (0,), range(2)),
            TypeError,
            "a minima\\(\\) method, such as SharpFlatWells",
        ),
        (
            lambda: escape_fractions(SharpFlatWells(), -1.0, 0.01, 10, (-1,), range(2)),
            ValueError,
            "each entry of noises",
        ),
        (
            lambda: escape_fractions(SharpFlatWells(), -1.0, 0.01, 10, (1,), ()),
            ValueError,
            "seeds must hold at least one seed",
        ),
    ],
)
def test_the_experiments_bad_arguments_get_a_sentence(call, exc, message):
    with pytest.raises(exc, match=message) as info:
        call()
    assert isinstance(info.value, CourseInputError)


def test_a_tuned_rate_is_the_lowest_final_loss_of_its_grid():
    t = tune_rate(LOSS, W0, 10, 3, grid=(0.001, 0.05, 50.0))
    runs = {lr: minibatch_sgd(LOSS, W0, lr, 10, 3) for lr in (0.001, 0.05, 50.0)}
    assert runs[50.0].status == "diverged" and t.final_losses[50.0] == float("inf")
    assert t.final_losses[0.05] == runs[0.05].losses[-1]
    assert t.lr == min(t.final_losses, key=t.final_losses.get) == 0.05
