"""Bad input to the core gets one sentence naming the argument, never a raw traceback.

Every public function of ``gdcourse.core`` validates its arguments at the top: a wrong type, a
wrong shape, a bool where a number belongs, an empty list, a non-finite value, a value out of
range, an object that is not a loss, lists of mismatched lengths. Each case below names the
function, the bad call, the error class and the words the message must contain (the argument's
name among them). A few tests at the end pin down the decisions made for edge cases that are
answers, not errors (an escape that has already happened takes 0 steps, a batch larger than
the data set is one update per epoch).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from gdcourse.core import (
    MAX_STEPS,
    CourseInputError,
    CourseTypeError,
    CourseValueError,
    LinearRegression,
    Loss,
    Quadratic1D,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    SharpFlatWells,
    TiltedDoubleWell,
    TwoVariableLoss,
    angle_between,
    angle_of,
    basin_ends,
    best_fixed_lr,
    central_difference,
    check_gradient,
    classify_eigenvalues,
    classify_hessian,
    clipped,
    compare_methods,
    condition_number,
    constant,
    cosine_decay,
    critical_point_near,
    difference_errors,
    directional_derivative,
    distances_to,
    epochs_growing,
    errors_along_axes,
    escape_fractions,
    escape_steps_simulated,
    exponential_decay,
    first_step_within,
    forward_difference,
    fraction_all_positive,
    gradient_descent,
    gradient_spread,
    gradient_step,
    hessian_eigenvalues,
    linear_scaling_table,
    make_regression,
    max_stable_lr,
    measured_slope,
    minibatch_sgd,
    multipliers,
    noise_floor,
    noisy_runs,
    numerical_gradient,
    one_after_another,
    read_direction,
    regime_bands,
    saddle_escape_steps,
    sample_variance,
    schedule_rates,
    settled_loss,
    sign_flipped,
    sign_label,
    standardise,
    step_lengths,
    steps_near_saddle,
    steps_to_relative_tolerance,
    steps_to_tolerance,
    sweep_losses,
    sweep_path,
    sweep_ratios,
    swing,
    tune_rate,
    unit_vector,
    updates_per_epoch,
    wrap_angle,
    zigzag_direction,
)

SEED = Quadratic1D(a=2, c=3)
BOWL = QuadraticBowl([1.0, 5.0], rotation=0.3)
SADDLE = SaddleWithMinima()
X, Y, _ = make_regression(20, 2, noise=0.1, seed=0)
DATA = LinearRegression(X, Y)


class ValueIsAPair(Loss):
    """A student's loss whose value returns two numbers instead of one."""

    shape = (2,)

    def value(self, w):
        return np.asarray(w, dtype=float)

    def gradient(self, w):
        return np.asarray(w, dtype=float)


class GradientForgotReturn(Loss):
    """A student's loss whose gradient forgot its ``return`` (gives None)."""

    shape = ()

    def value(self, w):
        return float(w) ** 2

    def gradient(self, w):
        2 * float(w)


class ShapeIsANumber(Loss):
    """A loss whose ``shape`` is a number, not a tuple."""

    shape = 2

    def value(self, w):
        return 0.0

    def gradient(self, w):
        return np.zeros(2)


class OnePointAtATime(Loss):
    """A 1-D loss that cannot take a stack of points (float() of one number only)."""

    shape = ()

    def value(self, w):
        return float(np.sum(np.asarray(w) ** 2))

    def gradient(self, w):
        return 2 * np.asarray(w, dtype=float)


class HessianOfTheWrongSize(Loss):
    shape = (2,)

    def value(self, w):
        return 0.0

    def gradient(self, w):
        return np.zeros(2)

    def hessian(self, w):
        return np.eye(3)


def _cube(w):
    return w**3


