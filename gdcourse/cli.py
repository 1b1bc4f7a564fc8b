"""The ``gdcourse`` command: ``start`` a student's own copy; for authors, ``build`` exercises
from solutions; for instructors, ``assign`` a release, ``grade`` submissions, update the ``guide``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

__all__ = ["course_root", "main", "start"]


def course_root() -> Path:
    """The folder holding notebooks/, exercises/ and solutions/: the current one, or the checkout
    the package was installed from."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[1]):
        if (candidate / "notebooks").is_dir() and (candidate / "exercises").is_dir():
            return candidate
    raise SystemExit(
        "gdcourse: cannot find the course (a folder with notebooks/ and exercises/). "
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
            if dest.exists():
                kept.append(dest)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            copied.append(dest)
    return copied, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdcourse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser(
        "start", help="copy the lessons and exercises into your own folder (never overwrites)"
    )
    p_start.add_argument("dir", nargs="?", default="my-work", help="default: my-work/")
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
    p_grade = sub.add_parser(
        "grade", help="grade submitted notebooks into a gradebook and feedback"
    )
    p_grade.add_argument(
        "submissions",
        nargs="+",
        type=Path,
        metavar="SUBMISSION",
        help="notebook files, or folders of them; the file name's stem is the student id",
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
    p_grade.add_argument("--lesson", help="grade every file as this exercise (its slug)")
    p_grade.add_argument(
        "--timeout", type=float, default=30, help="seconds per cell before it is skipped (30)"
    )
    p_grade.add_argument(
        "--memory-mb", type=int, default=2048, help="memory cap per kernel in MiB (2048)"
    )
    p_grade.add_argument("--workers", type=int, default=2, help="notebooks run at once (2)")
    p_grade.add_argument(
        "--force", action="store_true", help="replace the results of an earlier run in --out"
    )
    p_guide = sub.add_parser("guide", help="regenerate the generated part of docs/instructor.md")
    p_guide.add_argument(
        "--check", action="store_true", help="write nothing; fail if the guide is out of date"
    )
    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    root = course_root()

    if args.command == "assign":
        from .instructor.release import AssignError, assign

        try:
            release = assign(args.lessons, args.out, root)
        except AssignError as err:
            print(f"gdcourse assign: {err}", file=sys.stderr)
            return 1
        for rel in release.files:
            print(f"wrote  {release.out / rel}")
        for note in release.notes:
            print(f"note:  {note}")
        print(
            f"Give students the folder {release.out}/ (zip it). Solutions are withheld there; "
            f"grade what they hand in with `gdcourse grade`."
        )
        return 0

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

    if args.command == "start":
        target = Path(args.dir)
        copied, kept = start(target, root)
        for path in copied:
            print(f"copied  {path}")
        for path in kept:
            print(f"kept    {path} (yours already; not overwritten)")
        print(
            f"Open the notebooks in {target}/ and work there: updating the course never "
            f"touches them."
        )
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


def _progress_bar(done: int, total: int, graded) -> None:
    """One line per submission (a redrawn bar on a terminal), on stderr."""
    width = 24
    filled = round(width * done / total)
    bar = "#" * filled + "." * (width - filled)
    score = f", {graded.total:g}/{graded.max_total:g}" if graded.results else ""
    line = f"grading [{bar}] {done}/{total}  {graded.student}: {graded.status}{score}"
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r\033[K{line}", end=end, file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _grade(args: argparse.Namespace) -> int:
    from .instructor.gradebook import write_executed, write_feedback, write_gradebook
    from .instructor.grading import (
        NOT_GRADED,
        GradeError,
        check_lesson,
        grade_submissions,
        load_hidden_checks,
        submission_files,
    )

    out: Path = args.out
    gradebook = out / "gradebook.csv"
    try:
        if args.timeout <= 0 or args.memory_mb < 256 or args.workers < 1:
            raise GradeError(
                "--timeout must be > 0 s, --memory-mb at least 256 and --workers at least 1; got "
                f"{args.timeout:g}, {args.memory_mb} and {args.workers}"
            )
        if gradebook.exists() and not args.force:
            raise GradeError(
                f"{gradebook} exists from an earlier run; choose another --out, or add --force "
                f"to replace it"
            )
        if args.lesson is not None:
            check_lesson(args.lesson)
        hidden = [load_hidden_checks(path) for path in args.hidden]
        files = submission_files(args.submissions)
        inside = [f for f in files if out.resolve() in f.resolve().parents]
        if inside:
            raise GradeError(f"--out {out} holds the submission {inside[0]}; use another folder")
        print(f"Grading {len(files)} submissions on {args.workers} workers...", file=sys.stderr)
        graded = grade_submissions(
            files,
            lesson=args.lesson,
            hidden=hidden,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            workers=args.workers,
            progress=_progress_bar,
        )
    except GradeError as err:
        print(f"gdcourse grade: {err}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(graded, gradebook)
    write_feedback(graded, out / "feedback")
    write_executed(graded, out / "executed")
    not_graded = [g for g in graded if g.status in NOT_GRADED]
    print(f"wrote  {gradebook}")
    print(f"wrote  {out / 'feedback'}/ (one page per student: give each student theirs)")
    print(f"wrote  {out / 'executed'}/ (each run, for you to inspect)")
    for g in graded:
        if g.status != "ok":
            print(f"status {g.student}: {g.status}: {g.detail}")
    if not_graded:
        print(f"{len(not_graded)} of {len(graded)} submissions could not be graded (see status).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
