"""Grades an instructor can trust: each forgery a student could try earns no more than their
honest answers, and each escape from the sandbox gets nowhere.

The notebooks here are built as a determined student would: they display forged verdicts,
replace the checker, hand out forged grading records, raise their limits, read classmates'
files and hidden checks, write outside their folder, reach the host's network, leave processes
behind and end the kernel. Each test names one of those and fails if it works.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import pytest

from gdcourse.instructor import sandbox
from gdcourse.instructor.grading import grade_submission, load_hidden_checks

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"
EXERCISE = ROOT / "exercises" / "03_lr_exploration.ipynb"
HONEST_FULL = 12  # exercise 03's points

HIDDEN = """
from gdcourse.checks import NumberQuestion
LESSON = "lr_exploration"
SECRET_WORD = "HIDDEN_INPUTS_91c2"
h1 = NumberQuestion(
    lesson="lr_exploration", name="h1", answer_var="w_05", prompt="Weights at rate 0.5.",
    hints=("Run it.",), solution_code="", points=1,
    expected=lambda: [8.0, 2.0, 2.0, 2.0, 2.0],
)
"""


@pytest.fixture(scope="module")
def needs_sandbox():
    """Escape tests need bubblewrap: in CI its absence fails them, never skips them."""
    if not sandbox.available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must grade in the sandbox: {sandbox.missing()}")
        pytest.skip(sandbox.missing())


def _code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def _notebook(base: Path, cells: list[str], start: Path = EXERCISE) -> nbformat.NotebookNode:
    nb = nbformat.read(start, as_version=4)
    nb.cells += [_code(c) for c in cells]
    return nb


def _grade(tmp: Path, name: str, nb, **kw):
    folder = tmp / "submissions"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return grade_submission(path, **kw)


def _printed(graded, marker: str) -> dict:
    """The JSON a probe cell printed after ``marker``."""
    for cell in graded.executed.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            if marker in text:
                return json.loads(text.split(marker, 1)[1].strip().splitlines()[0])
    raise AssertionError(f"{marker} not printed; outputs: {graded.detail}")


# -- forged grades ------------------------------------------------------------------------------
FORGED_VERDICT = """
for _name in ['descent_weights', 'w_05', 'loss_05', 'w_10', 'w_01', 'steps_needed', 'w_12',
              'regimes', 'boundary_rate']:
    globals().pop(_name, None)  # no answer variables: only the displayed verdicts are left
from gdcourse.checks.verdict import Verdict
from IPython.display import display
for i in range(1, 10):
    display(Verdict(outcome='correct', message='Right.', question=f'lr_exploration.q{i}',
                    points=1000, max_points=1))
"""


def test_displayed_verdicts_earn_nothing(tmp_path):
    g = _grade(tmp_path, "forger", _notebook(tmp_path, [FORGED_VERDICT]))
    assert g.total == 0, [(r.id, r.outcome) for r in g.results]


def test_a_forged_verdict_after_honest_work_adds_nothing(tmp_path):
    forged = FORGED_VERDICT.replace(
        "'descent_weights', 'w_05', 'loss_05', 'w_10', 'w_01', "
        "'steps_needed', 'w_12',\n              'regimes', ",
        "",
    )
    assert "'boundary_rate']" in forged and "'w_05'" not in forged
    g = _grade(tmp_path, "greedy", _notebook(tmp_path, [forged], start=SOLUTION))
    assert g.total <= HONEST_FULL and g.total == HONEST_FULL - 1  # q9's answer was deleted
    assert all(r.points <= r.max_points for r in g.results)


def test_replacing_the_checker_earns_nothing(tmp_path):
    cells = [
        """
from gdcourse.checks import questions, Verdict
def always(self, answer=None, *a, **k):
    return Verdict(outcome='correct', message='Right.', question=self.id, points=self.points,
                   max_points=self.points)
for cls in questions.Question.__subclasses__() + [questions.Question]:
    cls.check = always
    cls._evaluate = lambda self, answer: always(self, answer)
descent_weights = 0
w_05 = loss_05 = w_10 = w_01 = steps_needed = 0
w_12 = regimes = boundary_rate = 0
""",
    ]
    g = _grade(tmp_path, "patcher", _notebook(tmp_path, cells))
    assert g.total == 0, [(r.id, r.outcome, r.points) for r in g.results]


def test_a_forged_grading_record_is_only_an_answer(tmp_path):
    """The student's code replaces what hands their answers out: what it hands out is still
    checked here, so only a right answer earns, and a garbled record earns nothing."""
    cells = [
        """
import gdcourse.instructor.kernel_side as ks
def forged(slug, name, *rest, **named):
    ks._display({'id': f'{slug}.{name}', 'found': True, 'outcome': 'correct', 'points': 99,
                 'answer': {'t': 'pickle', 'v': 'gASVAAAA'}})
