"""The concept map of docs/design.md is the core: each name it lists is public in the module it
gives, and every public name of the core is listed."""

import importlib
import re
from pathlib import Path

import gdcourse.core

DESIGN = Path(__file__).resolve().parents[1] / "docs" / "design.md"


def _map() -> dict[str, list[str]]:
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## The core's concepts", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            module = cells[1].strip("`")
            rows[module] = re.findall(r"`([^`]+)`", cells[2])
    return rows


def test_every_name_of_the_map_is_public_in_its_module():
    for module, names in _map().items():
        mod = importlib.import_module(f"gdcourse.core.{module}")
        for name in names:
            assert name in mod.__all__, f"{name} is not public in gdcourse.core.{module}"
            assert getattr(gdcourse.core, name) is getattr(mod, name)


def test_every_public_name_of_the_core_is_on_the_map():
    mapped = {name: module for module, names in _map().items() for name in names}
    missing = sorted(set(gdcourse.core.__all__) - set(mapped))
    assert missing == [], f"docs/design.md's concept map leaves out {missing}"
    assert {m.__name__.rsplit(".", 1)[1] for m in gdcourse.core.MODULES} == set(_map())


def test_no_name_is_mapped_twice():
    names = [name for names in _map().values() for name in names]
    assert len(names) == len(set(names))


def _public_definitions(path: Path) -> set[str]:
    """The top-level functions, classes and UPPER_CASE constants a module defines without a
    leading underscore."""
    import ast

    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()}
    return {n for n in names if not n.startswith("_")}


#: Validation helpers the other layers call (widgets check their arguments with them): shared
#: machinery, not a concept a student reads about, so not re-exported as ``gdcourse.<name>``.
SHARED_MACHINERY = {
    "gdcourse.core.errors": {
        "check_count",
        "check_finite_number",
        "check_loss",
        "check_point",
        "check_positive_number",
    }
}


def test_every_public_definition_of_a_core_module_is_in_its_all():
    # A name a module defines without an underscore is part of the core's API: exported, on the
    # map, documented; otherwise it must be private (a leading underscore).
    for mod in gdcourse.core.MODULES:
        path = Path(mod.__file__)
        exempt = SHARED_MACHINERY.get(mod.__name__, set())
        stray = sorted(_public_definitions(path) - set(mod.__all__) - exempt)
        assert stray == [], f"{mod.__name__} defines {stray} but leaves them out of __all__"
