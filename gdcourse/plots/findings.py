"""How figures and explorers say what a run did: the core's status in the core's words
(``Trajectory.phrase``, ``STATUS_PHRASES``), followed by numbers the run recorded.

Nothing here decides how a run ended: ``gradient_descent`` does (``Trajectory.status``), and a
title only adds how many steps were taken and how far the loss (or the gradient's length) moved.
"""

from __future__ import annotations

import math
from typing import Any

from ..core import CourseTypeError, CourseValueError

__all__ = ["compared", "count_steps", "finding", "how_it_moved", "run_sentence", "times"]

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

    A ratio that two digits would round to 1 gets the digits that tell it from 1 (up to six):
    "fell 1x" would say that nothing changed.

    >>> times(7.45), times(7462.0), times(4.48e7), times(1.04), times(1.0)
    ('7.5', '7,500', '4e7', '1.04', '1')
    >>> times(99.99999999), times(100.00000001)  # 100 either side of a last-bit difference
    ('100', '100')
    """
    if float(f"{ratio:.2g}") < 100:  # (99.99... rounds to 100: shown as 100, never as 1e+02)
        for digits in range(2, 7):
            text = f"{ratio:.{digits}g}"
            if text != "1" or ratio == 1:
                return text
        return text
    if ratio < 1e6:
        return f"{float(f'{ratio:.2g}'):,.0f}"
    return f"{ratio:.0e}".replace("e+0", "e").replace("e+", "e")


#: Two values closer than this (relatively) differ only by the rounding of the steps between.
SAME_TO = 1e-12


def _about_the_same(ratio: float) -> bool:
    """True when a ratio >= 1 prints as 1 at two digits: "about the same" says it better."""
    return f"{ratio:.2g}" == "1"


def _percent(change: float) -> str:
    return f"{100 * change:.2g}%"


def compared(ours: float, theirs: float, names: tuple[str, str]) -> str:
    """How two recorded levels (losses, distances) compare, in words, true for every value:
    zeros and equal values included ("both end at 0"), and no "1x" for a near tie.

    ``names`` are the two things compared, e.g. ``("the schedule", "the constant rate")``.

    Examples
    --------
    >>> names = ("the schedule", "the constant rate")
    >>> compared(0.0075, 0.107, names)
    'the schedule ends 14x lower than the constant rate'
    >>> compared(0.0, 0.0, names), compared(0.0, 0.1, names)
    ('both end at 0', 'the schedule ends at 0, the constant rate at 0.1')
    >>> compared(0.1, 0.102, names)
    'the schedule and the constant rate end about the same (0.1 and 0.102)'
    """
    ours, theirs = float(ours), float(theirs)
    a, b = names
    if not (math.isfinite(ours) and math.isfinite(theirs)):
        return f"{a} ends at {ours:.3g}, {b} at {theirs:.3g}"
    if ours == theirs:
        return f"both end at {ours:.3g}"
    if ours <= 0 or theirs <= 0:  # a ratio of these says nothing true: the two levels do
        return f"{a} ends at {ours:.3g}, {b} at {theirs:.3g}"
    low, high = min(ours, theirs), max(ours, theirs)
    if _about_the_same(high / low):
        return f"{a} and {b} end about the same ({ours:.3g} and {theirs:.3g})"
    if ours < theirs:
        return f"{a} ends {times(theirs / ours)}x lower than {b}"
    return f"{a} ends {times(ours / theirs)}x higher than {b}"


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
    if end != start and math.isclose(end, start, rel_tol=SAME_TO, abs_tol=0.0):
        # a change in the last digits only (a bouncing run's rounding): no "fell 2.2e-14%"
        return f"the {words} did not change in {steps} (beyond rounding)"
    if start > 0 and end > 0 and end < start:
        if _about_the_same(start / end):
            return f"the {words} fell {_percent(1 - end / start)} in {steps}"
        return f"the {words} fell {times(start / end)}x in {steps}"
    if start > 0 and end > start:
        if _about_the_same(end / start):
            return f"the {words} grew {_percent(end / start - 1)} in {steps}"
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
    steps the run has not converged".

    >>> from gdcourse import Quadratic1D, gradient_descent
    >>> run_sentence(gradient_descent(Quadratic1D(a=2, c=3), 7.0, lr=0.5, steps=20))
    'after 1 step the run converges'
    >>> run_sentence(gradient_descent(Quadratic1D(a=2, c=3), 3.0, lr=1.0, steps=20))
    'the run converges at once: it starts where the gradient is 0, so it never moves'
    """
    _recorded(run, "loss")
    if run.n_steps == 0 and run.status == "converged":  # not "after 0 steps"
        return f"the run {run.phrase} at once: it starts where the gradient is 0, so it never moves"
    return f"after {count_steps(run.n_steps)} the run {run.phrase}"