ks.report_answer = forged
""",
    ]
    g = _grade(tmp_path, "recorder", _notebook(tmp_path, cells))
    assert g.total == 0
    assert {r.outcome for r in g.results} == {"error"}
    assert all("could not be read" in r.message for r in g.results)


def test_a_hidden_checks_points_come_from_its_declaration(tmp_path):
    hidden_file = tmp_path / "instructor" / "hidden.py"
    hidden_file.parent.mkdir()
    hidden_file.write_text(HIDDEN)
    hidden = load_hidden_checks(hidden_file)
    g = _grade(tmp_path, "honest", nbformat.read(SOLUTION, as_version=4), hidden=[hidden])
    assert g.total == HONEST_FULL + 1 and g.max_total == HONEST_FULL + 1


# -- escapes from the sandbox ---------------------------------------------------------------------
PROBE = r"""
import json, os, resource, socket, subprocess
INF = resource.RLIM_INFINITY
r = {}
def attempt(key, fn):
    try:
        r[key] = fn()
    except BaseException as err:
        r[key] = 'refused: ' + type(err).__name__
attempt('classmate', lambda: open(CLASSMATE).read()[:20])
attempt('classmates_folder', lambda: os.listdir(FOLDER))
attempt('hidden', lambda: open(HIDDEN_FILE).read()[:20])
attempt('out', lambda: os.listdir(OUT))
attempt('home', lambda: os.listdir(HOME))
attempt('write_host', lambda: open(HOST_FILE, 'w').write('x'))
attempt('write_package', lambda: open(PACKAGE_FILE, 'a').write('x'))
attempt('write_root', lambda: open('/escape', 'w').write('x'))
attempt('raise_memory', lambda: resource.setrlimit(resource.RLIMIT_AS, (INF, INF)))
attempt('raise_procs', lambda: resource.setrlimit(resource.RLIMIT_NPROC, (INF, INF)))
def big():
    b = bytearray(4 * 1024**3)
    return len(b)
attempt('allocate_4gib', big)
def connect():
    return socket.create_connection(('127.0.0.1', PORT), timeout=2).recv(10).decode()
attempt('loopback', connect)
def remount():
    done = subprocess.run(['mount', '-o', 'remount,rw,bind', '/usr'], capture_output=True)
    return 'remounted' if done.returncode == 0 else 'refused: exit %d' % done.returncode
attempt('remount', remount)
attempt('uid', os.getuid)
attempt('caps', lambda: [x.split()[1] for x in open('/proc/self/status') if 'CapEff' in x][0])
attempt('secret_env', lambda: os.environ.get('GDCOURSE_TEST_SECRET', 'absent'))
subprocess.Popen(['sleep', SLEEP], start_new_session=True)
print('PROBE' + json.dumps(r))
"""


@pytest.fixture(scope="module")
def escaped(needs_sandbox, tmp_path_factory):
    base = tmp_path_factory.mktemp("escape")
    folder = base / "submissions"
    folder.mkdir()
    classmate = folder / "classmate.ipynb"
    classmate.write_text("CLASSMATE_ANSWERS")
    hidden_file = base / "instructor" / "hidden.py"
    hidden_file.parent.mkdir()
    hidden_file.write_text(HIDDEN)
    out = base / "grades"
    out.mkdir()
    (out / "gradebook.csv").write_text("x")
    host_file = base / "host.txt"
    package_file = ROOT / "gdcourse" / "__init__.py"
    before = package_file.read_bytes()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def serve():
        try:
            conn, _ = server.accept()
            conn.sendall(b"HOSTPORT")
            conn.close()
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    sleep = f"913.{os.getpid()}{threading.get_ident() % 1000}"  # to find survivors by
    constants = (
        f"CLASSMATE, FOLDER, HIDDEN_FILE, OUT = {str(classmate)!r}, {str(folder)!r}, "
        f"{str(hidden_file)!r}, {str(out)!r}\nHOME = {str(Path.home())!r}\n"
        f"HOST_FILE, PACKAGE_FILE = {str(host_file)!r}, {str(package_file)!r}\n"
        f"PORT, SLEEP = {port}, {sleep!r}\n"
    )
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.cells.append(_code(constants + PROBE))
    path = folder / "prober.ipynb"
    nbformat.write(nb, path)
    os.environ["GDCOURSE_TEST_SECRET"] = "instructor-token"
    try:
        g = grade_submission(
            path, hidden=[load_hidden_checks(hidden_file)], protected=[out], memory_mb=1024
        )
    finally:
        del os.environ["GDCOURSE_TEST_SECRET"]
        server.close()
    survivors = subprocess.run(["pgrep", "-f", f"sleep {sleep}"], capture_output=True, text=True)
    return {
        "graded": g,
        "probe": _printed(g, "PROBE"),
        "host_file": host_file,
        "package_changed": package_file.read_bytes() != before,
        "survivors": survivors.stdout.split(),
    }


def test_the_probe_is_graded_as_its_honest_answers(escaped):
    g = escaped["graded"]
    assert g.status == "ok", g.detail
    assert g.total == HONEST_FULL + 1


@pytest.mark.parametrize("what", ["classmate", "classmates_folder", "hidden", "out"])
def test_student_code_cannot_see_what_is_not_theirs(escaped, what):
    assert str(escaped["probe"][what]).startswith("refused"), escaped["probe"][what]


def test_the_instructors_home_shows_only_what_python_needs(escaped):
    """Python and the environment often live under $HOME: only those folders are there."""
    home = Path.home()
    needed = {p.relative_to(home).parts[0] for p in sandbox.system_binds() if home in p.parents}
    seen = escaped["probe"]["home"]
    assert isinstance(seen, str) or set(seen) <= needed, seen


@pytest.mark.parametrize("what", ["write_host", "write_package", "write_root"])
def test_student_code_cannot_write_outside_its_folder(escaped, what):
    assert str(escaped["probe"][what]).startswith("refused"), escaped["probe"][what]
    assert not escaped["host_file"].exists()
    assert not escaped["package_changed"]


@pytest.mark.parametrize("what", ["raise_memory", "raise_procs", "allocate_4gib"])
def test_student_code_cannot_raise_its_limits(escaped, what):
    assert str(escaped["probe"][what]).startswith("refused"), escaped["probe"][what]


def test_root_in_the_sandbox_cannot_remount_and_holds_no_capability(escaped):
    probe = escaped["probe"]
    assert probe["remount"].startswith("refused"), probe["remount"]
    assert probe["uid"] != 0
    assert int(probe["caps"], 16) == 0


def test_student_code_cannot_reach_the_hosts_network(escaped):
    assert str(escaped["probe"]["loopback"]).startswith("refused"), escaped["probe"]["loopback"]


def test_student_code_gets_none_of_the_instructors_environment(escaped):
    assert escaped["probe"]["secret_env"] == "absent"


def test_no_process_of_the_student_outlives_grading(escaped):
    assert escaped["survivors"] == []


def test_forks_cannot_multiply_the_memory_cap(needs_sandbox, tmp_path):
    cell = r"""
