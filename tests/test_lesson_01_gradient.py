"""Lesson 01, the gradient as a direction: its losses, helpers, pictures, questions, exercise
and the numbers its notebook, exercise and handout state."""

import inspect
import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdcourse import (
    CourseTypeError,
    QuadraticBowl,
    TiltedDoubleWell,
    ____,
    angle_between,
    central_difference,
    check_gradient,
    difference_errors,
    forward_difference,
    numerical_gradient,
    sign_label,
)
from gdcourse.checks import gradient_table
from gdcourse.lessons import gradient as lesson
from gdcourse.lessons import gradient_practice as ex
from gdcourse.plots.gradient import (
    arrows_picture,
    difference_error_picture,
    partial_sign_picture,
    polynomial_text,
    reading_levels,
    slope_picture_1d,
    slopes_picture,
)
from gdcourse.widgets.gradient_direction import default_bowl

matplotlib.use("agg")


@pytest.fixture(autouse=True)
def progress_log(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "progress.jsonl"))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _no_reference_in(message, values):
    for v in np.ravel(values):
        assert f"{v:g}" not in message.replace("(1, 3)", "").replace("(2, -1)", ""), message


# -- the numbers of the prose ----------------------------------------------------------------
def test_seed_w_minus_3_squared_has_gradient_8_at_7_pointing_right():
    assert lesson.SEED.value(7.0) == 16.0
    assert lesson.SEED.gradient(7.0) == 8.0
    assert lesson.SEED.minimizer == 3.0 < 7.0  # uphill is right, descent moves left
    assert lesson.SEED.gradient(0.0) == -6.0


def test_the_bowl_is_1_5x2_minus_2xy_plus_1_5y2_with_gradient_minus_1_4_at_1_2():
    assert np.allclose(lesson.BOWL.matrix, [[3, -2], [-2, 3]])
    assert np.allclose(lesson.BOWL.matrix, default_bowl().matrix)  # the explorer's default
    assert polynomial_text(lesson.BOWL) == "1.5x\u00b2 \u2212 2xy + 1.5y\u00b2"
    assert np.allclose(lesson.BOWL.gradient(lesson.BOWL_POINT), [-1, 4])
    assert lesson.BOWL.value(lesson.BOWL_POINT) == pytest.approx(3.5)


def test_steepest_slope_is_root_17_at_104_degrees_and_1_13_along_30():
    g = lesson.BOWL.gradient(lesson.BOWL_POINT)
    assert np.linalg.norm(g) == pytest.approx(math.sqrt(17))
    star = math.degrees(math.atan2(g[1], g[0]))
    assert star == pytest.approx(104.04, abs=0.01)
    u = np.array([math.cos(math.radians(30)), math.sin(math.radians(30))])
    assert g @ u == pytest.approx(1.134, abs=5e-4)
    assert g @ u == pytest.approx(math.sqrt(17) * math.cos(math.radians(star - 30)))


def test_descent_misses_the_minimum_by_41_degrees_except_on_the_bowls_axes():
    p = np.array(lesson.BOWL_POINT)
    assert angle_between(-lesson.BOWL.gradient(p), -p) == pytest.approx(40.6, abs=0.05)
    for q in ([1.0, 1.0], [1.0, -1.0], [-2.5, 2.5]):
        assert angle_between(-lesson.BOWL.gradient(q), -np.array(q)) < 1e-9


def test_sign_point_is_right_of_the_minimum_yet_dl_dx_is_negative():
    gx, gy = lesson.BOWL.gradient(lesson.SIGN_POINT)
    assert lesson.SIGN_POINT[0] > 0 and gx == pytest.approx(-3) and gy == pytest.approx(7)
    assert lesson.q3.expected() == {"dL/dx": "negative", "dL/dy": "positive"}


