"""``python -m gdcourse.stated [ROOT]``: what the registry of stated numbers finds wrong.

For authors: lists every entry that is decided by a tie or is not stated where it says, and every
numeral of the lessons' texts that is not registered. Exits 1 if it found anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import missing_citations, problems, registry, unregistered


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    if not (root / "notebooks").is_dir():
        print(f"{root} is not the course's folder (it has no notebooks/): pass the course root.")
        return 2
    found = [p for entry in registry() for p in problems(entry)]
    found += missing_citations(root)
    found += [f"not registered: {line}" for line in unregistered(root)]
    for line in found:
        print(line)
    print(f"{len(registry())} stated numbers registered; {len(found)} problems.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
