"""Questions and cards of ``notebooks/10_network.ipynb`` (the learning rate on a real network),
and the settings its sections share.

A 64-32-10 tanh network on scikit-learn's handwritten digits (1,000 training rows, 400 for
validation, 397 for test): its loss starts near ln 10; a range test blows up near 1.9; a sweep
of eight rates over three seeds (precomputed, ``gdcourse.digits.stored_studies``) has a wide
good band and a cliff; the linear scaling rule holds up to batch 256 and breaks at the full
batch; warmup + cosine at equal compute. The maths is the core's (``MLP``, ``range_test``,
``rate_sweep``, ``scaling_study``, ``training_curves``, ``updates_per_epoch``).
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import Card, ChoiceQuestion, Misconception, NumberQuestion
from ..core import updates_per_epoch
from ..digits import (
    EPOCHS,
    MOMENTUM,
    SHARPNESS,
    SPLIT_SIZES,
    SWEEP_BATCH,
    load_digits_split,
    stored_studies,
)

__all__ = [
    "CARDS",
    "FATES",
    "GOOD_ACCURACY",
    "MOMENTUM_LABELS",
    "N_CLASSES",
    "OPTIMIZER_GROUPS",
    "SHARPNESS_RATE",
    "SHARPNESS_RATES",
    "SWEEP_LABELS",
    "q1",
    "q2",
    "q3",
    "q4",
    "q5",
    "q6",
    "q7",
]

LESSON = "network"
N_CLASSES = 10
#: "Good" in this lesson: at least this validation accuracy on every seed after the budget.
GOOD_ACCURACY = 0.94
#: The sweep's rates as the labels a student picks from.
SWEEP_LABELS = ("0.01", "0.03", "0.1", "0.3", "1", "3", "10", "30")
#: What a run at the scaled rate can do (question 3).
FATES = ("trains as well", "trains worse", "blows up")
#: Momentum's sweep rates as labels (question 5).
MOMENTUM_LABELS = ("0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3")
#: Whose good rate moves when the loss is scaled (question 6).
OPTIMIZER_GROUPS = ("sgd", "momentum", "adam", "sgd and momentum", "all three", "none")
#: The rate of question 7, one of the stored sharpness runs' rates.
SHARPNESS_RATES = SHARPNESS["mse_rates"]
SHARPNESS_RATE = 0.13


# -- q1: the loss at the start ------------------------------------------------------------------
def _measured_start() -> float:
    net = load_digits_split().network("train")
    return net.value(net.init(0))


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="start_loss",
    prompt="Before training, the network's 10 scores are all small, so softmax gives every class "
    "a probability of about 1/10. What is the cross-entropy -ln(p) of the true class then? "
    "(A number.)",
    expected=lambda: math.log(N_CLASSES),
    rtol=2e-3,  # 2.3 is ln 10 to the two digits a student reads off
    misconceptions=(
        Misconception(
            name="log base 10",
            answer=lambda: math.log10(N_CLASSES),
            message="That is log base 10. Cross-entropy uses the natural logarithm: -ln(1/10).",
        ),
        Misconception(
            name="the probability itself",
            answer=lambda: 1 / N_CLASSES,
            message="That is the probability p = 1/10. The loss is -ln(p).",
        ),
        Misconception(
            name="the sign",
            answer=lambda: -math.log(N_CLASSES),
            message="A loss of a probability below 1 is positive: -ln(1/10) = +ln 10.",
        ),
        Misconception(
            name="a measured start loss",
            answer=lambda: _measured_start(),
            message="That is near the loss the notebook measures at the start (2.29 for seed 0), "
            "which depends a little on the random weights. The question asks for the loss of "
            "an exactly uniform guess, p = 1/10.",
        ),
    ),
    hints=(
        "With 10 classes and no preference, p = 1/10 for the true class.",
        "ln is the natural logarithm (math.log in Python), and -ln(1/x) = ln x.",
    ),
    solution_code="start_loss = math.log(10)",
    explanation="ln 10 = 2.30: the loss of a network that guesses uniformly. The measured start "
    "is near it; a start far above it would mean the first scores are too large.",
)


# -- q2: the best rate of the sweep -------------------------------------------------------------
def _best_label() -> str:
    best = stored_studies().sweep.best_rate
    return SWEEP_LABELS[[float(label) for label in SWEEP_LABELS].index(best)]


q2 = ChoiceQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="best_rate",
    prompt="The sweep trains the network at the rates 0.01, 0.03, 0.1, 0.3, 1, 3, 10 and 30 (batch "
    "32, 20 epochs, three seeds). The range test blew up near 1.9. Which rate ends with the "
    "highest mean validation accuracy? (One of the rates.)",
    expected=_best_label,
    choices=SWEEP_LABELS,
    confusions={
        ("1", "0.1"): "That is about where the rule of thumb (ten times below the blow-up) lands. "
        "It trains safely, but twenty epochs are a small budget: a larger rate gets further.",
        ("1", "0.3"): "That rate is good, but not the best here: the budget is small, and a rate "
        "closer to the blow-up still trains smoothly.",
        ("1", "3"): "That rate is past the range test's blow-up: the network is thrown off and "
        "ends near chance.",
        ("1", "10"): "That rate is far past the range test's blow-up: every seed is thrown off "
        "and ends near chance.",
        ("1", "30"): "That rate is far past the range test's blow-up: every seed is thrown off "
        "and ends near chance.",
        ("1", "0.01"): "That rate is safe but crawls: twenty epochs at it leave the network far "
        "from trained.",
        ("1", "0.03"): "That rate trains, but slowly: for a budget of twenty epochs a larger rate "
        "gets further.",
    },
    hints=(
        "The range test says where the loss blows up; the best rate for a short budget is often "
        "closer to it than the rule of thumb's tenth.",
        "Past the blow-up no rate trains; below it, a larger rate gets further in 20 epochs.",
    ),
    solution_code="best_rate = '1'",
    explanation="1: about half the blow-up. The rule of thumb's rate (a tenth of it) is safe but "
    "slower; at 3 and above every seed blows up.",
)


# -- q3: the linear scaling rule at the full batch ----------------------------------------------
def _full_batch_fate() -> str:
    s = stored_studies().scaling
    base = float(np.mean(s.scaled_accuracy[0]))
    last, diverged = float(np.mean(s.scaled_accuracy[-1])), bool(s.scaled_diverged[-1].all())
    return FATES[2] if diverged else FATES[0] if last > base - 0.01 else FATES[1]


q3 = ChoiceQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="full_batch_fate",
    prompt="The linear scaling rule: batch 8 at rate 0.025, so batch 1000 (the full batch) at "
    "0.025 x 125 = 3.125, for the same 20 epochs. What happens? Answer 'trains as well', "
    "'trains worse' or 'blows up'.",
    expected=_full_batch_fate,
    choices=FATES,
    confusions={
        ("blows up", "trains as well"): "The rule keeps the noise per epoch the same, but a step "
        "cannot be larger than the loss's curvature allows: compare 3.125 with the largest rate "
        "the range test survived.",
        ("blows up", "trains worse"): "Worse would be a slow run. Compare 3.125 with the largest "
        "rate the range test survived.",
    },
    hints=(
        "Lesson 03: a step past 2 / (the largest curvature) throws the run off, whatever the "
        "batch.",
        "Compare 0.025 x 125 with the largest rate the range test survived.",
    ),
    solution_code="full_batch_fate = 'blows up'",
    explanation="It blows up on every seed: 3.125 is past the stable rates, so the rule breaks "
    "where the scaled rate meets the curvature's limit.",
)


# -- q4: equal compute ---------------------------------------------------------------------------
def _updates() -> int:
    return EPOCHS * updates_per_epoch(SPLIT_SIZES[0], SWEEP_BATCH)


q4 = NumberQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="updates_per_run",
    prompt="Each run of the schedule study trains for 20 epochs on the 1,000 training rows in "
    "batches of 32 (the last batch of an epoch is smaller and is used). How many updates is "
    "that per run? (A whole number.)",
    expected=_updates,
    rtol=0.0,
    atol=0.0,
    misconceptions=(
        Misconception(
            name="the last batch dropped",
            answer=lambda: EPOCHS * (SPLIT_SIZES[0] // SWEEP_BATCH),
            message="The last, smaller batch of each epoch is used too: round 1000 / 32 up.",
        ),
        Misconception(
            name="not rounded",
            answer=lambda: EPOCHS * SPLIT_SIZES[0] / SWEEP_BATCH,
            message="A batch is a whole update: 1000 / 32 = 31.25 means 32 updates an epoch.",
        ),
    ),
    hints=(
        "An epoch is one pass over the 1,000 rows, in batches of 32.",
        "updates_per_epoch(1000, 32) is ceil(1000 / 32); then 20 epochs of them.",
    ),
    solution_code="updates_per_run = 20 * updates_per_epoch(1000, 32)",
    explanation="640: 32 updates an epoch, 20 epochs; the constant rate and the schedule both "
    "take them.",
)


# -- q5: momentum's rate that trains like SGD's best -----------------------------------------
def _momentum_match() -> str:
    """The momentum rate whose long-run step, lr / (1 - mu) (lesson 09), is SGD's best rate."""
    target = (1 - MOMENTUM) * stored_studies().sweep.best_rate
    return MOMENTUM_LABELS[[float(label) for label in MOMENTUM_LABELS].index(round(target, 12))]


