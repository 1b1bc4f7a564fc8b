"""`--late-penalty`: points off late work, per started day where the course site says how late
(Moodle's worksheet), else once (Canvas's LATE), in the gradebook's penalty and final columns."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from gdcourse.checks import questions_of
from gdcourse.cli import main
from gdcourse.lessons import lr_exploration

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "03_lr_exploration.ipynb").read_bytes()
EXERCISE = (ROOT / "exercises" / "03_lr_exploration.ipynb").read_bytes()
MAX = sum(q.points for q in questions_of(lr_exploration))


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_canvas_late_work_loses_the_penalty_once_and_the_import_has_the_final(tmp_path):
    download = _zip(
        tmp_path / "subs.zip",
        {
            "smithjohn_12345_67890_03_lr_exploration.ipynb": SOLUTION,
            "doejane_LATE_23456_78901_03_lr_exploration.ipynb": SOLUTION,
            "leeann_LATE_34567_89012_03_lr_exploration.ipynb": EXERCISE,  # blank and late
        },
    )
    roster = tmp_path / "export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Exploration 03 lr_exploration (555)\n"
        "    Points Possible,,,,,24\n"
        '"Smith, John",12345,s1,jsmith,A,\n"Doe, Jane",23456,s2,jdoe,A,\n'
        '"Lee, Ann",34567,s3,alee,A,\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["--out", str(out), "--roster", str(roster), "--late-penalty", "2.5"]
    assert main(["grade", str(download), *args]) == 0
    rows = {r["student"]: r for r in _csv(out / "gradebook.csv")}
    on_time, late, blank = rows["smithjohn_12345"], rows["doejane_23456"], rows["leeann_34567"]
    assert (on_time["total"], on_time["penalty"], on_time["final"]) == (f"{MAX:g}", "0", f"{MAX:g}")
    assert (late["total"], late["penalty"], late["final"]) == (f"{MAX:g}", "2.5", f"{MAX - 2.5:g}")
    assert (blank["total"], blank["penalty"], blank["final"]) == ("0", "0", "0")  # never below 0
    imported = {r["ID"]: r for r in _csv(out / "canvas_import.csv") if r["ID"]}
    column = "Exploration 03 lr_exploration (555)"
    assert imported["23456"][column] == f"{(MAX - 2.5) / MAX * 24:.2f}"
    assert imported["12345"][column] == "24.00"
    page = (out / "feedback" / "doejane_23456.html").read_text(encoding="utf-8")
    assert f"Late: 2.5 points off (handed in late), so <strong>{MAX - 2.5:g} of {MAX:g}" in page


def test_moodle_late_work_loses_the_penalty_per_started_day(tmp_path):
    download = _zip(
        tmp_path / "course-Assignment 3-12.zip",
        {
            "Ada Lovelace_657737_assignsubmission_file_/03_lr_exploration.ipynb": SOLUTION,
            "Alan Turing_657738_assignsubmission_file_/03_lr_exploration.ipynb": SOLUTION,
        },
    )
    roster = tmp_path / "worksheet.csv"
    roster.write_text(
        "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
        "Last modified (submission),Last modified (grade),Feedback comments\n"
        "Participant 657737,Ada Lovelace,ada@example.org,Submitted for grading,,100.00,Yes,-,-,\n"
        "Participant 657738,Alan Turing,alan@example.org,Submitted for grading - Assignment was "
        "submitted 1 day 2 hours late,,100.00,Yes,-,-,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "grade",
                str(download),
                "--out",
                str(out),
                "--roster",
                str(roster),
                "--late-penalty",
                "1.5",
            ]
        )
        == 0
    )
    rows = {r["student"]: r for r in _csv(out / "gradebook.csv")}
    ada, alan = rows["Ada Lovelace_657737"], rows["Alan Turing_657738"]
    assert (ada["late"], ada["penalty"]) == ("no", "0")
    assert (alan["late"], alan["penalty"], alan["final"]) == ("yes", "3", f"{MAX - 3:g}")  # 2 days
    grades = {r["Identifier"]: r["Grade"] for r in _csv(out / "moodle_import.csv")}
    assert grades["Participant 657738"] == f"{(MAX - 3) / MAX * 100:.2f}"


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_a_penalty_that_is_not_a_number_of_points_is_refused(tmp_path, capsys, value):
    sub = tmp_path / "ada.ipynb"
    sub.write_bytes(SOLUTION)
    assert main(["grade", str(sub), "--out", str(tmp_path / "o"), "--late-penalty", value]) == 1
    assert "--late-penalty is the points off a late submission" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