def test_central_difference_error_is_h_squared_for_w_cubed_and_shrinks_100x_per_decade():
    e = difference_errors(lambda w: w**3, lambda w: 3 * w**2, 1.0, [1e-1, 1e-2, 1e-3, 1e-4])
    np.testing.assert_allclose(e.central, e.hs**2, rtol=1e-3)
    np.testing.assert_allclose(e.forward, 3 * e.hs + e.hs**2, rtol=1e-3)
    central, forward = e.shrink()
    np.testing.assert_allclose(central, 100, rtol=0.01)
    np.testing.assert_allclose(forward, 10, rtol=0.05)


def _cube(w):
    """w^3 as cell gradient-39 computes it: two IEEE multiplications, no maths library."""
    return w * w * w


def test_rounding_makes_a_tiny_step_a_million_times_worse():
    tiny, small, usual = (abs(central_difference(_cube, 1.0, h) - 3) for h in (1e-12, 1e-8, 1e-5))
    assert small > usual  # rounding already wins at 1e-8
    assert f"{tiny:.1e}" == "1.0e-04"  # the notebook's "1.0 x 10^{-4}"
    assert round(math.log10(tiny / usual)) == 6  # "a million times worse"
    assert inspect.signature(numerical_gradient).parameters["h"].default == 1e-5


def _central_with_cubes_off_by(h, up_ulps, down_ulps):
    """The central difference of w^3 at 1 whose two cubes are the correctly rounded ones moved
    by a number of units in the last place (a maths library's pow may be off by one), with
    1 + h and 1 - h rounded as IEEE 754 rounds them on every machine."""
    from fractions import Fraction

    def cube(x, ulps):
        value = float(Fraction(x) ** 3)  # correctly rounded
        for _ in range(abs(ulps)):
            value = float(np.nextafter(value, math.copysign(math.inf, ulps)))
        return value

    return (cube(1.0 + h, up_ulps) - cube(1.0 - h, down_ulps)) / (2 * h)


OFF_BY = [(up, down) for up in (-1, 0, 1) for down in (-1, 0, 1)]


def test_the_tiny_step_text_holds_for_any_cube_rounded_within_one_unit_in_the_last_place():
    # Cell gradient-40: rounding wins at 1e-8 and, at 1e-12, allows "up to a few times 1e-4",
    # whichever way a maths library rounds the cubes (correctly, or one unit off).
    errors = {
        h: [abs(_central_with_cubes_off_by(h, up, down) - 3) for up, down in OFF_BY]
        for h in (1e-12, 1e-8, 1e-5)
    }
    assert min(errors[1e-8]) > max(errors[1e-5])
    assert max(errors[1e-12]) < 5e-4
    # the notebook's w * w * w is the correctly rounded cube at both points, so its 1.0e-4 is
    # the (0, 0) case
    assert abs(_central_with_cubes_off_by(1e-12, 0, 0) - 3) == abs(
        central_difference(_cube, 1.0, 1e-12) - 3
    )


def test_with_pow_one_unit_in_the_last_place_moves_the_tiny_step_error_by_about_1e_4():
    # Why the notebook does not compute w**3: one unit in the last place of f(1 + h), which a
    # pow within 1 ulp may be off by, moves the result at h = 1e-12 by 1.1e-4, as much as the
    # whole error; the band of errors it allows is not "about 1e-4".
    exact = _central_with_cubes_off_by(1e-12, 0, 0)
    shift = abs(_central_with_cubes_off_by(1e-12, 1, 0) - exact)
    assert f"{shift:.1e}" == "1.1e-04"
    errors = [abs(_central_with_cubes_off_by(1e-12, up, down) - 3) for up, down in OFF_BY]
    assert min(errors) < 3e-5 and max(errors) > 2e-4  # the old band 3e-5 to 3e-4 fails


def test_at_the_tiny_h_the_whole_error_is_the_rounding_of_w_plus_and_minus_h():
    # Cell gradient-40: the rounded 1 + h and 1 - h are 3.3e-5 of 2h farther apart than 2h, and
    # that fraction of the slope 3 is the 1.0e-4; the cubes' own rounding adds nothing visible.
    from fractions import Fraction

    h = 1e-12
    up, down = Fraction(1.0 + h), Fraction(1.0 - h)
    width = (up - down) / (2 * Fraction(h)) - 1
    assert f"{float(width):.1e}" == "3.3e-05"
    error = central_difference(_cube, 1.0, h) - 3
    assert abs(error - 3 * float(width)) < 1e-3 * error
    for x in (up, down):
        assert abs(Fraction(float(x**3)) - x**3) < Fraction(1, 10**23)  # cubes nearly doubles


