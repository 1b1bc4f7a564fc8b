"""What a grading run found, kept in its ``--out`` folder so that a later ``--update`` can
regrade some students and rewrite the gradebook, feedback and summary for the whole class.

The file (``.gdcourse-grades.json``) holds every submission's results as plain data (never the
executed notebooks, which are in ``executed/``). It is the grader's own record, written by the
grader; a file that cannot be read back is refused in one sentence, never half used.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .grading import GradedSubmission, GradeError, QuestionResult

__all__ = ["RESULTS", "load_results", "save_results", "updated"]

#: The run's results, beside its gradebook.
RESULTS = ".gdcourse-grades.json"
_FORMAT = 1


def _plain(g: GradedSubmission) -> dict[str, Any]:
    record = {f.name: getattr(g, f.name) for f in dataclasses.fields(g) if f.name != "executed"}
    record["results"] = [dataclasses.asdict(r) for r in g.results]
    return record


def save_results(graded: Sequence[GradedSubmission], out: Path) -> Path:
    """Write ``graded`` to ``out/.gdcourse-grades.json`` whole or not at all."""
    path = out / RESULTS
    part = path.with_name(f".{path.name}.part")
    data = {"format": _FORMAT, "submissions": [_plain(g) for g in graded]}
    try:
        # ASCII: a lone surrogate a notebook sent is kept as its escape, and read back the same
        part.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return path


def _known(cls: type, record: Any, what: str) -> Any:
    if not isinstance(record, dict):
        raise TypeError(f"{what} is not a record")
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in record.items() if k in names})


def load_results(out: Path) -> list[GradedSubmission]:
    """The results an earlier run wrote into ``out``."""
    path = out / RESULTS
    if not path.is_file():
        raise GradeError(
            f"--update needs the results of an earlier run in {out} ({RESULTS} is not there): "
            f"grade the whole class into it first, without --update"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a gdcourse results file of format {_FORMAT}")
        graded = []
        for record in data["submissions"]:
            record = dict(record)
            results = [_known(QuestionResult, r, "a result") for r in record.pop("results")]
            graded.append(_known(GradedSubmission, {**record, "results": results}, "a row"))
    except (OSError, ValueError, TypeError, KeyError) as err:
        raise GradeError(
            f"cannot read the earlier run's results in {path} ({err}); grade the whole class "
            f"again without --update"
        ) from None
    return graded


def updated(
    earlier: Sequence[GradedSubmission], regraded: Sequence[GradedSubmission]
) -> list[GradedSubmission]:
    """The class with ``regraded`` students' rows replacing theirs (matched by student id,
    letter case aside, as ids are), new students last, everyone else exactly as before."""
    new = {g.student.casefold(): g for g in regraded}
    rows = [new.pop(g.student.casefold(), g) for g in earlier]
    return rows + list(new.values())
