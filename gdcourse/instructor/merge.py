"""Join the gradebooks of one exercise graded in parts (a class split across machines) into one
gradebook and one summary: ``gdcourse merge-gradebooks A.csv B.csv ... --out DIR``.

Each part is a ``gradebook.csv`` that ``gdcourse grade`` wrote (or the ``--out`` folder holding
it). Where the run's results file (``.gdcourse-grades.json``) is beside it, every result is read
from there, messages and recognised mistakes included; otherwise from the gradebook's cells alone
(outcomes and points: the summary then counts that part's outcomes but not its mistakes). Parts of
different exercises, graded on different hidden checks, or naming one student twice are refused.
"""

from __future__ import annotations

import csv
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .grading import GradedSubmission, GradeError, QuestionResult

__all__ = ["Merged", "merge_gradebooks", "read_gradebook"]

_NEEDED = ("student", "file", "lesson", "status", "total", "max_total", "graded_at")
_MAX_BYTES = 512 * 1024 * 1024  # a gradebook larger than this is not one of ours


@dataclass(frozen=True)
class Merged:
    """What a merge wrote."""

    lesson: str
    rows: int
    written: list[Path]
    notes: list[str]


def _plain(cell: str) -> str:
    """A text cell as it was before :func:`~gdcourse.instructor.gradebook.safe_cell` guarded it
    (its leading ``'``), so that writing it again guards it once, not twice."""
    from .gradebook import safe_cell

    if cell.startswith("'") and safe_cell(cell[1:]) == cell:
        return cell[1:]
    return cell


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise GradeError(f"{where}: {what} is {text!r}, not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise GradeError(f"{where}: {what} is {text!r}, not a finite number")
    return value


def _max_points(lesson: str, hidden_mark: str) -> dict[str, float]:
    """{question id: its points} of an exercise's own questions and the hidden checks its
    fingerprint names (``h1=1,h2=2 #digest``)."""
    from .grading import _lesson_questions, _lesson_slugs

    out: dict[str, float] = {}
    if lesson in _lesson_slugs():
        out = {f"{lesson}.{q.name}": float(q.points) for q in _lesson_questions(lesson)}
    names = hidden_mark.split(" #", 1)[0]
    for part in filter(None, names.split(",")):
        name, _, points = part.partition("=")
        try:
            out[f"{lesson}.{name}"] = float(points)
        except ValueError:
            pass
    return out


_KNOWN = ("correct", "incorrect", "not_attempted", "error", "internal_error", "missing")


def _check_row(g: GradedSubmission, points_of: dict[str, float], where: str) -> None:
    """Refuse a row no run of ``gdcourse grade`` could have written: points outside a question's
    range, full points not given for "correct", a question of the exercise missing, an unknown
    outcome, a penalty outside 0..total, no student."""
    from .grading import STATUSES

    if not g.student.strip():
        raise GradeError(f"{where}: the row names no student")
    if g.status not in STATUSES:
        raise GradeError(
            f"{where}: {g.student}'s status is {g.status!r}, not one gdcourse writes "
            f"({', '.join(STATUSES)})"
        )
    by_id = {r.id: r for r in g.results}
    lost = [qid for qid in points_of if qid not in by_id]
    if lost:  # (a file that could not be graded has a row of not_graded results too)
        raise GradeError(
            f"{where}: {g.student}'s row has no result for {', '.join(lost)}: every row of "
            f"an exercise has every question (was the gradebook edited?)"
        )
    for r in g.results:
        top = points_of.get(r.id)
        if top is None or abs(r.max_points - top) > 1e-9:
            raise GradeError(
                f"{where}: {g.student}'s {r.id} is worth {top if top is not None else 'nothing'} "
                f"in this exercise, not {r.max_points:g}: was it graded by another version?"
            )
        if r.outcome not in (*_KNOWN, "not_graded"):
            raise GradeError(
                f"{where}: {g.student}'s {r.id} outcome is {r.outcome!r}, not one gdcourse "
                f"writes ({', '.join((*_KNOWN, 'not_graded'))})"
            )
        if not 0 <= r.points <= top + 0.005:
            raise GradeError(
                f"{where}: {g.student}'s {r.id} has {r.points:g} points, outside 0 to {top:g} "
                f"(was the gradebook edited?)"
            )
        if r.outcome == "correct" and abs(r.points - top) > 0.005:
            raise GradeError(
                f"{where}: {g.student}'s {r.id} is 'correct' with {r.points:g} of {top:g} points: "
                f"a right answer earns them all (was the gradebook edited?)"
            )
        if r.outcome not in ("correct", "incorrect") and r.points != 0:
            raise GradeError(
                f"{where}: {g.student}'s {r.id} is {r.outcome!r} with {r.points:g} points: only "
                f"a right or partly right answer earns any (was the gradebook edited?)"
            )
    if not 0 <= g.penalty <= g.total + 0.005:
        raise GradeError(
            f"{where}: {g.student}'s late penalty {g.penalty:g} is outside 0 to the total "
            f"({g.total:g})"
        )
    if g.penalty and not g.late:
        raise GradeError(
            f"{where}: {g.student} has a late penalty of {g.penalty:g} but is not marked late: "
            f"only late work is penalised (was the gradebook edited?)"
        )


def _disagreement(csv_row: GradedSubmission, saved: GradedSubmission) -> str:
    """How a gradebook row and its run's saved result differ, in a few words ("" if not)."""
    from .gradebook import safe_cell

    for what in ("graded_at", "status", "file", "lesson", "late", "hidden_checks"):
        mine, theirs = getattr(csv_row, what), getattr(saved, what)
        if isinstance(mine, str):
            mine, theirs = safe_cell(mine), safe_cell(theirs)
        if mine != theirs:
            return f"{what} is {mine!r} in the gradebook and {theirs!r} in the results file"
    mine = {r.id: r for r in csv_row.results}
    theirs = {r.id: r for r in saved.results}
    for qid in sorted(set(mine) | set(theirs)):
        a, b = mine.get(qid), theirs.get(qid)
        if (
            a is None
            or b is None
            or a.outcome != b.outcome
            or abs(a.points - round(b.points, 2)) > 0.005
        ):
            said = f"{a.outcome} {a.points:g}" if a else "nothing"
            saved_said = f"{b.outcome} {round(b.points, 2):g}" if b else "nothing"
            return f"{qid} is {said} in the gradebook and {saved_said} in the results file"
    if abs(csv_row.penalty - saved.penalty) > 0.005:
        return f"the penalty is {csv_row.penalty:g} in the gradebook, {saved.penalty:g} saved"
    return ""


def read_gradebook(path: Path) -> list[GradedSubmission]:
    """The rows of a gradebook ``gdcourse grade`` wrote, as graded submissions (outcomes and
    points; no messages). Raises :class:`GradeError` naming the file and what is wrong."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise GradeError(f"{path} is larger than any gradebook gdcourse writes")
        # utf-8-sig: a gradebook saved again by Excel ("CSV UTF-8") starts with a BOM.
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            columns = list(rows[0]) if rows else []
    except GradeError:
        raise
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise GradeError(
            f"cannot read {path} ({err}): give a gradebook.csv gdcourse wrote"
        ) from None
    if not rows:
        raise GradeError(f"{path} has no rows: give a gradebook.csv gdcourse wrote")
    missing = [c for c in _NEEDED if c not in columns]
    if missing:
        raise GradeError(
            f"{path} is not a gdcourse gradebook: it has no {', '.join(missing)} "
            f"column{'s' if len(missing) > 1 else ''} "
            f"(give the gradebook.csv that `gdcourse grade` wrote, not an LMS import)"
        )
    qids = [c[: -len(" outcome")] for c in columns if c.endswith(" outcome")]
    out = []
    for n, row in enumerate(rows, start=2):
        where = f"{path}, line {n}"
        if None in row or any(v is None for v in row.values()):
            raise GradeError(f"{where}: the row has a different number of cells than the header")
        lesson = _plain(row["lesson"])
        mark = _plain(row.get("hidden_checks", ""))
        points_of = _max_points(lesson, mark)
        hidden_names = {p.partition("=")[0] for p in mark.split(" #", 1)[0].split(",") if p}
        results = []
        for qid in qids:
            outcome = row[f"{qid} outcome"]
            if not outcome:  # a question of another exercise's columns
                continue
            points = _number(row.get(f"{qid} points", "") or "0", f"{qid} points", where)
            name = qid.rsplit(".", 1)[-1]
            hidden = name in hidden_names
            if qid not in points_of:
                raise GradeError(
                    f"{where}: the question {qid} is not one of {lesson or 'the exercise'}'s, and "
                    f"no hidden check of that name is in its hidden_checks cell: was the gradebook "
                    f"edited, or made by another version of gdcourse?"
                )
            results.append(QuestionResult(qid, outcome, points, points_of[qid], "", hidden=hidden))
        g = GradedSubmission(
            student=_plain(row["student"]),
            file=_plain(row["file"]),
            lesson=lesson,
            status=row["status"],
            detail=_plain(row.get("status_detail", "")),
            results=results,
            gdcourse_version=_plain(row.get("gdcourse_version", "")),
            python_version=_plain(row.get("python_version", "")),
            made_with=_plain(row.get("made_with", "")),
            graded_at=row.get("graded_at", ""),
            name=_plain(row.get("name", "")),
            lms_id=_plain(row.get("lms_id", "")),
            late=row.get("late", "") == "yes",
            chosen=_plain(row.get("chosen", "")),
            penalty=_number(row.get("penalty", "") or "0", "penalty", where),
            hidden_checks=mark,
        )
        total = _number(row["total"], "total", where)
        if abs(g.total - total) > 0.005:
            raise GradeError(
                f"{where}: total {row['total']} is not the sum of the row's points "
                f"({g.total:g}): was the gradebook edited?"
            )
        _check_row(g, points_of, where)
        for column, value in (("max_total", g.max_total), ("final", g.final)):
            cell = row.get(column, "")
            if cell and abs(_number(cell, column, where) - value) > 0.005:
                raise GradeError(
                    f"{where}: {column} {cell} is not what the row's points make ({value:g}): "
                    f"was the gradebook edited?"
                )
        out.append(g)
    return out


def _part(given: Path) -> tuple[Path, list[GradedSubmission], bool]:
    """(gradebook, its rows, whether they came from the run's results file beside it)."""
    from .store import RESULTS, load_results

    path = given / "gradebook.csv" if given.is_dir() else given
    if not path.is_file():
        raise GradeError(
            f"{given} is not a gradebook: give a gradebook.csv that `gdcourse grade` wrote, or "
            f"its --out folder"
        )
    rows = read_gradebook(path)
    if not ((path.parent / RESULTS).is_file() and path.name == "gradebook.csv"):
        return path, rows, False
    from .gradebook import safe_cell

    full = load_results(path.parent)  # (a damaged one says so: GradeError)
    # The saved results carry the messages; the gradebook is what the instructor read and may
    # have edited. Every row must be in both and agree, or the merge would pick one silently.
    saved = {safe_cell(g.student): g for g in full}
    picked = []
    for n, row in enumerate(rows, start=2):
        where = f"{path}, line {n}"
        match = saved.pop(safe_cell(row.student), None)
        differ = f"{row.student!r} is not in it" if match is None else _disagreement(row, match)
        if differ:
            raise GradeError(
                f"{where}: the gradebook and its run's results file ({path.parent / RESULTS}) "
                f"disagree: {differ}. To merge the gradebook's cells as they are, copy "
                f"gradebook.csv out of its folder and give that copy; or regrade"
            )
        _check_row(match, _max_points(match.lesson, match.hidden_checks), where)
        picked.append(match)
    if saved:
        extra = ", ".join(repr(name) for name in list(saved)[:5])
        raise GradeError(
            f"{path.parent / RESULTS} has results for students not in {path} ({extra}): the "
            f"gradebook and its results file disagree. To merge the gradebook's cells as they "
            f"are, copy gradebook.csv out of its folder and give that copy; or regrade"
        )
    return path, picked, True


def merge_gradebooks(parts: Sequence[Path], out: Path) -> Merged:
    """Merge the gradebooks ``parts`` of one exercise into ``out`` (a new or empty folder):
    ``gradebook.csv``, ``summary.csv``, ``summary.html``, the results file and each part's
    feedback pages where its folder has them.

    Raises
    ------
    GradeError
        If a part is not a gdcourse gradebook, the parts are of different exercises or were
        graded on different hidden checks, a student is in two parts, or ``out`` holds files.
    """
    from .gradebook import write_gradebook
    from .store import save_results
    from .summary import write_summary

    if not parts:
        raise GradeError("give the gradebooks to merge")
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise GradeError(f"--out {out} exists and is not an empty folder: choose a new folder")
    read = [_part(Path(p)) for p in parts]
    seen: dict[Path, Path] = {}
    for (path, _, _), given in zip(read, parts, strict=True):
        key = path.resolve()
        if key in seen:
            raise GradeError(f"{given} and {seen[key]} are the same gradebook: give each part once")
        seen[key] = Path(given)
    lessons: dict[str, Path] = {}
    marks: dict[str, Path] = {}
    for path, rows, _ in read:
        for g in rows:
            if g.lesson:
                lessons.setdefault(g.lesson, path)
                marks.setdefault(g.hidden_checks, path)
    if len(lessons) > 1:
        (a, pa), (b, pb), *_ = lessons.items()
        raise GradeError(
            f"the gradebooks are of different exercises ({a} in {pa}, {b} in {pb}): merge each "
            f"exercise's parts on their own"
        )
    if len(marks) > 1:
        (a, pa), (b, pb), *_ = marks.items()
        raise GradeError(
            f"the gradebooks were graded on different hidden checks ({a or 'none'} in {pa}, "
            f"{b or 'none'} in {pb}): regrade the parts with the same --hidden files"
        )
    owner: dict[str, Path] = {}
    whole: list[GradedSubmission] = []
    for path, rows, _ in read:
        for g in rows:
            # One student, one id: case and how letters are composed (é, or e and a combining
            # accent) do not make two, as `gdcourse grade` counts them.
            key = unicodedata.normalize("NFC", g.student).casefold()
            if key in owner:
                raise GradeError(
                    f"{g.student!r} is in {owner[key]} and in {path}: a student is graded in one "
                    f"part only (regrade one with `gdcourse grade --update`, or remove a row)"
                )
            owner[key] = path
            whole.append(g)
    lesson = next(iter(lessons), "")
    notes = [
        f"{path} has no results file of its run beside it: its rows carry outcomes and points "
        f"only, so the summary counts none of their mistakes (merge the --out folders to keep them)"
        for path, _, full in read
        if not full
    ]
    versions = sorted({g.gdcourse_version for g in whole if g.gdcourse_version})
    if len(versions) > 1:
        notes.append(
            f"the parts were graded with different gdcourse versions ({', '.join(versions)}): "
            f"an exercise may have changed between them"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GradeError(
            f"--out {out} cannot be made a folder ({err.strerror or err}): choose a new folder"
        ) from None
    written = [out / "gradebook.csv"]
    write_gradebook(whole, written[0])
    written += write_summary(whole, out)
    written.append(save_results(whole, out))
    pages = 0
    for path, rows, _ in read:
        folder = path.parent / "feedback"
        for g in rows:
            name = Path(f"{g.student}.html")
            if name.is_absolute() or ".." in name.parts:  # not a page of ours: never outside out
                continue
            page = folder / name
            if folder.is_dir() and page.is_file() and not page.is_symlink():
                target = out / "feedback" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(page, target)
                pages += 1
    if pages:
        written.append(out / "feedback")
    return Merged(lesson, len(whole), written, notes)
