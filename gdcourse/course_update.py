"""Bring the course's fixes into a student's copy without touching what the student wrote
(``gdcourse start --update``).

When ``gdcourse start`` copies a notebook it also keeps the course's version as it was given,
in the copy's ``.gdcourse/originals/``. An update then merges cell by cell (by cell id), with
that original as the common ancestor:

- a cell the student left as it was given takes the course's new version (a fixed hint, a
  corrected sentence, a new check cell);
- a cell the student changed is the student's, always, even where the course changed it too
  (the update names such cells, so the student can look at the course's version);
- a cell the student added stays where they put it; one they deleted stays deleted; a cell the
  course added appears in its place; one the course removed goes, unless the student edited it.

Before a notebook is changed, the student's version is saved in ``.gdcourse/backups/``; the new
one is written whole or not at all. A notebook copied before originals were kept (or whose
cells have no ids) is left exactly as it is, and the update says so.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["ORIGINALS", "UpdateResult", "keep_original", "merge", "update_copy"]

#: Where a copy keeps the course's notebooks as they were given (the merge's common ancestor).
ORIGINALS = Path(".gdcourse") / "originals"
_BACKUPS = Path(".gdcourse") / "backups"
_FOLDERS = ("notebooks", "exercises")


@dataclass
class UpdateResult:
    """What an update did, notebook by notebook (paths relative to the copy)."""

    updated: dict[str, int] = field(default_factory=dict)  # notebook -> cells taken from course
    unchanged: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # notebooks new in the course, copied
    kept_cells: dict[str, list[str]] = field(default_factory=dict)  # edited cells the course fixed
    not_updated: dict[str, str] = field(default_factory=dict)  # notebook -> why it was left alone
    backups: list[str] = field(default_factory=list)


def keep_original(copy: Path, folder: str, source: Path) -> None:
    """Keep the course's ``source`` as given to the copy (the ancestor of a later update)."""
    dest = copy / ORIGINALS / folder / source.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    _write_whole(dest, source.read_bytes())


def _write_whole(dest: Path, data: bytes) -> None:
    part = dest.with_name(f".{dest.name}.part")
    try:
        part.write_bytes(data)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _read(path: Path) -> dict | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return nb if isinstance(nb, dict) and isinstance(nb.get("cells"), list) else None


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _ids(nb: dict) -> dict[str, dict] | None:
    """Cells by id, or None if a cell has no id or two share one (nothing to merge by)."""
    cells = {}
    for cell in nb["cells"]:
        cid = cell.get("id") if isinstance(cell, dict) else None
        if not isinstance(cid, str) or cid in cells:
            return None
        cells[cid] = cell
    return cells


def _same(a: dict, b: dict) -> bool:
    return a.get("cell_type") == b.get("cell_type") and _source(a) == _source(b)


def merge(base: dict, theirs: dict, ours: dict) -> tuple[dict, int, list[str]] | None:
    """The student's notebook ``theirs`` with the course's changes from ``base`` to ``ours``.

    Returns (notebook, cells taken from the course, ids of edited cells the course changed too),
    or None when the notebooks have no cell ids to merge by.
    """
    b, t, o = _ids(base), _ids(theirs), _ids(ours)
    if b is None or t is None or o is None:
        return None
    taken, kept = 0, []
    merged: dict[str, dict] = {}
    for cid, cell in o.items():  # the course's cells, in the course's order
        if cid in t:
            mine = t[cid]
            given = b.get(cid)
            if given is not None and _same(mine, given) and not _same(cell, given):
                new = json.loads(json.dumps(cell))
                if new.get("cell_type") == "code":
                    new["outputs"], new["execution_count"] = [], None  # of the old source
                # Metadata the student set on the cell (a tag, say) stays theirs.
                given_meta, own = given.get("metadata", {}), mine.get("metadata", {})
                if isinstance(given_meta, dict) and isinstance(own, dict):
                    new["metadata"] = {
                        **new.get("metadata", {}),
                        **{k: v for k, v in own.items() if given_meta.get(k) != v},
                    }
                merged[cid] = new
                taken += 1
            else:
                if given is not None and not _same(mine, given) and not _same(cell, given):
                    kept.append(cid)
                merged[cid] = mine
        elif cid not in b:  # new in the course
            merged[cid] = json.loads(json.dumps(cell))
            taken += 1
        # else: the student deleted it; it stays deleted
    # The student's own cells, and edited cells the course removed, after the cell they follow.
    order = list(merged)
    previous = None
    for cid, mine in t.items():
        if cid in merged:
            previous = cid
            continue
        removed_by_course = cid in b and cid not in o
        if removed_by_course and _same(mine, b[cid]):
            taken += 1  # untouched, and gone from the course: it goes
            continue
        at = order.index(previous) + 1 if previous is not None else 0
        order.insert(at, cid)
        merged[cid] = mine
        previous = cid
    out = dict(theirs)
    out["cells"] = [merged[cid] for cid in order]
    meta = dict(theirs.get("metadata", {}))
    if "gdcourse" in ours.get("metadata", {}):
        meta["gdcourse"] = ours["metadata"]["gdcourse"]
    out["metadata"] = meta
    return out, taken, kept


def update_copy(copy: Path, root: Path) -> UpdateResult:
    """Merge the course's current notebooks into the student's ``copy`` (see the module)."""
    result = UpdateResult()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in _FOLDERS:
        for source in sorted((root / folder).glob("*.ipynb")):
            rel = f"{folder}/{source.name}"
            mine_path = copy / folder / source.name
            original = copy / ORIGINALS / folder / source.name
            if not os.path.lexists(mine_path):
                mine_path.parent.mkdir(parents=True, exist_ok=True)
                _write_whole(mine_path, source.read_bytes())
                keep_original(copy, folder, source)
                result.added.append(rel)
                continue
            if mine_path.is_symlink() or not mine_path.is_file():
                result.not_updated[rel] = "it is not a plain file"
                continue
            ours_bytes = source.read_bytes()
            base_nb, theirs, ours = _read(original), _read(mine_path), _read(source)
            if base_nb is None:
                result.not_updated[rel] = (
                    "it was copied before gdcourse kept the originals it merges with; to take "
                    "the course's version, rename yours and run `gdcourse start` again"
                )
                continue
            if theirs is None or ours is None:
                result.not_updated[rel] = "it is not a notebook gdcourse can read"
                continue
            if original.read_bytes() == ours_bytes:
                result.unchanged.append(rel)
                continue
            merged = merge(base_nb, theirs, ours)
            if merged is None:
                result.not_updated[rel] = "its cells have no ids to merge by"
                continue
            nb, taken, kept = merged
            if taken:
                backup = copy / _BACKUPS / folder / f"{mine_path.stem}.{stamp}.ipynb"
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(mine_path, backup)
                result.backups.append(str(backup.relative_to(copy)))
                text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
                _write_whole(mine_path, text.encode("utf-8"))
                result.updated[rel] = taken
            else:
                result.unchanged.append(rel)
            if kept:
                result.kept_cells[rel] = kept
            _write_whole(original, ours_bytes)  # the next update merges from here
    return result
