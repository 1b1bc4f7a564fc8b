"""The worked numbers of the seed documents (../shared/seeds/), asserted through the core."""

import pytest

from gdcourse import (
    Quadratic1D,
    gradient_descent,
    gradient_step,
    quadratic_regime,
    steps_to_tolerance,
)

SEED_LOSS = Quadratic1D(a=2, c=3)  # L(w) = (w - 3)^2


def test_seed_loss_is_w_minus_3_squared_with_gradient_8_at_7():
    assert SEED_LOSS.value(7) == 16.0
    assert SEED_LOSS.gradient(7) == 8.0  # positive: points to larger w
    assert SEED_LOSS.value(3) == 0.0


def test_rate_point_one_walks_7_to_6_2_to_5_56_and_loss_16_to_10_24():
    run = gradient_descent(SEED_LOSS, 7.0, lr=0.1, steps=2)
    assert run.weights.tolist() == pytest.approx([7.0, 6.2, 5.56], abs=1e-12)
    assert run.losses[:2].tolist() == pytest.approx([16.0, 10.24], abs=1e-12)
    assert SEED_LOSS.gradient(6.2) == pytest.approx(6.4)


def test_learning_rate_two_overshoots_to_minus_nine_with_loss_144():
    run = gradient_descent(SEED_LOSS, 7.0, lr=2.0, steps=1)
    assert run.weights[1] == pytest.approx(-9.0)
    assert run.losses[1] == pytest.approx(144.0)
    assert run.losses[1] > run.losses[0]  # worse than where it started


def test_learning_rate_two_keeps_growing_until_the_run_is_declared_diverged():
    run = gradient_descent(SEED_LOSS, 7.0, lr=2.0, steps=100)
    assert run.status == "diverged"
    assert run.n_steps < 100


def test_tiny_rate_moves_only_to_6_9992():
    run = gradient_descent(SEED_LOSS, 7.0, lr=0.0001, steps=1)
    assert run.weights[1] == pytest.approx(6.9992, abs=1e-12)


def test_flashcard_w5_gradient_minus3_rate_point_one_moves_right_to_5_3():
    new_w = gradient_step(5.0, -3.0, lr=0.1)
    assert new_w == pytest.approx(5.3)
    assert new_w > 5.0  # moved right, because the gradient was negative


def test_step_length_is_rate_times_gradient_magnitude():
    # Google's example: gradient magnitude 2.5 and rate 0.01 move the point 0.025.
    assert abs(gradient_step(0.0, 2.5, lr=0.01) - 0.0) == pytest.approx(0.025)


def test_exploration_w_minus_2_squared_from_8():
    loss = Quadratic1D(a=2, c=2)
    half = gradient_descent(loss, 8.0, lr=0.5, steps=4)
    assert half.weights.tolist()[:2] == [8.0, 2.0]  # lands in one step
    assert half.status == "converged"
    one = gradient_descent(loss, 8.0, lr=1.0, steps=4)
    assert one.weights.tolist() == [8.0, -4.0, 8.0, -4.0, 8.0]  # bounces forever
    assert one.losses.tolist() == [36.0, 36.0, 36.0, 36.0, 36.0]
    # The run's status is the regime's word, and says it in the words the learner reads.
    assert one.status == quadratic_regime(loss.a, 1.0) == "bouncing"
    assert "bounces" in one.phrase
    # Rate 1.2 swings wider every step: diverged, though it takes every step asked for, so that
    # the exercise can state all four (q7).
    wider = gradient_descent(loss, 8.0, lr=1.2, steps=4)
    assert wider.status == "diverged" and wider.n_steps == 4
    assert wider.phrase == "diverges" and quadratic_regime(loss.a, 1.2) == "diverging"
    tenth = gradient_descent(loss, 8.0, lr=0.1, steps=4)
    assert tenth.weights.tolist() == pytest.approx([8.0, 6.8, 5.84, 5.072, 4.4576])
    assert steps_to_tolerance(a=2, lr=0.1, e0=6, tol=0.01) == 29
