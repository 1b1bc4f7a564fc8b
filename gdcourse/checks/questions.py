"""Questions declared as data: what is checked, against what reference, with which hints.

A lesson module declares its questions (``q1 = NumberQuestion(...)``) and a notebook calls
``ex.q1.check(answer)``, ``ex.q1.hint()``, ``ex.q1.solution()``. Checking never raises: every
path ends in a :class:`Verdict`, and a bug on our side is reported as ``"internal_error"``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import numbers
import os
import pickle
import re
import sys
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..core.errors import CourseValueError
from ..core.placeholder import contains_placeholder
from . import calling
from .assessment import assessment_mode
from .calling import call_student, frozen, protect_lesson, student_traceback
from .compare import (
    DIVERGENCE_NOTE,
    close,
    describe,
    format_value,
    is_number,
    rounded_entries,
    rounded_from,
    to_numbers,
    tolerance_text,
)
from .progress import record
from .verdict import Note, Verdict

__all__ = [
    "ChoiceQuestion",
    "FunctionQuestion",
    "Misconception",
    "NumberQuestion",
    "Question",
    "questions_of",
]

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_MISSING = object()
# What this session's checks found, for questions that build on earlier ones (``depends_on``):
# the latest outcome of each question, and the known mistake its latest answer made.
_LATEST: dict[str, str] = {}
_MISTAKES: dict[str, str] = {}
# The known mistake (a misconception's or a built-in one's name) the latest check of each question
# recognised: what its verdict names for the instructor's summary. Unlike _MISTAKES, never a kind
# of answer ("rounded", "blank") that is no mistake in the student's reasoning.
_RECOGNISED: dict[str, str] = {}


@contextmanager
def grading_session() -> Iterator[None]:
    """Checks as the grader runs them, in its own process: in assessment mode, logged to no one's
    progress file, and remembering nothing of another submission's answers."""
    from .assessment import ASSESSMENT_ENV

    saved = {k: os.environ.get(k) for k in (ASSESSMENT_ENV, "GDCOURSE_PROGRESS")}
    os.environ[ASSESSMENT_ENV] = "1"
    os.environ["GDCOURSE_PROGRESS"] = os.devnull
    _LATEST.clear()
    _MISTAKES.clear()
    _RECOGNISED.clear()
    try:
        yield
    finally:
        _LATEST.clear()
        _MISTAKES.clear()
        _RECOGNISED.clear()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_SAME = "The same mistake as in"