import os, time, json
kids = []
try:
    for i in range(200):
        pid = os.fork()
        if pid == 0:
            time.sleep(20)
            os._exit(0)
        kids.append(pid)
except OSError:
    pass
for k in kids:
    os.kill(k, 9)
    os.waitpid(k, 0)
print('FORKS' + json.dumps({'children': len(kids)}))
"""
    g = _grade(tmp_path, "forker", _notebook(tmp_path, [cell], start=SOLUTION))
    assert _printed(g, "FORKS")["children"] < 20
    assert g.total == HONEST_FULL


# -- nothing lost -------------------------------------------------------------------------------
def test_five_endless_cells_keep_every_answer_made_before_them(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    for _ in range(5):
        nb.cells.append(_code("while True:\n    pass"))
    g = _grade(tmp_path, "looper", nb, timeout=2)
    assert g.status == "timeout", g.detail
    assert g.total == HONEST_FULL, [(r.id, r.outcome, r.message) for r in g.results]
    skipped = [c for c in g.executed.cells if c.get("metadata", {}).get("gdcourse")]
    assert len(skipped) == 5 and all("while True" in c.source for c in skipped)
    assert all(c.outputs[0]["text"].startswith("skipped: ") for c in skipped)


def test_the_notebook_time_limit_keeps_the_answers_made_in_time(tmp_path):
    nb = nbformat.read(EXERCISE, as_version=4)
    sol = nbformat.read(SOLUTION, as_version=4)
    nb.cells = [*sol.cells[:2], _code("w_05 = [8, 2, 2, 2, 2]")]
    nb.cells += [_code("import time\ntime.sleep(2)") for _ in range(4)]
    nb.cells.append(_code("w_10 = [8, -4, 8, -4, 8]"))
    g = _grade(tmp_path, "slow", nb, timeout=30, notebook_timeout=3)
    assert g.status == "timeout", g.detail
    outcomes = {r.id.rsplit(".", 1)[1]: r.outcome for r in g.results}
    assert outcomes["q2"] == "correct" and outcomes["q4"] == "missing"
    assert "longer than 3 s in all" in g.detail
    last = g.executed.cells[-1]
    assert last.source.startswith("w_10") and "not run" in last.outputs[0]["text"]


def test_truncated_output_is_marked(tmp_path):
    nb = _notebook(tmp_path, ["for i in range(60000):\n    print('x' * 10)"], start=SOLUTION)
    g = _grade(tmp_path, "printer", nb)
    texts = [o.get("text", "") for o in g.executed.cells[-1].outputs]
    assert any("[output truncated" in t for t in texts)
    assert g.total == HONEST_FULL


# -- every file accounted for, one id rule ---------------------------------------------------
def test_one_rule_names_every_student(tmp_path):
    from gdcourse.instructor.grading import student_id, submission_files

    root = tmp_path / "subs"
    (root / "alice").mkdir(parents=True)
    (root / "sec1").mkdir()
    (root / ".ipynb_checkpoints").mkdir()
    exercise = nbformat.read(EXERCISE, as_version=4)
    nbformat.write(exercise, root / "alice" / "03_lr_exploration.ipynb")
    nbformat.write(nbformat.read(EXERCISE, as_version=4), root / "sec1" / "bob.ipynb")
    nbformat.write(nbformat.read(EXERCISE, as_version=4), root / "carol.ipynb")
    (root / ".ipynb_checkpoints" / "carol-checkpoint.ipynb").write_text("{}")
    os.mkfifo(root / "dan.ipynb")
    files = submission_files([root])
    ids = sorted(student_id(f, root) for f in files)
    assert ids == ["alice", "carol", "dan", "sec1/bob"]
    fifo = grade_submission(root / "dan.ipynb", root=root)  # never blocks on a named pipe
    assert fifo.status == "unreadable" and "not a regular file" in fifo.detail


def test_nested_students_get_their_own_pages(tmp_path, capsys):
    from gdcourse.cli import main

    root = tmp_path / "subs"
    (root / "sec1").mkdir(parents=True)
    nbformat.write(nbformat.read(SOLUTION, as_version=4), root / "sec1" / "bob.ipynb")
    assert main(["grade", str(root), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert (tmp_path / "out" / "feedback" / "sec1" / "bob.html").is_file()
    assert "sec1/bob" in (tmp_path / "out" / "gradebook.csv").read_text()


def test_a_missing_sandbox_is_said_once_before_grading(tmp_path, capsys, monkeypatch):
    from gdcourse.cli import main

    monkeypatch.setattr(sandbox, "available", lambda: False)
    monkeypatch.setattr(sandbox, "_bwrap", lambda: None)
    root = tmp_path / "subs"
    root.mkdir()
    for name in ("a", "b"):
        nbformat.write(nbformat.read(SOLUTION, as_version=4), root / f"{name}.ipynb")
    assert main(["grade", str(root), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("bubblewrap (bwrap) is not installed") == 1
    assert "apt install bubblewrap" in err
    assert "12,12" in (tmp_path / "out" / "gradebook.csv").read_text()  # still graded, outside


def test_protected_paths_inside_a_bound_folder_are_covered(needs_sandbox, tmp_path):
    inside = Path(sandbox.system_binds()[0]) / "hidden-checks-here"
    argv = sandbox.command(tmp_path, tmp_path, {}, [inside, tmp_path / "elsewhere"])
    assert "--cap-drop" in argv and argv[argv.index("--cap-drop") + 1] == "ALL"
    assert "--unshare-net" in argv and "--unshare-pid" in argv and "--die-with-parent" in argv
    assert "--clearenv" in argv
    covered = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"] + [
        argv[i + 2] for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == "/dev/null"
    ]
    assert str(inside) in covered and str(tmp_path / "elsewhere") not in covered


CHILDREN = r"""
import os, time, json
kids = []
for k in range(3):
    pid = os.fork()
    if pid == 0:
        b = bytearray(900 * 1024**2)
        for i in range(0, len(b), 4096):
            b[i] = 1
        time.sleep(3)
        os._exit(0)
    kids.append(pid)
