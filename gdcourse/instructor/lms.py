"""Course sites' downloads as they come: who each file belongs to (a small table of naming rules),
a downloaded zip read safely, the LMS's own gradebook export joined back for import, and a feedback
zip whose names the LMS matches to its students.

The rules are data (:data:`RULES`): to read another site's names, add a :class:`NamingRule`.
"""

from __future__ import annotations

import atexit
import csv
import io
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .grading import GradedSubmission

__all__ = [
    "MAX_ZIP_BYTES",
    "MAX_ZIP_MEMBERS",
    "RULES",
    "Identity",
    "NamingRule",
    "Roster",
    "check_roster_column",
    "choose_notebook",
    "days_late",
    "extract_zip",
    "feedback_member",
    "folders_between",
    "identify",
    "late_from_roster",
    "read_roster",
    "write_feedback_zip",
    "write_import",
]


@dataclass(frozen=True)
class NamingRule:
    """How one course site names what it downloads.

    ``pattern`` is matched (in full) against a file's name (``applies_to="file"``) or against a
    folder's name above it (``"folder"``). Its named groups: ``name`` (the student's name as the
    site writes it), ``lms_id`` (the site's id for the student, which its gradebook export holds),
    and optionally ``late`` (present when late), ``attachment`` (Canvas's file id), ``original``
    (the name the student's file had) and ``copy`` (the ``N`` of a re-upload's ``-N``).
    ``blind`` names a student by ``Participant <lms_id>`` (marking without names).
    """

    name: str
    lms: str  # "canvas" or "moodle": which roster and feedback naming it goes with
    applies_to: str  # "file" or "folder"
    pattern: re.Pattern[str]
    blind: bool = False


#: A re-upload's ``-N`` before the extension (Canvas: ``x.ipynb``, then ``x-1.ipynb``).
_ORIGINAL = r"(?P<original>.+?)(?:-(?P<copy>\d+))?(?P<ext>\.[^._]+)?"
_MOODLE_PLUGIN = r"assign(?:submission|feedback)_(?P<plugin>file|onlinetext)"

#: The naming rules, tried in order; the first that matches names the student.
RULES: tuple[NamingRule, ...] = (
    # Canvas "Download submissions": lastfirst[_LATE]_userid_attachmentid_original.ext; the
    # original may hold underscores, so only the leading fields are split off. Canvas's ids have
    # at least 3 digits: a plain file a student named `smith_2024_01_hw.ipynb` is not Canvas's.
    NamingRule(
        "canvas",
        "canvas",
        "file",
        re.compile(
            rf"(?P<name>[^_/]+)_(?:(?P<late>LATE)_)?(?P<lms_id>\d{{3,}})_(?P<attachment>\d{{3,}})_"
            rf"{_ORIGINAL}"
        ),
    ),
    # Moodle with blind marking: Participant_657737_assignsubmission_file_/...
    NamingRule(
        "moodle-blind",
        "moodle",
        "folder",
        re.compile(rf"(?P<name>Participant)_(?P<lms_id>\d+)_{_MOODLE_PLUGIN}_?"),
        blind=True,
    ),
    # Moodle, one folder per submission: Ada Lovelace_657737_assignsubmission_file_/...
    NamingRule(
        "moodle",
        "moodle",
        "folder",
        re.compile(rf"(?P<name>[^/]+?)_(?P<lms_id>\d+)_{_MOODLE_PLUGIN}_?"),
    ),
    # Moodle's flat download (the "folder per submission" option off)
    NamingRule(
        "moodle-flat",
        "moodle",
        "file",
        re.compile(rf"(?P<name>[^/]+?)_(?P<lms_id>\d+)_{_MOODLE_PLUGIN}_{_ORIGINAL}"),
    ),
)


@dataclass(frozen=True)
class Identity:
    """Who an LMS file belongs to, read off its name by one :class:`NamingRule`."""

    student: str  # the gradebook's id: the site's prefix, unique per student (smithjohn_12345)
    name: str
    lms_id: str
    late: bool
    rule: str
    lms: str
    original: str  # the student's own file name (for a folder rule, the file's name)
    copy: int  # a re-upload's N (0 for none)
    prefix: str  # what the site matches feedback by: "smithjohn_12345_67890_" or a Moodle folder
    folder: bool  # Moodle's folder form (feedback goes inside ``prefix``)


def _rule_for(lms_rule: str) -> NamingRule:
    return next(r for r in RULES if r.name == lms_rule)


