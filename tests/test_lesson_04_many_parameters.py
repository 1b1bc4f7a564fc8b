"""Lesson 04 (gradient magnitude and many parameters): its runs with the core's update rules, the
numbers of its prose, its checks and their targeted hints, and its figures; the practice module's
references."""

import math

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdcourse import (
    STATUS_PHRASES,
    CourseTypeError,
    CourseValueError,
    Quadratic1D,
    QuadraticBowl,
    ____,
    best_fixed_lr,
    clipped,
    condition_number,
    contraction_factor,
    gradient_descent,
    hessian_eigenvalues,
    max_stable_lr,
    multipliers,
    normalised,
    standardise,
    step_lengths,
    steps_to_relative_tolerance,
    zigzag_direction,
)
from gdcourse.lessons import many_parameters as lesson
from gdcourse.lessons import many_parameters_practice as ex
from gdcourse.plots.conditioning import (
    saddle_plateau_figure,
    scaling_figure,
    step_length_figure,
    zigzag_figure,
)

SEED = lesson.SEED_LOSS


@pytest.fixture(autouse=True)
def _progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "p.jsonl"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- the runs: normalised and clipped descent are update rules of the one runner ---------------
@given(c=st.floats(-5, 5), w0=st.floats(-20, 20), lr=st.floats(0.01, 1.0))
def test_normalised_steps_all_have_length_eta_and_end_within_eta_of_the_minimum(c, w0, lr):
    loss = Quadratic1D(a=2, c=c)
    steps = int(abs(w0 - c) / lr) + 10
    run = gradient_descent(loss, w0, lr=lr, steps=steps, update=normalised())
    assert np.allclose(step_lengths(run), lr)
    assert abs(run.weights[-1] - c) <= lr + 1e-9


def test_normalised_descent_in_2d_keeps_unit_steps_and_never_settles():
    bowl = QuadraticBowl([1.0, 10.0], rotation=0.5)
    run = gradient_descent(bowl, (2.0, -1.0), lr=0.1, steps=200, update=normalised())
    assert np.allclose(step_lengths(run), 0.1)
    # It ends hopping between two points, steps of the same length: the core calls it bouncing,
    # and says so with the phrase every explorer uses.
    assert run.status == "bouncing"
    assert run.phrase == STATUS_PHRASES["bouncing"] == "bounces between two points forever"
    assert np.linalg.norm(run.weights[-1]) < 0.2


def test_the_lessons_normalised_run_hops_around_the_minimum_and_says_so():
    run = gradient_descent(SEED, 7.0, lr=0.3, steps=30, update=normalised())
    assert np.allclose(run.weights[-4:], [3.1, 2.8, 3.1, 2.8])
    assert run.status == "bouncing" and "forever" in run.phrase
    capped = gradient_descent(SEED, 7.0, lr=0.3, steps=30, update=clipped(2.0))
    assert np.allclose(capped.weights[:7], [7, 6.4, 5.8, 5.2, 4.6, 4.0, 3.4])
    assert capped.status == "max_steps" and capped.phrase == "has not converged"


@given(w0=st.floats(-30, 30), clip=st.floats(0.1, 5.0))
def test_clipping_caps_long_steps_and_leaves_short_ones_alone(w0, clip):
    loss = Quadratic1D(a=2, c=3)
    run = gradient_descent(loss, w0, lr=0.3, steps=40, update=clipped(clip))
    g = np.abs(loss.gradient(run.weights[:-1]))
    lengths = step_lengths(run)
    assert np.all(lengths <= 0.3 * clip + 1e-9)
    assert np.allclose(lengths[g <= clip], 0.3 * g[g <= clip])


def test_runners_validate_their_arguments():
    with pytest.raises(CourseValueError, match="lr"):
        gradient_descent(SEED, 7.0, lr=-1, steps=3, update=normalised())
    with pytest.raises(CourseValueError, match="clip"):
        clipped(0)
    with pytest.raises(CourseTypeError, match="steps"):
        gradient_descent(SEED, 7.0, lr=0.1, steps=2.5, update=normalised())


def test_standardise_gives_mean_zero_std_one_and_refuses_constant_columns():
    X = np.random.default_rng(0).normal(3, 5, size=(50, 4))
    Z = standardise(X)
    assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z.std(axis=0), 1)
    with pytest.raises(CourseValueError, match="constant"):
        standardise(np.ones((3, 2)))


# -- the prose's numbers ---------------------------------------------------------------------
def test_per_direction_multipliers_and_bounds_of_the_kappa_10_bowl():
    assert multipliers([1, 10], 0.15).round(12).tolist() == [0.85, -0.5]
    assert max_stable_lr([1, 10]) == 0.2
    assert math.isclose(best_fixed_lr([1, 10]), 2 / 11)
    assert math.isclose(contraction_factor([1, 10]), 9 / 11)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 50.0])
