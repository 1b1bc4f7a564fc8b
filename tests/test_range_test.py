"""The learning-rate range test of the core: a noisy mini-batch run with a geometric rate, its
smoothed loss, and readings that say how far they are from reading otherwise."""

import math

import numpy as np
import pytest

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    LinearRegression,
    Quadratic1D,
    geometric_growth,
    make_regression,
    minibatch_sgd,
    range_test,
    smooth_losses,
)


def _problem(n=512, d=3, seed=1):
    X, y, _ = make_regression(n, d, noise=0.5, seed=seed)
    return LinearRegression(X, y)


def test_geometric_growth_runs_from_the_first_to_the_last_rate_by_one_factor():
    s = geometric_growth(1e-4, 10.0, steps=100)
    assert s(0) == pytest.approx(1e-4) and s(99) == pytest.approx(10.0)
    rates = s.rates(100)
    np.testing.assert_allclose(rates[1:] / rates[:-1], 10 ** (5 / 99))
    with pytest.raises(CourseValueError, match=r"lr_max must be larger than lr_min=0\.1"):
        geometric_growth(0.1, 0.1, 10)
    with pytest.raises(CourseValueError, match="steps must be a whole number >= 2"):
        geometric_growth(0.1, 1.0, 1)


def test_smoothing_is_a_bias_corrected_moving_average():
    losses = np.array([4.0, 2.0, 3.0, 1.0])
    s = 0.8
    m, expected = 0.0, []
    for k, v in enumerate(losses):
        m = s * m + (1 - s) * v
        expected.append(m / (1 - s ** (k + 1)))
    np.testing.assert_allclose(smooth_losses(losses, s), expected, rtol=1e-14)
    assert smooth_losses(losses, 0.0).tolist() == losses.tolist()  # no smoothing at all
    assert smooth_losses([5.0, 5.0, 5.0], 0.98).round(12).tolist() == [5.0, 5.0, 5.0]  # no bias


def test_smoothing_stays_infinite_once_the_run_has_blown_up_and_rejects_bad_factors():
    assert smooth_losses([1.0, math.inf, 0.5, 0.5], 0.5).tolist() == [1.0] + [math.inf] * 3
    for bad in (1.0, 1.5):
        with pytest.raises(CourseValueError, match=r"smoothing must be in \[0, 1\)"):
            smooth_losses([1.0], bad)
    with pytest.raises(CourseValueError, match="smoothing must be a finite number >= 0"):
        smooth_losses([1.0], -0.1)


def test_the_readings_follow_their_definitions():
    loss = _problem()
    t = range_test(loss, [3.0, 3.0, 3.0])
    np.testing.assert_allclose(t.smoothed, smooth_losses(t.losses, 0.9))
    running_min = np.minimum.accumulate(t.smoothed)
    over = t.smoothed > 4.0 * running_min
    k_up = int(np.argmax(over))
    assert over.any() and t.blow_up == t.rates[k_up] and t.suggested == t.blow_up / 10
    assert t.at_minimum == t.rates[int(np.argmin(t.smoothed[: k_up + 1]))]
    # The margins are what their names say: the nearest ratio to the factor, the gap to the
    # second-lowest smoothed loss, both relative.
    ratio = t.smoothed[: k_up + 1] / running_min[: k_up + 1]
    assert t.blow_up_margin == pytest.approx(np.abs(ratio / 4.0 - 1).min())
    low = np.sort(t.smoothed[: k_up + 1])
    assert t.minimum_margin == pytest.approx((low[1] - low[0]) / low[0])


def test_the_losses_are_the_runs_batch_losses_with_inf_after_it_stopped():
    loss = _problem(n=100)
    t = range_test(loss, [3.0, 3.0, 3.0], steps=60, batch_size=10, seed=4)
    rates = geometric_growth(1e-4, 10.0, 60)
    run = minibatch_sgd(loss, [3.0, 3.0, 3.0], lr=rates, batch_size=10, epochs=6, seed=4)
    finite = np.isfinite(t.losses)
    n = int(finite.sum())
    np.testing.assert_array_equal(t.losses[:n], run.batch_losses[:n])
    assert np.all(~finite[n:]) and t.rates.tolist() == rates.rates(60).tolist()


