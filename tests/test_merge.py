"""`gdcourse merge-gradebooks`: a class graded in parts on several machines becomes one gradebook
and one summary, exactly as one run would have written them; parts that cannot be one class (two
exercises, two sets of hidden checks, one student twice, an edited gradebook) are refused, each in
one sentence naming the files."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gdcourse.instructor.gradebook import write_feedback, write_gradebook
from gdcourse.instructor.grading import (
    GradedSubmission,
    GradeError,
    QuestionResult,
    hidden_fingerprint,
    load_hidden_checks,
)
from gdcourse.instructor.merge import merge_gradebooks, read_gradebook
from gdcourse.instructor.store import save_results
from gdcourse.instructor.summary import summarise, summary_rows

ROOT = Path(__file__).resolve().parents[1]
LESSON = "update_rule_practice"
HIDDEN = """
from gdcourse.checks import NumberQuestion
LESSON = "update_rule_practice"
h1 = NumberQuestion(lesson=LESSON, name="h1", answer_var="x", prompt="p", hints=("h",),
                    solution_code="", points=2, expected=lambda: 1.0)
"""


def _questions(lesson: str = LESSON):
    from gdcourse.instructor.grading import _lesson_questions

    return _lesson_questions(lesson)


def _row(student: str, right: int, *, lesson: str = LESSON, mark: str = "", **kw):
    """A graded submission with its first ``right`` questions correct, the next one partly."""
    results = []
    for i, q in enumerate(_questions(lesson)):
        if i < right:
            results.append(
                QuestionResult(f"{lesson}.{q.name}", "correct", q.points, q.points, "ok")
            )
        elif i == right:
            results.append(
                QuestionResult(
                    f"{lesson}.{q.name}",
                    "incorrect",
                    q.points / 3,
                    q.points,
                    "Close.\nmore",
                    right=1,
                    of=3,
                    unit="inputs",
                    misconception="sign flipped",
                )
            )
        else:
            results.append(QuestionResult(f"{lesson}.{q.name}", "not_attempted", 0, q.points, ""))
    if mark:
        results.append(QuestionResult(f"{lesson}.h1", "correct", 2, 2, "ok", hidden=True))
    return GradedSubmission(
        student,
        f"{student}.ipynb",
        lesson,
        "ok",
        "every cell ran",
        results,
        "0.1.0",
        "3.11.7",
        graded_at=f"2026-12-02T10:00:{len(student):02d}+00:00",
        hidden_checks=mark,
        **kw,
    )


def _part(folder: Path, rows: list[GradedSubmission], results_file: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_gradebook(rows, folder / "gradebook.csv")
    write_feedback(rows, folder / "feedback")
    if results_file:
        save_results(rows, folder)
    return folder


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_two_parts_make_the_gradebook_and_summary_one_run_would(tmp_path):
    a = [_row("ada", 4), _row("=bob", 2, late=True, penalty=1.0)]
    b = [_row("carol", 0), _row("dan", 5)]
    merged = merge_gradebooks([_part(tmp_path / "a", a), _part(tmp_path / "b", b)], tmp_path / "m")
    assert merged.rows == 4 and merged.lesson == LESSON and merged.notes == []
    one = tmp_path / "one"
    one.mkdir()
    write_gradebook(a + b, one / "gradebook.csv")
    skip = {"graded_at"}
    rows, expected = _read(tmp_path / "m" / "gradebook.csv"), _read(one / "gradebook.csv")
    assert [{k: v for k, v in r.items() if k not in skip} for r in rows] == [
        {k: v for k, v in r.items() if k not in skip} for r in expected
    ]
    assert rows[1]["student"] == "'=bob"  # guarded once, not twice
    with (tmp_path / "m" / "summary.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(summary_rows(summarise(a + b)))
    assert "sign flipped" in (tmp_path / "m" / "summary.csv").read_text()
    pages = sorted(p.name for p in (tmp_path / "m" / "feedback").iterdir())
    assert pages == ["=bob.html", "ada.html", "carol.html", "dan.html"]


def test_a_gradebook_copied_alone_keeps_its_points_and_says_what_it_lacks(tmp_path):
    b = [_row("carol", 3)]
    _part(tmp_path / "b", b, results_file=False)
    alone = tmp_path / "B.csv"
    alone.write_bytes((tmp_path / "b" / "gradebook.csv").read_bytes())
    merged = merge_gradebooks([_part(tmp_path / "a", [_row("ada", 4)]), alone], tmp_path / "m")
    assert len(merged.notes) == 1 and "B.csv has no results file" in merged.notes[0]
    rows = {r["student"]: r for r in _read(tmp_path / "m" / "gradebook.csv")}
    assert rows["carol"]["total"] == _read(tmp_path / "b" / "gradebook.csv")[0]["total"]
    back = read_gradebook(alone)[0]
    assert [r.points for r in back.results] == [round(r.points, 2) for r in b[0].results]
    assert [r.max_points for r in back.results] == [r.max_points for r in b[0].results]


def test_parts_of_two_exercises_are_refused(tmp_path):
    a = _part(tmp_path / "a", [_row("ada", 1)])
    b = _part(tmp_path / "b", [_row("bob", 1, lesson="gradient_practice")])
    with pytest.raises(GradeError, match="of different exercises"):
        merge_gradebooks([a, b], tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_parts_graded_on_different_hidden_checks_are_refused(tmp_path):
    hidden = tmp_path / "hidden.py"
    hidden.write_text(HIDDEN)
    mark = hidden_fingerprint([load_hidden_checks(hidden)], LESSON)
    assert mark.startswith("h1=2 #")
    a = _part(tmp_path / "a", [_row("ada", 1, mark=mark)])
    b = _part(tmp_path / "b", [_row("bob", 1)])
    with pytest.raises(GradeError, match="different hidden checks"):
        merge_gradebooks([a, b], tmp_path / "m")
    hidden.write_text(HIDDEN.replace("1.0", "2.0"))  # the same names, another check
    changed = hidden_fingerprint([load_hidden_checks(hidden)], LESSON)
    assert changed != mark and changed.split(" #")[0] == mark.split(" #")[0]
    c = _part(tmp_path / "c", [_row("carol", 1, mark=changed)])
    with pytest.raises(GradeError, match="different hidden checks"):
        merge_gradebooks([a, c], tmp_path / "m")
    renamed = tmp_path / "other_name.py"
    renamed.write_text(HIDDEN)
    assert hidden_fingerprint([load_hidden_checks(renamed)], LESSON) == mark


def test_a_merged_hidden_check_keeps_its_points_and_stays_hidden(tmp_path):
    hidden = tmp_path / "hidden.py"
    hidden.write_text(HIDDEN)
    mark = hidden_fingerprint([load_hidden_checks(hidden)], LESSON)
    _part(tmp_path / "a", [_row("ada", 1, mark=mark)], results_file=False)
    (g,) = read_gradebook(tmp_path / "a" / "gradebook.csv")
    h1 = next(r for r in g.results if r.id.endswith(".h1"))
    assert h1.hidden and h1.max_points == 2 and h1.points == 2


def test_one_student_in_two_parts_is_refused_naming_both(tmp_path):
    a = _part(tmp_path / "a", [_row("ada", 1)])
    b = _part(tmp_path / "b", [_row("Ada", 2)])
    with pytest.raises(GradeError, match=r"'Ada' is in .*a/gradebook.csv and in .*b/gradebook"):
        merge_gradebooks([a, b], tmp_path / "m")


def test_an_edited_total_or_a_foreign_file_is_refused(tmp_path):
    a = _part(tmp_path / "a", [_row("ada", 1)], results_file=False)
    text = (tmp_path / "a" / "gradebook.csv").read_text()
    total = _read(tmp_path / "a" / "gradebook.csv")[0]["total"]
    edited = tmp_path / "edited.csv"
    edited.write_text(text.replace(f",{total},", ",99,", 1))
    with pytest.raises(GradeError, match="is not the sum of the row's points"):
        merge_gradebooks([a, edited], tmp_path / "m")
    canvas = tmp_path / "export.csv"
    canvas.write_text('Student,ID,SIS User ID\n"Lovelace, Ada",24601,s1\n')
    with pytest.raises(
        GradeError,
        match="not a gdcourse gradebook: it has no student, file, lesson, status, total, "
        "max_total, graded_at columns",
    ):
        merge_gradebooks([a, canvas], tmp_path / "m")
    with pytest.raises(GradeError, match="same gradebook"):
        merge_gradebooks([a, a / "gradebook.csv"], tmp_path / "m")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(GradeError, match="not an empty folder"):
        merge_gradebooks([a], tmp_path / "full")


def test_a_student_id_cannot_put_a_page_outside_the_merged_folder(tmp_path):
    a = _part(tmp_path / "parts" / "a", [_row("../../escape", 1)], results_file=False)
    (a / "feedback" / ".." / ".." / "escape.html").resolve().write_text("planted")
    merge_gradebooks([a], tmp_path / "parts" / "m")
    assert not (tmp_path / "escape.html").exists()
    assert not list((tmp_path / "parts" / "m").glob("feedback/**/*.html"))


def test_the_command_merges_and_refuses_in_one_sentence(tmp_path):
    a = _part(tmp_path / "a", [_row("ada", 1)])
    b = _part(tmp_path / "b", [_row("bob", 3)])
    cli = [sys.executable, "-m", "gdcourse.cli", "merge-gradebooks"]
    done = subprocess.run(
        [*cli, str(a), str(b / "gradebook.csv"), "--out", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert f"merged 2 submissions of {LESSON} from 2 gradebooks" in done.stdout
    bad = subprocess.run(
        [*cli, str(a), str(tmp_path / "nothing.csv"), "--out", str(tmp_path / "n")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("gdcourse merge-gradebooks: ") and "nothing.csv" in bad.stderr


def test_an_update_refuses_hidden_checks_changed_since_the_run(tmp_path):
    from gdcourse.cli import _check_update_matches

    hidden = tmp_path / "hidden.py"
    hidden.write_text(HIDDEN)
    checks = [load_hidden_checks(hidden)]
    before = [_row("ada", 1, mark=hidden_fingerprint(checks, LESSON))]
    _check_update_matches(before, checks, None, tmp_path)  # the same files: fine
    hidden.write_text(HIDDEN.replace("1.0", "3.0"))
    with pytest.raises(GradeError, match="a changed hidden check would grade the regraded"):
        _check_update_matches(before, [load_hidden_checks(hidden)], None, tmp_path)


def _edited(tmp_path: Path, rows: list[GradedSubmission], change, retotal: bool = True) -> Path:
    """A gradebook (alone, no results file) with one row's cells changed by ``change(row)``."""
    src = _part(tmp_path / "src", rows, results_file=False) / "gradebook.csv"
    table = _read(src)
    change(table[0])
    if retotal:  # a careful edit: the total (and final) still add up
        points = sum(float(v) for k, v in table[0].items() if k.endswith(" points") and v)
        table[0]["total"] = f"{round(points, 2):g}"
        table[0]["final"] = f"{round(points - float(table[0]['penalty'] or 0), 2):g}"
    out = tmp_path / "edited.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return out