# (id, the bad call, the error class, words the message must contain)
CASES = [
    # -- noisy_runs: seeds ---------------------------------------------------------------------
    (
        "noisy_runs seeds a number",
        lambda: noisy_runs(SEED, 7.0, 0.1, 5, noise=1.0, seeds=5),
        CourseTypeError,
        r"seeds must be a list of whole numbers such as range\(20\), got 5",
    ),
    (
        "noisy_runs seeds a string",
        lambda: noisy_runs(SEED, 7.0, 0.1, 5, noise=1.0, seeds="01"),
        CourseTypeError,
        "seeds must be a list of whole numbers",
    ),
    (
        "noisy_runs a loss that cannot take a stack",
        lambda: noisy_runs(OnePointAtATime(), 7.0, 0.1, 5, noise=1.0, seeds=range(3)),
        CourseValueError,
        r"noisy_runs evaluates loss.value on a stack of points.*shape \(3,\)",
    ),
    # -- directions ----------------------------------------------------------------------------
    (
        "angle_between vectors of different lengths",
        lambda: angle_between([1.0, 0.0], [1.0, 0.0, 0.0]),
        CourseValueError,
        "u and v must have the same number of entries",
    ),
    (
        "angle_between a vector of one entry against two (used to broadcast)",
        lambda: angle_between([1.0, 0.0], [1.0]),
        CourseValueError,
        "u and v must have the same number of entries",
    ),
    (
        "angle_between a matrix",
        lambda: angle_between([[1.0, 0.0]], [[0.0, 1.0]]),
        CourseValueError,
        "u must be a vector",
    ),
    (
        "angle_between a string",
        lambda: angle_between("ab", [1.0, 0.0]),
        CourseTypeError,
        "u must be a vector",
    ),
    (
        "angle_between a non-finite vector",
        lambda: angle_between([1.0, 0.0], [math.nan, 1.0]),
        CourseValueError,
        "v must be finite",
    ),
    (
        "read_direction on a 1-D loss",
        lambda: read_direction(SEED, (1.0, 2.0), 0.0),
        CourseValueError,
        "loss must be a loss of two parameters",
    ),
    (
        "read_direction a point of three numbers",
        lambda: read_direction(BOWL, (1.0, 2.0, 3.0), 0.0),
        CourseValueError,
        r"point must have shape \(2,\)",
    ),
    (
        "read_direction a bool angle",
        lambda: read_direction(BOWL, (1.0, 2.0), True),
        CourseTypeError,
        "angle must be a finite number",
    ),
    (
        "measured_slope a point of one number (used to broadcast)",
        lambda: measured_slope(BOWL, (1.0,), 30.0),
        CourseValueError,
        r"point must have shape \(2,\)",
    ),
    (
        "measured_slope a point of three numbers",
        lambda: measured_slope(BOWL, (1.0, 2.0, 3.0), 30.0),
        CourseValueError,
        r"point must have shape \(2,\)",
    ),
    (
        "measured_slope on a 1-D loss",
        lambda: measured_slope(SEED, (1.0, 2.0), 30.0),
        CourseValueError,
        "loss must be a loss of two parameters",
    ),
    (
        "sign_label a negative tolerance",
        lambda: sign_label(0.5, tol=-1.0),
        CourseValueError,
        "tol must be a finite number >= 0",
    ),
    (
        "directional_derivative a gradient of strings",
        lambda: directional_derivative(["1", "2"], [0.0]),
        CourseTypeError,
        "gradient must be a 2-D vector",
    ),
    (
        "directional_derivative angles of strings",
        lambda: directional_derivative([1.0, 2.0], ["north"]),
        CourseTypeError,
        "angles must be a number or a list of angles",
    ),
    ("unit_vector a string", lambda: unit_vector("90"), CourseTypeError, "angle must be"),
    ("unit_vector a bool", lambda: unit_vector(True), CourseTypeError, "angle must be"),
    ("unit_vector nan", lambda: unit_vector(math.nan), CourseValueError, "angle must be"),
    (
        "angle_of three numbers",
        lambda: angle_of([1.0, 2.0, 3.0]),
        CourseValueError,
        r"v must be a 2-D vector \(x, y\)",
    ),
    ("angle_of a bool", lambda: angle_of(True), CourseTypeError, "v must be a vector"),
    ("wrap_angle a string", lambda: wrap_angle("10"), CourseTypeError, "angle must be"),
    (
        "distances_to weights of bools",
        lambda: distances_to([True, False], 1.0),
        CourseTypeError,
        "weights must be",
    ),
    # -- saddles -------------------------------------------------------------------------------
    (
        "critical_point_near a point of the wrong shape",
        lambda: critical_point_near(SADDLE, 0.0),
        CourseValueError,
        r"w must have shape \(2,\)",
    ),
    (
        "critical_point_near a point of three numbers",
        lambda: critical_point_near(SADDLE, [0.0, 1.0, 0.0]),
        CourseValueError,
        r"w must have shape \(2,\)",
    ),
    (
        "critical_point_near not a loss",
        lambda: critical_point_near(3.0, 1.0),
        CourseTypeError,
        "loss must be a loss object",
    ),
    (
        "critical_point_near a string point",
        lambda: critical_point_near(SEED, "3"),
        CourseTypeError,
        "w must be a number",
    ),
    (
        "classify_eigenvalues bools",
        lambda: classify_eigenvalues([True, False]),
        CourseTypeError,
        "eigenvalues must be",
    ),
    (
        "classify_hessian strings",
        lambda: classify_hessian([["1", "0"], ["0", "1"]]),
        CourseTypeError,
        "h must be a square matrix",
    ),
    (
        "escape_steps_simulated on a 1-D loss",
        lambda: escape_steps_simulated(1e-6, 0.1, loss=SEED),
        CourseValueError,
        "loss must be a loss of two parameters",
    ),
    (
        "basin_ends starts of the wrong size",
        lambda: basin_ends(SADDLE, [[1.0, 2.0, 3.0]], lr=0.01, steps=5),
        CourseValueError,
        "starts must be a list of at least one start point",
    ),
    (
        "basin_ends a non-finite start",
        lambda: basin_ends(TiltedDoubleWell(0.5), [0.1, math.nan], lr=0.01, steps=5),
        CourseValueError,
        "starts must be finite",
    ),
    (
        "basin_ends bool starts",
        lambda: basin_ends(TiltedDoubleWell(0.5), [True, 0.5], lr=0.01, steps=5),
        CourseTypeError,
        "starts must be",
    ),
    (
        "steps_near_saddle weights of strings",
        lambda: steps_near_saddle([["a", "b"]], [1.0], 0.1),
        CourseTypeError,
        "weights must be",
    ),
    # -- the quadratic model -------------------------------------------------------------------
    (
        "regime_bands a range of one number",
        lambda: regime_bands(2, (1,)),
        CourseValueError,
        r"lr_range must be a pair of rates \(low, high\)",
    ),
    (
        "regime_bands a range of three numbers",
        lambda: regime_bands(2, (0.1, 1.0, 10.0)),
        CourseValueError,
        "lr_range must be a pair of rates",
    ),
    (
        "regime_bands a number for a range",
        lambda: regime_bands(2, 5.0),
        CourseValueError,
        "lr_range must be a pair of rates",
    ),
    (
        "regime_bands a reversed range",
        lambda: regime_bands(2, (10.0, 0.1)),
        CourseValueError,
        "lr_range must be .* with low < high",
    ),
    (
        "hessian_eigenvalues a point of the wrong shape",
        lambda: hessian_eigenvalues(BOWL, [1.0, 2.0, 3.0]),
        CourseValueError,
        r"w must have shape \(2,\)",
    ),
    (
        "hessian_eigenvalues many points on a 1-D loss",
        lambda: hessian_eigenvalues(SEED, [1.0, 2.0]),
        CourseValueError,
        "w must be a single number for this 1-D loss",
    ),
    (
        "hessian_eigenvalues where the Hessian overflows",
        lambda: hessian_eigenvalues(Rosenbrock(), [1e200, 1e200]),
        CourseValueError,
        "the Hessian at w is not finite",
    ),
    (
        "hessian_eigenvalues a Hessian of the wrong size",
        lambda: hessian_eigenvalues(HessianOfTheWrongSize()),
        CourseValueError,
        r"loss.hessian\(w\) must return a 2x2 matrix",
    ),
    (
        "max_stable_lr a bool",
        lambda: max_stable_lr(True),
        CourseTypeError,
        "curvature must be a number > 0 or a list of eigenvalues > 0, got True",
    ),
    (
        "max_stable_lr a list holding a bool",
        lambda: max_stable_lr([1.0, True]),
        CourseTypeError,
        "curvature must be",
    ),
    ("best_fixed_lr a string", lambda: best_fixed_lr("2"), CourseTypeError, "curvature must be"),
    (
        "multipliers a bool eigenvalue",
        lambda: multipliers([1.0, True], 0.1),
        CourseTypeError,
        "curvature must be",
    ),
    (
        "condition_number a bool",
        lambda: condition_number(True),
        CourseTypeError,
        "loss_or_eigenvalues must be",
    ),
    (
        "zigzag_direction three eigenvalues",
        lambda: zigzag_direction([1.0, 5.0, 20.0], 0.05),
        CourseValueError,
        "eigenvalues must be exactly 2 numbers",
    ),
    (
        "zigzag_direction one eigenvalue",
        lambda: zigzag_direction(5.0, 0.05),
        CourseValueError,
        "eigenvalues must be exactly 2 numbers",
    ),
    (
        "errors_along_axes bool weights",
        lambda: errors_along_axes(BOWL, [True, False]),
        CourseTypeError,
        "weights must be a point of 2 numbers",
    ),
    # -- update rules --------------------------------------------------------------------------
    (
        "one_after_another an order of fractions",
        lambda: one_after_another((0.5, 1)),
        CourseTypeError,
        "each entry of order must be a whole number >= 0, got 0.5",
    ),
    (
        "one_after_another an order of bools",
        lambda: one_after_another((True, False)),
        CourseTypeError,
        "each entry of order must be a whole number >= 0, got True",
    ),
    (
        "one_after_another an order that is a string",
        lambda: one_after_another("10"),
        CourseTypeError,
        r"order must be a list of whole numbers such as \(1, 0\)",
    ),
    (
        "one_after_another an order that is a number",
        lambda: one_after_another(1),
        CourseTypeError,
        "order must be a list of whole numbers",
    ),
    (
        "one_after_another a negative parameter",
        lambda: one_after_another((0, -1)),
        CourseValueError,
        "each entry of order must be a whole number >= 0, got -1",
    ),
    (
        "one_after_another a parameter twice",
        lambda: one_after_another((1, 1)),
        CourseValueError,
        r"order must list each parameter once, numbered from 0 \(e.g. \(1, 0\) for two "
        r"parameters\), got \(1, 1\)",
    ),
    (
        "one_after_another a parameter out of range",
        lambda: one_after_another((0, 2)),
        CourseValueError,
        r"order must list each parameter once, numbered from 0 .*got \(0, 2\)",
    ),
    (
        "one_after_another an order for three parameters on a loss of two, refused before the "
        "first step",
        lambda: gradient_descent(BOWL, [1.0, 1.0], 0.1, 0, update=one_after_another((1, 0, 2))),
        CourseValueError,
        r"order must list each of the 2 parameters once \(0 to 1\), got \(1, 0, 2\)",
    ),
    # -- descent -------------------------------------------------------------------------------
    (
        "epochs_growing strings",
        lambda: epochs_growing(["1", "2", "3", "40"]),
        CourseTypeError,
        "losses must be a list of numbers, one full loss per epoch",
    ),
    (
        "epochs_growing None",
        lambda: epochs_growing(None),
        CourseTypeError,
        "losses must be a list of numbers",
    ),
    (
        "epochs_growing bools",
        lambda: epochs_growing([False, True, True, True]),
        CourseTypeError,
        "losses must be a list of numbers",
    ),
    (
        "epochs_growing a table",
        lambda: epochs_growing([[1.0, 2.0], [3.0, 40.0]]),
        CourseValueError,
        "losses must be a 1-D list of numbers",
    ),
    (
        "epochs_growing nothing",
        lambda: epochs_growing([]),
        CourseValueError,
        "losses must be a 1-D list of numbers",
    ),
    (
        "gradient_descent a class instead of a loss",
        lambda: gradient_descent(Quadratic1D, 7.0, 0.1, 5),
        CourseTypeError,
        r"loss must be a loss object, got the class Quadratic1D itself",
    ),
    (
        "gradient_descent a bool start",
        lambda: gradient_descent(SEED, True, 0.1, 5),
        CourseTypeError,
        "w0 must be a number or an array of numbers, got True",
    ),
    (
        "gradient_descent a string start",
        lambda: gradient_descent(SEED, "7", 0.1, 5),
        CourseTypeError,
        "w0 must be a number or an array of numbers",
    ),
    (
        "gradient_descent a start holding a bool",
        lambda: gradient_descent(BOWL, [1.0, True], 0.1, 5),
        CourseTypeError,
        "w0 must be a number or an array of numbers",
    ),
    (
        "gradient_descent a loss whose value is two numbers",
        lambda: gradient_descent(ValueIsAPair(), [1.0, 2.0], 0.1, 5),
        CourseTypeError,
        r"loss.value\(w0\) must return one number",
    ),
    (
        "gradient_descent a gradient that forgot its return",
        lambda: gradient_descent(GradientForgotReturn(), 1.0, 0.1, 5),
        CourseTypeError,
        r"loss.gradient\(w0\) must return numbers, one per parameter, got None",
    ),
    (
        "gradient_descent a loss whose shape is a number",
        lambda: gradient_descent(ShapeIsANumber(), [1.0, 2.0], 0.1, 5),
        CourseTypeError,
        r"loss.shape must be \(\) for a loss of one number",
    ),
    (
        "gradient_step a bool point",
        lambda: gradient_step(True, 1.0, 0.1),
        CourseTypeError,
        "w must be a number",
    ),
    (
        "gradient_step a string gradient",
        lambda: gradient_step(5.0, "3", 0.1),
        CourseTypeError,
        "gradient must be a number",
    ),
    (
        "step_lengths no iterates",
        lambda: step_lengths([]),
        CourseValueError,
        "weights must hold at least one iterate",
    ),
    (
        "step_lengths strings",
        lambda: step_lengths(["7", "6"]),
        CourseTypeError,
        "weights must be a run's iterates",
    ),
    (
        "swing noisy a string",
        lambda: swing([1.0, -1.0, 1.0, -1.0], noisy="yes"),
        CourseTypeError,
        "noisy must be True or False",
    ),
    # -- schedules -----------------------------------------------------------------------------
    (
        "schedule_rates a negative count",
        lambda: schedule_rates(0.1, -1),
        CourseValueError,
        "n_steps must be a whole number >= 0, got -1",
    ),
    (
        "schedule_rates a fractional count",
        lambda: schedule_rates(0.1, 2.5),
        CourseTypeError,
        "n_steps must be a whole number >= 0",
    ),
    (
        "a schedule at a fractional step",
        lambda: constant(0.1)(2.5),
        CourseValueError,
        "step must be a whole number >= 0",
    ),
    (
        "a schedule at a bool step",
        lambda: constant(0.1)(True),
        CourseValueError,
        "step must be a whole number >= 0",
    ),
    # -- measurements --------------------------------------------------------------------------
    (
        "first_step_within a target of the wrong size",
        lambda: first_step_within([[1.0, 2.0], [0.0, 0.0]], c=[0.0, 0.0, 0.0], tol=0.1),
        CourseValueError,
        "c must be 2 finite numbers",
    ),
    (
        "first_step_within bool weights",
        lambda: first_step_within([True, False], c=0.0, tol=0.1),
        CourseTypeError,
        "weights must be",
    ),
    (
        "settled_loss bools",
        lambda: settled_loss([[True, False]], last=1),
        CourseTypeError,
        "runs must be noisy_runs",
    ),
    (
        "sweep_ratios a zero rate",
        lambda: sweep_ratios(SEED, 7.0, [0.1, 0.0], 5),
        CourseValueError,
        "each entry of lrs must be a finite number > 0, got 0.0",
    ),
    (
        "sweep_ratios a bool rate",
        lambda: sweep_ratios(SEED, 7.0, [True], 5),
        CourseTypeError,
        "lrs must be a list of rates",
    ),
    # -- batches -------------------------------------------------------------------------------
    (
        "gradient_spread the class LinearRegression itself",
        lambda: gradient_spread(LinearRegression, [1.0]),
        CourseTypeError,
        "loss must be a loss object, got the class LinearRegression itself",
    ),
    # -- losses --------------------------------------------------------------------------------
    (
        "Quadratic1D.value a string",
        lambda: SEED.value("3"),
        CourseTypeError,
        "w must be a number or an array of numbers",
    ),
    (
        "Quadratic1D.gradient None",
        lambda: SEED.gradient(None),
        CourseTypeError,
        "w must be a number or an array of numbers, got None",
    ),
    (
        "QuadraticBowl.value a string",
        lambda: BOWL.value("ab"),
        CourseTypeError,
        "w must be a number or an array of numbers",
    ),
    (
        "QuadraticBowl.gradient bools",
        lambda: BOWL.gradient([True, False]),
        CourseTypeError,
        "w must be a number or an array of numbers",
    ),
    (
        "QuadraticBowl bool eigenvalues",
        lambda: QuadraticBowl([True, 2.0]),
        CourseTypeError,
        "eigenvalues must be a list of at least 2 numbers",
    ),
    (
        "QuadraticBowl a rotation of strings",
        lambda: QuadraticBowl([1.0, 2.0], rotation=[["1", "0"], ["0", "1"]]),
        CourseTypeError,
        "rotation must be an angle or an orthogonal 2x2 matrix",
    ),
    (
        "TwoVariableLoss a gradient of three numbers",
        lambda: TwoVariableLoss("x y", lambda x, y: x * y, lambda x, y: (y, x, 0.0)).gradient(
            [1.0, 2.0]
        ),
        CourseTypeError,
        r"the gradient function of .* must return two numbers \(df/dx, df/dy\)",
    ),
    (
        "TwoVariableLoss a value of two numbers",
        lambda: TwoVariableLoss("x y", lambda x, y: (x, y), lambda x, y: (y, x)).value([1.0, 2.0]),
        CourseTypeError,
        "the value function of .* must return one number per point",
    ),
    (
        "LinearRegression X of strings",
        lambda: LinearRegression([["a"], ["b"]], [1.0, 2.0]),
        CourseTypeError,
        "X must be a 2-D array of numbers",
    ),
    (
        "LinearRegression bool targets",
        lambda: LinearRegression([[1.0], [2.0]], [True, False]),
        CourseTypeError,
        "y must be an array of numbers",
    ),
    (
        "LinearRegression.minibatch_gradient fractional rows",
        lambda: DATA.minibatch_gradient([0.0, 0.0], [0.5, 1.5]),
        CourseValueError,
        r"idx must be a non-empty 1-D array of row numbers \(whole numbers\)",
    ),
    (
        "LinearRegression.minibatch_gradient a mask of bools",
        lambda: DATA.minibatch_gradient([0.0, 0.0], [True] * 20),
        CourseValueError,
        "idx must be a non-empty 1-D array of row numbers",
    ),
    (
        "LinearRegression.minibatch_gradient a row past the end",
        lambda: DATA.minibatch_gradient([0.0, 0.0], [0, 20]),
        CourseValueError,
        "idx must hold row numbers from 0 to 19",
    ),
    # -- data ----------------------------------------------------------------------------------
    (
        "standardise one row",
        lambda: standardise([[1.0, 2.0]]),
        CourseValueError,
        "X must have at least 2 rows",
    ),
    (
        "standardise strings",
        lambda: standardise([["a", "b"], ["c", "d"]]),
        CourseTypeError,
        "X must be a 2-D array of numbers",
    ),
    # -- finite differences --------------------------------------------------------------------
    (
        "numerical_gradient many points of a 1-D loss",
        lambda: numerical_gradient(SEED, [1.0, 2.0]),
        CourseValueError,
        "w must be a single number for this 1-D loss",
    ),
    (
        "numerical_gradient a function returning two numbers",
        lambda: numerical_gradient(lambda w: [w, w], 1.0),
        CourseTypeError,
        "f must return one number",
    ),
    (
        "numerical_gradient a string point",
        lambda: numerical_gradient(_cube, "3"),
        CourseTypeError,
        "w must be a number",
    ),
    (
        "check_gradient not a loss",
        lambda: check_gradient(3.0, 1.0),
        CourseTypeError,
        "loss must be a loss object",
    ),
    (
        "check_gradient a string tolerance",
        lambda: check_gradient(SEED, 1.0, rtol="1e-5"),
        CourseTypeError,
        "rtol must be a finite number >= 0",
    ),
    (
        "check_gradient many points of a 1-D loss",
        lambda: check_gradient(SEED, [1.0, 2.0]),
        CourseValueError,
        "w must be a single number for this 1-D loss",
    ),
    (
        "check_gradient a gradient that forgot its return",
        lambda: check_gradient(GradientForgotReturn(), 1.0),
        CourseTypeError,
        r"loss.gradient\(w\) must return numbers, one per parameter, got None",
    ),
    (
        "central_difference a string point",
        lambda: central_difference(_cube, "1", 0.1),
        CourseTypeError,
        "w must be a finite number",
    ),
    (
        "forward_difference a string point",
        lambda: forward_difference(_cube, "1", 0.1),
        CourseTypeError,
        "w must be a finite number",
    ),
    (
        "forward_difference a function returning nothing",
        lambda: forward_difference(lambda w: None, 1.0, 0.1),
        CourseTypeError,
        "f must return one number, got None",
    ),
    (
        "difference_errors a derivative that is a number",
        lambda: difference_errors(_cube, 3.0, 1.0, [0.1]),
        CourseTypeError,
        "derivative must be a function of w",
    ),
    (
        "difference_errors no steps",
        lambda: difference_errors(_cube, lambda w: 3 * w**2, 1.0, []),
        CourseValueError,
        "hs must be a non-empty list of step sizes",
    ),
    (
        "difference_errors a negative step",
        lambda: difference_errors(_cube, lambda w: 3 * w**2, 1.0, [0.1, -0.01]),
        CourseValueError,
        "each entry of hs must be a finite number > 0, got -0.01",
    ),
]

