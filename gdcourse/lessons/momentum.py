"""Questions and cards of ``notebooks/09_momentum.ipynb`` (momentum and adaptive rates), and the
bowls, rates and starts they are about.

Heavy ball on a quadratic is stable for ``0 < lr * lambda < 2 (1 + mu)``; at the best tuning
for curvatures in ``[1, 100]`` it shrinks the error a million times in 83 to 95 simulated steps
(the formula's 69 is asymptotic) against plain descent's 691; Nesterov's range shrinks as ``mu``
grows; Adam's path does not change when the loss is multiplied by a factor. The maths is the
core's: ``heavy_ball_limit``, ``nesterov_limit``, ``best_momentum``, ``momentum_radius``,
``steps_to_relative_tolerance`` and ``path_difference``.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import Card, ChoiceQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    QuadraticBowl,
    adam,
    best_momentum,
    heavy_ball_limit,
    momentum,
    nesterov_limit,
    path_difference,
    steps_to_relative_tolerance,
)

__all__ = [
    "ADAM_EIGENVALUES",
    "ADAM_LR",
    "ADAM_STEPS",
    "ADAM_W0",
    "BOWL_EIGENVALUES",
    "CARDS",
    "EPS_SCALES",
    "FAR_ADAM_LR",
    "FAR_EIGENVALUES",
    "FAR_STEPS",
    "FAR_TOL",
    "FAR_W0",
    "FLOOR_A",
    "FLOOR_LAST",
    "FLOOR_LRS",
    "FLOOR_NOISE",
    "FLOOR_SEEDS",
    "FLOOR_STEPS",
    "FLOOR_W0",
    "PATH_TOL",
    "Q1_CURVATURE",
    "Q1_MU",
    "SCALES",
    "SCALE_LABELS",
    "SHRINK",
    "STARTS",
    "bowl_started",
    "q1",
    "q2",
    "q3",
    "scaled_bowl",
]

LESSON = "momentum"

#: The badly conditioned bowl of sections 2 and 3: curvatures 1 and 100 (kappa = 100).
BOWL_EIGENVALUES = (1.0, 100.0)
#: "Shrink the error a million times": the distance to the minimum to 1e-6 of the start's.
SHRINK = 1e6
#: The starts' errors w0 - w*: along the shallow axis (m), the steep one (L), and both.
STARTS = frozen({"along m": (1.0, 0.0), "along L": (0.0, 1.0), "both": (1.0, 1.0)})


def bowl_started(start: str) -> QuadraticBowl:
    """The bowl with curvatures 1 and 100 whose minimum sits so that a run from the origin
    starts with the error ``STARTS[start]`` (``steps_to_relative_tolerance`` starts there)."""
    return QuadraticBowl(BOWL_EIGENVALUES, center=[-x for x in STARTS[start]])


#: Question 1: heavy ball with this momentum on this curvature.
Q1_MU, Q1_CURVATURE = 0.8, 10.0

#: Section 5 (Adam): the bowl, start, rate and horizon; the factors the loss is multiplied by;
#: "unchanged" means no point of the path moves by more than PATH_TOL; the small factors at
#: which eps = 1e-8 starts to matter.
ADAM_EIGENVALUES = (1.0, 100.0)
ADAM_W0 = np.array([1.0, 1.0])
ADAM_W0.setflags(write=False)
ADAM_LR, ADAM_STEPS = 0.01, 200
SCALES = (10.0, 1000.0)
PATH_TOL = 1e-8
EPS_SCALES = (1e-6, 1e-8)


def scaled_bowl(factor: float) -> QuadraticBowl:
    """Section 5's bowl, its loss multiplied by ``factor`` (every curvature times ``factor``)."""
    return QuadraticBowl([factor * x for x in ADAM_EIGENVALUES])


#: Section 6: a well-conditioned bowl started far off along one axis; "there" is within FAR_TOL
#: of the minimum; Adam's rate, and plain descent's 1/L.
FAR_EIGENVALUES = (1.0, 2.0)
FAR_W0 = np.array([10.0, 0.0])
FAR_W0.setflags(write=False)
FAR_TOL, FAR_ADAM_LR, FAR_STEPS = 0.01, 0.1, 5000
#: Section 6: the noise floor at a constant rate, on a = 2 with gradient noise 1 (lesson 05's
#: example), averaged over the last steps of many seeded runs.
FLOOR_A, FLOOR_NOISE, FLOOR_W0, FLOOR_STEPS, FLOOR_LAST = 2.0, 1.0, 1.0, 2000, 500
FLOOR_SEEDS = range(200)
FLOOR_LRS = (0.1, 0.01)


