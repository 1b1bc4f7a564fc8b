"""The course's numbered notebooks: how their files are named, and their titles.

Shared by the release (``gdcourse assign``) and the instructor guide (``gdcourse guide``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["NUMBERED", "cell_source", "notebook_title"]

#: ``03_lr_exploration.ipynb`` (or a one-pager ``03_learning_rate.md``): number and slug.
NUMBERED = re.compile(r"^(?P<number>\d\d)_(?P<slug>\w+)\.(?:ipynb|md)$")


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_title(nb: Mapping[str, Any]) -> str:
    """The notebook's first ``# `` heading without its number: "03 · The learning rate" gives
    "The learning rate"; "" if it has none.

    Examples
    --------
    >>> notebook_title({"cells": [{"cell_type": "markdown", "source": ["# 03 · Rates\\n"]}]})
    'Rates'
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("# "):
                    return re.sub(r"^\d+\s*[·.:-]\s*", "", line[2:].strip())
    return ""
