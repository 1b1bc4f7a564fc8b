"""Questions about gradient-descent runs, with the standard misconceptions built in.

``trajectory_question`` declares "the weights (or losses) of N steps of gradient descent" in one
call: the reference, the one-step-too-many reference and the known wrong rules all come from
the core, so a lesson states only the problem and its hints.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import Any

import numpy as np

from ..core import CourseValueError, Quadratic1D
from .misconceptions import (
    ascent_weights,
    correct_weights,
    first_gradient_weights,
    half_gradient_weights,
    loss_as_gradient_weights,
    sequential_weights,
)
from .questions import _ONE_ARRAY, _SAME_ARRAY, FunctionQuestion, Misconception, NumberQuestion

__all__ = [
    "REGIME_WORDS",
    "trajectory_question",
    "update_rule_misconceptions",
    "weights_function_question",
]

_SIGN = (
    "Your weights move away from the minimum: you stepped up the gradient. Gradient descent "
    "subtracts the gradient, w_new = w - lr * dL/dw."
)
_HALF = (
    "Your steps are half as long as they should be. Check the derivative: d/dw (w - c)^2 keeps "
    "a factor 2 from the chain rule."
)
_LOSS = (
    "You subtracted lr times the loss L(w). The update uses the slope dL/dw, not the height L(w)."
)
_FIRST = (
    "Your later steps reuse the gradient at w0: each step must compute the gradient again, at "
    "the point it starts from (the slope changes as w moves)."
)
_SEQ = (
    "You updated the parameters one after another, each using the ones already updated. "
    "Compute the whole gradient at the old point first, then move every parameter at once."
)


_LOSSES_FOR_WEIGHTS = "These are the losses L(w), not the weights w themselves."
_GRADIENTS_FOR_WEIGHTS = (
    "These are the gradients dL/dw at the weights, not the weights w themselves: list w."
)

#: The seed's words for the regimes, which are not the course's labels: each says which labels
#: the course uses instead, and why it has more of them.
REGIME_WORDS = MappingProxyType({
    "oscillating": "'oscillating' is the seed's word for a run that swings from side to side of "
    "the minimum. The course tells two such runs apart: 'oscillating-converging' (each swing is "
    "smaller, so the run converges) and 'bouncing' (each swing keeps its size, forever, as at the "
    "rate 2/a; the seed calls the rate 1.0 on (w - 2)^2 'oscillating', and here it is "
    "'bouncing'). Which does this run do?",
    "converging steadily": "'converging steadily' is the seed's phrase for a run that creeps "
    "towards the minimum from one side; the course's label for it is 'monotone' (and 'one-step' "
    "for a run that lands on the minimum at once).",
    "converging": "Three of the labels converge: 'monotone' (from one side), 'one-step' (at once) "
    "and 'oscillating-converging' (swinging across, closer each time). Which one is it?",
    # Other forms of a label's word, too far apart to read as misspellings:
    "diverge": "Did you mean 'diverging'?",
    "divergent": "Did you mean 'diverging'?",
    "bounce": "Did you mean 'bouncing'?",
})


def _gradients(loss: Any, weights: np.ndarray) -> np.ndarray:
    """The gradient at each of ``weights``, in the weights' shape (one row per point)."""
    with np.errstate(all="ignore"):
        return np.asarray([loss.gradient(w) for w in weights], dtype=float).reshape(weights.shape)


def update_rule_misconceptions(loss: Any) -> list[tuple[str, Callable[..., np.ndarray], str]]:
    """(name, wrong-rule simulator, message) for the mistakes that apply to ``loss``."""
    rules = [
        ("sign flipped", ascent_weights, _SIGN),
        ("loss for gradient", loss_as_gradient_weights, _LOSS),
        ("gradient at w0 reused", first_gradient_weights, _FIRST),
    ]
    if isinstance(loss, Quadratic1D) and loss.a == 2:  # the loss is (w - c)^2
        rules.append(("missing factor 2", half_gradient_weights, _HALF))
    if len(getattr(loss, "shape", ())) == 1 and loss.shape[0] > 1:
        rules.append(("one after another", sequential_weights, _SEQ))
    return rules


