"""The ``gdcourse`` command: ``build`` exercises from solutions, ``start`` a student's own copy."""

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
    args = parser.parse_args(argv)
    root = course_root()

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

    from .checks.build import BuildError, build

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


if __name__ == "__main__":
    raise SystemExit(main())