# Refused clearly before this sweep too (their functions validated these already): kept so the
# sweep's table covers every argument the review named, and nothing slips back.
ALREADY_REFUSED = [
    (
        "noisy_runs a seed that is a fraction",
        lambda: noisy_runs(SEED, 7.0, 0.1, 5, noise=1.0, seeds=[0, 1.5]),
        CourseTypeError,
        "each seed must be a whole number >= 0, got 1.5",
    ),
    (
        "noisy_runs a seed that is a bool",
        lambda: noisy_runs(SEED, 7.0, 0.1, 5, noise=1.0, seeds=[0, True]),
        CourseTypeError,
        "each seed must be a whole number >= 0, got True",
    ),
    (
        "escape_fractions seeds a number",
        lambda: escape_fractions(SharpFlatWells(), -1.0, 0.01, 5, noises=(0,), seeds=5),
        CourseTypeError,
        "seeds must be a list of whole numbers",
    ),
    (
        "measured_slope on no loss",
        lambda: measured_slope("bowl", (1.0, 2.0), 30.0),
        CourseTypeError,
        "loss must be a loss object",
    ),
    (
        "escape_steps_simulated on no loss",
        lambda: escape_steps_simulated(1e-6, 0.1, loss="saddle"),
        CourseTypeError,
        "loss must be a loss object",
    ),
    (
        "regime_bands a negative end",
        lambda: regime_bands(2, (-1.0, 1.0)),
        CourseValueError,
        "lr_range's ends must be a finite number > 0",
    ),
    (
        "sweep_path weights of strings",
        lambda: sweep_path([["a", "b"]]),
        CourseTypeError,
        "run must be a Trajectory or its weights",
    ),
    (
        "swing losses of another length",
        lambda: swing([1.0, -1.0, 1.0, -1.0], [1.0, 1.0]),
        CourseValueError,
        "losses must hold one loss per iterate",
    ),
    (
        "linear_scaling_table factors a number",
        lambda: linear_scaling_table(DATA, [0.0, 0.0], 2, 0.01, 4, 1),
        CourseTypeError,
        "factors must be a list of whole numbers",
    ),
    (
        "linear_scaling_table a bool factor",
        lambda: linear_scaling_table(DATA, [0.0, 0.0], 2, 0.01, (1, True), 1),
        CourseTypeError,
        "each entry of factors must be a whole number >= 1, got True",
    ),
    ("standardise nothing", lambda: standardise([]), CourseValueError, "X must be a 2-D array"),
]


