"""Grade submitted notebooks: run each in a scratch copy with a fresh, memory-capped kernel, then
re-check every question against the variable the student's run left behind.

A submission never stops the batch: a file that is not a notebook, a cell that raises, loops
forever or kills its kernel each ends as a status in the gradebook, and the rest is graded. The
submitted files are only ever read.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..checks import FunctionQuestion, Question, questions_of
from ..checks.calling import CHECK_LIMIT, TIME_LIMIT
from ..checks.plain import PlainDataError, Recorded, from_plain
from ..checks.questions import grading_session
from . import lms, sandbox
from .kernel_side import GRADE_MIME, TYPED_ENV, hidden_questions

__all__ = [
    "NOT_GRADED",
    "STATUSES",
    "GradeError",
    "GradedSubmission",
    "HiddenChecks",
    "QuestionResult",
    "batch_lesson",
    "check_hidden_names",
    "check_lesson",
    "grade_submission",
    "grade_submissions",
    "hidden_fingerprint",
    "load_hidden_checks",
    "student_id",
    "submission_files",
    "submission_root",
    "unreachable_python",
    "with_identity",
]

#: Every status a submission can end with, most serious last; "ok" means every cell ran.
STATUSES = {
    "ok": "every cell ran",
    "cell_errors": "graded; some cells raised an error",
    "timeout": "graded; a cell or a check ran too long and was skipped",
    "kernel_died": "graded; a cell stopped the kernel and was skipped",
    "unknown_lesson": "not graded: the notebook does not say which exercise it is",
    "wrong_lesson": "not graded: the notebook is another exercise than the one being graded",
    "invalid_notebook": "not graded: the file is JSON but not a notebook",
    "not_json": "not graded: the .ipynb file is not valid JSON (damaged or not saved properly)",
    "not_a_notebook": "not graded: the file is not a Jupyter notebook (.ipynb)",
    "unreadable": "not graded: the file cannot be read (a broken link, or no permission)",
    "grader_error": "not graded: the grader failed (not the student's fault)",
}
#: The statuses of files that could not be run at all (scored 0, "not_graded").
NOT_GRADED = frozenset(k for k, v in STATUSES.items() if v.startswith("not graded"))
_MAX_RESTARTS = 4  # cells or checks skipped before a submission is given up on
_MAX_RUNS = 24  # runs of one notebook at most, whatever it does
_MAX_DETAIL = 4000  # characters of status_detail
_ALL_RUNS = 3  # all runs of one notebook take at most this many times --notebook-timeout
#: Seconds for all of one notebook's cells (``--notebook-timeout``), beside each cell's limit.
NOTEBOOK_TIMEOUT = 300
_START_TRIES = 3  # a kernel that fails to start (a port race on a busy machine) is retried
_GROUP_TASKS = 64  # processes and threads in one submission's cgroup
# A cell printing in a loop must not fill the grader's memory: keep this much output per cell,
# and this much for all of a notebook's cells; a grading cell's record may be larger.
_MAX_OUTPUT_CHARS = 200_000
_MAX_NOTEBOOK_CHARS = 5_000_000
_MAX_RECORD_CHARS = 8_000_000  # one answer's record (200,000 numbers fit)
_MAX_RECORDS_CHARS = 32_000_000  # all of a notebook's records
#: Address space of a grading worker process: a kernel message built to be huge (nbclient
#: decodes each whole before the output caps see it) ends as a MemoryError there, costing that
#: cell, not the machine's memory or the batch.
WORKER_MEMORY = 6 * 1024**3
_IMPORT = re.compile(r"from\s+gdcourse\.lessons\s+import\s+(\w+)|import\s+gdcourse\.lessons\.(\w+)")


class GradeError(ValueError):
    """Bad arguments to the grader (before any submission is run): says what and why."""


@dataclass(frozen=True)
class QuestionResult:
    """One question's result for one submission."""

    id: str  # "lr_exploration.q1"; hidden checks: "lr_exploration.h1"
    outcome: str  # a checks OUTCOME, or "missing" (no answer variable) or "not_graded"
    points: float
    max_points: float
    message: str
    hint: str = ""
    prompt: str = ""
    hidden: bool = False
    table: list[list[str]] = field(default_factory=list)
    # Partial credit: right on `right` of `of` inputs / labels / entries (0 and 0: none given).
    right: int = 0
    of: int = 0
    unit: str = ""
    misconception: str = ""  # the known mistake the check recognised ("sign flipped"), or ""