q5 = ChoiceQuestion(
    lesson=LESSON,
    name="q5",
    answer_var="momentum_rate",
    prompt="Plain SGD trained best at rate 1. Momentum with mu = 0.9 is swept over 0.001, 0.003, "
    "0.01, 0.03, 0.1, 0.3, 1 and 3 (the same batches, epochs and seeds). On a steady slope its "
    "velocity builds up to 1 / (1 - mu) plain steps (lesson 09). At which of its rates is its "
    "long-run step the same as plain SGD's at 1? (One of the rates.)",
    expected=_momentum_match,
    choices=MOMENTUM_LABELS,
    confusions={
        ("0.1", "1"): "At the same rate momentum's steps build up to 1 / (1 - 0.9) = 10 times "
        "longer than plain SGD's: it moves as SGD at 10 would, far past the blow-up.",
        ("0.1", "3"): "Momentum's steps build up to 10 times the rate's step, so this is like "
        "plain SGD at 30: far past the blow-up.",
        ("0.1", "0.01"): "That divides by 100. The velocity builds up to 1 / (1 - mu) = 10 plain "
        "steps, not 100.",
        ("0.1", "0.3"): "Its long-run step there is 0.3 / (1 - 0.9) = 3, three times plain SGD's "
        "at 1. (Momentum does train well at 0.3, right below its own cliff; the question is "
        "about the step.)",
        ("0.1", "0.03"): "That divides by about 30. The velocity builds up to 1 / (1 - mu) = 10 "
        "plain steps.",
        ("0.1", "0.001"): "That divides by 1000. The velocity builds up to 1 / (1 - mu) = 10 "
        "plain steps.",
        ("0.1", "0.003"): "That divides by about 300. The velocity builds up to 1 / (1 - mu) = 10 "
        "plain steps.",
    },
    hints=(
        "Lesson 09: with the same gradient every step, v settles where v = mu v - lr g.",
        "Solve for v: the long-run step is lr / (1 - mu) times the gradient. Make that SGD's step.",
    ),
    solution_code="momentum_rate = '0.1'",
    explanation="0.1: its velocity builds to 1 / (1 - 0.9) = 10 plain steps, so 0.1 moves like "
    "plain SGD at 1. The sweep bears it out from 0.001 to 0.1: momentum at r ends within a point "
    "of SGD at 10 r. Near the cliff the rule fails: momentum still trains at 0.3, where SGD at 3 "
    "blows up.",
)


