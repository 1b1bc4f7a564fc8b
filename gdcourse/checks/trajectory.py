"""Questions about gradient-descent runs, with the standard misconceptions built in.

``trajectory_question`` declares "the weights (or losses) of N steps of gradient descent" in one
call: the reference, the one-step-too-many reference and the known wrong rules all come from
the core, so a lesson states only the problem and its hints.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ..core import CourseValueError, Quadratic1D
from .misconceptions import (
    ascent_weights,
    correct_weights,
    half_gradient_weights,
    loss_as_gradient_weights,
    sequential_weights,
)
from .questions import FunctionQuestion, Misconception, NumberQuestion

__all__ = ["trajectory_question", "update_rule_misconceptions", "weights_function_question"]

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
_SEQ = (
    "You updated the parameters one after another, each using the ones already updated. "
    "Compute the whole gradient at the old point first, then move every parameter at once."
)


def update_rule_misconceptions(loss: Any) -> list[tuple[str, Callable[..., np.ndarray], str]]:
    """(name, wrong-rule simulator, message) for the mistakes that apply to ``loss``."""
    rules = [
        ("sign flipped", ascent_weights, _SIGN),
        ("loss for gradient", loss_as_gradient_weights, _LOSS),
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
    if quantity == "losses":
        misconceptions.append(
            Misconception(
                name="weights for losses",
                answer=lambda: correct_weights(loss, w0, lr, steps),
                message="These are the weights w, not the losses: apply L to each of them.",
            )
        )
    else:
        misconceptions.append(
            Misconception(
                name="losses for weights",
                answer=lambda: np.asarray(loss.value(correct_weights(loss, w0, lr, steps))),
                message="These are the losses L(w), not the weights w themselves.",
            )
        )
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
    )
