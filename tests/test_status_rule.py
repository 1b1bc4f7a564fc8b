"""The one status rule of the core: a swing that grows is "diverged" as soon as the growth is
evident, a swing that keeps its size is "bouncing" (the word quadratic_regime uses too), and the
detection never cuts a run short. Properties over 1-D and n-D quadratics, with and without noise.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gdcourse import (
    NOISY_WINDOW,
    STATUS_PHRASES,
    STATUS_WINDOW,
    STATUSES,
    SWING_RTOL,
    Quadratic1D,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    SharpFlatWells,
    TiltedDoubleWell,
    clipped,
    gradient_descent,
    quadratic_regime,
    sign_flipped,
    swing,
)

# The smallest excess over 2 for which the swing's growth over the window is ten times the
# tolerance: (1 + delta)^(window - 1) >= 1 + 10 (window - 1) SWING_RTOL.
DELTA = 1.01 * math.log1p(10 * (STATUS_WINDOW - 1) * SWING_RTOL) / (STATUS_WINDOW - 1)

curvatures = st.floats(0.1, 10.0)
starts = st.floats(-50.0, 50.0).filter(lambda w: abs(w) > 1e-3)


def test_the_issues_two_growing_runs_are_diverged_with_every_step_kept():
    run = gradient_descent(Quadratic1D(a=8), w0=1, lr=0.3, steps=20)
    assert (run.status, run.n_steps) == ("diverged", 20)
    assert run.final_loss == pytest.approx(2.8e6, rel=0.01)  # every step of the run is there
    run = gradient_descent(Quadratic1D(a=2, c=2), w0=8, lr=1.2, steps=30)
    assert (run.status, run.n_steps) == ("diverged", 30)
    assert run.final_loss == pytest.approx(2.1e10, rel=0.01)


def test_one_word_for_a_swing_that_keeps_its_size():
    assert "oscillating" not in STATUSES and "bouncing" in STATUSES
    assert quadratic_regime(2.0, 1.0) == "bouncing"
    assert gradient_descent(Quadratic1D(a=2, c=3), 7.0, lr=1.0, steps=30).status == "bouncing"
    assert set(STATUS_PHRASES) == {*STATUSES, "completed"}  # "completed": a mini-batch run


@given(a=curvatures, w0=starts, excess=st.floats(DELTA, 8.0), steps=st.integers(STATUS_WINDOW, 60))
def test_above_two_over_a_every_run_is_diverged(a, w0, excess, steps):
    run = gradient_descent(Quadratic1D(a=a), w0, lr=(2 + excess) / a, steps=steps)
    assert run.status == "diverged"
    # Nothing was cut short: all the steps asked for, unless a value passed the 1e12 limit.
    assert run.n_steps == steps or run.losses[-1] > 1e12 * max(run.losses[0], 1.0)


@given(a=curvatures, w0=starts, steps=st.integers(3, 60))
def test_at_two_over_a_every_run_is_bouncing(a, w0, steps):
    assume(quadratic_regime(a, 2 / a) == "bouncing")
    run = gradient_descent(Quadratic1D(a=a), w0, lr=2 / a, steps=steps)
    assert run.status == "bouncing" and run.n_steps == steps


@given(a=curvatures, w0=starts, x=st.floats(0.05, 2 - DELTA), steps=st.integers(0, 80))
def test_below_two_over_a_no_run_is_diverged_or_bouncing(a, w0, x, steps):
    run = gradient_descent(Quadratic1D(a=a), w0, lr=x / a, steps=steps)
    assert run.status in ("converged", "max_steps")


def _bowl(eigenvalues, seed):
    d = len(eigenvalues)
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(d, d)))
    return QuadraticBowl(eigenvalues, rotation=q)


@given(
    eigenvalues=st.lists(st.floats(0.1, 10.0), min_size=2, max_size=4),
    seed=st.integers(0, 10_000),
    excess=st.floats(0.2, 3.0),
    top=st.floats(1e-3, 1.0),
)
def test_n_d_bowls_above_two_over_lambda_max_diverge(eigenvalues, seed, excess, top):
    bowl = _bowl(eigenvalues, seed)
    k = int(np.argmax(bowl.eigenvalues))
    # A start whose component along the steepest axis is `top` of its length.
    others = np.delete(bowl.rotation, k, axis=1) @ np.ones(len(eigenvalues) - 1)
    others /= np.linalg.norm(others)
    w0 = top * bowl.rotation[:, k] + math.sqrt(1 - top**2) * others
    run = gradient_descent(bowl, w0, lr=(2 + excess) / max(eigenvalues), steps=400)
    assert run.status == "diverged"


@given(
    a=curvatures,
    w0=starts,
    excess=st.floats(0.2, 6.0),
    noise=st.floats(0.0, 5.0),
    seed=st.integers(0, 1000),
)
def test_with_noise_runs_above_two_over_a_diverge(a, w0, excess, noise, seed):
    lr = (2 + excess) / a
    run = gradient_descent(Quadratic1D(a=a), w0, lr=lr, steps=60, noise=noise, seed=seed)
    assert run.status == "diverged"


@given(
    a=curvatures,
    w0=starts,
    x=st.floats(0.05, 1.9),
    noise=st.floats(0.01, 5.0),
    seed=st.integers(0, 1000),
)
def test_with_noise_runs_below_two_over_a_are_never_called_diverged_or_bouncing(
    a, w0, x, noise, seed
):
    run = gradient_descent(Quadratic1D(a=a), w0, lr=x / a, steps=300, noise=noise, seed=seed)
    assert run.status in ("converged", "max_steps")


def test_the_swing_rule_on_its_own():
    assert swing([7.0, -9.0, 39.0, -105.0]) == "growing"
    assert swing([7.0, -9.0, 39.0, -105.0], [49.0, 81.0, 1521.0, 11025.0]) == "growing"
    assert swing([7.0, -9.0, 39.0, -105.0], [1e5, 81.0, 1521.0, 11025.0]) is None  # fell overall
    assert swing([1.0, 1.1, 1.21, 1.331], [1.0, 1.21, 1.46, 1.77]) == "growing"  # ascent
    assert swing([7.0, -1.0, 7.0, -1.0]) == "steady"
    assert swing([7.0, 6.2, 5.56, 5.05]) is None  # no alternation
    assert swing([7.0, -1.0]) is None  # one step says nothing
    grow = [(-1.2) ** k for k in range(NOISY_WINDOW + 1)]
    assert swing(grow, noisy=True) == "growing"
    assert swing(grow[: NOISY_WINDOW - 1], noisy=True) is None  # too few steps to tell noise
    wobble = list(grow)
    wobble[-3] *= 1.5  # one step longer than the next: noise could do that
    assert swing(wobble, noisy=True) is None


def test_a_mini_batch_run_whose_loss_grows_epoch_after_epoch_is_diverged():
    from gdcourse import (
        LinearRegression,
        epochs_growing,
        make_regression,
        max_stable_lr,
        minibatch_sgd,
    )

    X, y, _ = make_regression(512, 4, noise=0.5, seed=3)
    loss = LinearRegression(X, y)
    limit = max_stable_lr(np.linalg.eigvalsh(loss.hessian(np.zeros(4))))
    for batch in (8, 64, 512):
        for seed in range(3):
            stable = minibatch_sgd(loss, np.full(4, 3.0), 0.5 * limit, batch, 12, seed=seed)
            assert stable.status == "completed", (batch, seed)
            unstable = minibatch_sgd(loss, np.full(4, 3.0), 1.5 * limit, batch, 12, seed=seed)
            assert unstable.status == "diverged" and np.all(np.isfinite(unstable.losses))
    assert not epochs_growing([44.2, 0.61, 0.25, 0.26, 0.27, 0.28])  # noise at the floor
    assert epochs_growing([44.2, 2.3, 20.5, 214.9, 2461.0])


# Runs that stay bounded but whose steps swing irregularly: the old rule (last step longer than
# the first, all alternating) called each of these "diverged" while its loss stayed below 1.
BOUNDED = [
    (TiltedDoubleWell(), -1.0, 0.4, 200),
    (TiltedDoubleWell(), 0.5, 0.425, 200),
    (TiltedDoubleWell(), 1.5, 0.3, 60),
    (SharpFlatWells(), 0.5, 1.05, 20),
    (SharpFlatWells(), 2.0, 1.5, 60),
    (SharpFlatWells(), -2.0, 1.1, 60),
]


@pytest.mark.parametrize(("loss", "w0", "lr", "steps"), BOUNDED)
def test_a_bounded_irregular_swing_is_not_diverged(loss, w0, lr, steps):
    run = gradient_descent(loss, w0, lr=lr, steps=steps)
    assert np.max(np.abs(run.weights)) < 10 and run.final_loss < 1
    assert run.status != "diverged"


def test_bounded_runs_of_other_updates_and_losses_are_not_diverged():
    assert gradient_descent(Rosenbrock(), [-1.2, 1.0], lr=0.002, steps=200).status == "max_steps"
    clip = gradient_descent(Quadratic1D(a=4), 5.0, lr=0.6, steps=40, update=clipped(1.0))
    assert clip.status != "diverged" and np.max(np.abs(clip.weights[-10:])) < 1


def test_a_run_that_lands_on_the_minimum_is_converged():
    run = gradient_descent(Quadratic1D(a=2), 3.0, lr=0.5, steps=40)
    assert (run.status, run.n_steps, run.final_loss) == ("converged", 1, 0.0)


def test_rates_a_hair_from_two_over_a_agree_with_the_regime():
    # 1e-7 off lr * a = 2 is far outside quadratic_regime's 1e-9 tolerance: no "bouncing".
    for lr, regime, status in ((2 + 1e-7, "diverging", "diverged"), (2 - 1e-7, None, "max_steps")):
        if regime:
            assert quadratic_regime(1.0, lr) == regime
        else:
            assert quadratic_regime(1.0, lr) != "bouncing"
        assert gradient_descent(Quadratic1D(a=1), 3.0, lr=lr, steps=40).status == status


def test_ascent_is_diverged_however_short():
    run = gradient_descent(Quadratic1D(a=1), 3.0, lr=0.1, steps=30, update=sign_flipped())
    assert run.status == "diverged" and run.losses[-1] > 100 * run.losses[0]
    short = gradient_descent(QuadraticBowl([1.0, 10.0]), [1.0, 1.0], lr=0.5, steps=5)
    assert short.status == "diverged"


def test_noise_keeps_a_run_moving():
    # Started on the saddle, where the gradient is zero: the noise moves it off.
    run = gradient_descent(SaddleWithMinima(), [0.0, 0.0], lr=0.1, steps=50, noise=0.5, seed=1)
    assert run.n_steps == 50 and run.status == "max_steps"
    assert np.linalg.norm(run.weights[-1]) > 0.1
    blow = gradient_descent(Quadratic1D(a=1), 3.0, lr=3.5, steps=19, noise=1.0, seed=0)
    assert blow.status == "diverged"  # fewer steps than the noisy window, yet evident


def test_swing_refuses_what_is_not_a_run():
    from gdcourse import CourseTypeError, CourseValueError

    with pytest.raises(CourseTypeError, match="weights must be"):
        swing(5.0)
    with pytest.raises(CourseValueError, match="one loss per iterate"):
        swing([1.0, -1.0, 1.0, -1.0], [1.0, 1.0])
    with pytest.raises(CourseTypeError, match="losses must be"):
        swing([1.0, -1.0, 1.0], "abc")
