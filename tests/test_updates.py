"""One descent engine: gradient_descent with an update rule (plain, normalised, clipped, one
parameter after another, and the wrong rules the checks simulate), and many noisy seeds at once."""

import math

import numpy as np
import pytest

from gdcourse import (
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    SaddleWithMinima,
    clipped,
    factor_two_missing,
    gradient_descent,
    loss_for_gradient,
    noisy_runs,
    normalised,
    one_after_another,
    plain,
    sign_flipped,
)

SEED = Quadratic1D(a=2, c=3)
BOWL = QuadraticBowl([1.0, 3.0], rotation=math.pi / 4)


def _by_hand(step, w0, steps):
    w, out = np.asarray(w0, dtype=float), []
    out.append(w)
    for _ in range(steps):
        w = step(w)
        out.append(w)
    return np.array(out)


def test_plain_is_the_default_rule():
    a = gradient_descent(SEED, 7.0, lr=0.1, steps=20)
    b = gradient_descent(SEED, 7.0, lr=0.1, steps=20, update=plain())
    np.testing.assert_array_equal(a.weights, b.weights)


def test_normalised_steps_all_have_length_lr_and_end_bouncing():
    run = gradient_descent(SEED, 7.2, lr=0.5, steps=40, update=normalised())
    lengths = np.abs(np.diff(run.weights))
    np.testing.assert_allclose(lengths, 0.5)
    assert run.status == "bouncing"  # hopping around 3 at the rate's distance: it cannot settle
    run = gradient_descent(BOWL, [2.0, -1.0], lr=0.1, steps=5, update=normalised())
    np.testing.assert_allclose(np.linalg.norm(np.diff(run.weights, axis=0), axis=1), 0.1)


def test_clipped_shortens_long_gradients_only():
    run = gradient_descent(SEED, 7.0, lr=0.3, steps=3, update=clipped(2.0))
    np.testing.assert_allclose(run.weights, [7.0, 6.4, 5.8, 5.2])  # |g| = 8, 6.8, 5.6 > 2
    near = gradient_descent(SEED, 3.5, lr=0.3, steps=5, update=clipped(2.0))
    np.testing.assert_allclose(near.weights, gradient_descent(SEED, 3.5, 0.3, 5).weights)


def test_one_after_another_reads_each_partial_after_the_earlier_ones_moved():
    run = gradient_descent(BOWL, [2.0, 0.0], lr=0.25, steps=1, update=one_after_another())

    def by_hand(w):
        w = w.copy()
        w[0] -= 0.25 * BOWL.gradient(w)[0]
        w[1] -= 0.25 * BOWL.gradient(w)[1]
        return w

    np.testing.assert_allclose(run.weights, _by_hand(by_hand, [2.0, 0.0], 1))
    np.testing.assert_allclose(run.weights[1], [1.0, 0.25])
    swapped = gradient_descent(BOWL, [2.0, 0.0], 0.25, 1, update=one_after_another((1, 0)))
    np.testing.assert_allclose(swapped.weights[1], [1.125, 0.5])


@pytest.mark.parametrize(
    ("rule", "by_hand"),
    [
        (sign_flipped(), lambda w: w + 0.1 * SEED.gradient(w)),
        (factor_two_missing(), lambda w: w - 0.1 * SEED.gradient(w) / 2),
        (loss_for_gradient(), lambda w: w - 0.1 * SEED.value(w)),
    ],
    ids=["sign flipped", "factor 2 missing", "loss for gradient"],
)
def test_the_wrong_rules_are_what_students_write(rule, by_hand):
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=4, tol=0, update=rule)
    np.testing.assert_allclose(run.weights, _by_hand(by_hand, 7.0, 4))


def test_a_wrong_rule_may_diverge_and_says_so():
    run = gradient_descent(SEED, 7.0, lr=0.1, steps=200, update=sign_flipped())
    assert run.status == "diverged"


def test_many_seeds_at_once_are_exactly_the_single_runs():
    runs = noisy_runs(SEED, 7.0, 0.3, 300, noise=1.0, seeds=range(4))
    for s in range(4):
        one = gradient_descent(SEED, 7.0, lr=0.3, steps=300, noise=1.0, seed=s, tol=0)
        np.testing.assert_allclose(runs.losses[s], one.losses, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(runs.weights[s], one.weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.mean_losses, runs.losses.mean(axis=0))
    bowl = noisy_runs(SaddleWithMinima(), [1.0, 0.0], 0.1, 50, noise=0.01, seeds=(3, 7))
    one = gradient_descent(SaddleWithMinima(), [1.0, 0.0], 0.1, 50, noise=0.01, seed=7, tol=0)
    np.testing.assert_allclose(bowl.weights[1], one.weights, rtol=1e-12, atol=1e-15)
    clip = noisy_runs(SEED, 7.0, 0.3, 20, noise=1.0, seeds=[5], update=clipped(2.0))
    one = gradient_descent(SEED, 7.0, 0.3, 20, noise=1.0, seed=5, tol=0, update=clipped(2.0))
    np.testing.assert_allclose(clip.weights[0], one.weights, rtol=1e-12)


def test_bad_rules_and_combinations_get_one_sentence():
    with pytest.raises(CourseTypeError, match="update must be an update rule"):
        gradient_descent(SEED, 7.0, 0.1, 5, update=lambda w, g, lr: w - lr * g)
    with pytest.raises(CourseValueError, match="does not take gradient noise"):
        gradient_descent(BOWL, [1.0, 1.0], 0.1, 5, noise=1.0, update=one_after_another())
    with pytest.raises(CourseValueError, match="cannot run many seeds at once"):
        noisy_runs(BOWL, [1.0, 1.0], 0.1, 5, noise=0.0, seeds=[0], update=one_after_another())
    with pytest.raises(CourseValueError, match="order must list each parameter once"):
        one_after_another((0, 0))
    with pytest.raises(CourseValueError, match="order must list each of the 2 parameters"):
        gradient_descent(BOWL, [1.0, 1.0], 0.1, 1, update=one_after_another((0,)))
    with pytest.raises(CourseValueError, match="clip must be a finite number > 0"):
        clipped(0.0)
    with pytest.raises(CourseValueError, match="seeds must hold at least one seed"):
        noisy_runs(SEED, 7.0, 0.1, 5, noise=1.0, seeds=[])