def folders_between(path: Path, root: Path | None) -> list[str]:
    """The folders between ``root`` (the folder given to the grader) and the file."""
    if root is None:
        return []
    try:
        return list(path.parent.relative_to(root).parts)
    except ValueError:
        return []


def identify(path: Path, root: Path | None = None) -> Identity | None:
    """The LMS identity of a submitted file, or None when no rule reads its name (a plain
    ``alice.ipynb``). Folders between ``root`` and the file are tried innermost first, then the
    file's own name; folders above the matched one stay in the id (``sec1/smithjohn_12345``).
    """
    parts = folders_between(path, root)
    for rule in RULES:
        if rule.applies_to == "file":
            m = rule.pattern.fullmatch(path.name)
            if m:
                groups = m.groupdict()
                original = (groups.get("original") or "") + (groups.get("ext") or "")
                return _identity(rule, m, parts, original or path.name)
        else:
            for i in range(len(parts) - 1, -1, -1):
                m = rule.pattern.fullmatch(parts[i])
                if m:
                    # a deeper folder inside the submission keeps its place in "original"
                    inner = "/".join([*parts[i + 1 :], path.name])
                    return _identity(rule, m, parts[:i], inner, folder=parts[i])
    return None


def _identity(
    rule: NamingRule, m: re.Match[str], above: list[str], original: str, folder: str = ""
) -> Identity:
    groups = m.groupdict()
    lms_id = groups["lms_id"]
    name = f"Participant {lms_id}" if rule.blind else groups["name"]
    own = f"{groups['name']}_{lms_id}"  # Participant_657737 when blind
    if folder:
        prefix = folder  # exactly as downloaded: Moodle 4.1+ drops the trailing "_"
    elif groups.get("attachment"):  # Canvas: without LATE, which its re-upload does not need
        prefix = f"{groups['name']}_{lms_id}_{groups['attachment']}_"
    elif groups.get("original"):
        prefix = m.group(0)[: m.start("original")]
    else:
        prefix = f"{own}_"
    original_copy = groups.get("copy")
    return Identity(
        student=unicodedata.normalize("NFC", "/".join([*above, own])),
        name=unicodedata.normalize("NFC", name),
        lms_id=lms_id,
        late=bool(groups.get("late")),
        rule=rule.name,
        lms=rule.lms,
        original=original,
        copy=int(original_copy) if original_copy else 0,
        prefix=prefix,
        folder=bool(folder),
    )


def choose_notebook(
    notebooks: Sequence[Path], ids: Sequence[Identity], exercise: re.Pattern[str]
) -> tuple[Path, str]:
    """One LMS student's notebook among several: the one named like the exercise
    (``03_lr_exploration.ipynb``), else any; of those the highest re-upload ``-N``; then the last
    by name. Returns it and a sentence saying why (the gradebook's ``chosen``)."""
    pairs = list(zip(notebooks, ids, strict=True))
    # the original name without its -N: "03_lr_exploration-1.ipynb" is the exercise's
    named = [p for p in pairs if exercise.match(_without_copy(p[1]))]
    pool = named or pairs
    best = max(pool, key=lambda p: (p[1].copy, p[0].name))
    why = "named like the exercise" if named else "none is named like the exercise"
    if len(pool) > 1:
        why += ", the highest re-upload -N" if best[1].copy else ", the last by name"
    others = ", ".join(sorted(p[0].name for p in pairs if p is not best))
    return best[0], f"{best[0].name} of {len(pairs)} notebooks ({why}); not graded: {others}"


def _without_copy(ident: Identity) -> str:
    name = PurePosixPath(ident.original).name
    if ident.copy:
        stem, dot, ext = name.rpartition(".")
        name = re.sub(r"-\d+$", "", stem) + dot + ext if dot else re.sub(r"-\d+$", "", name)
    return name


# -- a downloaded zip ----------------------------------------------------------------------------
#: At most this many members, and this many bytes uncompressed in all, in one downloaded zip.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_BYTES = 2 * 1024**3

_EXTRACTED: list[Path] = []


@atexit.register
def _remove_extracted() -> None:
    for folder in _EXTRACTED:
        shutil.rmtree(folder, ignore_errors=True)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker meant it: a zip without the UTF-8 flag whose cp437 bytes are
    valid UTF-8 (what many course sites write) is read as UTF-8."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name)


def _unsafe(name: str) -> bool:
    pure = PurePosixPath(name.replace("\\", "/"))
    return pure.is_absolute() or ".." in pure.parts or bool(re.match(r"^[A-Za-z]:", name))


