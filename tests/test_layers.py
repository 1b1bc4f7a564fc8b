"""The package's layers, enforced two ways: a static scan of every import (at module level and
inside functions), and each sub-package imported in a fresh interpreter.

Arrows point one way: widgets -> plots -> core, checks -> core, lessons -> checks -> core,
instructor -> lessons, stated -> widgets and lessons, digits -> core. The core loads numpy
only; lessons load no ipywidgets, anywidget, pyplot, plots or widgets; checks load no lessons
and no matplotlib; widgets load no lessons, and neither ipympl nor bqplot (benchmark extras);
the instructor's tools load no plots or widgets (grading no pyplot or anywidget either); the
registry of stated numbers loads no instructor. A module named in a string to
``importlib.import_module`` or ``__import__`` counts as imported.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gdcourse"

#: (where, what it must not import: module prefixes).
FORBIDDEN = {
    "gdcourse.core": (
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.checks",
        "gdcourse.lessons",
        "gdcourse.instructor",
        "gdcourse.stated",
        "matplotlib",
        "ipywidgets",
        "ipympl",
        "anywidget",
        "IPython",
    ),
    "gdcourse.plots": (
        "gdcourse.widgets",
        "gdcourse.lessons",
        "gdcourse.checks",
        "gdcourse.instructor",
        "ipywidgets",
        "ipympl",
        "anywidget",
    ),
    # ipympl and bqplot are benchmark-only extras (pyproject's "bench"): never the course's.
    "gdcourse.widgets": (
        "gdcourse.lessons",
        "gdcourse.instructor",
        "gdcourse.stated",
        "ipympl",
        "bqplot",
    ),
    "gdcourse.checks": (
        "gdcourse.lessons",
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.instructor",
        "matplotlib",
        "ipywidgets",
        "ipympl",
        "anywidget",
    ),
    "gdcourse.lessons": (
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.instructor",
        "matplotlib.pyplot",
        "ipywidgets",
        "ipympl",
        "anywidget",
    ),
    "gdcourse.instructor": (
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.stated",
        "matplotlib.pyplot",
        "ipywidgets",
        "ipympl",
        "anywidget",
    ),
    "gdcourse.stated": ("gdcourse.instructor",),
    # Lesson 10's data: the core and scikit-learn (loaded when the digits are), nothing above.
    "gdcourse.digits": (
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.checks",
        "gdcourse.lessons",
        "gdcourse.instructor",
        "gdcourse.stated",
        "matplotlib",
        "ipywidgets",
        "anywidget",
        "IPython",
    ),
    "gdcourse.instructor.grading": (
        "gdcourse.plots",
        "gdcourse.widgets",
        "matplotlib.pyplot",
        "ipywidgets",
        "ipympl",
        "anywidget",
    ),
}
#: Third-party packages the core may load (the standard library is always allowed).
CORE_ALLOWS = {"numpy"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, absolute, wherever the import statement stands."""
    name = _module_name(path)
    return _imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def _imports_of(source: str, module: str, is_package: bool) -> list[str]:
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - (node.level - 1)]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func) and node.args:
            name = _literal_prefix(node.args[0])
            if name:
                found.append(name)
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    """``importlib.import_module(...)``, ``import_module(...)`` or ``__import__(...)``."""
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id in ("import_module", "__import__")