def test_central_difference_steps_exactly_h_whatever_w():
    f = lambda w: w**3  # noqa: E731
    for w, h in ((1.0, 0.1), (5.0, 0.1), (-3.0, 0.01)):
        expected = (f(w + h) - f(w - h)) / (2 * h)
        assert central_difference(f, w, h) == pytest.approx(expected, rel=1e-12)
    assert forward_difference(f, 1.0, 0.1) == pytest.approx(3.31)


# -- the losses ----------------------------------------------------------------------------
@pytest.mark.parametrize("loss", [lesson.POLY, lesson.GRAD_LOSS, ex.CUBIC, ex.PRODUCT])
@pytest.mark.parametrize("point", [(2.0, -1.0), (0.3, 1.7), (-1.5, 0.5), (1.0, 3.0)])
def test_each_two_variable_loss_has_the_gradient_its_formula_claims(loss, point):
    assert check_gradient(loss, point).passed


def test_two_variable_loss_works_on_stacks_and_refuses_a_wrong_shape():
    grid = np.stack(np.meshgrid(np.arange(3.0), np.arange(4.0)), axis=-1)
    assert lesson.POLY.value(grid).shape == (4, 3)
    assert lesson.POLY.gradient(grid).shape == (4, 3, 2)
    assert lesson.POLY.value([2.0, -1.0]) == -1.0
    with pytest.raises(ValueError, match="2 entries"):
        lesson.POLY.value([1.0, 2.0, 3.0])


def test_angle_between_is_accurate_for_nearly_parallel_vectors():
    assert angle_between([1, 0], [0, 3]) == 90.0
    assert angle_between([1, 0], [-2, 0]) == 180.0
    assert angle_between([1, 2], [2, 4]) < 1e-12


def test_sign_label():
    assert [sign_label(v) for v in (2.0, -0.1, 1e-12)] == ["positive", "negative", "zero"]


# -- the questions of the lesson --------------------------------------------------------------
def _grad(x, y):
    r = 2 * x + y - 5
    return (4 * r, 2 * r + 2 * y)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (lesson.q1, -6),
        (lesson.q2, (-4, -2)),
        (lesson.q3, {"dL/dx": "negative", "dL/dy": "positive"}),
        (lesson.q3, {"dL/dy": "Positive", "dL/dx": " negative"}),
        (lesson.q4, "perpendicular to the level set"),
        (lesson.q5, _grad),
    ],
)
def test_right_answers_are_correct(question, answer):
    assert question.check(answer).outcome == "correct"


@pytest.mark.parametrize("question", [lesson.q1, lesson.q2, lesson.q3, lesson.q4, lesson.q5])
def test_blanks_are_not_attempted(question):
    assert question.check(____).outcome == "not_attempted"


@pytest.mark.parametrize(
    ("question", "answer", "phrase"),
    [
        (lesson.q1, 6, "Check the sign"),
        (lesson.q1, 9, "height L(0)"),
        (lesson.q1, -3, "factor 2"),
        (lesson.q2, (-2, -4), "wrong order"),
        (lesson.q2, (4, 2), "Both signs are flipped"),
        (lesson.q2, (4, -2), "Holding y fixed makes it a constant factor"),
        (lesson.q2, (-4, -6), "constant factor, not zero"),
        (lesson.q2, -1, "height L(2, -1)"),
        (lesson.q3, {"dL/dx": "positive", "dL/dy": "positive"}, "right of the minimum"),
        (lesson.q3, {"dL/dx": "negative", "dL/dy": "negative"}, "Walk from P upwards"),
        (lesson.q3, {"dL/dx": "zero", "dL/dy": "positive"}, "just touches a contour"),
        (lesson.q4, "at the minimum", "misconception"),
        (lesson.q4, "along the level set", "slope there is 0"),
    ],
)
def test_misconceptions_get_a_targeted_message_without_the_answer(question, answer, phrase):
    v = question.check(answer)
    assert v.outcome == "incorrect"
    assert phrase in v.message
    if question in (lesson.q1, lesson.q2):
        _no_reference_in(v.message, question.expected())
    if question is lesson.q4:
        assert "perpendicular" not in v.message


