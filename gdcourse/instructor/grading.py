"""Grade submitted notebooks: run each in a scratch copy with a fresh, memory-capped kernel, then
re-check every question against the variable the student's run left behind.

A submission never stops the batch: a file that is not a notebook, a cell that raises, loops
forever or kills its kernel each ends as a status in the gradebook, and the rest is graded. The
submitted files are only ever read.
"""

from __future__ import annotations

import difflib
import importlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..checks import VERDICT_MIME, Question, questions_of
from .kernel_side import GRADE_MIME, hidden_questions

__all__ = [
    "NOT_GRADED",
    "STATUSES",
    "GradeError",
    "GradedSubmission",
    "HiddenChecks",
    "QuestionResult",
    "check_lesson",
    "grade_submission",
    "grade_submissions",
    "load_hidden_checks",
    "submission_files",
]

#: Every status a submission can end with, most serious last; "ok" means every cell ran.
STATUSES = {
    "ok": "every cell ran",
    "cell_errors": "graded; some cells raised an error",
    "timeout": "graded; a cell ran too long and was skipped",
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
_START_TRIES = 3  # a kernel that fails to start (a port race on a busy machine) is retried
# A cell printing in a loop must not fill the grader's memory: keep this much text per cell.
_MAX_OUTPUT_CHARS = 200_000
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

    @property
    def total(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_total(self) -> float:
        return sum(r.max_points for r in self.results)


@dataclass(frozen=True)
class HiddenChecks:
    """An instructor's extra questions for one exercise, kept outside the release."""

    path: Path
    lesson: str
    questions: list[Question]


def load_hidden_checks(path: Path) -> HiddenChecks:
    """Load and validate a hidden-check file (a Python file declaring questions and ``LESSON``)."""
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
    return HiddenChecks(path.resolve(), lesson, questions)


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


def submission_files(paths: Sequence[Path]) -> list[Path]:
    """The files to grade: each file given, and every file directly inside each folder given
    (a broken link too: it gets a row saying so, not silence).

    The file name's stem is the student id. A student's notebook beside other files of theirs
    (``alice.ipynb`` and ``alice.html``) is that one notebook; two notebooks, or two other files,
    for one id are refused, all such clashes named at once.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if (p.is_file() or (p.is_symlink() and not p.exists()))
                and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise GradeError(f"submission {path} does not exist")
    if not files:
        raise GradeError("no submissions found in " + ", ".join(map(str, paths)))
    by_id: dict[str, list[Path]] = {}
    for f in files:  # one id however its letters are composed (é as one character or two)
        by_id.setdefault(unicodedata.normalize("NFC", f.stem).casefold(), []).append(f)
    chosen, clashes = [], []
    for student, mine in by_id.items():
        notebooks = [f for f in mine if f.suffix.lower() == ".ipynb"]
        if len(notebooks) == 1 or len(mine) == 1:
            chosen.append(notebooks[0] if notebooks else mine[0])
        else:
            clashes.append(f"{student!r} ({', '.join(map(str, notebooks or mine))})")
    if clashes:
        raise GradeError(
            f"{len(clashes)} student id{'s have' if len(clashes) > 1 else ' has'} more than one "
            f"submission: {'; '.join(clashes)}. The file name's stem is the student id, so "
            f"rename or remove the extra ones"
        )
    return sorted(chosen, key=files.index)


# -- reading a submission -----------------------------------------------------------------------
def _read_notebook(path: Path) -> tuple[Any, str, str]:
    """(notebook or None, status, detail). Cells are recovered from a mildly broken notebook."""
    import nbformat

    if path.suffix.lower() != ".ipynb":
        return None, "not_a_notebook", f"{path.name} is not a .ipynb file"
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, "not_json", f"{path.name} is not valid JSON ({err})"
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


# -- running ------------------------------------------------------------------------------------
class _Restart(Exception):
    """The kernel died or hung: start again without the cell (or check) that did it."""

    def __init__(self, kind: str, where: Any, why: str) -> None:
        super().__init__(why)
        self.kind, self.where, self.why = kind, where, why


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """Keeps at most _MAX_OUTPUT_CHARS of output per cell (errors are always kept)."""

        def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
            if msg["msg_type"] != "error":
                sizes = self.__dict__.setdefault("_gd_sizes", {})
                content = msg.get("content", {})
                size = len(str(content.get("text", ""))) + len(str(content.get("data", "")))
                sizes[cell_index] = sizes.get(cell_index, 0) + size
                if sizes[cell_index] > _MAX_OUTPUT_CHARS:
                    return None
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _kernelspec_dir(memory_mb: int, workdir: Path) -> Path:
    """A kernelspec that starts the capped kernel with grading's environment."""
    spec = workdir / "kernels" / "gdcourse-grader"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "gdcourse.instructor.capped_kernel",
                    "--memory-mb",
                    str(memory_mb),
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "gdcourse grader",
                "language": "python",
                "env": {
                    "GDCOURSE_ASSESSMENT": "1",
                    # A log of its own, not the instructor's.
                    "GDCOURSE_PROGRESS": str(workdir / "progress.jsonl"),
                    "MPLBACKEND": "Agg",
                    # Two graders share the cores: one thread each keeps them from fighting.
                    "OPENBLAS_NUM_THREADS": "1",
                    "OMP_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1",
                    "PYTHONHASHSEED": "0",
                },
            }
        )
    )
    return spec.parent