_ONE_ARRAY = "one array appended at every step"  # a mistake's name, shared with trajectory.py
#: What an answer's message can be about that no earlier answer causes.
_NOT_FROM_EARLIER = ("rounded", "not numbers")


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class Misconception:
    """A known mistake: the wrong answer it produces (computed) and a hint that targets it.

    For a :class:`FunctionQuestion`, ``answer`` returns the wrong *function*; otherwise it
    returns the wrong value. ``message`` must not reveal the right answer.
    """

    name: str
    answer: Callable[[], Any]
    message: str


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class Question:
    """Fields shared by every question.

    Parameters
    ----------
    lesson, name : str
        The lesson module's slug and the question's name (``"q1"``, ``"q2"``, ...).
    answer_var : str
        The notebook variable that holds the student's answer (used by the build and grader).
    prompt : str
        The question in one or two sentences.
    hints : tuple of str
        In increasing detail; ``hint(1)`` is the gentlest.
    solution_code : str
        Code (or text) that answers the question, shown by ``solution()``.
    points : int
        Points for a correct answer.
    explanation : str
        Shown with a correct verdict: why it is right.
    misconceptions : tuple of Misconception
        Known wrong answers, each with a targeted hint.
    depends_on : tuple of str
        Earlier questions this answer is built from (``("q1",)``): a mistake made there is
        named once, and here as "the same mistake as in q1".
    partial : bool or None
        Whether a partly right answer earns a share of the points (a function by the share of
        the check's inputs it gets right, a dict of labels by the share of its labels). None
        is the kind's own rule: partial for functions and dicts of labels, all-or-nothing for
        numbers.
    """

    lesson: str
    name: str
    answer_var: str
    prompt: str
    hints: tuple[str, ...]
    solution_code: str
    points: int = 1
    explanation: str = ""
    misconceptions: tuple[Misconception, ...] = ()
    depends_on: tuple[str, ...] = ()
    partial: bool | None = None

    def __post_init__(self) -> None:
        points = self.points
        if (
            isinstance(points, bool)
            or not isinstance(points, numbers.Real)
            or not math.isfinite(points)
            or points <= 0
        ):  # a gradebook, a total and Gradescope's max_score all add these up
            raise CourseValueError(
                f"{self.lesson}.{self.name}: points must be a finite number above 0, got {points!r}"
            )
        # The lesson that declares this question keeps its data: once loaded, its names cannot
        # be rebound from a notebook (`ex.W = 0`).
        protect_lesson(f"gdcourse.lessons.{self.lesson}")

    @property
    def id(self) -> str:
        return f"{self.lesson}.{self.name}"

    def _ref(self) -> str:
        """How the student's notebook names this question, e.g. ``ex.q2`` or ``lesson.q2``.

        Messages quote calls the student can copy, so they use the name the notebook imported
        the lesson module under (found in the calling frames' globals), else ``ex``.
        """
        module = sys.modules.get(f"gdcourse.lessons.{self.lesson}")
        frame = sys._getframe(1)
        for _ in range(8):
            if frame is None:
                break
            if not frame.f_code.co_filename.startswith(_PACKAGE_DIR):
                for name, value in frame.f_globals.items():
                    if value is module and not name.startswith("_"):
                        return f"{name}.{self.name}"
                for name, value in frame.f_globals.items():  # `from ...lr_exploration import q2`
                    if value is self and not name.startswith("_"):
                        return name
                break
            frame = frame.f_back
        # Called from IPython's display machinery (a cell holding only `lesson.q4`): the name
        # is in the notebook's own namespace.
        main = sys.modules.get("__main__")
        for name, value in vars(main).items() if main is not None else ():
            if value is module and not name.startswith("_"):
                return f"{name}.{self.name}"
        return f"ex.{self.name}"

    def __repr__(self) -> str:
        # What a cell holding only `ex.q1` shows: the prompt and how to check, never the
        # solution, the hints or a reference (every subclass keeps this: repr=False).
        ref = self._ref()
        how_close = f" {self._how_close()}" if self._how_close() else ""
        return (
            f"<question {self.id}: {self.prompt}{how_close}\n Check your answer with "
            f"{ref}.check({self.answer_var}); ask for a hint with {ref}.hint().>"
        )

    def _how_close(self) -> str:
        """How close an answer must be, for the question's display ("" where not numbers)."""
        return ""

    def check(self, answer: Any = _MISSING, /, *more: Any, **named: Any) -> Verdict:
        """Check an answer; the verdict shows itself when it ends a cell."""
        if answer is _MISSING and len(named) == 1 and not more:
            (answer,) = named.values()  # ex.q5.check(w_01=[...]): the answer, named
        elif more or named:
            return self._recorded(
                self._verdict(
                    "not_attempted",
                    f"check() takes one answer: {self._ref()}.check({self.answer_var})."
                    + (
                        ""
                        if callable(answer)
                        else f" For several numbers, pass one list of them: "
                        f"{self._ref()}.check([a, b])."
                    ),
                )
            )
        _MISTAKES.pop(self.id, None)  # what this check finds replaces what the last one did
        _RECOGNISED.pop(self.id, None)
        if answer is _MISSING:
            verdict = self._verdict(
                "not_attempted",
                f"check() needs your answer: {self._ref()}.check({self.answer_var})",
            )
        elif contains_placeholder(answer):
            text = (
                f"Replace the ____ in `{self.answer_var} = ____` with your answer, run that "
                f"cell, then run this check again."
            )
            _MISTAKES[self.id] = "blank"
            blank_before = [
                d for d in self.depends_on if _MISTAKES.get(f"{self.lesson}.{d}") == "blank"
            ]
            if blank_before:  # w_05 = descent_weights(...) while descent_weights is still ____
                d = blank_before[0]
                text = (
                    f"Your {self.answer_var} is still the blank ____. If you computed it from "
                    f"{d}'s answer, that one is still the blank: do {d} first, then run this "
                    f"cell and this check again."
                )
            verdict = self._verdict("not_attempted", text)
        else:
            try:
                verdict = self._evaluate_limited(answer)
            except KeyboardInterrupt:  # Stop pressed while the check itself was working
                verdict = self._verdict(
                    "error",
                    "You stopped the check. Your answer was not checked; run the check again when "
                    "you are ready.",
                )
            except Exception as err:
                if _raised_in_students_code(err, answer):  # their answer's own __eq__, ...
                    verdict = self._verdict(
                        "error",
                        "Checking your answer ran code of your own (a method of the object you "
                        f"passed), which raised an error:\n{student_traceback(err)}",
                    )
                    return self._recorded(verdict)
                # Otherwise a bug in the course, never the student's fault.
                verdict = self._verdict(
                    "internal_error",
                    "Something went wrong inside the course while checking this answer. It is a "
                    "bug in gdcourse, not a problem with your answer; please report it with the "
                    f"name of this question ({self.id}). Details: "
                    f"{type(err).__name__}: {err}",
                )
        named = _RECOGNISED.get(self.id, "")
        if named and verdict.outcome == "incorrect":
            verdict = replace(verdict, misconception=named)
        return self._recorded(self._after_earlier(verdict))

    def _evaluate_limited(self, answer: Any) -> Verdict:
        """``_evaluate`` within the time limit: reading a typed answer runs its own methods
        (``__len__``, ``__float__``, ``__repr__``...), which may loop."""
        call = call_student(self._evaluate, (answer,), copied=False)
        if call.timed_out:
            return self._verdict(
                "error",
                f"Reading your answer ran code of your own (a method of the object you passed) "
                f"that did not finish within {calling.TIME_LIMIT:g} s. Pass plain numbers, a "
                f"list or an array.",
            )
        if call.interrupted:
            raise KeyboardInterrupt
        if call.error is not None:
            if not isinstance(call.error, Exception):  # exit() in the answer's own method
                return self._verdict(
                    "error",
                    f"Reading your answer ran code of your own that stopped the program "
                    f"({type(call.error).__name__}); pass plain numbers, a list or an array.",
                )
            raise call.error
        return call.value

    def _recorded(self, verdict: Verdict) -> Verdict:
        _LATEST[self.id] = verdict.outcome
        record(self.lesson, self.name, "check", verdict.outcome)
        return verdict

    def _after_earlier(self, verdict: Verdict) -> Verdict:
        """A wrong answer built on an earlier question that is not right yet says so, once:
        the student fixes the cause there, not each consequence here."""
        if verdict.outcome not in ("incorrect", "error"):
            return verdict
        if _MISTAKES.get(self.id) in _NOT_FROM_EARLIER or verdict.message.startswith(_SAME):
            return verdict  # rounded, not numbers, or already named as q1's mistake
        for dep in self.depends_on:
            if _LATEST.get(f"{self.lesson}.{dep}", "correct") != "correct":
                note = (
                    f"This answer builds on {dep}, which is not right yet: fix {dep} first, "
                    f"then check this one again."
                )
                text, sep, tail = verdict.message.partition("\nTry again")
                return replace(verdict, message=f"{text}\n{note}{sep}{tail}")
        return verdict

    def _mistake(self, m: Misconception) -> str:
        """The message for a known mistake: in full the first time, and as "the same mistake as
        in q1" when this answer repeats the one an earlier question it builds on made."""
        return self._same_as_earlier(m.name) or m.message

    def _same_as_earlier(self, name: str) -> str:
        """Note the known mistake ``name`` made here; if an earlier question this one builds on
        made it too, the sentence that says so (else "")."""
        _MISTAKES[self.id] = name
        _RECOGNISED[self.id] = name
        for dep in self.depends_on:
            if _MISTAKES.get(f"{self.lesson}.{dep}") == name:
                return (
                    f"{_SAME} {dep} ({name}): this answer follows from {dep}. Fix it there "
                    f"first, then check this one again."
                )
        return ""

    def hint(self, n: int = 1, /, *_: Any, **__: Any) -> Note:
        """Hint number ``n`` (1 is the gentlest); anything more given is left unread."""
        if not self.hints:
            return Note("hint", f"{self.name}: no hints", "This question has no hints.")
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(self.hints):
            return Note(
                "hint",
                f"{self.name}: there are hints 1 to {len(self.hints)}",
                f"Ask for one of them, e.g. {self._ref()}.hint(1).",
            )
        if assessment_mode() and self._shows_solution(self.hints[n - 1]):
            # In an assignment the solution is withheld, and so is a hint that spells it out.
            record(self.lesson, self.name, "hint", "withheld")
            return Note(
                "hint",
                f"{self.name}: hint {n} is not available in this assignment",
                f"Hint {n} spells out the solution, which is withheld in this assignment; your "
                f"instructor shares it after grading. The earlier hints still work: "
                f"{self._ref()}.hint(1).",
            )
        record(self.lesson, self.name, "hint", "shown")  # only a hint given is counted
        more = f"\n(For more detail: {self._ref()}.hint({n + 1}))" if n < len(self.hints) else ""
        return Note("hint", f"{self.name}: hint {n} of {len(self.hints)}", self.hints[n - 1] + more)

    def _shows_solution(self, text: str) -> bool:
        """Does ``text`` hold a line of the solution code, or the right-hand side of its answer's
        assignment (``descent_weights(8, 0.5, 4)`` of ``w_05 = descent_weights(8, 0.5, 4)``)?"""
        squeezed = "".join(text.split())
        for line in self.solution_code.splitlines():
            line = line.split("#")[0].strip()
            pieces = [line]
            name, _, right = line.partition("=")
            if right and not right.startswith("=") and name.strip() == self.answer_var:
                pieces.append(right)
            for piece in pieces:
                piece = "".join(piece.split())
                if len(piece) >= 10 and piece in squeezed:
                    return True
        return False

    def solution(self, *_: Any, **__: Any) -> Note:
        """The solution code (withheld in an assignment: see :mod:`gdcourse.checks.assessment`)."""
        if assessment_mode():
            record(self.lesson, self.name, "solution", "withheld")
            return Note(
                "solution",
                f"{self.name}: solution not available in this assignment",
                f"Solutions are not available in this assignment; your instructor shares them "
                f"after grading. Checks still work, and so do the hints that do not spell out "
                f"the solution: {self._ref()}.check(...) and {self._ref()}.hint().",
            )
        record(self.lesson, self.name, "solution", "shown")
        return Note("solution", f"{self.name}: solution", self.solution_code, code=True)

    # -- helpers for subclasses --------------------------------------------------------------
    def _partial(self) -> bool:
        """Does a partly right answer earn a share of the points? (The kind's rule, unless the
        question declares ``partial``.)"""
        return bool(self.partial)

    def _verdict(
        self,
        outcome: str,
        message: str,
        table: list | None = None,
        *,
        right: int = 0,
        of: int = 0,
        unit: str = "",
    ) -> Verdict:
        """The verdict; ``right`` of ``of`` (inputs, labels...) are what partial credit is
        counted from, where the question gives it."""
        if outcome == "correct" and self.explanation:
            message = f"{message} {self.explanation}"
        elif outcome == "incorrect":
            message += f"\nTry again, or ask for {self._ref()}.hint()." if self.hints else ""
        if not self._partial() or of <= 0:
            right = of = 0
            unit = ""
        right = min(max(int(right), 0), of)
        points: float = 0
        if outcome == "correct":
            points = self.points
        elif outcome == "incorrect" and 0 < right < of:
            # The share counted exactly; a float only as the points' value (1.6 of 2).
            points = self.points * right / of
        return Verdict(
            outcome=outcome,
            message=message,
            question=self.id,
            points=points,
            max_points=self.points,
            table=table or [],
            right=right,
            of=of,
            unit=unit,
        )

    def _evaluate(self, answer: Any) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class NumberQuestion(Question):
    """A number, or a list/array of numbers, compared with a computed reference.

    Parameters
    ----------
    expected : callable
        Returns the reference, computed by the core (never a literal typed in).
    rtol, atol : float
        Tolerances: ``|answer - expected| <= atol + rtol * |expected|``.
    noun : str
        What the entries are, for messages ("weights", "losses").
    count_note : str
        Added to length messages, e.g. "w0 included".
    longer : callable, optional
        The reference with one more step, to recognise "one step too many / too few".
    starts_with : str
        Set when the entries are the points of a run, one per step: what the first entry is
        ("w0", or "L(w0)" for losses). Messages then name entries by step (entry i, step i),
        and recognise a run stopped early and one array appended at every step.
    estimate_of : str
        Set when the answer is an estimate of a count that need not be whole ("steps"): whole
        numbers that round it are told the question wants the estimate itself.
    """

    expected: Callable[[], Any]
    rtol: float = 1e-6
    atol: float = 1e-9
    noun: str = "number"
    count_note: str = ""
    longer: Callable[[], Any] | None = None
    starts_with: str = ""
    estimate_of: str = ""

    def _how_close(self) -> str:
        return f"Numbers count as right {tolerance_text(self.rtol, self.atol)}."

    def _is_count(self, ref: np.ndarray) -> bool:
        """An exact whole-number answer: a count of steps, updates, ..."""
        return self.rtol == 0 and self.atol == 0 and bool(np.all(ref == np.round(ref)))

    def _nouns(self) -> str:
        return "numbers" if self.noun == "number" else self.noun

    def _evaluate(self, answer: Any) -> Verdict:
        ref = np.asarray(self.expected(), dtype=float)
        what = "a number" if ref.ndim == 0 else f"a list of {len(ref)} {self._nouns()}"
        arr, why = to_numbers(answer, what=what)
        if arr is None:
            _MISTAKES[self.id] = "not numbers"
            return self._verdict("incorrect", why)
        if ref.ndim == 0 and arr.size == 1:
            arr = arr.reshape(())  # [6.2] or np.array([6.2]) for a single number is fine
        if self._is_count(ref) and arr.shape == ref.shape and np.all(np.isfinite(arr)):
            # 28.999999999999996 from a formula is the count 29: rounding error, not a fraction
            near = np.abs(arr - np.round(arr)) <= 1e-9 * np.maximum(1.0, np.abs(arr))
            arr = np.where(near, np.round(arr), arr)
        count = self._entries_right(arr, ref)
        if close(arr, ref, self.rtol, self.atol):
            return self._verdict("correct", "Right.", **count)

        def verdict(outcome: str, message: str) -> Verdict:
            return self._verdict(outcome, message, **count)

        if not np.all(np.isfinite(arr)) and np.all(np.isfinite(ref)):
            _MISTAKES[self.id] = "not numbers"
            return verdict("incorrect", DIVERGENCE_NOTE if self.starts_with else _NOT_FINITE)
        wrongs = []
        for m in self.misconceptions:
            with np.errstate(all="ignore"):
                wrong = np.asarray(m.answer(), dtype=float)
            if close(arr, wrong, self.rtol, self.atol):
                return verdict("incorrect", self._mistake(m))
            wrongs.append((m, wrong))
        if self.starts_with and _one_point_repeated(arr, ref):
            return verdict("incorrect", self._same_as_earlier(_ONE_ARRAY) or _SAME_ARRAY)
        if arr.shape != ref.shape:
            return verdict("incorrect", self._shape_message(arr, ref))
        whole = self._whole_number_message(arr, ref, wrongs)
        if whole:
            return verdict("incorrect", whole)
        decimals = rounded_from(arr, ref, self.rtol, self.atol)
        if decimals is not None:
            _MISTAKES[self.id] = "rounded"
            some = "your answer is" if ref.ndim == 0 else f"your {self._nouns()} are"
            return verdict(
                "incorrect",
                f"Close, but rounded: {some} right to the decimals you gave "
                f"({'some as whole numbers' if decimals == 0 else f'as few as {decimals}'}), "
                f"and this check wants more. "
                f"{self._how_close()} Keep full precision: use the value your code computes "
                f"(or type all the digits it prints) instead of a rounded one.",
            )
        for m, wrong in wrongs:  # a known mistake, rounded
            if rounded_from(arr, wrong, self.rtol, self.atol) is not None:
                return verdict("incorrect", self._mistake(m))
        estimate = self._whole_for_fraction(arr, ref)
        if estimate:
            return verdict("incorrect", estimate)
        mixed = ref.ndim >= 1 and np.any(ref > 0) and np.any(ref < 0)
        if mixed and not self.starts_with and close(arr, -ref, self.rtol, self.atol):
            # Before the order: [0.01, -0.01] for [-0.01, 0.01] is a sign, not an order (only
            # where the signs are mixed: a run or a list of losses has its own messages).
            _MISTAKES[self.id] = "signs flipped"
            return verdict(
                "incorrect",
                f"Your {self._nouns()} have the right sizes and every sign the other way round.",
            )
        if ref.ndim == 1 and not self.starts_with and 2 <= len(ref) <= 12:
            if close(np.sort(arr), np.sort(ref), self.rtol, self.atol):
                return verdict(
                    "incorrect",
                    f"Your {self._nouns()} are the right ones in the wrong order: give them in "
                    f"the order the question lists them.",
                )
        if ref.ndim >= 1:
            off = np.abs(arr - ref) > self.atol + self.rtol * np.abs(ref)
            rounded = off & (rounded_entries(arr, ref) >= 0)
            wrong = off & ~rounded  # a rounded entry is not where the list goes wrong
            i = int(np.argmax(wrong.reshape(len(ref), -1).any(axis=1)))  # first wrong row
            message = self._entry_message(arr, i)
            if rounded.any():
                message += " (Some of your other entries are rounded: keep full precision.)"
            return verdict("incorrect", message)
        side = "too large" if arr > ref else "too small"
        return verdict("incorrect", f"Your answer {format_value(arr)} is {side}.")

    def _entries_right(self, arr: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
        """How many entries (rows, for a table) are right, for a list that declares partial
        credit: counted once, from the one reading of the answer every message is built on."""
        if not self._partial() or ref.ndim == 0:
            return {}
        if arr.shape != ref.shape:  # no entry can be matched to its place
            return {"right": 0, "of": len(ref), "unit": "entries"}
        right = sum(close(arr[i], ref[i], self.rtol, self.atol) for i in range(len(ref)))
        return {"right": int(right), "of": len(ref), "unit": "entries"}

    def _entry_message(self, arr: np.ndarray, i: int) -> str:
        """Where a list first goes wrong: by step for the entries of a run (w0 is entry 0), by
        position otherwise (the 1st, the 2nd...)."""
        nouns = self._nouns()
        if self.starts_with:
            if i == 0:
                return (
                    f"The first of your {nouns} is already off: the list starts with "
                    f"{self.starts_with}."
                )
            right = "The first entry is" if i == 1 else f"Your first {i} {nouns} are"
            return (
                f"{right} right; entry {i} (step {i}), {format_value(arr[i])}, is not. Look at "
                f"that step again."
            )
        if i == 0:
            return f"The first of your {nouns} is already off."
        right = "The first is" if i == 1 else f"The first {i} are"
        return f"{right} right; the {_ordinal(i + 1)}, {format_value(arr[i])}, is not."

    def _whole_number_message(
        self, arr: np.ndarray, ref: np.ndarray, wrongs: list[tuple[Misconception, np.ndarray]]
    ) -> str:
        """A count (an exact whole-number answer) given as a fraction, or one off: say that
        counts come whole, and, when rounding up gives it, why up; a fraction whose rounding up
        is a known mistake's count gets that mistake's message."""
        if not self._is_count(ref):
            return ""
        if bool(np.all(arr == np.round(arr))):
            off = arr - ref
            if ref.ndim == 0 and abs(float(off)) == 1:
                # (Said of any count: steps to a threshold, updates of an epoch, batches.)
                return (
                    f"Close: one {'too many' if off > 0 else 'too few'}. Check what you count "
                    f"and where the count stops: a last, part-filled batch still counts, and the "
                    f"step that first gets there counts too."
                )
            if ref.ndim >= 1 and np.all(np.isin(off, (0, -1))):
                return (
                    f"Some of your {self._nouns()} are one too few: check how you turn a "
                    f"fraction into a count (a last, part-filled batch or step still counts: "
                    f"round up)."
                )
            if ref.ndim >= 1 and np.all(np.isin(off, (0, 1))):
                return (
                    f"Some of your {self._nouns()} are one too many: check how you turn a "
                    f"fraction into a count, and what you add to it."
                )
            return ""
        if not np.array_equal(np.floor(arr), ref):  # 17.5 for 17 is no "one step too many"
            for m, wrong in wrongs:
                if np.array_equal(np.ceil(arr), wrong):
                    return self._mistake(m)
        if np.array_equal(np.ceil(arr), ref):
            if ref.ndim == 0:
                x = float(arr)
                return (
                    f"Your {format_value(arr)} is a fraction, and a count is a whole number. A "
                    f"formula that gives {format_value(arr)} says that {math.floor(x)} are not "
                    f"yet enough and the next one is: round up, to the first whole number that "
                    f"gets there."
                )
            return (
                f"Your {self._nouns()} include fractions, and each is a count, a whole number: "
                f"a last, part-filled batch or step still counts, so round up."
            )
        shown = repr(float(arr)) if ref.ndim == 0 else format_value(arr)  # 17.000001, not 17
        return (
            f"Your {shown} {'is a fraction' if ref.ndim == 0 else 'has fractions'}, "
            f"and a count is a whole number (and rounding up does not give the right count "
            f"either)."
        )

    def _whole_for_fraction(self, arr: np.ndarray, ref: np.ndarray) -> str:
        """Whole numbers for an estimate that is a fraction (73 for 72.48 steps): the count a
        run takes, where the question asks for the estimate itself."""
        whole = bool(np.all(arr == np.round(arr)))
        if not self.estimate_of or not whole or np.all(ref == np.round(ref)):
            return ""
        if np.array_equal(arr, np.ceil(ref)) or np.array_equal(arr, np.round(ref)):
            some = "a whole number" if ref.ndim == 0 else "whole numbers"
            return (
                f"You gave {some}: the estimate rounded to a count of {self.estimate_of}, as a "
                f"run takes them. This question asks for the estimate itself, before rounding "
                f"(a fraction). {self._how_close()}"
            )
        return ""

    def _shape_message(self, arr: np.ndarray, ref: np.ndarray) -> str:
        if ref.ndim == 0:
            return f"Expected a single number; got {arr.size} numbers."
        note = f", {self.count_note}" if self.count_note else ""
        nouns = self._nouns()
        if arr.ndim == 0:
            return f"Expected {len(ref)} {nouns}{note}; got a single number."
        if ref.ndim == arr.ndim and arr.shape[1:] == ref.shape[1:]:
            n, m = len(ref), len(arr)
            head = f"Expected {n} {nouns}{note}; got {m}."
            first = "It is the first" if m == 1 else f"They are the first {m}"
            if m < n and m >= 1 and close(arr, ref[:m], self.rtol, self.atol):
                if self.starts_with and _runner_stopped(arr, ref):
                    return (
                        f"{head} {first}: after that the run stays where it is (it reached "
                        f"the minimum), and the course's gradient_descent stops early there, as "
                        f"a converged run. To keep every step, pass tol=None: "
                        f"gradient_descent(loss, w0, lr, steps, tol=None)."
                    )
                if m == n - 1 and self.starts_with:
                    same = self._same_as_earlier("one step too few")
                    return same or f"{head} {first}: one step too few."
                last = "the last is" if n - m == 1 else f"the last {n - m} are"
                return f"{head} {first}: {last} missing."
            if m == n - 1 and close(arr, ref[1:], self.rtol, self.atol):
                if self.starts_with:
                    same = self._same_as_earlier("w0 left out")
                    return same or (
                        f"{head} Your numbers are the ones after each step: put "
                        f"{self.starts_with} first."
                    )
                return f"{head} They are all but the first."
            if m == n + 1 and self.longer is not None:
                longer = np.asarray(self.longer(), dtype=float)
                if close(arr, longer, self.rtol, self.atol):
                    same = self._same_as_earlier("one step too many")
                    return same or f"{head[:-1]}: one step too many."
            return head
        return f"Expected {_shape_words(ref.shape)}; got {_shape_words(arr.shape)}."


_NOT_FINITE = (
    "Your answer contains inf or nan, which no answer to this question can be: look for a "
    "division by zero or an overflow in how you computed it."
)


def _runner_stopped(arr: np.ndarray, ref: np.ndarray) -> bool:
    """Is ``arr`` (the first entries of ``ref``) what the course's runner returns when a run
    converges early: it ends at the first point where the run then stays put?"""
    m = len(arr)
    first_stop = m == 1 or not np.all(arr[-1] == arr[-2])
    return first_stop and bool(np.all(ref[m - 1 :] == ref[m - 1]))


def _shape_words(shape: tuple[int, ...]) -> str:
    """A shape in words: "a single number", "5 numbers", "4 rows of 2 numbers"."""
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"{shape[0]} number{'s' if shape[0] != 1 else ''}"
    if len(shape) == 2:
        rows = f"{shape[0]} row{'s' if shape[0] != 1 else ''}"
        return f"{rows} of {shape[1]} number{'s' if shape[1] != 1 else ''}"
    return f"an array of shape {shape}"


_SAME_ARRAY = (
    "Every entry of your list is the same point, the last one. If your code appends one array "
    "and changes it in place (`w -= ...`), the list holds that array itself, not its value "
    "when it was appended. Append a copy, weights.append(w.copy()), or write w = w - ..., which "
    "makes a new array."
)


def _one_point_repeated(arr: np.ndarray, ref: np.ndarray) -> bool:
    """The list of a run holds one point again and again, the run's last (one array appended at
    every step and updated in place), where the right points differ."""
    if arr.shape != ref.shape or arr.ndim < 1 or len(arr) < 2:
        return False
    if np.all(ref == ref[0]):
        return False
    return bool(np.all(arr == arr[-1]) and np.allclose(arr[-1], ref[-1], rtol=1e-6, atol=1e-9))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _course_owner(answer: Any) -> str:
    """The course module a plain function (or a partial or bound method of one) comes from, or
    ''. Only the attributes of these built-in types are read: no student code runs."""
    for _ in range(5):  # a partial of a partial...
        if isinstance(answer, functools.partial):
            answer = answer.func
        elif isinstance(answer, types.MethodType):
            answer = answer.__func__
        else:
            break
    if not isinstance(answer, (types.FunctionType, types.BuiltinFunctionType)):
        return ""
    module = answer.__module__ if isinstance(answer.__module__, str) else ""
    return module if module == "gdcourse" or module.startswith("gdcourse.") else ""


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class FunctionQuestion(Question):
    """A function the student writes, run on several inputs and compared with a reference.

    Parameters
    ----------
    reference : callable
        The right function (built from the core).
    cases : tuple of dict
        Keyword arguments of each call.
    """

    reference: Callable[..., Any]
    cases: tuple[Mapping[str, Any], ...]
    rtol: float = 1e-6
    atol: float = 1e-9
    starts_with: str = ""
    #: Answers that do no work (one that never moves, a constant label), written as a student
    #: would: an input one of them gets right earns partial credit only beside an input right
    #: that none of them gets, so that doing nothing earns nothing.
    trivial: tuple[Callable[..., Any], ...] = ()
    #: For a function that returns several arrays of different shapes, their names in the order
    #: returned (``("dW2", "db2")``): each part is read and its shape checked on its own (a part
    #: transposed, or the parts the other way round, is named), and the parts are compared
    #: joined end to end.
    returns: tuple[str, ...] = ()

    #: Course functions a student's function may not call (the core function the question asks
    #: for); the reference and the lessons' and checks' own functions are always watched for.
    forbidden: tuple[Callable[..., Any], ...] = ()

    def _watch(self) -> calling.CourseCalls:
        return calling.CourseCalls((self.reference, *self.forbidden))

    def _evaluate_limited(self, answer: Any) -> Verdict:
        return self._evaluate(answer)  # each call of the student's function has its own limit

    def _partial(self) -> bool:
        return self.partial is not False  # by default, the share of the inputs it gets right

    def __post_init__(self) -> None:
        # The cases as declared, kept as bytes: each call gets a fresh copy of them, and nothing
        # a student does to ``q.cases`` (or to what a call received) reaches the next call.
        super().__post_init__()
        object.__setattr__(self, "_pristine", pickle.dumps(tuple(dict(c) for c in self.cases)))
        object.__setattr__(self, "cases", frozen(tuple(self.cases)))  # what others read: fixed

    def _cases(self) -> tuple[dict[str, Any], ...]:
        return pickle.loads(self._pristine)

    def _how_close(self) -> str:
        return f"Results count as right {tolerance_text(self.rtol, self.atol)}."

    def _call_text(self, case: Mapping[str, Any]) -> str:
        # As the notebook calls it: positionally, in the prompt's order; a large input by its
        # name and size (a data set in full would bury the table).
        return f"{self.answer_var}({', '.join(_short(v, k) for k, v in case.items())})"

    def _over_budget(self, case: Mapping[str, Any], table: list) -> Verdict:
        return self._verdict(
            "error",
            f"Your function took more than {calling.CHECK_LIMIT:g} s in all, over the inputs up "
            f"to {self._call_text(case)}, so the check stopped it (a correct solution takes well "
            f"under a second for all of them). Look for work repeated in a loop, or a loop that "
            f"runs far more times than it needs to.",
            table,
        )

    def _signature_problem(self, answer: Any, case: Mapping[str, Any]) -> str:
        """One sentence when ``answer`` cannot take the check's arguments at all (too few or too
        many parameters, a keyword-only one), said once instead of one error per input."""
        try:
            signature = inspect.signature(answer)
        except (TypeError, ValueError):  # a builtin or an object that hides its signature
            return ""
        try:
            signature.bind(*case.values())
        except TypeError as err:
            wanted = ", ".join(case)
            return (
                f"Your function's parameters are {signature}, and the check calls it with "
                f"{len(case)} argument{'s' if len(case) != 1 else ''}, in this order: "
                f"{self.answer_var}({wanted}) ({err}). Make its first line "
                f"def {self.answer_var}({wanted}):"
            )
        return ""

    def _read(self, out: Any, shapes: tuple | None = None) -> tuple[np.ndarray | None, str]:
        """What the student's function returned, as numbers (or None and why not); with
        ``returns``, its parts joined, each of the reference's part ``shapes``."""
        if not self.returns:
            return to_numbers(out, what="numbers")
        names = ", ".join(self.returns)
        n = len(self.returns)
        if not isinstance(out, (tuple, list)) or len(out) != n:
            return None, (
                f"Return the {n} results together, as the tuple ({names}); got {describe(out)}."
            )
        parts = []
        for name, part in zip(self.returns, out, strict=True):
            arr, why = to_numbers(part, what=f"{name} as numbers")
            if arr is None:
                return None, f"Your {name}: {why}"
            if not np.all(np.isfinite(arr)):
                return None, (
                    f"Your {name} holds inf or nan: look for a division by zero, or an exp() "
                    f"that overflowed."
                )
            parts.append(arr)
        got = tuple(p.shape for p in parts)
        if shapes is not None and got != tuple(shapes):
            return None, _parts_problem(self.returns, got, tuple(shapes))
        return np.concatenate([np.ravel(p) for p in parts]), ""

    def _result(self, out: Any) -> np.ndarray:
        """A reference's or a misconception's result as one array (the parts joined)."""
        if not self.returns:
            return np.asarray(out, dtype=float)
        return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in out])

    def _shapes(self, case: Mapping[str, Any]) -> tuple | None:
        """The shapes of the reference's parts on ``case`` (None without ``returns``)."""
        if not self.returns:
            return None
        out = self.reference(*copy.deepcopy(tuple(case.values())))
        return tuple(np.shape(p) for p in out)

    def _shown(self, out: Any, arr: np.ndarray | None) -> str:
        """How the table shows what the student's function returned."""
        return format_value(arr) if arr is not None else describe(out)

    def _reference(self, case: Mapping[str, Any]) -> np.ndarray:
        # The reference gets its own copy too: nothing it does can reach the next call.
        return self._result(self.reference(*copy.deepcopy(tuple(case.values()))))

    def recorded_calls(self, answer: Any) -> dict[str, Any]:
        """What ``answer`` does on this question's inputs, as plain data for the grader (run in
        the student's process while grading; the grader's :meth:`check` of a
        :class:`~gdcourse.checks.plain.Recorded` of it gives the verdict)."""
        return record_calls(answer, self._cases(), self._watch)

    def _evaluate(self, answer: Any) -> Verdict:
        if not callable(answer) or isinstance(answer, type):
            said = call_student(describe, (answer,), copied=False)  # its __repr__ may loop
            what = said.value if said.returned else f"a {type(answer).__name__} object"
            return self._verdict(
                "incorrect",
                f"Expected a function, got {what}. Pass the function itself, without calling "
                f"it: {self._ref()}.check({self.answer_var})",
            )
        from .plain import Recorded

        owner = _course_owner(answer)
        if isinstance(answer, Recorded):
            owner = answer.course_owner
        if owner:
            return self._verdict(
                "incorrect",
                f"That is the course's own function (from {owner}), not one you wrote: this "
                f"question asks you to write {self.answer_var} yourself, in a cell of your "
                f"notebook.",
            )
        table: list[tuple[str, ...]] = [("call", "your result", "")]
        outputs: list[np.ndarray | None] = []
        first_error: tuple[Mapping[str, Any], BaseException] | None = None
        first_problem = ""
        cases = self._cases()
        if cases:
            # Reading the signature can run the student's code (defaults' __repr__): time-limited.
            said = call_student(self._signature_problem, (answer, cases[0]), copied=False)
            if said.returned and said.value:
                return self._verdict("incorrect", said.value)
        # One budget for the whole check: each call has TIME_LIMIT, and all of them together
        # (with reading what they return) CHECK_LIMIT, so 9 slow inputs cannot take 90 s.
        spent = 0.0
        refs: list[np.ndarray] = []  # one per case, beside `outputs`
        partial = self._partial()
        first_timeout: Mapping[str, Any] | None = None
        for i, case in enumerate(cases):
            ref = self._reference(case)
            refs.append(ref)
            left = calling.CHECK_LIMIT - spent
            if left <= 0:
                return self._cut_short(self._over_budget(case, table), table)
            watch = None if isinstance(answer, Recorded) else self._watch()
            call = call_student(
                answer, tuple(case.values()), limit=min(calling.TIME_LIMIT, left), watch=watch
            )
            spent += call.seconds
            if watch is not None and watch.hits:
                what = (
                    "turned off the check's watch (sys.setprofile), so the check cannot tell "
                    "whether it runs the course's own answer"
                    if watch.hits[0] == watch.TURNED_OFF
                    else f"calls the course's own {watch.hits[0]}, not code you wrote"
                )
                return self._verdict(
                    "incorrect",
                    f"Your function {what}: this question asks you to write {self.answer_var} "
                    f"yourself, in a cell of your notebook.",
                )
            if call.timed_out and left < calling.TIME_LIMIT:
                return self._cut_short(self._over_budget(case, table), table)
            if call.interrupted:
                return self._verdict(
                    "error",
                    f"You stopped the check while your function ran as {self._call_text(case)}. "
                    f"Your answer was not checked; run the check again when you are ready.",
                    table,
                )
            if call.timed_out and partial:  # that input is wrong; the others still count
                first_timeout = first_timeout or case
                table.append(
                    (self._call_text(case), f"no result in {calling.TIME_LIMIT:g} s", "\u2718")
                )
                outputs.append(None)
                continue
            if call.timed_out:
                return self._timed_out(case, table)
            if call.error is not None:
                first_error = first_error or (case, call.error)
                table.append(
                    (self._call_text(case), "raised " + type(call.error).__name__, "\u2718")
                )
                outputs.append(None)
                continue
            out = call.value
            if i == 0 and contains_placeholder(out):  # def f(...): return ____
                return self._verdict(
                    "not_attempted",
                    f"Your {self.answer_var} still returns the blank ____: write its body, run "
                    f"that cell, then run this check again.",
                )
            limit = max(min(calling.TIME_LIMIT, calling.CHECK_LIMIT - spent), 0.05)
            shapes = self._shapes(case)
            args = (out, shapes) if self.returns else (out,)  # a subclass's _read takes one
            read = call_student(self._read, args, copied=False, limit=limit)  # may loop too
            spent += read.seconds
            if not read.returned:
                return self._verdict(
                    "error",
                    f"Reading what your function returned for {self._call_text(case)} ran code "
                    f"of your own (a method of the object it returned), which "
                    + (
                        f"did not finish within {calling.TIME_LIMIT:g} s."
                        if read.timed_out or read.interrupted
                        else f"raised {type(read.error).__name__}: {read.error}"
                    ),
                    table,
                )
            arr, why = read.value
            if arr is not None and arr.shape != ref.shape and arr.size == 1 == ref.size:
                arr = arr.reshape(ref.shape)  # [6.2] for one number is that number
            ok = arr is not None and close(arr, ref, self.rtol, self.atol)
            if arr is None:
                first_problem = first_problem or why
            elif arr.shape != ref.shape and not first_problem:
                first_problem = _shape_problem(arr, ref, self.starts_with)
            elif not first_problem and not np.all(np.isfinite(arr)) and np.all(np.isfinite(ref)):
                first_problem = (
                    f"Your function returned inf or nan for {self._call_text(case)}: look for a "
                    f"division by zero, or a number that overflowed."
                )
            mark = "\u2714" if ok else "\u2718"
            limit = max(min(calling.TIME_LIMIT, calling.CHECK_LIMIT - spent), 0.05)
            shown = call_student(self._shown, (out, arr), copied=False, limit=limit)  # __repr__
            spent += shown.seconds
            said = shown.value if shown.returned else f"a {type(out).__name__} object"
            table.append((self._call_text(case), said, mark))
            outputs.append(arr)
        passed = sum(row[2] == "\u2714" for row in table[1:])
        count = {"right": self._credited(table), "of": len(cases), "unit": "inputs"}
        if first_error is not None:
            case, err = first_error
            raised = self._verdict(
                "error",
                f"Your function raised an error when called as {self._call_text(case)}:\n"
                f"{student_traceback(err)}",
                table,
            )
            return self._cut_short(raised, table) if partial else raised
        if first_timeout is not None:
            return self._cut_short(self._timed_out(first_timeout, table), table)
        if passed == len(cases):
            said = f"Right on all {passed} inputs." if passed != 1 else "Right on its one input."
            return self._verdict("correct", said, table, **count)
        # Rounded, read over all results together: a whole 2.0 beside 1.23 is rounded too.
        pairs = list(zip(outputs, refs, strict=True))
        same_shapes = all(o is not None and o.shape == r.shape for o, r in pairs)
        all_rounded = (
            same_shapes
            and rounded_from(
                np.concatenate([np.ravel(o) for o in outputs]),
                np.concatenate([np.ravel(r) for r in refs]),
                self.rtol,
                self.atol,
            )
            is not None
        )
        for m in self.misconceptions:
            wrong_fn = m.answer()
            with np.errstate(all="ignore"):
                wrongs = [self._result(wrong_fn(*c.values())) for c in cases]
            if all(
                o is not None and close(o, w, self.rtol, self.atol)
                for o, w in zip(outputs, wrongs, strict=True)
            ):
                return self._verdict("incorrect", self._mistake(m), table, **count)
        message = f"Right on {passed} of {len(cases)} inputs (see the table)."
        if passed and not count["right"]:
            message += (
                " An answer that does no work (one that never moves, or gives one value for "
                "every input) is right on those inputs too, so they earn no points on their own."
            )
        if all_rounded:
            _MISTAKES[self.id] = "rounded"
            message += (
                f" Close, but rounded: your function's results are right to the decimals they "
                f"keep, and this check wants more. {self._how_close()} Return the full values "
                f"(no round())."
            )
        elif first_problem:
            message += f" {first_problem}"
        return self._verdict("incorrect", message, table, **count)

    def _credited(self, table: list) -> int:
        """The inputs right (the table's marks, in the order of the cases) that earn partial
        credit: all of them, unless an answer that does no work (``trivial``) gets every one of
        them right too (then none)."""
        right = {i for i, row in enumerate(table[1:]) if row[2] == "\u2714"}
        if not right or any(right <= easy for easy in self._trivially_right()):
            return 0
        return len(right)

    def _trivially_right(self) -> list[set[int]]:
        """For each ``trivial`` answer, the cases it gets right."""
        found = self.__dict__.get("_easy")
        if found is None:
            found = []
            cases = self._cases()
            for answer in self.trivial:
                hits = set()
                for i, case in enumerate(cases):
                    ref = self._reference(case)
                    with np.errstate(all="ignore"):
                        out = answer(*copy.deepcopy(tuple(case.values())))
                        read = (out, self._shapes(case)) if self.returns else (out,)
                        arr, _ = self._read(*read)
                    if arr is not None and arr.size == 1 == ref.size:
                        arr = arr.reshape(ref.shape)
                    if arr is not None and close(arr, ref, self.rtol, self.atol):
                        hits.add(i)
                found.append(hits)
            object.__setattr__(self, "_easy", found)
        return found

    def _timed_out(self, case: Mapping[str, Any], table: list) -> Verdict:
        return self._verdict(
            "error",
            f"Your function did not return within {calling.TIME_LIMIT:g} s when called as "
            f"{self._call_text(case)}, so the check stopped it (a correct solution "
            f"takes well under a second). Look for a loop that never ends: a `while` "
            f"whose condition never becomes false, or a counter that is never "
            f"increased.",
            table,
        )

    def _cut_short(self, verdict: Verdict, table: list) -> Verdict:
        """An error on some inputs (it raised, ran too long, used up the check's time), where
        the question gives partial credit: those inputs are wrong, and the ones it got right
        still count. Nothing right: the error, as it is."""
        passed = self._credited(table)
        if not self._partial() or passed == 0:
            return verdict
        n = len(self._cases())
        return self._verdict(
            "incorrect",
            f"Right on {passed} of {n} inputs (see the table). {verdict.message}",
            table,
            right=passed,
            of=n,
            unit="inputs",
        )


