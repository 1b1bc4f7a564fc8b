"""Lesson 09 (momentum and adaptive rates): every claim of its prose shown by a simulation, its
checks with their targeted hints, its cards, and its figures."""

import math

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import (
    Quadratic1D,
    QuadraticBowl,
    ____,
    adam,
    best_momentum,
    distances_to,
    first_step_within,
    gradient_descent,
    heavy_ball_limit,
    max_stable_lr,
    momentum,
    momentum_matrix,
    momentum_radius,
    nesterov,
    nesterov_limit,
    noisy_runs,
    path_difference,
    rmsprop,
    settled_loss,
    steps_to_relative_tolerance,
)
from gdcourse.checks import Card
from gdcourse.lessons import momentum as lesson
from gdcourse.plots.momentum import (
    distance_figure,
    limit_runs_figure,
    paths_figure,
    stability_region_figure,
)

TUNING = best_momentum(lesson.BOWL_EIGENVALUES)
PLAIN_LR = 2 / 101


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _steps(start, mu=None, lr=None):
    bowl = lesson.bowl_started(start)
    if lr is not None:
        return steps_to_relative_tolerance(bowl, lr, 1e-6)
    return steps_to_relative_tolerance(
        bowl, TUNING.lr, 1e-6, update=momentum(TUNING.mu if mu is None else mu)
    )


# -- section 1: heavy ball's limit -----------------------------------------------------------------
@pytest.mark.parametrize("mu", [0.0, 0.2, 0.5, 0.8, 0.9, 0.95])
def test_heavy_ball_is_stable_exactly_below_2_times_1_plus_mu(mu):
    limit = heavy_ball_limit(mu)
    assert math.isclose(limit, 2 * (1 + mu))
    for h in (0.05, 0.5 * limit, 0.98 * limit):
        assert max(abs(np.linalg.eigvals(momentum_matrix(h, mu)))) < 1
    assert max(abs(np.linalg.eigvals(momentum_matrix(1.02 * limit, mu)))) > 1


def test_runs_either_side_of_the_limit_converge_and_diverge_past_plain_descents_2():
    half = Quadratic1D(a=1.0, c=0.0)
    inside, outside = (
        gradient_descent(half, 1.0, lr=f * 3.0, steps=200, tol=None, update=momentum(0.5))
        for f in (0.97, 1.03)
    )
    assert inside.status == "converged" and outside.status == "diverged"
    # both rates are past plain descent's limit 2: plain descent diverges at both
    for f in (0.97, 1.03):
        assert gradient_descent(half, 1.0, lr=f * 3.0, steps=200).status == "diverged"
    eig = np.linalg.eigvals(momentum_matrix(3.1, mu=0.5))
    assert np.allclose(sorted(eig.real), [-1.1742, -0.4258], atol=1e-4)


def test_q1_the_largest_rate_is_0_36_and_the_misconceptions_are_named():
    assert math.isclose(lesson.q1.expected(), 0.36)
    assert lesson.q1.check(0.36).outcome == "correct"
    for wrong, phrase in [
        (0.2, "plain descent's limit"),
        (3.6, "lr * lambda"),
        (0.04, "does not narrow it"),
        (nesterov_limit(0.8) / 10, "look-ahead"),
    ]:
        v = lesson.q1.check(wrong)
        assert v.outcome == "incorrect" and phrase in v.message, (wrong, v.message)
        assert "0.36" not in v.message


# -- section 2: the best tuning at kappa = 100 -----------------------------------------------------
def test_best_tuning_factor_0_818_against_0_980_and_the_formulas_69_against_691():
    assert (f"{TUNING.radius:.3f}", f"{TUNING.plain_radius:.3f}") == ("0.818", "0.980")
    assert math.isclose(TUNING.lr, 4 / (10 + 1) ** 2)
    assert math.isclose(TUNING.mu, (9 / 11) ** 2)
    assert TUNING.steps_to_shrink(1e6) == (69, 691)


