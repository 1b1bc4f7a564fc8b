"""Course sites' downloads graded as they come: Canvas's flat zip and Moodle's folders, named by
the rules in gdcourse.instructor.lms, read safely, joined to the site's gradebook export and given
back as a feedback zip the site matches to its students.

Two real runs of `gdcourse grade` (one Canvas zip, one Moodle zip) are shared by the tests that
read what they wrote; the rest need no kernel.
"""

from __future__ import annotations

import csv
import hashlib
import re
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from gdcourse.checks import questions_of
from gdcourse.instructor import lms
from gdcourse.instructor.grading import GradedSubmission, GradeError, student_id, submission_files
from gdcourse.lessons import lr_exploration

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "03_lr_exploration.ipynb").read_bytes()
EXERCISE = (ROOT / "exercises" / "03_lr_exploration.ipynb").read_bytes()
MAX = sum(q.points for q in questions_of(lr_exploration))

# Canvas "Download submissions": one flat zip, names exactly as Canvas writes them.
CANVAS = {
    "smithjohn_12345_67890_03_lr_exploration.ipynb": SOLUTION,  # on time
    "doejane_LATE_23456_78901_03_lr_exploration.ipynb": SOLUTION,  # late
    "leeann_34567_89012_03_lr_exploration.ipynb": EXERCISE,  # the first upload, blank
    "leeann_34567_89013_03_lr_exploration-1.ipynb": SOLUTION,  # the re-upload: this one counts
}
CANVAS_ROSTER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Exploration 03 lr_exploration (555),"
    "Quiz 1 (556),Current Score\n"
    "    Points Possible,,,,,24,10,(read only)\n"
    '"Smith, John",12345,s1,jsmith,Sec A,,7,50\n'
    '"Doe, Jane",23456,s2,jdoe,Sec A,,8,60\n'
    '"Lee, Ann",34567,s3,alee,Sec B,,9,70\n'
    '"Absent, Al",45678,s4,aabsent,Sec B,3,9,70\n'
)
# Moodle "Download all submissions", one folder per submission.
MOODLE = {
    "Ada Lovelace_657737_assignsubmission_file_/03_lr_exploration.ipynb": SOLUTION,
    "Ada Lovelace_657737_assignsubmission_onlinetext_/onlinetext.html": b"<p>done</p>",
    "Alan Turing_657738_assignsubmission_onlinetext_/onlinetext.html": b"<p>no file</p>",
}
MOODLE_ROSTER = (
    "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
    "Last modified (submission),Online text,Last modified (grade),Feedback comments\n"
    "Participant 657737,Ada Lovelace,ada@example.org,Submitted for grading,,100.00,Yes,-,,-,\n"
    "Participant 657738,Alan Turing,alan@example.org,Submitted for grading - Assignment was "
    "submitted 2 days 3 hours late,,100.00,Yes,-,,-,\n"
    "Participant 657739,Grace Hopper,grace@example.org,No submission,,100.00,Yes,-,,-,\n"
)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(base: Path, download: Path, roster: Path, *extra: str) -> dict:
    out = base / "grades"
    before = _digest(download)
    cmd = [sys.executable, "-m", "gdcourse.cli", "grade", str(download), "--out", str(out)]
    cmd += ["--roster", str(roster), "--timeout", "15", "--workers", "2", *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=base)
    assert (out / "gradebook.csv").exists(), proc.stderr
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return {"out": out, "proc": proc, "rows": rows, "before": before, "zip": download}


@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    base = tmp_path_factory.mktemp("canvas")
    download = _zip(base / "submissions.zip", CANVAS)
    roster = base / "gradebook_export.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    return _run(base, download, roster)


@pytest.fixture(scope="module")
def moodle(tmp_path_factory):
    base = tmp_path_factory.mktemp("moodle")
    download = _zip(base / "course-Assignment 3-12.zip", MOODLE)
    roster = base / "Grades-course-Assignment 3-12.csv"
    roster.write_text(MOODLE_ROSTER, encoding="utf-8")
    return _run(base, download, roster)