def _run_once(
    nb: Any,
    scratch: Path,
    kernels: Path,
    timeout: float,
    skip_cells: set[int],
    checks: list[tuple[str, str, str | None]],
    skip_checks: set[str],
) -> tuple[Any, dict]:
    """Run the student's cells, then one grading cell per check. Raises _Restart."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    work = nbformat.from_dict(json.loads(json.dumps(nb)))  # a private copy to fill with outputs
    for i in skip_cells:
        work.cells[i].source = ""  # skipped: an empty cell is not executed
    n_student = len(work.cells)
    setup = nbformat.v4.new_code_cell(
        "from gdcourse.instructor.kernel_side import report_environment as __gd_env, "
        "report_question as __gd_q\n__gd_env()"
    )
    work.cells.append(setup)
    checked_by: dict[int, str] = {}  # grading cell index -> question id
    for slug, name, hidden in checks:
        if f"{slug}.{name}" in skip_checks:
            continue
        args = f"{slug!r}, {name!r}" + (f", {hidden!r}" if hidden else "")
        checked_by[len(work.cells)] = f"{slug}.{name}"
        work.cells.append(nbformat.v4.new_code_cell(f"__gd_q({args})"))

    km = AsyncKernelManager(
        kernel_name="gdcourse-grader",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
    )
    client = _client_class()(
        work,
        km=km,
        timeout=timeout,
        allow_errors=True,
        interrupt_on_timeout=False,
        record_timing=False,
        shutdown_kernel="immediate",
        startup_timeout=120,
        iopub_timeout=10,
        resources={"metadata": {"path": str(scratch)}},
    )
    current = -1
    try:
        # The kernel's own stderr is log noise (cell output travels over the kernel protocol).
        # cleanup_kc: shut the kernel down on the way out, hung or not.
        with client.setup_kernel(
            cleanup_kc=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ):
            for current, cell in enumerate(work.cells):
                client.execute_cell(cell, current)
    except (DeadKernelError, CellTimeoutError, RuntimeError) as err:
        # A hung cell may ignore interrupts, so it is restarted around, like a dead kernel.
        kind = "timeout" if isinstance(err, CellTimeoutError) else "kernel_died"
        if current == -1:  # the kernel never started
            raise _Restart("grader", current, str(err)) from None
        if current < n_student:
            raise _Restart(kind, current, str(err)) from None
        if current == n_student:  # the grader's own setup cell: the kernel is unusable
            raise _Restart("grader", current, str(err)) from None
        raise _Restart(kind, checked_by[current], str(err)) from None
    records = {}
    for cell in work.cells[n_student:]:
        for out in cell.get("outputs", []):
            rec = out.get("data", {}).get(GRADE_MIME)
            if rec:
                records[rec["id"]] = rec
    work.cells = work.cells[:n_student]
    return work, records


def _cell_problems(nb: Any) -> list[str]:
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                problems.append(
                    f"cell {i + 1} raised {out.get('ename')}: {out.get('evalue')}"[:300]
                )
    return problems


def _verdicts_in_cells(nb: Any) -> dict[str, tuple[dict, str]]:
    """{question id: (verdict record, text)} from the check cells the student ran (last wins)."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            rec = out.get("data", {}).get(VERDICT_MIME)
            if rec and rec.get("question"):
                text = out["data"].get("text/plain", "")
                found[rec["question"]] = (rec, text.split("\n", 1)[1] if "\n" in text else "")
    return found