@dataclass(frozen=True)
class GradedSubmission:
    """What grading one file produced."""

    student: str
    file: str
    lesson: str
    status: str
    detail: str
    results: list[QuestionResult]
    gdcourse_version: str = ""
    python_version: str = ""
    executed: dict | None = None  # the executed scratch notebook, grading cells removed
    made_with: str = ""  # the gdcourse version of the release it was made from, if it says
    graded_at: str = ""  # when (UTC, ISO 8601); set by the command that wrote the gradebook
    name: str = ""  # the student's name as their course site wrote it (see lms.py)
    lms_id: str = ""  # the site's id for them: Canvas's user id, Moodle's participant id
    late: bool = False  # the site marked the file late (Canvas's LATE)
    chosen: str = ""  # why this file was graded among the student's several ("" if one)
    days_late: int = 0  # started days late, where the course site says how late (Moodle)
    penalty: float = 0.0  # points off for lateness (--late-penalty), never more than the total
    hidden_checks: str = ""  # which hidden checks graded it (hidden_fingerprint), "" for none
    review: str = ""  # the note naming cells to read before trusting the grade ("" for none)

    @property
    def total(self) -> float:
        # The sum of the points as the gradebook and feedback page show them (2 decimals), so
        # that the total is always the sum of its columns.
        return round(sum(round(r.points, 2) for r in self.results), 2)

    @property
    def max_total(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def final(self) -> float:
        """The total less the late penalty: what the course site is given."""
        return round(self.total - self.penalty, 2)


@dataclass(frozen=True)
class HiddenChecks:
    """An instructor's extra questions for one exercise, kept outside the release."""

    path: Path
    lesson: str
    questions: list[Question]
    digest: str = ""  # sha256 of the file's bytes: the same checks, whatever the file is called


def load_hidden_checks(path: Path) -> HiddenChecks:
    """Load and validate a hidden-check file (a Python file declaring questions and ``LESSON``)."""
    if path.is_dir():
        raise GradeError(f"hidden-check file {path} is a folder: give the Python file itself")
    if not path.is_file():
        raise GradeError(f"hidden-check file {path} does not exist")
    try:
        lesson, questions = hidden_questions(str(path))
    except Exception as err:
        raise GradeError(
            f"hidden-check file {path} failed to load: {type(err).__name__}: {err}"
        ) from None
    known = _lesson_slugs()
    if lesson not in known:
        raise GradeError(
            f"hidden-check file {path} must set LESSON to an exercise's slug "
            f"(one of {', '.join(known)}); got {lesson!r}"
        )
    if not questions:
        raise GradeError(f"hidden-check file {path} declares no questions")
    own = {q.name for q in _lesson_questions(lesson)}
    names = [q.name for q in questions]
    for name in names:
        if name in own or names.count(name) > 1:
            raise GradeError(
                f"hidden-check file {path}: question name {name!r} is used twice (the lesson's "
                f"own questions are {', '.join(sorted(own))}); give each hidden check its own "
                f"name, e.g. 'h1'"
            )
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return HiddenChecks(path.resolve(), lesson, questions, digest)


def hidden_fingerprint(hidden: Sequence[HiddenChecks], lesson: str) -> str:
    """Which hidden checks graded an exercise, in a gradebook cell: each check's name and points,
    then a digest of the files' contents (``h1=1,h2=2 #3fa2c9d1e0b4``); "" for none. Two runs
    with the same fingerprint graded on the same hidden checks."""
    import hashlib

    mine = [h for h in hidden if h.lesson == lesson]
    if not mine:
        return ""
    names = ",".join(
        sorted(f"{q.name}={round(float(q.points), 2):g}" for h in mine for q in h.questions)
    )
    digest = hashlib.sha256("".join(sorted(h.digest for h in mine)).encode()).hexdigest()
    return f"{names} #{digest[:12]}"


@cache
def _lesson_slugs() -> tuple[str, ...]:
    """Slugs of the lesson modules that declare questions."""
    import pkgutil

    from .. import lessons

    return tuple(
        sorted(
            m.name
            for m in pkgutil.iter_modules(lessons.__path__)
            if questions_of(importlib.import_module(f"gdcourse.lessons.{m.name}"))
        )
    )


def _lesson_questions(slug: str) -> list[Question]:
    return questions_of(importlib.import_module(f"gdcourse.lessons.{slug}"))


def student_id(path: Path, root: Path | None = None) -> str:
    """The student a submitted file belongs to: the one rule for every file.

    A file given directly, or directly inside the folder given, is its name's stem
    (``alice.ipynb`` is ``alice``). A file in a folder below it (one folder per student, as many
    course sites download) is named by its folders, plus its stem unless that is the exercise's
    own name: ``alice/03_lr_exploration.ipynb`` is ``alice``, ``sec1/bob.ipynb`` is ``sec1/bob``.
    Letters are composed one way (NFC), so ``é`` typed either way is one student.

    A course site's download is named by :data:`lms.RULES <gdcourse.instructor.lms.RULES>`:
    ``smithjohn_LATE_12345_67890_03_lr_exploration.ipynb`` (Canvas) is ``smithjohn_12345``,
    ``Ada Lovelace_657737_assignsubmission_file_/03_lr_exploration.ipynb`` (Moodle) is
    ``Ada Lovelace_657737``.
    """
    ident = lms.identify(path, root)
    if ident is not None:
        return ident.student
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    parts = lms.folders_between(path, root)
    if parts and _EXERCISE_FILE.match(path.name):
        name = "/".join(parts)
    else:
        name = "/".join([*parts, stem])
    return unicodedata.normalize("NFC", name)


#: The exercise's own file name, as downloaded again or copied: ``03_lr_exploration (1).ipynb``,
#: ``03_lr_exploration-Copy1.ipynb``.
_EXERCISE_FILE = re.compile(r"^\d\d_\w+?(?:-Copy\d*| ?\(\d+\))?\.ipynb$")


def _walk(folder: Path, depth: int = 0) -> list[Path]:
    """Every entry below ``folder`` a grader should account for: files, broken links and other
    non-folders (a named pipe gets a row saying what it is); hidden names (``.ipynb_checkpoints``,
    ``.DS_Store``) and links to folders are not followed."""
    out: list[Path] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return [folder]
    for p in entries:
        # Hidden names, a zip's resource folder, an office program's lock file (~$x.docx), an
        # editor's backup (x.ipynb~): none is a submission.
        if p.name.startswith((".", "~$")) or p.name.endswith("~") or p.name == "__MACOSX":
            continue
        if p.is_dir() and not p.is_symlink():
            if depth < 8:
                out += _walk(p, depth + 1)
        elif not p.is_dir():
            out.append(p)
    return out


def submission_files(paths: Sequence[Path], warnings: list[str] | None = None) -> list[Path]:
    """The files to grade: each file given, and every file in each folder given, in folders below
    it too (a broken link or a named pipe too: each gets a row saying so, not silence).

    A ``.zip`` given is a course site's download: it is read into a private temporary folder
    (:func:`lms.extract_zip <gdcourse.instructor.lms.extract_zip>`; members skipped for safety
    are said in ``warnings``) and graded as that folder.

    :func:`student_id` names each file's student. A student's notebook beside other files of
    theirs (``alice.ipynb`` and ``alice.html``) is that one notebook; two notebooks, or two other
    files, for one id are refused, all such clashes named at once. A course site's student with
    several notebooks gets one: the one named like the exercise, else the highest re-upload
    ``-N`` (:func:`lms.choose_notebook <gdcourse.instructor.lms.choose_notebook>`).
    """
    files: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.is_file() and path.suffix.lower() == ".zip":
            folder = lms.extract_zip(path, warnings)
            files += [(p, folder) for p in _walk(folder)]
        elif path.is_dir():
            files += [(p, path) for p in _walk(path)]
        elif path.exists() or path.is_symlink():
            files.append((path, None))
        else:
            raise GradeError(f"submission {path} does not exist")
    if not files:
        raise GradeError("no submissions found in " + ", ".join(map(str, paths)))
    by_id: dict[str, list[Path]] = {}
    roots: dict[Path, Path | None] = {}
    for f, root in files:
        roots[f] = root
        by_id.setdefault(student_id(f, root).casefold(), []).append(f)
    chosen, clashes = [], []
    for student, mine in by_id.items():
        notebooks = [f for f in mine if f.suffix.lower() == ".ipynb"]
        idents = [lms.identify(f, roots[f]) for f in notebooks]
        if len(notebooks) == 1 or len(mine) == 1:
            pick = notebooks[0] if notebooks else mine[0]
            chosen.append(pick)
            if len(mine) > 1:
                _CHOSEN[pick] = f"the only notebook of {len(mine)} files"
        elif notebooks and all(idents):
            known = [i for i in idents if i is not None]
            pick, why = lms.choose_notebook(notebooks, known, _EXERCISE_FILE)
            chosen.append(pick)
            _CHOSEN[pick] = why
        elif all(lms.identify(f, roots[f]) for f in mine):  # a site's student, no notebook
            chosen.append(mine[0])
            _CHOSEN[mine[0]] = f"no notebook among {len(mine)} files; the first by name"
        else:
            clashes.append(f"{student!r} ({', '.join(map(str, notebooks or mine))})")
    if clashes:
        raise GradeError(
            f"{len(clashes)} student id{'s have' if len(clashes) > 1 else ' has'} more than one "
            f"submission: {'; '.join(clashes)}. The file name's stem is the student id, so "
            f"rename or remove the extra ones"
        )
    order = [f for f, _ in files]
    _ROOTS.update({f: r for f, r in roots.items() if r is not None})
    return sorted(chosen, key=order.index)


def submission_root(path: Path) -> Path | None:
    """The folder (or extracted zip) :func:`submission_files` found ``path`` under, if any."""
    return _ROOTS.get(path)


def with_identity(g: GradedSubmission, path: Path) -> GradedSubmission:
    """``g`` with the course site's name, id and lateness of ``path``, and why it was chosen."""
    ident = lms.identify(path, _ROOTS.get(path))
    chosen = _CHOSEN.get(path, "")
    if ident is None:
        return dataclasses.replace(g, chosen=chosen) if chosen else g
    return dataclasses.replace(
        g, name=ident.name, lms_id=ident.lms_id, late=ident.late, chosen=chosen
    )


#: Why a file was graded among its student's several (for the gradebook's ``chosen``).
_CHOSEN: dict[Path, str] = {}


#: The folder each submitted file was found under (for its student id).
_ROOTS: dict[Path, Path] = {}


# -- reading a submission -----------------------------------------------------------------------
def _read_notebook(path: Path) -> tuple[Any, str, str]:
    """(notebook or None, status, detail). Cells are recovered from a mildly broken notebook."""
    import nbformat

    if path.suffix.lower() != ".ipynb":
        return None, "not_a_notebook", f"{path.name} is not a .ipynb file"
    if path.exists() and not path.is_file():  # a named pipe would block the grader forever
        return None, "unreadable", f"{path.name} is not a regular file (a pipe, socket or device)"
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, "not_json", f"{path.name} is not valid JSON ({err})"
    except RecursionError:  # nested deeper than any notebook
        return None, "not_json", f"{path.name} is JSON nested too deeply to be a notebook"
    if isinstance(data, dict) and data.get("nbformat") == 3 and "worksheets" in data:
        try:  # an old (version 3) notebook: nbformat converts it
            data = json.loads(nbformat.writes(nbformat.reads(json.dumps(data), as_version=4)))
        except Exception:
            why = f"{path.name} is an old (v3) notebook that cannot be read"
            return None, "invalid_notebook", why
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, "invalid_notebook", f"{path.name} has no list of cells"
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
        return nb, "ok", ""
    except Exception:
        pass
    # Recover what a grader needs: each cell's type, source and tags.
    cells = []
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        meta = cell.get("metadata")
        tags = meta.get("tags") if isinstance(meta, dict) else None
        maker = {
            "code": nbformat.v4.new_code_cell,
            "markdown": nbformat.v4.new_markdown_cell,
            "raw": nbformat.v4.new_raw_cell,
        }[cell["cell_type"]]
        new = maker(source)
        if isinstance(tags, list):
            new.metadata["tags"] = [str(t) for t in tags]
        cells.append(new)
    meta = data.get("metadata")
    nb = nbformat.v4.new_notebook(cells=cells, metadata=meta if isinstance(meta, dict) else {})
    return nb, "ok", "the notebook file was damaged; its cells were recovered and run"


def _lesson_of(nb: Any) -> str:
    """The exercise's slug: from the notebook's metadata, else from its lesson import."""
    known = _lesson_slugs()
    meta = nb.metadata.get("gdcourse", {})
    slug = meta.get("slug") if isinstance(meta, dict) else None
    if slug in known:
        return slug
    for cell in nb.cells:
        if cell.cell_type == "code":
            for m in _IMPORT.finditer(cell.source):
                found = m.group(1) or m.group(2)
                if found in known:
                    return found
    return ""


def _made_with(nb: Any) -> str:
    """The gdcourse version of the release the notebook came from (``gdcourse assign`` stamps
    it), or "" when it does not say (a copy from ``gdcourse start``, or an older release)."""
    meta = nb.metadata.get("gdcourse", {})
    made = meta.get("version") if isinstance(meta, dict) else None
    return _version_text(made)


def _version_text(text: Any) -> str:
    """A version as a notebook states it, cut to a version's length and made of a version's
    characters: a student's notebook could put anything in its metadata."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"[^0-9A-Za-z.+_-]", "?", text.strip())[:40]


def _grader_version() -> str:
    from .. import __version__

    return __version__


# -- running ------------------------------------------------------------------------------------
class _Restart(Exception):
    """The kernel died or hung: start again without the cell (or check) that did it."""

    def __init__(
        self, kind: str, where: Any, why: str, executed: Any = None, records: Any = None
    ) -> None:
        super().__init__(why)
        self.kind, self.where, self.why, self.executed = kind, where, why, executed
        self.records = records or {}


def _client_class(n_student: int = 10**9):
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """Keeps at most _MAX_OUTPUT_CHARS of output per student cell and _MAX_NOTEBOOK_CHARS in
        all, counting everything a message carries (text, data, metadata, an error's traceback,
        a display updated in place); past that, output is dropped and the cut is marked. The
        grading cells (their records) have _MAX_RECORD_CHARS each. Widget messages are not kept."""

        def _room(self, cell_index: int, size: int) -> bool:
            sizes = self.__dict__.setdefault("_gd_sizes", {})
            sizes[cell_index] = sizes.get(cell_index, 0) + size
            if cell_index >= n_student:
                records = sum(v for k, v in sizes.items() if k >= n_student)
                if sizes[cell_index] <= _MAX_RECORD_CHARS and records <= _MAX_RECORDS_CHARS:
                    return True
                self.nb.cells[cell_index].metadata["gd_dropped"] = True  # said, not "missing"
                return False
            total = sum(v for k, v in sizes.items() if k < n_student)
            return sizes[cell_index] <= _MAX_OUTPUT_CHARS and total <= _MAX_NOTEBOOK_CHARS

        def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
            content = msg.get("content", {})
            if cell_index >= n_student and msg["msg_type"] == "stream":
                return None  # what a student's function prints while graded: not needed
            if msg["msg_type"] == "stream" and cell_index < n_student:
                # A long text is cut to the room the cell has left, not dropped whole.
                used = self.__dict__.get("_gd_sizes", {}).get(cell_index, 0)
                room = max(_MAX_OUTPUT_CHARS - used - 1000, 0)  # the message's own fields too
                text = str(content.get("text", ""))
                if len(text) > room:
                    content["text"] = text[:room]
                    cut = self.__dict__.setdefault("_gd_cut", {})
                    cut[cell_index] = cut.get(cell_index, 0) + len(text) - room
            size = len(json.dumps(content, default=str))
            if not self._room(cell_index, size):
                if msg["msg_type"] != "error" or any(o.get("output_type") == "error" for o in outs):
                    return None
                # The cell's first error is kept, its traceback cut to its last lines.
                content["traceback"] = [str(t)[:2000] for t in content.get("traceback", [])[-3:]]
                content["evalue"] = str(content.get("evalue", ""))[:2000]
            return super().output(outs, msg, display_id, cell_index)

        def _update_display_id(self, display_id, msg):  # type: ignore[override]
            size = len(json.dumps(msg.get("content", {}), default=str))
            cells = self._display_id_map.get(display_id, {})
            if any(not self._room(i, size) for i in list(cells)):
                return None
            return super()._update_display_id(display_id, msg)

        def handle_comm_msg(self, outs, msg, cell_index):  # type: ignore[override]
            return None  # widgets: nothing grading needs, and no limit on their state

    return CappedClient


def _kernel_env(box: Path, typed_cells: dict[str, list[list[str]]] | None = None) -> dict[str, str]:
    """The whole environment of a grading kernel (none of the instructor's variables)."""
    boxed = sandbox.available()
    work = sandbox.WORK if boxed else str(box / "work")
    own = {} if boxed else {"TMPDIR": str(box / "tmp")}  # the box's, not the machine's /tmp
    if sandbox.as_user():  # the user the kernel's first process becomes
        own[sandbox.DROP_ENV] = str(sandbox.uid_for(box))
    return {
        **own,
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp" if boxed else str(box / "home"),
        "LANG": "C.UTF-8",
        "GDCOURSE_ASSESSMENT": "1",
        # A log of its own, not the instructor's.
        "GDCOURSE_PROGRESS": f"{work}/.progress.jsonl",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib" if boxed else str(box / "mpl"),
        # Two graders share the cores: one thread each keeps them from fighting.
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        # The grader's own copy of the course, whichever the environment would find first (in the
        # sandbox, the folder holding it holds nothing else).
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        # The check cells whose typed argument is kept as it was when they ran.
        TYPED_ENV: json.dumps(typed_cells or {}),
    }


def _kernelspec_dir(
    memory_mb: int,
    box: Path,
    ctl: Path,
    notebook: Path,
    protected: Sequence[Path],
    groups: Sequence[Path] = (),
    typed_cells: dict[str, list[list[str]]] | None = None,
) -> Path:
    """A kernelspec that starts the capped kernel, inside the sandbox where there is one, and in
    the submission's cgroups (``groups``: their ``cgroup.procs``) where there are some.

    It lives in ``ctl``, the grader's own folder, which the kernel never sees (only the connection
    file and the notebook's copy in it, each bound read-only): a kernel that could rewrite its
    kernelspec would choose the command the grader runs at the next restart."""
    spec = ctl / "kernels" / "gdcourse-grader"
    spec.mkdir(parents=True, exist_ok=True)
    env = _kernel_env(box, typed_cells)
    # -P: the kernel's folder (the student's) is not on its import path; -s: no user site.
    kernel = [
        sys.executable,
        "-P",
        "-s",
        "-m",
        "gdcourse.instructor.capped_kernel",
        "--memory-mb",
        str(memory_mb),
        "-f",
        "{connection_file}",
    ]
    if sandbox.available():
        box_argv = sandbox.command(
            box, notebook, env, list(protected), readable=[ctl / "connection.json"]
        )
        argv = [*sandbox.launcher(list(groups), keep_env=False), *box_argv]
        argv += [*sandbox.kernel_prefix(), *kernel]
        env_out: dict[str, str] = {}
    elif sandbox.as_user():
        # No sandbox, but root: the kernel's first process becomes an unprivileged user of its
        # own, with the kernel's environment only (the launcher drops the instructor's).
        argv = [
            *sandbox.launcher(list(groups), keep_env=list(env)),
            *sandbox.kernel_prefix(str(box / "work")),
            *kernel,
        ]
        env_out = env
    else:
        argv, env_out = kernel, env
        if groups:  # join them first: then the kernel and everything it starts share one cap
            argv = [*sandbox.launcher(list(groups), keep_env=True), *argv]
    (spec / "kernel.json").write_text(
        json.dumps(
            {"argv": argv, "display_name": "gdcourse grader", "language": "python", "env": env_out}
        )
    )
    return spec.parent


def _run_once(
    nb: Any,
    box: Path,
    ctl: Path,
    timeout: float,
    deadline: float,
    skip_cells: dict[int, str],
    checks: list[tuple[str, str, Question | None, str | None]],
    skip_checks: set[str],
) -> tuple[Any, dict]:
    """Run the student's cells, then one grading cell per check. Raises _Restart.

    ``deadline`` (``time.monotonic()``) ends the student's cells: a cell still running then is
    cut, as one past its own limit is. Hidden checks' files are copied into the box only after
    the student's cells have run.
    """
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.exceptions import CellTimeoutError

    work = nbformat.from_dict(json.loads(json.dumps(nb)))  # a private copy to fill with outputs
    for i in skip_cells:
        work.cells[i].source = ""  # skipped: an empty cell is not executed
    n_student = len(work.cells)
    setup = nbformat.v4.new_code_cell(
        "from gdcourse.instructor.kernel_side import report_environment as __gd_env\n__gd_env()"
        if "environment" not in skip_checks
        else "pass"
    )
    work.cells.append(setup)
    checked_by: dict[int, str] = {}  # grading cell index -> question id
    hidden_inputs: dict[str, bytes] = {}  # where -> a hidden function question's inputs
    for slug, name, hidden, typed in checks:
        if f"{slug}.{name}" in skip_checks:
            continue
        if hidden is None:
            args = f"{slug!r}, {name!r}, typed={typed!r}"
        else:
            # Of a hidden check, only what the student's function is called on goes in (never its
            # file, reference or expected values), under a name the student cannot guess, in a
            # folder they cannot write to by then.
            where = None
            if isinstance(hidden, FunctionQuestion):
                where = str(box / f"h{os.urandom(8).hex()}.pickle")
                hidden_inputs[where] = hidden._pristine
            args = f"{slug!r}, {name!r}, answer_var={hidden.answer_var!r}, inputs={where!r}"
        checked_by[len(work.cells)] = f"{slug}.{name}"
        work.cells.append(
            nbformat.v4.new_code_cell(
                f"from gdcourse.instructor.kernel_side import report_answer as __gd_q\n"
                f"__gd_q({args})"
            )
        )

    km = AsyncKernelManager(
        kernel_name="gdcourse-grader",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(ctl / "kernels")]),
    )
    if sandbox.available():  # no network in the box: the kernel's sockets are files in it
        km.transport = "ipc"
        km.ip = str(box / "k")
    km.connection_file = str(ctl / "connection.json")
    import zmq.asyncio

    context = zmq.asyncio.Context()  # the client's own, closed when the run ends
    make_client = km.client
    km.client = lambda **kw: make_client(context=context, **kw)  # type: ignore[method-assign]
    client = _client_class(n_student)(
        work,
        km=km,
        timeout=timeout,
        allow_errors=True,
        interrupt_on_timeout=False,
        record_timing=False,
        shutdown_kernel="immediate",
        startup_timeout=120,
        iopub_timeout=10,
        resources={"metadata": {"path": str(box / "work")}},
    )
    current = -1
    try:
        # The kernel's own stderr is log noise (cell output travels over the kernel protocol).
        # cleanup_kc: shut the kernel down on the way out, hung or not.
        with client.setup_kernel(
            cleanup_kc=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ):
            # The kernel has made its sockets; none of the student's code has run yet. From now
            # on the box is not theirs to change (its sockets, the hidden checks written in it).
            sandbox.lock(box)
            for current, cell in enumerate(work.cells):
                if current < n_student:
                    left = deadline - time.monotonic()
                    if left <= 0 and cell.source.strip():
                        raise _Restart("notebook_timeout", current, "the notebook's time ran out")
                    client.timeout = max(1, min(timeout, math.ceil(left)))
                else:
                    # A check has its own limits per call and in all; the cell waits for them.
                    client.timeout = _check_time(timeout)
                if current == n_student:
                    for where, inputs in hidden_inputs.items():  # only now: grading asks
                        _write_new(Path(where), inputs)
                try:
                    client.execute_cell(cell, current)
                except CellTimeoutError:
                    if current < n_student and time.monotonic() >= deadline:
                        raise _Restart(
                            "notebook_timeout", current, "the notebook's time ran out"
                        ) from None
                    raise
    except _Restart:
        context.destroy(linger=0)
        raise
    except Exception as err:
        # A hung cell may ignore interrupts, so it is restarted around, like a dead kernel; a
        # message the grader cannot read (forged, badly signed) is the cell's doing too.
        context.destroy(linger=0)
        kind = "timeout" if isinstance(err, CellTimeoutError) else "kernel_died"
        if current == -1:  # the kernel never started
            raise _Restart("grader", current, str(err)) from None
        if current < n_student:
            raise _Restart(kind, current, str(err), work) from None
        if current == n_student:  # the versions cell: only the student's hooks can stop it
            work.cells = work.cells[:n_student]
            raise _Restart(kind, "environment", str(err), work) from None
        records = _records(work, n_student, checked_by)  # the answers handed out before it
        work.cells = work.cells[:n_student]
        raise _Restart(kind, checked_by[current], str(err), work, records) from None
    context.destroy(linger=0)
    import nbformat

    total = 0
    cut = client.__dict__.get("_gd_cut", {})
    for i, size in sorted(client.__dict__.get("_gd_sizes", {}).items()):
        size += cut.get(i, 0)
        total += size if i < n_student else 0
        if i < n_student and (size > _MAX_OUTPUT_CHARS or total > _MAX_NOTEBOOK_CHARS):
            work.cells[i].outputs.append(  # said, not silently cut
                nbformat.v4.new_output(
                    "stream",
                    name="stderr",
                    text=f"[output truncated: the cell's output came to {size:,} characters; the "
                    f"grader keeps {_MAX_OUTPUT_CHARS:,} a cell and {_MAX_NOTEBOOK_CHARS:,} a "
                    f"notebook]\n",
                )
            )
    for cell in work.cells:  # a forged message can set any value here
        if "execution_count" in cell and not isinstance(cell.get("execution_count"), int):
            cell["execution_count"] = None
    records = _records(work, n_student, checked_by)
    work.cells = work.cells[:n_student]
    return work, records