# -- the naming rules ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "student", "lms_id", "late", "original", "copy"),
    [
        ("smithjohn_12345_67890_03_lr_exploration.ipynb", "smithjohn_12345", "12345", False,
         "03_lr_exploration.ipynb", 0),
        ("smithjohn_LATE_12345_67890_03_lr_exploration.ipynb", "smithjohn_12345", "12345", True,
         "03_lr_exploration.ipynb", 0),
        ("smithjohn_12345_67890_03_lr_exploration-1.ipynb", "smithjohn_12345", "12345", False,
         "03_lr_exploration.ipynb", 1),
        # underscores (and digits) in the student's own file name: only leading fields split off
        ("smithjohn_12345_67890_my_lr_notes_2_final.ipynb", "smithjohn_12345", "12345", False,
         "my_lr_notes_2_final.ipynb", 0),
        ("Ada Lovelace_657737_assignsubmission_file_03_lr_exploration.ipynb",
         "Ada Lovelace_657737", "657737", False, "03_lr_exploration.ipynb", 0),
    ],
)  # fmt: skip
def test_flat_names_are_read_by_their_rule(name, student, lms_id, late, original, copy):
    ident = lms.identify(Path("subs") / name, Path("subs"))
    assert ident is not None
    assert (ident.student, ident.lms_id, ident.late, ident.original, ident.copy) == (
        student, lms_id, late, original, copy
    )  # fmt: skip
    assert student_id(Path("subs") / name, Path("subs")) == student


@pytest.mark.parametrize(
    ("path", "student", "name"),
    [
        ("Ada Lovelace_657737_assignsubmission_file_/03_lr_exploration.ipynb",
         "Ada Lovelace_657737", "Ada Lovelace"),
        ("Ada Lovelace_657737_assignsubmission_onlinetext_/onlinetext.html",
         "Ada Lovelace_657737", "Ada Lovelace"),
        ("Participant_657737_assignsubmission_file_/03_lr_exploration.ipynb",
         "Participant_657737", "Participant 657737"),
        # Moodle 4.1+ writes the folder without its trailing "_"
        ("Ada Lovelace_657737_assignsubmission_file/03_lr_exploration.ipynb",
         "Ada Lovelace_657737", "Ada Lovelace"),
    ],
)  # fmt: skip
def test_moodle_folders_name_the_participant(path, student, name):
    ident = lms.identify(Path("subs") / path, Path("subs"))
    assert ident is not None and (ident.student, ident.name, ident.lms_id) == (
        student, name, "657737"
    )  # fmt: skip
    assert ident.prefix == path.split("/")[0]  # the feedback goes back into the same folder


def test_plain_files_keep_their_old_ids():
    for path, want in [
        ("alice.ipynb", "alice"),
        ("alice/03_lr_exploration.ipynb", "alice"),
        ("sec1/bob.ipynb", "sec1/bob"),
        ("alice_2024_final.ipynb", "alice_2024_final"),  # one number: not Canvas's two ids
    ]:
        assert lms.identify(Path("subs") / path, Path("subs")) is None
        assert student_id(Path("subs") / path, Path("subs")) == want


def test_a_new_rule_is_one_entry_in_the_table(monkeypatch):
    rule = lms.NamingRule(
        "example-site", "canvas", "file", re.compile(r"(?P<name>\w+)-(?P<lms_id>\d+)\.ipynb")
    )
    assert lms.identify(Path("s/ada-77.ipynb"), Path("s")) is None
    monkeypatch.setattr(lms, "RULES", (*lms.RULES, rule))
    assert lms.identify(Path("s/ada-77.ipynb"), Path("s")).student == "ada_77"


# -- several notebooks for one student -----------------------------------------------------------
def test_a_reupload_is_chosen_over_the_first_upload(tmp_path):
    download = _zip(tmp_path / "canvas.zip", CANVAS)
    files = submission_files([download])
    assert sorted(f.name for f in files) == [
        "doejane_LATE_23456_78901_03_lr_exploration.ipynb",
        "leeann_34567_89013_03_lr_exploration-1.ipynb",
        "smithjohn_12345_67890_03_lr_exploration.ipynb",
    ]


def test_the_file_named_like_the_exercise_wins_and_the_choice_is_said(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "kim_101_110_03_lr_exploration.ipynb").write_text("{}")
    (subs / "kim_101_111_scratch-3.ipynb").write_text("{}")  # a higher -N, not the exercise
    files = submission_files([subs])
    assert [f.name for f in files] == ["kim_101_110_03_lr_exploration.ipynb"]
    from gdcourse.instructor.grading import with_identity

    g = with_identity(GradedSubmission("kim_101", files[0].name, "", "ok", "", []), files[0])
    assert "named like the exercise" in g.chosen and "kim_101_111_scratch-3.ipynb" in g.chosen
    assert (g.name, g.lms_id, g.late) == ("kim", "101", False)


