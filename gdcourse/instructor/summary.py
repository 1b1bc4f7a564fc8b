"""The class at a glance: what a grading run found over all submissions, per question and per
known mistake, written as ``summary.csv`` and ``summary.html`` beside the gradebook.

Aggregate only: no student's name appears, so the page can be shown to a class or a colleague.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .gradebook import safe_cell
from .grading import NOT_GRADED, STATUSES, GradedSubmission, QuestionResult

__all__ = [
    "CATEGORIES",
    "ClassSummary",
    "QuestionSummary",
    "category",
    "score_bins",
    "score_figure",
    "summarise",
    "summary_html",
    "summary_rows",
    "write_summary",
]

#: How one answer counts in the summary, in the order the tables show them, with the words used.
CATEGORIES = {
    "correct": "correct",
    "partly": "partly right",
    "wrong": "wrong",
    "not_attempted": "not attempted",
    "error": "error",
}
#: Columns of ``summary.csv``: one row per count (tidy, so a spreadsheet can filter and pivot).
CSV_COLUMNS = ["lesson", "question", "hidden", "kind", "name", "students", "of", "share"]
#: Okabe-Ito blue, the course palette's first colour (``gdcourse.plots.style.PALETTE[0]``; the
#: instructor's tools may not import the plots layer). One series: the colour carries no meaning.
BAR_COLOUR = "#0072B2"
_SAME = "The same mistake as in"  # how a check says a mistake follows from an earlier one
_MOST_WRONG = 3  # questions named under "most often wrong"
_TOLD = 240  # characters of what a check told students about a mistake


def category(r: QuestionResult) -> str:
    """The summary's category of one result: a key of :data:`CATEGORIES`.

    A partly right answer keeps the outcome ``"incorrect"`` and earns some of its points.

    >>> category(QuestionResult("x.q1", "incorrect", 1, 2, ""))
    'partly'
    >>> category(QuestionResult("x.q1", "missing", 0, 2, ""))
    'not_attempted'
    """
    if r.outcome == "correct":
        return "correct"
    if r.outcome == "incorrect":
        return "partly" if 0 < r.points < r.max_points else "wrong"
    if r.outcome in ("not_attempted", "missing"):
        return "not_attempted"
    return "error"  # "error", "internal_error", and "not_graded" in a graded file


@dataclass(frozen=True)
class QuestionSummary:
    """One question over the graded submissions."""

    id: str  # "lr_exploration.q6"
    hidden: bool
    prompt: str
    n: int  # graded submissions that have this question
    counts: dict[str, int]  # per key of CATEGORIES, every key present
    misconceptions: list[tuple[str, int]]  # (mistake's name, students), most frequent first
    told: dict[str, str]  # mistake's name -> what the check told those students (first line)

    @property
    def label(self) -> str:
        return self.id.rsplit(".", 1)[-1]

    @property
    def incorrect(self) -> int:
        """Answers given and wrong, wholly or in part."""
        return self.counts["wrong"] + self.counts["partly"]


@dataclass(frozen=True)
class ClassSummary:
    """What a grading run found, over all its submissions."""

    lessons: list[str]
    files: int  # every file the run accounted for
    not_graded: dict[str, int]  # status -> files that could not be graded at all
    scores: list[float]  # each graded submission's total as a fraction of its max_total
    max_total: float  # the lesson's points (the most common max_total)
    questions: list[QuestionSummary]

    @property
    def graded(self) -> int:
        return len(self.scores)

    def most_often_wrong(self, k: int = _MOST_WRONG) -> list[QuestionSummary]:
        """The ``k`` questions with the most wrong or partly right answers (at least one), in
        question order among equals: what to go over in the next class."""
        wrong = [q for q in self.questions if q.incorrect]
        return sorted(wrong, key=lambda q: -q.incorrect)[:k]


def summarise(graded: Sequence[GradedSubmission]) -> ClassSummary:
    """Count what ``graded`` holds: per question its categories and recognised mistakes, the
    score distribution, and the files that could not be graded (kept apart, never counted as
    wrong answers: their shares are over the submissions that were graded)."""
    ok = [g for g in graded if g.status not in NOT_GRADED]
    not_graded = Counter(g.status for g in graded if g.status in NOT_GRADED)
    order: list[str] = []
    by_id: dict[str, list[QuestionResult]] = {}
    for g in ok:
        for r in g.results:
            if r.id not in by_id:
                order.append(r.id)
                by_id[r.id] = []
            by_id[r.id].append(r)
    questions = []
    for qid in order:
        results = by_id[qid]
        counts = Counter(category(r) for r in results)
        mistakes = Counter(r.misconception for r in results if r.misconception)
        told: dict[str, str] = {}
        # the mistake's own message, rather than "The same mistake as in q1" where one has it
        for r in sorted(results, key=lambda r: r.message.startswith(_SAME)):
            if r.misconception and r.misconception not in told:
                told[r.misconception] = _cut(r.message.split("\n", 1)[0], _TOLD)
        questions.append(
            QuestionSummary(
                qid,
                any(r.hidden for r in results),
                next((r.prompt for r in results if r.prompt), ""),
                len(results),
                {key: counts.get(key, 0) for key in CATEGORIES},
                # by count, then name: the same order on every run
                sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0])),
                told,
            )
        )
    maxima = Counter(g.max_total for g in ok)
    return ClassSummary(
        lessons=sorted({g.lesson for g in ok if g.lesson}),
        files=len(graded),
        not_graded=dict(sorted(not_graded.items())),
        scores=[g.total / g.max_total if g.max_total else 0.0 for g in ok],
        max_total=maxima.most_common(1)[0][0] if maxima else 0.0,
        questions=questions,
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _share(count: int, n: int) -> str:
    return f"{count / n:.3f}" if n else ""


def _percent(count: int, n: int) -> str:
    return f"{round(100 * count / n)}%" if n else "–"


def _students(k: int) -> str:
    return f"{k} student{'' if k == 1 else 's'}"


def score_bins(scores: Sequence[float]) -> list[tuple[str, int]]:
    """Scores (fractions of the points) in ten bins of 10 points of percentage: ``0–9%`` up to
    ``90–100%`` (full marks in the last).

    >>> score_bins([0.0, 0.95, 1.0])[-1]
    ('90–100%', 2)
    """
    counts = [0] * 10
    for s in scores:
        # a whisker under a bin's edge (2/3 of 15 points as 0.6666...) stays in its bin
        counts[min(9, max(0, int(100 * s + 1e-9) // 10))] += 1
    labels = [f"{10 * i}–{10 * i + 9}%" for i in range(9)] + ["90–100%"]
    return list(zip(labels, counts, strict=True))


def _finding(s: ClassSummary) -> str:
    """The score distribution's finding, in one sentence (the picture's title)."""
    median = statistics.median(s.scores)
    below = sum(x < 0.5 for x in s.scores)
    return (
        f"Median score {round(100 * median)}%; {below} of {s.graded} graded "
        f"{'submission' if s.graded == 1 else 'submissions'} below half the points"
    )


def _alt_text(s: ClassSummary) -> str:
    bins = ", ".join(f"{label}: {k}" for label, k in score_bins(s.scores) if k)
    return (
        f"Bar chart of the scores of {s.graded} graded submissions, as a percentage of "
        f"{s.max_total:g} points. {_finding(s)}. Submissions per score range: {bins}."
    )


def score_figure(s: ClassSummary):
    """The score distribution as a bar chart (matplotlib's object-oriented ``Figure``, no
    pyplot: nothing global, no display needed), titled with its finding."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    bins = score_bins(s.scores)
    fig = Figure(figsize=(7, 3.4), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(10), [k for _, k in bins], color=BAR_COLOUR, edgecolor="black", linewidth=0.6)
    ax.set_xticks(range(10), [label for label, _ in bins], rotation=30, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Score (percentage of {s.max_total:g} points)")
    ax.set_ylabel("Submissions")
    ax.set_title(_finding(s), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _png_data_uri(fig) -> str:
    buffer = io.BytesIO()
    # metadata: no software version or date in the file, so one run's page is the same each time
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def summary_rows(s: ClassSummary) -> list[dict[str, str]]:
    """The rows of ``summary.csv`` (:data:`CSV_COLUMNS`), text cells made safe for spreadsheets.

    ``kind`` is ``outcome`` (``name`` a category), ``misconception`` (``name`` the mistake),
    ``score`` (``name`` a score range, ``question`` empty) or ``not_graded`` (``name`` the status
    of files that could not be graded; ``of`` is every file). ``students`` of ``of``, and
    ``share`` = students / of.
    """
    lesson = safe_cell(", ".join(s.lessons))

    def row(question: str, hidden: str, kind: str, name: str, k: int, n: int) -> dict:
        return {
            "lesson": lesson,
            "question": safe_cell(question),
            "hidden": hidden,
            "kind": kind,
            "name": safe_cell(name),
            "students": str(k),
            "of": str(n),
            "share": _share(k, n),
        }

    rows = []
    for q in s.questions:
        hidden = "yes" if q.hidden else "no"
        rows += [row(q.id, hidden, "outcome", key, q.counts[key], q.n) for key in CATEGORIES]
        rows += [row(q.id, hidden, "misconception", m, k, q.n) for m, k in q.misconceptions]
    rows += [row("", "", "score", label, k, s.graded) for label, k in score_bins(s.scores)]
    rows += [row("", "", "not_graded", st, k, s.files) for st, k in s.not_graded.items()]
    return rows


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45}table{border-collapse:collapse;margin:.6rem 0}"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid #999;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;"
    "font-weight:bold;padding:.3rem 0}img{max-width:100%;height:auto}.told{color:#333}"
)


