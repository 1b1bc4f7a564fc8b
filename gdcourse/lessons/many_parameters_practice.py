"""Questions of ``solutions/04_many_parameters_practice.ipynb``: per-direction multipliers, the
stability bound and the best rate of a bowl given by its matrix, a student's ``normalise(X)``,
and the condition number before and after standardising."""

from __future__ import annotations

import math

import numpy as np

from ..checks import FunctionQuestion, Misconception, NumberQuestion
from ..core import (
    LinearRegression,
    QuadraticBowl,
    best_fixed_lr,
    condition_number,
    contraction_factor,
    make_regression,
    max_stable_lr,
    multipliers,
    standardise,
)

LESSON = "many_parameters_practice"

__all__ = [
    "BOWL",
    "EIGENVALUES",
    "MATRIX",
    "RATE",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "scaled_data",
    "scaled_losses",
]

#: q1: curvatures of a 3-D bowl and a rate.
EIGENVALUES = (2.0, 5.0, 10.0)
RATE = 0.15
#: q2, q3: a bowl 1/2 w^T A w given by its matrix A, as the exercise shows it...
MATRIX = np.array([[5.0, 2.0], [2.0, 2.0]])
MATRIX.setflags(write=False)  # a student's in-place change cannot reach the checks
#: ... and the same bowl by its curvatures 1 and 6 along the axes (1, -2) and (2, 1): its
#: ``matrix`` is MATRIX (the tests check it).
BOWL = QuadraticBowl([1.0, 6.0], rotation=math.atan2(-2.0, 1.0))


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="multipliers_list",
    prompt="The multiplier 1 - rate * lambda of each direction, curvatures 2, 5, 10, rate 0.15.",
    expected=lambda: multipliers(EIGENVALUES, RATE),
    noun="multipliers",
    misconceptions=(
        Misconception(
            name="sign flipped",
            answer=lambda: -multipliers(EIGENVALUES, RATE),
            message="Every sign is flipped: the multiplier is 1 - rate * lambda, not "
            "rate * lambda - 1.",
        ),
        Misconception(
            name="loss factors",
            answer=lambda: multipliers(EIGENVALUES, RATE) ** 2,
            message="Those are the factors for the loss along each direction (squares). The "
            "question asks for the error's multiplier, which can be negative.",
        ),
        Misconception(
            name="rate times lambda",
            answer=lambda: RATE * np.asarray(EIGENVALUES),
            message="You computed rate * lambda; the multiplier is what remains of the error: "
            "subtract that from 1.",
        ),
    ),
    hints=(
        "Along each eigen-direction the error is multiplied by 1 - rate * lambda per step.",
        "Compute 1 - 0.15 * 2, 1 - 0.15 * 5 and 1 - 0.15 * 10.",
    ),
    solution_code="multipliers_list = [1 - 0.15 * lam for lam in (2, 5, 10)]",
)

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="largest_stable_rate",
    prompt="The stability limit 2/lambda_max of the bowl 1/2 w^T A w with A = [[5, 2], [2, 2]].",
    expected=lambda: max_stable_lr(BOWL.eigenvalues),
    misconceptions=(
        Misconception(
            name="diagonal",
            answer=lambda: 2 / MATRIX.diagonal().max(),
            message="The diagonal entries are the curvatures along the x- and y-axes, but this "
            "bowl is turned: its curvatures are the eigenvalues of A.",
        ),
        Misconception(
            name="lambda_min",
            answer=lambda: 2 / BOWL.eigenvalues.min(),
            message="That rate only keeps the flattest direction stable. Which direction breaks "
            "first as the rate grows?",
        ),
        Misconception(
            name="1/lambda_max",
            answer=lambda: 1 / BOWL.eigenvalues.max(),
            message="At that rate the steepest direction lands in one step (multiplier 0); the "
            "stability limit is where its multiplier reaches -1.",
        ),
    ),
    hints=(
        "The curvatures of the bowl are the eigenvalues of A: np.linalg.eigvalsh(A).",
        "The run is stable while every multiplier 1 - rate * lambda is above -1: rate < "
        "2/lambda_max.",
    ),
    solution_code="largest_stable_rate = 2 / np.linalg.eigvalsh(A).max()",
)

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="best_and_factor",
    prompt="For the same bowl: [the best fixed rate, its contraction factor].",
    expected=lambda: [best_fixed_lr(BOWL.eigenvalues), contraction_factor(BOWL.eigenvalues)],
    noun="numbers",
    misconceptions=(
        Misconception(
            name="diagonal",
            answer=lambda: [
                best_fixed_lr(MATRIX.diagonal()),
                contraction_factor(MATRIX.diagonal()),
            ],
            message="You used the diagonal entries 5 and 2 as curvatures; the curvatures of a "
            "turned bowl are the eigenvalues of A.",
        ),
        Misconception(
            name="loss factor",
            answer=lambda: [
                best_fixed_lr(BOWL.eigenvalues),
                contraction_factor(BOWL.eigenvalues) ** 2,
            ],
            message="Your rate is right; your factor is the loss's (a square). The contraction "
            "factor is for the distance to the minimum.",
        ),
    ),
    hints=(
        "Find the eigenvalues of A first; kappa = lambda_max / lambda_min.",
        "Best rate 2/(lambda_min + lambda_max); contraction factor (kappa - 1)/(kappa + 1).",
    ),
    solution_code="lam = np.linalg.eigvalsh(A)\n"
    "kappa = lam.max() / lam.min()\n"
    "best_and_factor = [2 / (lam.min() + lam.max()), (kappa - 1) / (kappa + 1)]",
    points=2,
)

