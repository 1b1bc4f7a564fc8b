"""The local progress log: one JSON line per check, hint or solution, and a summary table.

The file is ``$GDCOURSE_PROGRESS`` or ``~/.gdcourse/progress.jsonl``. It is only ever appended
to, and a file that cannot be written gives a warning, never a failure: a student's check must
work on a read-only machine too.

Each line is ``{"time", "lesson", "question", "event", "outcome"}``: a ``"check"`` with its
verdict's outcome, or a ``"hint"`` or ``"solution"`` that was ``"shown"`` or ``"withheld"`` (in an
assignment). Older logs have hints and solutions without an outcome: those were shown.

:func:`progress` lists the lessons in course order, the order of the numbered notebooks (each
lesson followed by its exercise), and counts against what each lesson module declares.
"""

from __future__ import annotations

import html
import json
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from .verdict import OUTCOMES, STYLE, html_table, text_table

__all__ = ["LessonProgress", "ProgressTable", "progress", "progress_file", "record"]

_warned: set[str] = set()


def progress_file() -> Path:
    """Where progress is logged: ``$GDCOURSE_PROGRESS``, else ``~/.gdcourse/progress.jsonl``."""
    env = os.environ.get("GDCOURSE_PROGRESS")
    return Path(env).expanduser() if env else Path.home() / ".gdcourse" / "progress.jsonl"


def record(lesson: str, question: str, event: str, outcome: str | None = None) -> None:
    """Append one event; warn once per file (never raise) if it cannot be written."""
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "lesson": lesson,
        "question": question,
        "event": event,
    }
    if outcome is not None:
        entry["outcome"] = outcome
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
    except OSError as err:
        if str(path) not in _warned:
            _warned.add(str(path))
            warnings.warn(
                f"gdcourse could not save your progress to {path} ({err.strerror}); your checks "
                f"still work. Set GDCOURSE_PROGRESS to a writable file to keep a record.",
                stacklevel=3,
            )


_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CHECKOUT = _PACKAGE_DIR.parent  # the course folder, when the package is installed editable
#: ``03_lr_exploration.ipynb``: the lesson's number and its module's name.
_NUMBERED = re.compile(r"(?P<number>\d\d)_(?P<slug>\w+)\.ipynb")
#: Outcomes that judge the answer. A later "not attempted" (a blank re-run) or course error says
#: nothing about the answer, so it does not undo an earlier verdict.
_JUDGED = ("correct", "incorrect", "error")
_NOT_CHECKED = "\u2013"  # en dash: a question of the lesson never checked yet
_SYMBOL = {outcome: STYLE[outcome][1] for outcome in OUTCOMES}


class LessonProgress(NamedTuple):
    """One lesson's line of :func:`progress`; ``None`` where the course does not know the lesson.

    Attributes
    ----------
    lesson : str
        The lesson module's name, as logged (``"lr_exploration"``).
    title : str
        Its number and title, as a student meets it (``"03 Exercise: exploring the learning
        rate"``); the logged name for a lesson the course does not have.
    done, questions : int, int or None
        Questions whose latest checked answer was correct, of the questions the lesson declares.
    points, max_points : int or None
        The points of the questions done, of the lesson's points.
    attempted : int
        Questions checked with an answer (every outcome but ``"not_attempted"``).
    hints, solutions : int
        Hints shown (withheld ones are not counted) and questions whose solution was shown.
    latest : tuple of (str, str or None)
        Each question, in the lesson's order, and the outcome of its latest check that judged an
        answer, else of its latest check (``None``: never checked).
    """

    lesson: str
    title: str
    done: int
    questions: int | None
    points: int | None
    max_points: int | None
    attempted: int
    hints: int
    solutions: int
    latest: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class ProgressTable:
    """Per-lesson progress, one :class:`LessonProgress` per row, in course order."""

    rows: list[LessonProgress]
    source: str
    unreadable: str = ""  # why the log could not be read ("" when it could, or is not there)

    _HEAD = (
        "lesson",
        "questions done",
        "points",
        "attempted",
        "hints shown",
        "solutions seen",
        "latest check per question",
    )

    def _cells(self) -> list[tuple[str, ...]]:
        return [self._HEAD] + [
            (
                r.title,
                _of(r.done, r.questions),
                _of(r.points, r.max_points),
                str(r.attempted),
                str(r.hints),
                str(r.solutions),
                "  ".join(f"{q} {_SYMBOL.get(o, _NOT_CHECKED)}" for q, o in r.latest),
            )
            for r in self.rows
        ]

    def _legend(self) -> list[str]:
        marks = ", ".join(
            f"{_SYMBOL[o]} {STYLE[o][2][0].lower()}{STYLE[o][2][1:]}" for o in OUTCOMES
        )
        lines = [
            f"Latest check: {marks}, {_NOT_CHECKED} not checked yet.",
            "A question is done when its latest checked answer was correct; points count the "
            "questions done.",
        ]
        if any(r.questions is None for r in self.rows):
            lines.append(
                "of ?: a lesson this course does not have (an old or damaged log), so its "
                "totals are unknown."
            )
        return lines

    def _empty(self) -> str:
        if self.unreadable:
            return (
                f"Your progress log {self.source} cannot be read ({self.unreadable}); set "
                f"GDCOURSE_PROGRESS to a file you can read and write."
            )
        return _EMPTY.format(source=self.source)

    def __str__(self) -> str:
        if not self.rows:
            return self._empty()
        lines = [*text_table(self._cells()).splitlines(), *(f"  {s}" for s in self._legend())]
        return "\n".join(line.rstrip() for line in lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>{html.escape(self._empty())}</p>"
        legend = "".join(
            f"<p style='margin:2px 0;font-size:90%'>{html.escape(s)}</p>" for s in self._legend()
        )
        return html_table(self._cells()) + legend


_EMPTY = (
    "No progress recorded yet (in {source}): run a check in a lesson or an exercise, for "
    "example ex.q1.check(answer), and it shows here."
)


def _of(n: int | None, total: int | None) -> str:
    return f"{'?' if n is None else n} of {'?' if total is None else total}"


@dataclass
class _Tally:
    """What the log says about one lesson."""

    last: dict[str, str] = field(default_factory=dict)  # question -> its latest check's outcome
    judged: dict[str, str] = field(default_factory=dict)  # ... of its latest check judging it
    attempted: set[str] = field(default_factory=set)
    hints: int = 0
    solutions: set[str] = field(default_factory=set)
    seen: dict[str, None] = field(default_factory=dict)  # every question logged, first first


@dataclass(frozen=True)
class _Place:
    """Where a lesson module sits in the course."""

    number: int
    exercise: bool
    notebook: Path | None = None  # where its title can be read


def progress(questions_in: Callable[[str], list[Any] | None] | None = None) -> ProgressTable:
    """Summarise the progress log per lesson, in the order a student meets the lessons.

    Parameters
    ----------
    questions_in : callable, optional
        ``lesson -> its questions`` (or None), for the totals. ``gdcourse.progress()`` passes
        :func:`gdcourse.lessons.questions_in`, which loads the lessons in the log: checks never
        import the lessons (arrows point one way). Without it, only lessons this session has
        loaded have totals.

    Returns
    -------
    ProgressTable
        One row per lesson in the log: questions done (latest checked answer correct) and
        points, of the lesson's totals; questions attempted; hints shown; solutions seen; each
        question's latest outcome. A lesson the course does not have comes last, with unknown
        totals. A damaged line of the log is skipped; a missing or unreadable log gives no rows.
    """
    path = progress_file()
    unreadable = ""
    try:
        # errors="replace": a damaged byte costs its line only, not the whole log.
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        lines = []
    except OSError as err:  # a folder, no permission: say so, not "no progress yet"
        lines, unreadable = [], err.strerror or type(err).__name__
    tallies: dict[str, _Tally] = {}
    for line in lines:
        try:
            e = json.loads(line)
            lesson, question, event = e["lesson"], e["question"], e["event"]
            outcome = e.get("outcome")
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged line costs that line only
        if not (isinstance(lesson, str) and isinstance(question, str)):
            continue
        if event == "check" and outcome not in OUTCOMES:
            continue
        t = tallies.setdefault(lesson, _Tally())
        t.seen.setdefault(question)
        shown = outcome in (None, "shown")  # older logs: a hint or solution had no outcome
        if event == "check":
            t.last[question] = outcome
            if outcome in _JUDGED:
                t.judged[question] = outcome
            if outcome != "not_attempted":
                t.attempted.add(question)
        elif event == "hint" and shown:
            t.hints += 1
        elif event == "solution" and shown:
            t.solutions.add(question)

    modules = {p.stem for p in (_PACKAGE_DIR / "lessons").glob("*.py") if p.stem[0] != "_"}
    places = _places(tallies.keys() & modules)

    def order(lesson: str) -> tuple[int, int, bool, str]:
        place = places.get(lesson)
        if place is not None:
            return (0, place.number, place.exercise, lesson)
        return (1 if lesson in modules else 2, 0, False, lesson)

    rows = [
        _row(lesson, tallies[lesson], places.get(lesson), lesson in modules, questions_in)
        for lesson in sorted(tallies, key=order)
    ]
    return ProgressTable(rows, str(path), unreadable)


def _row(
    lesson: str,
    t: _Tally,
    place: _Place | None,
    known: bool,
    questions_in: Callable[[str], list[Any] | None] | None,
) -> LessonProgress:
    questions = _questions(lesson, questions_in) if known else None
    if questions is None:
        names = sorted(t.seen, key=_natural)
        total = points = max_points = None
        done = sum(t.judged.get(q) == "correct" for q in names)
    else:
        declared = [q.name for q in questions]
        names = declared + sorted(t.seen.keys() - set(declared), key=_natural)
        total, max_points = len(questions), sum(q.points for q in questions)
        right = [q for q in questions if t.judged.get(q.name) == "correct"]
        done, points = len(right), sum(q.points for q in right)
        t.attempted &= set(declared)  # a question the lesson does not have is not one of its
    return LessonProgress(
        lesson=lesson,
        title=_title(lesson, place),
        done=done,
        questions=total,
        points=points,
        max_points=max_points,
        attempted=len(t.attempted),
        hints=t.hints,
        solutions=len(t.solutions),
        latest=tuple((q, t.judged.get(q) or t.last.get(q)) for q in names),
    )


def _natural(name: str) -> tuple[str, int]:
    """``q2`` before ``q10``."""
    m = re.fullmatch(r"(\D*)(\d+)", name)
    return (m[1], int(m[2])) if m else (name, -1)


def _questions(
    lesson: str, questions_in: Callable[[str], list[Any] | None] | None
) -> list[Any] | None:
    """The questions the lesson declares; ``None`` if they cannot be known."""
    if questions_in is None:
        from .questions import declared  # here, not above: questions.py imports this module

        return declared(lesson)
    try:
        return questions_in(lesson)
    except Exception:  # a broken lesson must not hide the rest of the table
        return None


def _course_folders() -> list[Path]:
    """Folders that may hold the numbered notebooks: the current folder and those above it (a
    kernel runs in its notebook's folder, e.g. ``my-work/notebooks/``), then the checkout the
    package was installed from."""
    try:
        here = Path.cwd()
    except OSError:  # the current folder was deleted
        return [_CHECKOUT]
    found = [
        d for d in (here, *here.parents) if (d / "notebooks").is_dir() or (d / "exercises").is_dir()
    ]
    return [*found, _CHECKOUT]


def _places(lessons: set[str]) -> dict[str, _Place]:
    """Each lesson's number, read from the file names of the course's numbered notebooks.

    Without a course folder (the package installed on its own), the number comes from the
    notebook named in the lesson module's docstring ("Questions of ``notebooks/03_...``").
    """
    places: dict[str, _Place] = {}
    for folder in _course_folders():
        for sub in ("notebooks", "exercises"):
            try:
                names = sorted(os.listdir(folder / sub))
            except OSError:
                continue
            for name in names:
                m = _NUMBERED.fullmatch(name)
                if m and m["slug"] in lessons and m["slug"] not in places:
                    places[m["slug"]] = _Place(
                        int(m["number"]), sub == "exercises", folder / sub / name
                    )
    for lesson in sorted(lessons - places.keys()):
        try:
            head = (_PACKAGE_DIR / "lessons" / f"{lesson}.py").read_text(encoding="utf-8")[:600]
        except (OSError, UnicodeDecodeError):
            continue
        m = re.search(rf"\b(notebooks|exercises|solutions)/(\d\d)_{lesson}\.ipynb", head)
        if m:
            places[lesson] = _Place(int(m[2]), m[1] != "notebooks")
    return places


def _title(lesson: str, place: _Place | None) -> str:
    """``"03 The learning rate: ..."``: the number and the notebook's first heading."""
    if place is None:
        return lesson
    title = _notebook_title(place.notebook) if place.notebook is not None else ""
    if not title:
        title = ("Exercise: " if place.exercise else "") + lesson.replace("_", " ")
    return f"{place.number:02d} {title}"


def _notebook_title(path: Path) -> str:
    """The notebook's first ``# `` heading without its number ("03 · Rates" gives "Rates")."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in nb["cells"] if c.get("cell_type") == "markdown"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return ""
    for cell in cells:
        source = cell.get("source", "")
        for line in ("".join(source) if isinstance(source, list) else str(source)).splitlines():
            if line.startswith("# "):
                return re.sub(r"^\d+\s*[·.:-]\s*", "", line[2:].strip())
    return ""