class GoesBadLater(Loss):
    """A student's loss that works at w0 and goes wrong once the run passes w = 5 (step 4 from
    w0 = 7 at rate 0.1): ``bad`` is what it returns there."""

    shape = ()

    def __init__(self, method, bad):
        self.method, self.bad = method, bad

    def value(self, w):
        return self.bad if self.method == "value" and w < 5 else float((w - 3) ** 2)

    def gradient(self, w):
        return self.bad if self.method == "gradient" and w < 5 else 2 * (w - 3)


class OnlyScalars(Loss):
    """A 1-D loss written for one number (an ``if`` on w): it cannot take a stack of points."""

    shape = ()

    def value(self, w):
        return float(w) ** 2 if w > 0 else 0.0

    def gradient(self, w):
        return 2 * w if w > 0 else 0.0


class FloatFails(Fraction):
    """A number whose float() raises."""

    def __float__(self):
        raise RuntimeError("no float for you")


HUGE = 10**400
TOO_LARGE = (
    r"is too large to be a floating-point number \(about 1e400; the largest is about 1.8e308\)"
)
WELLS = SharpFlatWells()

# The review's second sweep: huge counts, a loss that goes bad after w0, a schedule's return
# value, factories passed uncalled, huge ints, odd containers, tiny and huge floats.
SECOND_SWEEP = [
    # -- A: counts that would size an array or a loop past memory or patience -----------------
    (
        "gradient_descent a billion steps",
        lambda: gradient_descent(SEED, 7.0, 0.1, 10**9),
        CourseValueError,
        r"steps must be at most 1,000,000 \(a run records every iterate.*got 1,000,000,000",
    ),
    (
        "gradient_descent steps x parameters past memory",
        lambda: gradient_descent(QuadraticBowl(np.ones(100) + np.arange(100)), np.zeros(100),
                                 0.001, 500_000),
        CourseValueError,
        r"steps x parameters must be at most 20,000,000",
    ),
    (
        "noisy_runs a billion steps",
        lambda: noisy_runs(SEED, 7.0, 0.1, 10**9, noise=1.0, seeds=range(2)),
        CourseValueError,
        "steps must be at most 1,000,000",
    ),
    (
        "noisy_runs seeds x steps past memory",
        lambda: noisy_runs(SEED, 7.0, 0.1, 1_000_000, noise=1.0, seeds=range(100)),
        CourseValueError,
        r"seeds x steps x parameters must be at most 20,000,000 .*got 100,000,000",
    ),
    (
        "minibatch_sgd a billion epochs",
        lambda: minibatch_sgd(DATA, [0.0, 0.0], 0.01, 1, 10**9),
        CourseValueError,
        r"epochs must be at most 50,000 for a run on N=20 examples .*MAX_STEPS = 1,000,000",
    ),
    (
        "sample_variance a billion batches",
        lambda: sample_variance(DATA, [0.0, 0.0], 8, n_batches=10**9),
        CourseValueError,
        r"n_batches must be at most 1,000,000 \(each batch shuffles N=20 examples",
    ),
    (
        "sweep_ratios lrs x steps",
        lambda: sweep_ratios(SEED, 7.0, [0.1, 0.2], 600_000),
        CourseValueError,
        r"lrs x steps must be at most 1,000,000",
    ),
    (
        "sweep_losses a billion steps",
        lambda: sweep_losses(2.0, [0.1], 10**9, w0=7.0),
        CourseValueError,
        "lrs x steps must be at most 1,000,000",
    ),
    (
        "escape_fractions noises x seeds x steps",
        lambda: escape_fractions(WELLS, -1.0, 0.01, 100_000, noises=(0, 1, 2), seeds=range(100)),
        CourseValueError,
        r"noises x seeds x steps must be at most 20,000,000",
    ),
    (
        "escape_steps_simulated a billion steps",
        lambda: escape_steps_simulated(1e-6, 0.1, steps=10**9),
        CourseValueError,
        "steps must be at most 1,000,000",
    ),
    (
        "basin_ends starts x steps",
        lambda: basin_ends(TiltedDoubleWell(0.5), [0.1, 0.2, 0.3], lr=0.01, steps=400_000),
        CourseValueError,
        "starts x steps must be at most 1,000,000",
    ),
    (
        "schedule_rates a billion steps",
        lambda: schedule_rates(0.1, 10**9),
        CourseValueError,
        "n_steps must be at most 1,000,000",
    ),
    (
        "Schedule.rates a billion steps",
        lambda: cosine_decay(0.1, 100).rates(10**9),
        CourseValueError,
        "n_steps must be at most 1,000,000",
    ),
    (
        "steps_to_relative_tolerance a billion steps",
        lambda: steps_to_relative_tolerance(BOWL, 0.1, max_steps=10**9),
        CourseValueError,
        "max_steps must be at most 1,000,000",
    ),
    (
        "tune_rate epochs x grid past a minute",
        lambda: tune_rate(DATA, [0.0, 0.0], 1, 40_000, grid=np.geomspace(1e-4, 1e-1, 30)),
        CourseValueError,
        "epochs and grid ask for too much work: 30 runs of minibatch_sgd",
    ),
    (
        "compare_methods a billion epochs",
        lambda: compare_methods(DATA, [0.0, 0.0], {"SGD": 1}, 10**9, grid=(0.01,)),
        CourseValueError,
        "epochs must be at most 50,000",
    ),
    (
        "linear_scaling_table a billion epochs",
        lambda: linear_scaling_table(DATA, [0.0, 0.0], 1, 0.01, (1, 2), 10**9),
        CourseValueError,
        "epochs must be at most 50,000",
    ),
    (
        "make_regression n x d past memory",
        lambda: make_regression(10**6, 100),
        CourseValueError,
        r"n_samples x n_features must be at most 20,000,000 .*got 100,000,000",
    ),
    (
        "fraction_all_positive samples x n x n past memory",
        lambda: fraction_all_positive(100, samples=10**4),
        CourseValueError,
        r"samples x n x n must be at most 20,000,000",
    ),
    # -- B: a loss that goes bad after w0 --------------------------------------------------------
    (
        "gradient_descent a value of None later",
        lambda: gradient_descent(GoesBadLater("value", None), 7.0, 0.1, 20),
        CourseTypeError,
        r"loss.value\(w\) must return one number at every step; at step 4 it returned None",
    ),
    (
        "gradient_descent a gradient string later",
        lambda: gradient_descent(GoesBadLater("gradient", "1"), 7.0, 0.1, 20),
        CourseTypeError,
        r"loss.gradient\(w\) must return numbers.*at step 4 it returned '1'",
    ),
    (
        "gradient_descent a gradient of the wrong size later",
        lambda: gradient_descent(GoesBadLater("gradient", np.zeros(3)), 7.0, 0.1, 20),
        CourseValueError,
        r"loss.gradient\(w\) must return 1 number, one per parameter.*at step 4 it returned 3",
    ),
    (
        "gradient_descent a value that is an array later",
        lambda: gradient_descent(GoesBadLater("value", np.array([1.0, 2.0])), 7.0, 0.1, 20),
        CourseTypeError,
        r"loss.value\(w\) must return one number at every step; at step 4 it returned array",
    ),
    (
        "gradient_descent a complex value later (not cast with a warning)",
        lambda: gradient_descent(GoesBadLater("value", np.complex128(1 + 1j)), 7.0, 0.1, 20),
        CourseTypeError,
        r"loss.value\(w\) must return one number at every step; at step 4 it returned",
    ),
    (
        "gradient_descent a complex gradient later",
        lambda: gradient_descent(GoesBadLater("gradient", np.array(1 + 1j)), 7.0, 0.1, 20),
        CourseTypeError,
        r"loss.gradient\(w\) must return numbers.*at step 4",
    ),
    (
        "sweep_ratios a loss that goes bad later",
        lambda: sweep_ratios(GoesBadLater("value", None), 7.0, [0.1], 20),
        CourseTypeError,
        r"loss.value\(w\) must return one number at every step; at step 4",
    ),
    (
        "basin_ends a loss that goes bad later",
        lambda: basin_ends(GoesBadLater("gradient", None), [7.0], lr=0.1, steps=20),
        CourseTypeError,
        r"loss.gradient\(w\) must return numbers.*at step 4",
    ),
    (
        "noisy_runs a loss that only works on one number",
        lambda: noisy_runs(OnlyScalars(), 7.0, 0.1, 5, noise=1.0, seeds=range(3)),
        CourseValueError,
        r"noisy_runs evaluates loss.value on a stack of points.*failed on one.*elementwise",
    ),
    # -- C: a schedule's return value --------------------------------------------------------
    (
        "a schedule returning a bool",
        lambda: gradient_descent(SEED, 7.0, lambda k: True, 5),
        CourseTypeError,
        r"the schedule lr must return a number \(a rate\) for each step; at step 0 it returned "
        r"True",
    ),
    (
        "a schedule returning a string",
        lambda: gradient_descent(SEED, 7.0, lambda k: "0.1", 5),
        CourseTypeError,
        r"at step 0 it returned '0.1'",
    ),
    # -- D: factories passed uncalled ------------------------------------------------------------
    (
        "lr=constant uncalled",
        lambda: gradient_descent(SEED, 7.0, constant, 5),
        CourseTypeError,
        r"got the function constant itself.*call it: constant\(0.1\)",
    ),
    (
        "update=sign_flipped uncalled",
        lambda: gradient_descent(SEED, 7.0, 0.1, 5, update=sign_flipped),
        CourseTypeError,
        r"call it: sign_flipped\(\)",
    ),
    (
        "clip=a factory",
        lambda: clipped(exponential_decay),
        CourseTypeError,
        r"clip must be a finite number > 0, got the function exponential_decay itself",
    ),
    # -- E: numbers too large for a float ----------------------------------------------------
    ("gradient_descent w0=10**400", lambda: gradient_descent(SEED, HUGE, 0.1, 5),
     CourseValueError, "w0 " + TOO_LARGE + r", got 10\*\*400"),
    ("gradient_descent lr=10**400", lambda: gradient_descent(SEED, 7.0, HUGE, 5),
     CourseValueError, "lr " + TOO_LARGE),
    ("a schedule returning 10**400", lambda: gradient_descent(SEED, 7.0, lambda k: HUGE, 5),
     CourseValueError, "the rate lr gave at step 0 " + TOO_LARGE),
    ("gradient_descent steps=10**400", lambda: gradient_descent(SEED, 7.0, 0.1, HUGE),
     CourseValueError, r"steps must be at most 1,000,000 .*got 10\*\*400"),
    ("Quadratic1D a=10**400", lambda: Quadratic1D(HUGE, 3), CourseValueError, TOO_LARGE),
    ("QuadraticBowl an eigenvalue of 10**400", lambda: QuadraticBowl([1, HUGE]),
     CourseValueError, "each entry of eigenvalues " + TOO_LARGE),
    ("noise_floor noise=10**400", lambda: noise_floor(2, 0.1, HUGE), CourseValueError,
     "noise " + TOO_LARGE),
    ("regime_bands an end of 10**400", lambda: regime_bands(2, (0.1, HUGE)), CourseValueError,
     TOO_LARGE),
    ("a negative huge int", lambda: gradient_descent(SEED, -HUGE, 0.1, 5), CourseValueError,
     r"w0 .* got -10\*\*400"),
    ("a number whose float() raises", lambda: clipped(FloatFails(1)), CourseTypeError,
     r"clip must be a finite number > 0, got FloatFails\(1, 1\), which cannot be turned into a "
     r"float \(RuntimeError\)"),
    ("a huge int of 5000 digits", lambda: gradient_descent(SEED, 3 * 10**5000, 0.1, 5),
     CourseValueError, r"about 1e5000.*got a whole number of 5001 digits"),
    # -- F: odd containers -------------------------------------------------------------------
    ("SharpFlatWells a set", lambda: SharpFlatWells(sharp={1, 2}), CourseTypeError,
     r"sharp must be a pair \(centre, width\)"),
    ("SharpFlatWells a 0-d array", lambda: SharpFlatWells(sharp=np.array(1.0)), CourseTypeError,
     r"sharp must be a pair \(centre, width\)"),
    ("regime_bands a 0-d array", lambda: regime_bands(2, np.array(1.0)), CourseValueError,
     "lr_range must be a pair of rates"),
    ("regime_bands a set (no order)", lambda: regime_bands(2, {0.1, 1.0}), CourseValueError,
     "lr_range must be a pair of rates"),
    # -- G: tiny and huge floats -------------------------------------------------------------
    ("exponential_decay a half-life so short gamma is 0",
     lambda: exponential_decay(0.1, half_life=1e-3), CourseValueError,
     "half_life must be at least about 0.02 steps"),
]