def _set(**cells):
    def change(row):
        row.update(cells)

    return change


Q1 = f"{LESSON}.q1"


@pytest.mark.parametrize(
    "change, says",
    [
        (_set(**{f"{Q1} points": "50"}), "has 50 points, outside 0 to"),
        (_set(**{f"{Q1} points": "-5"}), "has -5 points, outside 0 to"),
        (_set(penalty="-50"), "late penalty -50 is outside 0 to the total"),
        (_set(**{f"{Q1} outcome": "banana"}), "outcome is 'banana', not one gdcourse writes"),
        (_set(student=""), "the row names no student"),
        (_set(**{f"{Q1} outcome": "", f"{Q1} points": ""}), "has no result for"),
    ],
    ids=[
        "points-above-max",
        "negative-points",
        "negative-penalty",
        "outcome",
        "no-student",
        "question-blanked",
    ],
)
def test_a_row_no_run_could_have_written_is_refused(tmp_path, change, says):
    first = _questions()[0]
    assert Q1 == f"{LESSON}.{first.name}"
    edited = _edited(tmp_path, [_row("ada", 2)], change)
    with pytest.raises(GradeError, match=says):
        merge_gradebooks([edited, _part(tmp_path / "b", [_row("bo", 1)])], tmp_path / "m")