def record_calls(
    answer: Any,
    cases: Sequence[Mapping[str, Any]],
    watch: Callable[[], calling.CourseCalls] = calling.CourseCalls,
) -> dict[str, Any]:
    """What ``answer`` does on a function question's ``cases``, as plain data for the grader. Each
    call has the limits the check gives it, and the calls stop where the check would stop. A
    function that calls the course's own answer (``watch``) is recorded as the course's."""
    from .plain import read_answer

    if not callable(answer) or isinstance(answer, type):
        return read_answer(answer, calling.TIME_LIMIT)
    params = None
    said = call_student(_parameters, (answer,), copied=False)
    if said.returned:
        params = said.value
    owner = _course_owner(answer)
    if owner:  # the course's own function: not run, and the grader says so as the check does
        return {"t": "calls", "name": "", "signature": params, "calls": [], "owner": owner}
    calls: list[dict[str, Any]] = []
    spent = 0.0
    for i, case in enumerate(cases):
        left = calling.CHECK_LIMIT - spent
        if left <= 0:
            break
        watching = watch()
        call = call_student(
            answer, tuple(case.values()), limit=min(calling.TIME_LIMIT, left), watch=watching
        )
        spent += call.seconds
        if watching.hits:  # a wrapper of the course's own answer: recorded as the course's
            owner = watching.hits[0].rsplit("(from ", 1)[-1].rstrip(")")
            return {"t": "calls", "name": "", "signature": params, "calls": [], "owner": owner}
        entry: dict[str, Any] = {"seconds": call.seconds}
        calls.append(entry)
        if call.interrupted:
            entry["kind"] = "interrupted"
            break
        if call.timed_out:  # that input is wrong; the check goes on to the next (partial credit)
            entry["kind"] = "timeout"
            continue
        if call.error is not None:
            err = call.error
            entry.update(
                kind="raised",
                error={
                    "type": type(err).__name__,
                    "message": str(err)[:2000],
                    "traceback": student_traceback(err)[:5000],
                },
            )
            continue
        limit = max(min(calling.TIME_LIMIT, calling.CHECK_LIMIT - spent), 0.05)
        started = time.perf_counter()
        entry.update(kind="returned", value=read_answer(call.value, limit))
        spent += time.perf_counter() - started
        if i == 0 and contains_placeholder(call.value):
            break
    name = call_student(lambda f: str(getattr(f, "__name__", ""))[:100], (answer,), copied=False)
    return {
        "t": "calls",
        "name": name.value if name.returned else "",
        "signature": params,
        "calls": calls,
    }


