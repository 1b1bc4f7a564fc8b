"""Execute a notebook in a fresh kernel and read back what its check cells reported."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from gdcourse.checks import VERDICT_MIME


def execute(path: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell top to bottom in a fresh kernel (raising on the first cell error)."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def verdicts(nb: nbformat.NotebookNode) -> dict[str, list[dict]]:
    """{cell tag: [verdict records]} from the cells' displayed outputs."""
    found: dict[str, list[dict]] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for tag in cell.metadata.get("tags", []):
            found.setdefault(tag, [])
        for out in cell.get("outputs", []):
            record = out.get("data", {}).get(VERDICT_MIME)
            if record:
                for tag in cell.metadata.get("tags", ["(untagged)"]):
                    found.setdefault(tag, []).append(record)
    return found


def stream_text(nb: nbformat.NotebookNode) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )
