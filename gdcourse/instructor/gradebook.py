"""Write what grading found: a CSV gradebook (one row per submission) and one HTML feedback
page per student, with each question's verdict and hint; never an expected value or hidden code.
"""

from __future__ import annotations

import csv
import html
import json
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from ..checks.verdict import STYLE, html_table, shown_points
from .grading import NOT_GRADED, STATUSES, GradedSubmission, QuestionResult
from .notebooks import notebook_title

__all__ = [
    "exercise_title",
    "feedback_html",
    "gradebook_columns",
    "safe_cell",
    "score_text",
    "write_executed",
    "write_feedback",
    "write_gradebook",
]

# The notebooks' verdict colours, symbols and words, plus the grader's own "missing".
_LOOK = {**STYLE, "missing": (*STYLE["not_attempted"][:2], "No answer found")}


def _points(x: float) -> str:
    return shown_points(x)  # to 2 decimals; the total is the sum of these (GradedSubmission)


#: What a spreadsheet reads as the start of a formula (or of a hidden one, after a tab or CR).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A text cell as a spreadsheet shows it, never runs it: one starting like a formula
    (``=HYPERLINK(...)``, ``+1``, ``@SUM``) gets a leading ``'`` (OWASP's CSV-injection advice), and
    every name is NFC-normalised so that one student is one spelling. Numbers are not passed here:
    they stay numbers.

    >>> safe_cell("=1+1"), safe_cell("alice"), safe_cell("-2")
    ("'=1+1", 'alice', "'-2")
    """
    text = printable(unicodedata.normalize("NFC", str(text)), keep="\t\r\n")
    # also after leading spaces, and a pipe (DDE): what some spreadsheets still read as live;
    # and the wide forms of those characters (＝, ＋, ＠), which some read as the narrow ones
    first = unicodedata.normalize("NFKC", text.lstrip(" \u00a0\u3000")[:1])
    starts = first.startswith((*_FORMULA_START, "|", "\n"))
    return f"'{text}" if starts else text


def printable(text: str, keep: str = "") -> str:
    """``text`` with control characters shown, not acted on (``\\x1b`` would clear an
    instructor's terminal, or hide what follows): newlines and tabs become spaces."""
    out = []
    for ch in str(text):
        if ch in keep:
            out.append(ch)
        elif ch in "\n\t\r":
            out.append(" ")
        # (Zl, Zp: U+2028 and U+2029 break a line wherever Unicode's line breaking is followed.)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") and ch not in "\u200d":
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


@cache
def exercise_title(slug: str) -> str:
    """The exercise's title as its notebook heads it, "03 · Exploring the learning rate", for
    pages a student reads; the slug itself where the course's notebooks are not at hand (an
    installed package without them), "" for none."""
    if not slug:
        return ""
    root = Path(__file__).resolve().parents[2]
    for folder in ("exercises", "notebooks"):
        for path in sorted((root / folder).glob(f"[0-9][0-9]_{slug}.ipynb")):
            try:
                heading = notebook_title(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
            title = heading.removeprefix("Exercise: ")
            if title:
                return f"{path.name[:2]} \u00b7 {title[:1].upper()}{title[1:]}"
    return slug


def score_text(r: QuestionResult) -> str:
    """ "1/1 points", or for a partly right answer "1.6/2 points: right on 4 of 5 inputs"."""
    text = f"{_points(r.points)}/{_points(r.max_points)} points"
    if r.outcome != "correct" and 0 < r.right < r.of:
        text += f": right on {r.right} of {r.of} {r.unit}".rstrip()
    return text


def _late_words(g: GradedSubmission) -> str:
    if g.days_late:
        return f"handed in {g.days_late} started day{'s' if g.days_late > 1 else ''} late"
    return "handed in late"


def _question_label(qid: str) -> str:
    return qid.rsplit(".", 1)[-1]


def gradebook_columns(graded: Sequence[GradedSubmission]) -> list[str]:
    """Column names: fixed ones, then two per question (``<id> outcome``, ``<id> points``).

    After ``student`` come what a course site's download said (:mod:`gdcourse.instructor.lms`):
    ``name``, ``lms_id``, ``late`` (``yes``/``no``) and ``chosen`` (why this file was graded among
    the student's several; empty when there was one)."""
    ids: list[str] = []
    for g in graded:
        ids += [r.id for r in g.results if r.id not in ids]
    per_question = [f"{qid} {kind}" for qid in ids for kind in ("outcome", "points")]
    return [
        "student",
        "name",
        "lms_id",
        "late",
        "chosen",
        "file",
        "lesson",
        "status",
        "status_detail",
        *per_question,
        "total",
        "max_total",
        "penalty",
        "final",
        "gdcourse_version",
        "made_with",
        "python_version",
        "graded_at",
        "hidden_checks",
    ]


def write_gradebook(graded: Sequence[GradedSubmission], path: Path) -> None:
    """One row per submission; plain UTF-8 CSV that spreadsheets and LMS imports read.

    A submission that could not be graded has empty question cells, total 0 and a status that
    says why; ``max_total`` is always the lesson's, so percentages stay comparable. Text cells are
    made safe to open in a spreadsheet (:func:`safe_cell`).
    """
    columns = gradebook_columns(graded)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("w", encoding="utf-8", newline="", errors="backslashreplace") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for g in graded:
            row = {
                "student": safe_cell(g.student),
                "name": safe_cell(g.name),
                "lms_id": safe_cell(g.lms_id),
                "late": "yes" if g.late else "no",
                "chosen": safe_cell(g.chosen),
                "file": safe_cell(g.file),
                "lesson": safe_cell(g.lesson),
                "status": g.status,
                "status_detail": safe_cell(g.detail),
                "total": _points(g.total),
                "max_total": _points(g.max_total),
                "penalty": _points(g.penalty),
                "final": _points(g.final),
                "gdcourse_version": safe_cell(g.gdcourse_version),
                "made_with": safe_cell(g.made_with),
                "python_version": safe_cell(g.python_version),
                "graded_at": g.graded_at or when,
                "hidden_checks": safe_cell(g.hidden_checks),
            }
            for r in g.results:
                row[f"{r.id} outcome"] = r.outcome
                row[f"{r.id} points"] = _points(r.points)
            writer.writerow(row)


def feedback_html(g: GradedSubmission) -> str:
    """The student's feedback page: status, total, then each question's verdict and hint."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>Feedback for {esc(g.student)}: {esc(exercise_title(g.lesson) or g.file)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45}.q{border-left:6px solid;padding:.4rem .8rem;"
        "margin:.8rem 0;background:rgba(127,127,127,.06)}.msg{white-space:pre-wrap}"
        "code{font-size:.95em}</style></head><body>",
        f"<h1>Feedback for {esc(g.student)}</h1>",
        f"<p>Exercise: <strong>{esc(exercise_title(g.lesson) or 'unknown')}</strong> (file "
        f"<code>{esc(g.file)}</code>)<br>",
        f"Score: <strong>{_points(g.total)} of {_points(g.max_total)} points</strong><br>",
        *(
            [
                f"Late: {_points(g.penalty)} points off ({_late_words(g)}), so "
                f"<strong>{_points(g.final)} of {_points(g.max_total)}</strong><br>"
            ]
            if g.penalty
            else []
        ),
        f"How the run went: {esc(STATUSES.get(g.status, g.status))}.</p>",
    ]
    if g.status != "ok":
        parts.append(f"<p><strong>Details:</strong> {esc(g.detail)}</p>")
    to_redo = [_question_label(r.id) for r in g.results if r.outcome != "correct"]
    if g.status not in NOT_GRADED and to_redo:
        parts.append(f"<p>To look at again: <strong>{esc(', '.join(to_redo))}</strong>.</p>")
    if g.status in NOT_GRADED:
        parts.append(
            "<p>Your file could not be run, so no answer was checked. Ask your instructor "
            "how to hand it in again.</p>"
        )
    else:
        parts.append(
            "<p>Your notebook was run from top to bottom in a fresh kernel, and each answer "
            "was checked as it stood at the end of that run.</p>"
        )
    for r in g.results if g.status not in NOT_GRADED else []:
        colour, symbol, word = _LOOK.get(r.outcome, ("#999999", "?", r.outcome))
        title = (
            f"Extra check {_question_label(r.id)} (from your instructor)"
            if r.hidden
            else _question_label(r.id)
        )
        body = [
            f"<div class='q' style='border-color:{colour}' role='group' aria-label='{esc(title)}'>",
            f"<strong>{symbol} {esc(title)}: {word}</strong> ({esc(score_text(r))})",
        ]
        if r.prompt:
            body.append(f"<div><em>{esc(r.prompt)}</em></div>")
        # The notebook's "Try again, or ask for ex.qN.hint()." line: the hint is right below.
        message = "\n".join(
            line for line in r.message.split("\n") if not line.startswith("Try again, or ask")
        )
        body.append(f"<div class='msg'>{esc(message)}</div>")
        if r.table:
            body.append(html_table([tuple(row) for row in r.table]))
        if r.hint:
            body.append(f"<div><strong>Hint:</strong> {esc(r.hint)}</div>")
        body.append("</div>")
        parts += body
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_feedback(graded: Sequence[GradedSubmission], folder: Path) -> list[Path]:
    """One page per student, ``<folder>/<student>.html``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for g in graded:
        page = folder / f"{g.student}.html"  # a student in a folder of their own: sec1/bob.html
        page.parent.mkdir(parents=True, exist_ok=True)
        # errors=: a lone surrogate a notebook sent is shown escaped, never a crash of the batch
        page.write_text(feedback_html(g), encoding="utf-8", errors="backslashreplace")
        written.append(page)
    return written


def write_executed(graded: Sequence[GradedSubmission], folder: Path) -> list[Path]:
    """The executed notebooks (the instructor's view of each run), ``<student>.ipynb``."""
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for g in graded:
        if g.executed is not None:
            page = folder / f"{g.student}.ipynb"
            page.parent.mkdir(parents=True, exist_ok=True)
            nb = nbformat.from_dict(json.loads(json.dumps(g.executed)))
            page.write_text(nbformat.writes(nb), encoding="utf-8", errors="backslashreplace")
            written.append(page)
    return written