def test_every_cell_blanked_with_a_made_up_total_is_refused(tmp_path):
    def blank(row):
        for key in row:
            if key.endswith((" outcome", " points")):
                row[key] = ""
        row["total"] = "999"

    edited = _edited(tmp_path, [_row("ada", 2)], blank, retotal=False)
    with pytest.raises(GradeError, match="is not the sum"):
        merge_gradebooks([edited], tmp_path / "m")


def test_a_correct_answer_with_fewer_points_is_refused(tmp_path):
    row = _row("ada", 2)
    half = f"{row.results[0].max_points / 2:g}"
    edited = _edited(tmp_path, [row], _set(**{f"{Q1} points": half}))
    with pytest.raises(GradeError, match="'correct' with"):
        merge_gradebooks([edited], tmp_path / "m")


def test_a_gradebook_and_its_results_file_that_disagree_are_refused(tmp_path):
    """Either one edited: the merge would otherwise pick the results file's points silently."""
    import json

    from gdcourse.instructor.store import RESULTS

    part = _part(tmp_path / "a", [_row("ada", 2), _row("bo", 1)])
    data = json.loads((part / RESULTS).read_text())
    data["submissions"][0]["results"][0]["points"] = 100
    (part / RESULTS).write_text(json.dumps(data))
    with pytest.raises(GradeError, match=r"disagree: .*q1 is correct .* 100 in the results file"):
        merge_gradebooks([part], tmp_path / "m")
    part2 = _part(tmp_path / "b", [_row("cy", 2)])
    table = _read(part2 / "gradebook.csv")
    points = float(table[0][f"{Q1} points"])
    table[0][f"{Q1} outcome"] = "incorrect"
    table[0][f"{Q1} points"] = "0"
    table[0]["total"] = table[0]["final"] = f"{float(table[0]['total']) - points:g}"
    with (part2 / "gradebook.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    with pytest.raises(GradeError, match=r"copy gradebook\.csv out of its folder"):
        merge_gradebooks([part2], tmp_path / "m2")
    alone = tmp_path / "cy.csv"  # as the message says: the instructor's cells, as they are
    alone.write_bytes((part2 / "gradebook.csv").read_bytes())
    merge_gradebooks([alone], tmp_path / "m3")
    assert _read(tmp_path / "m3" / "gradebook.csv")[0][f"{Q1} outcome"] == "incorrect"


def test_one_student_spelt_with_composed_or_combining_accents_is_one_student(tmp_path):
    import unicodedata

    a = _part(tmp_path / "a", [_row(unicodedata.normalize("NFC", "José"), 1)])
    b = _part(tmp_path / "b", [_row(unicodedata.normalize("NFD", "José"), 2)], results_file=False)
    with pytest.raises(GradeError, match="a student is graded in one part only"):
        merge_gradebooks([a, b / "gradebook.csv"], tmp_path / "m")


def test_a_gradebook_saved_again_with_a_byte_order_mark_is_read(tmp_path):
    part = _part(tmp_path / "a", [_row("ada", 3)], results_file=False)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (part / "gradebook.csv").read_bytes().replace(b"\n", b"\r\n"))
    assert read_gradebook(bom)[0].student == "ada"


