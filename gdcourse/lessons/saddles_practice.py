"""Questions of ``exercises/07_saddles_practice.ipynb``: classifying critical points from the
Hessian's eigenvalues, escape times from a saddle, basins of a tilted double well, and a
classifier for a 2 x 2 Hessian written by the student."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..checks import ChoiceQuestion, FunctionQuestion, Misconception, NumberQuestion, frozen
from ..core import (
    CRITICAL_POINT_KINDS,
    TiltedDoubleWell,
    basin_ends,
    classify_eigenvalues,
    classify_hessian,
    saddle_escape_steps,
)
from .saddles import ESCAPE_THRESHOLD

__all__ = [
    "LABELS",
    "Q1_EIGENVALUES",
    "Q2_LR",
    "Q2_Y0S",
    "Q3_LR",
    "Q3_STARTS",
    "Q3_WELL",
    "classify_hessian",
    "q1",
    "q2",
    "q3",
    "q4",
]

LESSON = "saddles_practice"
#: The labels of a critical point, in the order of their codes 0, 1, 2, 3.
LABELS = CRITICAL_POINT_KINDS


# -- q1: classify from eigenvalues ------------------------------------------------------------
Q1_EIGENVALUES = frozen({
    "A": (3.0, 0.5),
    "B": (-1.0, 4.0),
    "C": (-2.0, -0.1),
    "D": (5.0, 0.0),
    "E": (1.0, 2.0, -0.01),
    "F": (-1.0, 0.0, 2.0),
})

q1 = ChoiceQuestion(
    lesson=LESSON,
    name="q1",
    answer_var="kinds",
    prompt="Each critical point below has the Hessian eigenvalues shown. Label each 'minimum', "
    "'maximum', 'saddle' or 'undecided' (a zero eigenvalue with the others all of one sign: "
    "second derivatives cannot tell; both signs make a saddle whatever else is zero). "
    "A dict {'A': label, ...}.",
    expected=lambda: {k: classify_eigenvalues(v) for k, v in Q1_EIGENVALUES.items()},
    choices=LABELS,
    key_name="point",
    confusions={
        ("saddle", "minimum"): "A minimum needs every eigenvalue positive. Check the sign of "
        "each eigenvalue of this point, however small it is.",
        ("saddle", "maximum"): "A maximum needs every eigenvalue negative. Check the sign of "
        "each eigenvalue of this point.",
        ("undecided", "minimum"): "A minimum needs every eigenvalue strictly positive. Is each "
        "eigenvalue of this point above 0?",
        ("maximum", "saddle"): "A saddle needs eigenvalues of opposite signs. Compare the signs "
        "of this point's eigenvalues.",
        ("maximum", "minimum"): "A minimum needs every eigenvalue positive. Check the signs of "
        "this point's eigenvalues.",
        ("saddle", "undecided"): "A zero leaves the second derivatives undecided only when the "
        "other eigenvalues share one sign. Does this point have a direction down and one up?",
    },
    hints=(
        "Look only at the signs: all positive, all negative, mixed, or a zero among them.",
        "Mixed signs, however small one of them, make a saddle.",
    ),
    solution_code="kinds = {'A': 'minimum', 'B': 'saddle', 'C': 'maximum', 'D': 'undecided', "
    "'E': 'saddle', 'F': 'saddle'}",
)


# -- q2: escape times -------------------------------------------------------------------------
Q2_Y0S = (1e-3, 1e-6, 1e-9)
Q2_LR = 0.05

q2 = NumberQuestion(
    lesson=LESSON,
    name="q2",
    answer_var="escape_estimates",
    prompt="On x^2 - y^2 + y^4/2 at rate 0.05, estimate the steps until |y| reaches 0.5 from "
    "y0 = 1e-3, 1e-6 and 1e-9 (a list of three numbers, need not be whole).",
    expected=lambda: [saddle_escape_steps(y0, Q2_LR, threshold=ESCAPE_THRESHOLD) for y0 in Q2_Y0S],
    rtol=0.005,
    estimate_of="steps",
    misconceptions=(
        Misconception(
            name="factor 1 + eta",
            answer=lambda: [math.log(0.5 / y0) / math.log(1 + Q2_LR) for y0 in Q2_Y0S],
            message="Your growth factor misses the 2: near y = 0, dL/dy = -2y, so y is "
            "multiplied by 1 + 2 eta per step.",
        ),
        Misconception(
            name="2 eta for ln(1 + 2 eta)",
            answer=lambda: [math.log(0.5 / y0) / (2 * Q2_LR) for y0 in Q2_Y0S],
            message="You divided by 2 eta instead of ln(1 + 2 eta): solve "
            "y0 (1 + 2 eta)^k = 0.5 for k exactly.",
        ),
        Misconception(
            name="target 1",
            answer=lambda: [math.log(1 / y0) / math.log(1 + 2 * Q2_LR) for y0 in Q2_Y0S],
            message="The target is |y| = 0.5, not 1.",
        ),
        Misconception(
            name="mixed logarithms",
            answer=lambda: [math.log10(0.5 / y0) / math.log(1 + 2 * Q2_LR) for y0 in Q2_Y0S],
            message="Use the same logarithm on top and at the bottom.",
        ),
    ),
    hints=(
        "Solve y0 * (1 + 2 eta)^k = 0.5 for k.",
        "k = ln(0.5 / y0) / ln(1 + 2 * 0.05). Notice the steps added per factor 1000.",
    ),
    solution_code="escape_estimates = [math.log(0.5 / y0) / math.log(1 + 2 * 0.05) "
    "for y0 in (1e-3, 1e-6, 1e-9)]",
    explanation="Each factor 1000 closer to the ridge adds the same ln(1000)/ln(1.1), about 72.5 "
    "steps.",
)


# -- q3: basins of a double well tilted the other way ----------------------------------------
Q3_WELL = TiltedDoubleWell(tilt=-0.8)
Q3_LR, Q3_STEPS = 0.01, 3000
Q3_STARTS = (-1.4, -0.3, -0.15, 0.5)


def _ends(boundary: float) -> list[float]:
    low = min(Q3_WELL.global_minimizer, Q3_WELL.local_minimizer)
    high = max(Q3_WELL.global_minimizer, Q3_WELL.local_minimizer)
    return [low if s < boundary else high for s in Q3_STARTS]


q3 = NumberQuestion(
    lesson=LESSON,
    name="q3",
    answer_var="ends",
    prompt="On TiltedDoubleWell(tilt=-0.8), gradient descent at rate 0.01 from w0 = -1.4, -0.3, "
    "-0.15 and 0.5: where does each run end? A list of four numbers.",
    expected=lambda: basin_ends(Q3_WELL, Q3_STARTS, lr=Q3_LR, steps=Q3_STEPS).tolist(),
    rtol=1e-4,
    atol=1e-4,
    misconceptions=(
        Misconception(
            name="all global",
            answer=lambda: [Q3_WELL.global_minimizer] * len(Q3_STARTS),
            message="Gradient descent only goes downhill from its start; it cannot see the "
            "better minimum beyond the hump. Which starts are on the local minimum's side?",
        ),
        Misconception(
            name="boundary at 0",
            answer=lambda: _ends(0.0),
            message="The basins are divided by the local maximum (well.local_maximizer), not "
            "by w = 0.",
        ),
    ),
    hints=(
        "Compute well.local_maximizer: starts on its left end in the left minimum, starts on its "
        "right in the right one.",
        "Then use well.global_minimizer and well.local_minimizer: which one is on which side?",
    ),
    solution_code="ends = [well.local_minimizer, well.local_minimizer, well.global_minimizer, "
    "well.global_minimizer]",
    points=2,
)


# -- q4: a classifier for a 2 x 2 Hessian -----------------------------------------------------
def _code_of(label: str) -> float:
    return float(LABELS.index(label))


def _as_codes(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda *args: _code_of(fn(*args))


def _wrong(rule: Callable[[np.ndarray], str]) -> Callable[[], Callable[..., Any]]:
    return lambda: _as_codes(lambda h: rule(np.asarray(h, dtype=float)))


def _by_diagonal(h: np.ndarray) -> str:
    return classify_eigenvalues(np.diag(h))


def _by_determinant_only(h: np.ndarray) -> str:
    det = float(np.linalg.det(h))
    return "undecided" if abs(det) < 1e-12 else ("minimum" if det > 0 else "saddle")


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class LabelFunctionQuestion(FunctionQuestion):
    """A :class:`FunctionQuestion` whose function returns a label from ``LABELS``: the reference
    gives each label's position in ``LABELS``, the student's function the label itself."""

    def _read(self, out: Any) -> tuple[np.ndarray | None, str]:
        if isinstance(out, str) and out.strip().lower() in LABELS:
            return np.asarray(float(LABELS.index(out.strip().lower()))), ""
        labels = ", ".join(repr(label) for label in LABELS)
        said = repr(out) if len(repr(out)) <= 40 else type(out).__name__
        return None, f"{self.answer_var} must return one of the labels {labels}, not {said}."

    def _how_close(self) -> str:
        return ""  # a label is right or not: no tolerance to state

    def _shown(self, out: Any, arr: np.ndarray | None) -> str:
        return repr(out) if len(repr(out)) <= 40 else type(out).__name__  # the label itself


_CASES = (
    {"h": [[2.0, 0.0], [0.0, 3.0]]},
    {"h": [[2.0, 0.0], [0.0, -2.0]]},
    {"h": [[-1.0, 0.0], [0.0, -4.0]]},
    {"h": [[1.0, 2.0], [2.0, 1.0]]},
    {"h": [[-2.0, 1.0], [1.0, -2.0]]},
    {"h": [[2.0, 1.0], [1.0, 2.0]]},
    {"h": [[1.0, 1.0], [1.0, 1.0]]},
    {"h": [[-3.0, 2.0], [2.0, -1.0]]},
    # An eigenvalue of about 1e-17, not exactly 0: `lam == 0` does not pass, "within 1e-12" does.
    {"h": [[0.1, 0.3], [0.3, 0.9]]},
    # A small eigenvalue that is not 0 (1e-3): a threshold far above 1e-12 does not pass.
    {"h": [[0.001, 0.0], [0.0, 2.0]]},
    {"h": [[1e-8, 0.0], [0.0, 2.0]]},  # and one of 1e-8: only a threshold near 1e-12 passes
)

q4 = LabelFunctionQuestion(
    lesson=LESSON,
    name="q4",
    answer_var="classify",
    prompt="Write classify(h): for a symmetric 2 x 2 Hessian h (a nested list) return "
    "'minimum', 'maximum', 'saddle' or 'undecided' (an eigenvalue within 1e-12 of 0).",
    reference=lambda h: float(LABELS.index(classify_hessian(h))),
    cases=_CASES,
    trivial=tuple((lambda h, label=label: label) for label in LABELS),  # one label for all
    misconceptions=(
        Misconception(
            name="diagonal only",
            answer=_wrong(_by_diagonal),
            message="You read the curvatures off the diagonal. That is only right when the "
            "off-diagonal entries are 0: in general use the eigenvalues (np.linalg.eigvalsh).",
        ),
        Misconception(
            name="determinant only",
            answer=_wrong(_by_determinant_only),
            message="A positive determinant means both eigenvalues have the same sign, but not "
            "which sign: both negative is a maximum. Look at the trace (or the eigenvalues) too.",
        ),
    ),
    hints=(
        "np.linalg.eigvalsh(np.array(h)) gives the eigenvalues of a symmetric matrix.",
        "Check for a zero eigenvalue first (abs(lam) < 1e-12), then all > 0, all < 0, else mixed.",
    ),
    solution_code="def classify(h):\n"
    "    lam = np.linalg.eigvalsh(np.array(h, dtype=float))\n"
    "    if np.any(np.abs(lam) < 1e-12):\n"
    "        return 'undecided'\n"
    "    if np.all(lam > 0):\n"
    "        return 'minimum'\n"
    "    if np.all(lam < 0):\n"
    "        return 'maximum'\n"
    "    return 'saddle'",
    points=2,
)