def _records(work: Any, n_student: int, checked_by: dict[int, str]) -> dict[str, dict]:
    """{question id: the grade record its own grading cell showed}."""
    records: dict[str, dict] = {}
    for i, cell in enumerate(work.cells[n_student:], n_student):
        qid = checked_by.get(i, "environment")
        if cell.metadata.get("gd_dropped"):
            why = f"the answer was too large to hand out (over {_MAX_RECORD_CHARS:,} characters)"
            records[qid] = {"id": qid, "found": False, "failed": why}
            continue
        for out in cell.get("outputs", []):
            rec = out.get("data", {}).get(GRADE_MIME)
            # Only this cell's own record counts: data, never a verdict.
            if isinstance(rec, dict) and rec.get("id") == qid:
                records[qid] = rec
            elif out.get("output_type") == "error" and qid not in records:
                # Handing the answer out failed in their kernel (it ran out of processes or
                # memory, or their code broke the course's): said, never "no answer".
                why = f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"[:300]
                records[qid] = {"id": qid, "found": False, "failed": why}
    return records


def _what_happened(kind: str, timeout: float) -> str:
    """What a cell or a check that was restarted around did, in a few words."""
    if kind == "timeout":
        return f"ran longer than {timeout:g} s"
    return "stopped the kernel (it crashed, exited or ran out of memory)"


