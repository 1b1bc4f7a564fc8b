"""The one place that calls a student's function for a check (and, later, for grading).

Every call:

- gets its own deep copy of its inputs, so a function that changes them (``X -= X.mean(0)``)
  cannot change a question's cases, its reference or a lesson's data;
- passes its arguments positionally, in the order the prompt writes them, as the notebook calls
  the function (``descent_weights(8, 0.5, 4)``);
- runs once (nothing probes a function before or after its cases);
- has a time limit, ``TIME_LIMIT`` seconds, kept by ``SIGALRM`` in the main thread of a Unix
  process (a kernel's). It cannot interrupt one long call into compiled code that does not
  return to Python (a single huge numpy operation), and there is no limit off the main thread
  or where ``SIGALRM`` does not exist (Windows);
- turns Stop (``KeyboardInterrupt``) into an outcome, never our traceback.

``TIME_LIMIT`` is 5 s: at least 10 times a deliberately slow but correct pure-Python solution of
every function question (the slowest takes under 0.01 s on the course's machines:
``python benchmarks/slow_solutions.py``), with room for a student's slower computer.
"""

from __future__ import annotations

import copy
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TIME_LIMIT", "Call", "call_student", "frozen", "student_traceback"]

#: Seconds a student's function may run for one call of a check.
TIME_LIMIT = 5.0

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


class _TimeUp(BaseException):
    """Raised in the student's code by the alarm. A BaseException, so that a student's
    ``except Exception`` cannot swallow it."""


@dataclass(frozen=True)
class Call:
    """What one call of a student's function did: returned ``value``, raised ``error``, ran past
    the time limit (``timed_out``) or was stopped by the student (``interrupted``)."""

    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def returned(self) -> bool:
        return self.error is None and not self.timed_out and not self.interrupted


def call_student(
    fn: Callable[..., Any], args: Sequence[Any], *, limit: float | None = None
) -> Call:
    """Call ``fn(*deepcopy(args))`` once, within ``limit`` seconds (default ``TIME_LIMIT``),
    and say what happened."""
    limit = TIME_LIMIT if limit is None else limit
    args = copy.deepcopy(tuple(args))
    start = time.perf_counter()
    try:
        with _alarm(limit), np.errstate(all="ignore"):
            value = fn(*args)
    except _TimeUp:
        return Call(timed_out=True, seconds=time.perf_counter() - start)
    except KeyboardInterrupt:
        return Call(interrupted=True, seconds=time.perf_counter() - start)
    except Exception as err:  # the student's own code raised: an outcome, not our error
        return Call(error=err, seconds=time.perf_counter() - start)
    return Call(value=value, seconds=time.perf_counter() - start)


class _alarm:
    """Raise :class:`_TimeUp` in the main thread after ``seconds`` (no-op where impossible)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = (
            hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
        )

    def __enter__(self) -> _alarm:
        if self.active:
            self.previous = signal.signal(signal.SIGALRM, self._ring)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    @staticmethod
    def _ring(signum: int, frame: Any) -> None:
        raise _TimeUp

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def student_traceback(err: BaseException) -> str:
    """The student's error with only the frames of their own code, repeats collapsed as Python
    does (``[Previous line repeated 996 more times]``)."""
    frames = [
        f
        for f in traceback.extract_tb(err.__traceback__)
        if not f.filename.startswith(_PACKAGE_DIR)
    ]
    lines: list[str] = []
    last, repeats = None, 0
    for f in frames:
        if not f.line:
            continue
        line = f"  line {f.lineno}, in {f.name}: {f.line}"
        if line == last:
            repeats += 1
            continue
        if repeats:
            lines.append(_repeated(repeats))
        lines.append(line)
        last, repeats = line, 0
    if repeats:
        lines.append(_repeated(repeats))
    return "\n".join([*lines, "".join(traceback.format_exception_only(err)).strip()])


def _repeated(n: int) -> str:
    return f"  [Previous line repeated {n} more time{'s' if n > 1 else ''}]"


def frozen(value: Any) -> Any:
    """``value`` with every numpy array in it (in dicts, lists and tuples, to any depth) made
    read-only, so that a student's in-place change (``w = ex.W; w -= ...``) raises instead of
    changing a lesson's data. Returns ``value`` itself."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
    elif isinstance(value, dict):
        for v in value.values():
            frozen(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            frozen(v)
    return value

