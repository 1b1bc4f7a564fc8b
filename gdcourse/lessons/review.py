"""Cards and questions of ``notebooks/08_review.ipynb`` (the review), and the examples they are
about.

Every number on a card is computed by the core, never typed in: the seed's three flashcards, one
card per lesson (00 to 07), and a mixed quiz of six auto-checked questions.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import Card, ChoiceQuestion, Misconception, NumberQuestion
from ..checks.trajectory import REGIME_WORDS, trajectory_question
from ..core import (
    REGIMES,
    AbsoluteValue,
    Quadratic1D,
    TwoVariableLoss,
    batch_variance,
    best_fixed_lr,
    contraction_factor,
    escape_steps_simulated,
    gradient_descent,
    gradient_step,
    max_stable_lr,
    noise_floor,
    one_after_another,
    quadratic_regime,
    saddle_escape_steps,
    updates_per_epoch,
)
from .saddles import ESCAPE_THRESHOLD, SADDLE

LESSON = "review"

__all__ = [
    "ABS_LOSS",
    "ABS_LR",
    "ABS_STEPS",
    "ABS_W0",
    "CARDS",
    "FLAT_A",
    "LESSON_CARDS",
    "Q3_EIGENVALUES",
    "REGIME_PAIRS",
    "SAME_RATE",
    "SEED_CARDS",
    "STEEP_A",
    "SWEEP_STEPS",
    "SWEEP_W0",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
]


# -- the seed's flashcards --------------------------------------------------------------------
#: The first card's step: w = 5, dL/dw = -3, rate 0.1.
SEED_W0, SEED_SLOPE, SEED_LR = 5.0, -3.0, 0.1
#: The mini-batch card's example: a million examples in batches of 128.
BIG_N, BIG_B = 1_000_000, 128
#: The saddle card's example: y0 = 1e-6 at rate 0.1 on lesson 07's SADDLE from x = 1, escaped
#: at lesson 07's ESCAPE_THRESHOLD, |y| >= 0.5.
SADDLE_Y0, SADDLE_LR = 1e-6, 0.1

SEED_CARDS = (
    Card(
        question="A network has a parameter $w = 5$. The gradient is $dL/dw = -3$. With learning "
        "rate $\\eta = 0.1$, what is $w$ after one gradient descent step, and in which direction "
        "did $w$ move?",
        answer=f"$w_\\text{{new}} = 5 - 0.1 \\cdot (-3) = "
        f"{gradient_step(SEED_W0, SEED_SLOPE, lr=SEED_LR):g}$. It moved "
        "<b>right</b> (up by 0.3): the gradient is negative, so the loss falls as $w$ grows, and "
        "the step $-\\eta\\, dL/dw = +0.3$ goes that way.",
        topic="seed card 1",
    ),
    Card(
        question="Why do practitioners use mini-batches instead of computing the gradient over "
        "the full training set?",
        answer="<ul><li><b>Cost per step</b>: a batch of $B$ examples costs $B/N$ of a "
        "full-batch gradient.</li>"
        f"<li><b>Far more updates per epoch</b>: $\\lceil N/B \\rceil$; with $N$ = 1,000,000 "
        f"and $B = {BIG_B}$ that is {updates_per_epoch(BIG_N, BIG_B):,} updates instead of 1."
        "</li><li><b>The noise is unbiased</b>: on average a batch gradient is the full "
        "gradient, and its variance is $\\frac{\\sigma^2}{B}\\cdot\\frac{N-B}{N-1}$, so it "
        "shrinks as $B$ grows.</li>"
        "<li><b>Hardware parallelism</b>: GPUs and vectorised code process a batch's "
        "examples in parallel, so (until the hardware is full) a batch takes far less than "
        "$B$ times the time of one example.</li></ul>"
        "The seed adds that the noise acts as a regulariser that finds flatter minima: that is "
        "a research hypothesis with some evidence, not a guarantee (lesson 05's toy shows the "
        "mechanism, not the rule).",
        topic="seed card 2",
    ),
    Card(
        question="In high dimensions, are bad local minima the main obstacle for gradient "
        "descent? What happens near a saddle point?",
        answer="At a saddle point the gradient is zero, but some directions go down. Gradient "
        "descent started near one escapes along a downhill direction, <b>slowly at first</b>: on "
        "$x^2 - y^2 + y^4/2$ each step multiplies the small $y$ by $1 + 2\\eta$, so growing to "
        "$|y| = 0.5$ takes about $\\ln(0.5/|y_0|)/\\ln(1+2\\eta)$ steps: "
        f"{saddle_escape_steps(SADDLE_Y0, SADDLE_LR, threshold=ESCAPE_THRESHOLD):.0f} from "
        "$y_0 = 10^{-6}$ at $\\eta = 0.1$ (a real run takes "
        f"{escape_steps_simulated(SADDLE_Y0, SADDLE_LR, threshold=ESCAPE_THRESHOLD, loss=SADDLE)}"
        "). Started <i>exactly</i> on the "
        "saddle's ridge ($y = 0$) it converges to the saddle and never "
        "escapes; gradient noise from mini-batches knocks it off. The seed's claim that bad "
        "local minima are rare for large over-parameterised networks is an empirical "
        "observation, not a theorem: small networks can have them.",
        topic="seed card 3",
    ),
)

# -- one card per lesson ----------------------------------------------------------------------
#: Lesson 00's run: (w - 3)^2 from 7 at rate 0.1.
WELCOME_LOSS, WELCOME_W0, WELCOME_LR = Quadratic1D(a=2, c=3), 7.0, 0.1
#: Lesson 04's example condition number.
KAPPA = 100.0
#: Lesson 02's "every parameter at once" example: L(x, y) = (x + y)^2 from (1, 1), rate 0.1.
PAIR_LOSS = TwoVariableLoss(
    "(x + y)^2", lambda x, y: (x + y) ** 2, lambda x, y: (2 * (x + y), 2 * (x + y))
)
PAIR_W0, PAIR_LR = np.array([1.0, 1.0]), 0.1
PAIR_W0.setflags(write=False)  # a student's in-place change cannot reach the checks
#: Lesson 05's noise-floor example: a = 2, noise 1, rates 0.1 and 0.05.
FLOOR_A, FLOOR_NOISE, FLOOR_LRS = 2.0, 1.0, (0.1, 0.05)


def _lesson_cards() -> tuple[Card, ...]:
    run = gradient_descent(WELCOME_LOSS, WELCOME_W0, lr=WELCOME_LR, steps=2, tol=0.0)
    w, loss = run.weights, run.losses
    at_once, seq = (
        gradient_descent(PAIR_LOSS, PAIR_W0, lr=PAIR_LR, steps=1, update=rule).final_weights
        for rule in (None, one_after_another())
    )
    floors = [noise_floor(FLOOR_A, lr, FLOOR_NOISE) for lr in FLOOR_LRS]
    return (
        Card(
            question="Lesson 00. Gradient descent on $(w-3)^2$ from $w = 7$ at $\\eta = 0.1$: "
            "what are $w$ and the loss after one and two steps?",
            answer=f"$w$: {w[0]:g} → {w[1]:g} → {w[2]:g}; loss: {loss[0]:g} → {loss[1]:g} → "
            f"{loss[2]:g}. Each step moves toward the minimum at 3, and "
            "<code>run.weights[0]</code> is the start, not step 1.",
            topic="00 welcome",
        ),
        Card(
            question="Lesson 01. Why is the gradient perpendicular to the level sets (contour "
            "lines) of the loss?",
            answer="The rate of change of $L$ along a unit direction $u$ is "
            "$\\nabla L \\cdot u = |\\nabla L|\\cos\\theta$. Along a level set $L$ does not "
            "change, so $\\cos\\theta = 0$: the gradient is perpendicular to it. The rate is "
            "largest at $\\theta = 0$, which is why $\\nabla L$ is the direction of steepest "
            "ascent.",
            topic="01 gradient",
        ),
        Card(
            question="Lesson 02. What does “update every parameter at once” mean, and does it "
            "matter?",
            answer="$\\theta_\\text{new} = \\theta - \\eta \\nabla L(\\theta)$ with the whole "
            "gradient computed at the <i>old</i> point. Updating one parameter after another is "
            f"a different algorithm: on $(x+y)^2$ from $(1, 1)$ at $\\eta = 0.1$, all at once "
            f"gives $({at_once[0]:g}, {at_once[1]:g})$, $x$ first then $y$ gives "
            f"$({seq[0]:g}, {seq[1]:g})$.",
            topic="02 update rule",
        ),
        Card(
            question="Lesson 03. On $\\frac a2 (w-c)^2$, what does one step do to $w - c$, and "
            "what are the five regimes?",
            answer="It multiplies $w - c$ by $1 - \\eta a$. Monotone for $\\eta < 1/a$; one step "
            "at $\\eta = 1/a$; oscillating but converging for $1/a < \\eta < 2/a$; bouncing "
            "forever at $\\eta = 2/a$; diverging above $2/a$. The curvature $a$, not the size of "
            "the gradient, sets the safe rate.",
            topic="03 learning rate",
        ),
        Card(
            question="Lesson 04. With many parameters, what limits the speed of gradient "
            "descent on a quadratic, and what is the cure?",
            answer="The condition number $\\kappa = \\lambda_\\max/\\lambda_\\min$: the rate must "
            "stay below $2/\\lambda_\\max$, and even the best fixed rate "
            "$2/(\\lambda_\\min+\\lambda_\\max)$ only shrinks the error by "
            "$(\\kappa-1)/(\\kappa+1)$ per step: "
            f"{contraction_factor([1.0, KAPPA]):.4f} for $\\kappa = {KAPPA:g}$. Standardising "
            "the features (feature scaling) lowers $\\kappa$, so far fewer steps are needed.",
            topic="04 many parameters",
        ),
        Card(
            question="Lesson 05. How noisy is a mini-batch gradient, and what does the noise do "
            "to a run at a constant rate?",
            answer="Its variance is $\\frac{\\sigma^2}{B}\\cdot\\frac{N-B}{N-1}$: four times the "
            "batch, a quarter of the variance (for $B \\ll N$). At a constant rate the run does "
            "not settle at the minimum but at a <b>noise floor</b> that grows with the rate: on "
            f"$a = 2$ with noise 1 it is {floors[0]:.4f} at $\\eta = {FLOOR_LRS[0]:g}$ and "
            f"{floors[1]:.4f} at $\\eta = {FLOOR_LRS[1]:g}$.",
            topic="05 SGD",
        ),
        Card(
            question="Lesson 06. Why decay the learning rate, when is a schedule enough for SGD "
            "to converge, and what does a learning-rate range test show?",
            answer="A constant rate leaves a noise floor; a decaying rate lowers it. The "
            "Robbins–Monro conditions $\\sum_k \\eta_k = \\infty$ (the steps can still reach "
            "anywhere) and $\\sum_k \\eta_k^2 < \\infty$ (the noise adds up to something finite), "
            "met by $\\eta_k = \\eta_0/(1+k)$ (not by a constant or an exponential decay), are "
            "enough for SGD to converge, but not required ($\\eta_0/\\sqrt{1+k}$ breaks the second "
            "and still converges in mean square), and they promise no speed: with exact gradients "
            "$\\eta_0/(1+k)$ shrinks the error on a quadratic only like $k^{-\\eta_0 a}$, and with "
            "noise its mean squared error falls like $1/k$ only if $\\eta_0 a > 1/2$. A sweep of "
            "fresh runs, one per fixed rate, crosses the start loss at exactly $2/a$ on a "
            "quadratic, where $|1 - \\eta a|$ passes 1. The single-run range test raises the rate "
            "geometrically during mini-batch SGD and smooths the loss; lesson 06's rule of thumb "
            "is a rate about 10 times below where the smoothed loss blows up (passes 4 times its "
            "lowest so far), not the rate of its lowest value: in lesson 06 that one diverges.",
            topic="06 schedules",
        ),
        Card(
            question="Lesson 07. How long does gradient descent take to escape a saddle point?",
            answer="Near the saddle of $x^2 - y^2 + y^4/2$ the downhill coordinate grows by "
            "$1 + 2\\eta$ per step, so the escape takes about "
            "$\\ln(0.5/|y_0|)/\\ln(1 + 2\\eta)$ steps to reach $|y| = 0.5$: it grows only "
            "like the logarithm of $1/|y_0|$, but it is long when the start is very close to the "
            "ridge $y = 0$ and the rate is small. Exactly on the ridge the run converges to the "
            "saddle.",
            topic="07 saddles",
        ),
    )


LESSON_CARDS = _lesson_cards()
CARDS = SEED_CARDS + LESSON_CARDS


# -- q1: a short trajectory (lessons 00 and 02) ------------------------------------------------
Q1_LOSS, Q1_W0, Q1_LR, Q1_STEPS = Quadratic1D(a=2, c=2), 8.0, 0.25, 3

q1 = trajectory_question(
    lesson=LESSON,
    name="q1",
    answer_var="trajectory_prediction",
    prompt="Gradient descent on L(w) = (w - 2)^2 from w = 8 at rate 0.25: list w for 3 steps, "
    "w0 included (4 numbers).",
    loss=Q1_LOSS,
    w0=Q1_W0,
    lr=Q1_LR,
    steps=Q1_STEPS,
    hints=(
        "L'(w) = 2 (w - 2). The first step: 8 - 0.25 * 2 * (8 - 2).",
        "Each step multiplies w - 2 by 1 - 0.25 * 2 = 0.5: the distance to 2 halves.",
    ),
    solution_code="trajectory_prediction = [8.0, 5.0, 3.5, 2.75]",
    explanation="The distance to the minimum halves each step: 6, 3, 1.5, 0.75.",
)

# -- q2: regimes (lesson 03) ------------------------------------------------------------------
REGIME_PAIRS = ((2.0, 0.25), (2.0, 0.5), (2.0, 0.75), (2.0, 1.0), (2.0, 1.5), (40.0, 0.06))

q2 = ChoiceQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="regime_prediction",
    prompt="Name the regime of gradient descent on a/2 (w - c)^2 for each (a, rate) pair: "
    + ", ".join(REGIMES)
    + ".",
    expected=lambda: {(a, lr): quadratic_regime(a, lr) for a, lr in REGIME_PAIRS},
    choices=REGIMES,
    words=REGIME_WORDS,
    key_name="(a, rate)",
    confusions={
        ("diverging", "monotone"): "A small-looking rate is not small by itself: multiply it by "
        "the curvature a. Is 1 - rate * a between -1 and 1?",
        ("diverging", "oscillating-converging"): "The multiplier 1 - rate * a is negative here. "
        "Is it larger than 1 in size?",
        ("oscillating-converging", "monotone"): "Monotone needs the multiplier 1 - rate * a "
        "between 0 and 1. Compute rate * a for this pair: is it below 1?",
        ("oscillating-converging", "diverging"): "The multiplier is negative, but is it larger "
        "than 1 in size?",
        ("one-step", "monotone"): "Compute the multiplier 1 - rate * a exactly.",
        ("bouncing", "diverging"): "Diverging means the distance to c grows every step. Compute "
        "|1 - rate * a| exactly for this pair and compare it with 1.",
        ("bouncing", "oscillating-converging"): "Oscillating-converging needs the distance to c "
        "to shrink every step. Compute |1 - rate * a| exactly for this pair and compare it "
        "with 1.",
        ("monotone", "one-step"): "Compute the multiplier 1 - rate * a: is it exactly 0?",
    },
    hints=(
        "Only the product rate * a matters: compute it for each pair.",
        "The multiplier 1 - rate * a: in (0, 1) monotone; 0 one-step; in (-1, 0) "
        "oscillating-converging; -1 bouncing; below -1 diverging.",
    ),
    solution_code="regime_prediction = {\n"
    + "".join(f"    {(a, lr)!r}: {quadratic_regime(a, lr)!r},\n" for a, lr in REGIME_PAIRS)
    + "}",
    explanation="The products rate * a are "
    + ", ".join(f"{a * lr:.3g}" for a, lr in REGIME_PAIRS)
    + ": the smallest rate, 0.06, diverges, because its curvature is 40.",
    points=2,
)

# -- q3: a sweep blows up above the stability limit (lessons 04 and 06) -------------------------
Q3_EIGENVALUES = (0.5, 2.0, 8.0)
#: The notebook's sweep of this bowl: 100 steps from (1, 1, 1) at each rate.
SWEEP_W0, SWEEP_STEPS = (1.0, 1.0, 1.0), 100

q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="turn_prediction",
    prompt="A quadratic bowl has curvatures (eigenvalues) 0.5, 2 and 8. A sweep runs gradient "
    "descent many steps at each fixed rate. Above which rate does the final loss exceed the "
    "start loss?",
    expected=lambda: max_stable_lr(list(Q3_EIGENVALUES)),
    misconceptions=(
        Misconception(
            name="smallest curvature",
            answer=lambda: max_stable_lr(min(Q3_EIGENVALUES)),
            message="That rate is stable only for the flattest direction. Every direction must "
            "have |1 - rate * lambda| <= 1: which curvature fails first as the rate grows?",
        ),
        Misconception(
            name="Goldilocks",
            answer=lambda: best_fixed_lr(max(Q3_EIGENVALUES)),
            message="At that rate the steepest direction lands in one step (multiplier 0); the "
            "runs still converge at somewhat larger rates. When does |1 - rate * lambda| reach 1?",
        ),
        Misconception(
            name="best fixed rate",
            answer=lambda: best_fixed_lr(list(Q3_EIGENVALUES)),
            message="That is the best fixed rate, 2/(lambda_min + lambda_max), not the stability "
            "limit, past which runs blow up.",
        ),
        Misconception(
            name="a curvature itself",
            answer=lambda: max(Q3_EIGENVALUES),
            message="That is a curvature, not a rate. The stability limit of a direction "
            "with curvature lambda is 2 / lambda.",
        ),
    ),
    hints=(
        "In each eigen-direction one step multiplies the error by 1 - rate * lambda.",
        "A run blows up as soon as one direction has |1 - rate * lambda| > 1: the steepest "
        "direction (lambda = 8) fails first.",
    ),
    solution_code="turn_prediction = 2 / 8",
    explanation="2 / lambda_max: the steepest direction sets the limit for all of them.",
)

# -- q4: the contraction factor (lesson 04) ------------------------------------------------------
Q4_EIGENVALUES = (1.0, 9.0)


def _q4() -> float:
    return contraction_factor(list(Q4_EIGENVALUES))


q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="contraction_prediction",
    prompt="A bowl with curvatures 1 and 9 (condition number 9), at the best fixed rate "
    "2 / (1 + 9): by what factor does the distance to the minimum shrink every step?",
    expected=_q4,
    misconceptions=(
        Misconception(
            name="loss factor",
            answer=lambda: _q4() ** 2,
            message="That is the factor of the loss, which is quadratic in the distance. The "
            "question asks about the distance itself.",
        ),
        Misconception(
            name="1/kappa",
            answer=lambda: 1 / 9,
            message="Write the multipliers 1 - rate * lambda for both directions at this rate: "
            "the larger one in size is the factor.",
        ),
        Misconception(
            name="(kappa - 1)/kappa",
            answer=lambda: 8 / 9,
            message="Close to the form, but compute 1 - rate * lambda with rate = 2/10 for "
            "lambda = 1 and lambda = 9.",
        ),
    ),
    hints=(
        "At rate 2 / (1 + 9) = 0.2 the multipliers are 1 - 0.2 * 1 and 1 - 0.2 * 9.",
        "Both have the same size: (kappa - 1) / (kappa + 1).",
    ),
    solution_code="contraction_prediction = (9 - 1) / (9 + 1)",
    explanation="(kappa - 1)/(kappa + 1) = 0.8: both directions shrink by 0.8 in size, one "
    "from each side.",
)

# -- q5: mini-batch variance (lesson 05) ---------------------------------------------------------
Q5_SIGMA2, Q5_N, Q5_B = 8.0, 100, 25

q5 = NumberQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="variance_prediction",
    prompt="N = 100 examples whose per-example gradients have spread sigma^2 = 8. A batch of "
    "B = 25 is drawn without replacement. What is the variance E|g_B - grad L|^2?",
    expected=lambda: batch_variance(Q5_SIGMA2, Q5_N, Q5_B),
    misconceptions=(
        Misconception(
            name="no finite-population factor",
            answer=lambda: Q5_SIGMA2 / Q5_B,
            message="That is the variance for a batch drawn with replacement. Without "
            "replacement a quarter of the data set is in the batch: one more factor applies.",
        ),
        Misconception(
            name="(N - B)/N",
            answer=lambda: Q5_SIGMA2 / Q5_B * (Q5_N - Q5_B) / Q5_N,
            message="Almost: check the denominator of the finite-population factor.",
        ),
        Misconception(
            name="B squared",
            answer=lambda: Q5_SIGMA2 / Q5_B**2 * (Q5_N - Q5_B) / (Q5_N - 1),
            message="The mean of B independent-ish terms has variance divided by B, not B^2.",
        ),
        Misconception(
            name="standard deviation",
            answer=lambda: math.sqrt(batch_variance(Q5_SIGMA2, Q5_N, Q5_B)),
            message="That is a standard deviation; the question asks for the variance.",
        ),
    ),
    hints=(
        "The formula from lesson 05: sigma^2 / B * (N - B) / (N - 1).",
        "sigma^2 / B = 8 / 25; the finite-population factor is 75 / 99.",
    ),
    solution_code="variance_prediction = 8 / 25 * (100 - 25) / (100 - 1)",
    explanation="About 0.242: the finite-population factor 75/99 trims the 0.32 of a batch "
    "drawn with replacement.",
)

# -- q6: saddle escape (lesson 07) --------------------------------------------------------------
Q6_Y0, Q6_LR, Q6_TARGET = 1e-4, 0.05, 0.1


def _q6() -> int:
    return math.ceil(saddle_escape_steps(Q6_Y0, Q6_LR, threshold=Q6_TARGET))


q6 = NumberQuestion(
    lesson=LESSON,
    name="q6",
    answer_var="escape_prediction",
    prompt="Near the saddle of x^2 - y^2 + y^4/2, each step at rate 0.05 multiplies the small "
    "y by 1 + 2 * 0.05. From y0 = 0.0001, after how many steps is |y| >= 0.1 for the first "
    "time (in this linear approximation)?",
    expected=_q6,
    rtol=0.0,
    atol=0.0,
    misconceptions=(
        Misconception(
            name="one step short",
            answer=lambda: _q6() - 1,
            message="One step short: after that many steps |y| is still just below 0.1. Round up.",
        ),
        Misconception(
            name="factor 1 + rate",
            answer=lambda: math.ceil(math.log(Q6_TARGET / Q6_Y0) / math.log(1 + Q6_LR)),
            message="The slope of -y^2 is -2y, so the factor per step is 1 + 2 * rate, not "
            "1 + rate.",
        ),
        Misconception(
            name="log10 over ln",
            answer=lambda: math.ceil(math.log10(Q6_TARGET / Q6_Y0) / math.log(1 + 2 * Q6_LR)),
            message="Your number mixes logarithm bases: use the same log on top and bottom.",
        ),
        Misconception(
            name="ln over log10",
            answer=lambda: math.ceil(math.log(Q6_TARGET / Q6_Y0) / math.log10(1 + 2 * Q6_LR)),
            message="Your number mixes logarithm bases: use the same log on top and bottom.",
        ),
    ),
    hints=(
        "After k steps |y| = 0.0001 * 1.1**k. Solve 1.1**k >= 1000.",
        "k = ceil(log(1000) / log(1.1)), or count with a loop.",
    ),
    solution_code="escape_prediction = math.ceil(math.log(0.1 / 0.0001) / math.log(1 + 2 * 0.05))",
    explanation="About 72.5, so 73 steps: the escape time grows only like log(1/|y0|), but the "
    "first steps barely move.",
)

#: The notebook's Q&A section: the same rate on a flat and on a steep quadratic.
SAME_RATE, FLAT_A, STEEP_A = 0.1, 0.5, 30.0
#: ... and gradient descent on |w| from 1.05 at rate 0.1 (a kink at the minimum).
ABS_LOSS = AbsoluteValue()
ABS_W0, ABS_LR, ABS_STEPS = 1.05, 0.1, 40