def _check_time(timeout: float) -> float:
    """How long a grading cell may run: a check's own limits (per call and in all), or more."""
    return max(timeout, math.ceil(CHECK_LIMIT + 2 * TIME_LIMIT))


def _setting_cell(nb: Any, var: str, skipped: dict[int, tuple[str, str]]) -> int | None:
    """The skipped cell that assigns (or defines) ``var``, if there is one (line by line: a
    pattern over the whole cell could take hours on one built for it)."""
    sets = re.compile(rf"(?:def\s+{re.escape(var)}\s*\(|{re.escape(var)}\s*(?::[^=]*)?=(?!=))")
    for i in sorted(skipped):
        for line in nb.cells[i].source.splitlines()[:5000]:
            if sets.match(line.lstrip()[:500]):
                return i
    return None


def _skipped_texts(skipped: dict[int, tuple[str, str]]) -> list[str]:
    """What happened to the skipped cells, in order, one line for cells that share a reason
    ("cells 19, 20, 21 not run: ...")."""
    lines: list[tuple[list[int], str]] = []
    for i in sorted(skipped):
        text = skipped[i][1]
        rest = text.split(" ", 2)[2] if text.startswith("cell ") else text
        if lines and lines[-1][1] == rest:
            lines[-1][0].append(i + 1)
        else:
            lines.append(([i + 1], rest))
    return [
        f"cell {cells[0]} {rest}"
        if len(cells) == 1
        else f"cells {', '.join(map(str, cells))} {rest.replace(' was skipped', ' were skipped')}"
        for cells, rest in lines
    ]


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file, never through a link or over a file someone put there first."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _cell_problems(nb: Any) -> list[str]:
    """The first error of each cell that raised (at most 30 named, then how many more)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                problems.append(
                    f"cell {i + 1} raised {out.get('ename')}: {out.get('evalue')}"[:300]
                )
                break
    if len(problems) > 30:
        problems = [*problems[:30], f"and {len(problems) - 30} more cells raised errors"]
    return problems


# What honest exercise code never needs: the grader's modules, the kernel's hooks, other frames.
_REACHING = re.compile(
    r"gdcourse\.instructor|gdcourse\.checks\.(plain|questions|calling|verdict|compare)|"
    r"kernel_side|report_answer|report_environment|"
    r"\bto_plain\b|\bread_answer\b|\brecord(ed)?_calls\b|\bcall_student\b|vnd\.gdcourse|"
    r"GRADE_MIME|events\.(register|callbacks)|(pre|post)_(run_cell|execute)|"
    r"sys\._getframe|\binspect\.(stack|currentframe|getouterframes)|\bf_(back|locals|globals)\b|"
    r"\bgc\.get_(referrers|objects)\b|__subclasses__|\.(check|_evaluate|hint)\s*=(?!=)|"
    r"\.reference\b|\bdisplay\s*=(?!=)|\.display\s*=(?!=)|\bpublish_display_data\b|"
    r"importlib\.metadata|python_version\s*=(?!=)"
)


def _reaches_into_grading(nb: Any) -> str:
    """A note naming the cells whose code reaches into the course's grading machinery (its
    modules, the kernel's hooks, the caller's frames): such code can hand out answers its
    functions never computed, so the instructor should read those cells."""
    cells = [
        i + 1
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and _REACHING.search(_without_comments(cell.source))
    ]
    if not cells:
        return ""
    where = ", ".join(map(str, cells[:10])) + (" ..." if len(cells) > 10 else "")
    return (
        f"review: cell{'s' if len(cells) > 1 else ''} {where} reach{'' if len(cells) > 1 else 'es'}"
        f" into the course's grading code or the kernel's hooks; read them in executed/ before "
        f"trusting this grade"
    )


def _without_comments(source: str) -> str:
    """A cell's code without its comments (strings stay: ``getattr(m, "report_answer")``)."""
    import io
    import tokenize

    lines = source.splitlines(keepends=True)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                row, col = token.start
                lines[row - 1] = lines[row - 1][:col] + "\n"
    except (tokenize.TokenError, SyntaxError, IndentationError, IndexError):
        return source
    return "".join(lines)


