"""Tables that put a student's function next to the core's numbers, row by row.

``gradient_table`` prints a student's ``grad(x, y)`` beside the central-difference estimate of
the core's ``numerical_gradient`` at each point, and says for each whether they agree: a look at
the answer before ``check()`` gives the verdict (lesson 01 and its exercise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core import numerical_gradient
from ..core.errors import CourseValueError, _check_numbers, _describe, check_loss
from ..core.placeholder import contains_placeholder
from . import calling
from .calling import call_student
from .compare import to_numbers

__all__ = ["gradient_table"]

_POINTS = "a list of (x, y) pairs of finite numbers, e.g. [(1.0, 2.0), (0.0, -1.0)]"
_FILL_IN = "Fill in grad first (replace grad = ____ by your function), then run this cell again."


def gradient_table(grad: Any, loss: Any, points: Sequence[Sequence[float]]) -> None:
    """Print a student's ``grad(x, y)`` next to the central-difference estimate at each point.

    Waits for the blank: while ``grad`` is still ``____`` it says what to fill in. A point where
    ``grad`` raises shows the error and the table goes on; ``agree?`` is ``yes`` when ``grad``
    returns two numbers within ``rtol=1e-5, atol=1e-6`` of the estimate.

    Parameters
    ----------
    grad : callable or ____
        The student's function of ``(x, y)``, returning ``(dL/dx, dL/dy)``.
    loss : Loss
        A loss of two parameters: its ``value`` gives the estimate.
    points : sequence of (x, y)
        Where to compare.

    Examples
    --------
    >>> from gdcourse import QuadraticBowl
    >>> gradient_table(lambda x, y: (x, 3 * y), QuadraticBowl([1.0, 3.0]), [(1.0, 2.0)])
           point               your grad      central difference  agree?
          (1, 2)                  (1, 6)                  (1, 6)  yes
    """
    if contains_placeholder(grad):
        print(_FILL_IN)
        return
    check_loss(loss)
    pairs = _check_numbers("points", points, _POINTS)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or not np.all(np.isfinite(pairs)):
        raise CourseValueError(f"points must be {_POINTS}, got {_describe(points)}")
    print(f"{'point':>12}  {'your grad':>22}  {'central difference':>22}  agree?")
    for x, y in pairs.tolist():
        estimate = np.asarray(numerical_gradient(loss, [x, y]))
        where = f"({x:g}, {y:g})"
        call = call_student(grad, (x, y))  # a copy of the inputs, a time limit, Stop
        if call.timed_out or call.interrupted:
            why = (
                f"did not return within {calling.TIME_LIMIT:g} s: look for a loop that never ends"
                if call.timed_out
                else "was stopped"
            )
            print(f"{where:>12}  your grad {why}; the table stops here.")
            return
        if call.error is not None:  # the student's code: show it, keep going
            print(f"{where:>12}  raised {type(call.error).__name__}: {call.error}")
            continue
        mine, why = to_numbers(call.value, what="two numbers (dL/dx, dL/dy)")
        if mine is None:
            print(f"{where:>12}  {why}")
            continue
        shown = ", ".join(f"{v:.4g}" for v in mine.reshape(-1)[:4])
        if mine.shape != (2,):  # the shape policy of the checks: (2, 1) is not two numbers
            print(
                f"{where:>12}  your grad returned shape {mine.shape} ({shown}); expected two "
                f"numbers, (dL/dx, dL/dy)"
            )
            continue
        ok = bool(np.allclose(mine, estimate, rtol=1e-5, atol=1e-6))
        est = f"({estimate[0]:.4g}, {estimate[1]:.4g})"
        print(f"{where:>12}  {f'({shown})':>22}  {est:>22}  {'yes' if ok else 'NO'}")