def test_two_plain_notebooks_for_one_student_are_still_refused(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "03_lr_exploration.ipynb").write_text("{}")
    (tmp_path / "alice" / "03_lr_exploration (1).ipynb").write_text("{}")
    with pytest.raises(GradeError, match="more than one submission"):
        submission_files([tmp_path])


# -- a download read safely ----------------------------------------------------------------------
def test_members_outside_the_folder_and_links_are_skipped(tmp_path):
    download = tmp_path / "evil.zip"
    with zipfile.ZipFile(download, "w") as z:
        z.writestr("smithjohn_12345_67890_03_lr_exploration.ipynb", "{}")
        z.writestr("../escaped_gdcourse_test.ipynb", "{}")
        z.writestr("/tmp/absolute_gdcourse_test.ipynb", "{}")
        link = zipfile.ZipInfo("doejane_2_3_link.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    warnings: list[str] = []
    files = submission_files([download], warnings)
    assert [f.name for f in files] == ["smithjohn_12345_67890_03_lr_exploration.ipynb"]
    assert not (Path(tempfile.gettempdir()) / "escaped_gdcourse_test.ipynb").exists()
    assert not Path("/tmp/absolute_gdcourse_test.ipynb").exists()
    assert len(warnings) == 3 and any("a link" in w for w in warnings)
    assert files[0].parent != tmp_path  # extracted privately, never beside the download
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.zip"]


def test_a_zip_bomb_is_refused_naming_the_limit(tmp_path, monkeypatch):
    download = tmp_path / "bomb.zip"
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a_101_202_03_lr_exploration.ipynb", b"\0" * (3 * 1024**2))  # ~3 KB zipped
    monkeypatch.setattr(lms, "MAX_ZIP_BYTES", 1024**2)
    with pytest.raises(GradeError, match=r"unpacks to more than .* zip bombs"):
        submission_files([download])
    monkeypatch.setattr(lms, "MAX_ZIP_MEMBERS", 0)
    with pytest.raises(GradeError, match="more than the 0 a course download"):
        submission_files([download])


def test_a_file_that_is_not_a_zip_is_named(tmp_path):
    (tmp_path / "download.zip").write_text("not a zip")
    with pytest.raises(GradeError, match=r"download\.zip is not a readable zip file"):
        submission_files([tmp_path / "download.zip"])


# -- rosters -------------------------------------------------------------------------------------
def test_a_roster_of_neither_lms_is_refused_naming_the_columns(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("name,score\nada,3\n")
    with pytest.raises(GradeError, match=r"neither a Canvas .* nor a Moodle .* name, score"):
        lms.read_roster(bad)


def test_a_missing_roster_column_is_refused_before_grading(tmp_path, capsys):
    from gdcourse.cli import main

    roster = tmp_path / "export.csv"
    roster.write_text(CANVAS_ROSTER)
    subs = _zip(tmp_path / "c.zip", {"zed_101_202_notes.docx": b"x"})
    args = ["grade", str(subs), "--out", str(tmp_path / "o"), "--roster", str(roster)]
    assert main([*args, "--roster-column", "Nope (1)"]) == 1
    err = capsys.readouterr().err
    assert "'Nope (1)' is not a column" in err and "Quiz 1 (556)" in err
    assert not (tmp_path / "o").exists()


def test_force_replaces_the_lms_files_the_earlier_run_wrote(tmp_path, capsys):
    from gdcourse.cli import main

    roster = tmp_path / "export.csv"
    roster.write_text(CANVAS_ROSTER)
    out = tmp_path / "out"
    first = _zip(tmp_path / "one.zip", {"zed_101_202_notes.docx": b"x"})
    args = ["--out", str(out), "--roster", str(roster)]
    assert main(["grade", str(first), *args]) == 3  # nothing gradable
    assert (out / "feedback.zip").exists() and (out / "canvas_import.csv").exists()
    for page in [out / "gradebook.csv", *out.glob("summary.*"), *(out / "feedback").iterdir()]:
        page.unlink()  # feedback.zip is left: an earlier run's too
    assert main(["grade", str(first), *args]) == 1  # feedback.zip alone is an earlier run
    assert "feedback.zip exists from an earlier run" in capsys.readouterr().err
    second = _zip(tmp_path / "two.zip", {"amy_303_404_notes.docx": b"x"})
    assert main(["grade", str(second), *args, "--force"]) == 3
    with zipfile.ZipFile(out / "feedback.zip") as z:
        assert z.namelist() == ["amy_303_404_feedback.html"]


# -- the real runs -------------------------------------------------------------------------------
def test_canvas_rows_have_name_id_lateness_and_the_choice(canvas):
    rows = canvas["rows"]
    assert set(rows) == {"smithjohn_12345", "doejane_23456", "leeann_34567"}, canvas["proc"].stderr
    assert [rows[s]["late"] for s in sorted(rows)] == ["yes", "no", "no"]  # doejane is LATE
    assert rows["doejane_23456"]["name"] == "doejane"
    assert rows["smithjohn_12345"]["lms_id"] == "12345"
    lee = rows["leeann_34567"]
    assert lee["file"] == "leeann_34567_89013_03_lr_exploration-1.ipynb"
    assert "highest re-upload -N" in lee["chosen"] and lee["total"] == f"{MAX:g}"
    assert rows["smithjohn_12345"]["chosen"] == ""
    header = next(csv.reader((canvas["out"] / "gradebook.csv").open(encoding="utf-8")))
    assert header[:6] == ["student", "name", "lms_id", "late", "chosen", "file"]


def test_the_download_is_only_read_and_never_extracted_beside_it(canvas):
    assert _digest(canvas["zip"]) == canvas["before"]
    assert sorted(p.name for p in canvas["zip"].parent.iterdir()) == [
        "gradebook_export.csv",
        "grades",
        "submissions.zip",
    ]


def test_the_canvas_import_fills_the_assignment_column(canvas):
    with (canvas["out"] / "canvas_import.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    col = "Exploration 03 lr_exploration (555)"
    assert list(rows[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", col]
    assert rows[0]["Student"].strip() == "Points Possible" and rows[0][col] == "24"
    scores = {r["ID"]: r[col] for r in rows[1:]}
    # full marks scaled to the 24 points Canvas has for it; no submission: the roster's own 3
    assert scores == {"12345": "24.00", "23456": "24.00", "34567": "24.00", "45678": "3"}


def test_canvas_feedback_names_carry_the_ids_canvas_matches(canvas):
    with zipfile.ZipFile(canvas["out"] / "feedback.zip") as z:
        names = sorted(z.namelist())
        page = z.read("leeann_34567_89013_feedback.html").decode()
    # Canvas's re-upload reads the first two all-digit fields: the user id, then the file id
    ids = [[p for p in n.split("_") if p.isdigit()][:2] for n in names]
    assert ids == [["23456", "78901"], ["34567", "89013"], ["12345", "67890"]]
    assert "Feedback for leeann_34567" in page


def test_moodle_rows_and_the_onlinetext_only_student(moodle):
    rows = moodle["rows"]
    assert set(rows) == {"Ada Lovelace_657737", "Alan Turing_657738"}, moodle["proc"].stderr
    ada, alan = rows["Ada Lovelace_657737"], rows["Alan Turing_657738"]
    assert (ada["name"], ada["lms_id"], ada["total"]) == ("Ada Lovelace", "657737", f"{MAX:g}")
    assert ada["chosen"] == "the only notebook of 2 files"
    assert alan["status"] == "not_a_notebook" and alan["file"] == "onlinetext.html"
    # Moodle's names do not say late; its worksheet's Status does
    assert (ada["late"], alan["late"]) == ("no", "yes")


def test_the_moodle_worksheet_gets_grades_for_graded_students_only(moodle):
    with (moodle["out"] / "moodle_import.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["Identifier"]: r for r in csv.DictReader(f)}
    assert rows["Participant 657737"]["Grade"] == "100.00"  # full marks, on Moodle's 100
    assert rows["Participant 657738"]["Grade"] == ""  # not graded: yours to decide
    assert rows["Participant 657739"]["Grade"] == ""  # no submission
    assert "Alan Turing_657738: not graded" in moodle["proc"].stdout


def test_moodle_feedback_goes_back_into_the_same_folders(moodle):
    with zipfile.ZipFile(moodle["out"] / "feedback.zip") as z:
        names = sorted(z.namelist())
    assert names == [
        "Ada Lovelace_657737_assignsubmission_file_/feedback.html",
        "Alan Turing_657738_assignsubmission_onlinetext_/feedback.html",
    ]
    # Moodle's importer: the folder, split on "_", holds the participant id second
    assert [n.split("/")[0].split("_", 4)[1] for n in names] == ["657737", "657738"]


def test_blind_marking_folders_are_graded_as_participants(tmp_path):
    download = _zip(
        tmp_path / "blind.zip",
        {"Participant_657737_assignsubmission_file_/03_lr_exploration.ipynb": b"{}"},
    )
    (f,) = submission_files([download])
    ident = lms.identify(f, f.parents[1])
    assert ident.student == "Participant_657737" and ident.name == "Participant 657737"
    assert lms.feedback_member(ident) == ("Participant_657737_assignsubmission_file_/feedback.html")


def test_a_plain_name_with_numbers_is_not_read_as_canvas(tmp_path):
    # Canvas's ids have at least 3 digits; a student's own name with short numbers is a name.
    from gdcourse.instructor.grading import student_id

    for name in ("smith_2024_01_hw.ipynb", "student_0_0_9.ipynb", "ada_12_34_x.ipynb"):
        assert student_id(tmp_path / name, tmp_path) == name.removesuffix(".ipynb")
    assert student_id(tmp_path / "smithjohn_12345_67890_03_x.ipynb", tmp_path) == "smithjohn_12345"


# -- what an attack as an instructor found -------------------------------------------------------
def _graded(student: str, lms_id: str, points: float, out_of: float = 10):
    from gdcourse.instructor.grading import QuestionResult

    result = QuestionResult("lr_exploration.q1", "correct", points, out_of, "")
    return GradedSubmission(student, f"{student}.ipynb", "lr_exploration", "ok", "", [result],
                            lms_id=lms_id)  # fmt: skip


def test_a_manual_posting_row_is_kept_and_the_points_possible_still_found(tmp_path):
    roster = tmp_path / "export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Exploration lr_exploration (555)\n"
        ",,,,,Manual Posting\n"
        "    Points Possible,,,,,10.00\n"
        '"Smith, John",12345,s1,-jsmith,A,\n'
        '"=cmd,""x""",23456,s2,@jdoe,A,\n',
        encoding="utf-8",
    )
    parsed = lms.read_roster(roster)
    assert [r["ID"] for r in parsed.rows] == ["12345", "23456"]
    path, notes = lms.write_import(
        parsed, [_graded("smithjohn_12345", "12345", 8.5), _graded("x_23456", "23456", 10)],
        tmp_path,
    )  # fmt: skip
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1:3] == [",,,,,Manual Posting", "    Points Possible,,,,,10.00"]  # as exported
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))[2:]
    col = "Exploration lr_exploration (555)"
    assert [(r["SIS Login ID"], r["Student"], r[col]) for r in rows] == [
        ("-jsmith", "Smith, John", "8.50"),  # the export's own cells, exactly as they were
        ("@jdoe", '=cmd,"x"', "10.00"),
    ]
    assert not notes


def test_roster_students_without_a_submission_are_named(tmp_path):
    roster = tmp_path / "export.csv"
    roster.write_text(CANVAS_ROSTER, encoding="utf-8")
    _, notes = lms.write_import(lms.read_roster(roster), [_graded("a_12345", "12345", 5)], tmp_path)
    assert any("handed in nothing graded here" in n and "Doe, Jane" in n for n in notes), notes


def test_moodle_worksheet_cells_go_back_unchanged(tmp_path):
    roster = tmp_path / "ws.csv"
    roster.write_text(MOODLE_ROSTER.replace("-,,-,\n", "-,,-,- see me\n", 1), encoding="utf-8")
    path, _ = lms.write_import(lms.read_roster(roster), [_graded("a", "657737", 5)], tmp_path)
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert rows[0]["Last modified (submission)"] == "-" and rows[0]["Feedback comments"] == (
        "- see me"
    )
    assert rows[0]["Grade"] == "50.00"


def test_a_file_and_a_folder_of_one_name_are_a_warning_not_a_crash(tmp_path):
    download = _zip(
        tmp_path / "odd.zip",
        {
            "Ada_657737_assignsubmission_file_": b"a file",
            "Ada_657737_assignsubmission_file_/03_lr_exploration.ipynb": SOLUTION,
        },
    )
    warnings: list[str] = []
    submission_files([download], warnings=warnings)
    assert any("another file or folder of that name" in w for w in warnings), warnings