@pytest.mark.parametrize(
    ("wrong", "phrase"),
    [
        (lambda x, y: (2 * (2 * x + y - 5), 2 * (2 * x + y - 5) + 2 * y), "chain-rule factor"),
        (lambda x, y: _grad(x, y)[::-1], "wrong order"),
        (lambda x, y: tuple(-v for v in _grad(x, y)), "minus the gradient"),
        (lambda x, y: (2 * x + y - 5) ** 2 + y**2, "returns the loss"),
    ],
)
def test_gradient_function_misconceptions(wrong, phrase):
    v = lesson.q5.check(wrong)
    assert v.outcome == "incorrect" and phrase in v.message


def test_q4_reference_is_measured_not_assumed():
    assert lesson.q4.expected() == "perpendicular to the level set"


def test_gradient_table_waits_for_the_blank_and_marks_each_point(capsys):
    gradient_table(____, lesson.GRAD_LOSS, [(0.0, 0.0)])
    assert "Fill in grad first" in capsys.readouterr().out
    gradient_table(_grad, lesson.GRAD_LOSS, [(0.0, 0.0), (1.0, 2.0)])
    out = capsys.readouterr().out
    assert out.count(" yes") == 2 and "NO" not in out
    gradient_table(lambda x, y: _grad(x, y)[::-1], lesson.GRAD_LOSS, [(1.0, 2.0)])
    assert "NO" in capsys.readouterr().out
    gradient_table(lambda x, y: 1 / 0, lesson.GRAD_LOSS, [(1.0, 2.0)])
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    with pytest.raises(CourseTypeError, match="loss must be a loss object"):
        gradient_table(_grad, "(2x + y - 5)^2 + y^2", [(1.0, 2.0)])


# -- the pictures ------------------------------------------------------------------------------
def test_slope_picture_states_uphill_and_descent_direction():
    slope_picture_1d(lesson.SEED, 7.0)
    ax = plt.gcf().axes[0]
    assert ax.get_title() == (
        "At w = 7 the slope is +8: uphill is to the right (larger w), so descent moves left"
    )
    assert ax.get_xlabel() == "weight w" and ax.get_ylabel() == "loss L(w)"
    slope_picture_1d(lesson.SEED, 0.0)
    assert "uphill is to the left" in plt.gcf().axes[0].get_title()


def test_partial_sign_picture_draws_both_lines_through_p_and_labels_near_it():
    partial_sign_picture(lesson.BOWL, lesson.SIGN_POINT)
    ax = plt.gcf().axes[0]
    labels = [t for t in ax.texts if t.get_text().replace(".", "").isdigit()]
    assert len(labels) >= 6  # contour values next to P, along both lines
    lines = {line.get_label(): line for line in ax.get_lines()}
    horizontal = lines["y held at 3: slope is \u2202L/\u2202x"]
    vertical = lines["x held at 1: slope is \u2202L/\u2202y"]
    assert set(horizontal.get_ydata()) == {3.0} and set(vertical.get_xdata()) == {1.0}
    assert horizontal.get_linestyle() != vertical.get_linestyle()  # not by colour alone
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 0 < 1 < x1 and y0 < 0 < 3 < y1  # both the minimum and P are shown
    assert "negative" not in ax.get_title() and "positive" not in ax.get_title()


def test_reading_levels_are_even_near_the_value_then_coarse():
    levels = reading_levels(9.0, 62.0)
    assert levels.tolist() == [2, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50]
    assert reading_levels(3.5, 30.0)[:3].tolist() == [0.5, 1.0, 1.5]