@pytest.mark.parametrize(
    "change, says",
    [
        (_set(**{f"{Q1} outcome": "missing"}), "is 'missing' with"),
        (_set(penalty="1", late="no"), "not marked late"),
        (_set(status="hacked"), "status is 'hacked', not one gdcourse writes"),
        (_set(**{f"{Q1} points": "-0.004"}), "outside 0 to"),
    ],
    ids=["points-on-missing", "penalty-not-late", "status", "tiny-negative"],
)
def test_more_rows_no_run_could_have_written_are_refused(tmp_path, change, says):
    edited = _edited(tmp_path, [_row("ada", 2)], change)
    with pytest.raises(GradeError, match=says):
        merge_gradebooks([edited], tmp_path / "m")


@pytest.mark.parametrize("column", ["final", "max_total"])
def test_an_edited_final_or_max_total_is_refused_not_dropped(tmp_path, column):
    edited = _edited(tmp_path, [_row("ada", 2)], _set(**{column: "99"}), retotal=False)
    with pytest.raises(GradeError, match=f"{column} 99 is not what the row's points make"):
        merge_gradebooks([edited], tmp_path / "m")


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("status", "timeout", "status is 'ok' in the gradebook and 'timeout'"),
        ("file", "other.ipynb", "file is 'bo.ipynb' in the gradebook and 'other.ipynb'"),
        ("late", True, "late is False in the gradebook and True"),
        ("graded_at", "2026-01-01T00:00:00+00:00", "graded_at is"),
    ],
)
def test_a_results_file_that_disagrees_in_any_field_is_refused(tmp_path, field, value, says):
    import json

    from gdcourse.instructor.store import RESULTS

    part = _part(tmp_path / "a", [_row("ada", 2), _row("bo", 1)])
    data = json.loads((part / RESULTS).read_text())
    data["submissions"][1][field] = value
    (part / RESULTS).write_text(json.dumps(data))
    with pytest.raises(GradeError, match="line 3: the gradebook and its run's results file"):
        merge_gradebooks([part], tmp_path / "m")
    with pytest.raises(GradeError, match=re.escape(says)):
        merge_gradebooks([part], tmp_path / "m")


