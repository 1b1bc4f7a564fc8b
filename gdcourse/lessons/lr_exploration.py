"""Questions of ``exercises/03_lr_exploration.ipynb``: the learning-rate exploration.

The seed exercise: L(w) = (w - 2)^2 from w0 = 8 at the rates 0.5, 1.0 and 0.1, plus 1.2, which
the seed leaves out and which is the only one of the four that diverges.
"""

from __future__ import annotations

from ..checks import ChoiceQuestion, Misconception, NumberQuestion
from ..checks.trajectory import REGIME_WORDS, trajectory_question, weights_function_question
from ..core import REGIMES, Quadratic1D, max_stable_lr, quadratic_regime, steps_to_tolerance

LESSON = "lr_exploration"
#: L(w) = (w - 2)^2, i.e. a/2 (w - c)^2 with curvature a = 2 and minimum c = 2.
LOSS = Quadratic1D(a=2, c=2)
W0 = 8.0
STEPS = 4
TOL = 0.01
RATES = (0.5, 1.0, 0.1, 1.2)

_DERIVATIVE_HINT = "The derivative of (w - 2)^2 is 2 (w - 2)."

q1 = weights_function_question(
    lesson=LESSON,
    name="q1",
    answer_var="descent_weights",
    prompt="Write descent_weights(w0, lr, steps): the list [w0, w1, ..., w_steps] of gradient "
    "descent on L(w) = (w - 2)^2.",
    loss=LOSS,
    cases=(
        {"w0": 8.0, "lr": 0.5, "steps": 4},
        {"w0": 8.0, "lr": 0.1, "steps": 3},
        {"w0": -1.0, "lr": 0.25, "steps": 5},
        {"w0": 2.0, "lr": 0.3, "steps": 2},
        {"w0": 8.0, "lr": 1.0, "steps": 0},
        {"w0": 0.123456, "lr": 0.1, "steps": 3},  # many digits: rounding does not pass
    ),
    hints=(
        "Start the list with w0. Then repeat `steps` times: take the last w, compute the "
        "gradient there, and append the new w.",
        f"{_DERIVATIVE_HINT} One update is w_new = w - lr * 2 * (w - 2).",
        "weights = [w0]\nfor _ in range(steps):\n    w = weights[-1]\n    weights.append(...)\n"
        "return weights",
    ),
    solution_code="def descent_weights(w0, lr, steps):\n"
    "    weights = [w0]\n"
    "    for _ in range(steps):\n"
    "        w = weights[-1]\n"
    "        weights.append(w - lr * 2 * (w - 2))\n"
    "    return weights",
    points=2,
)


def _weights_question(name: str, var: str, lr: float, extra_hint: str) -> object:
    return trajectory_question(
        lesson=LESSON,
        name=name,
        answer_var=var,
        prompt=f"The weights of {STEPS} steps at rate {lr} from w0 = 8, w0 included.",
        loss=LOSS,
        w0=W0,
        lr=lr,
        steps=STEPS,
        hints=(
            f"The list has {STEPS + 1} numbers: w0 = 8, then w after each of the {STEPS} steps.",
            f"{_DERIVATIVE_HINT} {extra_hint}",
            f"descent_weights(8, {lr}, {STEPS}) computes it, once q1 is right.",
        ),
        solution_code=f"{var} = descent_weights(8, {lr}, {STEPS})",
        depends_on=("q1",),
    )


q2 = _weights_question("q2", "w_05", 0.5, "At rate 0.5 the first step is 8 - 0.5 * 2 * (8 - 2).")

q3 = trajectory_question(
    lesson=LESSON,
    name="q3",
    answer_var="loss_05",
    prompt=f"The loss at each of the weights of q2 ({STEPS + 1} numbers).",
    loss=LOSS,
    w0=W0,
    lr=0.5,
    steps=STEPS,
    quantity="losses",
    depends_on=("q2",),
    hints=(
        "Apply L(w) = (w - 2)^2 to each weight of w_05.",
        "[(w - 2) ** 2 for w in w_05] does it in one line.",
    ),
    solution_code="loss_05 = [(w - 2) ** 2 for w in w_05]",
)