def test_difference_error_picture_title_states_100x_and_10x():
    e = difference_errors(lambda w: w**3, lambda w: 3 * w**2, 1.0, [1e-1, 1e-2, 1e-3])
    difference_error_picture(e.hs, e.central, e.forward)
    ax = plt.gcf().axes[0]
    assert ax.get_title().startswith("h 10x smaller: central error 100x smaller")
    assert "forward only 10x" in ax.get_title()
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_slopes_picture_waits_for_blanks_then_puts_the_slopes_on_the_cosine(capsys):
    slopes_picture(____, ex.ANGLES, ____)
    assert "Fill in the gradient and the slopes first" in capsys.readouterr().out
    assert plt.get_fignums() == []
    g = ex.CUBIC.gradient(ex.POINT)
    slopes_picture(g, ex.ANGLES, ex.q4.expected())
    ax = plt.gcf().axes[0]
    curve, dots = ax.get_lines()[:2]
    theta, values = curve.get_data()
    star = math.degrees(math.atan2(g[1], g[0]))
    np.testing.assert_allclose(values, 5 * np.cos(np.radians(theta - star)))
    np.testing.assert_allclose(dots.get_ydata(), np.interp(ex.ANGLES, theta, values), atol=1e-3)
    assert ax.get_title() == "Every slope lies on one cosine: largest, 5, at \u03b8* = 127\u00b0"


def test_arrows_picture_draws_four_labelled_arrows_and_the_contour_through_the_point():
    arrows_picture(ex.BOWL, ex.ARROW_POINT, ex.ARROWS)
    ax = plt.gcf().axes[0]
    names = sorted(t.get_text() for t in ax.texts if t.get_text() in "ABCD" and t.get_text())
    assert names == ["A", "B", "C", "D"]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for t in ax.texts:
        if t.get_text() in ("A", "B", "C", "D"):
            x, y = t.get_position()
            assert x0 < x < x1 and y0 < y < y1, t.get_text()  # no arrow leaves the picture
    assert "contour through the point, L = 3.5" in [
        h.get_label() for h in ax.get_legend().legend_handles
    ]


def test_polynomial_text_falls_back_to_the_formula():
    assert polynomial_text(lesson.POLY) == "x\u00b2y + 3y\u00b2"
    assert polynomial_text(QuadraticBowl([2.0, 2.0])) == "x\u00b2 + y\u00b2"


# -- the exercise ------------------------------------------------------------------------------
def test_exercise_gradient_at_1_3_is_minus_3_4_with_length_5():
    g = ex.CUBIC.gradient(ex.POINT)
    assert g.tolist() == [-3.0, 4.0]
    assert np.allclose(ex.q3.expected(), [0.6, -0.8])
    assert np.allclose(ex.q4.expected(), [-3, 1 / math.sqrt(2), 4, 7 / math.sqrt(2), 3])


def test_exercise_arrows_are_ascent_c_descent_d_level_set_a_and_b_aims_at_the_minimum():
    assert ex.q5.expected() == {
        "steepest ascent": "C",
        "steepest descent": "D",
        "along the level set": "A",
    }
    to_min = ex.BOWL.minimizer - np.array(ex.ARROW_POINT)
    assert angle_between(ex.ARROWS["B"], to_min) < 1e-9
    assert angle_between(ex.ARROWS["B"], ex.ARROWS["D"]) > 30  # clearly different


def test_exercise_errors_are_4_8_h_squared_and_shrink_100x():
    well = TiltedDoubleWell(0.5)
    errors = ex.q7.expected()
    np.testing.assert_allclose(errors, [0.048, 0.00048], rtol=1e-6)  # f''' / 6 = 24 w / 6
    assert errors[0] / errors[1] == pytest.approx(100, rel=1e-6)
    assert well.gradient(1.2) == pytest.approx(numerical_gradient(well, 1.2))


def _product_grad(x, y):
    u = x * y - 2
    return (2 * u * y, 2 * u * x)


