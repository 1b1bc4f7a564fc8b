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

Where bubblewrap is missing or cannot make its namespaces (a Docker container such as
Gradescope's, as root), a grader running as root still starts the kernel as an unprivileged user
of its own (:func:`as_user`), so it can read only what every user may and write only its own
folders; with neither, the kernel runs with only the hard limits. :func:`missing` says which, once;
:func:`protections` lists what is in force; with ``CI=true`` the tests fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

__all__ = [
    "NOBODY",
    "TMP_BYTES",
    "WORK",
    "as_user",
    "available",
    "command",
    "kernel_prefix",
    "launcher",
    "lock",
    "memory_group",
    "missing",
    "out_of_reach",
    "protections",
    "remove_group",
    "stop_user",
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
#: The grader's own setting (never the kernel's, whose environment is built from nothing):
#: ``user`` grades without bubblewrap, as an unprivileged user, as in a container that refuses
#: namespaces (for testing that mode on a machine where bubblewrap works).
MODE_ENV = "GDCOURSE_SANDBOX"


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
    """Is there a bubblewrap that works on this machine (and is grading to use it)?"""
    if os.environ.get(MODE_ENV, "") == "user":
        return False
    return sys.platform.startswith("linux") and (_works(True) or _works(False))


def as_user() -> bool:
    """Without bubblewrap, does the kernel run as an unprivileged user of its own? Only for a
    grader that is root on Linux (so it can start it as one), and, unless ``GDCOURSE_SANDBOX=user``
    asks for it (then grading refuses what that user cannot reach), only where that user can run
    this Python: otherwise the kernel runs as the grader, as it would without root."""
    if available() or not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    return os.environ.get(MODE_ENV, "") == "user" or not out_of_reach()


def _others_may(path: Path, need: int) -> bool:
    """May a user who owns nothing here reach ``path`` (every folder above it searchable by
    others) and use it as ``need`` (``os.R_OK``, ``os.X_OK``, or both) says?"""
    import stat

    try:
        path = path.resolve()
        for folder in path.parents:
            if not folder.stat().st_mode & stat.S_IXOTH:
                return False
        mode = path.stat().st_mode
    except OSError:
        return False
    wanted = (stat.S_IROTH if need & os.R_OK else 0) | (stat.S_IXOTH if need & os.X_OK else 0)
    return mode & wanted == wanted


def out_of_reach() -> list[Path]:
    """What a kernel run as an unprivileged user (:func:`as_user`) needs and cannot reach here:
    the Python interpreter, its standard library, the environment's packages and the course."""
    import sysconfig

    need = [(Path(sys.executable), os.R_OK | os.X_OK)]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        where = sysconfig.get_paths().get(key)
        if where and Path(where).is_dir():
            need.append((Path(where), os.R_OK | os.X_OK))
    need.append((Path(__file__).resolve().parents[1], os.R_OK | os.X_OK))
    out: list[Path] = []
    for path, mode in need:
        if not _others_may(path, mode) and path not in out:
            out.append(path)
    return out


def _why_not() -> str:
    if os.environ.get(MODE_ENV, "") == "user":
        return f"{MODE_ENV}=user turns bubblewrap off"
    if _bwrap() is None:
        return "bubblewrap (bwrap) is not installed"
    return "bubblewrap cannot make its namespaces here (a container that refuses them)"


def _install_hint() -> str:
    return " On Debian or Ubuntu: apt install bubblewrap" if _bwrap() is None else ""


def _root_alone() -> str:
    """As root without a sandbox or a reachable Python: why the kernel runs as root."""
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        return (
            " (as root it would run each kernel as an unprivileged user, but this Python is in a "
            "folder only root can read)"
        )
    return ""


def missing() -> str:
    """The protections grading runs without here, in one sentence ("" when there are none)."""
    if available():
        return ""
    if as_user():
        return (
            f"{_why_not()}, so each kernel runs as an unprivileged user of its own instead of in "
            f"the sandbox: it cannot write outside its scratch folder, and nothing it starts "
            f"outlives grading, but it can read every file that any user of this machine may "
            f"(keep hidden checks and the submissions in folders only root can read, mode 700) "
            f"and use the network. Memory, process and file-size limits still apply, and every "
            f"grade is still computed outside the student's process.{_install_hint()}"
        )
    return (
        f"{_why_not()}, so submissions run without the sandbox{_root_alone()}: they can read any "
        f"file the grader can (classmates' notebooks, hidden checks), write outside their scratch "
        f"folder, use the network and leave processes behind. Memory, process and file-size "
        f"limits still apply, and every grade is still computed outside the student's process."
        f"{_install_hint()}"
    )


def protections() -> list[str]:
    """What protects grading from the code it runs, here, one short line each."""
    lines = ["every answer was checked by the grader, outside the notebook's kernel"]
    lines.append("memory, process and file-size limits the notebook cannot raise")
    if available():
        lines += [
            "a sandbox (bubblewrap): a read-only system, no network, only its own scratch folder, "
            "an unprivileged user without capabilities, nothing outliving grading"
        ]
    elif as_user():
        lines += [
            f"no sandbox ({_why_not()}): the notebook ran as an unprivileged user without "
            f"capabilities, able to write only its own scratch folder, with the grader's files "
            f"out of its reach, and nothing it started outlived grading; it could use the network"
        ]
    else:
        lines += [f"no sandbox ({_why_not()}): the notebook ran as the grader's own user"]
    return lines


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
    if os.geteuid() == 0 and (available() or as_user()):
        os.chown(box, 0, 0)
        os.chmod(box, 0o711)  # and not listable: the names the grader writes stay unknown


#: The box's folders an unprivileged kernel (:func:`as_user`) writes in: its own, the rest root's.
USER_FOLDERS = ("work", "home", "tmp", "mpl")


def unlock(box: Path) -> None:
    """As root, before a kernel starts: the box is its user's, for its sockets (in the sandbox);
    without one, only its working folders are (its sockets are on the loopback)."""
    if os.geteuid() != 0:
        return
    uid = uid_for(box)
    if available():
        os.chown(box, uid, uid)
        os.chmod(box, 0o700)
    elif as_user():
        os.chown(box, 0, 0)
        os.chmod(box, 0o711)
        for name in USER_FOLDERS:
            folder = box / name
            folder.mkdir(exist_ok=True)
            if not folder.is_symlink():
                os.chown(folder, uid, uid)
                os.chmod(folder, 0o700)


def stop_user(uid: int) -> int:
    """Kill every process of ``uid`` (an unprivileged kernel's own user): nothing it started
    outlives grading. Returns how many were killed."""
    import signal

    killed = 0
    for _ in range(20):  # a process may fork while the others are killed: sweep until none
        found = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/status") as f:
                    real = next(line for line in f if line.startswith("Uid:")).split()[1:3]
            except (OSError, StopIteration):
                continue
            if str(uid) in real:
                found += 1
                try:
                    os.kill(int(pid), signal.SIGKILL)
                    killed += 1
                except OSError:
                    pass
        if not found:
            break
    return killed


#: Where the kernel works inside the box: a folder of its private, size-limited /tmp, so nothing
#: it writes lands on the grader's disk.
WORK = "/tmp/work"

# The first thing that runs in root's sandbox (``python -I -S -c``: no site, no current folder on
# the path, nothing of the student's imported): read the connection file, become the box's own
# user (which clears every capability), check that, and start the kernel as that user. Without a
# sandbox (as_user), the same, with the box's work folder for WORK.
_DROP = """
import os, sys
WORK = sys.argv.pop(1)
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


def kernel_prefix(work: str = WORK) -> list[str]:
    """What runs the kernel's Python command (inside the box, or as its user): as root, the
    privilege drop first; ``work`` is the folder the kernel works in."""
    if os.geteuid() == 0:
        return [sys.executable, "-I", "-S", "-c", _DROP, work]
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


def launcher(groups: list[Path], keep_env: bool | Sequence[str]) -> list[str]:
    """What the grader starts: joins the submission's cgroups, then becomes the rest of the
    command (bubblewrap) with an empty environment, so not even the sandbox's own first process
    holds one of the instructor's variables (``keep_env``: all of them, for a kernel run without
    a sandbox, or only these names: the kernel's own, set by its kernelspec)."""
    if isinstance(keep_env, bool):
        env = "os.environ" if keep_env else "{}"
    else:
        env = f"{{k: os.environ[k] for k in {sorted(keep_env)!r} if k in os.environ}}"
    code = (
        "import os, sys\n"
        "cut = sys.argv.index('--')\n"
        "for p in sys.argv[1:cut]:\n"
        "    with open(p, 'w') as f: f.write(str(os.getpid()))\n"
        f"os.execve(sys.argv[cut + 1], sys.argv[cut + 1:], {env})\n"
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
