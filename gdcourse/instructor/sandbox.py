"""The box a submission's kernel runs in while grading (Linux, Debian's ``bubblewrap``).

The kernel sees a read-only system: ``/usr`` and the few ``/etc`` files a program needs, Python,
the virtual environment and this package, each bound read-only by its own path (they often live
under ``$HOME``, which is not there at all); a private ``/tmp`` (also its ``$HOME``) of limited
size; and one folder of its own, read-write, holding its copy of the notebook and the sockets the
grader talks to it through. Nothing else: no classmate's file, no hidden checks, no gradebook.
It runs as an unprivileged user with every capability dropped (so it cannot remount anything
read-write), with no network (not even the host's loopback), in its own process namespace (so
nothing it starts outlives grading), with a clean environment (none of the instructor's
variables), and under hard limits on memory, processes and file size that it cannot raise.

Where bubblewrap is missing (or cannot run), the kernel runs as before, with only the hard limits;
:func:`missing` says so once, and with ``CI=true`` the tests fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

__all__ = [
    "NOBODY",
    "TMP_BYTES",
    "WORK",
    "available",
    "command",
    "kernel_prefix",
    "launcher",
    "lock",
    "memory_group",
    "missing",
    "remove_group",
    "system_binds",
    "unlock",
]

NOBODY = 65534  # the unprivileged user the kernel runs as
#: Size of the kernel's private /tmp (memory-backed: it would otherwise escape the memory cap).
TMP_BYTES = 256 * 1024 * 1024
# /etc files a Python program reads (the dynamic loader, names of users and time zones);
# never all of /etc, which holds secrets readable by the sandbox's user-namespace owner.
_ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "nsswitch.conf",
    "passwd",
    "group",
    "hosts",
    "mime.types",
    "ssl/certs",
    "fonts",
)
_FLAGS = (
    # Net (not even the host's loopback), pid, ipc, uts, cgroup; a user namespace only where
    # asked for (see _USER and _AS_ROOT).
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--die-with-parent",
    "--cap-drop",
    "ALL",  # as root, without this, code inside could remount a read-only bind read-write
    "--clearenv",
)
_USER = ("--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY))
# As root, a user namespace maps the sandbox's user to root outside, which the process limit
# (RLIMIT_NPROC) never applies to. So root's sandbox keeps only the right to change user, and
# its first process (_DROP) becomes an unprivileged user of its own, which clears every
# capability, before anything else runs.
_AS_ROOT = ("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID")
#: Environment variable telling the first process in the box which user to become (root only).
DROP_ENV = "GDCOURSE_GRADER_UID"


def _bwrap() -> str | None:
    return shutil.which("bwrap")


@cache
def _works(user: bool) -> bool:
    """Can bubblewrap start a program here with these flags (user namespaces may be refused)?"""
    exe = _bwrap()
    if exe is None:
        return False
    argv = [exe, *_FLAGS, *(_USER if user else ()), *_root_binds(), "--", "/bin/true"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def available() -> bool:
    """Is there a bubblewrap that works on this machine?"""
    return sys.platform.startswith("linux") and (_works(True) or _works(False))


def missing() -> str:
    """The protections grading runs without here, in one sentence ("" when there are none)."""
    if available():
        return ""
    why = (
        "bubblewrap (bwrap) is not installed" if _bwrap() is None else "bubblewrap cannot run here"
    )
    return (
        f"{why}, so submissions run without the sandbox: they can read any file the grader can "
        f"(classmates' notebooks, hidden checks), write outside their scratch folder, use the "
        f"network and leave processes behind. Memory, process and file-size limits still apply, "
        f"and every grade is still computed outside the student's process. On Debian or Ubuntu: "
        f"apt install bubblewrap"
    )


def _root_binds() -> list[str]:
    """/usr read-only, and /bin, /lib... as they are here (links into /usr on merged systems)."""
    out = ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        p = Path(top)
        if p.is_symlink():
            out += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            out += ["--ro-bind", top, top]
    return out


def system_binds() -> list[Path]:
    """Every folder bound read-only besides the system's: Python, the environment, the package
    and the folders on ``sys.path`` (never the current folder)."""
    here = Path.cwd().resolve()
    package = Path(__file__).resolve().parents[1]
    wanted = [
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.executable).resolve().parent.parent,
        package,
    ]
    wanted += [Path(p) for p in sys.path if p and Path(p).is_dir()]
    out: list[Path] = []
    for p in wanted:
        try:
            p = p.resolve()
        except OSError:
            continue
        if not p.is_dir() or str(p).startswith("/usr/") or p == Path("/usr"):
            continue
        if p == here or (p in here.parents and p != package):  # never the instructor's folders
            continue
        if p == package.parent and p != Path(sys.prefix).resolve():
            continue  # the checkout of an editable install: only the package itself
        if p not in out:
            out.append(p)
    # A folder inside another bound one is already there.
    return [p for p in out if not any(q != p and q in p.parents for q in out)]


def uid_for(box: Path) -> int:
    """An unprivileged user id of the box's own (from its random name), so two submissions
    graded at once never share a process count."""
    import zlib

    # Far above the ranges /etc/subuid hands out (100000 + 65536 per user), so no user of the
    # machine owns these ids in a namespace of theirs.
    return 1_500_000_000 + zlib.crc32(box.name.encode()) % 1_000_000


def lock(box: Path) -> None:
    """As root, once the kernel has made its sockets: the box becomes root's (0711), so the
    student's code can no longer replace a socket with a link (which the grader would follow
    when it reconnects) or put a file where the grader writes one."""
    if os.geteuid() == 0 and available():
        os.chown(box, 0, 0)
        os.chmod(box, 0o711)  # and not listable: the names the grader writes stay unknown


def unlock(box: Path) -> None:
    """As root, before a kernel starts: the box is its user's, for its sockets."""
    if os.geteuid() == 0 and available():
        uid = uid_for(box)
        os.chown(box, uid, uid)
        os.chmod(box, 0o700)