# -- q1: heavy ball's stability limit -------------------------------------------------------------
q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="largest_rate",
    prompt="Heavy ball with momentum mu = 0.8 on a quadratic of curvature lambda = 10: below "
    "which learning rate does it converge? (A number.)",
    expected=lambda: heavy_ball_limit(Q1_MU) / Q1_CURVATURE,
    rtol=1e-6,
    misconceptions=(
        Misconception(
            name="plain descent's limit",
            answer=lambda: 2 / Q1_CURVATURE,
            message="That is plain descent's limit 2/lambda. The velocity changes the 2x2 "
            "system each direction follows: where does its eigenvalue reach -1?",
        ),
        Misconception(
            name="Nesterov's limit",
            answer=lambda: nesterov_limit(Q1_MU) / Q1_CURVATURE,
            message="That is Nesterov's limit, whose gradient is read at the look-ahead "
            "point. Heavy ball reads it where it stands.",
        ),
        Misconception(
            name="the product, not the rate",
            answer=lambda: heavy_ball_limit(Q1_MU),
            message="That bounds lr * lambda. The question asks for the rate itself.",
        ),
        Misconception(
            name="(1 - mu) for (1 + mu)",
            answer=lambda: 2 * (1 - Q1_MU) / Q1_CURVATURE,
            message="Momentum widens the range of stable rates, it does not narrow it. Look at "
            "the sign in front of mu again.",
        ),
    ),
    hints=(
        "Along one direction the error and the velocity follow a 2x2 linear system; it is "
        "stable while lr * lambda < 2 (1 + mu).",
        "Solve lr * 10 = 2 * (1 + 0.8) for lr.",
    ),
    solution_code="largest_rate = 2 * (1 + 0.8) / 10",
    explanation="0.36: almost twice plain descent's 2/lambda = 0.2.",
)


# -- q2: steps to shrink the error a million times, simulated ------------------------------------
def _simulated_steps(start: str) -> tuple[int | None, int | None]:
    """Steps to 1e-6 of the start's distance from ``STARTS[start]``: heavy ball at the best
    tuning, and plain descent at its best rate 2/(m + L)."""
    tuning = best_momentum(BOWL_EIGENVALUES)
    bowl = bowl_started(start)
    plain_lr = 2 / (min(BOWL_EIGENVALUES) + max(BOWL_EIGENVALUES))
    return (
        steps_to_relative_tolerance(bowl, tuning.lr, 1 / SHRINK, update=momentum(tuning.mu)),
        steps_to_relative_tolerance(bowl, plain_lr, 1 / SHRINK),
    )


q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="steps_pair",
    prompt="On the bowl with curvatures 1 and 100, from an error of (1, 1): how many steps until "
    "the distance to the minimum is a millionth of the start's, with heavy ball at the best "
    "tuning and with plain descent at its best rate 2/(1 + 100)? Run both "
    "(steps_to_relative_tolerance) and give the two counts, momentum first.",
    expected=lambda: np.array(_simulated_steps("both"), dtype=float),
    rtol=0.0,
    atol=0.0,
    misconceptions=(
        Misconception(
            name="the formula's counts",
            answer=lambda: np.array(best_momentum(BOWL_EIGENVALUES).steps_to_shrink(SHRINK)),
            message="Those are the formula's counts, ln(10^6)/-ln(radius). The formula is "
            "asymptotic: at the best tuning the error behaves like k r^k and can first grow. "
            "Run the simulation and read the first step within the tolerance.",
        ),
    ),
    hints=(
        "bowl = lesson.bowl_started('both'); tuning = best_momentum([1, 100]); then "
        "steps_to_relative_tolerance(bowl, tuning.lr, 1e-6, update=momentum(tuning.mu)).",
        "For plain descent leave update out and use the rate 2 / 101.",
    ),
    solution_code="steps_pair = [steps_to_relative_tolerance(lesson.bowl_started('both'), "
    "best_momentum([1, 100]).lr, 1e-6, update=momentum(best_momentum([1, 100]).mu)), "
    "steps_to_relative_tolerance(lesson.bowl_started('both'), 2 / 101, 1e-6)]",
    explanation="93 against 691: momentum is about seven times faster here, though slower than "
    "the formula's 69.",
)


# -- q3: which loss scalings change the path? ---------------------------------------------------
SCALE_LABELS = ("none", "10 only", "1000 only", "both")


def _which_change(update_name: str) -> str:
    update = adam() if update_name == "Adam" else None
    changed = [
        path_difference(
            scaled_bowl(1.0), scaled_bowl(f), ADAM_W0, ADAM_LR, ADAM_STEPS, update=update
        )
        > PATH_TOL
        for f in SCALES
    ]
    return SCALE_LABELS[changed[0] + 2 * changed[1]]