def _parameters(fn: Any) -> list[list[Any]] | None:
    """A function's parameters as data: ``[name, kind, has a default]`` each (None if it hides
    its signature), so the grader can say the same thing about them."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    return [
        [str(p.name), int(p.kind), p.default is not inspect.Parameter.empty]
        for p in signature.parameters.values()
    ]


def _raised_in_students_code(err: BaseException, answer: Any) -> bool:
    """Did ``err`` come from a method of the student's answer (its ``__eq__``, ``__iter__``,
    ``__repr__``..., or of what it holds), which a check calls when it reads the answer?"""
    if getattr(err, "from_student", False):  # replayed while grading (plain.StudentError)
        return True
    codes = _method_codes(answer)
    for item in _parts(answer):
        codes |= _method_codes(item)
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            return True
        tb = tb.tb_next
    return False


def _parts(answer: Any) -> list[Any]:
    """A few of what the answer holds, read without calling its own methods."""
    if type(answer) in (list, tuple):
        return list(answer[:50])
    if type(answer) is dict:
        return [*list(answer)[:50], *list(answer.values())[:50]]
    return []


def _method_codes(value: Any) -> set[Any]:
    """The code objects of the methods of ``value``'s class, outside gdcourse and the builtins."""
    codes = set()
    for cls in type(value).__mro__:
        for member in vars(cls).values():
            code = getattr(member, "__code__", None)
            if code is not None and not code.co_filename.startswith(_PACKAGE_DIR):
                codes.add(code)
    return codes