# -- q6: whose good rate moves when the loss is scaled ---------------------------------------
q6 = ChoiceQuestion(
    lesson=LESSON,
    name="q6",
    answer_var="rate_moves_for",
    prompt="Multiply the loss by 10: every gradient is 10 times larger. Whose good rate moves? "
    "Answer 'sgd', 'momentum', 'adam', 'sgd and momentum', 'all three' or 'none'.",
    expected=lambda: OPTIMIZER_GROUPS[3],
    choices=OPTIMIZER_GROUPS,
    confusions={
        ("sgd and momentum", "sgd"): "Momentum's step is built from the gradients too: its "
        "velocity is 10 times larger with them.",
        ("sgd and momentum", "momentum"): "Plain SGD's step is the rate times the gradient: 10 "
        "times the gradient is 10 times the step.",
        ("sgd and momentum", "adam"): "Adam is the one whose rate does not move: it divides the "
        "averaged gradient by its own root-mean-square, and the 10 cancels.",
        ("sgd and momentum", "all three"): "Adam divides the averaged gradient by its own "
        "root-mean-square: scale every gradient by 10 and its step does not change.",
        ("sgd and momentum", "none"): "Plain SGD's step is the rate times the gradient: scale the "
        "gradient and the step scales with it.",
    },
    hints=(
        "Write each optimizer's step with the gradient g replaced by 10 g.",
        "Adam's step is m / sqrt(s): what happens to that ratio when every g is 10 g?",
    ),
    solution_code="rate_moves_for = 'sgd and momentum'",
    explanation="SGD and momentum step by the rate times gradients, so their good rates move "
    "ten times lower. Adam's step m / sqrt(s) is the same for 10 g as for g (up to its tiny "
    "eps): its good rate stays where it was.",
)


