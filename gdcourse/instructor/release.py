"""Student releases for ``gdcourse assign``: chosen exercises, their lessons and a README, never
anything from ``solutions/``, marked so that ``solution()`` is withheld.

A release mirrors the course's layout (``notebooks/``, ``exercises/``), so a notebook's mention of
``exercises/03_lr_exploration.ipynb`` still points at the right file. Its top folder holds
:data:`~gdcourse.checks.assessment.ASSIGNMENT_MARKER`; a notebook's kernel runs in the notebook's
folder and finds the marker above it. The marker is not a security boundary (the package's source
is readable): in-notebook checks are formative, and grades come from the instructor's own run.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import shutil
import textwrap
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..checks.assessment import ASSIGNMENT_MARKER
from .notebooks import NUMBERED, notebook_title

__all__ = ["AssignError", "Release", "assign", "release_solutions", "resolve_lesson"]

_FOLDERS = ("notebooks", "exercises")  # never "solutions": a release must not hold answers


class AssignError(ValueError):
    """A release that cannot be made: names what was wrong and what was expected."""


@dataclass(frozen=True)
class Release:
    """What :func:`assign` wrote.

    Attributes
    ----------
    out : Path
        The release folder.
    lessons : list of str
        Lesson numbers, sorted, e.g. ``["03"]``.
    files : list of str
        Every file written, as POSIX paths relative to ``out``, sorted; the marker and the README
        included.
    notes : list of str
        Things the instructor should know, e.g. that a lesson has no exercise notebook.
    """

    out: Path
    lessons: list[str]
    files: list[str]
    notes: list[str]


def _course_notebooks(root: Path) -> dict[str, list[Path]]:
    """{lesson number: [its lesson notebook(s), then its exercise notebook(s)]} in ``root``."""
    if not all((root / folder).is_dir() for folder in _FOLDERS):
        raise AssignError(
            f"{root} is not a course folder: expected one holding notebooks/ and exercises/"
        )
    found: dict[str, list[Path]] = {}
    for folder in _FOLDERS:
        for path in sorted((root / folder).glob("*.ipynb")):
            match = NUMBERED.match(path.name)
            if match:
                found.setdefault(match["number"], []).append(path)
    if not found:
        raise AssignError(
            f"{root / 'notebooks'} holds no lesson notebooks: expected files named like "
            f"03_learning_rate.ipynb"
        )
    return dict(sorted(found.items()))


def _names(course: dict[str, list[Path]]) -> dict[str, str]:
    """{every accepted name of a lesson, lower case: its number}."""
    names: dict[str, str] = {}
    for number, paths in course.items():
        names[number] = number
        for path in paths:
            names[path.name.lower()] = number
            names[path.stem.lower()] = number
            names[_slug(path).lower()] = number
    return names


def _slug(path: Path) -> str:
    match = NUMBERED.match(path.name)
    return match["slug"] if match else path.stem


def resolve_lesson(name: str, root: Path) -> tuple[str, list[Path]]:
    """The lesson number and the notebooks of one lesson named on the command line.

    Parameters
    ----------
    name : str
        A number (``"3"``, ``"03"``), a lesson slug (``"learning_rate"``), an exercise slug
        (``"lr_exploration"``) or a notebook file name (``"03_lr_exploration.ipynb"``, a folder
        in front is ignored).
    root : Path
        The course folder, holding ``notebooks/`` and ``exercises/``.

    Returns
    -------
    tuple of (str, list of Path)
        The two-digit lesson number and its notebooks in ``root``: the lesson notebook first,
        then its exercise notebook if it has one.

    Raises
    ------
    AssignError
        If ``name`` names no lesson; the message lists the valid names and, when one is close,
        suggests it.

    Examples
    --------
    >>> from gdcourse.cli import course_root
    >>> number, paths = resolve_lesson("lr_exploration", course_root())
    >>> number, [f"{p.parent.name}/{p.name}" for p in paths]
    ('03', ['notebooks/03_learning_rate.ipynb', 'exercises/03_lr_exploration.ipynb'])
    """
    if not isinstance(name, str):
        raise AssignError(
            f"a lesson name must be a string such as '03' or 'lr_exploration', got {name!r}"
        )
    course = _course_notebooks(root)
    names = _names(course)
    key = Path(name.strip()).name.lower()
    if key.isdigit():
        key = f"{int(key):02d}"
    if key in names:
        number = names[key]
        return number, course[number]
    slugs = [_slug(path) for paths in course.values() for path in paths]
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise AssignError(
        f"unknown lesson {name!r}: expected a lesson number ({', '.join(course)}), a lesson or "
        f"exercise slug ({', '.join(slugs)}) or a notebook file name such as "
        f"{course[next(iter(course))][0].name!r}.{hint}"
    )


def _first_check(nb: nbformat.NotebookNode) -> str | None:
    """The source of the notebook's first check cell (tagged ``q1``, else any ``qN``)."""
    tagged = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code"
        and any(re.fullmatch(r"q\d+", tag) for tag in cell.metadata.get("tags", []))
    ]
    first = next((c for c in tagged if "q1" in c.metadata.get("tags", [])), None)
    first = first or (tagged[0] if tagged else None)
    return first.source.strip().splitlines()[0] if first is not None else None