def grade_submission(
    path: Path,
    *,
    lesson: str | None = None,
    hidden: Sequence[HiddenChecks] = (),
    timeout: float = 30,
    memory_mb: int = 2048,
    workdir: Path | None = None,
) -> GradedSubmission:
    """Grade one file; never raises for anything the file contains."""
    student, file = path.stem, path.name
    try:
        nb, status, detail = _read_notebook(path)
    except OSError as err:
        why = "a link to a file that is not there" if path.is_symlink() else err.strerror
        nb, status, detail = None, "unreadable", f"cannot read {file}: {why}"
    if nb is None:
        return GradedSubmission(student, file, lesson or "", status, detail, [])
    own_slug = _lesson_of(nb)
    if lesson and own_slug and own_slug != lesson:  # exercise 04 handed in for 03
        return GradedSubmission(
            student,
            file,
            lesson,
            "wrong_lesson",
            f"{file} is the exercise {own_slug!r}, not {lesson!r} being graded; grade it with "
            f"--lesson {own_slug}, or ask the student for the right notebook",
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
    checks = [(slug, q.name, None) for q in own] + [(slug, q.name, str(h.path)) for h, q in extra]
    notes = [detail] if detail else []
    tmp = tempfile.mkdtemp(prefix=f"gdcourse-grade-{student}-", dir=workdir)
    try:
        scratch = Path(tmp) / "work"
        scratch.mkdir()
        shutil.copyfile(path, scratch / file)  # the kernel's folder: a copy, never the original
        kernels = _kernelspec_dir(memory_mb, Path(tmp))
        skip_cells: dict[int, tuple[str, str]] = {}  # cell index -> (kind, what happened)
        skip_checks: dict[str, tuple[str, str]] = {}
        start_failures = 0
        while True:
            try:
                executed, records = _run_once(
                    nb, scratch, kernels, timeout, set(skip_cells), checks, set(skip_checks)
                )
                break
            except _Restart as r:
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
                if len(skip_cells) + len(skip_checks) == _MAX_RESTARTS:
                    return GradedSubmission(
                        student,
                        file,
                        slug,
                        "kernel_died",
                        f"gave up after {_MAX_RESTARTS} restarts",
                        [],
                    )
                why = (
                    f"ran longer than {timeout:g} s"
                    if r.kind == "timeout"
                    else "stopped the kernel (it crashed, exited or ran out of memory)"
                )
                if isinstance(r.where, int):
                    skip_cells[r.where] = (r.kind, f"cell {r.where + 1} {why} and was skipped")
                else:
                    skip_checks[r.where] = (r.kind, f"checking this answer {why}")
    except Exception as err:  # our bug or the machine: say so, grade the others
        return GradedSubmission(
            student, file, slug, "grader_error", f"{type(err).__name__}: {err}", []
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    import nbformat

    for i, (_, text) in skip_cells.items():  # the instructor sees the cell, and why it did not run
        cell = executed.cells[i]
        cell.source = nb.cells[i].source
        cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=f"skipped: {text}\n")]
        cell.metadata["gdcourse"] = {"skipped": text}
    ran = _verdicts_in_cells(executed)
    results = []
    for q, is_hidden in [(q, False) for q in own] + [(q, True) for _, q in extra]:
        qid = f"{slug}.{q.name}"
        rec = records.get(qid)
        table: list[list[str]] = []
        if qid in skip_checks:
            outcome, points, message = "error", 0, skip_checks[qid][1] + "."
        elif rec and rec.get("found"):
            outcome, points, message = rec["outcome"], rec["points"], rec["message"]
            table = rec.get("table", [])
        elif qid in ran and not is_hidden:  # answered inline in the check cell, no variable
            vrec, message = ran[qid]
            outcome, points = vrec["outcome"], vrec["points"]
        else:
            outcome, points = "missing", 0
            message = (
                f"No answer: the variable `{q.answer_var}` was not defined when the notebook "
                f"finished running."
            )
        hint = q.hints[0] if q.hints and outcome != "correct" else ""
        results.append(
            QuestionResult(
                qid, outcome, points, q.points, message, hint, q.prompt, is_hidden, table
            )
        )
    env = records.get("environment", {})
    raised = _cell_problems(executed)
    problems = (
        [text for _, text in skip_cells.values()]
        + [f"{qid.rsplit('.', 1)[-1]}: {text}" for qid, (_, text) in skip_checks.items()]
        + raised
    )
    kinds = {kind for kind, _ in skip_cells.values()} | {k for k, _ in skip_checks.values()}
    status = "cell_errors" if raised else "ok"
    for kind in ("timeout", "kernel_died"):
        if kind in kinds:
            status = kind
    detail = "; ".join(notes + problems) or STATUSES["ok"]
    return GradedSubmission(
        student,
        file,
        slug,
        status,
        detail,
        results,
        env.get("gdcourse", ""),
        env.get("python", ""),
        executed,
    )


