"""Generate the per-lesson part of ``docs/instructor.md``: goals, time, misconceptions, answer keys.

Copied from the one-pagers (``docs/lessons/``), the solution notebooks and ``gdcourse.lessons``
into the guide's blocks between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END ... -->``.
"""

from __future__ import annotations

import importlib
import json
import posixpath
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..checks import ChoiceQuestion, Question, questions_of
from .build import BEGIN_SOLUTION, END_SOLUTION, SOLUTION_LINE, defined_names
from .notebooks import NUMBERED, cell_source, notebook_title

__all__ = [
    "GUIDE",
    "GuideError",
    "OnePager",
    "read_one_pager",
    "render_lessons",
    "render_overview",
    "solution_code_by_variable",
    "update_guide",
]

#: Where the guide lives, relative to the course root.
GUIDE = Path("docs/instructor.md")
#: The one-pager sections the guide copies (matched at the start of a ``## `` heading).
GOALS = "Goals"
MISCONCEPTIONS = "Common misconceptions"
TIME = "Time in class"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
# "**Time in class:** ..." or "Time in class: ...", up to the end of its paragraph.
_TIME = re.compile(
    r"^\**Time in class:\**\s*(?P<text>.+?)\s*(?=\n[ \t]*\n|\n#|\Z)", re.MULTILINE | re.DOTALL
)
_SOLUTION_MARK = re.compile(r"\s*#\s*SOLUTION\s*$")


class GuideError(ValueError):
    """Course material the guide cannot be generated from (says which file, and what is wrong)."""


@dataclass(frozen=True)
class OnePager:
    """The parts of a lesson's one-pager that the guide copies.

    Attributes
    ----------
    path : str
        The one-pager, relative to the course root.
    time : str
        The "Time in class" paragraph, on one line.
    goals, misconceptions : str
        The bodies of the "Goals" and "Common misconceptions ..." sections, as written.
    """

    path: str
    time: str
    goals: str
    misconceptions: str


@dataclass(frozen=True)
class _Exercise:
    notebook: str  # exercises/NN_slug.ipynb
    solution: str  # solutions/NN_slug.ipynb
    title: str
    slug: str
    questions: list[Question]
    code: dict[str, str]  # answer_var -> solution code


@dataclass(frozen=True)
class _Lesson:
    number: str
    title: str
    notebook: str
    slug: str
    questions: list[Question]
    one_pager: OnePager
    exercise: _Exercise | None


# -- reading the sources -------------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """The ``## `` sections of a markdown page: heading -> body (stripped), in order."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading and len(heading.group(1)) <= 2:
            current = (
                sections.setdefault(heading.group(2), []) if heading.group(1) == "##" else None
            )
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(body).strip() for name, body in sections.items()}


def read_one_pager(path: Path, root: Path) -> OnePager:
    """Read the time in class, the goals and the misconceptions from a lesson's one-pager.

    Parameters
    ----------
    path : Path
        The one-pager, ``docs/lessons/NN_slug.md``.
    root : Path
        The course root, to name the file in errors.

    Returns
    -------
    OnePager

    Raises
    ------
    GuideError
        If the page lacks one of the three parts (or has it empty): the message names the file
        and the part, and what the part should look like.
    """
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    time = _TIME.search(text)
    if time is None:
        raise GuideError(
            f"{rel}: no '{TIME}' paragraph; expected a line starting with "
            f"'**{TIME}:**' (or '{TIME}:') under the title"
        )
    sections = _sections(text)
    found = {}
    for wanted in (GOALS, MISCONCEPTIONS):
        name = next((s for s in sections if s.startswith(wanted)), None)
        if name is None:
            raise GuideError(
                f"{rel}: no '## {wanted}' section; the guide copies it. Sections found: "
                f"{', '.join(repr(s) for s in sections) or 'none'}"
            )
        if not sections[name]:
            raise GuideError(f"{rel}: the section '## {name}' is empty")
        found[wanted] = sections[name]
    return OnePager(
        path=rel,
        time=" ".join(time.group("text").split()),
        goals=found[GOALS],
        misconceptions=found[MISCONCEPTIONS],
    )