def test_simulated_steps_83_95_93_against_plain_descents_691():
    assert {s: _steps(s) for s in lesson.STARTS} == {"along m": 83, "along L": 95, "both": 93}
    assert all(_steps(s, lr=PLAIN_LR) == 691 for s in lesson.STARTS)
    assert 691 / 93 > 7 and round(691 / 69) == 10  # "seven times faster instead of ten"


def test_from_a_stiff_start_the_error_first_grows_to_about_3_7_times():
    bowl = lesson.bowl_started("along L")
    run = gradient_descent(
        bowl, [0.0, 0.0], lr=TUNING.lr, steps=150, tol=None, update=momentum(TUNING.mu)
    )
    d = distances_to(run.weights, bowl.minimizer)
    assert f"{d.max() / d[0]:.1f}" == "3.7"
    assert d[1] > d[0] and int(np.argmax(d)) < 20
    # the double root: k r^k, so the error over r^k grows about linearly at first
    k = np.arange(40, 80)
    ratio = d[k] / TUNING.radius**k
    assert np.all(np.diff(ratio) > 0)


def test_the_valley_of_lesson_04_heavy_ball_ends_0_001_away_plain_descent_0_22():
    valley = QuadraticBowl([1.0, 20.0], rotation=np.pi / 6)
    t = best_momentum(valley.eigenvalues)
    ends = [
        float(distances_to(run.weights[-1:], [0, 0])[0])
        for run in (
            gradient_descent(valley, [-2.5, 1.0], lr=2 / 21, steps=25, tol=None),
            gradient_descent(
                valley, [-2.5, 1.0], lr=t.lr, steps=25, tol=None, update=momentum(t.mu)
            ),
        )
    ]
    assert [f"{e:.2g}" for e in ends] == ["0.22", "0.001"]


def test_q2_is_the_simulation_not_the_formula():
    assert lesson.q2.expected().tolist() == [93, 691]
    assert lesson.q2.check([93, 691]).outcome == "correct"
    v = lesson.q2.check([69, 691])
    assert v.outcome == "incorrect" and "asymptotic" in v.message and "93" not in v.message


# -- section 3: too much momentum -----------------------------------------------------------------
@pytest.mark.parametrize(("mu", "steps"), [(0.9, 255), (0.99, 2436)])
def test_too_much_momentum_spirals_at_sqrt_mu_and_is_slower(mu, steps):
    assert math.isclose(momentum_radius(lesson.BOWL_EIGENVALUES, TUNING.lr, mu), math.sqrt(mu))
    for lam in lesson.BOWL_EIGENVALUES:  # complex pairs on both ends: a spiral
        eig = np.linalg.eigvals(momentum_matrix(TUNING.lr * lam, mu))
        assert np.all(np.abs(eig.imag) > 0) and np.allclose(np.abs(eig), math.sqrt(mu))
    assert _steps("both", mu) == steps > _steps("both")


# -- section 4: Nesterov ---------------------------------------------------------------------------
def test_nesterovs_range_shrinks_as_mu_grows_while_heavy_balls_widens():
    mus = np.linspace(0.0, 0.99, 12)
    nag = [nesterov_limit(m) for m in mus]
    hb = [heavy_ball_limit(m) for m in mus]
    assert all(np.diff(nag) < 0) and all(np.diff(hb) > 0) and min(nag) > 4 / 3
    assert f"{nesterov_limit(0.9):.2f}" == "1.36"
    for mu in (0.3, 0.9):
        limit = nesterov_limit(mu)
        assert momentum_radius(1.0, 0.99 * limit, mu, "nesterov") < 1
        assert momentum_radius(1.0, 1.01 * limit, mu, "nesterov") > 1