def _literal_prefix(arg: ast.expr) -> str:
    """The module a string argument names: all of a literal, the literal start of an f-string
    (``f"gdcourse.lessons.{slug}"`` names ``gdcourse.lessons``)."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value.rstrip(".")
    return ""


def _rules_for(module: str) -> tuple[str, ...]:
    return tuple(
        banned
        for where, bans in FORBIDDEN.items()
        if module == where or module.startswith(where + ".")
        for banned in bans
    )


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_no_module_imports_across_its_layer(path):
    module = _module_name(path)
    bans = _rules_for(module)
    if module.startswith("gdcourse.instructor.") and module.split(".")[2] in (
        "grading",
        "kernel_side",
        "capped_kernel",
        "gradebook",
    ):
        bans += FORBIDDEN["gdcourse.instructor.grading"]
    wrong = sorted({i for i in _imports(path) for b in bans if i == b or i.startswith(b + ".")})
    assert wrong == [], f"{module} imports {wrong}"


def test_the_core_imports_nothing_but_the_standard_library_numpy_and_itself():
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            ok = (
                top in sys.stdlib_module_names
                or top in CORE_ALLOWS
                or name.startswith("gdcourse.core")
            )
            assert ok or top == "__future__", f"{_module_name(path)} imports {name}"


def _loaded_by(subpackage: str) -> set[str]:
    """The modules a fresh interpreter has loaded after importing every module of one
    sub-package."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"import {subpackage} as p\n"
        "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "subpackage",
    [
        "gdcourse.core",
        "gdcourse.plots",
        "gdcourse.widgets",
        "gdcourse.checks",
        "gdcourse.lessons",
        "gdcourse.instructor",
        "gdcourse.stated",
    ],
)
def test_each_subpackage_in_a_fresh_interpreter_loads_only_what_its_layer_allows(subpackage):
    loaded = _loaded_by(subpackage)
    bans = FORBIDDEN[subpackage]
    wrong = sorted(m for m in loaded for b in bans if m == b or m.startswith(b + "."))
    assert wrong == [], f"importing {subpackage} loaded {wrong[:10]}"
    if subpackage == "gdcourse.core":
        third_party = {m.split(".")[0] for m in loaded} - set(sys.stdlib_module_names)
        assert third_party - {"gdcourse", "__main__", "_distutils_hack"} <= CORE_ALLOWS | {
            name for name in third_party if name.startswith("__editable__")
        }


def test_grading_in_a_fresh_interpreter_loads_no_widgets_and_no_pyplot():
    code = (
        "import json, sys\nimport gdcourse.instructor.grading\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(out.stdout))
    bans = FORBIDDEN["gdcourse.instructor.grading"]
    assert sorted(m for m in loaded for b in bans if m == b or m.startswith(b + ".")) == []


def test_the_scan_sees_imports_inside_functions_and_relative_ones():
    source = (
        "import numpy as np\n"
        "def draw():\n"
        "    from ..widgets import parts\n"
        "    import matplotlib.pyplot as plt\n"
        "    from . import gradient\n"
    )
    found = _imports_of(source, "gdcourse.lessons.probe", is_package=False)
    assert {"gdcourse.widgets.parts", "matplotlib.pyplot", "gdcourse.lessons.gradient"} <= set(
        found
    )
    bans = _rules_for("gdcourse.lessons.probe")
    caught = {i for i in found for b in bans if i == b or i.startswith(b + ".")}
    assert caught == {"gdcourse.widgets", "gdcourse.widgets.parts", "matplotlib.pyplot"}


def test_the_scan_sees_modules_named_in_strings():
    source = (
        "import importlib\n"
        "def load(slug):\n"
        "    importlib.import_module('gdcourse.widgets.parts')\n"
        "    __import__('matplotlib.pyplot')\n"
        "    return importlib.import_module(f'gdcourse.plots.{slug}')\n"
    )
    found = set(_imports_of(source, "gdcourse.instructor.probe", is_package=False))
    assert {"gdcourse.widgets.parts", "matplotlib.pyplot", "gdcourse.plots"} <= found
    bans = _rules_for("gdcourse.instructor.probe")
    caught = {i for i in found for b in bans if i == b or i.startswith(b + ".")}
    assert caught == {"gdcourse.widgets.parts", "matplotlib.pyplot", "gdcourse.plots"}


def test_the_digits_module_loads_scikit_learn_only_when_the_digits_are_loaded():
    def loaded(code: str) -> set[str]:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return set(json.loads(out.stdout))

    imported = loaded("import gdcourse.digits")
    assert "sklearn" not in imported and "scipy" not in imported
    used = loaded("import gdcourse.digits as d\nd.load_digits_split()")
    assert "sklearn" in used  # (the check above can fail: the digits do come from sklearn)
    bans = FORBIDDEN["gdcourse.digits"]
    assert sorted(m for m in used for b in bans if m == b or m.startswith(b + ".")) == []