res = []
for pid in kids:
    _, status = os.waitpid(pid, 0)
    res.append("killed" if os.WIFSIGNALED(status) else "finished")
print("CHILDREN" + json.dumps(res))
"""


def test_children_share_one_memory_cap_where_cgroups_can_be_written(needs_sandbox, tmp_path):
    """Three children of 900 MiB each, under a 2048 MiB cap: each is within its own address-space
    limit, but together they are not, and the submission's cgroup stops one."""
    probe = sandbox.memory_group("gdg-probe-" + os.urandom(4).hex(), 1 << 30, 8)
    sandbox.remove_group(probe)
    if not probe:
        pytest.skip("this machine's cgroups cannot be written: the rlimits are the cap")
    g = _grade(
        tmp_path, "children", _notebook(tmp_path, [CHILDREN], start=SOLUTION), memory_mb=2048
    )
    assert "killed" in _printed(g, "CHILDREN")
    assert g.total == HONEST_FULL


def test_a_memory_group_is_made_where_cgroup_v2_allows_it(tmp_path, monkeypatch):
    root = tmp_path / "cgroup"
    own = root / "user.slice"
    own.mkdir(parents=True)
    (root / "cgroup.controllers").write_text("cpu memory pids\n")
    (own / "cgroup.subtree_control").write_text("memory pids\n")
    monkeypatch.setattr(
        Path,
        "read_text",
        lambda self, *a, **k: (
            "0::/user.slice\n"
            if str(self) == "/proc/self/cgroup"
            else Path.read_bytes(self).decode()
        ),
    )

    def fake_mkdir(self, *a, **k):  # a real cgroup folder comes with its files
        os.mkdir(self)
        for name in ("memory.max", "memory.swap.max", "pids.max", "cgroup.procs"):
            (self / name).write_bytes(b"")

    monkeypatch.setattr(Path, "mkdir", fake_mkdir)
    procs = sandbox.memory_group("gdg-x", 123456789, 64, root=root)
    assert procs == [own / "gdg-x" / "cgroup.procs"]
    assert (own / "gdg-x" / "memory.max").read_bytes() == b"123456789"
    assert (own / "gdg-x" / "memory.swap.max").read_bytes() == b"0"
    assert (own / "gdg-x" / "pids.max").read_bytes() == b"64"