def _typed_arguments(nb: Any, questions: Sequence[Question]) -> dict[str, str]:
    """{question name: the argument of its tagged check cell} where that is not the answer
    variable (``ex.q2.check([8, 5, 3.5])``): graded when the variable is not defined. Only the
    cell tagged with the question's name counts, and only its ``check(...)`` call's argument."""
    import ast

    found: dict[str, str] = {}
    wanted = {q.name: q for q in questions}
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or not isinstance(tags, list):
            continue
        for name in [t for t in tags if t in wanted]:
            try:
                tree = ast.parse(cell.source)
            except Exception:  # not Python, or built to exhaust the parser (RecursionError)
                continue
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "check"
                    and (
                        (
                            isinstance(node.func.value, ast.Attribute)
                            and node.func.value.attr == name
                        )
                        or (isinstance(node.func.value, ast.Name) and node.func.value.id == name)
                    )
                ):
                    continue
                args = [*node.args, *(k.value for k in node.keywords if k.arg)]
                if len(args) == 1:
                    text = ast.get_source_segment(cell.source, args[0]) or ""
                    if text and text != wanted[name].answer_var and len(text) <= 5000:
                        found[name] = text
    return found


#: Seconds the grader spends checking one answer from its data (a forged record cannot hold it).
JUDGE_LIMIT = 30.0