def solution_code_by_variable(
    notebook: Mapping[str, Any], answer_vars: set[str], where: str = "notebook"
) -> dict[str, str]:
    """The solution code a solution notebook has for each answer variable.

    Reads the same markers as ``gdcourse build``: a ``# SOLUTION`` line gives that line
    (marker removed) to the names it assigns; a ``### BEGIN SOLUTION`` block gives its code,
    without the leading comment lines that the exercise keeps as the prompt, to each answer
    variable it defines. Several pieces for one variable are joined in notebook order.

    Parameters
    ----------
    notebook : mapping
        The solution notebook as JSON data.
    answer_vars : set of str
        The answer variables of the lesson module's questions.
    where : str
        The notebook's name, for errors.

    Returns
    -------
    dict
        ``{answer_var: code}`` for every answer variable that has solution code.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "source": "w_05 = f(8)  # SOLUTION\\nprint(w_05)"}]}
    >>> solution_code_by_variable(nb, {"w_05"})
    {'w_05': 'w_05 = f(8)'}
    """
    pieces: dict[str, list[str]] = {}
    for k, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        lines = cell_source(cell).split("\n")
        i = 0
        while i < len(lines):
            if BEGIN_SOLUTION.match(lines[i]):
                end = next(
                    (j for j in range(i + 1, len(lines)) if END_SOLUTION.match(lines[j])), None
                )
                if end is None:
                    raise GuideError(f"{where}, cell {k}: '### BEGIN SOLUTION' has no END")
                block = lines[i + 1 : end]
                start = next((n for n, b in enumerate(block) if not b.strip().startswith("#")), 0)
                code = textwrap.dedent("\n".join(block[start:])).strip("\n")
                names = defined_names("\n".join(block))
                i = end + 1
            elif SOLUTION_LINE.match(lines[i]):
                code = _SOLUTION_MARK.sub("", lines[i]).strip()
                names = defined_names(code)
                i += 1
            else:
                i += 1
                continue
            for name in names:
                if name in answer_vars:
                    pieces.setdefault(name, []).append(code)
    return {name: "\n".join(codes) for name, codes in pieces.items()}


