"""The numpy-only core of the course: losses, descent runners, schedules, data and theory.

Nothing here imports matplotlib or ipywidgets, so ``import gdcourse`` stays fast.
"""

from .data import make_regression
from .descent import (
    STATUSES,
    MinibatchRun,
    Trajectory,
    gradient_descent,
    gradient_step,
    minibatch_sgd,
)
from .directions import angle_between
from .errors import CourseInputError, CourseTypeError, CourseValueError
from .gradient_check import GradientCheck, check_gradient, numerical_gradient
from .losses import (
    LinearRegression,
    Loss,
    Quadratic1D,
    QuadraticBowl,
    Rosenbrock,
    SaddleWithMinima,
    TiltedDoubleWell,
)
from .placeholder import ____, contains_placeholder
from .random_matrices import fraction_all_positive
from .range_test import RangeTest, range_test, smooth_losses
from .schedules import (
    Schedule,
    constant,
    cosine_decay,
    exponential_decay,
    geometric_growth,
    inverse_time_decay,
    linear_warmup,
    step_decay,
)
from .theory import (
    REGIMES,
    best_fixed_lr,
    contraction_factor,
    error_multiplier,
    max_stable_lr,
    minibatch_gradient_variance,
    noise_floor,
    quadratic_regime,
    saddle_escape_steps,
    steps_to_tolerance,
    updates_per_epoch,
)

__all__ = [
    "REGIMES",
    "STATUSES",
    "CourseInputError",
    "CourseTypeError",
    "CourseValueError",
    "GradientCheck",
    "LinearRegression",
    "Loss",
    "MinibatchRun",
    "Quadratic1D",
    "QuadraticBowl",
    "RangeTest",
    "Rosenbrock",
    "SaddleWithMinima",
    "Schedule",
    "TiltedDoubleWell",
    "Trajectory",
    "____",
    "angle_between",
    "best_fixed_lr",
    "check_gradient",
    "constant",
    "contains_placeholder",
    "contraction_factor",
    "cosine_decay",
    "error_multiplier",
    "exponential_decay",
    "fraction_all_positive",
    "geometric_growth",
    "gradient_descent",
    "gradient_step",
    "inverse_time_decay",
    "linear_warmup",
    "make_regression",
    "max_stable_lr",
    "minibatch_gradient_variance",
    "minibatch_sgd",
    "noise_floor",
    "numerical_gradient",
    "quadratic_regime",
    "range_test",
    "saddle_escape_steps",
    "smooth_losses",
    "step_decay",
    "steps_to_tolerance",
    "updates_per_epoch",
]
