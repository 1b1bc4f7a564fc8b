"""An IPython kernel with a memory cap, for grading: ``python -m gdcourse.instructor.capped_kernel
--memory-mb N -f CONNECTION_FILE``.

The cap is on the address space (``RLIMIT_AS``), so a submission that allocates too much gets a
``MemoryError`` in its own cell instead of taking the grader's machine down with it.
"""

from __future__ import annotations

import resource
import sys


def _cap_memory(argv: list[str]) -> list[str]:
    """Apply ``--memory-mb N`` (removed from argv) and return the rest for ipykernel."""
    if "--memory-mb" in argv:
        i = argv.index("--memory-mb")
        megabytes = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return argv


if __name__ == "__main__":
    sys.argv = _cap_memory(sys.argv)
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