def _load_notebook(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _questions(slug: str, where: str) -> list[Question]:
    try:
        module = importlib.import_module(f"gdcourse.lessons.{slug}")
    except ModuleNotFoundError:
        raise GuideError(
            f"{where}: its slug {slug!r} names no lesson module; expected "
            f"gdcourse/lessons/{slug}.py"
        ) from None
    return questions_of(module)


def _slug(nb: Mapping[str, Any], fallback: str) -> str:
    return nb.get("metadata", {}).get("gdcourse", {}).get("slug") or fallback


def _read_exercise(path: Path, root: Path) -> _Exercise:
    rel = path.relative_to(root).as_posix()
    nb = _load_notebook(path)
    slug = nb.get("metadata", {}).get("gdcourse", {}).get("slug")
    if not slug:
        raise GuideError(f"{rel}: metadata.gdcourse.slug (the lesson module) is missing")
    questions = _questions(slug, rel)
    code = solution_code_by_variable(nb, {q.answer_var for q in questions}, rel)
    for q in questions:
        if q.answer_var not in code:
            raise GuideError(
                f"{rel}: no solution code for {q.name} (variable {q.answer_var!r}); expected a "
                f"line ending '# SOLUTION' or a '### BEGIN SOLUTION' block that defines it"
            )
    return _Exercise(
        notebook=f"exercises/{path.name}",
        solution=rel,
        title=notebook_title(nb),
        slug=slug,
        questions=questions,
        code=code,
    )


def _lessons(root: Path) -> list[_Lesson]:
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise GuideError(f"{root / 'notebooks'}: no lesson notebooks (NN_slug.ipynb) found")
    lessons = []
    for path in notebooks:
        match = NUMBERED.match(path.name)
        if match is None:
            continue
        number, rel = match.group("number"), f"notebooks/{path.name}"
        nb = _load_notebook(path)
        slug = _slug(nb, match.group("slug"))
        pages = sorted((root / "docs" / "lessons").glob(f"{number}_*.md"))
        if len(pages) != 1:
            raise GuideError(
                f"{rel}: expected one one-pager docs/lessons/{number}_*.md, found {len(pages)}"
            )
        solutions = sorted((root / "solutions").glob(f"{number}_*.ipynb"))
        if len(solutions) > 1:
            names = ", ".join(p.name for p in solutions)
            raise GuideError(f"{rel}: expected at most one solutions/{number}_*.ipynb, got {names}")
        lessons.append(
            _Lesson(
                number=number,
                title=notebook_title(nb),
                notebook=rel,
                slug=slug,
                questions=_questions(slug, rel),
                one_pager=read_one_pager(pages[0], root),
                exercise=_read_exercise(solutions[0], root) if solutions else None,
            )
        )
    return lessons


# -- writing markdown ----------------------------------------------------------------------


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _total(questions: list[Question]) -> int:
    return sum(q.points for q in questions)


def _link(rel: str) -> str:
    """A markdown link to a course file, relative to the guide's folder."""
    return f"[`{rel}`]({posixpath.relpath(rel, GUIDE.parent.as_posix())})"


def _value(value: Any) -> str:
    """An expected answer, compactly: numbers to 6 significant digits, nested lists kept."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_value(k)}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple) and not all(isinstance(v, (int, float)) for v in value):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr) + 0.0:.6g}"  # + 0.0 shows -0 as 0
    inner = ", ".join(_value(row) for row in arr)
    return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"


def _expected(q: Question, code: str) -> str | None:
    """The question's reference answer, when the key's code does not already spell it out.

    A function question has none; a choice question's code is usually its labels, written out.
    """
    expected = getattr(q, "expected", None)
    if not callable(expected):
        return None
    value = expected()
    if isinstance(q, ChoiceQuestion) and (
        isinstance(value, Mapping) or any(f"{quote}{value}{quote}" in code for quote in "'\"")
    ):
        return None
    return _value(value)


def _inline(text: str) -> str:
    """Prompt text for markdown: a ``*`` or a word-edge ``_`` would start emphasis."""
    return re.sub(r"\*|(?<!\w)_|_(?!\w)", lambda m: "\\" + m.group(0), text)


def _demote(body: str, levels: int) -> str:
    """Shift the headings of a copied section down, so they nest under the guide's own."""
    out, fenced = [], False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and _HEADING.match(line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out)


def _comment(text: str) -> list[str]:
    return textwrap.wrap(
        text, width=96, initial_indent="# ", subsequent_indent="#   ", break_on_hyphens=False
    )


def _lesson_checks_key(lesson: _Lesson) -> list[str]:
    out = [
        f"#### Checks in the lesson notebook (`gdcourse.lessons.{lesson.slug}`, "
        f"{_points(_total(lesson.questions))})",
        "",
        "What each question's `solution()` shows; `# answer:` is the value its check compares "
        "with, where the code does not spell it out.",
        "",
        "```python",
    ]
    for n, q in enumerate(lesson.questions):
        if n:
            out.append("")
        out += _comment(f"{q.name} ({_points(q.points)}). {q.prompt}")
        out.append(q.solution_code.strip())
        answer = _expected(q, q.solution_code)
        if answer is not None:
            out += _comment(f"answer: {answer}")
    out.append("```")
    return out


def _answer_key(ex: _Exercise) -> list[str]:
    out = [
        f"#### Answer key: `{ex.notebook}` (`gdcourse.lessons.{ex.slug}`, "
        f"{_points(_total(ex.questions))})",
        "",
        f"*{ex.title}*: the code of the solution notebook, {_link(ex.solution)}.",
    ]
    for q in ex.questions:
        line = f"**{q.name}** ({_points(q.points)}). {_inline(q.prompt)}"
        answer = _expected(q, ex.code[q.answer_var])
        if answer is not None:
            line += f" Answer: `{answer}`."
        out += ["", line, "", "```python", ex.code[q.answer_var], "```"]
    return out


def _lesson_section(lesson: _Lesson) -> str:
    links = [f"Lesson {_link(lesson.notebook)}"]
    if lesson.exercise is not None:
        links.append(f"exercise {_link(lesson.exercise.notebook)}")
        links.append(f"solutions {_link(lesson.exercise.solution)}")
    else:
        links.append("no exercise notebook")
    links.append(f"one-pager {_link(lesson.one_pager.path)}")
    page = lesson.one_pager
    out = [
        f"### {lesson.number} · {lesson.title}",
        "",
        " · ".join(links),
        "",
        f"**Time in class:** {page.time}",
        "",
        "#### Goals",
        "",
        _demote(page.goals, 3),
        "",
        "#### Misconceptions, with a diagnostic question",
        "",
        _demote(page.misconceptions, 3),
        "",
        *_lesson_checks_key(lesson),
    ]
    if lesson.exercise is not None:
        out += ["", *_answer_key(lesson.exercise)]
    return "\n".join(out)


def _source_note() -> str:
    return (
        "<!-- Generated by `gdcourse guide` from docs/lessons/, solutions/ and gdcourse/lessons/.\n"
        "     Edit those, then run `gdcourse guide`: edits made here are overwritten. -->"
    )


def _short_time(time: str) -> str:
    """The time in class for the overview table: without file names, which the row has."""
    return re.sub(r"\s*\(`[^`]+`\)", "", time)


def render_overview(root: Path) -> str:
    """The course at a glance: one table row per lesson, with its time and points.

    Parameters
    ----------
    root : Path
        The course root (holding notebooks/, solutions/ and docs/lessons/).

    Returns
    -------
    str
        Markdown: a table of lesson, time in class, exercise, and the points of the lesson's
        own checks and of its exercise (the sum of their questions' points), with totals.
    """
    lessons = _lessons(root)
    out = [
        _source_note(),
        "",
        "| Lesson | Time in class | Exercise | Lesson checks | Exercise points |",
        "|---|---|---|--:|--:|",
    ]
    for lesson in lessons:
        ex = lesson.exercise
        cells = [
            f"{lesson.number} · [{lesson.title}](#{_anchor(lesson)})",
            _short_time(lesson.one_pager.time),
            f"`{ex.notebook}`" if ex else "none",
            str(_total(lesson.questions)),
            str(_total(ex.questions)) if ex else "–",
        ]
        out.append(f"| {' | '.join(cells)} |")
    checks = sum(_total(lesson.questions) for lesson in lessons)
    graded = sum(_total(lesson.exercise.questions) for lesson in lessons if lesson.exercise)
    out.append(f"| **Total** | | | **{checks}** | **{graded}** |")
    return "\n".join(out)


def _anchor(lesson: _Lesson) -> str:
    """GitHub's anchor for the lesson's heading: lower case, punctuation dropped, spaces -> -."""
    text = f"{lesson.number} · {lesson.title}".lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def render_lessons(root: Path) -> str:
    """One section per lesson, 00 first: links, time, goals, misconceptions and answer keys.

    Parameters
    ----------
    root : Path
        The course root (holding notebooks/, solutions/ and docs/lessons/).

    Returns
    -------
    str
        Markdown. Time, goals and misconceptions are copied from the lesson's one-pager; the
        key of the lesson's own checks comes from each question's ``solution_code``; the answer
        key of its exercise from the solution notebook, question by question in the order of
        the lesson module (``qN``, points, prompt, expected answer, code).

    Raises
    ------
    GuideError
        If a one-pager lacks a section, a solution notebook has no code for a question, or a
        notebook's slug names no lesson module; the message names the file.
    """
    sections = [_lesson_section(lesson) for lesson in _lessons(root)]
    return "\n\n".join([_source_note(), *sections])


_RENDERERS: dict[str, Callable[[Path], str]] = {
    "overview": render_overview,
    "lessons": render_lessons,
}


def _replace_block(text: str, name: str, body: str, where: str) -> str:
    begin, end = f"<!-- BEGIN GENERATED: {name} -->", f"<!-- END GENERATED: {name} -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise GuideError(
            f"{where}: expected one '{begin}' followed by one '{end}', found {text.count(begin)} "
            f"and {text.count(end)}"
        )
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{body}\n\n{end}{tail}"