TABLE = CASES + ALREADY_REFUSED + SECOND_SWEEP


@pytest.mark.parametrize(
    ("call", "exc", "message"), [c[1:] for c in TABLE], ids=[c[0] for c in TABLE]
)
def test_bad_input_gets_one_sentence_naming_the_argument(call, exc, message):
    with pytest.raises(exc, match=message) as info:
        call()
    assert isinstance(info.value, CourseInputError)  # the student's input, not a course bug
    assert "\n" not in str(info.value)  # one sentence


# -- decisions: answers, not errors ---------------------------------------------------------------
def test_a_start_past_the_threshold_has_already_escaped_in_zero_steps():
    assert saddle_escape_steps(0.8, 0.1) == 0.0
    assert saddle_escape_steps(-0.5, 0.1, threshold=0.5) == 0.0  # |y0| = threshold: escaped
    assert saddle_escape_steps(0.4, 0.1) > 0  # inside: the formula, as before
    assert escape_steps_simulated(0.8, 0.1) == 0  # the simulation agrees: step 0 is out


def test_a_batch_larger_than_the_data_set_is_one_update_per_epoch():
    assert updates_per_epoch(10, 64) == 1
    assert updates_per_epoch(10, 10) == 1


def test_negative_losses_grow_only_by_rising_many_times_their_size():
    assert not epochs_growing([-100.0, -80.0, -50.0, -10.0])  # rose, but not 10x anything
    assert epochs_growing([-1.0, 2.0, 8.0, 20.0])  # rose by 21, more than 9 times |-1|
    # Losses >= 0: the rule as it always was.
    assert epochs_growing([44.2, 2.3, 20.5, 214.9, 2461.0])
    assert not epochs_growing([44.2, 0.61, 0.25, 0.26, 0.27, 0.28])
    assert not epochs_growing([1.0])  # one epoch's loss: nothing grew