def test_at_eta_a_1_5_and_mu_0_9_heavy_ball_converges_and_nesterov_diverges():
    half = Quadratic1D(a=1.0, c=0.0)
    hb = gradient_descent(half, 1.0, lr=1.5, steps=600, tol=None, update=momentum(0.9))
    nag = gradient_descent(half, 1.0, lr=1.5, steps=600, tol=None, update=nesterov(0.9))
    assert hb.status == "converged" and nag.status == "diverged"
    # inside its range Nesterov damps the stiff directions more: at h = 1 the factor is 0
    assert momentum_radius(1.0, 1.0, 0.9, "nesterov") == 0.0
    assert momentum_radius(1.0, 0.5, 0.9, "nesterov") < momentum_radius(1.0, 0.5, 0.9)


# -- section 5: Adam -------------------------------------------------------------------------------
def test_adams_path_is_unchanged_by_scaling_the_loss_and_plain_descents_limit_moves():
    base = lesson.scaled_bowl(1.0)
    for factor in lesson.SCALES:
        moved = path_difference(
            base, lesson.scaled_bowl(factor), lesson.ADAM_W0, 0.01, 200, update=adam()
        )
        assert moved < lesson.PATH_TOL
        assert math.isclose(max_stable_lr(lesson.scaled_bowl(factor).eigenvalues), 0.02 / factor)
        assert path_difference(base, lesson.scaled_bowl(factor), lesson.ADAM_W0, 0.01, 200) > 0.1


def test_eps_starts_to_matter_when_the_gradients_come_near_it():
    base = lesson.scaled_bowl(1.0)
    moved = [
        path_difference(base, lesson.scaled_bowl(f), lesson.ADAM_W0, 0.01, 200, update=adam())
        for f in lesson.EPS_SCALES
    ]
    assert [f"{m:.2g}" for m in moved] == ["0.0064", "0.36"]
    # with eps far below every gradient, even a loss times 1e-6 keeps the path
    small = adam(eps=1e-20)
    assert (
        path_difference(base, lesson.scaled_bowl(1e-6), lesson.ADAM_W0, 0.01, 200, update=small)
        < 1e-8
    )


def test_adams_first_step_is_eta_per_coordinate_and_rmsprops_3_16_times():
    for factor in (1e-3, 1.0, 1e3):
        run = gradient_descent(
            lesson.scaled_bowl(factor), lesson.ADAM_W0, lr=0.01, steps=1, tol=None, update=adam()
        )
        assert np.allclose(np.abs(run.weights[1] - run.weights[0]), 0.01)
    once = gradient_descent(
        lesson.scaled_bowl(1.0), lesson.ADAM_W0, lr=0.01, steps=1, tol=None, update=rmsprop()
    )
    assert f"{abs(once.weights[1][0] - 1) / 0.01:.2f}" == "3.16"


def test_a_rate_of_1e_3_diverges_for_plain_descent_on_the_loss_times_1000_not_for_adam():
    big = lesson.scaled_bowl(1000.0)
    assert gradient_descent(big, lesson.ADAM_W0, lr=1e-3, steps=200).status == "diverged"
    assert gradient_descent(big, lesson.ADAM_W0, lr=1e-3, steps=200, update=adam()).status != (
        "diverged"
    )


def test_q3_adam_none_plain_descent_both():
    assert lesson.q3.expected() == {"Adam": "none", "plain descent": "both"}
    assert lesson.q3.check({"Adam": "none", "plain descent": "both"}).outcome == "correct"
    v = lesson.q3.check({"Adam": "both", "plain descent": "both"})
    assert v.outcome == "incorrect" and "ten times larger" in v.message
    v = lesson.q3.check({"Adam": "none", "plain descent": "none"})
    assert "Multiply the loss by 10" in v.message