# -- after the sandbox attack: what the kernel must not reach or change -------------------------
BOX_PROBE = r"""
import glob, json, os
r = {}
conn = json.load(open(glob.glob('/tmp/work/.connection-*.json')[0]))
box = os.path.dirname(conn['ip'])
def attempt(key, fn):
    try:
        r[key] = fn()
    except BaseException as err:
        r[key] = 'refused: ' + type(err).__name__
attempt('write_box', lambda: open(os.path.join(box, 'planted.py'), 'w').write('x'))
attempt('link_in_box', lambda: os.symlink('/etc/passwd', os.path.join(box, 'k-99')))
attempt('kernelspecs', lambda: glob.glob('/tmp/**/kernel.json', recursive=True) or 'refused: none')
attempt('proc_sys', lambda: open('/proc/sys/kernel/core_pattern', 'w').write('core'))
attempt('bwrap_environ', lambda: open('/proc/1/environ', 'rb').read().decode(errors='replace'))
def fill():
    with open('big.bin', 'wb') as f:
        for _ in range(300):
            f.write(b'x' * (1 << 20))
    return 'wrote 300 MiB'
attempt('fill_disk', fill)
print('BOX' + json.dumps(r))
"""


@pytest.fixture(scope="module")
def boxed(needs_sandbox, tmp_path_factory):
    base = tmp_path_factory.mktemp("box")
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.cells.append(_code(BOX_PROBE))
    os.environ["GDCOURSE_TEST_SECRET"] = "instructor-token"
    try:
        g = _grade(base, "boxer", nb)
    finally:
        del os.environ["GDCOURSE_TEST_SECRET"]
    return g, _printed(g, "BOX")


@pytest.mark.parametrize("what", ["write_box", "link_in_box", "kernelspecs", "proc_sys"])
def test_the_kernel_cannot_change_what_the_grader_reads_or_runs(boxed, what):
    assert str(boxed[1][what]).startswith("refused"), boxed[1][what]


def test_the_sandboxs_first_process_holds_none_of_the_instructors_environment(boxed):
    seen = boxed[1]["bwrap_environ"]
    assert seen.startswith("refused") or "instructor-token" not in seen


def test_the_kernel_writes_to_memory_of_its_own_not_the_disk(boxed):
    assert boxed[1]["fill_disk"].startswith("refused"), boxed[1]["fill_disk"]
    assert boxed[0].total == HONEST_FULL


def test_a_package_planted_in_the_kernels_folder_is_never_imported(needs_sandbox, tmp_path):
    plant = (
        "import os\nos.makedirs('gdcourse', exist_ok=True)\n"
        "open('gdcourse/__init__.py', 'w').write('PLANTED = True')\n"
    )
    after = (
        "import json, os, gdcourse\n"
        "print('PLANT' + json.dumps({'planted': hasattr(gdcourse, 'PLANTED'),"
        " 'uid': os.getuid()}))"
    )
    nb = _notebook(tmp_path, [plant, "import os\nos._exit(1)", after], start=SOLUTION)
    g = _grade(tmp_path, "planter", nb)
    seen = _printed(g, "PLANT")
    assert seen == {"planted": False, "uid": seen["uid"]} and seen["uid"] != 0
    assert g.total == HONEST_FULL


FORGED_RECORDS = """
import gdcourse.instructor.kernel_side as ks
_real = ks.report_answer
def forged(slug, name, *rest, **named):
    bad = {'q2': {'t': 'fraction', 'v': '1e30000000'},
           'q3': {'t': 'array_obj', 'shape': [0, 2**62, 2**62], 'v': []},
           'q4': {'t': 'list', 'v': [{'t': 'list', 'v': []}] * 3 + [{'t': 'nope'}]}}
    if name in bad:
        return ks._display({'id': f'{slug}.{name}', 'found': True, 'answer': bad[name]})
    return _real(slug, name, *rest, **named)
ks.report_answer = forged
"""