def _short(value: Any, name: str = "") -> str:
    """An argument as the call text shows it: as written if short, else by its name, kind and
    size (``X <array 1024x3>``)."""
    text = f"np.array({value.tolist()!r})" if isinstance(value, np.ndarray) else repr(value)
    if len(text) <= 48:  # as the function receives it: np.array([1.0, -2.0]), not a list
        return text
    if isinstance(value, np.ndarray):
        kind = f"array {'x'.join(map(str, value.shape))}"
    elif isinstance(value, (list, tuple)):
        kind = f"{type(value).__name__} of {len(value)}"
    else:
        kind = type(value).__name__
    return f"{name} <{kind}>" if name else f"<{kind}>"


def _parts_problem(names: tuple[str, ...], got: tuple, want: tuple) -> str:
    """One sentence on parts of a result of the wrong shapes: the parts the other way round, a
    part transposed, or a part's shape that is simply another."""
    if len(names) == 2 and got == want[::-1] and want[0] != want[1]:
        return (
            f"Your two results have each other's shapes: return them in the order ({names[0]}, "
            f"{names[1]})."
        )
    for name, g, w in zip(names, got, want, strict=True):
        if g == w:
            continue
        if len(g) == 2 and g == w[::-1]:
            return f"Your {name} is transposed: its shape is {g}, and {name} has shape {w} here."
        return f"Your {name} has shape {g}, and {name} has shape {w} here."
    return ""


