"""`gdcourse grade`: every hostile submission gets a clear status and the others are graded.

One batch of submissions, built from the seed exploration's solution notebook, is graded once by
the real command (2 workers, as an instructor runs it); the tests read the gradebook, the
feedback pages and the executed notebooks it wrote.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gdcourse.checks import questions_of
from gdcourse.checks.calling import TIME_LIMIT
from gdcourse.instructor.grading import GradeError, load_hidden_checks, submission_files
from gdcourse.lessons import lr_exploration

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "03_lr_exploration.ipynb"
EXERCISE = ROOT / "exercises" / "03_lr_exploration.ipynb"
MAX = sum(q.points for q in questions_of(lr_exploration))
TIMEOUT = 15  # seconds per cell: long enough for every real cell, short for the looping ones
HIDDEN_MARKER = "HIDDEN_REFERENCE_7f3a"  # appears only in the hidden-check file

HIDDEN = f"""
from gdcourse.checks import FunctionQuestion

LESSON = "lr_exploration"


def {HIDDEN_MARKER}(w0, lr, steps):
    weights = [w0]
    for _ in range(steps):
        weights.append(weights[-1] - lr * 2 * (weights[-1] - 2))
    return weights


h1 = FunctionQuestion(
    lesson="lr_exploration", name="h1", answer_var="descent_weights",
    prompt="descent_weights also works from a negative start at a diverging rate.",
    hints=("Nothing in your function should depend on the sign of w0.",),
    solution_code="", points=2, reference={HIDDEN_MARKER},
    cases=({{"w0": -7.25, "lr": 1.3, "steps": 6}},),
)
"""


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def _tagged(nb, tag):
    return next(i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", []))


def _defining(nb, text):
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and text in c.source)


def _submissions(folder: Path) -> dict[str, str]:
    """Write the batch; returns {student id: what the file does}."""
    sol = _load(SOLUTION)
    made: dict[str, str] = {}

    def save(name, nb, what):
        nbformat.write(nb, folder / f"{name}.ipynb")
        made[name] = what

    save("all_right", sol, "the solution")
    save("blank", _load(EXERCISE), "the exercise as released")

    nb = copy.deepcopy(sol)
    gone = {_defining(nb, "w_05 = "), _tagged(nb, "q9"), _tagged(nb, "q4")}
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in gone]
    save("deleted", nb, "q2/q3 answer cell and the q4, q9 check cells deleted")

    nb = copy.deepcopy(sol)
    i = _defining(nb, "w_05 = ")
    first, *rest = nb.cells[i].source.split("\n")
    nb.cells[i : i + 1] = [_code(first), _code("\n".join(rest))]
    j = _defining(nb, "def descent_weights")
    lines = nb.cells[j].source.split("\n")
    nb.cells[j : j + 1] = [_code("\n".join(lines[:2])), _code("\n".join(lines[2:]))]
    save("split", nb, "cells split in two")

    nb = copy.deepcopy(sol)
    checks = [c for c in nb.cells if any(t.startswith("q") for t in c.metadata.get("tags", []))]
    others = [c for c in nb.cells if c not in checks]
    a, b = _defining(nb, "regimes = "), _defining(nb, "boundary_rate = ")
    ia, ib = others.index(nb.cells[a]), others.index(nb.cells[b])
    others[ia], others[ib] = others[ib], others[ia]
    nb.cells = others + checks[::-1]
    save("reordered", nb, "check cells moved to the end in reverse, two answers swapped")

    nb = copy.deepcopy(sol)
    nb.cells = [copy.deepcopy(c) for c in nb.cells for _ in range(2)]
    for k, c in enumerate(nb.cells):
        c["id"] = f"copy-{k}"  # ids must stay unique
    save("duplicated", nb, "every cell twice")

    nb = copy.deepcopy(sol)
    nb.cells.insert(
        _defining(nb, "w_05 = ") + 1,
        _code(
            "import time\nwhile True:  # also ignores interrupts\n    try:\n"
            "        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass"
        ),
    )
    save("forever", nb, "a cell that loops forever")

    nb = copy.deepcopy(sol)
    nb.cells.insert(_defining(nb, "w_10 = ") + 1, _code("ratio = 1 / 0"))
    save("raises", nb, "a cell that raises")

    nb = copy.deepcopy(sol)
    nb.cells.insert(_defining(nb, "w_01 = ") + 1, _code("import os\nos._exit(1)"))
    save("dies", nb, "a cell that kills the kernel")

    nb = copy.deepcopy(sol)
    # 3 GiB fits this machine easily, so only the 2 GiB cap can refuse it.
    nb.cells.insert(2, _code("import numpy as np\nbig = np.ones(3 * 2**30 // 8)"))
    save("memory", nb, "a cell that allocates 3 GiB")

    nb = copy.deepcopy(sol)
    j = _defining(nb, "def descent_weights")
    nb.cells[j].source = nb.cells[j].source.replace(
        "def descent_weights(w0, lr, steps):\n",
        "def descent_weights(w0, lr, steps):\n    while w0 < 0:\n        pass\n",
    )
    save("hangs_in_check", nb, "a function that loops forever on one check input")

    nb = copy.deepcopy(sol)
    nb.cells[_tagged(nb, "q6")].source = "ex.q6.check(29)"
    nb.cells.pop(_defining(nb, "steps_needed = 0"))
    save("inline", nb, "q6 answered inside the check cell, no variable")

    nb = copy.deepcopy(sol)
    k = _defining(nb, "steps_needed = 0")
    nb.cells[k].source = "steps_needed = 28"
    save("wrong", nb, "q6 one step short")

    nb = copy.deepcopy(sol)
    del nb.metadata["gdcourse"]
    save("no_metadata", nb, "gdcourse metadata removed")

    nb = nbformat.v4.new_notebook(cells=[_code("print('my own notes')")])
    save("unknown", nb, "a notebook that is not the exercise")

    text = SOLUTION.read_text(encoding="utf-8")
    (folder / "truncated.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")
    made["truncated"] = "half a notebook file"
    (folder / "essay.docx").write_bytes(b"PK\x03\x04 not a notebook at all")
    made["essay"] = "a Word file"
    (folder / "other_json.ipynb").write_text('{"answer": 42}', encoding="utf-8")
    made["other_json"] = "JSON, but not a notebook"

    data = json.loads(text)
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            del cell["outputs"]  # invalid nbformat, as some editors leave it
    (folder / "damaged.ipynb").write_text(json.dumps(data), encoding="utf-8")
    made["damaged"] = "code cells without outputs (invalid nbformat)"
    return made


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("grade")
    subs = base / "submissions"
    subs.mkdir()
    made = _submissions(subs)
    before = _digest(subs)
    hidden = base / "instructor" / "hidden_03.py"
    hidden.parent.mkdir()
    hidden.write_text(HIDDEN, encoding="utf-8")
    out = base / "grades"
    cmd = [
        sys.executable,
        "-m",
        "gdcourse.cli",
        "grade",
        str(subs),
        "--out",
        str(out),
        "--hidden",
        str(hidden),
        "--timeout",
        str(TIMEOUT),
        "--workers",
        "2",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=base)
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    # Exit status 3 exactly when some file could not be graded: a script learns to look.
    from gdcourse.instructor.grading import NOT_GRADED

    some_not_graded = any(row["status"] in NOT_GRADED for row in rows.values())
    assert proc.returncode == (3 if some_not_graded else 0), proc.stderr
    return {
        "rows": rows,
        "out": out,
        "made": made,
        "proc": proc,
        "subs": subs,
        "before": before,
        "cmd": cmd,
        "hidden": hidden,
    }


def _row(graded, student):
    return graded["rows"][student]


def _outcomes(row) -> dict[str, str]:
    return {k.split(" ")[0].split(".")[-1]: v for k, v in row.items() if k.endswith(" outcome")}


def test_every_submission_has_one_row(graded):
    assert set(graded["rows"]) == set(graded["made"])


def test_submitted_files_are_never_modified(graded):
    assert _digest(graded["subs"]) == graded["before"]


def test_the_solution_scores_full_marks_and_hidden_checks_count(graded):
    row = _row(graded, "all_right")
    assert row["status"] == "ok"
    assert float(row["total"]) == float(row["max_total"]) == MAX + 2  # + the hidden h1
    assert _outcomes(row)["h1"] == "correct"


def test_the_blank_exercise_is_not_attempted_everywhere(graded):
    row = _row(graded, "blank")
    assert row["status"] == "ok" and float(row["total"]) == 0
    assert set(_outcomes(row).values()) == {"not_attempted"}


def test_deleted_cells_lose_only_their_answers(graded):
    row = _row(graded, "deleted")
    out = _outcomes(row)
    assert out["q2"] == out["q3"] == "missing"  # their answer cell is gone
    assert out["q4"] == out["q9"] == "correct"  # check cells gone: the variables still count
    assert row["status"] == "cell_errors" and "NameError" in row["status_detail"]


@pytest.mark.parametrize("student", ["split", "reordered", "duplicated", "no_metadata", "damaged"])
def test_reshaped_notebooks_still_get_full_marks(graded, student):
    row = _row(graded, student)
    assert float(row["total"]) == MAX + 2, (student, _outcomes(row))
    assert row["lesson"] == "lr_exploration"


def test_a_damaged_notebook_is_recovered_and_says_so(graded):
    assert "recovered" in _row(graded, "damaged")["status_detail"]


def test_a_cell_that_loops_forever_is_skipped_and_the_rest_graded(graded):
    row = _row(graded, "forever")
    assert row["status"] == "timeout"
    assert f"ran longer than {TIMEOUT} s" in row["status_detail"]
    assert float(row["total"]) == MAX + 2


def test_a_cell_that_raises_is_reported_and_the_rest_graded(graded):
    row = _row(graded, "raises")
    assert row["status"] == "cell_errors" and "ZeroDivisionError" in row["status_detail"]
    assert float(row["total"]) == MAX + 2


def test_a_cell_that_kills_the_kernel_is_skipped_and_the_rest_graded(graded):
    row = _row(graded, "dies")
    assert row["status"] == "kernel_died" and "stopped the kernel" in row["status_detail"]
    assert float(row["total"]) == MAX + 2


def test_memory_is_capped_per_kernel(graded):
    row = _row(graded, "memory")
    assert row["status"] == "cell_errors" and "MemoryError" in row["status_detail"]
    assert float(row["total"]) == MAX + 2


def test_a_check_that_hangs_costs_only_that_question(graded):
    row = _row(graded, "hangs_in_check")
    out = _outcomes(row)
    # Both call it with w0 < 0: that input is wrong; q1's other inputs earn partial credit,
    # h1 (only that input) is an error.
    assert out["q1"] == "incorrect" and 0 < float(row["lr_exploration.q1 points"]) < 2
    assert out["h1"] == "error" and float(row["lr_exploration.h1 points"]) == 0
    # The check stops the function itself, after TIME_LIMIT, long before the cell's timeout.
    assert row["status"] != "timeout"
    assert out["q2"] == out["q5"] == out["q9"] == "correct"
    page = (graded["out"] / "feedback" / "hangs_in_check.html").read_text(encoding="utf-8")
    assert f"did not return within {TIME_LIMIT:g} s" in page


def test_an_answer_given_inside_the_check_cell_counts(graded):
    assert _outcomes(_row(graded, "inline"))["q6"] == "correct"


def test_a_wrong_answer_gets_its_message_and_hint_but_not_the_expected_value(graded):
    row = _row(graded, "wrong")
    assert _outcomes(row)["q6"] == "incorrect"
    assert float(row["total"]) == MAX + 2 - lr_exploration.q6.points
    page = (graded["out"] / "feedback" / "wrong.html").read_text(encoding="utf-8")
    assert "one step short" in page and lr_exploration.q6.hints[0][:40] in page
    expected = str(int(lr_exploration.q6.expected()))
    q6_box = page[page.index("q6: ") : page.index("q7: ")]
    assert expected not in q6_box.replace(f"q{expected}", "")


@pytest.mark.parametrize(
    ("student", "status"),
    [
        ("unknown", "unknown_lesson"),
        ("truncated", "not_json"),
        ("essay", "not_a_notebook"),
        ("other_json", "invalid_notebook"),
    ],
)
def test_files_that_cannot_be_graded_get_a_clear_status(graded, student, status):
    row = _row(graded, student)
    assert row["status"] == status and row["status_detail"]
    assert float(row["total"]) == 0 and float(row["max_total"]) == MAX + 2
    assert set(_outcomes(row).values()) == {"not_graded"}
    page = (graded["out"] / "feedback" / f"{student}.html").read_text(encoding="utf-8")
    assert "could not be run" in page


def test_hidden_check_code_never_reaches_students_or_outputs(graded):
    out = graded["out"]
    for path in [out / "gradebook.csv", *out.glob("feedback/*"), *out.glob("executed/*")]:
        text = path.read_text(encoding="utf-8")
        assert HIDDEN_MARKER not in text, path
        assert str(graded["hidden"]) not in text or path.parent.name == "executed", path
    page = (out / "feedback" / "all_right.html").read_text(encoding="utf-8")
    assert "Extra check h1 (from your instructor)" in page


def test_gradebook_records_versions_and_is_plain_csv(graded):
    row = _row(graded, "all_right")
    assert row["gdcourse_version"] == "0.1.0" and row["python_version"].startswith("3.")
    raw = (graded["out"] / "gradebook.csv").read_bytes()
    assert raw.startswith(b"student,name,lms_id,late,chosen,file,lesson,status,")


def test_grading_shows_progress_and_names_every_problem(graded):
    err = graded["proc"].stderr
    assert err.count("grading [") == len(graded["made"])
    assert f"{len(graded['made'])}/{len(graded['made'])}" in err


def test_feedback_page_for_every_student(graded):
    pages = {p.stem for p in (graded["out"] / "feedback").glob("*.html")}
    assert pages == set(graded["made"])


def test_executed_notebooks_hold_no_grading_cells(graded):
    nb = _load(graded["out"] / "executed" / "all_right.ipynb")
    assert not any("__gd_q" in c.source for c in nb.cells)
    assert len(nb.cells) == len(_load(SOLUTION).cells)


def test_a_second_run_refuses_to_replace_the_gradebook(graded):
    before = (graded["out"] / "gradebook.csv").read_bytes()
    proc = subprocess.run(graded["cmd"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "--force" in proc.stderr
    assert (graded["out"] / "gradebook.csv").read_bytes() == before


def test_duplicate_student_ids_are_refused_before_grading(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "alice.ipynb").write_text("{}")
    with pytest.raises(GradeError, match="student id has more than one submission: 'alice'"):
        submission_files([tmp_path / "a", tmp_path / "b"])


def test_hidden_check_files_are_validated(tmp_path):
    bad = tmp_path / "hidden.py"
    bad.write_text(HIDDEN.replace('LESSON = "lr_exploration"', 'LESSON = "lr_explorations"'))
    with pytest.raises(GradeError, match="must set LESSON"):
        load_hidden_checks(bad)
    clash = tmp_path / "clash.py"
    clash.write_text(HIDDEN.replace('name="h1"', 'name="q1"'))
    with pytest.raises(GradeError, match="used twice"):
        load_hidden_checks(clash)
    with pytest.raises(GradeError, match="does not exist"):
        load_hidden_checks(tmp_path / "missing.py")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere/"], "submission nowhere does not exist"),
        (["{subs}", "--timeout", "0"], "--timeout must be a finite number of seconds > 0"),
        (["{subs}", "--memory-mb", "10"], "--memory-mb at least 256"),
        (["{subs}", "--lesson", "lr_exploratoin"], "did you mean 'lr_exploration'"),
        (["{subs}", "--hidden", "nope.py"], "hidden-check file nope.py does not exist"),
        (["{subs}", "--timeout", "nan"], "--timeout must be a finite number of seconds > 0"),
        (["{subs}", "--timeout", "inf"], "--timeout must be a finite number of seconds > 0"),
    ],
)
def test_bad_grade_arguments_get_one_clear_sentence(tmp_path, capsys, args, message):
    from gdcourse.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.ipynb").write_text("{}")
    argv = ["grade", *[a.format(subs=subs) for a in args], "--out", str(tmp_path / "out")]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("gdcourse grade: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_an_out_that_is_a_file_is_refused_before_grading(tmp_path, capsys):
    from gdcourse.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.ipynb").write_text("{}")
    (tmp_path / "out").write_text("my notes")
    assert main(["grade", str(subs), "--out", str(tmp_path / "out")]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert (tmp_path / "out").read_text() == "my notes"


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
)
def test_the_gradebook_is_safe_to_open_in_a_spreadsheet(tmp_path, name):
    from gdcourse.instructor.gradebook import write_gradebook
    from gdcourse.instructor.grading import GradedSubmission

    g = GradedSubmission(
        student=name,
        file=f"{name}.ipynb",
        lesson="lr_exploration",
        status="not_a_notebook",
        detail=name,
        results=[],
    )
    path = tmp_path / "gradebook.csv"
    write_gradebook([g], path)
    with path.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["student"] == f"'{name}" and row["file"] == f"'{name}.ipynb"
    assert row["status_detail"] == f"'{name}"
    assert row["total"] == "0"  # numbers stay numbers


def test_names_are_one_spelling_in_the_gradebook(tmp_path):
    import unicodedata

    from gdcourse.instructor.gradebook import safe_cell

    decomposed = unicodedata.normalize("NFD", "Zoë")
    assert safe_cell(decomposed) == unicodedata.normalize("NFC", "Zoë") != decomposed


def test_every_file_is_accounted_for(tmp_path):
    # A broken link was skipped in silence; alice.html beside alice.ipynb refused the whole class.
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.ipynb").write_text("{}")
    (subs / "alice.html").write_text("<p>export</p>")
    (subs / "bob.ipynb").symlink_to(tmp_path / "gone.ipynb")
    files = submission_files([subs])
    assert [f.name for f in files] == ["alice.ipynb", "bob.ipynb"]
    from gdcourse.instructor.grading import grade_submission

    g = grade_submission(subs / "bob.ipynb")
    assert g.status == "unreadable" and "link to a file that is not there" in g.detail


def test_all_student_id_clashes_are_named_at_once(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        for name in ("alice.ipynb", "carol.ipynb"):
            (tmp_path / d / name).write_text("{}")
    with pytest.raises(GradeError, match="2 student ids have more than one") as err:
        submission_files([tmp_path / "a", tmp_path / "b"])
    assert "'alice'" in str(err.value) and "'carol'" in str(err.value)


def test_force_removes_what_the_earlier_run_wrote_and_nothing_else(tmp_path, capsys):
    from gdcourse.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "zed.docx").write_text("not a notebook")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out)]) == 3  # nothing gradable
    assert (out / "feedback" / "zed.html").exists()
    (out / "feedback" / "my_template.md").write_text("the instructor's own")
    (subs / "zed.docx").unlink()
    (subs / "alice.docx").write_text("not a notebook")
    assert main(["grade", str(subs), "--out", str(out)]) == 1  # no --force: refused
    assert "exists from an earlier run" in capsys.readouterr().err
    assert main(["grade", str(subs), "--out", str(out), "--force"]) == 3
    assert not (out / "feedback" / "zed.html").exists()  # the earlier run's page
    assert (out / "feedback" / "alice.html").exists()
    assert (out / "feedback" / "my_template.md").read_text() == "the instructor's own"


def test_an_existing_feedback_folder_is_not_written_into_without_force(tmp_path, capsys):
    from gdcourse.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "carol.docx").write_text("x")
    (tmp_path / "out" / "feedback").mkdir(parents=True)
    (tmp_path / "out" / "feedback" / "carol.html").write_text("mine")
    assert main(["grade", str(subs), "--out", str(tmp_path / "out")]) == 1
    assert (tmp_path / "out" / "feedback" / "carol.html").read_text() == "mine"


def test_a_link_loop_and_names_spelt_two_ways_are_accounted_for(tmp_path):
    import unicodedata

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "l1.ipynb").symlink_to(subs / "l2.ipynb")
    (subs / "l2.ipynb").symlink_to(subs / "l1.ipynb")
    assert {f.name for f in submission_files([subs])} == {"l1.ipynb", "l2.ipynb"}
    two = tmp_path / "two"
    two.mkdir()
    for form in ("NFC", "NFD"):
        (two / f"{unicodedata.normalize(form, 'Zoë')}.ipynb").write_text("{}")
    if len(list(two.iterdir())) == 2:  # a file system that keeps both spellings
        with pytest.raises(GradeError, match="more than one submission"):
            submission_files([two])


def test_a_fractional_timeout_is_whole_seconds_and_a_huge_one_refused(tmp_path, capsys):
    from gdcourse.cli import main

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.docx").write_text("x")
    assert main(["grade", str(subs), "--out", str(tmp_path / "o1"), "--timeout", "1e308"]) == 1
    assert "at most a day" in capsys.readouterr().err
    assert main(["grade", str(subs), "--out", str(tmp_path / "o2"), "--timeout", "0.5"]) == 3


def test_an_old_v3_notebook_is_converted_and_graded(tmp_path):
    import nbformat

    from gdcourse.instructor.grading import grade_submission

    nb = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    nbformat.write(nbformat.convert(nb, 3), tmp_path / "old.ipynb", version=3)
    g = grade_submission(tmp_path / "old.ipynb")
    assert g.status == "ok" and g.total == g.max_total > 0, g.detail


def test_another_exercise_is_flagged_not_graded_as_this_one(tmp_path):
    from gdcourse.instructor.grading import grade_submission

    exercise_04 = ROOT / "solutions" / "04_many_parameters_practice.ipynb"
    (tmp_path / "bob.ipynb").write_bytes(exercise_04.read_bytes())
    g = grade_submission(tmp_path / "bob.ipynb", lesson="lr_exploration")
    assert g.status == "wrong_lesson" and "many_parameters_practice" in g.detail and not g.results


@pytest.mark.parametrize("call", ["exit()", "quit()"])
def test_exit_in_a_cell_stops_that_cell_only_and_keeps_the_answers(tmp_path, call):
    # exit() ended the kernel: every restart blamed an innocent cell, "gave up after 4 restarts",
    # 0/0 and no executed notebook.
    import nbformat

    from gdcourse.instructor.grading import grade_submission

    nb = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(call))
    nbformat.write(nb, tmp_path / "eve.ipynb")
    g = grade_submission(tmp_path / "eve.ipynb")
    assert g.status == "cell_errors" and "cell 3 raised GradingExit" in g.detail
    assert g.total == g.max_total > 0 and g.executed is not None


def test_a_skipped_cell_keeps_its_source_and_says_why_in_the_executed_notebook(tmp_path):
    import nbformat

    from gdcourse.instructor.grading import grade_submission

    nb = nbformat.read(ROOT / "solutions" / "03_lr_exploration.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("while True:\n    pass"))
    nbformat.write(nb, tmp_path / "carl.ipynb")
    g = grade_submission(tmp_path / "carl.ipynb", timeout=3)
    cell = g.executed["cells"][2]
    assert g.status == "timeout" and cell["source"] == "while True:\n    pass"
    assert "skipped: cell 3 ran longer than 3 s" in cell["outputs"][0]["text"]


@pytest.mark.parametrize("name", ["03", "3", "03_lr_exploration", "lr_exploration"])
def test_lesson_is_named_as_assign_names_it(name, tmp_path, capsys):
    """``--lesson`` takes the lesson's number or notebook name, as ``gdcourse assign`` does, and
    the exercise's slug; anything else is refused with the forms it takes."""
    from gdcourse.cli import main

    (tmp_path / "subs").mkdir()
    nbformat.write(nbformat.read(SOLUTION, as_version=4), tmp_path / "subs" / "ann.ipynb")
    argv = ["grade", str(tmp_path / "subs"), "--workers", "1", "--lesson"]
    assert main([*argv, name, "--out", str(tmp_path / "out")]) == 0
    assert ",lr_exploration,ok," in (tmp_path / "out" / "gradebook.csv").read_text()
    assert "on 1 worker..." in capsys.readouterr().err
    assert main([*argv, "99", "--out", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err
    assert "give the lesson's number (03) or the exercise's slug (lr_exploration)" in err