# -- what stays accepted ---------------------------------------------------------------------------
def test_a_run_that_overflowed_is_elsewhere_not_an_error():
    assert critical_point_near(SADDLE, [math.inf, math.nan]) == "elsewhere"
    assert critical_point_near(SEED, [3.0]) == "minimum"  # one number in a list, for a 1-D loss


def test_a_step_from_an_overflowed_point_is_still_taken():
    # The step explorer steps a diverged run's weights: inf in, inf out, no error.
    assert gradient_step(math.inf, 1.0, 0.1) == math.inf


def test_fractions_and_numpy_numbers_are_numbers():
    run = gradient_descent(SEED, Fraction(7, 1), lr=Fraction(1, 10), steps=2)
    assert run.weights.round(4).tolist() == [7.0, 6.2, 5.56]
    assert max_stable_lr(np.float32(2.0)) == 1.0
    assert angle_between(np.array([1, 0]), [0.0, 2.0]) == 90.0


def test_a_one_entry_point_of_a_1d_loss_keeps_its_shape():
    assert np.shape(numerical_gradient(SEED, [7.0])) == (1,)
    assert check_gradient(SEED, [7.0]).passed


def test_an_order_of_numpy_integers_is_an_order():
    rule = one_after_another(np.array([1, 0]))
    assert repr(rule) == "one_after_another(order=(1, 0))"
    run = gradient_descent(BOWL, [1.0, 1.0], 0.1, 3, update=rule)
    assert run.n_steps == 3