q4 = _weights_question(
    "q4", "w_10", 1.0, "At rate 1.0 one step is w - 2 (w - 2): see where 8 goes, then again."
)
q5 = _weights_question("q5", "w_01", 0.1, "At rate 0.1 each step removes a fifth of w - 2.")
q6 = NumberQuestion(
    lesson=LESSON,
    name="q6",
    answer_var="steps_needed",
    prompt=f"At rate 0.1, how many steps from w0 = 8 (in total) until |w - 2| <= {TOL}?",
    expected=lambda: steps_to_tolerance(LOSS.a, 0.1, W0 - LOSS.c, TOL),
    rtol=0.0,
    atol=0.0,
    misconceptions=(
        Misconception(
            name="counted after the first four",
            answer=lambda: steps_to_tolerance(LOSS.a, 0.1, W0 - LOSS.c, TOL) - STEPS,
            message=f"That is how many more steps come after the first {STEPS}. This question "
            "asks for the total, counted from w0.",
        ),
        Misconception(
            name="one step off",
            answer=lambda: steps_to_tolerance(LOSS.a, 0.1, W0 - LOSS.c, TOL) - 1,
            message="Close: one step short. Stop at the first step where |w - 2| <= 0.01, and "
            "count that step.",
        ),
        Misconception(
            name="one step over",
            answer=lambda: steps_to_tolerance(LOSS.a, 0.1, W0 - LOSS.c, TOL) + 1,
            message="Close: one step too many. The first step where |w - 2| <= 0.01 is the "
            "one to count up to.",
        ),
    ),
    hints=(
        "Each step at rate 0.1 multiplies the distance w - 2 by 1 - 0.1 * 2 = 0.8.",
        "After k steps the distance is 6 * 0.8**k. Find the smallest whole k with "
        "6 * 0.8**k <= 0.01: try a loop, or take logarithms.",
    ),
    solution_code="steps_needed = 0\nw = 8.0\nwhile abs(w - 2) > 0.01:\n"
    "    w = w - 0.1 * 2 * (w - 2)\n    steps_needed += 1",
    explanation="Each step keeps 0.8 of the distance, so 6 * 0.8**k first drops below 0.01 at "
    "this k: slow but steady.",
    points=2,
)

q7 = _weights_question("q7", "w_12", 1.2, "At rate 1.2 each step multiplies w - 2 by 1 - 2.4.")

q8 = ChoiceQuestion(
    lesson=LESSON,
    name="q8",
    answer_var="regimes",
    prompt="Label each rate's run with its regime: " + ", ".join(REGIMES) + ".",
    expected=lambda: {lr: quadratic_regime(LOSS.a, lr) for lr in RATES},
    choices=REGIMES,
    words=REGIME_WORDS,
    key_name="rate",
    confusions={
        ("bouncing", "diverging"): "Diverging means the distance to 2 grows every step, without "
        "bound. Compare |w - 2| from one step to the next in this rate's weight list.",
        ("bouncing", "oscillating-converging"): "Oscillating-converging needs the distance to 2 "
        "to shrink every step. Compare |w - 2| from one step to the next in this rate's weight "
        "list.",
        ("one-step", "monotone"): "Look at step 1: where does this rate land?",
        ("one-step", "oscillating-converging"): "Look at step 1: where does this rate land?",
        ("monotone", "oscillating-converging"): "Does w ever jump past 2 at this rate?",
        ("diverging", "bouncing"): "Compare the distance to 2 after each step: does it stay the "
        "same?",
        ("diverging", "oscillating-converging"): "It alternates sides, but compare the distance "
        "to 2 after each step.",
    },
    hints=(
        "Look at your weight lists: does w approach 2 from one side, land on it, jump across it "
        "while getting closer, jump across it at the same distance, or run away?",
        "Each step multiplies w - 2 by 1 - 2 * lr. Compute that multiplier for each rate: between "
        "0 and 1, exactly 0, between -1 and 0, exactly -1, or below -1?",
    ),
    solution_code="regimes = {0.5: 'one-step', 1.0: 'bouncing', 0.1: 'monotone', 1.2: 'diverging'}",
    explanation="The multiplier 1 - 2 lr is 0 at 0.5, -1 at 1.0, 0.8 at 0.1 and -1.4 at 1.2.",
    points=2,
)

q9 = NumberQuestion(
    lesson=LESSON,
    name="q9",
    answer_var="boundary_rate",
    prompt="Above which rate does gradient descent on (w - 2)^2 stop converging?",
    expected=lambda: max_stable_lr(LOSS.a),
    misconceptions=(
        Misconception(
            name="one-step rate",
            answer=lambda: 1 / LOSS.a,
            message="That is the rate that lands in one step. Rates a little above it overshoot, "
            "yet still get closer each step. Find where they stop getting closer.",
        ),
        Misconception(
            name="curvature 1",
            answer=lambda: max_stable_lr(1.0),
            message="Check the curvature: (w - 2)^2 = a/2 (w - 2)^2 with a = 2, not 1.",
        ),
    ),
    hints=(
        "The run converges while the multiplier 1 - 2 * lr stays strictly between -1 and 1.",
        "Solve 1 - 2 * lr = -1 for lr: that rate bounces forever, and any larger rate diverges.",
    ),
    solution_code="boundary_rate = 2 / 2  # 2/a with curvature a = 2",
    explanation="It is 2/a with curvature a = 2: the rate 1.0 that bounced between 8 and -4.",
)
