"""The ``gdcourse`` command: ``lab`` opens a student's own copy in JupyterLab and ``start`` makes
it; for authors, ``build`` exercises from solutions; for instructors, ``assign`` a release,
``grade`` submissions, update the ``guide``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .course_update import keep_original

__all__ = ["WORK", "course_root", "lab_command", "main", "start", "tracking_note"]

#: The students' copy, inside the course folder; the course's .gitignore lists it.
WORK = "my-work"
_NUMBERED = re.compile(r"\d\d_[a-z0-9_]+\.ipynb")
#: The course's own folders: a copy is never made into one of them.
_TRACKED = ("notebooks", "exercises", "solutions", "docs", "gdcourse", "tests", "benchmarks")


def _is_course(folder: Path) -> bool:
    # A student's copy holds notebooks/ and exercises/ too, never solutions/.
    return all((folder / sub).is_dir() for sub in ("notebooks", "exercises", "solutions"))


def _here() -> Path:
    try:
        return Path.cwd()
    except OSError:  # the current folder was deleted
        raise SystemExit(
            "gdcourse: the current folder no longer exists; cd to the course folder (or your "
            "copy) and run the command again."
        ) from None


def student_copy(folder: Path) -> Path | None:
    """The student's copy that ``folder`` is in (it, or the copy around its notebooks/ or
    exercises/), or None: a folder with notebooks/ and exercises/ but no solutions/."""
    for candidate in (folder, folder.parent):
        if (
            (candidate / "notebooks").is_dir()
            and (candidate / "exercises").is_dir()
            and not (candidate / "solutions").exists()
        ):
            return candidate
    return None


def course_root() -> Path:
    """The folder holding notebooks/, exercises/ and solutions/: the current one (or the one
    around the student's copy the current folder is in), or the checkout the package was
    installed from."""
    here = _here()
    copy = student_copy(here)
    if copy is not None:
        here = copy.parent
    for candidate in (here, Path(__file__).resolve().parents[1]):
        if _is_course(candidate):
            return candidate
    raise SystemExit(
        "gdcourse: cannot find the course (a folder with notebooks/, exercises/ and solutions/). "
        "Run this command from the course folder."
    )


def start(target: Path, root: Path) -> tuple[list[Path], list[Path]]:
    """Copy the lessons and exercises into ``target``; never overwrite an existing file.

    Returns the files copied and the files kept because the student already has them.
    """
    copied, kept = [], []
    for folder in ("notebooks", "exercises"):
        for src in sorted((root / folder).glob("*.ipynb")):
            dest = target / folder / src.name
            if os.path.lexists(dest):  # a file, a folder, or a link (even a broken one): theirs
                kept.append(dest)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            _copy_whole(src, dest)
            keep_original(target, folder, src)  # what `start --update` merges from
            copied.append(dest)
    return copied, kept


def _copy_whole(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` whole or not at all: into a temporary file beside it, renamed
    into place (a full disk or Ctrl-C leaves no half notebook that a later run would keep)."""
    part = dest.with_name(f".{dest.name}.part")
    try:
        shutil.copy2(src, part)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def tracking_note(target: Path, root: Path) -> str | None:
    """A note if ``target`` is inside the course's git checkout but not ignored by git.

    Such a copy shows up in ``git status`` and can be committed by accident. ``None`` when git
    ignores it (``my-work/``) or when it is outside the checkout. Git decides when it can
    (``git check-ignore``); without git, only the course's ``my-work/`` counts as ignored.
    """
    target, root = target.resolve(), root.resolve()
    top = next((d for d in (root, *root.parents) if (d / ".git").exists()), None)
    if top is None or not target.is_relative_to(top):
        return None
    ignored = _git_ignores(top, target)
    if ignored is None:
        if target.is_relative_to(root / WORK):
            return None
        return (
            f"note: {target} is inside the course's git checkout ({top}) and git was not found "
            f"to say whether it ignores it; if it does not, `git add` could commit your work. "
            f"The course's {root / WORK} is always ignored."
        )
    if ignored:
        return None
    return (
        f"note: {target} is inside the course's git checkout ({top}) but not ignored by git, so "
        f"`git status` lists it and `git add` could commit your work; to avoid that, keep your "
        f"copy in {root / WORK} (the default) or in a folder outside the course."
    )


def _git_ignores(top: Path, path: Path) -> bool | None:
    """Whether git ignores ``path`` in the checkout ``top``; ``None`` if git cannot say."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(top), "check-ignore", "-q", str(path)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    # 0: ignored, 1: not ignored; anything else is git failing (e.g. "dubious ownership").
    return {0: True, 1: False}.get(done.returncode)


def lab_command(
    folder: Path, *, port: int | None = None, browser: bool = False, extra: Sequence[str] = ()
) -> list[str]:
    """The command that serves ``folder`` in JupyterLab, opening its first lesson.

    ``python -m jupyterlab`` in this interpreter, so it runs in the course's venv or conda
    environment whatever ``PATH`` holds. Like ``make lab``, it prints the address to open
    instead of opening a browser, unless ``browser`` is true.
    """
    folder = folder.resolve()
    # The first lesson by its own name: not a "00_welcome-Copy1.ipynb" JupyterLab made.
    lessons = [p for p in (folder / "notebooks").glob("*.ipynb") if _NUMBERED.fullmatch(p.name)]
    first = min(lessons, default=None)
    url = f"/lab/tree/notebooks/{first.name}" if first is not None else "/lab"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.default_url={url}",
    ]
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to run as root without it (containers, CI)
    if port is not None:
        cmd.append(f"--port={port}")
    return [*cmd, *extra]


def _run(cmd: list[str]) -> int:
    """Run JupyterLab in place of this process (Ctrl-C then reaches it directly)."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(cmd[0], cmd)
    # Windows: an exec would detach JupyterLab from the console. It shares the console, so it
    # gets Ctrl-C too and asks itself whether to stop; wait for it whatever happens here.
    process = subprocess.Popen(cmd)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, for shorter messages."""
    try:
        rel = path.resolve().relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(rel) if rel.parts else str(path)


def _cannot_copy(command: str, folder: Path, err: OSError) -> str:
    if getattr(err, "errno", None) == 28:  # ENOSPC
        why = "the disk is full; free some space and run it again (nothing half-copied is kept)"
    else:
        why = f"name a folder you can write to, e.g. gdcourse {command} ~/gdcourse-work"
    return (
        f"gdcourse {command}: cannot copy the course into {folder} ({err.strerror or err}); {why}."
    )


def _copy_into(command: str, given: str | None, root: Path) -> tuple[Path, list, list] | None:
    """The student's copy named on the command line (default: the copy the current folder is
    in, else the course's my-work/), brought up to date; None after saying why it cannot be."""
    if given is None:
        folder = student_copy(_here()) or root / WORK
    else:
        folder = Path(os.path.expanduser(given))  # `~` the shell left alone (Windows)
    resolved = folder.resolve()
    if resolved == root.resolve() or any(
        resolved.is_relative_to(root.resolve() / sub) for sub in _TRACKED
    ):
        print(
            f"gdcourse {command}: {folder} is the course itself, not a copy of it; your copy "
            f"goes in {root / WORK} (the default) or a folder outside the course. Authors open "
            f"the course's own notebooks with `gdcourse lab --originals`.",
            file=sys.stderr,
        )
        return None
    try:
        copied, kept = start(folder, root)
    except OSError as err:
        print(_cannot_copy(command, folder, err), file=sys.stderr)
        return None
    return folder, copied, kept


def _lab(args: argparse.Namespace, extra: list[str], root: Path) -> int:
    if args.originals:
        print(
            f"Opening the course's own notebooks in {root} (for authors: your edits change the "
            f"tracked files; students use `gdcourse lab`)."
        )
        folder = root
    else:
        made = _copy_into("lab", args.dir, root)
        if made is None:
            return 1
        folder, copied, kept = made
        where = _shown(folder)
        if not kept:
            print(
                f"Made your own copy of the course in {where}/ ({len(copied)} notebooks): work "
                f"there; gdcourse never overwrites a notebook you have."
            )
        else:
            names = ", ".join(str(p.relative_to(folder)) for p in copied)
            added = f"; added the ones you did not have yet: {names}" if copied else ""
            print(
                f"Your copy is in {where}/: {len(kept)} notebooks kept as you left them (never "
                f"overwritten){added}."
            )
        note = tracking_note(folder, root)
        if note:
            print(note)
    print("Starting JupyterLab. Open the http://127.0.0.1 URL printed below; Ctrl-C stops it.")
    return _run(lab_command(folder, port=args.port, browser=args.browser, extra=extra))


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a whole number from 1 to 65535, got {text!r}")
    return port


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """The time and memory limits a submission is graded under (grade and autograder)."""
    parser.add_argument(
        "--timeout", type=float, default=30, help="seconds per cell before it is skipped (30)"
    )
    parser.add_argument(
        "--notebook-timeout",
        type=float,
        default=300,
        help="seconds for all of one notebook's cells; the cells after are not run (300)",
    )
    parser.add_argument(
        "--memory-mb", type=int, default=2048, help="memory cap per kernel in MiB (2048)"
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if argv[:1] == ["lab"] and "--" in argv:  # what follows `--` is JupyterLab's, unchanged
        split = argv.index("--")
        argv, extra = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(prog="gdcourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_lab = sub.add_parser(
        "lab",
        usage="gdcourse lab [-h] [--originals] [--port PORT] [--browser] [DIR] [-- JUPYTER_ARGS]",
        help="open your own copy of the course in JupyterLab (made once, never overwritten)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            f"Copy the lessons and exercises into your own folder ({WORK}/ in the course\n"
            f"folder, unless you name one), adding only notebooks you do not have yet and\n"
            f"never overwriting one; then start JupyterLab on that folder at the first lesson.\n"
            f"It prints the address to open in your browser; Ctrl-C stops it."
        ),
        epilog=(
            "Arguments after -- go to JupyterLab unchanged, for example:\n"
            "  gdcourse lab -- --ServerApp.ip=0.0.0.0"
        ),
    )
    p_lab.add_argument(
        "dir", nargs="?", metavar="DIR", help=f"your copy (default: {WORK}/ in the course folder)"
    )
    p_lab.add_argument(
        "--originals",
        action="store_true",
        help="for authors: open the course's own tracked notebooks, not a copy",
    )
    p_lab.add_argument(
        "--port", type=_port, help="the port to serve on (default: 8888 or the next free one)"
    )
    p_lab.add_argument(
        "--browser", action="store_true", help="open a browser too (default: print the address)"
    )
    p_start = sub.add_parser(
        "start", help="copy the lessons and exercises into your own folder (never overwrites)"
    )
    p_start.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help=f"where to copy them (default: {WORK}/ in the course folder)",
    )
    p_start.add_argument(
        "--update",
        action="store_true",
        help="bring the course's fixes into your copy; cells you changed are never touched",
    )
    p_build = sub.add_parser("build", help="generate exercises/ from solutions/")
    p_build.add_argument(
        "notebooks", nargs="*", help="solution notebook names to build (default: all)"
    )
    p_build.add_argument("--force", action="store_true", help="overwrite edited exercises too")
    p_build.add_argument(
        "--check", action="store_true", help="write nothing; fail if exercises/ is out of date"
    )
    p_assign = sub.add_parser(
        "assign",
        help="write a student release of lessons (exercises, lessons, README; no solutions)",
    )
    p_assign.add_argument("lessons", nargs="+", metavar="LESSON", help="number or slug, e.g. 03")
    p_assign.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    p_solutions = sub.add_parser(
        "release-solutions",
        help="after the deadline: write the solutions of lessons' exercises into a new folder",
    )
    p_solutions.add_argument("lessons", nargs="+", metavar="LESSON", help="number or slug, e.g. 03")
    p_solutions.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    p_grade = sub.add_parser(
        "grade", help="grade submitted notebooks into a gradebook and feedback"
    )
    p_grade.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        metavar="SUBMISSION",
        help="notebook files, folders of them, or a course site's download zip (Canvas, "
        "Moodle); the file name's stem is the student id",
    )
    p_grade.add_argument("--out", required=True, type=Path, help="where to write the results")
    p_grade.add_argument(
        "--hidden",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a file of extra checks kept outside the release (repeatable)",
    )
    p_grade.add_argument(
        "--lesson", help="grade every file as this exercise (its number, e.g. 03, or its slug)"
    )
    _limit_options(p_grade)
    p_grade.add_argument("--workers", type=int, default=2, help="notebooks run at once (2)")
    p_grade.add_argument(
        "--roster",
        type=Path,
        metavar="FILE",
        help="the LMS's gradebook export (Canvas CSV, Moodle grading worksheet): writes the "
        "scores into a copy ready to import back",
    )
    p_grade.add_argument(
        "--roster-column",
        metavar="NAME",
        help="Canvas: the roster's assignment column to fill (found from the lesson otherwise)",
    )
    p_grade.add_argument(
        "--force", action="store_true", help="replace the results of an earlier run in --out"
    )
    p_grade.add_argument(
        "--late-penalty",
        type=float,
        default=0.0,
        metavar="POINTS",
        help="points off a late submission: per started day late where the course site says how "
        "late (Moodle's worksheet, with --roster), else once (Canvas's LATE)",
    )
    p_grade.add_argument(
        "--update",
        action="store_true",
        help="regrade the students given into the earlier run in --out (their rows, pages and "
        "the summary; every other row stays as it was)",
    )
    p_auto = sub.add_parser(
        "autograder",
        help="build a Gradescope autograder (a zip) that grades one lesson's exercise as "
        "`gdcourse grade` does",
    )
    p_auto.add_argument("lesson", metavar="LESSON", help="number or slug, e.g. 03")
    p_auto.add_argument("--out", required=True, type=Path, help="the zip to write")
    p_auto.add_argument(
        "--hidden",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a file of extra checks for this exercise, shown to students after the due date "
        "(repeatable)",
    )
    _limit_options(p_auto)  # the same limits as gdcourse grade's, and defaults
    p_auto.add_argument("--force", action="store_true", help="replace the zip if it exists")
    p_merge = sub.add_parser(
        "merge-gradebooks",
        help="join the gradebooks of one exercise graded in parts (on several machines) into "
        "one gradebook and summary",
    )
    p_merge.add_argument(
        "gradebooks",
        nargs="+",
        type=Path,
        metavar="GRADEBOOK",
        help="a gradebook.csv that `gdcourse grade` wrote, or the --out folder holding it",
    )
    p_merge.add_argument("--out", required=True, type=Path, help="a new or empty folder")
    p_guide = sub.add_parser("guide", help="regenerate the generated part of docs/instructor.md")
    p_guide.add_argument(
        "--check", action="store_true", help="write nothing; fail if the guide is out of date"
    )
    args = parser.parse_args(argv)
    if args.command == "lab" and args.originals and args.dir:
        p_lab.error("--originals opens the course's own notebooks: give it no DIR")
    if args.command == "grade":
        return _grade(args)
    root = course_root()

    if args.command == "lab":
        return _lab(args, extra, root)

    if args.command == "assign":
        from .instructor.release import assign

        return _release(
            "assign",
            lambda: assign(args.lessons, args.out, root),
            "(zip it). Solutions are withheld there; grade what they hand in with `gdcourse "
            "grade`.",
        )

    if args.command == "release-solutions":
        from .instructor.release import release_solutions

        return _release(
            "release-solutions",
            lambda: release_solutions(args.lessons, args.out, root),
            "once the deadline has passed.",
        )

    if args.command == "autograder":
        return _autograder(args, root)

    if args.command == "merge-gradebooks":
        return _merge(args)

    if args.command == "guide":
        from .instructor.guide import GuideError, update_guide

        try:
            ok = update_guide(root, check=args.check)
        except GuideError as err:
            print(f"gdcourse guide: {err}", file=sys.stderr)
            return 1
        if args.check and not ok:
            print("OUT OF DATE docs/instructor.md: run `gdcourse guide`", file=sys.stderr)
            return 1
        print("docs/instructor.md is up to date" if args.check else "wrote docs/instructor.md")
        return 0

    if args.command == "start" and args.update:
        return _update(args.dir, root)

    if args.command == "start":
        made = _copy_into("start", args.dir, root)
        if made is None:
            return 1
        target, copied, kept = made
        for path in copied:
            print(f"copied  {path}")
        for path in kept:
            print(f"kept    {path} (yours already; not overwritten)")
        lab = "gdcourse lab" if args.dir is None else f"gdcourse lab {args.dir}"
        print(
            f"Open the notebooks in {target}/ and work there (`{lab}` opens them in JupyterLab): "
            f"updating the course never touches them."
        )
        note = tracking_note(target, root)
        if note:
            print(note)
        return 0

    from .instructor.build import BuildError, build

    try:
        only = [Path(name).name for name in args.notebooks] or None
        result = build(root, force=args.force, check=args.check, only=only)
    except BuildError as err:
        print(f"gdcourse build: {err}", file=sys.stderr)
        return 1
    for rel in result.written:
        print(f"wrote      {rel}")
    for rel in result.unchanged:
        print(f"unchanged  {rel}")
    for rel in result.refused:
        if args.check:
            print(f"OUT OF DATE {rel}: run `gdcourse build`", file=sys.stderr)
        else:
            print(
                f"refused    {rel}: it was edited since it was generated; "
                f"rerun with --force to replace it",
                file=sys.stderr,
            )
    return 0 if result.ok else 1