# How an exercise's text offers a solution ("..., and `ex.q1.solution()` shows a solution."),
# and what a release says instead: an assignment withholds it.
_SOLUTION_OFFERED = re.compile(r"(,?\s+and\s+)?`(\w+)\.(q\d+)\.solution\(\)` shows a solution\.")


def _solution_withheld(found: re.Match[str]) -> str:
    said = f"`{found.group(2)}.{found.group(3)}.solution()` says so"
    if found.group(1):  # the end of a sentence listing what helps
        return f"; solutions are not available in this assignment ({said})."
    return f"Solutions are not available in this assignment ({said})."


def _as_released(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with outputs cleared, ``metadata.gdcourse.assignment = true``, the gdcourse
    version it was released from (``metadata.gdcourse.version``: grading it with another one
    warns), and its text no longer offering ``solution()``, which an assignment withholds."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _SOLUTION_OFFERED.sub(_solution_withheld, cell.source)
    meta = nb.metadata.setdefault("gdcourse", {})
    meta["assignment"] = True
    meta["version"] = _version()
    return nb


def _version() -> str:
    import gdcourse

    version = getattr(gdcourse, "__version__", None)
    if version:
        return str(version)
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("gdcourse")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _paragraph(text: str) -> str:
    """``text`` wrapped at 96 characters, never inside a `code span`."""
    glued = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    return textwrap.fill(glued, width=96, break_on_hyphens=False).replace("\0", " ")


def _readme(lessons: list[str], notebooks: dict[str, nbformat.NotebookNode]) -> str:
    """The students' README: what is here, set-up, how to check, what to hand in."""
    exercises = [rel for rel in notebooks if rel.startswith("exercises/")]
    rows = []
    for rel, nb in notebooks.items():
        number = Path(rel).name[:2]
        title = re.sub(r"^Exercise:\s*", "", notebook_title(nb))
        if rel in exercises:
            what = f"exercise {number}: {title}. Fill it in and hand it in."
        else:
            what = f"lesson {number}: {title}. Read it and run it."
        rows.append(f"| `{rel}` | {what} |")
    contents = "\n".join(["| File | What it is |", "|---|---|", *rows])
    if exercises:
        many = len(exercises) > 1
        contents += (
            f"\n\nRead the lesson{'s' if many else ''} first, then work through the "
            f"exercise{'s' if many else ''}."
        )

    # Show the first real check cell, so the example matches what students see.
    checks = [_first_check(notebooks[rel]) for rel in [*exercises, *notebooks]]
    check = next((c for c in checks if c), "ex.q1.check(your_answer)")
    found = re.match(r"(\w+)\.(q\d+)\.check", check)
    ref = f"{found.group(1)}.{found.group(2)}" if found else "ex.q1"
    width = max(len(check), len(f"{ref}.hint()"))
    how = (
        "Replace each `____` with your answer and run the cell. The cell below it checks it:\n\n"
        f"```python\n{check:<{width}}  # correct / not yet / not attempted, and what went wrong\n"
        f"{f'{ref}.hint()':<{width}}  # a hint; {ref}.hint(2) is more detailed\n```\n\n"
        + _paragraph(
            f"Solutions are not available in this assignment (`{ref}.solution()` says so); "
            f"your instructor shares them after grading. The checks are for you, to see "
            f"whether you are on track."
        )
    )
    if exercises:
        how += "\n\n" + _paragraph(
            "Your grade comes from your instructor re-running your notebook from the top in a "
            "fresh kernel. So before you hand in:"
        )
        how += (
            "\n\n- run **Kernel → Restart Kernel and Run All Cells** and make sure every cell "
            "runs;\n- keep the answer variable names as given: don't rename them;\n"
            "- you may add cells of your own (notes, experiments)."
        )
        names = _join([f"`{Path(rel).name}`" for rel in exercises])
        hand_in = _paragraph(
            f"Hand in your exercise notebook{'s' if len(exercises) > 1 else ''}: {names}, with "
            f"your answers filled in. Your instructor may ask you to name "
            f"{'each file' if len(exercises) > 1 else 'the file'} after your student id (for "
            f"example `s1234567.ipynb`), because the gradebook uses the file name as the "
            f"student id. Do as they ask."
        )
    else:
        hand_in = _paragraph(
            "This assignment has no exercise notebook, so there is nothing to hand in unless "
            "your instructor tells you otherwise."
        )

    setup = (
        "You need the course's Python environment (the `gdcourse` package and JupyterLab):\n\n"
        "- in the course folder, run `make lab` (the first time, it installs everything into "
        "`.venv`), or\n"
        "- install the course into a Python environment of your own: "
        "`python -m pip install path/to/course`.\n\n"
        "Then open **this folder** in JupyterLab. Start JupyterLab here with that environment:\n\n"
        "```bash\n"
        "path/to/course/.venv/bin/jupyter lab     # macOS, Linux\n"
        "path\\to\\course\\.venv\\Scripts\\jupyter lab  # Windows\n"
        "jupyter lab                              # in an environment of your own\n"
        "```\n\n"
        + _paragraph(
            "If this folder is inside the course folder, you can also find it in the file "
            "browser of `make lab`. Open the notebooks from here, so that each one runs in its "
            "own folder."
        )
    )
    title = f"lesson{'s' if len(lessons) > 1 else ''} {_join(lessons)}"
    sections = [
        f"# Assignment: {title}",
        "Welcome! This folder is an assignment from the gradient-descent course (gdcourse).",
        f"## What is in it\n\n{contents}",
        f"## Set up\n\n{setup}",
        f"## How to check your work\n\n{how}",
        f"## What to hand in\n\n{hand_in}",
    ]
    return "\n\n".join(sections) + "\n"


def _marker(lessons: list[str], exercises: list[str]) -> str:
    record = {
        "gdcourse_version": _version(),
        "lessons": lessons,
        "exercises": exercises,
        "created": datetime.date.today().isoformat(),
        "about": (
            "This file marks a gdcourse assignment: solutions are withheld in the notebooks "
            "below this folder, and so are hints that spell them out. Checks and the other "
            "hints still work."
        ),
    }
    return json.dumps(record, indent=2) + "\n"


def _check_out(out: Path) -> None:
    if out.is_file():
        raise AssignError(f"--out {out} is a file: expected a new or empty folder")
    if out.is_dir() and any(out.iterdir()):
        raise AssignError(
            f"--out {out} is not empty: a release never overwrites; choose a new folder or empty it"
        )


def _write(files: dict[str, str], out: Path) -> None:
    """Write ``files`` into a staging folder beside ``out``, then move them into place."""
    target = out.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # A plain mkdir (not mkdtemp) so the release gets the user's usual permissions, not 0o700.
    staging = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    moved: list[Path] = []
    try:
        for rel, text in files.items():
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        _check_out(out)  # again: something may have appeared there meanwhile
        if not target.exists():
            staging.rename(target)
            return
        # An existing empty folder (perhaps the current one) stays; its new contents move in.
        for entry in sorted(staging.iterdir()):
            entry.rename(target / entry.name)
            moved.append(target / entry.name)
        staging.rmdir()
    except BaseException:
        for path in moved:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        shutil.rmtree(staging, ignore_errors=True)
        raise


def assign(lessons: Sequence[str], out: Path, root: Path) -> Release:
    """Write a student release of ``lessons`` into the new folder ``out``.

    The release holds, in the course's layout, each lesson's notebook and its exercise notebook
    (outputs cleared, ``metadata.gdcourse.assignment = true``), a ``README.md`` for students and
    the :data:`~gdcourse.checks.assessment.ASSIGNMENT_MARKER` file that withholds solutions.
    Nothing from ``solutions/`` is read.

    Parameters
    ----------
    lessons : sequence of str
        Lesson names as :func:`resolve_lesson` accepts them; duplicates are merged.
    out : Path
        The release folder: new, or an empty folder. Everything is written to a temporary folder
        beside it and renamed at the end, so a failure leaves no half release.
    root : Path
        The course folder.

    Returns
    -------
    Release
        The folder, the lesson numbers, the files written and notes for the instructor.

    Raises
    ------
    AssignError
        If no lesson is given, a name is unknown, or ``out`` exists and is not empty.
    """
    if isinstance(lessons, str) or not lessons:
        raise AssignError(
            f"expected a list of lessons to assign (e.g. ['03'] or ['lr_exploration']), "
            f"got {lessons!r}"
        )
    out = Path(out)
    resolved = dict(resolve_lesson(name, root) for name in lessons)
    resolved = {number: resolved[number] for number in sorted(resolved)}
    _check_out(out)

    notes: list[str] = []
    notebooks: dict[str, nbformat.NotebookNode] = {}
    for number, paths in resolved.items():
        for path in paths:
            notebooks[f"{path.parent.name}/{path.name}"] = nbformat.read(path, as_version=4)
        if not any(path.parent.name == "exercises" for path in paths):
            notes.append(
                f"lesson {number} has no exercise notebook: the release has the lesson only "
                f"({_join([f'{p.parent.name}/{p.name}' for p in paths])}), nothing to hand in"
            )
    # Lessons first, then exercises, each in lesson order: the README's table reads that way.
    notebooks = {
        **{k: v for k, v in notebooks.items() if k.startswith("notebooks/")},
        **{k: v for k, v in notebooks.items() if k.startswith("exercises/")},
    }
    numbers = list(resolved)
    exercises = [rel for rel in notebooks if rel.startswith("exercises/")]
    files = {
        ASSIGNMENT_MARKER: _marker(numbers, exercises),
        "README.md": _readme(numbers, notebooks),
        **{
            rel: nbformat.writes(_as_released(nb)) + "\n"  # + "\n": the course's own files end so
            for rel, nb in notebooks.items()
        },
    }

    try:
        _write(files, out)
    except OSError as err:
        raise AssignError(
            f"could not write the release to {out} ({err.strerror or err}): expected a folder "
            f"you can write to"
        ) from err
    return Release(out=out, lessons=numbers, files=sorted(files), notes=notes)


def release_solutions(lessons: Sequence[str], out: Path, root: Path) -> Release:
    """Write the solutions of ``lessons``' exercises into the new folder ``out``: for after the
    deadline (``gdcourse release-solutions``).

    The folder holds ``solutions/<exercise>.ipynb`` for each lesson that has an exercise (the
    course's own solution notebooks, unchanged) and a ``README.md`` saying what they are. A
    lesson without an exercise (00, 08) has no solutions: it is named in the notes, and a
    release of such lessons only is refused.

    Raises
    ------
    AssignError
        If no lesson is given, a name is unknown, none of the lessons has an exercise, or
        ``out`` exists and is not empty.
    """
    if isinstance(lessons, str) or not lessons:
        raise AssignError(
            f"expected a list of lessons whose solutions to release (e.g. ['03']), got {lessons!r}"
        )
    out = Path(out)
    resolved = dict(resolve_lesson(name, root) for name in lessons)
    _check_out(out)
    notes: list[str] = []
    files: dict[str, str] = {}
    for number in sorted(resolved):
        exercises = [p for p in resolved[number] if p.parent.name == "exercises"]
        if not exercises:
            notes.append(f"lesson {number} has no exercise, so no solutions: nothing written")
        for exercise in exercises:
            solution = root / "solutions" / exercise.name
            if not solution.is_file():
                raise AssignError(
                    f"{solution} is missing: expected the solution of {exercise.name} there"
                )
            files[f"solutions/{solution.name}"] = solution.read_text(encoding="utf-8")
    if not files:
        raise AssignError(
            f"lesson{'s' if len(resolved) > 1 else ''} {', '.join(sorted(resolved))} "
            f"{'have' if len(resolved) > 1 else 'has'} no exercise, so there are no solutions "
            f"to release; name a lesson with an exercise, e.g. 03"
        )
    listed = "\n".join(
        f"- `{rel}`: {notebook_title(nbformat.reads(text, as_version=4))}"
        for rel, text in files.items()
    )
    files["README.md"] = (
        "# Solutions\n\n"
        f"The worked solutions of these exercises (gdcourse {_version()}):\n\n{listed}\n\n"
        "Open them in the course's environment (`gdcourse lab`, or JupyterLab where gdcourse "
        "is installed) and run them: every check then says Correct, and `ex.qN.solution()` "
        "shows each answer's solution (in a folder of their own: inside an assignment's folder "
        "solutions stay withheld). Compare them with your own notebook and its feedback.\n"
    )
    try:
        _write(files, out)
    except OSError as err:
        raise AssignError(
            f"could not write the solutions to {out} ({err.strerror or err}): expected a folder "
            f"you can write to"
        ) from err
    return Release(out=out, lessons=sorted(resolved), files=sorted(files), notes=notes)
