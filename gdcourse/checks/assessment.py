"""Assessment mode: in a release made by ``gdcourse assign`` (or while grading), solutions are
withheld, and so is a hint that spells the solution out; checks and the other hints still work,
because they are formative.

A release is marked by the file :data:`ASSIGNMENT_MARKER` at its top; a notebook's kernel runs in
the notebook's folder, so the marker is found by looking there and in the folders above. The
grader sets :data:`ASSESSMENT_ENV` instead. Neither is a security boundary: the package's source
is readable, so grades come from the instructor's own run (``gdcourse grade``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ASSESSMENT_ENV", "ASSIGNMENT_MARKER", "assessment_mode"]

#: The file that marks a folder (and everything below it) as an assignment release.
ASSIGNMENT_MARKER = ".gdcourse-assignment.json"
#: Set to "1" to switch assessment mode on (the grader does).
ASSESSMENT_ENV = "GDCOURSE_ASSESSMENT"


def assessment_mode(start: Path | None = None) -> bool:
    """Are solutions withheld here?

    True when ``$GDCOURSE_ASSESSMENT`` is ``"1"``, or when ``start`` (default: the current
    folder) or one of its parents holds :data:`ASSIGNMENT_MARKER`.
    """
    if os.environ.get(ASSESSMENT_ENV, "") == "1":
        return True
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:  # cwd removed under us: no marker to find
        return False
    return any((folder / ASSIGNMENT_MARKER).is_file() for folder in (here, *here.parents))