# -- q7: where the sharpness settles --------------------------------------------------------------
q7 = NumberQuestion(
    lesson=LESSON,
    name="q7",
    answer_var="settles_at",
    prompt="Full-batch gradient descent on the network with the mean-squared error at rate "
    "0.13: the sharpness starts near 22, above lesson 03's limit. Near what value does it "
    "settle and hover? (A number.)",
    expected=lambda: 2 / SHARPNESS_RATE,
    rtol=0.05,  # 2/eta to two digits, or the plateau read off the figure
    atol=0.0,
    noun="sharpness",
    misconceptions=(
        Misconception(
            name="one over the rate",
            answer=lambda: 1 / SHARPNESS_RATE,
            message="That is 1/eta: on a quadratic of that curvature one step lands on the "
            "minimum. Gradient descent stays stable up to twice that curvature.",
        ),
        Misconception(
            name="the start",
            answer=lambda: float(stored_studies().mse_sharpness.sharpness[0, 0]),
            message="That is where the sharpness starts. A sharpness above the stability limit "
            "does not last: the run throws itself to a flatter region.",
        ),
        Misconception(
            name="the rate itself",
            answer=lambda: SHARPNESS_RATE,
            message="That is the rate. The sharpness is a curvature: compare it with lesson "
            "03's limit for the curvature at a given rate.",
        ),
        Misconception(
            name="two times the rate",
            answer=lambda: 2 * SHARPNESS_RATE,
            message="Lesson 03's limit is 2 divided by the rate, not 2 times it.",
        ),
        *(
            Misconception(
                name=f"2/eta at {lr:g}",
                answer=lambda lr=lr: 2 / lr,
                message=f"That is 2/eta for the rate {lr:g}, another of the runs; this question's "
                f"rate is {SHARPNESS_RATE:g}.",
            )
            for lr in SHARPNESS_RATES
            if lr != SHARPNESS_RATE
        ),
        Misconception(
            name="the sign",
            answer=lambda: -2 / SHARPNESS_RATE,
            message="The sharpness here is the largest eigenvalue, a curvature that is positive: "
            "drop the minus sign.",
        ),
    ),
    hints=(
        "Lesson 03: on a quadratic of curvature a, gradient descent at rate eta is stable "
        "while a is below a limit that depends on eta.",
        "That limit is 2 / eta. Cohen et al. found the sharpness settles about there.",
    ),
    solution_code="settles_at = 2 / 0.13",
    explanation="About 2 / 0.13 = 15.4: the sharpness comes to lesson 03's limit and hovers "
    "about it, while the loss keeps falling, not monotonically.",
)


