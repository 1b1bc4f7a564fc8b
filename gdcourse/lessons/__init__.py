"""Each lesson's questions as data: one module per notebook, named after the notebook's slug.

``notebooks/03_learning_rate.ipynb`` <-> ``gdcourse.lessons.learning_rate``;
``exercises/03_lr_exploration.ipynb`` <-> ``gdcourse.lessons.lr_exploration``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

__all__ = ["questions_in"]


def questions_in(lesson: str) -> list[Any] | None:
    """The questions lesson module ``lesson`` declares, in order (None if there is no such
    lesson): what ``gdcourse.progress()`` counts totals from."""
    from ..checks import questions_of

    if not re.fullmatch(r"[a-z][a-z0-9_]*", lesson):
        return None
    try:
        module = importlib.import_module(f"{__name__}.{lesson}")
    except ImportError:
        return None
    return questions_of(module)
