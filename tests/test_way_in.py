"""The way in is the safe one: `make lab` and `gdcourse lab` open the student's own copy in
my-work/ (made on first use, never overwritten), authors open the originals on purpose, and a copy
that git would track gets a note.

No server is started: the command that would start JupyterLab is captured instead.
"""

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gdcourse import cli

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p.relative_to(ROOT) for d in ("notebooks", "exercises") for p in (ROOT / d).glob("*.ipynb")
)
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the course's layout in a scratch folder, as the current folder."""
    root = tmp_path / "course"
    for folder in ("notebooks", "exercises", "solutions"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def lab(monkeypatch):
    """Run ``gdcourse ...`` and return the JupyterLab command it would have run (or None)."""
    ran = []
    monkeypatch.setattr(cli, "_run", lambda cmd: ran.append(cmd) or 0, raising=False)

    def run(*argv):
        ran.clear()
        assert cli.main(list(argv)) == 0
        return ran[0] if ran else None

    return run


def _option(cmd: list[str], name: str) -> str:
    (value,) = [a.split("=", 1)[1] for a in cmd if a.startswith(f"--{name}=")]
    return value


def _make_n(*args: str) -> str:
    """What ``make -n`` would run (nothing is run)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def _lab_line(out: str) -> list[str]:
    """The recipe line that starts JupyterLab, as arguments."""
    lines = [line for line in out.splitlines() if "gdcourse lab" in line]
    assert len(lines) == 1, f"the recipe does not run `gdcourse lab` once:\n{out}"
    return shlex.split(lines[0])


# -- make lab -------------------------------------------------------------------------------


@needs_make
def test_make_lab_opens_the_copy_in_my_work_not_the_originals():
    out = _make_n("lab")
    assert "my-work" in out, out  # the student's copy, not the tracked notebooks
    argv = _lab_line(out)
    assert argv[0] == ".venv/bin/gdcourse" and argv[1:3] == ["lab", "my-work"]
    assert "--originals" not in argv


@needs_make
def test_the_make_lab_recipe_creates_the_copy_and_serves_it(course, lab):
    cmd = lab(*_lab_line(_make_n("lab", "PORT=8123"))[1:])  # the recipe's own arguments
    assert (
        sorted(p.relative_to(course / "my-work") for p in (course / "my-work").glob("*/*.ipynb"))
        == NOTEBOOKS
    )
    assert Path(_option(cmd, "ServerApp.root_dir")) == (course / "my-work").resolve()
    assert _option(cmd, "port") == "8123"


@needs_make
def test_authors_open_the_originals_with_make_lab_originals():
    assert "--originals" in _lab_line(_make_n("lab-originals"))
    help_text = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "make lab-originals" in help_text and "my-work/" in help_text


# -- gdcourse lab ---------------------------------------------------------------------------


def test_gdcourse_lab_makes_the_copy_on_first_run_and_opens_its_welcome_lesson(course, lab, capsys):
    cmd = lab("lab")
    work = course / "my-work"
    # (and, in .gdcourse/originals/, the course's versions that `start --update` merges from)
    assert sorted(p.relative_to(work) for p in work.glob("*/*.ipynb")) == NOTEBOOKS
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]  # this environment's JupyterLab
    assert Path(_option(cmd, "ServerApp.root_dir")) == work.resolve()
    assert _option(cmd, "LabApp.default_url") == "/lab/tree/notebooks/00_welcome.ipynb"
    assert "--no-browser" in cmd
    out = capsys.readouterr().out
    assert "Made your own copy of the course in my-work/" in out and "127.0.0.1" in out


def test_gdcourse_lab_never_overwrites_an_edited_notebook(course, lab, capsys):
    lab("lab")
    mine = course / "my-work" / "exercises" / "03_lr_exploration.ipynb"
    nb = json.loads(mine.read_text())
    nb["cells"][0]["source"] = ["my own notes"]
    mine.write_text(json.dumps(nb))
    edited = mine.read_text()
    (course / "my-work" / "notebooks" / "05_sgd.ipynb").unlink()  # a lesson the copy lacks
    capsys.readouterr()
    cmd = lab("lab")
    assert mine.read_text() == edited
    assert (course / "my-work" / "notebooks" / "05_sgd.ipynb").exists()
    assert Path(_option(cmd, "ServerApp.root_dir")) == (course / "my-work").resolve()
    out = capsys.readouterr().out
    assert "kept as you left them" in out and "notebooks/05_sgd.ipynb" in out


def test_gdcourse_lab_in_a_named_folder_opens_that_folder(course, lab, tmp_path):
    cmd = lab("lab", str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "notebooks" / "00_welcome.ipynb").exists()
    assert Path(_option(cmd, "ServerApp.root_dir")) == (tmp_path / "elsewhere").resolve()
    assert not (course / "my-work").exists()


def test_gdcourse_lab_run_inside_the_copy_does_not_copy_the_copy(course, lab, monkeypatch):
    lab("lab")
    monkeypatch.chdir(course / "my-work")
    cmd = lab("lab")
    assert not (course / "my-work" / "my-work").exists()
    assert Path(_option(cmd, "ServerApp.root_dir")) == (course / "my-work").resolve()


def test_gdcourse_lab_passes_the_port_and_what_follows_two_dashes_to_jupyterlab(course, lab):
    cmd = lab("lab", "--port", "9999", "--", "--ServerApp.ip=0.0.0.0", "--debug")
    assert _option(cmd, "port") == "9999"
    assert cmd[-2:] == ["--ServerApp.ip=0.0.0.0", "--debug"]


@pytest.mark.skipif(not hasattr(__import__("os"), "geteuid"), reason="no user ids here")
@pytest.mark.parametrize(("uid", "allowed"), [(0, True), (1000, False)])
def test_gdcourse_lab_adds_allow_root_only_as_root(course, lab, monkeypatch, uid, allowed):
    monkeypatch.setattr(cli.os, "geteuid", lambda: uid)
    assert ("--allow-root" in lab("lab")) is allowed


def test_gdcourse_lab_originals_opens_the_tracked_notebooks(course, lab):
    cmd = lab("lab", "--originals")
    assert Path(_option(cmd, "ServerApp.root_dir")) == course.resolve()
    assert _option(cmd, "LabApp.default_url") == "/lab/tree/notebooks/00_welcome.ipynb"
    assert not (course / "my-work").exists()  # nothing copied


def test_gdcourse_lab_refuses_originals_with_a_folder(course, lab, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["lab", "--originals", "my-work"])
    assert stop.value.code == 2
    assert "--originals opens the course's own notebooks: give it no DIR" in capsys.readouterr().err


def test_a_copy_that_cannot_be_made_is_one_sentence_and_starts_nothing(course, lab, capsys):
    (course / "a-file").write_text("not a folder")
    for command in ("lab", "start"):
        assert cli.main([command, "a-file"]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"gdcourse {command}: cannot copy the course into a-file")
        assert "name a folder you can write to" in err and "Traceback" not in err
    assert lab("start", "fine") is None  # `start` never starts JupyterLab


# -- gdcourse start: a copy git would track -------------------------------------------------


@pytest.fixture
def checkout(course):
    """The scratch course as a git checkout that ignores my-work/, like the real one."""
    (course / ".gitignore").write_text("my-work/\n")
    subprocess.run(["git", "init", "-q", str(course)], check=True, timeout=60)
    return course


NOTE = "not ignored by git"


@needs_git
def test_start_outside_my_work_but_inside_the_checkout_warns_that_git_tracks_it(checkout, capsys):
    assert cli.main(["start", str(checkout / "elsewhere")]) == 0
    out = capsys.readouterr().out
    assert NOTE in out and "git status" in out and str(checkout / "my-work") in out
    assert (checkout / "elsewhere" / "notebooks" / "00_welcome.ipynb").exists()


@needs_git
def test_start_in_my_work_or_outside_the_checkout_says_nothing_of_git(checkout, tmp_path, capsys):
    copied, kept = cli.start(checkout / "my-work", checkout)  # the return contract is kept
    assert len(copied) == len(NOTEBOOKS) and kept == []
    assert cli.main(["start"]) == 0
    assert cli.main(["start", str(tmp_path / "outside")]) == 0
    out = capsys.readouterr().out
    assert NOTE not in out
    assert "kept" in out and "copied" in out


def test_without_git_only_my_work_counts_as_ignored(checkout, monkeypatch):
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    assert "git was not found" in cli.tracking_note(checkout / "elsewhere", checkout)
    assert cli.tracking_note(checkout / "my-work", checkout) is None
    assert cli.tracking_note(checkout.parent / "outside", checkout) is None


def test_start_without_a_checkout_says_nothing_of_git(course, capsys):
    assert cli.main(["start", str(course / "elsewhere")]) == 0
    assert NOTE not in capsys.readouterr().out


# -- what the README promises ---------------------------------------------------------------


def _section(readme: str, heading: str) -> str:
    start = readme.index(heading)
    end = readme.find("\n#", start + len(heading))
    return readme[start : end if end != -1 else None]


def test_the_readme_sends_newcomers_to_their_own_copy():
    readme = (ROOT / "README.md").read_text()
    quick = _section(readme, "## Quick start")
    intro = quick.split("###")[0]
    assert "make lab" in intro and "my-work/" in intro and "gdcourse lab" in intro
    assert "never overwrite" in intro
    for heading in ("### Without make", "### With conda"):
        section = _section(readme, heading)
        assert "gdcourse lab" in section, heading
        assert "jupyter lab notebooks/" not in section, heading


# -- what an attack as a newcomer found ------------------------------------------------------


def test_a_copy_cut_short_leaves_no_half_notebook_to_keep(course, monkeypatch, capsys):
    # A full disk part-way: the notebook being copied must not be left half-written, or every
    # later run "keeps" it as the student's own.
    real = cli.shutil.copy2
    calls = []

    def full_disk(src, dst, *a, **k):
        calls.append(dst)
        if len(calls) == 3:
            real(src, dst)
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(cli.shutil, "copy2", full_disk)
    assert cli.main(["start", "mine"]) == 1
    err = capsys.readouterr().err
    assert "the disk is full" in err and "name a folder you can write to" not in err
    monkeypatch.setattr(cli.shutil, "copy2", real)
    assert cli.main(["start", "mine"]) == 0
    for path in (course / "mine").rglob("*"):
        assert not path.name.startswith(".") or path.name == ".gdcourse", path
        if path.suffix == ".ipynb":
            json.loads(path.read_text())  # every notebook whole


def test_lab_run_inside_a_copy_opens_that_copy(course, lab, monkeypatch, capsys):
    assert cli.main(["start", "mine"]) == 0
    (course / "mine" / "notebooks" / "00_welcome.ipynb").write_text('{"mine": 1}')
    monkeypatch.chdir(course / "mine" / "notebooks")
    cmd = lab("lab")
    assert Path(_option(cmd, "ServerApp.root_dir")) == (course / "mine").resolve()
    assert not (course / "mine" / "my-work").exists()
    assert (course / "mine" / "notebooks" / "00_welcome.ipynb").read_text() == '{"mine": 1}'


@pytest.mark.parametrize("target", [".", "notebooks", "exercises/sub", "solutions"])
def test_the_course_itself_is_never_taken_for_a_copy(course, capsys, target):
    assert cli.main(["start", target]) == 1
    assert "is the course itself, not a copy" in capsys.readouterr().err
    assert not (course / "notebooks" / "notebooks").exists()


def test_a_tilde_the_shell_left_alone_means_home(course, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cli.main(["start", "~/gd-work"]) == 0
    assert (tmp_path / "home" / "gd-work" / "notebooks" / "00_welcome.ipynb").exists()
    assert not (course / "~").exists()


def test_lab_opens_the_welcome_lesson_not_a_duplicate_of_it(course, lab):
    lab("lab")
    copy = course / "my-work" / "notebooks"
    (copy / "00_welcome-Copy1.ipynb").write_text((copy / "00_welcome.ipynb").read_text())
    cmd = lab("lab")
    assert _option(cmd, "LabApp.default_url") == "/lab/tree/notebooks/00_welcome.ipynb"


def test_a_broken_link_in_the_copy_is_kept_and_nothing_is_written_through_it(course, tmp_path):
    nb = course / "my-work" / "notebooks"
    nb.mkdir(parents=True)
    (nb / "00_welcome.ipynb").symlink_to(tmp_path / "nowhere.ipynb")
    copied, kept = cli.start(course / "my-work", course)
    assert nb / "00_welcome.ipynb" in kept and not (tmp_path / "nowhere.ipynb").exists()
    assert len(copied) == len(NOTEBOOKS) - 1


@pytest.mark.parametrize("port", ["-1", "70000", "abc"])
def test_a_port_out_of_range_is_refused_in_one_sentence(course, lab, port, capsys):
    with pytest.raises(SystemExit):
        cli.main(["lab", f"--port={port}"])
    assert "a port is a whole number from 1 to 65535" in capsys.readouterr().err


def test_a_deleted_current_folder_gives_one_sentence(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(SystemExit, match="the current folder no longer exists"):
        cli.course_root()
