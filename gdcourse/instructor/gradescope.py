"""Grade on Gradescope: ``gdcourse autograder LESSON --out autograder.zip`` builds an autograder in
Gradescope's documented layout, and its ``run_autograder`` grades one submission exactly as
``gdcourse grade`` does (the same kernel, sandbox or unprivileged user, trust boundary, points,
partial credit and feedback), writing ``results/results.json``.

Gradescope extracts the zip to ``/autograder/source``, runs ``setup.sh`` once (as root, building
its image) and ``run_autograder`` once per submission, with the student's files in
``/autograder/submission``; ``AUTOGRADER_ROOT`` stands in for ``/autograder`` elsewhere. The zip
holds the course's package (never its solutions), the lesson's exercise notebook, the pinned
requirements, the instructor's hidden-check files and ``gdcourse-autograder.json``.

One test per question: its points, its verdict message, table and hint, as the feedback page
shows them; a hidden check's test is ``after_due_date`` (Gradescope shows it once the due date has
passed), and the text shown before then never mentions one's result.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks.verdict import STYLE, shown_points, text_table
from .gradebook import printable
from .grading import STATUSES, GradedSubmission, GradeError, QuestionResult

__all__ = [
    "CONFIG",
    "Autograder",
    "build_autograder",
    "exercise_for",
    "main",
    "results_for",
    "run",
]

#: The autograder's settings, at the zip's root (and so in ``/autograder/source``).
CONFIG = "gdcourse-autograder.json"
_FORMAT = 1
_FILES = Path(__file__).with_name("autograder")
#: What of the course goes into the zip, under ``course/`` (never ``solutions/``).
_COURSE_FILES = ("pyproject.toml", "constraints.txt")
_MAX_OUTPUT = 60_000  # characters of one test's output (Gradescope shows long text poorly)
_HIDDEN_VISIBILITY = "after_due_date"


@dataclass(frozen=True)
class Autograder:
    """An autograder zip that was written: where, for which exercise, and what it holds."""

    out: Path
    lesson: str  # the exercise's slug, "lr_exploration"
    title: str  # "03 · Exploring the learning rate"
    exercise_file: str  # "03_lr_exploration.ipynb": what students upload
    files: list[str]
    points: float  # the exercise's points, hidden checks included
    hidden_points: float


def _requirements(root: Path) -> str:
    """The course's own dependencies (pyproject's, each pinned ``==``), one per line."""
    import tomllib

    deps = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    return "".join(f"{d}\n" for d in deps)


def _shipped_kind(rel: Path) -> bool:
    """Is ``rel`` (under the course folder) one of the package's own kinds of file: its modules,
    the explorers' script and style, the autograder's two scripts, lesson 10's stored studies
    (package data the lesson's checks read)? Never a dotfile."""
    if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
        return False
    if rel.suffix == ".py":
        return True
    if rel.parts == ("gdcourse", "digits_studies.json"):
        return True
    if rel.parent.name == "widgets" and rel.suffix in (".js", ".css"):
        return True
    return rel.parent.name == "autograder" and rel.name in ("setup.sh", "run_autograder")


def _tracked(root: Path) -> set[str] | None:
    """The package's files git tracks, where the course is a git checkout (else None)."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(root), "ls-files", "-z", "--", "gdcourse"],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return {name for name in done.stdout.decode("utf-8", "replace").split("\0") if name}


def _telltales(code: bytes) -> tuple[set[str], set[str]]:
    """What marks a hidden-check file's code wherever a copy of it went: its lines of some
    length (not imports), and its string literals of 12 characters or more that are not names
    (a prompt, a hint, a secret)."""
    import ast

    text = code.decode("utf-8", "replace")
    lines = {
        line.strip()
        for line in text.splitlines()
        if len(line.strip()) >= 16 and not line.strip().startswith(("import ", "from ", "#"))
    }
    strings: set[str] = set()
    try:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                # (not a name: the exercise's slug or an answer's variable is in the course too)
                if len(node.value) >= 12 and not re.fullmatch(r"[\w.]+", node.value):
                    strings.add(node.value)
    except SyntaxError:
        pass
    return lines, strings


def _holds_hidden(text: str, telltales: tuple[set[str], set[str]]) -> str:
    """Why ``text`` (a package file) looks like it holds a hidden-check file's code ("" if not):
    half of its long lines (3 at least), or one of its long strings (a prompt, a secret)."""
    lines, strings = telltales
    mine = {line.strip() for line in text.splitlines()}
    shared = len(lines & mine)
    if shared >= 3 and shared * 2 >= len(lines):
        return f"{shared} of the hidden-check file's {len(lines)} lines"
    for literal in sorted(strings):
        if literal in text:
            return f"its text {literal[:40]!r}"
    return ""


def _package_files(root: Path, hidden: Sequence[bytes] = ()) -> list[Path]:
    """The package's own files, to ship: every student's kernel can read them, so never a file
    git does not track (in a checkout), and never one that holds a hidden check's code, even a
    copy of it edited, or one of its strings pasted into a course file."""
    package = root / "gdcourse"
    tracked = _tracked(root)
    marks = [_telltales(code) for code in hidden]
    out, untracked = [], []
    for p in sorted(package.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or not _shipped_kind(rel):
            continue
        if tracked is not None and rel.as_posix() not in tracked:
            untracked.append(rel.as_posix())
            continue
        text = p.read_bytes().decode("utf-8", "replace")
        for mark in marks:
            why = _holds_hidden(text, mark)
            if why:
                raise GradeError(
                    f"{rel} holds a hidden-check file's code ({why}), and the course ships to "
                    f"every student's kernel: keep hidden checks outside {package}"
                )
        out.append(p)
    if untracked:
        shown = ", ".join(untracked[:5]) + (", ..." if len(untracked) > 5 else "")
        raise GradeError(
            f"the course's package holds files git does not track ({shown}): the autograder "
            f"ships only the course's own files, which every student's kernel can read. Commit "
            f"them, or move them out of {package} (hidden checks belong outside it)"
        )
    return out


def exercise_for(name: str, root: Path) -> tuple[str, Path]:
    """(slug, notebook) of the exercise graded for the lesson ``name`` (its exercise notebook,
    or for a lesson without one its own notebook's checks, where it has some)."""
    from .grading import _lesson_of, _lesson_slugs, _read_notebook
    from .release import AssignError, resolve_lesson

    try:
        number, paths = resolve_lesson(name, root)
    except AssignError as err:
        raise GradeError(str(err)) from None
    exercises = [p for p in paths if p.parent.name == "exercises"]
    for path in exercises or paths:
        nb, _, _ = _read_notebook(path)
        slug = _lesson_of(nb) if nb is not None else ""
        if slug in _lesson_slugs():
            return slug, path
    raise GradeError(f"lesson {number} has no checks to grade: choose a lesson with an exercise")


def build_autograder(
    lesson: str,
    out: Path,
    root: Path,
    hidden: Sequence[Path] = (),
    *,
    timeout: float = 30,
    notebook_timeout: float = 300,
    memory_mb: int = 2048,
    force: bool = False,
) -> Autograder:
    """Write a Gradescope autograder zip for one lesson's exercise.

    Parameters
    ----------
    lesson : str
        A lesson as ``gdcourse assign`` names it: ``"03"``, ``"lr_exploration"``, ...
    out : Path
        The zip to write (a new file, or an earlier autograder with ``force``).
    root : Path
        The course folder (its package, ``exercises/``, ``pyproject.toml``, ``constraints.txt``).
    hidden : sequence of Path
        Hidden-check files for this exercise (as ``gdcourse grade --hidden``).
    timeout, notebook_timeout, memory_mb
        As ``gdcourse grade``'s options of those names.
    force : bool
        Replace ``out`` if it exists.

    Raises
    ------
    GradeError
        For an unknown lesson, a hidden-check file of another exercise, limits out of range or an
        ``out`` that exists (without ``force``) or is a folder.
    """
    from .. import __version__
    from .gradebook import exercise_title
    from .grading import _lesson_questions, _lesson_slugs, check_hidden_names, load_hidden_checks

    out = Path(out)
    if out.is_dir():
        raise GradeError(f"--out {out} is a folder: name the zip to write, e.g. autograder.zip")
    if out.exists() and not force:
        raise GradeError(f"{out} exists; choose another --out, or add --force to replace it")
    if not (0 < timeout <= 86_400) or not (0 < notebook_timeout <= 7 * 86_400):
        raise GradeError(
            f"--timeout is seconds per cell (more than 0, at most 86400) and --notebook-timeout "
            f"seconds for the notebook (at most 604800); got {timeout:g} and {notebook_timeout:g}"
        )
    if memory_mb < 256:
        raise GradeError(f"--memory-mb must be at least 256; got {memory_mb}")
    slug, notebook = exercise_for(lesson, root)
    checks = [load_hidden_checks(Path(p)) for p in hidden]
    check_hidden_names(checks)
    package = (Path(root) / "gdcourse").resolve()
    for h in checks:
        if package in h.path.parents:
            raise GradeError(
                f"hidden-check file {h.path} is inside the course's package ({package}), which "
                f"ships to every student's kernel: keep hidden checks outside it"
            )
    for h in checks:
        if h.lesson != slug:
            raise GradeError(
                f"hidden-check file {h.path} is for {h.lesson!r}, not {slug!r} (lesson {lesson}): "
                f"an autograder grades one exercise"
            )
    names = [f"hidden/{i + 1:02d}_{h.path.name}" for i, h in enumerate(checks)]
    config = {
        "format": _FORMAT,
        "lesson": slug,
        "exercise_file": notebook.name,
        "title": exercise_title(slug),
        # Every exercise's title: a student who uploads another exercise is told which it is.
        "titles": {other: exercise_title(other) for other in _lesson_slugs()},
        "hidden": names,
        "timeout": timeout,
        "notebook_timeout": notebook_timeout,
        "memory_mb": memory_mb,
        "gdcourse": __version__,
    }
    entries: dict[str, bytes] = {
        "setup.sh": (_FILES / "setup.sh").read_bytes(),
        "run_autograder": (_FILES / "run_autograder").read_bytes(),
        CONFIG: (json.dumps(config, indent=1, ensure_ascii=False) + "\n").encode(),
        "course/requirements.txt": _requirements(root).encode(),
        **{f"course/{name}": (root / name).read_bytes() for name in _COURSE_FILES},
        f"course/exercises/{notebook.name}": notebook.read_bytes(),
        **{
            f"course/{p.relative_to(root).as_posix()}": p.read_bytes()
            for p in _package_files(root, [h.path.read_bytes() for h in checks])
        },
        **{name: h.path.read_bytes() for name, h in zip(names, checks, strict=True)},
    }
    part = out.with_name(f".{out.name}.part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes
                executable = name in ("setup.sh", "run_autograder")
                info.external_attr = (0o100755 if executable else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(part, out)
    except OSError as err:
        part.unlink(missing_ok=True)
        raise GradeError(f"could not write {out} ({err.strerror or err})") from None
    own = sum(q.points for q in _lesson_questions(slug))
    extra = sum(q.points for h in checks for q in h.questions)
    return Autograder(
        out, slug, config["title"], notebook.name, sorted(entries), own + extra, extra
    )


# -- what a student sees on Gradescope -------------------------------------------------------------
def _clean(text: Any) -> str:
    """Text for results.json: control characters shown, not acted on (newlines kept)."""
    return printable(str(text), keep="\n")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _test(r: QuestionResult) -> dict[str, Any]:
    from .gradebook import score_text

    label = r.id.rsplit(".", 1)[-1]
    words = {
        **STYLE,
        "missing": (*STYLE["not_attempted"][:2], "No answer found"),
        "not_graded": ("", "\u2013", "Not graded"),
    }
    _, symbol, word = words.get(r.outcome, ("", "?", r.outcome))
    name = (
        f"Extra check {label} (from your instructor)"
        if r.hidden
        else f"{label}: {_short(r.prompt)}"
        if r.prompt
        else label
    )
    lines = [f"{symbol} {word} ({score_text(r)})"]
    if r.prompt:
        lines.append(r.prompt)
    # The notebook's "Try again, or ask for ex.qN.hint()." line: the hint is right below.
    lines += [ln for ln in r.message.split("\n") if not ln.startswith("Try again, or ask")]
    if r.table:
        lines.append(text_table([tuple(row) for row in r.table]))
    if r.hint:
        lines.append(f"Hint: {r.hint}")
    output = _clean("\n".join(lines))
    if len(output) > _MAX_OUTPUT:
        output = output[: _MAX_OUTPUT - 40] + " ... (cut)"
    return {
        "name": _clean(name),
        "score": round(float(r.points), 2),
        "max_score": float(r.max_points),
        "status": "passed" if r.outcome == "correct" else "failed",
        "output": output,
        "visibility": _HIDDEN_VISIBILITY if r.hidden else "visible",
    }


def results_for(
    g: GradedSubmission,
    *,
    seconds: float,
    protections: Sequence[str],
    title: str = "",
    note: str = "",
) -> dict[str, Any]:
    """Gradescope's results.json for one graded submission.

    The top-level ``output`` (shown at once) gives the score on the checks shown now, how the run
    went, what to look at again and the protections in force; a hidden check's result is only in
    its own test, shown after the due date. ``score`` is the whole total, hidden checks included
    (Gradescope does not show a student the total while some tests are hidden)."""
    from .. import __version__
    from .grading import NOT_GRADED

    shown = [r for r in g.results if not r.hidden]
    held = [r for r in g.results if r.hidden]
    got = round(sum(round(r.points, 2) for r in shown), 2)
    of = sum(r.max_points for r in shown)
    lines = []
    if title or g.lesson:  # (a file's name, and the note naming it, on one line each)
        lines.append(
            f"Exercise: {title or g.lesson}" + (f" (file {printable(g.file)})" if g.file else "")
        )
    if note:
        lines.append(printable(note))
    detail = _without_review(g)
    if g.status in NOT_GRADED:
        # (Nothing picked from the upload: the note below says why, not "not a notebook".)
        lines.append(f"Not graded: {STATUSES[g.status].split(': ', 1)[-1]}." if g.file else "")
        lines.append(printable(detail))
    else:
        score = f"Score: {shown_points(got)} of {shown_points(of)} points"
        if held:
            n = len(held)
            worth = shown_points(sum(r.max_points for r in held))
            score += (
                f" on the checks shown now; {n} extra check{'s' if n > 1 else ''} from your "
                f"instructor ({worth} point{'' if worth == '1' else 's'}) "
                f"{'are' if n > 1 else 'is'} shown after the due date"
            )
        lines.append(score + ".")
        lines.append(f"How the run went: {STATUSES.get(g.status, g.status)}.")
        if g.status != "ok" and detail:
            lines.append(f"Details: {printable(detail)}")  # one line: none the notebook wrote
        again = [r.id.rsplit(".", 1)[-1] for r in shown if r.outcome != "correct"]
        if again:
            lines.append(f"To look at again: {', '.join(again)}.")
        lines.append(
            "Your notebook was run from top to bottom in a fresh kernel, and each answer was "
            "checked as it stood at the end of that run."
        )
    lines.append("While it ran: " + "; ".join(protections) + ".")
    return {
        "score": round(float(g.total), 2),
        "execution_time": max(0, round(seconds)),
        "output": _clean("\n".join(line for line in lines if line)),
        "visibility": "visible",
        "stdout_visibility": "hidden",  # the grader's log, for the instructor
        "tests": [_test(r) for r in g.results],
        "extra_data": {
            "gdcourse": __version__,
            "lesson": g.lesson,
            "status": g.status,
            "file": printable(g.file),
            **({"review": printable(_review_note(g))} if g.review else {}),
        },
    }


def _without_review(g: GradedSubmission) -> str:
    """The detail a student reads: without the grader's own note naming cells to review (the
    exact note the grader wrote, never text the notebook put in an error message)."""
    if not g.review or g.review not in g.detail:
        return g.detail
    before, _, after = g.detail.partition(g.review)  # (the grader's note, once, as it wrote it)
    return "; ".join(x for x in (before.removesuffix("; "), after.removeprefix("; ")) if x)


def _review_note(g: GradedSubmission) -> str:
    """The note for the instructor. On Gradescope there is no executed/ folder: the note points
    at the uploaded notebook."""
    return g.review.replace("read them in executed/", "read them in the uploaded notebook")


# -- the run, once per submission ------------------------------------------------------------------
def _read_config(source: Path) -> dict[str, Any]:
    try:
        config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
        if not isinstance(config, dict) or config.get("format") != _FORMAT:
            raise ValueError(f"not a gdcourse autograder of format {_FORMAT}")
        for key in ("lesson", "exercise_file", "hidden", "timeout", "notebook_timeout"):
            config[key]
    except (OSError, ValueError, KeyError) as err:
        raise GradeError(
            f"{source / CONFIG} cannot be read ({err}): rebuild the autograder with "
            f"`gdcourse autograder`"
        ) from None
    return config


def _lock_down(root: Path) -> None:
    """As root: everything under ``root`` but the environment and the course becomes root's
    alone (the hidden checks in source/, the submission, the results, Gradescope's metadata with
    earlier results), so a kernel run as an unprivileged user can reach none of it."""
    if os.geteuid() != 0:
        return
    os.chmod(root, 0o711)
    for entry in root.iterdir():
        if entry.name in ("venv", "course") or entry.is_symlink():
            continue
        os.chown(entry, 0, 0)
        os.chmod(entry, 0o700 if entry.is_dir() else entry.stat().st_mode & 0o700)


def _pick(submission: Path, slug: str, exercise_file: str) -> tuple[Path | None, str]:
    """The notebook to grade among what was uploaded, or None and why, for the student."""
    from .grading import _lesson_of, _read_notebook, _walk

    found = _walk(submission) if submission.is_dir() else []
    # The grader is root: a link (from a git repository's submission) could name any file of
    # the machine, so only links to files of the upload itself are followed.
    inside = submission.resolve()

    def outside(p: Path) -> bool:
        try:
            return p.is_symlink() and inside not in p.resolve().parents
        except (OSError, RuntimeError):  # a loop of links: followed nowhere
            return True

    links = [p for p in found if outside(p)]
    found = [p for p in found if p not in links]
    notebooks = [p for p in found if p.suffix.lower() == ".ipynb"]
    if not notebooks and links:
        names = ", ".join(p.relative_to(submission).as_posix() for p in links[:10])
        return None, (
            f"What you uploaded links to files outside it ({names}), which are not graded: "
            f"upload your {exercise_file} itself."
        )
    if not notebooks:
        what = ", ".join(p.relative_to(submission).as_posix() for p in found[:10])
        return None, (
            "No notebook (.ipynb) was found in what you uploaded"
            + (f" ({what}{', ...' if len(found) > 10 else ''})" if found else "")
            + f": upload your {exercise_file}."
        )
    if len(notebooks) == 1:
        return notebooks[0], ""
    exact = [p for p in notebooks if p.name.lower() == exercise_file.lower()]
    if len(exact) == 1:
        others = len(notebooks) - 1
        were = "s you uploaded were" if others > 1 else " you uploaded was"
        return exact[0], f"Graded {exact[0].name}; {others} other notebook{were} not graded."

    def slug_of(p: Path) -> str:
        try:
            nb, _, _ = _read_notebook(p)
        except OSError:
            return ""
        return _lesson_of(nb) if nb is not None else ""

    mine = [p for p in notebooks if slug_of(p) == slug]
    if len(mine) == 1:
        return mine[0], f"Graded {mine[0].name}, the only notebook of this exercise you uploaded."
    names = ", ".join(p.relative_to(submission).as_posix() for p in (mine or notebooks)[:10])
    return None, (
        f"You uploaded {len(mine or notebooks)} notebooks ({names}): upload only your "
        f"{exercise_file}, so that it is the one graded."
    )


def _write_results(results_dir: Path, data: dict[str, Any]) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "results.json"
    part = results_dir / ".results.json.part"
    part.unlink(missing_ok=True)
    # ASCII: every parser reads it, and a lone surrogate a notebook sent cannot break it.
    part.write_text(json.dumps(data, indent=1) + "\n", encoding="ascii")
    os.replace(part, path)
    return path


def _failure(seconds: float, why: str) -> dict[str, Any]:
    return {
        "score": 0,
        "execution_time": max(0, round(seconds)),
        "output": "The autograder could not grade this submission (not your fault): " + _clean(why),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def run(root: Path) -> int:
    """Grade ``root/submission`` into ``root/results/results.json``; what went on is printed for
    the instructor (Gradescope keeps it as the autograder's stdout). Returns 0 once the results
    are written, whatever the notebook did."""
    from . import sandbox
    from .grading import _not_graded, grade_submissions, load_hidden_checks

    start = time.monotonic()
    root = Path(root).absolute()
    results_dir = root / "results"
    try:
        config = _read_config(root / "source")
        _lock_down(root)
        slug, exercise_file = config["lesson"], config["exercise_file"]
        hidden = [load_hidden_checks(root / "source" / name) for name in config["hidden"]]
        if sys.platform.startswith("linux") and os.geteuid() == 0 and not sandbox.available():
            # Never a kernel as root beside the hidden checks: its own user, or no grading (the
            # grader says why) where that user cannot run this Python.
            os.environ[sandbox.MODE_ENV] = "user"
        why = sandbox.missing()
        print(
            f"gdcourse autograder: {config.get('title') or slug}\n"
            f"protections: {why or 'the sandbox (bubblewrap)'}"
        )
        path, note = _pick(root / "submission", slug, exercise_file)
        if path is None:
            g = _not_graded(
                GradedSubmission("", "", slug, "not_a_notebook", note, []), slug, hidden
            )
        else:
            (g,) = grade_submissions(
                [path],
                lesson=slug,
                hidden=hidden,
                timeout=float(config["timeout"]),
                notebook_timeout=float(config["notebook_timeout"]),
                memory_mb=int(config.get("memory_mb", 2048)),
                workers=1,
                protected=[root / "source", results_dir, root / "submission_metadata.json"],
            )
            if g.status == "wrong_lesson":
                from .gradebook import exercise_title

                named = re.search(r"is the exercise '([^']+)'", g.detail)
                titles = config.get("titles") or {}
                which = f" ({titles.get(named.group(1)) or named.group(1)})" if named else ""
                g = _not_graded(
                    GradedSubmission(
                        g.student,
                        g.file,
                        slug,
                        "wrong_lesson",
                        f"{g.file} is another exercise's notebook{which}: upload your "
                        f"{exercise_file} from {exercise_title(slug) or slug}.",
                        [],
                    ),
                    slug,
                    hidden,
                )
        print(f"status {g.status}: {printable(g.detail)}")  # one line: the log cannot be forged
        print(f"score {shown_points(g.total)} of {shown_points(g.max_total)}")
        data = results_for(
            g,
            seconds=time.monotonic() - start,
            protections=sandbox.protections(),
            title=config.get("title", ""),
            note=note if path is not None else "",
        )
    except Exception as err:  # our bug, or the autograder's files: a result that says so
        traceback.print_exc(file=sys.stdout)
        data = _failure(time.monotonic() - start, f"{type(err).__name__}: {err}")
    _write_results(results_dir, data)
    print(f"wrote {results_dir / 'results.json'}")
    return 0


def _check() -> int:
    """setup.sh's last step: the course imports here, and which protections grading will have."""
    import ipykernel  # noqa: F401
    import matplotlib  # noqa: F401
    import nbclient  # noqa: F401
    import numpy  # noqa: F401

    from . import sandbox

    print("gdcourse autograder: the course and its packages import.")
    print("protections when grading: " + "; ".join(sandbox.protections()))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        return _check()
    if len(args) != 1:
        print("usage: python -m gdcourse.instructor.gradescope ROOT | --check", file=sys.stderr)
        return 2
    return run(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