def check_lesson(lesson: str) -> None:
    """Raise :class:`GradeError` unless ``lesson`` is the slug of a module with questions."""
    if lesson not in _lesson_slugs():
        near = difflib.get_close_matches(lesson, _lesson_slugs(), n=1)
        raise GradeError(
            f"--lesson {lesson!r} is not an exercise slug"
            + (f"; did you mean {near[0]!r}?" if near else "")
        )


def _grade_job(args: tuple) -> GradedSubmission:
    path, hidden_paths, kwargs = args
    # Hidden questions hold functions defined in their file: reload them here, not pickled.
    hidden = [load_hidden_checks(p) for p in hidden_paths]
    return grade_submission(path, hidden=hidden, **kwargs)


def grade_submissions(
    files: Sequence[Path],
    *,
    lesson: str | None = None,
    hidden: Sequence[HiddenChecks] = (),
    timeout: float = 30,
    memory_mb: int = 2048,
    workers: int = 2,
    progress: Callable[[int, int, GradedSubmission], None] | None = None,
) -> list[GradedSubmission]:
    """Grade every file on ``workers`` processes; results in the order of ``files``."""
    if lesson is not None:
        check_lesson(lesson)
    kwargs = dict(lesson=lesson, timeout=timeout, memory_mb=memory_mb)
    results: dict[Path, GradedSubmission] = {}
    if workers <= 1:
        for f in files:
            results[f] = grade_submission(f, hidden=hidden, **kwargs)
            if progress:
                progress(len(results), len(files), results[f])
    else:
        # "spawn": a fresh interpreter per worker, no state inherited from the caller.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            paths = [h.path for h in hidden]
            futures = {pool.submit(_grade_job, (f, paths, kwargs)): f for f in files}
            for fut in as_completed(futures):
                f = futures[fut]
                try:
                    results[f] = fut.result()
                except Exception as err:  # a worker process lost: that file only
                    results[f] = GradedSubmission(
                        f.stem,
                        f.name,
                        lesson or "",
                        "grader_error",
                        f"{type(err).__name__}: {err}",
                        [],
                    )
                if progress:
                    progress(len(results), len(files), results[f])
    graded = [results[f] for f in files]
    # A file that could not be graded still gets the batch's questions (0 points each), so its
    # row has the lesson's max_total and every score column reads "not_graded".
    lessons = {g.lesson for g in graded if g.status not in NOT_GRADED}
    batch_lesson = lesson or (lessons.pop() if len(lessons) == 1 else "")
    return [
        _not_graded(g, g.lesson or batch_lesson, hidden) if g.status in NOT_GRADED else g
        for g in graded
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