def _question_name(q: QuestionSummary) -> str:
    return f"{q.label} (hidden check)" if q.hidden else q.label


def summary_html(s: ClassSummary) -> str:
    """The summary page: self-contained (styles inline, the picture a data URI, no script)."""
    esc = html.escape
    lesson = ", ".join(s.lessons) or "unknown exercise"
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>The class at a glance: {esc(lesson)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>The class at a glance: {esc(lesson)}</h1>",
        f"<p>{s.graded} of {s.files} submitted files were graded; every share below is over "
        f"those {s.graded} (n = {s.graded}). No student is named on this page: "
        f"<code>gradebook.csv</code> has each student's row.</p>",
    ]
    if s.not_graded:
        total = sum(s.not_graded.values())
        items = "".join(
            f"<li>{k} {'file' if k == 1 else 'files'}: "
            f"{esc(STATUSES.get(st, st).split(': ', 1)[-1])} (<code>{esc(st)}</code>)</li>"
            for st, k in s.not_graded.items()
        )
        parts += [
            "<h2>Files that could not be graded</h2>",
            f"<p>{total} {'file' if total == 1 else 'files'} could not be graded at all; they "
            f"are not counted as wrong answers, nor in the shares. Their statuses are in the "
            f"gradebook.</p><ul>{items}</ul>",
        ]
    if not s.graded:
        parts += ["<p>No submission could be graded, so there is nothing to summarise.</p>"]
        parts.append("</main></body></html>")
        return "\n".join(parts) + "\n"

    parts.append("<h2>Questions most often wrong</h2>")
    worst = s.most_often_wrong()
    if worst:
        items = "".join(
            f"<li><strong>{esc(_question_name(q))}</strong>: {q.incorrect} of {q.n} wrong or "
            f"partly right ({_percent(q.incorrect, q.n)})"
            + (f"; most often: {esc(q.misconceptions[0][0])}" if q.misconceptions else "")
            + (f". <em>{esc(q.prompt)}</em>" if q.prompt else "")
            + "</li>"
            for q in worst
        )
        parts.append(f"<ol>{items}</ol>")
    else:
        parts.append("<p>No answer was wrong.</p>")

    head = "".join(f"<th scope='col'>{esc(w.capitalize())}</th>" for w in CATEGORIES.values())
    body = "".join(
        f"<tr><th scope='row'>{esc(_question_name(q))}</th>"
        + "".join(
            f"<td class='n'>{q.counts[key]} ({_percent(q.counts[key], q.n)})</td>"
            for key in CATEGORIES
        )
        + "</tr>"
        for q in s.questions
    )
    parts += [
        "<h2>Per question</h2>",
        "<table><caption>Answers per question: students (share of the "
        f"{s.graded} graded)</caption><thead><tr><th scope='col'>Question</th>{head}</tr>"
        f"</thead><tbody>{body}</tbody></table>",
        "<p><em>Partly right</em>: some of the points; <em>not attempted</em>: left blank or "
        "no answer variable; <em>error</em>: the student's code raised, or the answer could "
        "not be checked. A <em>hidden check</em> is one of yours, given with "
        "<code>--hidden</code>.</p>",
    ]

    parts.append("<h2>Mistakes the checks recognised</h2>")
    known = [(q, m, k) for q in s.questions for m, k in q.misconceptions]
    if known:
        rows = "".join(
            f"<tr><th scope='row'>{esc(_question_name(q))}</th><td>{esc(m)}</td>"
            f"<td class='n'>{k} of {q.n}</td><td class='told'>{esc(q.told.get(m, ''))}</td></tr>"
            for q, m, k in known
        )
        sentences = "".join(
            f"<li>{esc(_question_name(q))}: {_students(k)} of {q.n} "
            f"({_percent(k, q.n)}): {esc(m)}</li>"
            for q, m, k in sorted(known, key=lambda x: -x[2])[:10]
        )
        parts += [
            f"<ul>{sentences}</ul>",
            "<table><caption>Known mistakes, per question</caption><thead><tr>"
            "<th scope='col'>Question</th><th scope='col'>Mistake</th>"
            "<th scope='col'>Students</th><th scope='col'>What the check told them</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>",
        ]
    else:
        parts.append("<p>No answer matched a mistake the checks know.</p>")

    bins = "".join(
        f"<tr><th scope='row'>{esc(label)}</th><td class='n'>{k}</td></tr>"
        for label, k in score_bins(s.scores)
    )
    parts += [
        "<h2>Scores</h2>",
        f"<figure><img src='{_png_data_uri(score_figure(s))}' alt='{esc(_alt_text(s))}'>"
        f"<figcaption>{esc(_finding(s))}.</figcaption></figure>",
        "<table><caption>Graded submissions per score range</caption><thead><tr>"
        "<th scope='col'>Score</th><th scope='col'>Submissions</th></tr></thead>"
        f"<tbody>{bins}</tbody></table>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_summary(graded: Sequence[GradedSubmission], out_dir: Path) -> list[Path]:
    """Write ``summary.csv`` and ``summary.html`` into ``out_dir``; returns their paths."""
    s = summarise(graded)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = out_dir / "summary.csv"
    with table.open("w", encoding="utf-8", newline="", errors="backslashreplace") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(summary_rows(s))
    page = out_dir / "summary.html"
    page.write_text(summary_html(s), encoding="utf-8", errors="backslashreplace")
    return [table, page]
