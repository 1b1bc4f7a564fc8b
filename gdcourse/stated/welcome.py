"""The numbers lesson 00 states (welcome): its notebook and its one-pager.

Every number is the seed's walk on (w - 3)^2 from w = 7 at rate 0.1, whose arithmetic is exact
in decimal (7 - 0.1 * 8 = 6.2, (6.2 - 3)^2 = 10.24): the doubles land within a few ulps of it.
"""

from __future__ import annotations

from functools import cache

from ..core import gradient_descent
from ..lessons import welcome as lesson
from . import given, stated

NOTEBOOK = "notebooks/00_welcome.ipynb"
ONE_PAGER = "docs/lessons/00_welcome.md"

# The run of cell welcome-02 (the lesson module has no constants for them; q1 uses the same).
W0, LR, STEPS = 7.0, 0.1, 2
# The learning-rate explorer of cell welcome-13.
EXPLORER_STEPS = 20


@cache
def _run():
    """The notebook's run: gradient_descent(loss, w0=7.0, lr=0.1, steps=2)."""
    return gradient_descent(lesson.LOSS, W0, lr=LR, steps=STEPS)


NUMBERS = (
    given("00 the seed's learning rate", LR, ".1f", NOTEBOOK, ONE_PAGER),
    stated(
        "00 w after the first step",
        lesson.q1.expected,
        ".1f",
        NOTEBOOK,
        ONE_PAGER,
        exact="7 - 0.1 * 8 = 6.2",
    ),
    stated(
        "00 w after the second step",
        lambda: float(_run().weights[2]),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="6.2 - 0.1 * 6.4 = 5.56",
    ),
    stated(
        "00 the start loss",
        lambda: float(_run().losses[0]),
        ".0f",
        NOTEBOOK,
        ONE_PAGER,
        exact="(7 - 3)^2 = 16",
    ),
    stated(
        "00 the loss after the first step",
        lambda: float(_run().losses[1]),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="(6.2 - 3)^2 = 10.24",
    ),
    stated(
        "00 the loss after the second step",
        lambda: float(_run().losses[2]),
        ".2f",
        NOTEBOOK,
        ONE_PAGER,
        exact="(5.56 - 3)^2 = 6.5536, shown 6.55",
    ),
    given("00 the learning-rate explorer's steps", EXPLORER_STEPS, "d", NOTEBOOK),
)