def _autograder(args: argparse.Namespace, root: Path) -> int:
    from .checks.verdict import shown_points
    from .instructor.gradebook import printable
    from .instructor.gradescope import build_autograder
    from .instructor.grading import GradeError

    try:
        built = build_autograder(
            args.lesson,
            args.out,
            root,
            args.hidden,
            timeout=args.timeout,
            notebook_timeout=args.notebook_timeout,
            memory_mb=args.memory_mb,
            force=args.force,
        )
    except GradeError as err:
        print(f"gdcourse autograder: {printable(err)}", file=sys.stderr)
        return 1
    hidden = (
        f", {shown_points(built.hidden_points)} of them from hidden checks shown after the due date"
        if built.hidden_points
        else ""
    )
    print(f"wrote  {built.out} ({len(built.files)} files: setup.sh, run_autograder, the course)")
    print(
        f"It grades {built.title} ({built.exercise_file}): {shown_points(built.points)} "
        f"points{hidden}."
    )
    print(
        f"On Gradescope: a Programming Assignment worth {shown_points(built.points)} points; "
        f"Configure Autograder -> Zip file upload -> {built.out.name}; students upload "
        f"{built.exercise_file}."
    )
    return 0


def _merge(args: argparse.Namespace) -> int:
    from .instructor.gradebook import printable
    from .instructor.grading import GradeError
    from .instructor.merge import merge_gradebooks

    try:
        merged = merge_gradebooks(args.gradebooks, args.out)
    except GradeError as err:
        print(f"gdcourse merge-gradebooks: {printable(err)}", file=sys.stderr)
        return 1
    for note in merged.notes:
        print(f"gdcourse merge-gradebooks: warning: {printable(note)}", file=sys.stderr)
    parts = len(args.gradebooks)
    print(
        f"merged {merged.rows} submission{'s' if merged.rows != 1 else ''} of {merged.lesson} "
        f"from {parts} gradebook{'s' if parts != 1 else ''}"
    )
    for path in merged.written:
        print(f"wrote  {path}")
    return 0


