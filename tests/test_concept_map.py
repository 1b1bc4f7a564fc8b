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