def _central(f, w, h):
    return (f(w + h) - f(w - h)) / (2 * h)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (ex.q1, (-3, 4)),
        (ex.q2, _product_grad),
        (ex.q3, (0.6, -0.8)),
        (ex.q4, [-3, 0.7071067811865476, 4, 4.949747468305833, 3]),
        (ex.q5, {"steepest ascent": "c", "steepest descent": "D", "along the level set": "A"}),
        (ex.q6, _central),
        (ex.q7, [0.048, 0.00048]),
    ],
)
def test_exercise_right_answers_are_correct(question, answer):
    assert question.check(answer).outcome == "correct"


@pytest.mark.parametrize(
    ("question", "answer", "phrase"),
    [
        (ex.q1, (4, -3), "wrong order"),
        (ex.q1, (3, -4), "signs are flipped"),
        (ex.q1, (1, 4), "-2y, not -2"),
        (ex.q1, (-3, 6), "not zero"),
        (ex.q1, 4, "one number"),
        (ex.q2, lambda x, y: (2 * (x * y - 2), 2 * (x * y - 2)), "chain-rule factor"),
        (ex.q2, lambda x, y: _product_grad(x, y)[::-1], "wrong order"),
        (ex.q3, (-0.6, 0.8), "steepest ascent"),
        (ex.q3, (3, -4), "not of length 1"),
        (ex.q3, (0.8, 0.6), "level set"),
        (ex.q3, (-0.8, -0.6), "level set"),
        (ex.q4, [-3 * np.cos(t) + 4 * np.sin(t) for t in ex.ANGLES], "radians"),
        (ex.q4, 5 * np.cos(np.radians(ex.ANGLES)), "measured from the gradient"),
        (ex.q4, [4 * np.cos(t) - 3 * np.sin(t) for t in np.radians(ex.ANGLES)], "cos theta"),
        (
            ex.q5,
            {"steepest ascent": "C", "steepest descent": "B", "along the level set": "A"},
            "points straight at the minimum",
        ),
        (
            ex.q5,
            {"steepest ascent": "D", "steepest descent": "C", "along the level set": "A"},
            "larger or smaller contour values",
        ),
        (ex.q6, lambda f, w, h: (f(w + h) - f(w)) / h, "forward difference"),
        (ex.q6, lambda f, w, h: (f(w + h) - f(w - h)) / h, "divide by 2h"),
        (ex.q6, lambda f, w, h: (f(w + h) - f(w - h)) / 2 * h, "brackets"),
        (ex.q7, [0.00048, 0.048], "wrong order"),
    ],
)
def test_exercise_misconceptions_are_recognised(question, answer, phrase):
    v = question.check(answer)
    assert v.outcome == "incorrect"
    assert phrase in v.message, v.message


def test_exercise_forward_difference_errors_are_recognised():
    well = TiltedDoubleWell(0.5)
    wrong = [abs(forward_difference(well, 1.2, h) - well.gradient(1.2)) for h in (0.1, 0.01)]
    assert "forward difference" in ex.q7.check(wrong).message


# -- the handout ---------------------------------------------------------------------------
def test_handout_diagnostic_numbers():
    # docs/lessons/01_gradient.md
    assert lesson.POLY.gradient([2.0, -1.0]).tolist() == [-4.0, -2.0]
    assert np.linalg.norm(ex.CUBIC.gradient(ex.POINT)) == 5.0
    g = np.array([3.0, 4.0])  # "a gradient (3, 4)": steepest slope 5, descent (-0.6, -0.8)
    assert np.linalg.norm(g) == 5.0 and np.allclose(-g / np.linalg.norm(g), [-0.6, -0.8])
    assert np.linalg.norm(g) * math.cos(math.radians(60)) == pytest.approx(2.5)
    g = np.array([-3.0, 4.0])  # 45 degrees, in radians and (wrongly) in degrees
    assert g @ [math.cos(math.pi / 4), math.sin(math.pi / 4)] == pytest.approx(1 / math.sqrt(2))
    assert -3 * np.cos(45) + 4 * np.sin(45) == pytest.approx(1.83, abs=0.005)
    assert _grad(1.0, 2.0)[0] == 4 * (2 * 1.0 + 2.0 - 5)  # the chain-rule factor 2 of 2x
    assert lesson.BOWL.gradient(lesson.SIGN_POINT)[0] == pytest.approx(-3)