# -- the second sweep's decisions ------------------------------------------------------------------
def test_zero_d_arrays_and_numpy_numbers_are_numbers_and_counts():
    run = gradient_descent(SEED, np.array(7.0), np.array(0.1), np.array(2))
    assert run.weights.round(4).tolist() == [7.0, 6.2, 5.56]
    assert schedule_rates(lambda k: np.float32(0.5), 2).tolist() == [0.5, 0.5]
    assert schedule_rates(lambda k: np.array(0.25), 1).tolist() == [0.25]
    assert clipped(np.array(2.0)).clip == 2.0


def test_a_tiny_rate_takes_a_huge_finite_number_of_steps():
    # 1 - lr*a rounds to 1: the count is about ln(|e0| / tol) / (lr*a), not a ZeroDivisionError.
    k = steps_to_tolerance(a=2, lr=1e-17, e0=6, tol=0.01)
    assert k == pytest.approx(math.log(600) / 2e-17, rel=1e-12)
    assert steps_to_tolerance(a=1e-200, lr=1e-200, e0=6, tol=0.01) == math.inf  # past a float
    assert saddle_escape_steps(1e-6, 1e-17) == pytest.approx(math.log(0.5e6) / 2e-17, rel=1e-12)


def test_a_tolerance_of_the_smallest_float_is_a_tolerance():
    assert steps_to_tolerance(a=2, lr=0.1, e0=6, tol=5e-324) == 3340
    assert saddle_escape_steps(5e-324, 0.1, threshold=1e300) > 0


