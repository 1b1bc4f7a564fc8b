"""Generate exercise notebooks from solution notebooks (one source, two notebooks).

In ``solutions/``, solution code is marked in two ways:

- a ``# SOLUTION`` comment ending an assignment: ``w_05 = descent_weights(8, 0.5, 4)  # SOLUTION``
  becomes ``w_05 = ____``;
- a block between ``### BEGIN SOLUTION`` and ``### END SOLUTION``: it becomes its leading
  comment lines (the prompt) plus ``name = ____`` for each answer variable the block defines,
  so the exercise still runs top to bottom.

Outputs are cleared; cell ids, tags and metadata are kept. Each generated notebook records a
hash of its own content, so a rebuild can tell an exercise somebody edited (never overwritten
without ``force``) from one that is exactly as generated.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import importlib
import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks.questions import questions_of

__all__ = [
    "BEGIN_SOLUTION",
    "END_SOLUTION",
    "SOLUTION_LINE",
    "BuildError",
    "BuildResult",
    "build",
    "defined_names",
    "exercise_from_solution",
    "strip_solutions",
]

SOLUTION_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<target>[A-Za-z_][\w.\[\]'\", ]*?)\s*=(?!=)\s*.+?#\s*SOLUTION\s*$"
)
BEGIN_SOLUTION = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END_SOLUTION = re.compile(r"^\s*### END SOLUTION\s*$")


class BuildError(ValueError):
    """A solution notebook that cannot be turned into an exercise (says where and why)."""


def defined_names(block: str) -> list[str]:
    """Names a block of code assigns or defines at its top level, in order."""
    names: list[str] = []
    for node in ast.parse(textwrap.dedent(block)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names.append(n.id)
    return list(dict.fromkeys(names))


def strip_solutions(source: str, answer_vars: set[str], where: str = "cell") -> str:
    """Turn a solution cell's source into the exercise's (see the module docstring)."""
    out: list[str] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        begin = BEGIN_SOLUTION.match(line)
        if begin:
            indent = begin.group(1)
            end = next((j for j in range(i + 1, len(lines)) if END_SOLUTION.match(lines[j])), None)
            if end is None:
                raise BuildError(f"{where}: '### BEGIN SOLUTION' on line {i + 1} has no END")
            block = lines[i + 1 : end]
            prompt = []
            for b in block:
                if b.strip().startswith("#"):
                    prompt.append(b)
                else:
                    break
            try:
                defined = defined_names("\n".join(block))
            except SyntaxError as err:
                raise BuildError(f"{where}: the solution block does not parse: {err}") from None
            blanks = [f"{indent}{name} = ____" for name in defined if name in answer_vars]
            out += prompt + (blanks or [f"{indent}# Your code here"])
            i = end + 1
            continue
        match = SOLUTION_LINE.match(line)
        if match:
            out.append(f"{match.group('indent')}{match.group('target')} = ____")
        elif "# SOLUTION" in line:
            raise BuildError(f"{where}: '# SOLUTION' must end an assignment, got {line.strip()!r}")
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def _content_hash(nb: dict[str, Any]) -> str:
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).get("gdcourse", {}).pop("generated_sha256", None)
    return hashlib.sha256(json.dumps(nb, sort_keys=True).encode()).hexdigest()


def _answer_vars(slug: str) -> set[str]:
    module = importlib.import_module(f"gdcourse.lessons.{slug}")
    return {q.answer_var for q in questions_of(module)}


def exercise_from_solution(nb: dict[str, Any], source_name: str) -> dict[str, Any]:
    """The exercise notebook (as JSON data) generated from a solution notebook."""
    slug = nb.get("metadata", {}).get("gdcourse", {}).get("slug")
    if not slug:
        raise BuildError(f"{source_name}: metadata.gdcourse.slug (the lesson module) is missing")
    answer_vars = _answer_vars(slug)
    ex = copy.deepcopy(nb)
    for k, cell in enumerate(ex["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = strip_solutions(src, answer_vars, f"{source_name}, cell {k}")
        cell["outputs"] = []
        cell["execution_count"] = None
    meta = ex.setdefault("metadata", {}).setdefault("gdcourse", {})
    meta["generated_from"] = source_name
    meta["generated_sha256"] = _content_hash(ex)
    return ex


@dataclass(frozen=True)
class BuildResult:
    written: list[str]
    unchanged: list[str]
    refused: list[str]

    @property
    def ok(self) -> bool:
        return not self.refused


def _load(path: Path) -> dict[str, Any]:
    import nbformat

    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)


def _dump(nb: dict[str, Any]) -> str:
    import nbformat  # installed with JupyterLab; only the build needs it

    return nbformat.writes(nbformat.from_dict(nb)) + "\n"


def build(
    root: Path, *, force: bool = False, check: bool = False, only: list[str] | None = None
) -> BuildResult:
    """Write ``exercises/`` from ``solutions/`` under ``root``.

    An existing exercise is replaced only if it is exactly as a previous build left it (its
    recorded hash matches its content), or with ``force``. With ``check``, nothing is written:
    every exercise that differs from the build's output is reported as refused. ``only``
    limits the build to solution notebooks with these file names (e.g. ``"03_x.ipynb"``).
    """
    written, unchanged, refused = [], [], []
    (root / "exercises").mkdir(exist_ok=True)
    for src in sorted((root / "solutions").glob("*.ipynb")):
        if only and src.name not in only:
            continue
        name = f"solutions/{src.name}"
        new = _dump(exercise_from_solution(_load(src), name))
        dest = root / "exercises" / src.name
        rel = f"exercises/{src.name}"
        if dest.exists():
            old_text = dest.read_text(encoding="utf-8")
            if old_text == new:
                unchanged.append(rel)
                continue
            if check:
                refused.append(rel)
                continue
            try:
                old = _load(dest)
                pristine = old["metadata"]["gdcourse"]["generated_sha256"] == _content_hash(old)
            except (ValueError, KeyError, TypeError):
                pristine = False
            if not (pristine or force):
                refused.append(rel)
                continue
        elif check:
            refused.append(rel)
            continue
        dest.write_text(new, encoding="utf-8")
        written.append(rel)
    return BuildResult(written, unchanged, refused)