def test_a_run_at_the_best_rate_shrinks_the_distance_by_the_contraction_factor(kappa):
    bowl = QuadraticBowl([1.0, kappa], rotation=0.3)
    run = gradient_descent(bowl, (1.0, 1.0), lr=best_fixed_lr(bowl.eigenvalues), steps=20, tol=0)
    d = np.linalg.norm(run.weights, axis=1)
    assert np.allclose(d[1:] / d[:-1], (kappa - 1) / (kappa + 1))
    assert np.allclose(run.losses[1:] / run.losses[:-1], ((kappa - 1) / (kappa + 1)) ** 2)


def test_each_step_multiplies_the_distance_by_at_most_the_largest_multiplier():
    # Section 4: "at most", not "at least": a direction with a smaller |1 - eta lambda| shrinks
    # faster, so the distance's factor is below the largest until the slowest direction is all
    # that is left.
    lam, rate = (1.0, 5.0, 10.0), 0.1
    largest = float(np.max(np.abs(multipliers(lam, rate))))  # 0.9, the flat direction's
    run = gradient_descent(QuadraticBowl(lam), (1.0, 1.0, 1.0), lr=rate, steps=30, tol=0)
    d = np.linalg.norm(run.weights, axis=1)
    assert np.all(d[1:] / d[:-1] <= largest + 1e-12)
    assert d[1] / d[0] < largest - 0.1  # well below it at the first step
    assert np.all(run.losses[1:] / run.losses[:-1] <= largest**2 + 1e-12)


def test_lowering_the_rate_matters_without_noise_only_past_the_stability_limit():
    # Section 1's remark, as lesson 06 shows it on the same (w - 3)^2 (2/a = 1): a constant 1.5
    # diverges with exact gradients, halving it to 0.75 after 5 steps rescues the run, and a
    # stable constant rate converges with no lowering.
    from gdcourse import step_decay

    assert max_stable_lr(SEED.a) == 1.0
    assert gradient_descent(SEED, 7.0, lr=1.5, steps=100).status == "diverged"
    rescued = gradient_descent(SEED, 7.0, lr=step_decay(1.5, factor=0.5, every=5), steps=100)
    assert rescued.losses[5] > rescued.losses[0] and rescued.losses[-1] < 1e-8
    assert gradient_descent(SEED, 7.0, lr=0.3, steps=100).status == "converged"


def test_feature_scaling_numbers():
    raw, std = lesson.scaled_regression()
    assert round(condition_number(raw), 1) == 120.3
    assert round(condition_number(std), 1) == 1.4
    n_raw = steps_to_relative_tolerance(raw, best_fixed_lr(hessian_eigenvalues(raw)))
    n_std = steps_to_relative_tolerance(std, best_fixed_lr(hessian_eigenvalues(std)))
    assert (n_raw, n_std) == (831, 8)
    assert steps_to_relative_tolerance(raw, 1.0, max_steps=100) is None  # diverges


def test_zigzag_directions():
    lam = lesson.ZIGZAG_BOWL.eigenvalues
    assert [zigzag_direction(lam, r) for r in lesson.ZIGZAG_RATES] == [
        "neither",
        "neither",
        "steep",
        "steep",
    ]
    assert zigzag_direction(lam, 1.5) == "both"
    assert all(r < max_stable_lr(lam) for r in lesson.ZIGZAG_RATES)


def _fused(eigenvalues, lr):
    """The multipliers 1 - lr * lambda as a CPU that fuses the multiply and the add rounds them:
    once, from the exact product (1 - 0.05 * 20 is then -5.6e-17, not 0)."""
    from fractions import Fraction

    return np.array([float(1 - Fraction(lr) * Fraction(float(lam))) for lam in eigenvalues])


def test_q3_at_the_rate_1_over_lambda_max_is_not_decided_by_rounding(monkeypatch):
    # 0.05 * 20 rounds to exactly 1.0, so 1 - 0.05 * 20 is 0 here; a fused multiply-add gives
    # -5.6e-17, and a rate one bit either side of 0.05 gives +-2e-16. Either way the steep
    # direction lands in one step (its error is noise after it), and q3's answer is "neither".
    import gdcourse.core.quadratic as quadratic

    lam = lesson.ZIGZAG_BOWL.eigenvalues
    assert 0.05 in lesson.ZIGZAG_RATES and math.isclose(0.05 * max(lam), 1.0)
    for rate in (math.nextafter(0.05, 0.0), 0.05, math.nextafter(0.05, 1.0)):
        assert zigzag_direction(lam, rate) == "neither"
    assert zigzag_direction(lam, 0.0500001) == "steep"  # past 1/20 by more than rounding
    assert _fused(lam, 0.05)[1] < 0  # what the fused CPU computes
    monkeypatch.setattr(quadratic, "multipliers", _fused)
    assert lesson.q3.expected()[0.05] == "neither"
    assert lesson.q3.check(eval(lesson.q3.solution_code.split("=", 1)[1])).outcome == "correct"
    v = lesson.q3.check({0.03: "neither", 0.05: "steep", 0.07: "steep", 0.095: "steep"})
    assert v.outcome == "incorrect" and "1 - rate * 20" in v.message
    # and the run: after one step the steep error is rounding noise, whatever its sign
    run = gradient_descent(lesson.ZIGZAG_BOWL, w0=(-2.5, 1.0), lr=0.05, steps=6, tol=0)
    steep = (run.weights @ lesson.ZIGZAG_BOWL.rotation)[:, 1]
    assert abs(steep[0]) > 1 and np.all(np.abs(steep[1:]) < 1e-15)