def _release(command: str, make, closing: str) -> int:
    """Write a release (``make()``), say what it wrote, or why it could not."""
    from .instructor.release import AssignError

    try:
        release = make()
    except AssignError as err:
        print(f"gdcourse {command}: {err}", file=sys.stderr)
        return 1
    for rel in release.files:
        print(f"wrote  {release.out / rel}")
    for note in release.notes:
        print(f"note:  {note}")
    print(f"Give students the folder {release.out}/ {closing}")
    return 0


def _update(given: str | None, root: Path) -> int:
    """``gdcourse start --update``: merge the course's fixes into the student's copy."""
    from .course_update import update_copy

    folder = student_copy(_here()) if given is None else Path(os.path.expanduser(given))
    folder = folder or root / WORK
    if not (folder / "notebooks").is_dir() and not (folder / "exercises").is_dir():
        print(
            f"gdcourse start --update: {folder} is not a copy of the course (no notebooks/ or "
            f"exercises/ in it); make one with `gdcourse start {given or ''}`".rstrip(),
            file=sys.stderr,
        )
        return 1
    if folder.resolve() == root.resolve():
        print("gdcourse start --update: that is the course itself, not a copy", file=sys.stderr)
        return 1
    try:
        result = update_copy(folder, root)
    except OSError as err:
        print(_cannot_copy("start --update", folder, err), file=sys.stderr)
        return 1
    for rel, n in result.updated.items():
        print(f"updated  {rel} ({n} cell{'s' if n != 1 else ''} from the course)")
    for rel in result.added:
        print(f"added    {rel} (new in the course)")
    for rel, cells in result.kept_cells.items():
        print(
            f"kept     {rel}: your version of cell{'s' if len(cells) > 1 else ''} "
            f"{', '.join(cells)}, which the course also changed (see its version in "
            f"{root / rel})"
        )
    for rel, why in result.not_updated.items():
        print(f"left     {rel} as it is: {why}")
    if result.backups:
        backups = folder / ".gdcourse" / "backups"
        print(f"Your notebooks as they were before this update are in {backups}/.")
    if not (result.updated or result.added):
        print("Your copy already has every fix of the course.")
    return 0


