"""The local progress log: one JSON line per check, hint or solution, and a summary table.

The file is ``$GDCOURSE_PROGRESS`` or ``~/.gdcourse/progress.jsonl``. It is only ever appended
to, and a file that cannot be written gives a warning, never a failure: a student's check must
work on a read-only machine too.
"""

from __future__ import annotations

import html
import json
import os
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .verdict import html_table, text_table

__all__ = ["ProgressTable", "progress", "progress_file", "record"]

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


@dataclass(frozen=True)
class ProgressTable:
    """Per-lesson progress: rows of (lesson, correct, attempted, hints, solutions)."""

    rows: list[tuple[str, int, int, int, int]]
    source: str

    _HEAD = ("lesson", "questions correct", "questions attempted", "hints used", "solutions seen")

    def _cells(self) -> list[tuple[str, ...]]:
        return [self._HEAD] + [tuple(str(c) for c in r) for r in self.rows]

    def __str__(self) -> str:
        if not self.rows:
            return f"No progress recorded yet (in {self.source})."
        return text_table(self._cells())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>No progress recorded yet (in <code>{html.escape(self.source)}</code>).</p>"
        return html_table(self._cells())


def progress() -> ProgressTable:
    """Summarise the progress log per lesson: what is correct, attempted, hinted and revealed."""
    path = progress_file()
    lessons: dict[str, dict[str, set[str] | int]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        try:
            e = json.loads(line)
            lesson, question, event = e["lesson"], e["question"], e["event"]
        except (ValueError, KeyError, TypeError):
            continue  # a damaged line costs that line only
        s = lessons.setdefault(
            lesson, {"correct": set(), "attempted": set(), "hint": 0, "solution": set()}
        )
        if event == "check":
            s["attempted"].add(question)
            if e.get("outcome") == "correct":
                s["correct"].add(question)
        elif event == "hint":
            s["hint"] += 1
        elif event == "solution":
            s["solution"].add(question)
    rows = [
        (name, len(s["correct"]), len(s["attempted"]), s["hint"], len(s["solution"]))
        for name, s in sorted(lessons.items())
    ]
    return ProgressTable(rows, str(path))
