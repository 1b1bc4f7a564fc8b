"""An IPython kernel with a memory cap, for grading: ``python -m gdcourse.instructor.capped_kernel
--memory-mb N -f CONNECTION_FILE``.

The cap is on the address space (``RLIMIT_AS``), so a submission that allocates too much gets a
``MemoryError`` in its own cell instead of taking the grader's machine down with it. Windows has
no rlimits: there the kernel runs uncapped.
"""

from __future__ import annotations

import sys

try:
    import resource
except ImportError:  # Windows: no rlimits; the kernel runs without a cap
    resource = None


def _cap_memory(argv: list[str]) -> list[str]:
    """Apply ``--memory-mb N`` (removed from argv) and return the rest for ipykernel."""
    if "--memory-mb" in argv:
        i = argv.index("--memory-mb")
        megabytes = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
        if resource is None:
            return argv
        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ValueError, OSError):  # some systems (macOS) refuse it: run uncapped
            pass
    return argv


#: Run in the kernel before the student's first cell: exit() and quit() stop only their cell.
_NO_EXIT = (
    "--IPKernelApp.exec_lines=["
    "'from gdcourse.instructor.kernel_side import no_exit as exit, no_exit as quit']"
)

if __name__ == "__main__":
    sys.argv = [*_cap_memory(sys.argv), _NO_EXIT]
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