def trajectory_question(
    *,
    lesson: str,
    name: str,
    answer_var: str,
    prompt: str,
    loss: Any,
    w0: Any,
    lr: float,
    steps: int,
    quantity: str = "weights",
    hints: tuple[str, ...],
    solution_code: str,
    points: int = 1,
    explanation: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    depends_on: tuple[str, ...] = (),
) -> NumberQuestion:
    """A question whose answer is the ``weights`` or ``losses`` of ``steps`` steps, w0 included."""
    if quantity not in ("weights", "losses"):
        raise CourseValueError(f"quantity must be 'weights' or 'losses', got {quantity!r}")

    def as_quantity(weights: np.ndarray) -> np.ndarray:
        if quantity == "weights":
            return weights
        with np.errstate(all="ignore"):
            return np.asarray(loss.value(weights), dtype=float)

    def run(rule: Callable[..., np.ndarray], n: int) -> Callable[[], np.ndarray]:
        return lambda: as_quantity(rule(loss, w0, lr, n))

    misconceptions = [
        Misconception(name=n, answer=run(rule, steps), message=msg)
        for n, rule, msg in update_rule_misconceptions(loss)
    ]
    right = partial(correct_weights, loss, w0, lr, steps)
    if quantity == "losses":
        misconceptions += [
            Misconception(
                name="weights for losses",
                answer=right,
                message="These are the weights w, not the losses: apply L to each of them.",
            ),
            Misconception(
                name="gradients for losses",
                answer=lambda: _gradients(loss, right()),
                message="These are the gradients dL/dw at the weights, not the losses: apply L "
                "itself to each weight.",
            ),
        ]
    else:
        misconceptions += [
            Misconception(
                name="losses for weights",
                answer=lambda: np.asarray(loss.value(right())),
                message=_LOSSES_FOR_WEIGHTS,
            ),
            Misconception(
                name="gradients for weights",
                answer=lambda: _gradients(loss, right()),
                message=_GRADIENTS_FOR_WEIGHTS,
            ),
        ]
    return NumberQuestion(
        lesson=lesson,
        name=name,
        answer_var=answer_var,
        prompt=prompt,
        hints=hints,
        solution_code=solution_code,
        points=points,
        explanation=explanation,
        misconceptions=tuple(misconceptions),
        expected=run(correct_weights, steps),
        longer=run(correct_weights, steps + 1),
        rtol=rtol,
        atol=atol,
        noun=quantity,
        count_note="w0 included" if quantity == "weights" else "the loss at w0 included",
        starts_with="w0" if quantity == "weights" else "L(w0)",
        depends_on=depends_on,
    )


def weights_function_question(
    *,
    lesson: str,
    name: str,
    answer_var: str,
    prompt: str,
    loss: Any,
    cases: tuple[dict[str, Any], ...],
    hints: tuple[str, ...],
    solution_code: str,
    points: int = 1,
    explanation: str = "",
) -> FunctionQuestion:
    """A student-written ``f(w0, lr, steps)`` returning ``[w0, w1, ..., w_steps]`` on ``loss``."""

    def wrong(rule: Callable[..., np.ndarray]) -> Callable[[], Callable[..., np.ndarray]]:
        return lambda: lambda w0, lr, steps: rule(loss, w0, lr, steps)

    misconceptions = [
        Misconception(name=n, answer=wrong(rule), message=msg)
        for n, rule, msg in update_rule_misconceptions(loss)
    ]
    misconceptions += [
        Misconception(
            name="w0 left out",
            answer=lambda: lambda w0, lr, steps: correct_weights(loss, w0, lr, steps)[1:],
            message="Your list leaves out w0: it should start with the start point, then one "
            "entry per step.",
        ),
        Misconception(
            name="one step too many",
            answer=lambda: lambda w0, lr, steps: correct_weights(loss, w0, lr, steps + 1),
            message="Your list has one step too many: `steps` updates give steps + 1 entries "
            "with w0.",
        ),
        Misconception(
            name="one step too few",
            answer=lambda: lambda w0, lr, steps: correct_weights(loss, w0, lr, max(steps - 1, 0)),
            message="Your list has one step too few: `steps` updates, each appending one "
            "entry after w0, give steps + 1 entries (range(steps) runs `steps` times; "
            "range(1, steps) runs one time fewer).",
        ),
        Misconception(
            name=_ONE_ARRAY,
            answer=lambda: lambda w0, lr, steps: np.repeat(
                correct_weights(loss, w0, lr, steps)[-1:], steps + 1, axis=0
            ),
            message=_SAME_ARRAY,
        ),
        Misconception(
            name="losses for weights",
            answer=lambda: lambda w0, lr, steps: np.asarray(
                loss.value(correct_weights(loss, w0, lr, steps))
            ),
            message=_LOSSES_FOR_WEIGHTS,
        ),
        Misconception(
            name="gradients for weights",
            answer=lambda: lambda w0, lr, steps: _gradients(
                loss, correct_weights(loss, w0, lr, steps)
            ),
            message=_GRADIENTS_FOR_WEIGHTS,
        ),
    ]
    return FunctionQuestion(
        lesson=lesson,
        name=name,
        answer_var=answer_var,
        prompt=prompt,
        hints=hints,
        solution_code=solution_code,
        points=points,
        explanation=explanation,
        misconceptions=tuple(misconceptions),
        reference=partial(correct_weights, loss),
        cases=cases,
        starts_with="w0",
        trivial=(lambda w0, lr, steps: [w0] * (steps + 1),),  # never moves
    )
