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
    five = [4.0 * (-3.0) ** k for k in range(6)]  # 5 steps, each 3 times the last
    assert swing(five) == "growing"
    assert swing(five[:5]) is None  # four steps alone could be chance
    assert swing(five[:5], [w * w for w in five[:5]]) == "growing"  # the loss rose each step
    assert swing(five[:5], [16.0, 1.0, 1296.0, 11664.0, 104976.0]) is None  # it fell once
    ascent = [1.1**k for k in range(6)]  # the same direction, the loss rising every step
    assert swing(ascent, [w * w for w in ascent]) == "growing"
    # Lengthening steps whose ratio falls (2, 1.25, 1.08, ...): settling into a bounded swing.
    settling = np.cumsum([0.0, 1.0, -2.0, 2.5, -2.7, 2.8, -2.85])
    assert swing(settling) is None
    # A ratio that fell (2, 2, 2, 1.5, 2, 2): too few steps since to tell.
    wobble = np.cumsum([0.0, 1.0, -2.0, 4.0, -8.0, 12.0, -24.0, 48.0])
    assert swing(wobble) is None and swing(np.append(wobble, wobble[-1] - 96.0)) == "growing"
    # Ratios that rise but spread (1.002, 1.02, 1.1, 1.25): a chaotic swing lengthening by
    # chance, not a runaway settling on its multiplier.
    spread = np.cumsum(np.cumprod([1.0, -1.002, -1.02, -1.1, -1.25]))
    assert swing(np.append(0.0, spread)) is None
    # Ten steps without let-up (each 1.1 to 1.2 times the last, the ratios falling, the loss
    # rising at every one): a runaway whose rate decays.
    ratios = np.linspace(1.2, 1.1, 10)
    lengths = np.concatenate([[1.0, 0.5], 0.5 * np.cumprod(ratios)])
    w = np.concatenate([[0.0], np.cumsum(lengths * (-1.0) ** np.arange(len(lengths)))])
    rising = np.arange(len(w), dtype=float)
    assert swing(w, rising) == "growing" and swing(w) is None  # the loss must be given
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
    assert epochs_growing([1.0, math.inf, math.inf]) and not epochs_growing([math.inf])


def test_a_slow_full_batch_runaway_is_diverged_as_gradient_descent_says():
    from gdcourse import LinearRegression, make_regression, minibatch_sgd

    X, y, _ = make_regression(200, 2, noise=0.1, seed=0)
    loss = LinearRegression(X, y)
    lr = 2.1 / np.linalg.eigvalsh(loss.hessian(np.zeros(2))).max()  # a multiplier of -1.1
    full = minibatch_sgd(loss, [0.0, 0.0], lr, batch_size=200, epochs=100)
    # The loss grows by about 1.2 an epoch: never 10 times within 10 epochs, yet it runs away.
    assert full.status == "diverged" and full.losses[-1] > 1e3 * full.losses[0]
    assert gradient_descent(loss, [0.0, 0.0], lr, 60).status == "diverged"


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


def test_a_growing_swing_is_diverged_while_its_loss_is_still_below_its_start():
    # Five steps of warm-up at a multiplier of 0.1, then 1.25 (multiplier -1.5): the loss is
    # still far below its start of 100 after 25 steps, but the swing grows by 1.5 every step.
    warm = gradient_descent(Quadratic1D(a=2), 10.0, lambda k: 0.45 if k < 5 else 1.25, 25)
    assert warm.final_loss < warm.losses[0] and warm.status == "diverged"
    # A steep axis holding 1e-3 of the start, at a multiplier of -1.02.
    bowl = gradient_descent(QuadraticBowl([1.0, 100.0]), [1.0, 1e-3], 0.0202, 200)
    assert bowl.final_loss < bowl.losses[0] and bowl.status == "diverged"


def test_a_run_down_a_loss_without_a_bottom_is_diverged():
    class Concave:
        def value(self, w):
            return -0.5 * w**2

        def gradient(self, w):
            return -w

    short = gradient_descent(Concave(), 1.0, 0.5, 20)  # w = 1.5^20, the loss about -5.5e6
    assert short.status == "diverged" and short.n_steps == 20
    long = gradient_descent(Concave(), 1.0, 0.5, 700)
    assert long.status == "diverged" and abs(long.final_loss) > 1e12


def _double_wells():
    for tilt in (0.3, 0.5, 1.0):
        for lr in np.linspace(0.05, 0.6, 12):
            for w0 in np.linspace(-1.6, 1.6, 9):
                yield TiltedDoubleWell(tilt), float(w0), float(lr)


def test_no_stretch_of_a_bounded_double_well_run_is_a_growing_swing():
    # Every step count from 3 to 150 of the 212 (of 324) runs that stay within |w| < 2 for 1500
    # steps: their steps lengthen now and then, irregularly, never with ratios that keep rising.
    bounded = 0
    for loss, w0, lr in _double_wells():
        run = gradient_descent(loss, w0, lr, 1500, tol=0)
        if run.status == "diverged" or np.max(np.abs(run.weights)) > 2:
            continue
        bounded += 1
        for n in range(3, min(150, run.n_steps) + 1):
            assert swing(run.weights[: n + 1], run.losses[: n + 1]) != "growing", (w0, lr, n)
    assert bounded >= 200


@pytest.mark.parametrize(
    ("loss", "w0", "lr", "steps"),
    [
        (SharpFlatWells(), -1.3, 0.021, range(75, 100)),
        (TiltedDoubleWell(0.5), 0.4, 0.32, range(150, 170)),
        (TiltedDoubleWell(0.5), 0.0, 0.22, range(110, 120)),
    ],
)
def test_a_swing_settling_onto_a_two_point_cycle_is_not_diverged(loss, w0, lr, steps):
    # Its steps lengthen by a few parts in a billion a step, by ratios that fall: it nears a
    # bounded cycle from inside (the sharp well's walls, or the double well's), then bounces.
    for n in steps:
        assert gradient_descent(loss, w0, lr, n).status != "diverged", n
    assert gradient_descent(loss, w0, lr, 400).status == "bouncing"


def test_runs_whose_growth_is_not_geometric_are_diverged_once_it_lasts():
    from gdcourse import cosine_decay, exponential_decay

    for schedule in (exponential_decay(1.1, 0.9995), cosine_decay(1.1, 2000)):
        run = gradient_descent(Quadratic1D(a=2), 1.0, schedule, 30)
        assert run.status == "diverged" and run.final_loss < 1e6 * run.losses[0]

    class Lasso:  # w^2 + |w|: the |w| term makes the ratios fall towards |multiplier|
        def value(self, w):
            return w * w + abs(w)

        def gradient(self, w):
            return 2 * w + np.sign(w)

    assert gradient_descent(Lasso(), 1.0, 1.05, 40).status == "diverged"


def test_a_mini_batch_run_far_above_its_start_is_diverged():
    from gdcourse import LinearRegression, make_regression, minibatch_sgd

    X, y, _ = make_regression(40, 3, noise=0.1, seed=0)
    run = minibatch_sgd(LinearRegression(X, y), np.zeros(3), 0.80433, 5, 60, seed=0)
    # Its loss jumps up and down from epoch to epoch, never rising ten epochs in a row.
    assert run.status == "diverged" and run.losses[-1] > 1e6 * run.losses[0]


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