def _shape_problem(arr: np.ndarray, ref: np.ndarray, starts_with: str = "") -> str:
    """One sentence on a result of the wrong shape: shapes must match exactly (one policy,
    docs/authoring.md): a (3, 2) table is not 6 numbers in a row, nor (5, 1) a list of 5."""
    if ref.ndim == 0:
        return f"Your function returned {_shape_words(arr.shape)} where one number is expected."
    if arr.ndim == 1 == ref.ndim:
        n, m = len(ref), len(arr)
        expected = "1 is expected" if n == 1 else f"{n} are expected"
        head = f"Your function returned {_shape_words(arr.shape)} where {expected}"
        if 1 <= m < n and np.allclose(arr, ref[:m], rtol=1e-6, atol=1e-9):
            if starts_with and _runner_stopped(arr, ref):
                return (
                    f"{head}: the first {m}, after which the run stays where it is (it reached "
                    f"the minimum). The course's gradient_descent stops early there, as a "
                    f"converged run: pass tol=None to keep every step."
                )
            return f"{head}: they are the first {m}, and the last {n - m} are missing."
        if m == 0:
            return f"{head}: the list is empty."
        if m == n - 1 and np.allclose(arr, ref[1:], rtol=1e-6, atol=1e-9):
            return f"{head}: they are all but the first."
        return f"{head}."
    if arr.shape == (*ref.shape, 1):
        return (
            f"Your function returned {_shape_words(arr.shape)}: each entry is itself a list or "
            f"array of one number. Put the numbers themselves in the list (float(w), or w[0])."
        )
    if arr.ndim == 0:
        return (
            f"Your function returned a single number where {_shape_words(ref.shape)} are expected."
        )
    if arr.size == ref.size:
        return (
            f"Your function returned {_shape_words(arr.shape)}; the right result is "
            f"{_shape_words(ref.shape)}. Return it in that shape (no .ravel(), no extra brackets)."
        )
    return (
        f"Your function returned {_shape_words(arr.shape)}; the right result is "
        f"{_shape_words(ref.shape)}."
    )


