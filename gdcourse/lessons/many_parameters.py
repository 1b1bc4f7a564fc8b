"""Questions of ``notebooks/04_many_parameters.ipynb`` (gradient magnitude and many parameters),
and its small helpers: normalised and clipped gradient descent, per-direction multipliers,
standardising features and counting steps to a relative tolerance.

Three "predict, then run" checks: the largest stable rate for given curvatures, the best fixed
rate and its contraction factor, and which direction zig-zags.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..core import (
    LinearRegression,
    Quadratic1D,
    QuadraticBowl,
    SaddleWithMinima,
    Trajectory,
    best_fixed_lr,
    contraction_factor,
    gradient_descent,
    make_regression,
    max_stable_lr,
)

LESSON = "many_parameters"

__all__ = [
    "BOWL_EIGENVALUES",
    "SADDLE",
    "SADDLE_W0",
    "SEED_LOSS",
    "STABLE_EIGENVALUES",
    "ZIGZAG_BOWL",
    "ZIGZAG_RATES",
    "clipped_descent",
    "condition_number",
    "multipliers",
    "normalised_descent",
    "q1",
    "q2",
    "q3",
    "scaled_regression",
    "standardise",
    "steps_to_relative_tolerance",
    "zigzag_direction",
]

#: Section 1: the example of lesson 03, (w - 3)^2 from w = 7.
SEED_LOSS = Quadratic1D(a=2, c=3)
#: Section 1: a start just off the saddle of x^2 - y^2 + y^4/2.
SADDLE = SaddleWithMinima()
SADDLE_W0 = (1.0, 1e-6)


# -- runners ---------------------------------------------------------------------------------
def _check_rate(name: str, value: Any) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _run(loss: Any, w0: ArrayLike, lr: float, steps: int, scale, tol: float) -> Trajectory:
    """Steps ``w <- w - lr * scale(|g|) * g``; stops once ``|g| <= tol``."""
    lr = _check_rate("lr", lr)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    w = np.asarray(w0, dtype=float)
    weights, losses, norms = [w], [float(loss.value(w))], []
    g = np.asarray(loss.gradient(w), dtype=float)
    norms.append(float(np.linalg.norm(g)))
    status = "max_steps"
    for _ in range(int(steps)):
        if norms[-1] <= tol:
            status = "converged"
            break
        w = w - lr * scale(norms[-1]) * g
        g = np.asarray(loss.gradient(w), dtype=float)
        weights.append(w)
        losses.append(float(loss.value(w)))
        norms.append(float(np.linalg.norm(g)))
        if not (np.all(np.isfinite(w)) and math.isfinite(losses[-1])):
            status = "diverged"
            break
    else:
        if norms[-1] <= tol:
            status = "converged"
    n = len(weights) - 1
    return Trajectory(np.array(weights), np.array(losses), np.array(norms), np.full(n, lr), status)


def normalised_descent(
    loss: Any, w0: ArrayLike, lr: float, steps: int, *, tol: float = 1e-12
) -> Trajectory:
    """Normalised gradient descent ``w <- w - lr * g / |g|``: every step has length ``lr``.

    The gradient's size is thrown away, so the steps do not shrink near the minimum: the run
    cannot settle, and ends hopping around the minimum at a distance of about ``lr``.

    Examples
    --------
    >>> run = normalised_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.5, steps=10)
    >>> run.weights.tolist()
    [7.0, 6.5, 6.0, 5.5, 5.0, 4.5, 4.0, 3.5, 3.0]
    >>> run.status  # it happened to land exactly on the minimum
    'converged'
    """
    return _run(loss, w0, lr, steps, lambda norm: 1.0 / norm, tol)


def clipped_descent(
    loss: Any, w0: ArrayLike, lr: float, steps: int, clip: float, *, tol: float = 1e-10
) -> Trajectory:
    """Gradient descent on the clipped gradient ``g * min(1, clip / |g|)``.

    Gradients longer than ``clip`` are shortened to length ``clip`` (so no step is longer
    than ``lr * clip``); shorter ones are left alone, so near a minimum the run is plain
    gradient descent.

    Examples
    --------
    >>> run = clipped_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.3, steps=3, clip=2.0)
    >>> [round(w, 4) for w in run.weights.tolist()]
    [7.0, 6.4, 5.8, 5.2]
    """
    clip = _check_rate("clip", clip)
    return _run(loss, w0, lr, steps, lambda norm: min(1.0, clip / norm), tol)


def step_lengths(run: Trajectory) -> np.ndarray:
    """The length ``|w_{k+1} - w_k|`` of each step of a run."""
    w = np.asarray(run.weights, dtype=float)
    d = np.diff(w, axis=0)
    return np.abs(d) if d.ndim == 1 else np.linalg.norm(d, axis=1)


# -- many parameters -------------------------------------------------------------------------
def multipliers(eigenvalues: ArrayLike, lr: float) -> np.ndarray:
    """The factor ``1 - lr * lambda_i`` by which one step multiplies the error along each
    eigen-direction of a quadratic.

    Examples
    --------
    >>> multipliers([1, 10], 0.15).round(4).tolist()
    [0.85, -0.5]
    """
    return 1.0 - _check_rate("lr", lr) * np.asarray(eigenvalues, dtype=float)


def zigzag_direction(eigenvalues: ArrayLike, lr: float) -> str:
    """Which eigen-direction of a 2-D bowl changes sign every step: ``"neither"``, ``"steep"``,
    ``"shallow"`` or ``"both"`` (a negative multiplier zig-zags).

    Examples
    --------
    >>> zigzag_direction([1, 20], 0.07), zigzag_direction([1, 20], 0.03)
    ('steep', 'neither')
    """
    lam = np.sort(np.asarray(eigenvalues, dtype=float))
    m = multipliers([lam[0], lam[-1]], lr)
    shallow, steep = bool(m[0] < 0), bool(m[1] < 0)
    return {(False, False): "neither", (False, True): "steep", (True, True): "both"}.get(
        (shallow, steep), "shallow"
    )


def condition_number(loss: Any) -> float:
    """The condition number ``lambda_max / lambda_min`` of a quadratic loss's Hessian."""
    if hasattr(loss, "eigenvalues"):
        lam = np.asarray(loss.eigenvalues, dtype=float)
    else:
        d = loss.shape[0]
        lam = np.linalg.eigvalsh(np.asarray(loss.hessian(np.zeros(d))))
    return float(lam.max() / lam.min())