# -- the checks --------------------------------------------------------------------------------
def _outcome(q, answer):
    return q.check(answer).outcome


@pytest.mark.parametrize("q", [lesson.q1, lesson.q2, lesson.q3])
def test_lesson_solutions_are_right_and_blanks_not_attempted(q):
    ns = {"np": np, "math": math}
    exec(q.solution_code, ns)
    assert _outcome(q, ns[q.answer_var]) == "correct"
    assert _outcome(q, ____) == "not_attempted"


@pytest.mark.parametrize(
    ("answer", "name"),
    [(1.0 / 8, "1/lambda_max"), (2 / 0.5, "smallest curvature"), (2 / 10.5, "sum of curvatures")],
)
def test_q1_recognises_misconceptions(answer, name):
    v = lesson.q1.check(answer)
    m = next(m for m in lesson.q1.misconceptions if m.name == name)
    assert v.outcome == "incorrect" and m.message in v.message


def test_q2_recognises_the_loss_factor_and_messages_never_reveal_the_answer():
    v = lesson.q2.check([0.2, 0.64])
    assert v.outcome == "incorrect" and "square" in v.message
    for m in lesson.q2.misconceptions:
        assert "0.2" not in m.message and "0.8" not in m.message


def test_q3_confusion_hint():
    v = lesson.q3.check({0.03: "neither", 0.05: "neither", 0.07: "shallow", 0.095: "steep"})
    assert v.outcome == "incorrect"


def test_practice_references():
    assert np.allclose(ex.q1.expected(), [0.7, 0.25, -0.5])
    assert np.allclose(np.linalg.eigvalsh(ex.MATRIX), [1.0, 6.0])
    np.testing.assert_allclose(ex.BOWL.matrix, ex.MATRIX, rtol=0, atol=1e-12)  # the same bowl
    assert math.isclose(ex.q2.expected(), 1 / 3)
    assert np.allclose(ex.q3.expected(), [2 / 7, 5 / 7])
    before, after = ex.q5.expected()
    assert before > 10_000 and after < 1.1


@pytest.mark.parametrize(
    "wrong",
    [
        lambda X: X / X.std(axis=0),
        lambda X: X - X.mean(axis=0),
        lambda X: (X - X.mean(axis=0)) / X.std(axis=0, ddof=1),
        lambda X: (X - X.mean()) / X.std(),
    ],
)
def test_practice_normalise_recognises_each_mistake(wrong):
    v = ex.q4.check(wrong)
    assert v.outcome == "incorrect"
    assert any(m.message in v.message for m in ex.q4.misconceptions)


def test_practice_kappa_misconception_cond_of_x():
    X, _ = ex.scaled_data()
    v = ex.q5.check([np.linalg.cond(X), np.linalg.cond(standardise(X))])
    assert v.outcome == "incorrect" and "square" in v.message


# -- figures -----------------------------------------------------------------------------------
def test_figures_draw_and_state_their_findings():
    plain = gradient_descent(lesson.SEED_LOSS, 7.0, lr=0.3, steps=30, tol=0)
    norm = gradient_descent(lesson.SEED_LOSS, 7.0, lr=0.3, steps=30, update=normalised())
    assert step_length_figure({"plain": plain, "normalised": norm}, lr=0.3) is None
    assert "never do" in plt.gca().get_title()
    saddle = gradient_descent(lesson.SADDLE, lesson.SADDLE_W0, lr=0.1, steps=100)
    saddle_plateau_figure(saddle, threshold=0.01)
    assert "saddle" in plt.gcf()._suptitle.get_text()
    zigzag_figure(lesson.ZIGZAG_BOWL, (-2.5, 1.0), lr=2 / 21, steps=25)
    assert "valley" in plt.gcf()._suptitle.get_text()
    _raw, std = lesson.scaled_regression()
    run = gradient_descent(std, np.zeros(3), lr=0.5, steps=8, tol=0)
    scaling_figure({"standardised": (run, std.minimizer)})
    assert plt.gca().get_yscale() == "log"