def _label(text: Any) -> Any:
    """A label as compared: case, spaces, underscores and hyphens do not matter (a run of them
    is one separator: "sgd  and momentum" is "sgd and momentum")."""
    return re.sub(r"[\s_-]+", "-", text.strip().lower()) if isinstance(text, str) else text


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class ChoiceQuestion(Question):
    """A label from a fixed list, or a dict of labels (e.g. one regime per learning rate).

    Parameters
    ----------
    expected : callable
        Returns the right label, or a dict ``{key: label}``, computed by the core.
    choices : tuple of str
        The allowed labels (compared ignoring case, spaces, hyphens and underscores).
    confusions : dict
        ``{(right label, given label): targeted hint}`` for known confusions.
    key_name : str
        What the dict keys are, for messages ("rate").
    words : dict
        ``{word: sentence}`` for words that are not labels but mean something close (the seed's
        'oscillating'): the sentence explains which labels the course uses instead. Keys are
        compared like labels.
    """

    expected: Callable[[], Any]
    choices: tuple[str, ...]
    confusions: Mapping[tuple[str, str], str] = field(default_factory=dict)
    key_name: str = "key"
    words: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "words", {_label(k): v for k, v in self.words.items()})
        # Keys compared as the answers are (a confusion written "blows up" meets "blows-up").
        object.__setattr__(
            self,
            "confusions",
            {(_label(a), _label(b)): v for (a, b), v in self.confusions.items()},
        )

    def _partial(self) -> bool:
        return self.partial is not False  # a dict of labels: the share of its labels right

    def _numeric_choices(self) -> dict[str, float] | None:
        """``{label: its number}`` when every label is a number written as text, else None."""
        values = {c: _as_float(c) for c in self.choices}
        return None if None in values.values() else values

    def _as_choice(self, given: Any) -> Any:
        """A number, or a number written another way ('1.9e-02'), for one of numeric labels
        ('0.019') is that label: the student read the right rate and wrote it differently."""
        values = self._numeric_choices()
        if values is None or isinstance(given, bool):
            return given
        x = _as_float(given) if is_number(given) or isinstance(given, str) else None
        if x is None or not math.isfinite(x):
            return given
        same = [c for c, v in values.items() if math.isclose(x, v, rel_tol=1e-9)]
        if not same:
            # A number the label rounds (the range test's 0.019179... for '0.019', or a float32
            # 0.019): that label, read to the digits it shows.
            same = [c for c, v in values.items() if _rounds_to(x, c)]
        return same[0] if len(same) == 1 else given

    def _unknown_label(self, given: Any) -> str | None:
        labels = ", ".join(repr(c) for c in self.choices)
        if self._numeric_choices() is not None and not isinstance(given, (str, bool)):
            if is_number(given):
                said = describe(given)
                return f"Your answer, {said}, is not one of the numbers offered: {labels}."
        if not isinstance(given, str):
            return f"Expected one of the labels {labels}; got {describe(given)}."
        if _label(given) in map(_label, self.choices):
            return None
        if self._numeric_choices() is not None:
            # Numbers that look alike as text are not alike as numbers: no "did you mean".
            return f"{given!r} is not one of the numbers offered: {labels}. Copy one of them."
        word = self.words.get(_label(given))
        if word:  # a word with a meaning of its own (the seed's), not a misspelling
            return f"{given!r} is not one of the labels: {labels}. {word}"
        near = _misspelt(_label(given), self.choices)
        maybe = f" Did you mean {near!r}?" if near else ""
        if not near and len(_label(given)) >= 3:
            # 'minimum' for 'upper minimum' / 'lower minimum': name the labels that hold it.
            holding = [c for c in self.choices if _label(given) in _label(c).split("-")]
            if holding:
                maybe = f" Labels with {given.strip()!r} in them: " + ", ".join(map(repr, holding))
                maybe += "."
        return f"{given!r} is not one of the labels: {labels}.{maybe}"

    def _evaluate(self, answer: Any) -> Verdict:
        ref = self.expected()
        if not isinstance(ref, Mapping):
            answer = self._as_choice(answer)
            problem = self._unknown_label(answer)
            if problem:
                return self._verdict("incorrect", problem)
            if _label(answer) == _label(ref):
                return self._verdict("correct", "Right.")
            hint = self.confusions.get((_label(ref), _label(answer)), "")
            return self._verdict("incorrect", f"Not {answer!r}. {hint}".strip())
        if not isinstance(answer, Mapping):
            return self._verdict(
                "incorrect",
                f"Expected a dict with one label per {self.key_name}, like "
                f"{{{next(iter(ref))!r}: 'label', ...}}; got {describe(answer)}.",
            )
        # Every label is judged on its own (partial credit counts the right ones); the message
        # names the first problem, as it reads in the dict.
        given: dict[Any, Any] = {}
        twice: set[Any] = set()  # a key given twice holds two answers: neither counts
        problem = ""
        extra = 0  # labels for keys not asked about: each is a wrong label
        for key, value in answer.items():
            match = (
                [] if isinstance(key, (bool, np.bool_)) else [k for k in ref if _same_key(k, key)]
            )
            if not match:
                extra += 1
                problem = problem or self._unknown_key(key, ref)
            elif match[0] in given:
                twice.add(match[0])
                problem = problem or (
                    f"Your dict gives the key {match[0]!r} twice (as different keys that mean "
                    f"the same): keep one."
                )
            else:
                given[match[0]] = self._as_choice(value)
        missing = [k for k in ref if k not in given]
        if missing and not problem:
            names = ", ".join(repr(k) for k in missing)
            problem = f"Your labels are missing {self._keys(len(missing))} {names}."
        known = {}
        for k, value in given.items():
            unknown = self._unknown_label(value)
            problem = problem or unknown or ""
            known[k] = unknown is None
        right = [
            k
            for k in ref
            if k in given and k not in twice and known[k] and _label(given[k]) == _label(ref[k])
        ]
        # Partial credit needs more than one label right: labels that are right all being one
        # label are what a dict giving that label to every key gets too (doing no work).
        earned = len(right) if len({_label(ref[k]) for k in right}) > 1 else 0
        count = {"right": earned, "of": len(ref) + extra, "unit": "labels"}
        alone = (
            " The labels you have right are all one label, which a dict giving that label to "
            "every key gets right too: they earn no points on their own."
            if right and not earned and self._partial() and len(ref) > 1
            else ""
        )
        if problem:
            return self._verdict("incorrect", problem + alone, **count)
        wrong = [k for k in ref if k not in right]
        if not wrong:
            every = "both" if len(ref) == 2 else f"all {len(ref)}"
            return self._verdict("correct", f"Right: {every} labels.", **count)
        if len(self.choices) == 2:
            # With two labels, naming the wrong keys would be the answer (flip them): say how
            # many, and the known confusions' hints without their keys.
            lines = [
                f"{len(wrong)} of your {len(ref)} labels {'is' if len(wrong) == 1 else 'are'} "
                f"not right. With two labels to choose from, the check does not say which: look "
                f"at each {self.key_name} again.{alone}"
            ]
            for k in wrong:
                hint = self.confusions.get((_label(ref[k]), _label(given[k])))
                if hint and hint not in lines:
                    lines.append(hint)
                    _RECOGNISED.setdefault(self.id, f"{_label(given[k])} for {_label(ref[k])}")
            return self._verdict("incorrect", "\n".join(lines), **count)
        lines = [
            f"{len(wrong)} of your {len(ref)} labels {'is' if len(wrong) == 1 else 'are'} not "
            f"right: {self._keys(len(wrong))} {', '.join(repr(k) for k in wrong)}.{alone}"
        ]
        for k in wrong:
            hint = self.confusions.get((_label(ref[k]), _label(given[k])))
            if hint:
                lines.append(f"For {self.key_name} {k!r}: {hint}")
                # A known confusion is a known mistake: the first one names the verdict's (what
                # the instructor's summary counts), "diverging for bouncing".
                _RECOGNISED.setdefault(self.id, f"{_label(given[k])} for {_label(ref[k])}")
        return self._verdict("incorrect", "\n".join(lines), **count)

    def _keys(self, n: int) -> str:
        """The key name, plural when there are several: "rate", "rates", "(a, rate) pairs"."""
        if n == 1:
            return self.key_name
        return f"{self.key_name} pairs" if self.key_name.startswith("(") else f"{self.key_name}s"

    def _unknown_key(self, key: Any, ref: Mapping[Any, Any]) -> str:
        asked = ", ".join(repr(k) for k in ref)
        shown = repr(key) if isinstance(key, (str, int, float, tuple)) else describe(key)
        shown = shown if len(shown) <= 60 else describe(key)
        text = f"Your key {shown} is not one of the {self._keys(2)} asked about: {asked}."
        if isinstance(key, tuple) and any(_same_key(k, key[::-1]) for k in ref):
            text += f" Your pair is the other way round: each key is a {self.key_name}."
        elif isinstance(key, str) and _label(key) in map(_label, self.choices):
            text += (
                f" {key!r} is a label: the dict maps each {self.key_name} to its label, like "
                f"{{{next(iter(ref))!r}: {key!r}}}."
            )
        elif isinstance(key, str) and any(isinstance(k, tuple) for k in ref) and "," in key:
            text += (
                " A pair is a tuple, like (1, 0.5), without quotes: the text '(1, 0.5)' is not "
                "a pair."
            )
        elif isinstance(key, str) and len(_key_text(key)) >= 5:  # '1/√t' is not a slip of '1/t'
            near = _misspelt(_key_text(key), tuple(_key_text(k) for k in ref if isinstance(k, str)))
            if near:
                original = next(k for k in ref if isinstance(k, str) and _key_text(k) == near)
                text += f" Did you mean {original!r}?"
        return text


