"""How figures and explorers say what a run did: the core's status in the core's words
(``Trajectory.phrase``, ``STATUS_PHRASES``), followed by numbers the run recorded.

Nothing here decides how a run ended: ``gradient_descent`` does (``Trajectory.status``), and a
title only adds how many steps were taken and how far the loss (or the gradient's length) moved.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import CourseTypeError, CourseValueError

__all__ = ["count_steps", "finding", "how_it_moved", "run_sentence", "times"]

#: What ``finding`` and ``how_it_moved`` can report, and the words for each.
_QUANTITIES = {"loss": ("losses", "loss"), "gradient": ("grad_norms", "gradient's length")}


def count_steps(n: int) -> str:
    """'1 step' or 'n steps', for readouts and titles.

    >>> count_steps(1), count_steps(20)
    ('1 step', '20 steps')
    """
    return f"{n} step" if n == 1 else f"{n} steps"


def times(ratio: float) -> str:
    """A ratio for a title: two significant digits, thousands separated, large ones as 3e7.

    >>> times(7.45), times(7462.0), times(4.48e7)
    ('7.5', '7,500', '4e7')
    """
    if ratio < 100:
        return f"{ratio:.2g}"
    if ratio < 1e6:
        return f"{float(f'{ratio:.2g}'):,.0f}"
    return f"{ratio:.0e}".replace("e+0", "e").replace("e+", "e")


def _recorded(run: Any, what: str) -> tuple[str, Any]:
    if not all(hasattr(run, name) for name in ("status", "phrase", "losses", "grad_norms")):
        raise CourseTypeError(f"run must be a Trajectory from gradient_descent, got {run!r}")
    if what not in _QUANTITIES:
        raise CourseValueError(f"what must be one of {sorted(_QUANTITIES)}, got {what!r}")
    attribute, words = _QUANTITIES[what]
    return words, getattr(run, attribute)


def how_it_moved(run: Any, what: str = "loss") -> str:
    """How the run's loss (``what="loss"``) or gradient's length (``what="gradient"``) went from
    its first recorded value to its last, in words: "the loss fell 7,500x in 20 steps".

    A description of two recorded numbers, never a verdict on the run (that is its status).

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> how_it_moved(gradient_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.1, steps=20))
    'the loss fell 7,500x in 20 steps'
    """
    words, values = _recorded(run, what)
    start, end = float(values[0]), float(values[-1])
    steps = count_steps(run.n_steps)
    if not (math.isfinite(start) and math.isfinite(end)):
        return f"the numbers overflowed in {steps}"
    if start > 0 and end > 0 and end < start:
        return f"the {words} fell {times(start / end)}x in {steps}"
    if start > 0 and end > start:
        return f"the {words} grew {times(end / start)}x in {steps}"
    if end == start:
        return f"the {words} did not change in {steps}"
    return f"the {words} went from {start:.3g} to {end:.3g} in {steps}"


def finding(run: Any, what: str = "loss") -> str:
    """A plot title that states what the run shows: its status in the core's words, then how
    its loss (or gradient's length) moved, on a second line.

    Examples
    --------
    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> print(finding(gradient_descent(Quadratic1D(a=8, c=3), 7.0, lr=0.3, steps=20)))
    The run diverges
    the loss grew 700,000x in 20 steps
    """
    how = how_it_moved(run, what)
    return f"The run {run.phrase}\n{how}"


def run_sentence(run: Any) -> str:
    """The run's status in the core's words, with the steps it took, for a readout: "after 20
    steps the run has not converged yet".

    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run_sentence(gradient_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.5, steps=20))
    'after 1 step the run converges'
    """
    _recorded(run, "loss")
    return f"after {count_steps(run.n_steps)} the run {run.phrase}"