def test_a_results_file_with_other_students_is_refused(tmp_path):
    import json

    from gdcourse.instructor.store import RESULTS

    part = _part(tmp_path / "a", [_row("ada", 2), _row("bo", 1)])
    data = json.loads((part / RESULTS).read_text())
    data["submissions"].reverse()  # the same rows in another order still match
    (part / RESULTS).write_text(json.dumps(data))
    assert merge_gradebooks([part], tmp_path / "m").notes == []
    data["submissions"][0]["student"] = "zed"
    (part / RESULTS).write_text(json.dumps(data))
    with pytest.raises(GradeError, match="disagree"):
        merge_gradebooks([part], tmp_path / "m2")


def test_an_id_with_an_invisible_character_is_matched_to_its_results_and_page(tmp_path):
    """The gradebook shows a zero-width space escaped; the results file and page keep it."""
    odd = "ali\u200bce"
    part = _part(tmp_path / "a", [_row(odd, 2), _row("frank", 1)])
    assert "ali\\u200bce" in (part / "gradebook.csv").read_text()
    merged = merge_gradebooks([part], tmp_path / "m")
    assert merged.notes == []
    assert (tmp_path / "m" / "feedback" / f"{odd}.html").is_file()


def test_an_out_that_cannot_be_a_folder_is_refused_in_one_sentence(tmp_path):
    part = _part(tmp_path / "a", [_row("ada", 2)])
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(GradeError, match="not an empty folder"):
        merge_gradebooks([part], tmp_path / "dangling")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(GradeError, match="cannot be made a folder"):
        merge_gradebooks([part], tmp_path / "afile" / "sub")