def _same_key(ours: Any, given: Any) -> bool:
    """Is the student's dict key ``given`` our key ``ours``? Text keys match ignoring case and
    spaces ('a' is 'A'); a number may be computed (``(0.1 + 0.2) - 0.2`` is 0.1) or written as
    text; a pair matches entry by entry. A key whose own ``__eq__`` raises is not ours."""
    try:
        if isinstance(ours, str):
            return isinstance(given, str) and _key_text(given) == _key_text(ours)
        if isinstance(ours, tuple):
            return (
                isinstance(given, tuple)
                and len(given) == len(ours)
                and all(_same_key(o, g) for o, g in zip(ours, given, strict=True))
            )
        if is_number(ours):
            x = _as_float(given) if is_number(given) or isinstance(given, str) else None
            # rel 1e-6: a float32 0.1 is 0.1 (it differs in the 8th digit)
            return x is not None and math.isclose(x, ours, rel_tol=1e-6, abs_tol=1e-12)
        return bool(ours == given)
    except Exception:
        return False


def _key_text(text: str) -> str:
    """A text key as compared: no case, no spaces, hyphens or underscores ('dL / dx' is
    'dL/dx', 'a' is 'A', 'steepest_descent' is 'steepest descent')."""
    return "".join(text.lower().split()).replace("_", "").replace("-", "")


def _rounds_to(x: float, label: str) -> bool:
    """Does ``x`` round to the number ``label`` writes, at the digits it shows ('0.019')?"""
    value = _as_float(label)
    if value is None or value == 0:
        return False
    digits = len(label.strip().lstrip("-+").replace(".", "").lstrip("0").split("e")[0])
    return f"{x:.{max(digits, 1)}g}" == f"{value:.{max(digits, 1)}g}"


def _misspelt(given: str, choices: tuple[str, ...]) -> str | None:
    """The one label ``given`` is a misspelling of: at most 2 letters added, dropped, changed or
    swapped, and fewer than a quarter of its letters. A different word ('converging' for
    'diverging', 3 letters apart) is never suggested; nor is anything when two labels are as
    close."""
    if len(given) < 3:
        return None
    # A slip keeps the first letter ('diverge' -> 'diverging'); 'either' is not 'neither'. A
    # label of 2 letters is too short to tell a slip from another word ('not' for 'no').
    scored = [
        (_distance(given, _label(c)), c)
        for c in choices
        if _label(c)[:1] == given[:1] and len(c) >= 3
    ]
    near = [c for d, c in scored if d <= min(2, max(1, len(given) // 4))]
    return near[0] if len(near) == 1 else None


def _distance(a: str, b: str) -> int:
    """Letters added, dropped, changed or swapped to turn ``a`` into ``b`` (Damerau-Levenshtein,
    optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _as_float(x: Any) -> float | None:
    """``x`` as a float, or None: text that is not a number, 10**400, a ``__float__`` that
    raises (the student's values, read as "not this label", never a course error)."""
    try:
        return float(x)
    except Exception:
        return None


def declared(lesson: str) -> list[Question] | None:
    """The questions of ``lesson`` if its module is loaded (checks never import a lesson: the
    arrows point one way), else None."""
    module = sys.modules.get(f"gdcourse.lessons.{lesson}")
    return questions_of(module) if isinstance(module, ModuleType) else None


def questions_of(module: ModuleType) -> list[Question]:
    """The questions a lesson module declares, in order q1, q2, ..."""
    found = [(n, v) for n, v in vars(module).items() if isinstance(v, Question)]
    return [
        v
        for _, v in sorted(found, key=lambda item: int(item[0][1:]) if item[0][1:].isdigit() else 0)
    ]
