"""Execute a notebook in a fresh kernel and read back what its check cells reported."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from gdcourse.checks import VERDICT_MIME

#: Kernels that fail to start are started again this many times: two kernels starting at once
#: can pick the same free port ("Address already in use"), which is the machine's race, not the
#: notebook's failure. A cell that raises is never retried.
START_TRIES = 3


def start_retried(run):
    """``run()``, again when the kernel died before it could answer (a port race at start)."""
    for attempt in range(START_TRIES):
        try:
            return run()
        except RuntimeError as err:
            if "before replying to kernel_info" not in str(err) or attempt == START_TRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def execute(path: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell top to bottom in a fresh kernel (raising on the first cell error)."""

    def run() -> nbformat.NotebookNode:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        return nb

    return start_retried(run)


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
