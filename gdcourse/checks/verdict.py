"""What a check returns, and the hint and solution notes: each renders itself in a notebook.

Rendering gives coloured HTML in JupyterLab, plain text everywhere else (consoles, nbconvert,
CI logs), and a small JSON record (mime type ``application/vnd.gdcourse.verdict+json``) that
tests and the grader read back from executed notebooks. Meaning never rests on colour alone:
every verdict starts with a word and a symbol.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from ..core.errors import CourseValueError

__all__ = [
    "MAX_CELL",
    "MAX_MESSAGE",
    "MAX_ROWS",
    "OUTCOMES",
    "STYLE",
    "VERDICT_MIME",
    "Note",
    "Verdict",
    "shown_points",
]

#: Every outcome a check can have.
OUTCOMES = ("correct", "incorrect", "not_attempted", "error", "internal_error")
VERDICT_MIME = "application/vnd.gdcourse.verdict+json"

#: For each outcome (and hints, solutions): an Okabe-Ito colour (colour-blind safe), a symbol
#: and a heading word, so meaning never rests on colour alone.
STYLE = {
    "correct": ("#009E73", "\u2714", "Correct"),
    "incorrect": ("#D55E00", "\u2718", "Not yet"),
    "not_attempted": ("#56B4E9", "\u2026", "Not attempted"),
    "error": ("#E69F00", "!", "Your code raised an error"),
    "internal_error": ("#CC79A7", "?", "Course error (not your fault)"),
    "hint": ("#0072B2", "\u2139", "Hint"),
    "solution": ("#0072B2", "\u2611", "Solution"),
}


#: The most a verdict shows: characters of its message, rows of its table (after the header)
#: and characters in one cell of it.
MAX_MESSAGE = 3000
MAX_ROWS = 30
MAX_CELL = 120


def _cut(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and a note of how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 40]} ... ({len(text) - limit + 40:,} characters cut)"


def html_table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    cells = "".join(
        f"<th style='text-align:left;padding:2px 8px'>{html.escape(h)}</th>" for h in head
    )
    lines = [f"<tr>{cells}</tr>"]
    for row in body:
        tds = "".join(
            f"<td style='padding:2px 8px'><code>{html.escape(c)}</code></td>" for c in row
        )
        lines.append(f"<tr>{tds}</tr>")
    return "<table style='border-collapse:collapse;margin-top:4px'>" + "".join(lines) + "</table>"


def text_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    )


def shown_points(x: float) -> str:
    """Points as every page shows them: to 2 decimals at most (``1.6``, ``0.67``, ``2``)."""
    return f"{round(float(x), 2):g}"


def _box(kind: str, title: str, body_html: str) -> str:
    colour, symbol, _ = STYLE[kind]
    return (
        f"<div style='border-left:6px solid {colour};padding:6px 10px;margin:4px 0;"
        f"background:rgba(127,127,127,0.06)' role='status'>"
        f"<strong>{symbol} {html.escape(title)}</strong><div>{body_html}</div></div>"
    )


@dataclass(frozen=True)
class Verdict:
    """The result of ``question.check(answer)``.

    Attributes
    ----------
    outcome : str
        One of ``"correct"``, ``"incorrect"``, ``"not_attempted"``, ``"error"`` (your own code
        raised) and ``"internal_error"`` (a bug in the course).
    message : str
        What went right or wrong, in words. Never the expected value.
    question : str
        Which question, e.g. ``"lr_exploration.q2"``.
    points, max_points : float
        Points earned and available. A partly right answer of a question that gives partial
        credit earns a share of the points (e.g. 1.6 of 2) and stays ``"incorrect"``.
    table : list of tuple of str
        Optional rows (header first), e.g. which inputs a function passed.
    right, of : int
        How many of the check's inputs, labels or entries were right, out of how many, for a
        question that gives partial credit (0 and 0 for an all-or-nothing one).
    unit : str
        What ``right`` and ``of`` count: ``"inputs"``, ``"labels"``, ``"entries"``.
    misconception : str
        The known mistake an ``"incorrect"`` answer was recognised as (the misconception's
        name, e.g. ``"sign flipped"``), else ``""``: what the instructor's summary counts.
    """

    outcome: str
    message: str
    question: str = ""
    points: float = 0
    max_points: float = 1
    table: list[tuple[str, ...]] = field(default_factory=list)
    right: int = 0
    of: int = 0
    unit: str = ""
    misconception: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise CourseValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if not 0 <= self.right <= self.of:
            raise CourseValueError(f"right must be within 0 to of ({self.of}), got {self.right}")
        # A verdict is read, and saved in the notebook: whatever the student's values (a data
        # set, a traceback of 1,000 frames), it stays a few screens long.
        object.__setattr__(self, "message", _cut(str(self.message), MAX_MESSAGE))
        rows = [tuple(_cut(str(c), MAX_CELL) for c in row) for row in self.table]
        if len(rows) == 1:  # a header alone (a check stopped before its first row): no table
            rows = []
        if len(rows) > MAX_ROWS + 1:
            more = len(rows) - MAX_ROWS - 1
            last = (f"... and {more} more rows", *[""] * (len(rows[0]) - 1))
            rows = [*rows[: MAX_ROWS + 1], last]
        object.__setattr__(self, "table", rows)

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"

    def _title(self) -> str:
        heading = STYLE[self.outcome][2]
        label = self.question.split(".")[-1]
        return f"{label}: {heading}" if label else heading

    def _score(self) -> str:
        """ "1/1 points", or for a partly right answer "1.6/2 points: right on 4 of 5 inputs"."""
        text = f"{shown_points(self.points)}/{shown_points(self.max_points)} points"
        if self.outcome != "correct" and 0 < self.right < self.of:
            text += f": right on {self.right} of {self.of} {self.unit}".rstrip()
        return text

    def __str__(self) -> str:
        symbol = STYLE[self.outcome][1]
        text = f"{symbol} {self._title()} ({self._score()})\n{self.message}"
        if self.table:
            text += "\n" + text_table(self.table)
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        body = html.escape(self.message).replace("\n", "<br>")
        if self.table:
            body += html_table(self.table)
        title = f"{self._title()} ({self._score()})"
        return _box(self.outcome, title, body)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {
            "text/plain": str(self),
            "text/html": self._repr_html_(),
            VERDICT_MIME: {
                "question": self.question,
                "outcome": self.outcome,
                "points": self.points,
                "max_points": self.max_points,
                "right": self.right,
                "of": self.of,
                "unit": self.unit,
            },
        }


@dataclass(frozen=True)
class Note:
    """A hint or a solution, shown as a box in JupyterLab and as text elsewhere."""

    kind: str  # "hint" or "solution"
    title: str
    text: str
    code: bool = False

    def __str__(self) -> str:
        return f"{STYLE[self.kind][1]} {self.title}\n{self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if self.code:
            body = f"<pre style='margin:4px 0'>{html.escape(self.text)}</pre>"
        else:
            body = html.escape(self.text).replace("\n", "<br>")
        return _box(self.kind, self.title, body)
