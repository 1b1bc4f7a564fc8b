"""The Gradescope autograder: built for every lesson with an exercise, in Gradescope's layout, and
run here as Gradescope runs it (``AUTOGRADER_ROOT`` standing in for ``/autograder``) on a full, a
partial, a blank and a forged submission, in the sandbox and as an unprivileged user (what a
container that refuses namespaces gives). Each test names what a student or an instructor would
see go wrong if it failed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

from gdcourse.instructor import sandbox
from gdcourse.instructor.gradescope import CONFIG, build_autograder, results_for
from gdcourse.instructor.grading import GradeError, grade_submissions, load_hidden_checks

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"
EXERCISE = ROOT / "exercises" / "03_lr_exploration.ipynb"
SECRET = "HIDDEN_CODE_5e1f"  # in the hidden check's code only: never in any output
HIDDEN = f"""
from gdcourse.checks import NumberQuestion
LESSON = "lr_exploration"
_WORD = "{SECRET}"
h1 = NumberQuestion(
    lesson="lr_exploration", name="h1", answer_var="w_05", prompt="Weights at rate 0.5, again.",
    hints=("Run it.",), solution_code="", points=1,
    expected=lambda: [8.0, 2.0, 2.0, 2.0, 2.0],
)
"""
FULL = 13  # exercise 03's 12 points and the hidden check's 1
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def _on_ci_or_skip(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this: {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def zip_03(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("autograder")
    hidden = base / "hidden_03.py"
    hidden.write_text(HIDDEN)
    out = base / "autograder.zip"
    build_autograder("03", out, ROOT, [hidden])
    return out


def _root() -> Path:
    """A stand-in for /autograder that an unprivileged user could enter (as /autograder is)."""
    root = Path(tempfile.mkdtemp(prefix="gdag-", dir="/tmp"))
    os.chmod(root, 0o755)
    return root


def _run(zip_path: Path, files, *, python=None, env=()):
    """Run run_autograder as Gradescope would on ``files`` (or ``files(root)``): returns
    (results, its log, root)."""
    root = _root()
    files = files(root) if callable(files) else files
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir(exist_ok=True)
    (root / "submission_metadata.json").write_text('{"users": [{"name": "META_SECRET_7d"}]}')
    for name, data in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            nbformat.write(data, path)
    run_env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "GDCOURSE_PYTHON": python or sys.executable,
        **dict(env),
    }
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="ascii"))
    return results, done.stdout + done.stderr, root


def _check_schema(results: dict) -> None:
    """results.json as Gradescope's specification reads it."""
    assert isinstance(results["score"], int | float)
    assert isinstance(results["execution_time"], int) and results["execution_time"] >= 0
    assert isinstance(results["output"], str)
    assert results["visibility"] in VISIBILITY
    assert results["stdout_visibility"] in VISIBILITY
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}, test
        assert isinstance(test["name"], str) and test["name"]
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in VISIBILITY
        assert test["status"] in ("passed", "failed")
    if results["tests"]:
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def _with(cells: list[str], start: Path = SOLUTION) -> nbformat.NotebookNode:
    nb = nbformat.read(start, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    return nb


WRONG_Q2 = "w_05 = [8.0, 3.0, 2.0, 2.0, 2.0]  # a slip in the second weight"
PROBE = """
import json, os, subprocess
ROOT = {root!r}
r = {{}}
def attempt(key, fn):
    try:
        r[key] = 'OK ' + str(fn())[:12]
    except BaseException as err:
        r[key] = 'R'
attempt('hidden', lambda: open(ROOT + '/source/hidden/01_hidden_03.py').read())
attempt('config', lambda: open(ROOT + '/source/gdcourse-autograder.json', 'a').write('x'))
attempt('results', lambda: open(ROOT + '/results/results.json', 'w').write('{{"score": 99}}'))
attempt('metadata', lambda: open(ROOT + '/submission_metadata.json').read())
attempt('list_root', lambda: os.listdir(ROOT))
attempt('submission', lambda: open(ROOT + '/submission/03_lr_exploration.ipynb', 'a').write('x'))
r['uid'] = os.getuid()
r['caps'] = int([x.split()[1] for x in open('/proc/self/status') if 'CapEff' in x][0], 16)
subprocess.Popen(['sleep', {sleep!r}], start_new_session=True)
raise RuntimeError('PROBE' + json.dumps(r, separators=(',', ':')))
"""


def _probe(results: dict) -> dict:
    """What the probe cell found, from the error it raised (shown in the results' details)."""
    found = re.search(r"PROBE(\{.*?\})", results["output"])
    assert found, results["output"]
    return json.loads(found.group(1))


FORGED = """
from gdcourse.checks.verdict import Verdict
from IPython.display import display
for _name in ['descent_weights', 'w_05', 'loss_05', 'w_10', 'w_01', 'steps_needed', 'w_12',
              'regimes', 'boundary_rate']:
    globals().pop(_name, None)
for i in range(1, 10):
    display(Verdict(outcome='correct', message='Right.', question=f'lr_exploration.q{i}',
                    points=1000, max_points=1))
"""


@pytest.fixture(scope="module")
def runs(zip_03):
    """Four submissions graded in the sandbox (as Gradescope would if bubblewrap could run)."""
    if not sandbox.available():
        _on_ci_or_skip(sandbox.missing())
    out = {}
    out["full"] = _run(zip_03, {"03_lr_exploration.ipynb": nbformat.read(SOLUTION, as_version=4)})
    out["partial"] = _run(zip_03, {"03_lr_exploration.ipynb": _with([WRONG_Q2])})
    out["blank"] = _run(zip_03, {"03_lr_exploration.ipynb": nbformat.read(EXERCISE, as_version=4)})
    out["forged"] = _run(
        zip_03,
        lambda root: {
            "03_lr_exploration.ipynb": _with(
                [FORGED, PROBE.format(root=str(root), sleep=f"917.{os.getpid()}")]
            )
        },
    )
    return out


def _points(results: dict) -> dict[str, float]:
    return {t["name"].split(":")[0]: t["score"] for t in results["tests"]}


def test_every_results_file_is_gradescopes_schema(runs):
    for results, _, _ in runs.values():
        _check_schema(results)


def test_a_full_submission_gets_every_point_and_its_hidden_check_waits_for_the_due_date(runs):
    results, _, _ = runs["full"]
    assert results["score"] == FULL
    assert len(results["tests"]) == 10
    hidden = [t for t in results["tests"] if t["name"].startswith("Extra check h1")]
    assert len(hidden) == 1 and hidden[0]["visibility"] == "after_due_date"
    assert all(t["visibility"] == "visible" for t in results["tests"] if t not in hidden)
    assert all(t["status"] == "passed" for t in results["tests"])
    assert "Score: 12 of 12 points on the checks shown now" in results["output"]
    assert "1 extra check from your instructor (1 point) is shown after" in results["output"]


def test_a_partial_submission_loses_that_answers_point_and_is_told_which(runs):
    results, _, _ = runs["partial"]
    points = _points(results)
    assert points["q2"] == 0 and results["score"] == FULL - 1 - 1  # q2 and h1 read w_05
    q2 = next(t for t in results["tests"] if t["name"].startswith("q2"))
    assert q2["status"] == "failed" and "Not yet" in q2["output"]
    assert "To look at again: q2." in results["output"]
    assert "h1" not in results["output"]  # the hidden check's result waits for its test


def test_the_autograder_grades_as_gdcourse_grade_does(runs, tmp_path, zip_03):
    """Same points and the same message per question as `gdcourse grade` on that file."""
    path = tmp_path / "03_lr_exploration.ipynb"
    nbformat.write(_with([WRONG_Q2]), path)
    hidden = tmp_path / "hidden_03.py"
    hidden.write_text(HIDDEN)
    (g,) = grade_submissions([path], hidden=[load_hidden_checks(hidden)], workers=1)
    results, _, _ = runs["partial"]
    by_name = {
        t["name"].split(":")[0].replace("Extra check ", "").split(" ")[0]: t
        for t in results["tests"]
    }
    for r in g.results:
        test = by_name[r.id.rsplit(".", 1)[-1]]
        assert test["score"] == round(r.points, 2) and test["max_score"] == r.max_points
        first = r.message.split("\n")[0]
        assert first in test["output"]


def test_a_blank_submission_scores_zero_with_every_question_listed(runs):
    results, _, _ = runs["blank"]
    assert results["score"] == 0 and len(results["tests"]) == 10
    assert all(t["status"] == "failed" for t in results["tests"])


def test_forged_verdicts_and_writes_to_the_autograder_earn_nothing(runs, zip_03):
    results, _, root = runs["forged"]
    assert results["score"] == 0  # the answers were removed; displayed verdicts count for nothing
    assert results["tests"] and all(t["score"] == 0 for t in results["tests"])
    probe = _probe(results)
    for what in ("hidden", "config", "results", "metadata", "submission"):
        assert probe[what] == "R", probe
    assert probe["list_root"] in ("R", "OK ['course']"), probe  # the course's folder, bound in
    assert probe["uid"] != 0 and probe["caps"] == 0
    with zipfile.ZipFile(zip_03) as zf:
        assert (root / "source" / CONFIG).read_bytes() == zf.read(CONFIG)


def test_no_output_holds_hidden_code_or_gradescopes_metadata(runs):
    for results, log, _ in runs.values():
        text = json.dumps(results)
        assert SECRET not in text and "expected=lambda" not in text
        assert "META_SECRET_7d" not in text
        assert SECRET not in log


def test_the_results_say_which_protections_were_in_force(runs):
    results, _, _ = runs["full"]
    assert "While it ran:" in results["output"] and "sandbox (bubblewrap)" in results["output"]


# -- as an unprivileged user, without bubblewrap -------------------------------------------------
def _reachable_python(base: Path) -> str:
    """A Python every user may run, with this environment's packages: this one if it is, else a
    venv of the system's Python of the same version (Gradescope's Python is under /usr)."""
    check = [
        sys.executable,
        "-c",
        "from gdcourse.instructor import sandbox; print(sandbox.out_of_reach())",
    ]
    seen = subprocess.run(
        check, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    if seen.stdout.strip() == "[]":
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        _on_ci_or_skip(f"no {system} for a Python every user may run")
    venv = base / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    mine = (
        venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    )
    probe = [str(venv / "bin" / "python"), "-c", "import sys; print(sys.prefix)"]
    subprocess.run(probe, check=True, capture_output=True)
    from gdcourse.instructor.sandbox import _others_may

    if _others_may(site, os.R_OK | os.X_OK):
        (mine / "gdcourse-test.pth").write_text(f"{site}\n")
    else:  # this checkout's environment is root's alone: a copy of what grading imports
        skip = shutil.ignore_patterns("playwright*", "pandas*", "babel*", "__pycache__", "ruff*")
        shutil.copytree(site, mine, dirs_exist_ok=True, ignore=skip)
    os.chmod(base, 0o755)
    return str(venv / "bin" / "python")


@pytest.fixture(scope="module")
def as_user(zip_03, tmp_path_factory):
    if os.geteuid() != 0:
        _on_ci_or_skip("the unprivileged-user mode needs the grader to be root (as on Gradescope)")
    python = _reachable_python(_root())
    sleep = f"918.{os.getpid()}"
    results, log, root = _run(
        zip_03,
        lambda root: {
            "03_lr_exploration.ipynb": _with([PROBE.format(root=str(root), sleep=sleep)])
        },
        python=python,
        env={sandbox.MODE_ENV: "user"},
    )
    survivors = subprocess.run(["pgrep", "-f", f"sleep {sleep}"], capture_output=True, text=True)
    return {"results": results, "log": log, "root": root, "survivors": survivors.stdout}


def test_as_an_unprivileged_user_the_submission_is_graded_in_full(as_user):
    results = as_user["results"]
    _check_schema(results)
    assert results["score"] == FULL, as_user["log"]
    assert "unprivileged user" in results["output"]
    assert "could use the network" in results["output"]  # said, not hidden


def test_as_an_unprivileged_user_nothing_of_the_grader_is_in_reach(as_user, zip_03):
    probe = _probe(as_user["results"])
    for what in ("hidden", "config", "results", "metadata", "list_root", "submission"):
        assert probe[what] == "R", probe
    assert probe["uid"] != 0 and probe["caps"] == 0
    with zipfile.ZipFile(zip_03) as zf:
        assert (as_user["root"] / "source" / CONFIG).read_bytes() == zf.read(CONFIG)
    assert SECRET not in json.dumps(as_user["results"]) and "META_SECRET_7d" not in as_user["log"]


def test_as_an_unprivileged_user_nothing_it_started_outlives_grading(as_user):
    assert as_user["survivors"] == ""


@pytest.mark.parametrize("asked", [False, True])
def test_without_bubblewrap_root_runs_kernels_as_a_user_only_where_it_can(monkeypatch, asked):
    """As root without a sandbox: an unprivileged user where that user can run this Python; where
    it cannot, the kernel runs as the grader (and the warning says why), unless
    GDCOURSE_SANDBOX=user asked for the user, and then grading refuses, naming what is out of
    reach."""
    from gdcourse.instructor.grading import unreachable_python

    monkeypatch.setattr(sandbox, "available", lambda: False)
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    monkeypatch.setattr(sandbox.sys, "platform", "linux")
    if asked:
        monkeypatch.setenv(sandbox.MODE_ENV, "user")
    else:
        monkeypatch.delenv(sandbox.MODE_ENV, raising=False)
    monkeypatch.setattr(sandbox, "out_of_reach", lambda: [])
    assert sandbox.as_user() and unreachable_python() == ""
    assert "unprivileged user of its own" in sandbox.missing()
    monkeypatch.setattr(sandbox, "out_of_reach", lambda: [Path("/root/.pyenv/bin/python")])
    if asked:
        assert sandbox.as_user()
        assert "/root/.pyenv/bin/python" in unreachable_python()
    else:
        assert not sandbox.as_user() and unreachable_python() == ""
        assert "only root can read" in sandbox.missing()
        assert "ran as the grader's own user" in sandbox.protections()[-1]


def test_the_autograder_never_runs_a_kernel_as_root_beside_the_hidden_checks(zip_03):
    """As root with no sandbox and a Python its user cannot reach, the autograder does not grade
    (as root the notebook could read the hidden checks): the result says why, with no points."""
    if os.geteuid() != 0:
        pytest.skip("only a grader running as root could run a kernel as root")
    seen = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gdcourse.instructor import sandbox as s; print(s.out_of_reach())",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if seen.stdout.strip() == "[]":
        pytest.skip("this Python is one every user may run: nothing is out of reach")
    # A machine without bubblewrap: every program of this one's on the PATH but bwrap.
    tools = Path(tempfile.mkdtemp(prefix="gdag-bin-"))
    for folder in ("/usr/local/bin", "/usr/bin"):
        for program in Path(folder).iterdir():
            if program.name != "bwrap" and not (tools / program.name).exists():
                (tools / program.name).symlink_to(program)
    solution = nbformat.read(SOLUTION, as_version=4)
    env = {"PATH": str(tools)}
    results, log, _ = _run(zip_03, {"03_lr_exploration.ipynb": solution}, env=env)
    shutil.rmtree(tools)
    _check_schema(results)
    assert results["score"] == 0 and "cannot reach" in results["output"], log
    assert SECRET not in json.dumps(results)


# -- the zip ---------------------------------------------------------------------------------------
EXERCISES = sorted(p.name for p in (ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_an_autograder_is_built_for_every_lesson_with_an_exercise(exercise, tmp_path):
    out = tmp_path / "autograder.zip"
    built = build_autograder(exercise[:2], out, ROOT)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        config = json.loads(zf.read(CONFIG))
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        zf.extractall(tmp_path / "x")
    assert {"setup.sh", "run_autograder", CONFIG} <= set(names)  # at the zip's root
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert config["exercise_file"] == exercise == built.exercise_file
    assert f"course/exercises/{exercise}" in names and "course/gdcourse/__init__.py" in names
    assert not [n for n in names if "solutions/" in n or n.startswith("course/notebooks/")]
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(tmp_path / "x" / script)], capture_output=True)
        assert done.returncode == 0, done.stderr


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_setup_installs_only_packages_pinned_in_constraints(zip_03):
    """Every package setup.sh installs (the course's requirements and all they pull in) is
    pinned in constraints.txt at the version this environment, which the tests ran, has."""
    from packaging.requirements import Requirement

    with zipfile.ZipFile(zip_03) as zf:
        setup = zf.read("setup.sh").decode()
        requirements = zf.read("course/requirements.txt").decode().split()
        assert zf.read("course/constraints.txt") == (ROOT / "constraints.txt").read_bytes()
    lines = [line for line in setup.splitlines() if not line.lstrip().startswith("#")]
    installs = [n for n, line in enumerate(lines) if re.search(r"\bpip install\b", line)]
    assert installs, "setup.sh installs nothing with pip"
    for n in installs:
        whole = lines[n] + lines[n + 1]  # the command goes on past a backslash
        assert "constraints.txt" in whole and "-r" in whole and "requirements.txt" in whole
    pins = _pins()
    todo = [Requirement(r) for r in requirements]
    for r in todo:
        assert str(r.specifier).startswith("=="), f"{r} is not pinned"
    seen: set[str] = set()
    while todo:
        r = todo.pop()
        key = re.sub(r"[-_.]+", "-", r.name).lower()
        if key in seen or (r.marker is not None and not r.marker.evaluate({"extra": ""})):
            continue
        seen.add(key)
        assert key in pins, f"{r.name} (installed by setup.sh) is not pinned in constraints.txt"
        assert pins[key] == metadata.version(r.name), f"{r.name}: tested with another version"
        todo += [Requirement(x) for x in metadata.requires(r.name) or []]
    assert {"numpy", "matplotlib", "ipykernel", "nbclient"} <= seen


def test_building_refuses_what_cannot_be_an_autograder(tmp_path):
    with pytest.raises(GradeError, match="unknown lesson 'learnin'"):
        build_autograder("learnin", tmp_path / "a.zip", ROOT)
    other = tmp_path / "hidden_04.py"
    other.write_text(HIDDEN.replace('"lr_exploration"', '"many_parameters_practice"'))
    with pytest.raises(GradeError, match="is for 'many_parameters_practice', not 'lr_exploration'"):
        build_autograder("03", tmp_path / "a.zip", ROOT, [other])
    (tmp_path / "a.zip").write_bytes(b"earlier")
    with pytest.raises(GradeError, match="exists; choose another --out, or add --force"):
        build_autograder("03", tmp_path / "a.zip", ROOT)
    assert (tmp_path / "a.zip").read_bytes() == b"earlier"
    with pytest.raises(GradeError, match="is a folder"):
        build_autograder("03", tmp_path, ROOT)
    with pytest.raises(GradeError, match="--memory-mb must be at least 256"):
        build_autograder("03", tmp_path / "b.zip", ROOT, memory_mb=10)
    built = build_autograder("03", tmp_path / "a.zip", ROOT, force=True)
    assert built.points == 12 and zipfile.is_zipfile(tmp_path / "a.zip")


def test_a_hidden_check_file_given_twice_is_refused_not_counted_twice(tmp_path):
    hidden = tmp_path / "hidden_03.py"
    hidden.write_text(HIDDEN)
    with pytest.raises(GradeError, match="is given twice: give each file once"):
        build_autograder("03", tmp_path / "a.zip", ROOT, [hidden, hidden])
    assert not (tmp_path / "a.zip").exists()
    with pytest.raises(GradeError, match="is a folder: give the Python file itself"):
        build_autograder("03", tmp_path / "a.zip", ROOT, [tmp_path])


@pytest.mark.parametrize("points", ["float('nan')", "-5", "0", "True", "'2'"])
def test_a_hidden_check_worth_no_sensible_points_is_refused(tmp_path, points):
    hidden = tmp_path / "hidden_03.py"
    hidden.write_text(HIDDEN.replace("points=1,", f"points={points},"))
    with pytest.raises(GradeError, match="points must be a finite number above 0"):
        build_autograder("03", tmp_path / "a.zip", ROOT, [hidden])


def _course_copy(base: Path, git: bool) -> Path:
    """The course's own files in a folder of their own (a git clone of this checkout, or a
    plain copy without git), to build an autograder from."""
    course = base / "course"
    if git and (ROOT / ".git").exists():
        subprocess.run(["git", "clone", "-q", str(ROOT), str(course)], check=True)
        for name in ("gdcourse", "exercises"):  # this checkout's files as they are now
            shutil.copytree(ROOT / name, course / name, dirs_exist_ok=True)
        tracked = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "gdcourse"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        subprocess.run(["git", "-C", str(course), "add", "--", *tracked], check=True)
        return course
    skip = shutil.ignore_patterns(".git", "__pycache__", ".venv", "my-work")
    course.mkdir()
    for name in ("gdcourse", "exercises", "notebooks"):
        shutil.copytree(ROOT / name, course / name, ignore=skip)
    for name in ("pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, course / name)
    return course


@pytest.mark.parametrize("git", [True, False], ids=["git-checkout", "plain-folder"])
def test_no_hidden_check_or_stray_file_ships_in_the_course(tmp_path, git):
    """Every kernel can read the course the zip ships: a hidden-check file inside the package,
    a copy of one anywhere in it, or (in a checkout) a file git does not track, is refused; a
    dotfile never ships."""
    if git and not (ROOT / ".git").exists():
        pytest.skip("this course folder is not a git checkout")
    course = _course_copy(tmp_path, git)
    (course / "gdcourse" / ".env").write_text("TOKEN=" + SECRET)
    inside = course / "gdcourse" / "lessons" / "hidden_03.py"
    inside.write_text(HIDDEN)
    with pytest.raises(GradeError, match="inside the course's package"):
        build_autograder("03", tmp_path / "a.zip", course, [inside])
    outside = tmp_path / "hidden_03.py"
    outside.write_text(HIDDEN)
    if git:
        with pytest.raises(GradeError, match=r"does not track \(gdcourse/lessons/hidden_03\.py\)"):
            build_autograder("03", tmp_path / "a.zip", course, [outside])
        (course / "gdcourse" / ".env").unlink()
        subprocess.run(["git", "-C", str(course), "add", str(inside)], check=True)
    with pytest.raises(GradeError, match="holds a hidden-check file's code"):
        build_autograder("03", tmp_path / "a.zip", course, [outside])
    inside.write_text(HIDDEN.replace("Run it.", "Run it!") + "\n# v2\n")  # a copy, edited
    if git:
        subprocess.run(["git", "-C", str(course), "add", str(inside)], check=True)
    with pytest.raises(GradeError, match="holds a hidden-check file's code"):
        build_autograder("03", tmp_path / "a.zip", course, [outside])
    inside.unlink()
    if git:
        subprocess.run(["git", "-C", str(course), "rm", "-q", "--cached", str(inside)], check=True)
    lesson = course / "gdcourse" / "lessons" / "lr_exploration.py"
    kept = lesson.read_text()
    # One of its strings (not a name: the course has those too) pasted into a course file.
    lesson.write_text(kept + '\n_PROMPT = "Weights at rate 0.5, again."\n')
    with pytest.raises(GradeError, match=re.escape("its text 'Weights at rate 0.5, again.'")):
        build_autograder("03", tmp_path / "a.zip", course, [outside])
    lesson.write_text(kept)
    build_autograder("03", tmp_path / "a.zip", course, [outside])
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        names = zf.namelist()
        shipped = b"".join(zf.read(n) for n in names if n.startswith("course/"))
    assert not any(Path(n).name.startswith(".") for n in names), names
    assert SECRET.encode() not in shipped


def test_the_command_says_what_to_do_on_gradescope(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdcourse.cli",
            "autograder",
            "03",
            "--out",
            str(tmp_path / "g.zip"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "students upload 03_lr_exploration.ipynb" in done.stdout
    assert "worth 12 points" in done.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "gdcourse.cli",
            "autograder",
            "99",
            "--out",
            str(tmp_path / "h.zip"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("gdcourse autograder: unknown lesson")
    assert "Traceback" not in bad.stderr


def test_the_guides_gradescope_example_is_what_the_autograder_does(tmp_path):
    """docs/instructor.md shows the command's output and a results.json from a real run: both
    are what this course's autograder prints and writes today, for the guide's hidden check."""
    if not sandbox.available():
        _on_ci_or_skip(sandbox.missing())
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    hidden = tmp_path / "hidden_03.py"
    code = re.search(r'```python\n("""Extra checks for exercise 03.*?)```', guide, re.S)
    hidden.write_text(code.group(1))
    command = "$ gdcourse autograder 03 --hidden hidden_03.py --out autograder.zip\n"
    shown = guide[guide.index(command) + len(command) :].split("```")[0]
    argv = [sys.executable, "-m", "gdcourse.cli", "autograder", "03", "--hidden", "hidden_03.py"]
    done = subprocess.run(
        [*argv, "--out", "autograder.zip"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert [line.strip() for line in shown.strip().splitlines()] == done.stdout.strip().splitlines()
    at = guide.index("Here is a submission with one slip")
    example = json.loads(guide[guide.index("```json\n", at) + 8 :].split("```")[0])
    results, _, _ = _run(
        tmp_path / "autograder.zip", {"03_lr_exploration.ipynb": _with([WRONG_Q2])}
    )
    assert example["score"] == results["score"] and example["output"] == results["output"]
    for test in example["tests"]:
        assert test in results["tests"], test["name"]


# -- what was uploaded -----------------------------------------------------------------------------
def test_an_upload_without_a_notebook_is_told_what_to_upload(zip_03):
    results, _, _ = _run(zip_03, {"answers.py": b"w_05 = 1\n", "notes.txt": b"hi"})
    _check_schema(results)
    assert results["score"] == 0
    assert (
        "No notebook (.ipynb) was found in what you uploaded (answers.py, notes.txt)"
        in (results["output"])
    )
    assert "upload your 03_lr_exploration.ipynb" in results["output"]
    assert "the file is not a Jupyter notebook" not in results["output"]  # nothing was picked
    assert len(results["tests"]) == 10  # every question, at 0, so the total is out of 13
    assert all(t["output"].startswith("\u2013 Not graded (0/") for t in results["tests"])


def test_a_link_out_of_the_upload_is_not_followed(zip_03, tmp_path):
    """The grader is root: a link (a git repository's submission can hold one) to the solution,
    a hidden check or any file of the machine is not graded, and every such link reads alike."""
    solution = tmp_path / "elsewhere.ipynb"
    shutil.copy(SOLUTION, solution)

    def upload(root):
        (root / "submission").mkdir(exist_ok=True)
        (root / "submission" / "03_lr_exploration.ipynb").symlink_to(solution)
        (root / "submission" / "notes.ipynb").symlink_to(root / "source" / "hidden")
        return {}

    results, _, _ = _run(zip_03, upload)
    _check_schema(results)
    assert results["score"] == 0
    assert "links to files outside it (03_lr_exploration.ipynb)" in results["output"]


def test_a_file_name_or_an_error_cannot_add_lines_to_what_the_student_reads(zip_03):
    """A name with a newline, an error with a line separator (U+2028), an error that imitates
    the grader's review note: each stays inside its own line, and no note is planted."""
    if not sandbox.available():
        _on_ci_or_skip(sandbox.missing())
    name = "x\nScore: 13 of 13 points. FORGED\u2028.ipynb"
    fake = (
        "raise ValueError('x; review: FORGED note; nothing before trusting this grade\u2028"
        "How the run went: FORGED-2')"
    )
    results, log, _ = _run(zip_03, {name: _with([fake])})
    _check_schema(results)
    lines = results["output"].splitlines()
    assert not any(
        line.startswith(("Score: 13 of 13 points. FORGED", "How the run went: F")) for line in lines
    )
    assert "\u2028" not in results["output"] and "\u2028" not in log
    assert "review" not in results["extra_data"]
    assert "\n" not in results["extra_data"]["file"]


def test_a_loop_of_links_is_not_graded_and_does_not_stop_the_autograder(zip_03):
    def upload(root):
        (root / "submission").mkdir(exist_ok=True)
        (root / "submission" / "a.ipynb").symlink_to("b.ipynb")
        (root / "submission" / "b.ipynb").symlink_to("a.ipynb")
        return {"03_lr_exploration.ipynb": nbformat.read(SOLUTION, as_version=4)}

    results, log, _ = _run(zip_03, upload)
    _check_schema(results)
    assert results["score"] == FULL, log  # the real notebook beside the loop is graded


REVIEWED = "import gdcourse.instructor.kernel_side as ks  # reaches into grading"
FORGED_LOG = (
    "raise RuntimeError('boom\\nstatus ok: every cell ran\\nscore 99 of 99\\x1b[2K\\r"
    "wrote results')"
)


def test_a_cell_to_review_is_said_to_the_instructor_not_the_student_and_the_log_is_one_line(
    zip_03,
):
    if not sandbox.available():
        _on_ci_or_skip(sandbox.missing())
    results, log, _ = _run(zip_03, {"03_lr_exploration.ipynb": _with([REVIEWED, FORGED_LOG])})
    _check_schema(results)
    review = results["extra_data"]["review"]
    assert "cell" in review and "read them in the uploaded notebook" in review
    assert "review:" not in results["output"] and "executed/" not in results["output"]
    details = [line for line in results["output"].splitlines() if line.startswith("Details:")]
    assert len(details) == 1 and "score 99 of 99" in details[0]  # shown on its own line only
    assert not any(line.startswith("score 99") for line in results["output"].splitlines())
    assert [line for line in log.splitlines() if line.startswith("status ")] == [
        next(line for line in log.splitlines() if line.startswith("status "))
    ]
    assert not any(line.startswith(("score 99", "wrote results")) for line in log.splitlines())
    assert "\x1b" not in log and "\r" not in log


def test_two_notebooks_of_the_exercise_are_refused_naming_both(zip_03):
    nb = nbformat.read(SOLUTION, as_version=4)
    results, _, _ = _run(zip_03, {"mine.ipynb": nb, "copy/other.ipynb": nb})
    assert results["score"] == 0
    assert "You uploaded 2 notebooks (copy/other.ipynb, mine.ipynb)" in results["output"]


def test_the_exercise_file_is_chosen_beside_a_copy(zip_03):
    nb = nbformat.read(SOLUTION, as_version=4)
    blank = nbformat.read(EXERCISE, as_version=4)
    results, _, _ = _run(
        zip_03, {"03_lr_exploration.ipynb": nb, "03_lr_exploration-Copy1.ipynb": blank}
    )
    assert results["score"] == FULL
    assert (
        "Graded 03_lr_exploration.ipynb; 1 other notebook you uploaded was not graded."
        in (results["output"])
    )


def test_another_exercises_notebook_is_not_graded_and_says_so(zip_03):
    other = nbformat.read(ROOT / "solutions" / "04_many_parameters_practice.ipynb", as_version=4)
    results, _, _ = _run(zip_03, {"04_many_parameters_practice.ipynb": other})
    assert results["score"] == 0
    assert (
        "04_many_parameters_practice.ipynb is another exercise's notebook (04 · "
        in results["output"]
    )
    assert (
        "upload your 03_lr_exploration.ipynb from 03 · Exploring the learning rate."
        in (results["output"])
    )
    assert "--lesson" not in results["output"]  # an instructor's option is no help to a student


def test_a_damaged_autograder_still_writes_a_result_that_says_so(zip_03, tmp_path):
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(zip_03) as zf, zipfile.ZipFile(broken, "w") as out:
        for info in zf.infolist():
            out.writestr(info, b"{not json" if info.filename == CONFIG else zf.read(info))
    results, _, _ = _run(broken, {"03_lr_exploration.ipynb": b"{}"})
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("The autograder could not grade this submission (not your")
    assert "rebuild the autograder with `gdcourse autograder`" in results["output"]


def test_text_a_notebook_sent_cannot_break_the_results_file():
    from gdcourse.instructor.grading import GradedSubmission, QuestionResult

    r = QuestionResult("lr_exploration.q1", "incorrect", 0, 2, "bad \udcff and \x1b[2J", "h", "p")
    g = GradedSubmission("s", "f.ipynb", "lr_exploration", "ok", "", [r])
    data = results_for(g, seconds=1.4, protections=["x"])
    text = json.dumps(data, ensure_ascii=True)
    json.loads(text)
    assert "\\x1b" in data["tests"][0]["output"] and "\x1b" not in data["tests"][0]["output"]
    assert "\udcff" not in data["tests"][0]["output"]
    assert data["execution_time"] == 1