def test_records_built_to_hang_or_crash_the_grader_cost_only_their_answers(tmp_path):
    import time

    start = time.monotonic()
    g = _grade(tmp_path, "breaker", _notebook(tmp_path, [FORGED_RECORDS], start=SOLUTION))
    assert time.monotonic() - start < 60
    outcomes = {r.id.rsplit(".", 1)[1]: r.outcome for r in g.results}
    assert [outcomes[q] for q in ("q2", "q3", "q4")] == ["error"] * 3
    assert g.total == HONEST_FULL - 3  # q2, q3 and q4 are worth 1 point each


def test_output_that_avoids_the_per_cell_count_is_still_capped(tmp_path):
    cells = [
        "ip = get_ipython()\nline = 'E' * (1 << 20)\n"
        "for i in range(40):\n    ip._showtraceback(RuntimeError, 'x', [line])",
        "from IPython.display import display, update_display\n"
        "for i in range(40):\n    display({'text/plain': '.'}, raw=True, display_id=f'd{i}')\n"
        "for i in range(40):\n"
        "    update_display({'text/plain': 'U' * (1 << 20)}, raw=True, display_id=f'd{i}')",
        "from IPython.display import display\nmeta = {'m': 'M' * (1 << 20)}\n"
        "for i in range(40):\n    display({'text/plain': '.'}, metadata=meta, raw=True)",
    ]
    g = _grade(tmp_path, "flooder", _notebook(tmp_path, cells, start=SOLUTION))
    size = len(json.dumps(g.executed))
    assert size < 8_000_000, size
    assert g.total == HONEST_FULL
    assert len(g.detail) < 5000


def test_a_hanging_check_does_not_cost_the_answers_made_in_time(tmp_path):
    endless = (
        "def descent_weights(w0, lr, steps):\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:\n"
        "            pass"
    )
    nb = _notebook(tmp_path, [endless], start=SOLUTION)
    g = _grade(tmp_path, "hanger", nb, timeout=4, notebook_timeout=6)
    outcomes = {r.id.rsplit(".", 1)[1]: r.outcome for r in g.results}
    assert outcomes["q1"] == "error"
    assert g.total == HONEST_FULL - 2, [(r.id, r.outcome, r.message) for r in g.results]


def test_a_course_checked_out_under_tmp_is_bound_after_the_private_tmp(needs_sandbox, tmp_path):
    """CI clones the course under /tmp: its environment must be bound into the sandbox's own
    /tmp, not hidden by it."""
    (tmp_path / "nb.ipynb").write_text("{}")
    argv = sandbox.command(tmp_path, tmp_path / "nb.ipynb", {}, [], readable=[])
    tmpfs = argv.index("/tmp", argv.index("--tmpfs"))
    binds = [argv[i + 2] for i, a in enumerate(argv) if a == "--ro-bind"]
    under_tmp = [i for i, a in enumerate(argv) if a in binds and a.startswith("/tmp/")]
    assert all(i > tmpfs for i in under_tmp)


# -- after the forger's attack ------------------------------------------------------------------
def test_what_a_notebook_prints_or_names_cannot_act_on_the_terminal_or_a_spreadsheet():
    from gdcourse.instructor.gradebook import printable, safe_cell

    assert "\x1b" not in printable("\x1b[2J\x1b[Hgrading ok \x1b[8m")
    assert printable("a\u202eb") == "a\\u202eb"  # a right-to-left override is shown, not obeyed
    for text in ("\uff0b1", "\uff1dHYPERLINK(1)", "\uff20SUM(1)", "=1+2", " -2"):
        assert safe_cell(text).startswith("'"), text
    assert safe_cell("0.1.0") == "0.1.0"


def test_a_forged_version_is_a_safe_cell(tmp_path):
    from gdcourse.instructor.gradebook import write_gradebook

    cell = (
        "import gdcourse.instructor.kernel_side as ks\n"
        "ks.report_environment = lambda: ks._display({'id': 'environment', "
        "'gdcourse': '=HYPERLINK(\"http://evil.example/\",\"x\")', 'python': '=1+2'})"
    )
    g = _grade(tmp_path, "versioner", _notebook(tmp_path, [cell], start=SOLUTION))
    write_gradebook([g], tmp_path / "gradebook.csv")
    text = (tmp_path / "gradebook.csv").read_text()
    assert ",=" not in text and "'=HYPERLINK" in text


def test_hooks_that_stop_the_grading_cells_never_blame_the_grader(tmp_path):
    hook = (
        "def _h(result):\n"
        "    if '__gd_' in result.info.raw_cell:\n"
        "        import os\n"
        "        os._exit(0)\n"
        "get_ipython().events.register('post_run_cell', _h)"
    )
    g = _grade(tmp_path, "hooker", _notebook(tmp_path, [hook], start=SOLUTION), timeout=5)
    assert g.status != "grader_error", g.detail
    assert "review: cell" in g.detail and "reach" in g.detail  # the instructor is told to look