def _progress_bar(done: int, total: int, graded) -> None:
    """One line per submission (a redrawn bar on a terminal), on stderr."""
    width = 24
    filled = round(width * done / total)
    bar = "#" * filled + "." * (width - filled)
    score = f", {graded.total:g}/{graded.max_total:g}" if graded.results else ""
    from .instructor.gradebook import printable

    line = f"grading [{bar}] {done}/{total}  {printable(graded.student)}: {graded.status}{score}"
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _grade(args: argparse.Namespace) -> int:
    from .instructor.gradebook import (
        printable,
        write_executed,
        write_feedback,
        write_gradebook,
    )
    from .instructor.gradescope import exercise_for
    from .instructor.grading import (
        NOT_GRADED,
        GradeError,
        check_hidden_names,
        check_lesson,
        grade_submissions,
        load_hidden_checks,
        submission_files,
        submission_root,
        unreachable_python,
    )
    from .instructor.lms import (
        check_roster_column,
        identify,
        late_from_roster,
        read_roster,
        write_feedback_zip,
        write_import,
    )
    from .instructor.store import load_results, save_results, updated
    from .instructor.summary import write_summary

    out: Path = args.out
    gradebook = out / "gradebook.csv"
    try:
        if not (0 < args.timeout < math.inf) or args.memory_mb < 256 or args.workers < 1:
            raise GradeError(
                "--timeout must be a finite number of seconds > 0, --memory-mb at least 256 and "
                f"--workers at least 1; got {args.timeout:g}, {args.memory_mb} and {args.workers}"
            )
        if out.exists() and not out.is_dir():
            raise GradeError(f"--out {out} is a file, not a folder: name a folder for the results")
        timeout = math.ceil(args.timeout) if 0 < args.timeout < math.inf else args.timeout
        if timeout > 86_400:
            raise GradeError(
                f"--timeout is seconds per cell, at most a day (86400); got {args.timeout:g}"
            )
        if not (0 < args.notebook_timeout <= 7 * 86_400):
            raise GradeError(
                f"--notebook-timeout is seconds for one notebook, more than 0 and at most a week "
                f"(604800); got {args.notebook_timeout:g}"
            )
        notebook_timeout = math.ceil(args.notebook_timeout)
        written = (gradebook, out / "summary.csv", out / "summary.html", *_lms_outputs(out))
        earlier = [p for p in (*written, out / "feedback", out / "executed") if _holds_something(p)]
        if not (0 <= args.late_penalty < math.inf):
            raise GradeError(
                f"--late-penalty is the points off a late submission, a number >= 0; got "
                f"{args.late_penalty:g}"
            )
        if args.update and args.force:
            raise GradeError(
                "--update regrades some students into an earlier run and --force replaces the "
                "whole run: give one of them"
            )
        previous = load_results(out) if args.update else []
        if earlier and not (args.force or args.update):
            raise GradeError(
                f"{earlier[0]} exists from an earlier run; choose another --out, or add --force "
                f"to replace what that run wrote"
            )
        if args.lesson is not None:
            try:
                check_lesson(args.lesson)
            except GradeError:  # a lesson's number or notebook ("03") names its exercise too
                try:
                    args.lesson = exercise_for(args.lesson, course_root())[0]
                except GradeError:
                    check_lesson(args.lesson)  # its message, with a near slug if there is one
                    raise
        hidden = [load_hidden_checks(path) for path in args.hidden]
        check_hidden_names(hidden)
        if args.update:
            _check_update_matches(previous, hidden, args.roster, out)
        roster = read_roster(args.roster) if args.roster is not None else None
        if args.roster_column is not None and (roster is None or roster.lms != "canvas"):
            raise GradeError(
                "--roster-column names a column of a Canvas gradebook export: give that file "
                "with --roster"
            )
        if roster is not None and args.roster_column is not None:
            check_roster_column(roster, args.roster_column)
        skipped: list[str] = []
        files = submission_files(args.submissions, skipped)
        for line in skipped:
            print(f"gdcourse grade: warning: {printable(line)}", file=sys.stderr)
        inside = [f for f in files if _inside(f, out)]
        if inside:
            raise GradeError(f"--out {out} holds the submission {inside[0]}; use another folder")
        from .instructor import sandbox

        if sandbox.missing():  # said once, before any submission runs
            print(f"gdcourse grade: warning: {sandbox.missing()}", file=sys.stderr)
        if unreachable_python():
            raise GradeError(unreachable_python())
        many = "s" if len(files) != 1 else ""
        print(
            f"Grading {len(files)} submission{many} on {args.workers} "
            f"worker{'s' if args.workers != 1 else ''}...",
            file=sys.stderr,
        )
        # Regrading into a run of one exercise: a file of another is flagged, not mixed in.
        run_lessons = {g.lesson for g in previous if g.lesson}
        graded = grade_submissions(
            files,
            lesson=args.lesson or (run_lessons.pop() if len(run_lessons) == 1 else None),
            hidden=hidden,
            timeout=timeout,
            notebook_timeout=notebook_timeout,
            memory_mb=args.memory_mb,
            protected=[out.absolute()],
            workers=args.workers,
            progress=_progress_bar,
        )
    except GradeError as err:
        print(f"gdcourse grade: {err}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    if roster is not None:
        graded = late_from_roster(roster, graded)
    if args.late_penalty:
        graded = [_penalised(g, args.late_penalty) for g in graded]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    graded = [dataclasses.replace(g, graded_at=now) for g in graded]
    kept: list[Path] = []
    stale: list[Path] = []
    if args.force:  # the earlier run's pages go too (only those it wrote: its manifest lists them)
        for old in _manifest(out):
            old.unlink(missing_ok=True)
    elif args.update:  # the regraded students' pages are replaced; everyone else's stay
        regraded = {g.student.casefold() for g in graded}
        kept = [p for p in _manifest(out) if p.parent == out or not _page_of(p, out, regraded)]
        stale = [p for p in _manifest(out) if p not in kept]  # removed once the new ones are in
    whole = updated(previous, graded) if args.update else graded
    # The results first: an update stopped part-way is put right by running it again.
    results = save_results(whole, out)
    write_gradebook(whole, gradebook)
    summary = write_summary(whole, out)
    feedback = write_feedback(graded, out / "feedback")
    pages = feedback + write_executed(graded, out / "executed")
    # The feedback zip holds this run's pages (with --update: the regraded students', to upload).
    idents = [identify(f, submission_root(f)) for f in files]
    returned = write_feedback_zip(list(zip(idents, feedback, strict=True)), out / _ZIP)
    lms_files = [returned] if returned else []
    unmatched: list[str] = []
    if roster is not None:
        try:
            imported, unmatched = write_import(roster, whole, out, args.roster_column)
        except GradeError as err:
            print(f"gdcourse grade: {err}", file=sys.stderr)
            imported = None
        lms_files += [imported] if imported else []
    for old in set(stale) - {p.resolve() for p in pages}:
        old.unlink(missing_ok=True)  # a regraded student's page this run did not write again
    listed = dict.fromkeys(
        str(p.resolve().relative_to(out.resolve()))
        for p in (*kept, gradebook, *summary, results, *pages, *lms_files)
    )
    (out / _MANIFEST).write_text(json.dumps(list(listed), indent=1), encoding="utf-8")
    not_graded = [g for g in graded if g.status in NOT_GRADED]
    if args.update:
        print(
            f"regraded {len(graded)} student{'s' if len(graded) != 1 else ''} into {out}; "
            f"{len(whole) - len(graded)} other rows kept as they were"
        )
    print(f"wrote  {gradebook}")
    print(f"wrote  {summary[1]} and summary.csv (the class at a glance, no names: plan from it)")
    print(f"wrote  {out / 'feedback'}/ (one page per student: give each student theirs)")
    print(f"wrote  {out / 'executed'}/ (each run, for you to inspect)")
    for extra in lms_files:
        what = "upload it to your LMS" if extra.suffix == ".zip" else "import it into your LMS"
        print(f"wrote  {extra} ({what})")
    for note in unmatched:
        print(f"roster {note}")
    for g in graded:
        if g.status != "ok" or "review: cell" in g.detail:
            print(f"status {printable(g.student)}: {g.status}: {printable(g.detail)}")
    from . import __version__

    other = sorted({g.made_with for g in graded if g.made_with and g.made_with != __version__})
    if other:
        made = [g for g in graded if g.made_with in other]
        were = "s were" if len(made) > 1 else " was"
        print(
            f"gdcourse grade: warning: {len(made)} submission{were} made from a release of "
            f"gdcourse {', '.join(map(printable, other))}, graded with {__version__}: "
            f"an exercise may have changed between them (the gradebook's made_with column names "
            f"them)",
            file=sys.stderr,
        )
    if not_graded:
        print(f"{len(not_graded)} of {len(graded)} submissions could not be graded (see status).")
        return 3  # a script grading a class learns that some files need a look (2 is usage)
    return 0


#: The files one grading run wrote into --out, so that --force removes those and nothing else.
_MANIFEST = ".gdcourse-grade-run.json"
#: The feedback zip for a course site, and the import files a --roster makes.
_ZIP = "feedback.zip"
_IMPORTS = ("canvas_import.csv", "moodle_import.csv")


def _check_update_matches(previous, hidden, roster: Path | None, out: Path) -> None:
    """An update grades the regraded students as the earlier run graded everyone: the same
    hidden checks, and a roster again where that run wrote an import file from one."""
    from .instructor.grading import GradeError

    before = sorted({r.id for g in previous for r in g.results if r.hidden})
    given = {f"{h.lesson}.{q.name}" for h in hidden for q in h.questions}
    missing = [qid for qid in before if qid not in given]
    if missing:
        raise GradeError(
            f"the earlier run in {out} graded hidden checks ({', '.join(missing)}): give the "
            f"same --hidden file again, so that the regraded students are graded on them too"
        )
    from .instructor.grading import hidden_fingerprint

    lessons = {g.lesson for g in previous if g.lesson}
    marks = {g.hidden_checks for g in previous if g.lesson and g.hidden_checks}
    if len(lessons) == 1 and marks:
        now = hidden_fingerprint(hidden, next(iter(lessons)))
        if now not in marks:
            raise GradeError(
                f"the earlier run in {out} graded on hidden checks {sorted(marks)[0]}, and the "
                f"--hidden files given now are {now or 'none'}: a changed hidden check would "
                f"grade the regraded students differently from everyone else; give the same "
                f"files, or regrade the whole class with --force"
            )
    imports = [p for p in _lms_outputs(out) if p.name in _IMPORTS and p.is_file()]
    if imports and roster is None:
        raise GradeError(
            f"the earlier run wrote {imports[0]} from a roster: give --roster again, so that it "
            f"is rewritten with the regraded scores (an import file left as it was would upload "
            f"the old ones)"
        )


def _lms_outputs(out: Path) -> list[Path]:
    return [out / name for name in (_ZIP, *_IMPORTS)]


def _manifest(out: Path) -> list[Path]:
    """The files an earlier run wrote into ``out`` (none if it left no readable manifest)."""
    try:
        names = json.loads((out / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for name in names if isinstance(names, list) else []:
        path = (out / str(name)).resolve()
        if path.is_relative_to(out.resolve()) and path.is_file():
            found.append(path)
    return found


def _penalised(g, points: float):
    """``g`` with its late penalty: ``points`` per started day late where that is known, else
    once for a late submission; never more than its total (a final score is never below 0)."""
    if not g.late:
        return g
    return dataclasses.replace(g, penalty=round(min(points * max(g.days_late, 1), g.total), 2))


def _page_of(page: Path, out: Path, students: set[str]) -> bool:
    """Is ``page`` (feedback/sec1/bob.html, executed/bob.ipynb) one of these students'?"""
    for folder in ("feedback", "executed"):
        try:
            rel = page.resolve().relative_to((out / folder).resolve())
        except ValueError:
            continue
        return rel.with_suffix("").as_posix().casefold() in students
    return False


def _holds_something(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and any(path.iterdir()))


def _inside(file: Path, folder: Path) -> bool:
    """Is ``file`` inside ``folder``? (A link that loops is inside nothing.)"""
    try:
        return folder.resolve() in file.resolve().parents
    except (OSError, RuntimeError):
        return False


if __name__ == "__main__":
    raise SystemExit(main())