def _typed_cells(nb: Any, typed: dict[str, str]) -> dict[str, list[list[str]]]:
    """{source of a tagged check cell: [[question name, its typed argument], ...]}."""
    out: dict[str, list[list[str]]] = {}
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and isinstance(tags, list):
            for name in tags:
                if name in typed:
                    out.setdefault(cell.source, []).append([name, typed[name]])
    return out


def _judge(
    q: Question, rec: dict
) -> tuple[str, float, str, list[list[str]], tuple[int, int, str], str]:
    """(outcome, points, message, table, (right, of, unit), misconception) for one answer,
    computed here from the data the student's process handed out: never from anything it
    said about itself (a partly right answer's share too: this check counts it). Whatever
    the data holds, this returns: a record it cannot read, or that takes too long, is an
    ``error``."""
    from ..checks.calling import call_student

    def judged() -> Any:
        data = rec.get("answer")
        if isinstance(q, FunctionQuestion) and isinstance(data, dict) and data.get("t") == "calls":
            answer = Recorded(data)
        else:
            answer = from_plain(data)
        return q.check(answer)

    call = call_student(judged, (), copied=False, limit=JUDGE_LIMIT)
    if not call.returned:
        why = (
            f"took longer than {JUDGE_LIMIT:g} s to read"
            if call.timed_out or call.interrupted
            else f"could not be read ({call.error})"
            if isinstance(call.error, PlainDataError)
            else f"could not be read ({type(call.error).__name__})"
        )
        return "error", 0, f"This answer's grading record {why}; it was not graded.", [], _NONE, ""
    verdict = call.value
    # The question's declared points when right; a partly right answer's share, within them.
    points: float = q.points if verdict.outcome == "correct" else 0
    share = _NONE
    if verdict.outcome == "incorrect" and 0 < verdict.right < verdict.of:
        points = min(max(float(verdict.points), 0.0), float(q.points))
        points = points if math.isfinite(points) else 0
        share = (verdict.right, verdict.of, verdict.unit)
    table = [list(row) for row in verdict.table]
    return verdict.outcome, points, verdict.message, table, share, verdict.misconception


_NONE = (0, 0, "")  # no partial credit


