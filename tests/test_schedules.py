"""Learning-rate schedules: values, vectorised calls, and the limits on their parameters."""

import math

import numpy as np
import pytest

from gdcourse import (
    Quadratic1D,
    constant,
    cosine_decay,
    exponential_decay,
    gradient_descent,
    inverse_time_decay,
    linear_warmup,
    step_decay,
)
from gdcourse.core.last_bits import other_last_bits, touched


def test_constant():
    assert constant(0.3).rates(4).tolist() == [0.3] * 4


def test_step_decay_halves_every_ten_steps():
    s = step_decay(1.0, 0.5, every=10)
    assert [s(t) for t in (0, 9, 10, 19, 20)] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_exponential_decay_has_a_finite_sum():
    s = exponential_decay(0.1, 0.9)
    assert s(2) == pytest.approx(0.1 * 0.81)
    assert s.rates(2000).sum() == pytest.approx(0.1 / (1 - 0.9))  # it freezes the run


def test_inverse_time_decay_meets_robbins_monro():
    s = inverse_time_decay(1.0, decay=1.0)
    assert s(3) == 0.25
    rates = s.rates(100_000)
    # The sum keeps growing like log(n); the sum of squares settles (to pi^2/6 here).
    assert rates.sum() > 12
    assert (rates**2).sum() == pytest.approx(math.pi**2 / 6, rel=1e-4)


def test_cosine_decay_ends_exactly_at_final_lr_and_stays_there():
    s = cosine_decay(1.0, total_steps=100, final_lr=0.1)
    assert s(0) == 1.0
    assert s(50) == pytest.approx(0.55)
    assert s(100) == 0.1 and s(500) == 0.1
    assert np.all(np.diff(s.rates(101)) <= 0)


def test_warmup_ramps_from_zero_then_follows_the_schedule():
    s = linear_warmup(cosine_decay(0.2, total_steps=10), warmup_steps=4)
    rates = s.rates(20)
    assert rates[0] == 0.0
    assert rates[:5].tolist() == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])
    assert rates[14] == 0.0 and np.all(rates >= 0)


def test_schedules_accept_arrays_and_print_their_settings():
    s = step_decay(1.0, 0.5, every=2)
    assert s(np.arange(4)).tolist() == [1.0, 1.0, 0.5, 0.5]
    assert repr(s) == "step_decay(1, factor=0.5, every=2)"


@pytest.mark.parametrize(
    "schedule",
    [
        inverse_time_decay(0.1, 1.0),
        exponential_decay(0.3, 0.9),
        step_decay(0.9, 0.5, every=7),  # 1 - a eta < 0 at first: the run crosses the minimum
        linear_warmup(cosine_decay(0.4, 30), warmup_steps=5),
    ],
    ids=repr,
)
def test_error_factors_are_what_gradient_descent_does_on_a_quadratic(schedule):
    """Entry k is prod_{t<k} (1 - a eta_t): the error of a real run after k steps over its start."""
    a, c, w0 = 2.0, 3.0, 7.0
    run = gradient_descent(Quadratic1D(a=a, c=c), w0, lr=schedule, steps=60, tol=0)
    factors = schedule.error_factors(a, 60)
    assert factors.shape == (61,) and factors[0] == 1.0
    np.testing.assert_allclose(run.weights - c, (w0 - c) * factors, rtol=1e-12, atol=1e-15)


def test_error_factors_of_a_million_steps_and_their_validation():
    factors = inverse_time_decay(0.1, 1.0).error_factors(2, 10**6)
    assert factors.shape == (10**6 + 1,) and np.all(np.diff(factors) < 0)
    assert exponential_decay(0.1, 0.5).error_factors(2, 3).tolist() == pytest.approx(
        [1.0, 0.8, 0.72, 0.684]
    )
    s = exponential_decay(0.1, 0.5)
    with other_last_bits(1):  # the product is the core's arithmetic: another CPU's last bits
        s.rates(3)
        of_the_rates = touched()
        s.error_factors(2, 3)
        assert touched() - of_the_rates > of_the_rates  # the rates, and then the product
    with pytest.raises(ValueError, match=r"a \(the curvature\) must be a finite number > 0"):
        constant(0.1).error_factors(0, 3)
    with pytest.raises(ValueError, match="n_steps must be a whole number"):
        constant(0.1).error_factors(2, -1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: constant(0), "lr must be a finite number > 0, got 0.0"),
        (lambda: step_decay(1.0, 1.5, every=2), r"factor must be in \(0, 1\]"),
        (lambda: step_decay(1.0, 0.5, every=0), "every must be a whole number >= 1"),
        (lambda: exponential_decay(1.0, 1.1), r"gamma must be in \(0, 1\]"),
        (lambda: inverse_time_decay(1.0, -1), "decay must be a finite number >= 0"),
        (lambda: cosine_decay(1.0, 10, final_lr=2.0), "final_lr must be at most lr=1"),
        (lambda: linear_warmup(0.1, warmup_steps=0), "warmup_steps must be a whole number >= 1"),
        (lambda: constant(0.1)(-1), "step must be a whole number >= 0"),
        (lambda: constant(0.1)(1.5), "step must be a whole number >= 0"),
    ],
)
def test_bad_schedule_parameters_get_a_sentence(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