#: Where the kernel works inside the box: a folder of its private, size-limited /tmp, so nothing
#: it writes lands on the grader's disk.
WORK = "/tmp/work"

# The first thing that runs in root's sandbox (``python -I -S -c``: no site, no current folder on
# the path, nothing of the student's imported): read the connection file, become the box's own
# user (which clears every capability), check that, and start the kernel as that user.
_DROP = f"""
import os, sys
WORK = {WORK!r}
uid = int(os.environ.pop("GDCOURSE_GRADER_UID"))
argv = sys.argv[1:]
i = argv.index("-f") + 1
with open(argv[i], "rb") as f:
    data = f.read()
os.setgroups([])
os.setgid(uid)
os.setuid(uid)
with open("/proc/self/status") as f:
    caps = [l.split()[1] for l in f if l.startswith(("CapEff", "CapPrm", "CapAmb"))]
if os.getuid() != uid or os.geteuid() != uid or any(int(c, 16) for c in caps):
    sys.exit("the grading kernel could not drop its privileges")
mine = os.path.join(WORK, ".connection-" + os.urandom(4).hex() + ".json")
fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, data)
os.close(fd)
argv[i] = mine
os.execv(argv[0], argv)
"""


def kernel_prefix() -> list[str]:
    """What runs the kernel's Python command inside the box: as root, the privilege drop first."""
    if os.geteuid() == 0:
        return [sys.executable, "-I", "-S", "-c", _DROP]
    return []