def grade_submission(
    path: Path,
    *,
    lesson: str | None = None,
    hidden: Sequence[HiddenChecks] = (),
    timeout: float = 30,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    memory_mb: int = 2048,
    workdir: Path | None = None,
    protected: Sequence[Path] = (),
    root: Path | None = None,
    expect: str | None = None,
) -> GradedSubmission:
    """Grade one file; never raises for anything the file contains.

    The notebook runs in its own kernel (in the sandbox where there is one); the answers it
    leaves are handed out as data and checked here. ``protected`` are further paths the kernel
    must not see (the grader's output); the submissions' folder and hidden checks always are.
    """
    student, file = student_id(path, root or _ROOTS.get(path)), path.name
    try:
        nb, status, detail = _read_notebook(path)
    except OSError as err:
        why = "a link to a file that is not there" if path.is_symlink() else err.strerror
        nb, status, detail = None, "unreadable", f"cannot read {file}: {why}"
    if nb is None:
        return GradedSubmission(student, file, lesson or "", status, detail, [])
    own_slug = _lesson_of(nb)
    lesson_wanted = lesson or expect  # --lesson, or the batch's exercise
    if lesson_wanted and own_slug and own_slug != lesson_wanted:  # exercise 04 handed in for 03
        return GradedSubmission(
            student,
            file,
            lesson_wanted,
            "wrong_lesson",
            f"{file} is the exercise {own_slug!r}, not {lesson_wanted!r} being graded"
            + ("" if lesson else " (the exercise of this batch's other notebooks)")
            + f"; grade it with --lesson {own_slug}, or ask the student for the right notebook",
            [],
        )
    slug = lesson or own_slug
    if not slug:
        return GradedSubmission(
            student,
            file,
            "",
            "unknown_lesson",
            f"{file} does not name its exercise (no gdcourse metadata and no "
            f"`from gdcourse.lessons import ...`); grade it with --lesson",
            [],
        )
    own = _lesson_questions(slug)
    extra = [(h, q) for h in hidden if h.lesson == slug for q in h.questions]
    typed = _typed_arguments(nb, own)
    checks = [(slug, q.name, None, typed.get(q.name)) for q in own] + [
        (slug, q.name, q, None) for _, q in extra
    ]
    notes = [detail] if detail else []
    made_with = _made_with(nb)
    if made_with and made_with != _grader_version():
        notes.append(
            f"made from a gdcourse {made_with} release, graded with gdcourse "
            f"{_grader_version()}: the exercise may have changed between the two (compare them "
            f"before trusting a wrong answer)"
        )
    reaching = _reaches_into_grading(nb)
    if reaching:
        notes.append(reaching)
    unreachable = unreachable_python()
    if unreachable:
        return GradedSubmission(student, file, slug, "grader_error", unreachable, [])
    box = Path(tempfile.mkdtemp(prefix="gdg-", dir=workdir))  # short: socket paths have a limit
    ctl = Path(tempfile.mkdtemp(prefix="gdg-ctl-", dir=workdir))  # the grader's, not the kernel's
    skip_cells: dict[int, tuple[str, str]] = {}  # cell index -> (kind, what happened)
    skip_checks: dict[str, tuple[str, str]] = {}
    executed, records = None, {}
    stopped = ""  # why grading stopped before every answer was handed out, if it did
    groups: list[Path] = []
    try:
        (box / "work").mkdir()
        (box / "home").mkdir()
        copy = ctl / "notebook.ipynb"  # the kernel's copy (read-only there), never the original
        shutil.copyfile(path, copy)
        if not sandbox.available():
            shutil.copyfile(path, box / "work" / file)
        keep_out = [path.parent.absolute(), *(h.path for h in hidden), *protected]
        groups = sandbox.memory_group(box.name, memory_mb * 1024 * 1024, _GROUP_TASKS)
        _kernelspec_dir(memory_mb, box, ctl, copy, keep_out, groups, _typed_cells(nb, typed))
        # Each run has the notebook's time limit; all runs together a few times it.
        check_time = _check_time(timeout)
        all_runs_end = (
            time.monotonic() + _ALL_RUNS * notebook_timeout + (len(checks) + 1) * check_time
        )
        start_failures = runs = 0
        gave_up = False
        while True:
            runs += 1
            deadline = time.monotonic() + notebook_timeout
            sandbox.unlock(box)  # a new kernel makes its sockets in it (the last one is gone)
            try:
                executed, records = _run_once(
                    nb, box, ctl, timeout, deadline, skip_cells, checks, set(skip_checks)
                )
                break
            except _Restart as r:
                if r.executed is not None:
                    executed = r.executed
                if r.kind == "grader":
                    start_failures += 1
                    if start_failures < _START_TRIES:
                        continue
                    return GradedSubmission(
                        student,
                        file,
                        slug,
                        "grader_error",
                        f"the grading kernel failed to start: {r.why}",
                        [],
                    )
                if runs > _MAX_RUNS or time.monotonic() > all_runs_end:
                    # A notebook that fails differently each time, or whose checks keep hanging:
                    # grade what was handed out; the rest is not checked, and says so.
                    records = r.records
                    stopped = (
                        f"grading this notebook stopped after {runs} runs"
                        if runs > _MAX_RUNS
                        else "grading this notebook ran past its time in all (its runs and checks)"
                    )
                    break
                if isinstance(r.where, int):
                    out_of_time = r.kind == "notebook_timeout"
                    if out_of_time or gave_up or len(skip_cells) >= _MAX_RESTARTS:
                        # Give up on the cells from here on, keep every answer made before it:
                        # one last run of the cells that ran, then the checks.
                        why = (
                            f"the notebook ran longer than {notebook_timeout:g} s in all"
                            if out_of_time
                            else f"{_MAX_RESTARTS + 1} cells ran too long or stopped the kernel"
                        )
                        kind = "timeout" if out_of_time else r.kind
                        for i in range(r.where, len(nb.cells)):
                            cell = nb.cells[i]
                            if cell.cell_type == "code" and cell.source.strip():
                                skip_cells.setdefault(
                                    i,
                                    (kind, f"cell {i + 1} not run: grading stopped there ({why})"),
                                )
                        gave_up = True
                        continue
                    what = _what_happened(r.kind, timeout)
                    skip_cells[r.where] = (r.kind, f"cell {r.where + 1} {what} and was skipped")
                else:
                    what = _what_happened(r.kind, timeout)
                    skip_checks[r.where] = (r.kind, f"checking this answer {what}")
    except Exception as err:  # our bug or the machine: say so, grade the others
        return GradedSubmission(
            student, file, slug, "grader_error", f"{type(err).__name__}: {err}", []
        )
    finally:
        if sandbox.as_user():  # what its user started, gone with it
            sandbox.stop_user(sandbox.uid_for(box))
        sandbox.remove_group(groups)
        shutil.rmtree(box, ignore_errors=True)
        shutil.rmtree(ctl, ignore_errors=True)

    import nbformat

    if executed is None:
        executed = nbformat.from_dict(json.loads(json.dumps(nb)))
    for i, (_, text) in skip_cells.items():  # the instructor sees the cell, and why it did not run
        cell = executed.cells[i]
        cell.source = nb.cells[i].source
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=f"skipped: {text}\n")]
        cell.metadata["gdcourse"] = {"skipped": text}
    results = []
    with (
        grading_session()
    ):  # the checks, here, in order: no submission's answers leak into another's
        for q, is_hidden in [(q, False) for q in own] + [(q, True) for _, q in extra]:
            qid = f"{slug}.{q.name}"
            rec = records.get(qid)
            table: list[list[str]] = []
            misconception = ""
            share = _NONE
            if qid in skip_checks:
                outcome, points, message = "error", 0, skip_checks[qid][1] + "."
            elif stopped and qid not in records:
                outcome, points, message = "error", 0, f"Not checked: {stopped}."
            elif rec and rec.get("found"):
                outcome, points, message, table, share, misconception = _judge(q, rec)
            elif rec and rec.get("failed"):
                outcome, points = "error", 0
                # The kernel's error text goes to the instructor (status_detail), not into the
                # student's page: code of theirs could put anything there (a hidden check's inputs).
                message = (
                    "Not checked: handing this answer to the grader failed in the notebook's "
                    "kernel. The notebook's own code may have used up the processes or memory "
                    "grading allows, or changed the course's code; your instructor has the details."
                )
            else:
                outcome, points = "missing", 0
                message = (
                    f"No answer: the variable `{q.answer_var}` was not defined when the notebook "
                    f"finished running."
                )
                setter = _setting_cell(nb, q.answer_var, skip_cells)
                if setter is not None:  # its cell was skipped: say that, not "not defined"
                    message = (
                        f"No answer: the cell that sets `{q.answer_var}` (cell {setter + 1}) was "
                        f"not run while grading: {skip_cells[setter][1].split(': ', 1)[-1]}."
                    )
            hint = q.hints[0] if q.hints and outcome != "correct" else ""
            results.append(
                QuestionResult(
                    qid,
                    outcome,
                    points,
                    q.points,
                    message,
                    hint,
                    q.prompt,
                    is_hidden,
                    table,
                    *share,
                    misconception,
                )
            )
    env = records.get("environment", {})
    raised = _cell_problems(executed)
    problems = (
        _skipped_texts(skip_cells)
        + [
            f"{qid.rsplit('.', 1)[-1]}: {text}".replace(
                "environment: checking this answer", "reporting the versions"
            )
            for qid, (_, text) in skip_checks.items()
        ]
        + raised
        + [
            f"{qid.rsplit('.', 1)[-1]}: handing the answer out failed ({rec['failed']})"
            for qid, rec in records.items()
            if rec.get("failed")
        ]
        + ([stopped] if stopped else [])
    )
    kinds = {kind for kind, _ in skip_cells.values()} | {k for k, _ in skip_checks.values()}
    status = "cell_errors" if raised else "ok"
    if stopped:
        kinds.add("timeout")
    for kind in ("timeout", "kernel_died"):
        if kind in kinds:
            status = kind
    detail = "; ".join(notes + problems) or STATUSES["ok"]
    if len(detail) > _MAX_DETAIL:  # a spreadsheet cell holds 32,767 characters
        detail = detail[: _MAX_DETAIL - 60].rsplit("; ", 1)[0] + "; ... (more in executed/)"
    return GradedSubmission(
        student,
        file,
        slug,
        status,
        detail,
        results,
        str(env.get("gdcourse", ""))[:50],
        str(env.get("python", ""))[:50],
        executed,
        made_with,
        review=reaching,
    )


def unreachable_python() -> str:
    """Without a sandbox, as root: why the kernel's unprivileged user could not run the grader's
    Python here, in one sentence ("" when it can, or the kernel does not run as one)."""
    if not sandbox.as_user():
        return ""
    missing = sandbox.out_of_reach()
    if not missing:
        return ""
    return (
        f"the grading kernel runs as an unprivileged user here ({sandbox.missing().split(',')[0]}"
        f"), and that user cannot reach {', '.join(map(str, missing))} (a folder above it is "
        f"root's alone): grade with a Python and environment every user may read (installed "
        f"under /usr, /opt or /srv, say), or install bubblewrap"
    )