def test_a_noise_floor_past_the_largest_float_is_inf():
    assert noise_floor(2, 0.1, 1e200) == math.inf
    assert noise_floor(2, 0.1, 1.0) == pytest.approx(0.1 / (2 * 1.8))


def test_a_run_of_max_steps_is_still_taken():
    import gdcourse.core.descent as descent

    assert descent.MAX_STEPS == MAX_STEPS == 1_000_000  # one name, in the runners' module
    assert schedule_rates(0.1, MAX_STEPS).shape == (MAX_STEPS,)
    assert noisy_runs(SEED, 7.0, 0.1, 10, noise=1.0, seeds=range(3)).losses.shape == (3, 11)


def test_a_course_loss_is_never_slowed_into_the_slow_path(monkeypatch):
    # The per-step guard accepts the course's own losses without the full check.
    import gdcourse.core.descent as descent

    def refuse(*args):
        raise AssertionError("slow path taken")

    monkeypatch.setattr(descent, "_checked_value", refuse)
    monkeypatch.setattr(descent, "_checked_gradient", refuse)
    gradient_descent(SEED, 7.0, 0.1, 50)
    gradient_descent(BOWL, [1.0, 2.0], 0.1, 50, noise=0.5)
    gradient_descent(SADDLE, [1.0, 1e-3], 0.1, 50)