def test_a_function_that_prints_while_graded_keeps_its_answer(tmp_path):
    chatty = (
        "_real = descent_weights\n"
        "def descent_weights(w0, lr, steps):\n"
        "    print('x' * 40_000)\n"
        "    return _real(w0, lr, steps)"
    )
    g = _grade(tmp_path, "chatty", _notebook(tmp_path, [chatty], start=SOLUTION))
    assert g.total == HONEST_FULL, [(r.id, r.outcome) for r in g.results]


def test_honest_notebooks_are_never_flagged_for_review():
    from gdcourse.instructor.grading import _reaches_into_grading

    for folder in ("solutions", "exercises", "notebooks"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            assert _reaches_into_grading(nbformat.read(path, as_version=4)) == "", path


# -- after the instructor's attack ------------------------------------------------------------
def test_two_hidden_files_cannot_give_one_check_two_meanings(tmp_path):
    from gdcourse.instructor.grading import GradeError, check_hidden_names

    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(HIDDEN)
    with pytest.raises(GradeError, match="both declare 'h1'"):
        check_hidden_names([load_hidden_checks(tmp_path / n) for n in ("a.py", "b.py")])


def test_a_short_cell_limit_does_not_cut_a_checks_own_limits(tmp_path):
    slow = (
        "import time\n_real = descent_weights\n"
        "def descent_weights(w0, lr, steps):\n    time.sleep(1.0)\n    return _real(w0, lr, steps)"
    )
    g = _grade(tmp_path, "slowfn", _notebook(tmp_path, [slow], start=SOLUTION), timeout=3)
    assert g.total == HONEST_FULL and g.status == "ok", g.detail


def test_copies_of_the_exercise_file_are_one_students_and_lock_files_are_passed_over(tmp_path):
    from gdcourse.instructor.grading import GradeError, submission_files

    root = tmp_path / "subs"
    (root / "alice").mkdir(parents=True)
    (root / "bob").mkdir()
    nb = nbformat.read(EXERCISE, as_version=4)
    nbformat.write(nb, root / "alice" / "03_lr_exploration.ipynb")
    nbformat.write(nb, root / "alice" / "03_lr_exploration (1).ipynb")
    nbformat.write(nb, root / "bob" / "03_lr_exploration-Copy1.ipynb")
    (root / "~$report.docx").write_text("lock")
    (root / "bob" / "notes.ipynb~").write_text("backup")
    with pytest.raises(GradeError, match="'alice'"):
        submission_files([root])
    (root / "alice" / "03_lr_exploration (1).ipynb").unlink()
    from gdcourse.instructor.grading import student_id

    assert sorted(student_id(f, root) for f in submission_files([root])) == ["alice", "bob"]


def test_an_answer_typed_into_the_check_counts_beside_a_blank_variable(tmp_path):
    nb = nbformat.read(EXERCISE, as_version=4)
    for cell in nb.cells:
        if "q2" in cell.get("metadata", {}).get("tags", []):
            cell.source = "ex.q2.check([8, 2, 2, 2, 2])"
    g = _grade(tmp_path, "typist", nb)
    outcomes = {r.id.rsplit(".", 1)[1]: r.outcome for r in g.results}
    assert outcomes["q2"] == "correct"


def test_an_answer_lost_with_its_skipped_cell_says_so(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    for cell in nb.cells:
        if cell.source.startswith("w_10"):
            cell.source = "while True:\n    pass\n" + cell.source
    g = _grade(tmp_path, "lost", nb, timeout=2)
    q4 = next(r for r in g.results if r.id.endswith(".q4"))
    assert q4.outcome == "missing" and "was not run while grading" in q4.message, q4.message


def test_one_long_print_keeps_its_first_part(tmp_path):
    nb = _notebook(tmp_path, ["print('y' * 1_000_000)"], start=SOLUTION)
    g = _grade(tmp_path, "shouter", nb)
    texts = "".join(o.get("text", "") for o in g.executed.cells[-1].outputs)
    assert texts.count("y") >= 150_000 and "[output truncated" in texts


# -- after the second round ---------------------------------------------------------------------
def test_a_typed_answer_is_what_it_was_when_its_check_ran(tmp_path):
    nb = nbformat.read(EXERCISE, as_version=4)
    sol = nbformat.read(SOLUTION, as_version=4)
    nb.cells = [*sol.cells[:2]]
    nb.cells.append(_code("k = 29"))
    nb.cells.append(nbformat.v4.new_code_cell("ex.q6.check(k)", metadata={"tags": ["q6"]}))
    nb.cells.append(_code("for k, label in [(1.2, 'a')]:\n    pass"))
    g = _grade(tmp_path, "reuser", nb)
    q6 = next(r for r in g.results if r.id.endswith(".q6"))
    direct = __import__("gdcourse.lessons.lr_exploration", fromlist=["q6"]).q6.check(29)
    assert q6.outcome == direct.outcome, q6.message


def test_another_exercise_in_a_batch_is_flagged_not_graded_on_its_own(tmp_path):
    from gdcourse.instructor.grading import grade_submissions, submission_files

    root = tmp_path / "subs"
    root.mkdir()
    for name in ("alice", "bob"):
        nbformat.write(nbformat.read(SOLUTION, as_version=4), root / f"{name}.ipynb")
    welcome = (
        nbformat.read(ROOT / "solutions" / "00_welcome_practice.ipynb", as_version=4)
        if (ROOT / "solutions" / "00_welcome_practice.ipynb").exists()
        else None
    )
    if welcome is None:
        welcome = nbformat.read(sorted((ROOT / "solutions").glob("01_*.ipynb"))[0], as_version=4)
    nbformat.write(welcome, root / "mallory.ipynb")
    graded = grade_submissions(submission_files([root]), workers=1)
    by = {g.student: g for g in graded}
    assert by["mallory"].status == "wrong_lesson", by["mallory"].detail
    assert by["mallory"].max_total == HONEST_FULL and by["mallory"].total == 0


@pytest.mark.parametrize(
    "source",
    [
        "import gdcourse.checks.questions as Qm\nQm.record_calls = lambda *a: None",
        "descent_weights = ex.q1.reference",
        "import IPython.display as d\nd.display = print",
        "import inspect\nframes = inspect.stack()",
    ],
)
def test_reaching_into_the_grading_is_named_for_review(source):
    from gdcourse.instructor.grading import _reaches_into_grading

    nb = nbformat.v4.new_notebook(cells=[_code("x = 1  # .reference and kernel_side in a comment")])
    assert _reaches_into_grading(nb) == ""
    nb.cells.append(_code(source))
    assert "review: cell 2" in _reaches_into_grading(nb)


# -- after the second sandbox round: the trusted side under messages built to break it ------------
def _sender(msg_type: str, content: str) -> str:
    return (
        "k = get_ipython().kernel\n"
        f"k.session.send(k.iopub_socket, {msg_type!r}, content={content}, "
        "parent=k.get_parent(), ident=b'x')\nNone"
    )


def test_a_lone_surrogate_cannot_stop_the_batch(tmp_path, capsys):
    from gdcourse.cli import main

    root = tmp_path / "subs"
    root.mkdir()
    nb = _notebook(
        tmp_path,
        [_sender("error", 'b\'{"ename":"Oops","evalue":"\\\\ud800","traceback":[]}\'')],
        start=SOLUTION,
    )
    nbformat.write(nb, root / "surrogate.ipynb")
    out = tmp_path / "out"
    assert main(["grade", str(root), "--out", str(out), "--workers", "1"]) == 0
    assert "surrogate" in (out / "gradebook.csv").read_text(encoding="utf-8")
    assert (out / "feedback" / "surrogate.html").is_file()


def test_a_huge_or_forged_kernel_message_costs_only_its_cell(tmp_path):
    cells = [
        _sender("display_data", "b'{\"data\":{\"text/plain\":\"' + b'A' * 20_000_000 + b'\"}}'"),
        _sender(
            "execute_input", 'b\'{"code":"","execution_count":"\' + b\'B\' * 1_000_000 + b\'"}\''
        ),
        "from jupyter_client.session import Session\nk = get_ipython().kernel\n"
        "Session(key=b'wrong').send(k.iopub_socket, 'stream', "
        "{'name': 'stdout', 'text': 'x'}, parent=k.get_parent())",
    ]
    g = _grade(tmp_path, "sender", _notebook(tmp_path, cells, start=SOLUTION), timeout=5)
    assert g.status != "grader_error", g.detail
    assert len(json.dumps(g.executed)) < 6_000_000
    assert g.total == HONEST_FULL


def test_records_built_to_cost_the_grader_quadratic_time_are_refused():
    import time

    from gdcourse.checks.plain import PlainDataError, from_plain
    from gdcourse.instructor.grading import _setting_cell

    many = {"t": "set", "v": [{"t": "decimal", "v": str(k * (2**61 - 1))} for k in range(1, 3000)]}
    with pytest.raises(PlainDataError):
        from_plain(many)
    nb = nbformat.v4.new_notebook(cells=[_code("import time\ntime.sleep(30)" + "\n" * 100_000)])
    start = time.monotonic()
    assert _setting_cell(nb, "steps_needed", {0: ("timeout", "cell 1 ran long")}) is None
    assert time.monotonic() - start < 2


def test_a_notebook_built_to_exhaust_the_parsers_gets_a_row(tmp_path):
    deep = tmp_path / "subs" / "deep.ipynb"
    deep.parent.mkdir()
    deep.write_text("[" * 100_000 + "]" * 100_000)
    g = grade_submission(deep)
    assert g.status == "not_json", g.detail
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell("x = 1" + " + 1" * 200_000, metadata={"tags": ["q6"]})
    )
    g = _grade(tmp_path, "parser", nb)
    assert g.status != "grader_error", g.detail