def check_hidden_names(hidden: Sequence[HiddenChecks]) -> None:
    """Raise :class:`GradeError` if two hidden-check files give one exercise's checks one name
    (each would be graded on the other's results, under one column)."""
    seen: dict[tuple[str, str], Path] = {}
    files: set[Path] = set()
    for h in hidden:
        if h.path in files:  # its checks would count twice, under one column each
            raise GradeError(f"hidden-check file {h.path} is given twice: give each file once")
        files.add(h.path)
        for q in h.questions:
            key = (h.lesson, q.name)
            if key in seen and seen[key] != h.path:
                raise GradeError(
                    f"hidden-check files {seen[key]} and {h.path} both declare {q.name!r} for "
                    f"{h.lesson!r}; give each hidden check its own name"
                )
            seen[key] = h.path


def check_lesson(lesson: str) -> None:
    """Raise :class:`GradeError` unless ``lesson`` is the slug of a module with questions."""
    if lesson not in _lesson_slugs():
        near = difflib.get_close_matches(lesson, _lesson_slugs(), n=1)
        raise GradeError(
            f"--lesson {lesson!r} is not an exercise: give the lesson's number (03) or the "
            f"exercise's slug (lr_exploration)" + (f"; did you mean {near[0]!r}?" if near else "")
        )


def _limit_worker() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):  # no rlimits here (Windows): as it is
        pass


def _grade_job(args: tuple) -> GradedSubmission:
    path, root, hidden_paths, kwargs = args
    # Hidden questions hold functions defined in their file: reload them here, not pickled.
    hidden = [load_hidden_checks(p) for p in hidden_paths]
    return grade_submission(path, hidden=hidden, root=root, **kwargs)


def batch_lesson(files: Sequence[Path], hidden: Sequence[HiddenChecks] = ()) -> str | None:
    """The exercise a batch given without ``--lesson`` is of: the hidden checks' (if they name
    one), else the one most of its notebooks name. Then a notebook of another exercise is
    ``wrong_lesson``, not graded on its own (a solved welcome notebook would score 1 of 1 in a
    batch of exercise 03). Refused when no exercise has a clear majority."""
    from collections import Counter

    named = {h.lesson for h in hidden}
    if len(named) == 1:
        return named.pop()
    counts: Counter[str] = Counter()
    for f in files:
        try:
            nb, _, _ = _read_notebook(f)
        except OSError:
            continue
        slug = _lesson_of(nb) if nb is not None else ""
        if slug:
            counts[slug] += 1
    if not counts:
        return None
    (top, n), *rest = counts.most_common()
    if rest and rest[0][1] == n:  # no majority: say so rather than guess
        raise GradeError(
            "the submissions are of several exercises ("
            + ", ".join(f"{slug}: {k}" for slug, k in counts.most_common())
            + "); grade each folder with --lesson SLUG"
        )
    return top


def grade_submissions(
    files: Sequence[Path],
    *,
    lesson: str | None = None,
    hidden: Sequence[HiddenChecks] = (),
    timeout: float = 30,
    notebook_timeout: float = NOTEBOOK_TIMEOUT,
    memory_mb: int = 2048,
    workers: int = 2,
    protected: Sequence[Path] = (),
    progress: Callable[[int, int, GradedSubmission], None] | None = None,
) -> list[GradedSubmission]:
    """Grade every file on ``workers`` processes; results in the order of ``files``.

    Without ``lesson``, the batch's exercise is :func:`batch_lesson`'s."""
    if lesson is not None:
        check_lesson(lesson)
    check_hidden_names(hidden)
    expect = lesson or batch_lesson(files, hidden)
    kwargs = dict(
        lesson=lesson,
        expect=expect,
        timeout=timeout,
        notebook_timeout=notebook_timeout,
        memory_mb=memory_mb,
        protected=[*protected, *_ROOTS.values()],
    )
    results: dict[Path, GradedSubmission] = {}
    if workers <= 1:
        for f in files:
            try:
                results[f] = grade_submission(f, hidden=hidden, root=_ROOTS.get(f), **kwargs)
            except Exception as err:  # our bug, or a file built to break the grader
                results[f] = GradedSubmission(
                    student_id(f, _ROOTS.get(f)),
                    f.name,
                    lesson or "",
                    "grader_error",
                    f"grading this file failed ({type(err).__name__})",
                    [],
                )
            if progress:
                progress(len(results), len(files), results[f])
    else:
        paths = [h.path for h in hidden]
        tries: dict[Path, int] = {}
        left = list(files)
        while left:
            # "spawn": a fresh interpreter per worker, no state inherited from the caller. A
            # worker that dies (the machine ran out of memory, say) breaks the pool: the files it
            # did not finish are given to a new pool, each at most twice.
            with ProcessPoolExecutor(
                workers, mp_context=get_context("spawn"), initializer=_limit_worker
            ) as pool:
                futures = {
                    pool.submit(_grade_job, (f, _ROOTS.get(f), paths, kwargs)): f for f in left
                }
                for fut in as_completed(futures):
                    f = futures[fut]
                    try:
                        results[f] = fut.result()
                    except Exception as err:  # a worker process lost
                        tries[f] = tries.get(f, 0) + 1
                        if tries[f] < 2:
                            continue
                        results[f] = GradedSubmission(
                            student_id(f, _ROOTS.get(f)),
                            f.name,
                            lesson or "",
                            "grader_error",
                            f"the grader's worker process was lost twice while grading this "
                            f"file ({type(err).__name__}); grade it alone with --workers 1",
                            [],
                        )
                    if progress:
                        progress(len(results), len(files), results[f])
            left = [f for f in files if f not in results]
    graded = [results[f] for f in files]
    # A file that could not be graded still gets the batch's questions (0 points each), so its
    # row has the lesson's max_total and every score column reads "not_graded".
    lessons = {g.lesson for g in graded if g.status not in NOT_GRADED}
    batch = lesson or (lessons.pop() if len(lessons) == 1 else "")
    graded = [
        _not_graded(g, g.lesson or batch, hidden) if g.status in NOT_GRADED else g for g in graded
    ]
    return [
        dataclasses.replace(with_identity(g, f), hidden_checks=hidden_fingerprint(hidden, g.lesson))
        for g, f in zip(graded, files, strict=True)
    ]


def _not_graded(g: GradedSubmission, slug: str, hidden: Sequence[HiddenChecks]) -> GradedSubmission:
    if not slug:
        return g
    questions = [(q, False) for q in _lesson_questions(slug)] + [
        (q, True) for h in hidden if h.lesson == slug for q in h.questions
    ]
    results = [
        QuestionResult(
            f"{slug}.{q.name}",
            "not_graded",
            0,
            q.points,
            "Not graded: " + STATUSES[g.status].split(": ", 1)[-1] + ".",
            prompt=q.prompt,
            hidden=is_hidden,
        )
        for q, is_hidden in questions
    ]
    return GradedSubmission(g.student, g.file, slug, g.status, g.detail, results)