def extract_zip(path: Path, warnings: list[str] | None = None) -> Path:
    """Extract a course site's download into a private temporary folder (removed when the
    program ends) and return that folder; ``path`` is only read.

    Members with an absolute path or ``..``, and links, are skipped (each said in ``warnings``);
    a zip of more than :data:`MAX_ZIP_MEMBERS` members or :data:`MAX_ZIP_BYTES` bytes
    uncompressed is refused, counted as the bytes come out, not as the zip claims.
    """
    from .grading import GradeError

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise GradeError(f"submission {path} is not a readable zip file ({err})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise GradeError(
                f"submission {path} holds {len(members)} files, more than the {MAX_ZIP_MEMBERS} "
                f"a course download is read with; extract it yourself and grade the folder"
            )
        declared = sum(info.file_size for info in members)
        if declared > MAX_ZIP_BYTES:  # said before anything is written (counted below too)
            raise GradeError(
                f"submission {path} unpacks to more than {MAX_ZIP_BYTES // 1024**3} GiB (it says "
                f"{declared:,} bytes; the limit for a course download, against zip bombs); "
                f"extract it yourself and grade the folder"
            )
        dest = Path(tempfile.mkdtemp(prefix="gdcourse-lms-"))
        _EXTRACTED.append(dest)
        total = 0
        for info in members:
            name = _member_name(info)
            if info.is_dir():
                continue
            if _unsafe(name):
                (warnings if warnings is not None else []).append(
                    f"{path}: skipped {name!r}, a path outside the zip's folder"
                )
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                (warnings if warnings is not None else []).append(
                    f"{path}: skipped {name!r}, a link (only files are read)"
                )
                continue
            target = dest.joinpath(*PurePosixPath(name.replace("\\", "/")).parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.is_dir():
                    raise FileExistsError(name)
                with archive.open(info) as src, target.open("xb") as out:
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_ZIP_BYTES:
                            raise GradeError(
                                f"submission {path} unpacks to more than "
                                f"{MAX_ZIP_BYTES // 1024**3} GiB (the limit for a course "
                                f"download, against zip bombs); extract it yourself and grade "
                                f"the folder"
                            )
                        out.write(chunk)
            except (FileExistsError, NotADirectoryError):  # the same name twice, or a file
                # and a folder of one name: the first is kept
                (warnings if warnings is not None else []).append(
                    f"{path}: skipped {name!r}: the zip holds another file or folder of that name"
                )
            except GradeError:
                shutil.rmtree(dest, ignore_errors=True)
                raise
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as err:
                raise GradeError(f"submission {path}: cannot read {name!r} ({err})") from None
    return dest


# -- the LMS's gradebook export, joined back ------------------------------------------------------
#: Canvas's fixed columns (its import matches students by these) and Moodle's worksheet's.
CANVAS_KEYS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_KEYS = ("Identifier", "Full name", "Grade")
_NOT_ASSIGNMENTS = re.compile(r"(Current|Final|Unposted).*(Score|Grade|Points)|.*Score$")


@dataclass
class Roster:
    """A gradebook export: which site's, its header and rows (Canvas: also "Points Possible")."""

    path: Path
    lms: str
    header: list[str]
    rows: list[dict[str, str]]
    points_row: dict[str, str] | None = None
    lead: list[dict[str, str]] = field(default_factory=list)  # Canvas: the rows above students


def read_roster(path: Path) -> Roster:
    """Read a Canvas gradebook export (CSV) or a Moodle grading worksheet (CSV), told apart by
    their columns; refused with the columns expected when it is neither."""
    from .grading import GradeError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise GradeError(f"--roster {path} cannot be read as UTF-8 CSV ({err})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))  # a quoted cell may hold a newline
    header = [h for h in (reader.fieldnames or [])]
    rows = [dict(r) for r in reader]
    if all(k in header for k in ("Student", "ID")):
        # Rows above the students ("Points Possible", and for a manually posted assignment a
        # "Manual Posting" row before it) have no ID: kept as they are, the points read off.
        lead = []
        while rows and (
            not rows[0].get("ID", "").strip()
            or rows[0].get("Student", "").strip() == "Points Possible"
        ):
            lead.append(rows.pop(0))
        points = next((r for r in lead if r.get("Student", "").strip() == "Points Possible"), None)
        return Roster(path, "canvas", header, rows, points, lead)
    if all(k in header for k in ("Identifier", "Grade")):
        return Roster(path, "moodle", header, rows)
    raise GradeError(
        f"--roster {path} is neither a Canvas gradebook export (columns {', '.join(CANVAS_KEYS)}, "
        f"...) nor a Moodle grading worksheet (columns {', '.join(MOODLE_KEYS)}, ...); its "
        f"columns are {', '.join(header) or 'none'}"
    )


def late_from_roster(roster: Roster, graded: Sequence[GradedSubmission]) -> list[GradedSubmission]:
    """``graded`` with ``late`` set for the students a Moodle worksheet's ``Status`` says handed
    in late ("... 2 days 3 hours late"): Moodle's download names do not say it, its worksheet
    does. A Canvas export says nothing of it (Canvas's file names do: ``LATE``)."""
    import dataclasses

    if roster.lms != "moodle":
        return list(graded)
    late = {
        re.sub(r"\D", "", row.get("Identifier", "")): days_late(row.get("Status", ""))
        for row in roster.rows
        if re.search(r"\blate\b", row.get("Status", ""), re.I)
    }
    return [
        dataclasses.replace(g, late=True, days_late=late[g.lms_id]) if g.lms_id in late else g
        for g in graded
    ]


_UNIT_SECONDS = {"day": 86400, "hour": 3600, "min": 60, "sec": 1}


def days_late(status: str) -> int:
    """Started days late, from Moodle's status ("Assignment was submitted 2 days 3 hours late":
    3); 0 when it says no time (then only the fact that it was late is known).

    >>> days_late("Submitted for grading Assignment was submitted 2 days 3 hours late")
    3
    >>> days_late("Assignment was submitted 10 mins 5 secs late"), days_late("late")
    (1, 0)
    """
    found = re.search(r"submitted\s+(.*?)\s+late", status, re.I | re.S)
    if not found:
        return 0
    seconds = 0
    for amount, unit in re.findall(r"(\d+)\s*(day|hour|min|sec)", found.group(1), re.I):
        seconds += int(amount) * _UNIT_SECONDS[unit.lower()]
    return -(-seconds // 86400)  # a started day counts whole


def _score(g: GradedSubmission, possible: str) -> str:
    """The total, scaled to the LMS's points for the assignment when it says them."""
    try:
        top = float(possible)
    except (TypeError, ValueError):
        top = 0.0
    if top > 0 and g.max_total > 0:
        return f"{g.final / g.max_total * top:.2f}"
    return f"{g.final:g}"


def _roster_key(roster: Roster, row: dict[str, str]) -> tuple[str, list[str]]:
    """(the LMS id of a roster row, other names it could be handed in under)."""
    if roster.lms == "canvas":
        others = [row.get("SIS Login ID", ""), row.get("SIS User ID", "")]
        return row.get("ID", "").strip(), others
    ident = row.get("Identifier", "")
    email = row.get("Email address", "")
    return re.sub(r"\D", "", ident), [email, email.split("@")[0], row.get("Full name", "")]


def write_import(
    roster: Roster, graded: Sequence[GradedSubmission], out: Path, column: str | None = None
) -> tuple[Path, list[str]]:
    """Write the roster back with each student's score, ready for the LMS's import: Canvas
    ``canvas_import.csv`` (its fixed columns and one assignment column), Moodle
    ``moodle_import.csv`` (the worksheet, ``Grade`` filled in). Students are matched by their
    LMS id, or a plain submission's id by a login, e-mail or name. A submission that could not
    be graded leaves its student's cell as the roster had it (yours to decide). Returns the file
    and one sentence per student left for you: not graded, or in no roster row."""
    from .gradebook import printable
    from .grading import NOT_GRADED

    gradable = [g for g in graded if g.status not in NOT_GRADED]
    notes = [
        f"{printable(g.student)}: not graded ({g.status}), so left as the roster had it"
        for g in graded
        if g.status in NOT_GRADED
    ]
    absent: list[str] = []  # roster rows no graded submission matched
    by_lms = {g.lms_id: g for g in gradable if g.lms_id}
    by_name = {g.student.casefold(): g for g in gradable if not g.lms_id}
    used: set[int] = set()

    def match(row: dict[str, str]) -> GradedSubmission | None:
        key, others = _roster_key(roster, row)
        g = by_lms.get(key) if key else None
        if g is None:
            g = next((by_name[o.casefold()] for o in others if o and o.casefold() in by_name), None)
        if g is not None:
            used.add(id(g))
        return g

    if roster.lms == "canvas":
        lessons = {g.lesson for g in graded if g.lesson}
        if column:
            check_roster_column(roster, column)
        target = column or _canvas_column(roster, lessons)
        fields = [*(k for k in CANVAS_KEYS if k in roster.header), target]
        possible = (roster.points_row or {}).get(target, "")
        path = out / "canvas_import.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            for row in roster.lead:  # as the export had them: Canvas reads them back
                writer.writerow({k: row.get(k, "") for k in fields})
            for row in roster.rows:
                g = match(row)
                # The export's own cells go back exactly as they were: Canvas matches by them.
                cells = {k: row.get(k, "") for k in fields if k != target}
                cells[target] = _score(g, possible) if g else row.get(target, "")
                writer.writerow(cells)
                if g is None:
                    absent.append(row.get("Student", "").strip() or row.get("ID", ""))
            if roster.points_row is None or not _positive(possible):
                notes.append(
                    f"{roster.path} gives no points possible for {target!r}: the scores written "
                    f"are gdcourse's points (of the lesson's maximum), not scaled"
                )
    else:
        path = out / "moodle_import.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=roster.header, extrasaction="ignore")
            writer.writeheader()
            for row in roster.rows:
                g = match(row)
                # The worksheet's own cells go back exactly as they were (a comment starting
                # with "-" included): Moodle would read a change as an edit.
                cells = {k: v or "" for k, v in row.items() if k in roster.header}
                if g is not None:
                    cells["Grade"] = _score(g, row.get("Maximum Grade", ""))
                else:
                    absent.append(row.get("Full name", "").strip() or row.get("Identifier", ""))
                writer.writerow(cells)
    notes += [
        f"{printable(g.student)}: in no row of {roster.path}; enter this grade by hand"
        for g in gradable
        if id(g) not in used
    ]
    if absent:
        notes.append(
            f"{len(absent)} student{'s' if len(absent) > 1 else ''} in the roster handed in "
            f"nothing graded here (their cells are left as the roster had them): "
            f"{', '.join(printable(a) for a in absent)}"
        )
    return path, notes


def _positive(text: str) -> bool:
    try:
        return float(text) > 0
    except (TypeError, ValueError):
        return False


def check_roster_column(roster: Roster, column: str) -> None:
    """Refuse a ``--roster-column`` that is not one of the roster's columns, naming those."""
    from .grading import GradeError

    if column not in roster.header:
        raise GradeError(
            f"--roster-column {column!r} is not a column of {roster.path}; its assignment "
            f"columns are {', '.join(_assignments(roster)) or 'none'}"
        )


def _assignments(roster: Roster) -> list[str]:
    return [
        h
        for h in roster.header
        if h not in CANVAS_KEYS and re.search(r"\(\d+\)$", h) and not _NOT_ASSIGNMENTS.match(h)
    ]


def _canvas_column(roster: Roster, lessons: set[str]) -> str:
    """The assignment column for this exercise: the one naming the lesson (``lr_exploration``
    or ``lr exploration``), else the only one; else a new column Canvas offers to create."""
    columns = _assignments(roster)
    words = {s.casefold().replace("_", " ") for s in lessons}
    naming = [c for c in columns if any(w in c.casefold().replace("_", " ") for w in words)]
    if len(naming) == 1:
        return naming[0]
    if len(columns) == 1:
        return columns[0]
    return f"gdcourse {' '.join(sorted(lessons)) or 'grade'}"


# -- feedback the LMS matches back ---------------------------------------------------------------
def feedback_member(ident: Identity) -> str:
    """The name a student's feedback page has in the feedback zip, as the LMS matches it: Canvas
    (Re-upload submissions) reads the user and file ids off ``smithjohn_12345_67890_...``; Moodle
    (Upload multiple feedback files in a zip) the participant id off the same folder name."""
    if ident.folder:
        return f"{ident.prefix}/feedback.html"
    return f"{ident.prefix}feedback.html"


def write_feedback_zip(
    submitted: Sequence[tuple[Identity | None, Path]], path: Path
) -> Path | None:
    """Zip the feedback pages of LMS students under the names their LMS matches back (a plain
    submission's page keeps its own name). None, and nothing written, when no file was an LMS's.
    """
    if not any(ident for ident, _ in submitted):
        return None
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for ident, page in submitted:
            if page.is_file():
                archive.write(page, feedback_member(ident) if ident else page.name)
    return path