def command(
    box: Path,
    notebook: Path,
    env: dict[str, str],
    protected: list[Path],
    readable: list[Path] = (),  # type: ignore[assignment]
) -> list[str]:
    """The bubblewrap command line that runs a kernel command (appended after it) in the box.

    ``box`` is the one folder of the host the kernel may write to, and only until it has made its
    sockets there (:func:`lock`); it works in :data:`WORK` beside a read-only copy of
    ``notebook``. ``env`` is the whole environment it gets; ``protected`` are paths that must
    stay out of sight (the submissions, the grader's output, hidden checks), covered over if a
    bound folder holds them; ``readable`` are single files of the grader's it may read.
    """
    exe = _bwrap()
    assert exe is not None
    argv = [exe, *_FLAGS]
    env = dict(env)
    if os.geteuid() == 0:
        argv += _AS_ROOT
        env[DROP_ENV] = str(uid_for(box))
        unlock(box)
    elif _works(True):
        argv += _USER
    argv += _root_binds()
    # The host's kernel settings are not the sandbox's to change, whoever it runs as.
    argv += ["--ro-bind", "/proc/sys", "/proc/sys"]
    argv += ["--size", str(TMP_BYTES // 4), "--tmpfs", "/dev/shm"]
    # The private /tmp first: a course checked out under /tmp (as CI does) is bound into it.
    argv += ["--perms", "01777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    argv += ["--perms", "01777", "--dir", WORK]
    binds = system_binds()
    made: set[Path] = set()
    for target in [Path("/etc/x"), *(p / "x" for p in binds), box / "x", *readable]:
        # bwrap makes a bind's missing parent folders 0700, which the unprivileged user could not
        # enter: make them 0755 first.
        for parent in reversed(target.parents[:-1]):
            if parent not in made and parent not in (Path("/usr"), Path("/tmp")):
                made.add(parent)
                argv += ["--perms", "0755", "--dir", str(parent)]
    for name in _ETC:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for p in binds:
        argv += ["--ro-bind", str(p), str(p)]
    argv += ["--ro-bind", str(notebook), f"{WORK}/{notebook.name}"]
    for p in protected:  # inside a bound folder: covered by an empty one (or an empty file)
        try:
            p = p.resolve()
        except OSError:
            continue
        if any(b == p or b in p.parents for b in binds):
            argv += ["--tmpfs", str(p)] if p.is_dir() else ["--ro-bind", "/dev/null", str(p)]
    argv += ["--bind", str(box), str(box), "--chdir", WORK]
    for p in readable:  # single files of the grader's the kernel reads (its connection file)
        argv += ["--ro-bind", str(p), str(p)]
    argv += ["--remount-ro", "/"]  # the folders bwrap made for the binds: not a place to write
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, "--"]


def launcher(groups: list[Path], keep_env: bool) -> list[str]:
    """What the grader starts: joins the submission's cgroups, then becomes the rest of the
    command (bubblewrap) with an empty environment, so not even the sandbox's own first process
    holds one of the instructor's variables (``keep_env`` for a kernel run without a sandbox)."""
    code = (
        "import os, sys\n"
        "cut = sys.argv.index('--')\n"
        "for p in sys.argv[1:cut]:\n"
        "    with open(p, 'w') as f: f.write(str(os.getpid()))\n"
        f"os.execve(sys.argv[cut + 1], sys.argv[cut + 1:], {'os.environ' if keep_env else '{}'})\n"
    )
    return [sys.executable, "-I", "-S", "-c", code, *map(str, groups), "--"]


# -- one memory cap for everything a submission starts ---------------------------------------------
_CGROUP = Path("/sys/fs/cgroup")


def _own_groups(root: Path = _CGROUP) -> list[tuple[str, Path]]:
    """(kind, folder) of the cgroups this process is in that can hold a memory limit: cgroup v2
    (one hierarchy, ``0::/path``) or v1's memory and pids hierarchies."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        number, controllers, path = [*line.split(":", 2), "", ""][:3]
        if number == "0" and controllers == "":  # v2: alone, or beside v1 (at "unified")
            for mount in (root, root / "unified"):
                if (mount / "cgroup.controllers").exists():
                    out.append(("v2", mount / path.lstrip("/")))
                    break
        for kind in ("memory", "pids"):
            if kind in controllers.split(","):
                out.append((kind, root / kind / path.lstrip("/")))
    return out


def memory_group(name: str, memory_bytes: int, tasks: int, root: Path = _CGROUP) -> list[Path]:
    """Make a cgroup for one submission, capping the memory (and tasks) of the kernel and every
    process it starts together, where this machine lets the grader (cgroup v2 ``memory.max``, or
    v1's ``memory.limit_in_bytes``). Returns the ``cgroup.procs`` files the kernel's launcher
    joins; none where cgroups cannot be written (then the hard rlimits are the cap)."""
    joined: list[Path] = []
    for kind, own in _own_groups(root):
        limits: dict[str, str] = {}
        if kind == "v2":
            try:
                enabled = (own / "cgroup.subtree_control").read_text().split()
            except OSError:
                continue
            if "memory" not in enabled:
                continue
            limits = {"memory.max": str(memory_bytes), "memory.swap.max": "0"}
            if "pids" in enabled:
                limits["pids.max"] = str(tasks)
        elif kind == "memory":
            limits = {"memory.limit_in_bytes": str(memory_bytes)}
        else:
            limits = {"pids.max": str(tasks)}
        group = own / name
        try:
            group.mkdir()
        except OSError:
            continue
        try:
            for file, value in limits.items():
                if (group / file).exists():
                    (group / file).write_text(value)
            if kind == "memory" and (group / "memory.memsw.limit_in_bytes").exists():
                (group / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
        except OSError:
            remove_group([group / "cgroup.procs"])
            continue
        joined.append(group / "cgroup.procs")
    return joined


def remove_group(procs: list[Path]) -> None:
    """Remove a submission's cgroups once its processes are gone (a few tries: they take a moment
    to leave after the kernel is killed)."""
    import time

    for p in procs:
        for _ in range(50):
            try:
                p.parent.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)
