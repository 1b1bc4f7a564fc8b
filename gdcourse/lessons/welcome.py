"""Questions of ``notebooks/00_welcome.ipynb``: a first check that every student can pass."""

from __future__ import annotations

from ..checks import Misconception, NumberQuestion
from ..core import Quadratic1D, gradient_descent

LESSON = "welcome"
LOSS = Quadratic1D(a=2, c=3)  # (w - 3)^2


def _after_one_step() -> float:
    return float(gradient_descent(LOSS, 7.0, lr=0.1, steps=1).weights[1])


q1 = NumberQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="first_step",
    prompt="Where is w after the first step of the run above?",
    expected=_after_one_step,
    misconceptions=(
        Misconception(
            name="start point",
            answer=lambda: 7.0,
            message="That is where the run starts (step 0). The first step moves it.",
        ),
        Misconception(
            name="second step",
            answer=lambda: float(gradient_descent(LOSS, 7.0, lr=0.1, steps=2).weights[2]),
            message="That is w after two steps. Look at the line that says step 1.",
        ),
        Misconception(
            name="the loss",
            answer=lambda: LOSS.value(_after_one_step()),
            message="That is the loss after one step. The question asks for w.",
        ),
    ),
    hints=(
        "Look at the output of the first code cell: the line that starts with `step 1:`.",
        "It is also `run.weights[1]`: position 0 is the start w0, position 1 is after one step.",
    ),
    solution_code="first_step = run.weights[1]  # or type the number printed after 'step 1: w ='",
    explanation="You will see checks like this one throughout the course.",
)