def update_guide(root: Path, check: bool = False) -> bool:
    """Regenerate the generated blocks of ``docs/instructor.md`` under ``root``.

    The blocks are ``overview`` (:func:`render_overview`) and ``lessons``
    (:func:`render_lessons`), each between ``<!-- BEGIN GENERATED: name -->`` and
    ``<!-- END GENERATED: name -->``; the text outside them is kept as it is.

    Parameters
    ----------
    root : Path
        The course root.
    check : bool
        If true, write nothing: only say whether the guide is up to date.

    Returns
    -------
    bool
        True if the guide is up to date (or was just written); False if ``check`` found it out
        of date.

    Raises
    ------
    GuideError
        If the guide is missing, a block's markers are missing or repeated, or the sources are
        incomplete (see :func:`render_lessons`).

    Examples
    --------
    >>> from pathlib import Path
    >>> import gdcourse
    >>> update_guide(Path(gdcourse.__file__).resolve().parents[1], check=True)
    True
    """
    path = root / GUIDE
    if not path.is_file():
        raise GuideError(f"{path}: the instructor guide is missing; expected {GUIDE} under {root}")
    old = path.read_text(encoding="utf-8")
    new = old
    for name, render in _RENDERERS.items():
        new = _replace_block(new, name, render(root), GUIDE.as_posix())
    if new == old:
        return True
    if check:
        return False
    path.write_text(new, encoding="utf-8")
    return True
