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
- turns Stop (``KeyboardInterrupt``), ``exit()`` and any other exception of the student's
  into an outcome, never our traceback.

What it cannot stop, in the student's own process: a function that turns the alarm off
(``signal.setitimer(signal.ITIMER_REAL, 0)``) or catches ``BaseException`` in an endless loop
hangs their own notebook until the kernel is restarted. Grading runs every cell under its own
time limit, outside the check, so neither can hold up a grade.

``TIME_LIMIT`` is 5 s: at least 10 times a deliberately slow but correct pure-Python solution of
every function question (the slowest takes under 0.001 s on the course's machines:
``python benchmarks/slow_solutions.py``), with room for a student's slower computer.
"""

from __future__ import annotations

import copy
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import numpy as np

from ..core.errors import CourseValueError

__all__ = [
    "CHECK_LIMIT",
    "TIME_LIMIT",
    "Call",
    "CourseCalls",
    "call_student",
    "frozen",
    "protect_lesson",
    "student_traceback",
]

#: Seconds a student's function may run for one call of a check.
TIME_LIMIT = 5.0
#: The most one check spends in a student's code over all its inputs, in seconds.
CHECK_LIMIT = 15.0

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


class CourseCalls:
    """Watches a student's function while it runs (``call_student(..., watch=...)``) for calls
    into the course's own answers: any function of ``gdcourse.lessons`` or ``gdcourse.checks``
    (a question's reference, its helpers: module-level functions) and the functions in
    ``forbidden`` (the core function a question asks the student to write). ``hits`` names the
    first such function as "name (from module)", or :data:`TURNED_OFF` if the student's code
    turned the watch off (``sys.setprofile``)."""

    TURNED_OFF = "sys.setprofile (from gdcourse.checks: the watch was turned off)"

    _ROOTS = tuple(
        str(Path(__file__).resolve().parents[1] / part) for part in ("lessons", "checks")
    )

    def __init__(self, forbidden: Sequence[Callable[..., Any]] = ()) -> None:
        self.codes = {getattr(f, "__code__", None) for f in forbidden} - {None}
        self.hits: list[str] = []

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call" and not self.hits:
            code = frame.f_code
            # The course's own module-level functions (a reference, its helpers); a method or a
            # nested function (a dotted name: a lesson's loss class, a check's machinery) is not
            # an answer.
            own = code.co_filename.startswith(self._ROOTS) and "." not in code.co_qualname
            if code in self.codes or own:
                module = frame.f_globals.get("__name__", "gdcourse")
                self.hits.append(f"{code.co_name} (from {module})")

    def __enter__(self) -> CourseCalls:
        self._outer = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        # A call that raised (a RecursionError also drops the hook) is judged by its error.
        if exc_type is None and sys.getprofile() != self._profile and not self.hits:
            self.hits.append(self.TURNED_OFF)
        sys.setprofile(self._outer)


class _NoWatch:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def call_student(
    fn: Callable[..., Any],
    args: Sequence[Any],
    *,
    limit: float | None = None,
    copied: bool = True,
    watch: CourseCalls | None = None,
) -> Call:
    """Call ``fn(*deepcopy(args))`` once, within ``limit`` seconds (default ``TIME_LIMIT``),
    and say what happened. ``copied=False`` passes ``args`` as they are: for reading what a
    student's function returned, whose own ``__float__`` or ``__iter__`` may loop too.
    ``watch`` (a :class:`CourseCalls`) watches the call itself, not the copying."""
    limit = TIME_LIMIT if limit is None else limit
    args = copy.deepcopy(tuple(args)) if copied else tuple(args)
    start = time.perf_counter()
    alarm = _alarm(limit)
    try:
        with alarm, np.errstate(all="ignore"), watch if watch is not None else _NoWatch():
            value = fn(*args)
        if alarm.rang:  # it rang, and something swallowed it: still too long
            return Call(timed_out=True, seconds=_seconds(fn, start))
    except _TimeUp:
        return Call(timed_out=True, seconds=_seconds(fn, start))
    except KeyboardInterrupt:
        return Call(interrupted=True, seconds=_seconds(fn, start))
    except BaseException as err:  # the student's own code raised (exit() too): an outcome
        return Call(error=err, seconds=_seconds(fn, start))
    return Call(value=value, seconds=_seconds(fn, start))


def _seconds(fn: Callable[..., Any], start: float) -> float:
    """How long the call took; for a function replayed while grading (``plain.Recorded``), how
    long it took in the student's process, so a check's time budget ends where it did there."""
    recorded = getattr(fn, "last_seconds", None) if type(fn).__name__ == "Recorded" else None
    return float(recorded) if recorded is not None else time.perf_counter() - start


class _alarm:
    """Raise :class:`_TimeUp` in the main thread after ``seconds`` (no-op where impossible)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = (
            hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
        )

    def __enter__(self) -> _alarm:
        if self.active:
            # An outer alarm (a check run inside a student's function run by a check) is put
            # back on exit, with what was left of it.
            self.outer, _ = signal.getitimer(signal.ITIMER_REAL)
            self.started = time.monotonic()
            self.previous = signal.signal(signal.SIGALRM, self._ring)
            # It rings again every 0.05 s after the limit: code that swallowed the first
            # (numpy drops exceptions raised inside an object's __len__) gets the next.
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.05)
        self.rang = False
        return self

    def _ring(self, signum: int, frame: Any) -> None:
        self.rang = True
        raise _TimeUp

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            if self.outer:
                left = self.outer - (time.monotonic() - self.started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def student_traceback(err: BaseException) -> str:
    """The student's error with only the frames of their own code, repeats collapsed as Python
    does (``[Previous line repeated 996 more times]``)."""
    recorded = getattr(err, "recorded_traceback", None)  # replayed while grading: as it was
    if isinstance(recorded, str) and getattr(err, "from_student", False):
        return recorded
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
    """A read-only version of ``value``, to any depth: numpy arrays made read-only (in place),
    dicts as read-only mappings, lists as tuples. A student's in-place change of a lesson's data
    (``w = ex.W; w -= ...``, ``ex.FLASHCARD["lr"] = 0.2``) then raises instead of changing what
    later checks compare with."""
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
        return value
    if isinstance(value, (dict, MappingProxyType)):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if type(value) is tuple:
        return tuple(frozen(v) for v in value)
    return value


class _LessonModule(ModuleType):
    """A lesson module whose names cannot be rebound once it has loaded (``ex.W = 0`` raises)."""

    def __setattr__(self, name: str, value: Any) -> None:
        spec = self.__dict__.get("__spec__")
        # The module's own code while it loads, and the import system's dunders (a reload).
        if name.startswith("__") or (spec is not None and getattr(spec, "_initializing", False)):
            super().__setattr__(name, value)
            return
        short = self.__name__.rsplit(".", 1)[-1]
        raise CourseValueError(
            f"{name} belongs to the lesson ({short}) and its checks: it cannot be replaced. "
            f"Use a name of your own, e.g. my_{name.lower()} = ..."
        )

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)


def protect_lesson(module_name: str) -> None:
    """Make the lesson module ``module_name`` refuse to have its names rebound once loaded."""
    module = sys.modules.get(module_name)
    if module is not None and type(module) is ModuleType:
        module.__class__ = _LessonModule