_CASES = (
    {"X": np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])},
    {"X": np.array([[0.0, 100.0, -1.0], [2.0, 300.0, 1.0], [4.0, 200.0, 3.0], [6.0, 0.0, 5.0]])},
    {"X": np.array([[-2.0], [0.0], [8.0]])},
)

q4 = FunctionQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="normalise",
    prompt="Write normalise(X): each column minus its mean, divided by its standard deviation.",
    reference=standardise,
    cases=_CASES,
    misconceptions=(
        Misconception(
            name="no centring",
            answer=lambda: lambda X: X / X.std(axis=0),
            message="You divided by the standard deviation but did not subtract the mean first.",
        ),
        Misconception(
            name="no scaling",
            answer=lambda: lambda X: X - X.mean(axis=0),
            message="You subtracted the mean; now divide each column by its standard deviation.",
        ),
        Misconception(
            name="variance",
            answer=lambda: lambda X: (X - X.mean(axis=0)) / X.var(axis=0),
            message="You divided by the variance; divide by the standard deviation, its square "
            "root.",
        ),
        Misconception(
            name="ddof 1",
            answer=lambda: lambda X: (X - X.mean(axis=0)) / X.std(axis=0, ddof=1),
            message="You used the sample standard deviation (ddof=1). The course uses "
            "X.std(axis=0), which divides by N.",
        ),
        Misconception(
            name="whole array",
            answer=lambda: lambda X: (X - X.mean()) / X.std(),
            message="You used one mean and one deviation for the whole array. Each column (each "
            "feature) needs its own: pass axis=0.",
        ),
    ),
    hints=(
        "X.mean(axis=0) and X.std(axis=0) give one number per column.",
        "return (X - X.mean(axis=0)) / X.std(axis=0)",
    ),
    solution_code="def normalise(X):\n    return (X - X.mean(axis=0)) / X.std(axis=0)",
    points=2,
)


def scaled_data() -> tuple[np.ndarray, np.ndarray]:
    """q5's data: make_regression(300, 2, seed=7) with the second column multiplied by 100."""
    X, y, _ = make_regression(300, 2, noise=0.1, seed=7)
    X = X.copy()
    X[:, 1] *= 100.0
    return X, y


def scaled_losses() -> tuple[LinearRegression, LinearRegression]:
    """q5's regression on the data of ``scaled_data()``, and on the same data standardised."""
    X, y = scaled_data()
    return LinearRegression(X, y), LinearRegression(standardise(X), y)


q5 = NumberQuestion(
    lesson=LESSON,
    name="q5",
    depends_on=('q4',),
    answer_var="kappas",
    prompt="[condition number of the Hessian 2/N X^T X before, and after standardising X].",
    expected=lambda: [condition_number(loss) for loss in scaled_losses()],
    rtol=1e-4,
    noun="condition numbers",
    misconceptions=(
        Misconception(
            name="cond of X",
            answer=lambda: [math.sqrt(condition_number(loss)) for loss in scaled_losses()],
            message="Those are the condition numbers of X itself (np.linalg.cond(X)), the square "
            "roots of the Hessian's. Use the eigenvalues of 2/N X^T X.",
        ),
        Misconception(
            name="swapped",
            answer=lambda: [condition_number(loss) for loss in scaled_losses()[::-1]],
            message="Your two numbers are in the wrong order: before standardising first.",
        ),
    ),
    hints=(
        "The Hessian of the mean squared error is H = 2/N X^T X; its condition number is "
        "lambda_max / lambda_min of np.linalg.eigvalsh(H).",
        "Compute it for X and for normalise(X).",
    ),
    solution_code="def kappa(X):\n"
    "    lam = np.linalg.eigvalsh(2 / len(X) * X.T @ X)\n"
    "    return lam.max() / lam.min()\n"
    "kappas = [kappa(X), kappa(normalise(X))]",
)