# -- the lesson's flashcards -------------------------------------------------------------------
def _first_blow_up(sweep) -> str:
    """The smallest rate of a sweep at which every seed diverged, as the text shows it."""
    return f"{sweep.rates[sweep.diverged.all(axis=1)][0]:g}"


def _cards() -> tuple[Card, ...]:
    studies = stored_studies()
    sweep, scaling = studies.sweep, studies.scaling
    slow = 100 * sweep.accuracy[list(sweep.rates).index(0.01)]
    kept = 100 * float(scaling.fixed_accuracy[-1].max())
    plain, default = (_first_blow_up(s) for s in (studies.sklearn, studies.sklearn_defaults))
    return (
        Card(
            question="Why does the network's loss start near 2.3 on ten classes?",
            answer="Small random weights give small scores, softmax spreads the probability "
            "about evenly, and $-\\ln(1/10) = \\ln 10 \\approx 2.30$.",
            topic="10 the start",
        ),
        Card(
            question="Read a range test on a network: what do you pick, and what do you do next?",
            answer="Find the rate where the smoothed loss blows up and start about ten times "
            "below it; then check the pick by training. On the digits that start is safe, and a "
            "sweep finds a rate about five times larger that is better for a short budget.",
            topic="10 range test",
        ),
        Card(
            question="The U-curve of a real network: what is at each end?",
            answer=f"Too small crawls (0.01 ends at about {slow.min():.0f}% to "
            f"{slow.max():.0f}%, far from the best); too "
            "large throws the network off: past the blow-up every seed ends near chance. In "
            "between, a wide band of good rates.",
            topic="10 U-curve",
        ),
        Card(
            question="The linear scaling rule: what does it say, and where does it break?",
            answer="Multiply the batch by $k$, multiply the rate by $k$: at equal epochs the "
            "accuracy holds (here from batch 8 to 256). It breaks when the scaled rate passes "
            "the stable rates (batch 1000 at 3.125 blows up). Keeping the rate instead loses: "
            f"{kept:.1f}% at most at the full batch, with 125 times fewer updates.",
            topic="10 scaling",
        ),
        Card(
            question="Warmup + cosine against a constant rate at equal compute: what does it buy "
            "on the digits?",
            answer="Not a better best: at their best rates both end near 97%. It buys a wider "
            "band: peaks of 1.5 still train well, where a constant 1.5 is already chaotic "
            "(it ends differently when the last bits change) and a constant 3 blows up.",
            topic="10 schedule",
        ),
        Card(
            question="Momentum (mu = 0.9) and Adam on the network, each tuned: what changes "
            "against plain SGD?",
            answer="Not the best accuracy: tuned, all three end within a point of each other. "
            "What moves is where the good rates lie: momentum at rate r trains like SGD at 10 r "
            "(its velocity is 1 / (1 - mu) steps) until near its cliff, and Adam's best rate is "
            "a hundred times smaller than SGD's. SGD and momentum go from their best rate "
            "straight over the cliff; Adam first slopes, then falls.",
            topic="10 optimizers",
        ),
        Card(
            question="What does the sharpness do during full-batch gradient descent with the "
            "mean-squared error?",
            answer="It comes to about 2/eta, lesson 03's limit, and hovers there while the loss "
            "keeps falling, not monotonically (Cohen et al. 2021 call it the edge of stability). "
            "With cross-entropy on the digits it falls instead, as the loss goes towards 0.",
            topic="10 sharpness",
        ),
        Card(
            question="Why do scikit-learn's MLPClassifier(solver='sgd') defaults want smaller "
            "rates than plain SGD?",
            answer="Its defaults add momentum 0.9 (Nesterov's): each step builds up to about "
            "1 / (1 - 0.9) = 10 plain steps, so its slow end is ten times lower, and its cliff "
            f"comes at {default} instead of {plain}. With momentum=0 it crawls and blows up "
            "where plain SGD does.",
            topic="10 scikit-learn",
        ),
    )


CARDS = _cards()