# -- section 6: where the normalisation costs ------------------------------------------------------
def test_far_off_on_a_well_conditioned_bowl_adam_takes_269_steps_plain_descent_10():
    far = QuadraticBowl(lesson.FAR_EIGENVALUES)
    adam_run = gradient_descent(far, lesson.FAR_W0, lr=0.1, steps=5000, tol=None, update=adam())
    plain_run = gradient_descent(far, lesson.FAR_W0, lr=0.5, steps=100, tol=None)
    assert first_step_within(adam_run.weights, [0, 0], 0.01) == 269
    assert first_step_within(plain_run.weights, [0, 0], 0.01) == 10
    assert 269 > np.linalg.norm(lesson.FAR_W0) / 0.1  # at least distance / eta


def test_adams_noise_floor_falls_with_its_rate():
    noisy = Quadratic1D(a=2.0, c=0.0)
    floors = [
        settled_loss(
            noisy_runs(noisy, 1.0, lr=lr, steps=2000, noise=1.0, seeds=range(200), update=rule),
            last=500,
        )
        for rule, lr in ((adam(), 0.1), (adam(), 0.01), (None, 0.1))
    ]
    assert [f"{f:.2g}" for f in floors] == ["0.025", "0.0025", "0.028"]


# -- the checks and the cards ----------------------------------------------------------------------
def test_every_solution_code_is_right_and_blanks_are_not_attempted():
    env = {
        "math": math,
        "np": np,
        "lesson": lesson,
        "best_momentum": best_momentum,
        "momentum": momentum,
        "steps_to_relative_tolerance": steps_to_relative_tolerance,
    }
    for q in (lesson.q1, lesson.q2, lesson.q3):
        exec(q.solution_code, env)
        assert q.check(env[q.answer_var]).outcome == "correct", q.name
        assert q.check(____).outcome == "not_attempted"
        assert q.lesson == "momentum" and len(q.hints) >= 2 and q.explanation


def test_the_cards_state_the_lessons_computed_numbers():
    assert len(lesson.CARDS) == 5 and all(isinstance(c, Card) for c in lesson.CARDS)
    text = " ".join(c.answer for c in lesson.CARDS)
    for number in ("3.8", "0.818", "0.980", "69", "691", "93", "0.995", "1.36"):
        assert number in text, number
    assert all(c.topic.startswith("09 ") for c in lesson.CARDS)


# -- the figures -----------------------------------------------------------------------------------
def test_figures_draw_and_state_their_findings():
    stability_region_figure()
    ax = plt.gcf().axes[0]
    assert "widens the stable range" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("heavy ball" in t for t in labels) and any("Nesterov" in t for t in labels)
    plt.close("all")
    limit_runs_figure(mu=0.5, a=1.0, w0=1.0, factors=(0.97, 1.03), steps=200)
    ax = plt.gcf().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "converges" in labels[0] and "diverges" in labels[1] and ax.get_yscale() == "log"
    plt.close("all")
    valley = QuadraticBowl([1.0, 20.0], rotation=np.pi / 6)
    runs = {
        "plain": gradient_descent(valley, [-2.5, 1.0], lr=2 / 21, steps=25, tol=None),
        "heavy ball": gradient_descent(
            valley, [-2.5, 1.0], lr=0.2, steps=25, tol=None, update=momentum(0.4)
        ),
    }
    paths_figure(valley, (-2.5, 1.0), runs)
    assert "ends far closer" in plt.gcf()._suptitle.get_text()
    assert "from the minimum after 25 steps" in plt.gcf().axes[0].get_title()
    plt.close("all")
    distance_figure(runs, [0, 0], "a finding")
    assert plt.gcf().axes[0].get_title() == "a finding"


def test_the_spiral_figure_shows_sqrt_mu_per_step():
    from gdcourse.plots.momentum import spiral_figure

    spiral_figure(a=1.0, lr=1.0, mus=(0.9, 0.99), w0=1.0, steps=60)
    ax = plt.gcf().axes[0]
    assert "spirals" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["\u03bc = 0.9: factor 0.949 a step", "\u03bc = 0.99: factor 0.995 a step"]