q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="scaling_changes",
    prompt="The bowl's loss is multiplied by 10, and by 1000. At the same rate 0.01, over 200 "
    "steps from (1, 1), which of the two scalings change the path (by more than 1e-8 "
    "anywhere)? For 'Adam' and for 'plain descent' answer 'none', '10 only', '1000 only' or "
    "'both': a dict.",
    expected=lambda: {name: _which_change(name) for name in ("Adam", "plain descent")},
    choices=SCALE_LABELS,
    key_name="optimizer",
    confusions={
        ("none", "both"): "Adam divides the averaged gradient by the root of its averaged "
        "square. What happens to that ratio when every gradient is ten times larger?",
        ("both", "none"): "Plain descent's step is the rate times the gradient. Multiply the "
        "loss by 10: what happens to the step, and to lr * lambda?",
        ("both", "1000 only"): "Plain descent's stable rates are below 2/lambda_max. Where is "
        "that for the loss times 10?",
    },
    hints=(
        "Multiplying the loss by c multiplies every gradient by c.",
        "Adam's step is m_hat / (sqrt(s_hat) + eps): c cancels while sqrt(s_hat) >> eps. Plain "
        "descent's step is lr * c * gradient.",
    ),
    solution_code="scaling_changes = {'Adam': 'none', 'plain descent': 'both'}",
    explanation="Adam's step hardly depends on the gradient's magnitude, so its path is "
    "unchanged; plain descent's good rate moves with the factor.",
    points=2,
)


# -- the lesson's flashcards -------------------------------------------------------------------
def _cards() -> tuple[Card, ...]:
    tuning = best_momentum(BOWL_EIGENVALUES)
    with_momentum, plain = tuning.steps_to_shrink(SHRINK)
    simulated = _simulated_steps("both")
    return (
        Card(
            question="Heavy ball: write the update, and say when it is stable on a quadratic.",
            answer="$v \\leftarrow \\mu v - \\eta \\nabla L(w)$, $w \\leftarrow w + v$. Along an "
            "eigen-direction of curvature $\\lambda$ it is stable exactly when "
            "$0 < \\eta\\lambda < 2(1 + \\mu)$: "
            f"{heavy_ball_limit(0.9):.1f} at $\\mu = 0.9$, against plain descent's 2.",
            topic="09 heavy ball",
        ),
        Card(
            question="The best heavy-ball tuning for curvatures in $[m, L]$, and what it buys at "
            "$\\kappa = 100$.",
            answer="$\\eta = 4/(\\sqrt L + \\sqrt m)^2$, "
            "$\\mu = \\left(\\frac{\\sqrt\\kappa - 1}{\\sqrt\\kappa + 1}\\right)^2$: per-step "
            f"factor {tuning.radius:.3f} against {tuning.plain_radius:.3f} for the best plain "
            f"rate. The formula says {with_momentum} steps against {plain} to shrink the error "
            f"a million times; a simulation takes {simulated[0]} (the error first grows).",
            topic="09 best tuning",
        ),
        Card(
            question="Is more momentum always better? What does $\\mu$ close to 1 do?",
            answer="No. Past the best $\\mu$ (at the best rate) the eigenvalues are complex, "
            "of size $\\sqrt\\mu$: the run spirals, and $\\sqrt{0.99} = "
            f"{math.sqrt(0.99):.3f}$ per step is slow.",
            topic="09 too much momentum",
        ),
        Card(
            question="Nesterov's momentum: what changes, and what is its stable range on a "
            "quadratic?",
            answer="The gradient is read at the look-ahead point $w + \\mu v$. Stable for "
            "$0 < \\eta\\lambda < 2(1+\\mu)/(1+2\\mu)$, a range that shrinks as $\\mu$ grows "
            f"({nesterov_limit(0.9):.2f} at $\\mu = 0.9$), while heavy ball's widens; in "
            "exchange, over most of that range, it damps the stiff directions better (not next to "
            "its limit).",
            topic="09 Nesterov",
        ),
        Card(
            question="Multiply the loss by 1000. What happens to Adam's path, and to plain "
            "descent's good rate?",
            answer="Adam's path is unchanged (while $\\sqrt{\\hat s} \\gg \\epsilon$): its "
            "step $\\eta\\,\\hat m/(\\sqrt{\\hat s} + \\epsilon)$ barely depends on the "
            "gradient's magnitude, and early steps move about $\\eta$ per coordinate. Plain "
            "descent's good rate moves 1000 times lower. So $10^{-3}$ is a sensible default "
            "for Adam and means nothing for plain descent until the curvature is known.",
            topic="09 Adam",
        ),
    )


CARDS = _cards()
