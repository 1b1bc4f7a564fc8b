"""Words the course corrected stay corrected (issue 17, items 12 and 15): a repo-wide scan of every
lesson, one-pager, guide, exercise, solution and every string in the package and its widgets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted(
        p
        for folder in ("notebooks", "exercises", "solutions", "docs", "gdcourse")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in {".ipynb", ".md", ".py"} and ".ipynb_checkpoints" not in p.parts
    ),
    ROOT / "README.md",
]

#: (pattern, why it is wrong, what the course says instead)
RETIRED = [
    (
        r"edge[ -]of[ -]stability",
        "Cohen et al. (2021) use 'edge of stability' for the sharpness rising to 2/eta while a "
        "network trains; 2/a on a quadratic is the stability limit",
        "the stability limit",
    ),
    (
        r"\bedge\s+\$?(2\s*/|\d)|\bthe edge (where|past|beyond)",
        "2/a is the stability limit, not 'the edge' (the same clash with Cohen et al.)",
        "the stability limit",
    ),
    (
        r"\bedges\b|largest stable rate",
        "the regimes' boundaries are not 'edges' (the same clash), and 2/lambda_max is not a "
        "stable rate (there the run bounces): it is the stability limit",
        "the boundaries 1/a and 2/a; the stability limit",
    ),
    (
        r"too large and (it|the run) overshoots",
        "between 1/a and 2/a every step overshoots yet the run converges (fast, near 1/a): "
        "overshooting is not 'too large'",
        "past 1/a each step overshoots yet lands closer; at 2/a it bounces; past it, it diverges",
    ),
]


@pytest.mark.parametrize(
    ("pattern", "why", "instead"), RETIRED, ids=["stability", "edge", "edges", "overshoot"]
)
def test_retired_wording_does_not_come_back(pattern, why, instead):
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for line_no, line in enumerate(text.splitlines(), 1):
            # The one place that may name the phrase: a sentence about Cohen et al.'s meaning.
            if re.search(pattern, line, re.IGNORECASE) and "Cohen" not in line:
                found.append(f"{path.relative_to(ROOT)}:{line_no}")
    assert not found, f"{why}; say '{instead}' instead: {found}"


def test_the_scan_reads_the_course():
    names = {p.name for p in SOURCES}
    assert {"03_learning_rate.ipynb", "03_learning_rate.md", "instructor.md"} <= names
    assert any(p.parent.name == "widgets" for p in SOURCES)