def test_a_test_whose_rates_stay_stable_never_blows_up():
    t = range_test(_problem(), [3.0, 3.0, 3.0], lr_min=1e-4, lr_max=1e-2, steps=50)
    assert t.blow_up is None and t.suggested is None
    assert t.at_minimum == t.rates[int(np.argmin(t.smoothed))]  # read over the whole run
    assert "blow-up at never" in repr(t)


def test_a_range_test_is_the_same_for_the_same_seed_and_its_arrays_are_frozen():
    loss = _problem()
    a, b = range_test(loss, [1.0, 1.0, 1.0], seed=3), range_test(loss, [1.0, 1.0, 1.0], seed=3)
    np.testing.assert_array_equal(a.losses, b.losses)
    with pytest.raises(ValueError):
        a.losses[0] = 0.0


def test_bad_arguments_get_one_sentence():
    loss = _problem()
    with pytest.raises(CourseTypeError, match="range_test needs a loss on a data set to draw"):
        range_test(Quadratic1D(2, 3), 7.0)
    with pytest.raises(CourseValueError, match="blow_up_factor must be larger than 1"):
        range_test(loss, [0.0, 0.0, 0.0], blow_up_factor=1.0)
    with pytest.raises(CourseValueError, match="batch_size must be between 1 and"):
        range_test(loss, [0.0, 0.0, 0.0], batch_size=10_000)
    with pytest.raises(CourseValueError, match="w0 must have shape"):
        range_test(loss, [0.0, 0.0])


def test_a_start_whose_loss_overflows_is_refused_in_one_sentence():
    with pytest.raises(CourseValueError, match="the loss at w0 is inf, not a finite number"):
        range_test(_problem(), [1e160, 1e160, 1e160])


def test_a_perfect_fit_reads_its_lowest_loss_as_the_tie_it_is():
    X = np.arange(60, dtype=float).reshape(20, 3) % 7
    w = np.array([1.0, -2.0, 0.5])
    t = range_test(LinearRegression(X, X @ w), w, lr_max=1e-3, steps=30, batch_size=5)
    assert np.all(t.losses == 0) and t.blow_up is None
    assert t.minimum_margin == 0.0  # every update ties for the lowest loss
    assert t.blow_up_margin == pytest.approx(0.75)  # ratio 1 everywhere, factor 4


def test_no_reading_is_taken_before_the_average_is_warm():
    # One noisy example per update: the first batches swing wildly, but no blow-up is read
    # before the average holds about 1 / (1 - 0.9) = 10 losses.
    for seed in range(5):
        t = range_test(_problem(), [3.0, 3.0, 3.0], batch_size=1, seed=seed)
        assert t.blow_up is None or t.blow_up >= t.rates[9]
        assert t.at_minimum >= t.rates[9]
    with pytest.raises(
        CourseValueError, match=r"steps must be more than 1 / \(1 - smoothing\) = 10"
    ):
        range_test(_problem(), [3.0, 3.0, 3.0], steps=10)
    assert range_test(_problem(), [3.0, 3.0, 3.0], steps=2, smoothing=0.0).at_minimum > 0


def test_absurd_lengths_and_rate_ranges_are_refused_or_handled():
    with pytest.raises(CourseValueError, match="steps must be at most 1,000,000"):
        range_test(_problem(), [3.0, 3.0, 3.0], steps=10**12)
    # The schedule is computed in logarithms and holds its last rate: nothing overflows.
    rates = geometric_growth(1e-300, 1e300, 4).rates(6)
    np.testing.assert_allclose(rates, [1e-300, 1e-100, 1e100, 1e300, 1e300, 1e300], rtol=1e-12)
    t = range_test(_problem(), [3.0, 3.0, 3.0], lr_min=1e-300, lr_max=1e3)
    assert math.isfinite(t.at_minimum) and np.all(np.isfinite(t.rates))


@pytest.mark.parametrize(
    "bad", [1.0, None, [[1.0, 2.0]], ["a"], "abc", [1.0, None], [1 + 2j], {"a": 1.0}, [True]]
)
def test_smoothing_refuses_what_is_not_a_list_of_losses(bad):
    with pytest.raises(CourseTypeError, match="losses must be a 1-D list or array of numbers"):
        smooth_losses(bad, 0.9)
