"""An IPython kernel under hard limits, for grading: ``python -m gdcourse.instructor.capped_kernel
--memory-mb N -f CONNECTION_FILE``.

Each limit is set soft *and* hard, so the student's code cannot raise it again
(``resource.setrlimit(RLIMIT_AS, (INF, INF))`` fails without a privilege the sandbox drops):

- address space (``RLIMIT_AS``): a submission that allocates too much gets a ``MemoryError`` in
  its own cell instead of taking the grader's machine down;
- processes (``RLIMIT_NPROC``): a few children at most, so forking cannot multiply the memory
  cap much, and a fork bomb fails at once;
- file size (``RLIMIT_FSIZE``) and no core files: the scratch folder cannot fill the disk with
  one file.

Windows has no rlimits: there the kernel runs uncapped.
"""

from __future__ import annotations

import sys

try:
    import resource
except ImportError:  # Windows: no rlimits; the kernel runs without a cap
    resource = None

#: Tasks (processes and threads) the kernel may add to those its user runs when it starts:
#: ipykernel adds about eight threads; the rest allow a few children of the student's own, so
#: that forking cannot multiply the memory cap by more than a few.
EXTRA_TASKS = 16
#: The largest file the kernel may write, in bytes.
MAX_FILE = 256 * 1024 * 1024


def _hard(kind: int, value: int) -> None:
    """Set a limit soft and hard (never above a hard limit already lower)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):  # some systems (macOS) refuse some limits: run without it
        pass


def _tasks_now() -> int:
    """Tasks this user runs now (threads included), which RLIMIT_NPROC counts."""
    import os

    uid, count = os.getuid(), 0
    try:
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        status = f.read()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                if int(fields.get("Uid", "-1").split()[0]) == uid:
                    count += int(fields.get("Threads", "1").strip())
    except OSError:
        return 0
    return count


def _cap(argv: list[str]) -> list[str]:
    """Apply ``--memory-mb N`` (removed from argv) and the other limits; return the rest."""
    if "--memory-mb" in argv:
        i = argv.index("--memory-mb")
        megabytes = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
        if resource is None:
            return argv
        _hard(resource.RLIMIT_AS, megabytes * 1024 * 1024)
        _hard(resource.RLIMIT_NPROC, _tasks_now() + EXTRA_TASKS)
        _hard(resource.RLIMIT_FSIZE, MAX_FILE)
        _hard(resource.RLIMIT_CORE, 0)
    return argv


#: Run in the kernel before the student's first cell: exit() and quit() stop only their cell,
#: and an answer typed into a check cell is kept as it was when that cell ran.
_NO_EXIT = (
    "--IPKernelApp.exec_lines=["
    "'from gdcourse.instructor.kernel_side import no_exit as exit, no_exit as quit', "
    "'from gdcourse.instructor.kernel_side import watch_typed as __gd_w; __gd_w(); del __gd_w']"
)

if __name__ == "__main__":
    sys.argv = [*_cap(sys.argv), _NO_EXIT]
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()