def hessian_eigenvalues(loss: LinearRegression) -> np.ndarray:
    """The eigenvalues of the (constant) Hessian ``2/N X^T X`` of a linear regression, sorted."""
    return np.linalg.eigvalsh(np.asarray(loss.hessian(np.zeros(loss.n_features))))


def standardise(X: ArrayLike) -> np.ndarray:
    """Each column minus its mean, divided by its standard deviation (``ddof=0``).

    Examples
    --------
    >>> standardise([[1.0, 10.0], [3.0, 30.0]]).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (one row per example), got shape {X.shape}")
    std = X.std(axis=0)
    if np.any(std == 0):
        raise ValueError("a column of X is constant: its standard deviation is 0")
    return (X - X.mean(axis=0)) / std


#: Section 6: make_regression(200, 3, noise=0.1, seed=4), with its last column measured in a
#: unit ten times smaller (so its numbers are ten times larger).
SCALE_COLUMN, SCALE_FACTOR = 2, 10.0


def scaled_regression() -> tuple[LinearRegression, LinearRegression]:
    """The badly scaled regression of section 6, and the same data standardised."""
    X, y, _ = make_regression(200, 3, noise=0.1, seed=4)
    X = X.copy()
    X[:, SCALE_COLUMN] *= SCALE_FACTOR
    return LinearRegression(X, y), LinearRegression(standardise(X), y)


def steps_to_relative_tolerance(
    loss: Any, lr: float, rel_tol: float = 1e-6, max_steps: int = 100_000
) -> int | None:
    """Steps of gradient descent from the origin until ``|w - w*| <= rel_tol * |w0 - w*|``.

    ``None`` if the run does not get there within ``max_steps``.
    """
    d = loss.shape[0]
    target = np.asarray(loss.minimizer, dtype=float)
    n = 64
    while True:  # longer runs only when needed: most runs get there in a few hundred steps
        run = gradient_descent(loss, np.zeros(d), lr=lr, steps=min(n, max_steps), tol=0.0)
        dist = np.linalg.norm(run.weights - target, axis=1)
        within = dist <= rel_tol * dist[0]
        if within.any():
            return int(np.argmax(within))
        if n >= max_steps or run.status == "diverged":
            return None
        n *= 4


# -- q1: the largest stable rate ----------------------------------------------------------------
#: Curvatures along the three axes of a 3-D bowl.
STABLE_EIGENVALUES = (0.5, 2.0, 8.0)

q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="stable_prediction",
    prompt="A 3-D bowl has curvatures 0.5, 2 and 8 along its axes. Below which rate does "
    "gradient descent converge from every start?",
    expected=lambda: max_stable_lr(STABLE_EIGENVALUES),
    misconceptions=(
        Misconception(
            name="smallest curvature",
            answer=lambda: 2 / min(STABLE_EIGENVALUES),
            message="That rate is safe for the flattest direction only. Every direction must "
            "have its multiplier 1 - rate * lambda between -1 and 1: which direction breaks "
            "first as the rate grows?",
        ),
        Misconception(
            name="1/lambda_max",
            answer=lambda: 1 / max(STABLE_EIGENVALUES),
            message="At that rate the steepest direction lands in one step: its multiplier is "
            "0. The question asks where a multiplier reaches -1.",
        ),
        Misconception(
            name="mean curvature",
            answer=lambda: 2 / float(np.mean(STABLE_EIGENVALUES)),
            message="An average curvature does not protect the steepest direction: check its "
            "multiplier 1 - rate * lambda at your rate.",
        ),
        Misconception(
            name="sum of curvatures",
            answer=lambda: 2 / sum(STABLE_EIGENVALUES),
            message="That is safe but too cautious: the directions do not add up. Each has its "
            "own multiplier; find the rate at which the first of them reaches -1.",
        ),
    ),
    hints=(
        "Along each axis the bowl is a 1-D quadratic with its own curvature lambda, and one "
        "step multiplies the error along it by 1 - rate * lambda.",
        "A direction diverges once its multiplier is below -1, i.e. once rate > 2 / lambda. "
        "The run converges only if every direction does.",
    ),
    solution_code="stable_prediction = 2 / 8  # 2 / lambda_max",
    explanation="The steepest direction sets the limit 2/lambda_max; the flat ones would "
    "tolerate far larger rates.",
)

# -- q2: the best fixed rate and its contraction factor --------------------------------------
#: A bowl with curvatures 1 and 9: condition number 9.
BOWL_EIGENVALUES = (1.0, 9.0)


def _best_pair() -> list[float]:
    return [best_fixed_lr(BOWL_EIGENVALUES), contraction_factor(BOWL_EIGENVALUES)]


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="best_prediction",
    prompt="A bowl has curvatures 1 and 9. Give [the best fixed rate, the factor by which the "
    "distance to the minimum shrinks per step at that rate].",
    expected=_best_pair,
    noun="numbers",
    misconceptions=(
        Misconception(
            name="1/lambda_max",
            answer=lambda: [1 / 9, contraction_factor(BOWL_EIGENVALUES, 1 / 9)],
            message="Your rate makes the steep direction land in one step, but leaves the "
            "shallow one crawling. The best rate balances the two: the multipliers of the "
            "flattest and the steepest direction equal in size, opposite in sign.",
        ),
        Misconception(
            name="1/lambda_min",
            answer=lambda: [1.0, contraction_factor(BOWL_EIGENVALUES, 1.0)],
            message="At that rate the steep direction diverges. The best rate balances the "
            "multipliers of the flattest and the steepest direction: equal in size, opposite "
            "in sign.",
        ),
        Misconception(
            name="loss factor",
            answer=lambda: [
                best_fixed_lr(BOWL_EIGENVALUES),
                contraction_factor(BOWL_EIGENVALUES) ** 2,
            ],
            message="Your rate is right; your factor is the one for the loss, which shrinks by "
            "the square of the distance's factor. The question asks about the distance.",
        ),
        Misconception(
            name="1/kappa",
            answer=lambda: [best_fixed_lr(BOWL_EIGENVALUES), 1 - 1 / 9],
            message="Your rate is right. For the factor, compute 1 - rate * lambda for both "
            "directions at that rate and take the larger size.",
        ),
    ),
    hints=(
        "Each direction's multiplier is 1 - rate * lambda. The slower of the two directions "
        "sets the speed: the factor is the larger of |1 - rate * 1| and |1 - rate * 9|.",
        "The best rate makes the two multipliers equal in size and opposite in sign: "
        "1 - rate * 1 = -(1 - rate * 9). Then the factor is (kappa - 1)/(kappa + 1).",
    ),
    solution_code="best_prediction = [2 / (1 + 9), (9 - 1) / (9 + 1)]",
    explanation="The best fixed rate 2/(lambda_min + lambda_max) = 0.2 gives multipliers 0.8 "
    "and -0.8: the distance shrinks by (kappa - 1)/(kappa + 1) = 0.8 per step, the loss by "
    "0.64.",
    points=2,
)

# -- q3: which direction zig-zags -------------------------------------------------------------
#: The narrow valley: curvatures 1 and 20, turned by 30 degrees.
ZIGZAG_BOWL = QuadraticBowl([1.0, 20.0], rotation=math.pi / 6)
ZIGZAG_RATES = (0.03, 0.05, 0.07, 0.095)
ZIGZAG_CHOICES = ("neither", "steep", "shallow", "both")

q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="zigzag_prediction",
    prompt="On the valley with curvatures 1 (shallow) and 20 (steep), which direction zig-zags "
    "(changes sign every step) at each rate: 'neither', 'steep', 'shallow' or 'both'?",
    expected=lambda: {lr: zigzag_direction(ZIGZAG_BOWL.eigenvalues, lr) for lr in ZIGZAG_RATES},
    choices=ZIGZAG_CHOICES,
    key_name="rate",
    confusions={
        ("neither", "steep"): "Compute the steep direction's multiplier 1 - rate * 20: is it "
        "negative at this rate?",
        ("steep", "neither"): "Compute the steep direction's multiplier 1 - rate * 20: a "
        "negative multiplier flips the sign every step.",
        ("steep", "shallow"): "The shallow multiplier 1 - rate * 1 is negative only for rates "
        "above 1. Which multiplier is negative here?",
        ("steep", "both"): "The shallow multiplier 1 - rate * 1 is negative only for rates "
        "above 1, where the steep direction has long diverged.",
        ("neither", "shallow"): "Compute 1 - rate * 1 and 1 - rate * 20: is either negative?",
        ("neither", "both"): "Compute 1 - rate * 1 and 1 - rate * 20: is either negative?",
    },
    hints=(
        "Along each direction one step multiplies the error by 1 - rate * lambda; a negative "
        "multiplier sends it to the other side of the valley's floor every step.",
        "Compute 1 - rate * 1 and 1 - rate * 20 for each rate. Exactly 0 lands in one step, "
        "which is not a zig-zag.",
    ),
    solution_code="zigzag_prediction = {\n"
    + "".join(
        f"    {lr!r}: {zigzag_direction(ZIGZAG_BOWL.eigenvalues, lr)!r},\n" for lr in ZIGZAG_RATES
    )
    + "}",
    explanation="Only the steep direction can zig-zag in a stable run: a negative shallow "
    "multiplier needs a rate above 1/lambda_min, far beyond 2/lambda_max.",
    points=2,
)
