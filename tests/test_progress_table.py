"""`gdcourse.progress()` tells the truth: what counts as attempted, hinted and seen, totals and
points, course order and names, and the latest answer rather than any earlier one.

Each log is written by hand, as `record()` and the questions write it, into the file named by
GDCOURSE_PROGRESS.
"""

import importlib
import json
import shutil
from pathlib import Path

import pytest

from gdcourse.checks import progress, questions_of
from gdcourse.lessons import lr_exploration, welcome

ROOT = Path(__file__).resolve().parents[1]
progress_module = importlib.import_module("gdcourse.checks.progress")

#: Every lesson module in the order a student meets it: each lesson, then its exercise.
COURSE = [
    "welcome",
    "gradient",
    "gradient_practice",
    "update_rule",
    "update_rule_practice",
    "learning_rate",
    "lr_exploration",
    "many_parameters",
    "many_parameters_practice",
    "sgd",
    "sgd_practice",
    "schedules",
    "schedules_practice",
    "saddles",
    "saddles_practice",
    "review",
    "momentum",
    "momentum_practice",
    "network",
    "network_practice",
]


@pytest.fixture
def log(tmp_path, monkeypatch):
    """Write the progress log by hand: ``log(("lesson", "q1", "check", "correct"), ...)``."""
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(path))

    def write(*events, extra_lines=()):
        lines = []
        for lesson, question, event, *outcome in events:
            entry = {"time": "2025-01-01T00:00:00+00:00", "lesson": lesson}
            entry |= {"question": question, "event": event}
            if outcome:
                entry["outcome"] = outcome[0]
            lines.append(json.dumps(entry))
        path.write_text("\n".join([*lines, *extra_lines]) + "\n", encoding="utf-8")
        return path

    return write


def _row(lesson: str):
    (row,) = [r for r in progress().rows if r.lesson == lesson]
    return row


# -- the six defects ------------------------------------------------------------------------


def test_a_check_that_was_not_attempted_is_not_counted_as_attempted(log):
    log(
        ("lr_exploration", "q1", "check", "not_attempted"),
        ("lr_exploration", "q2", "check", "error"),
    )
    assert _row("lr_exploration").attempted == 1  # q2 raised: attempted; q1 was a blank


def test_only_hints_shown_are_counted_not_hints_withheld(log):
    log(
        ("lr_exploration", "q1", "hint", "shown"),
        ("lr_exploration", "q1", "hint", "withheld"),
        ("lr_exploration", "q1", "hint", "withheld"),
    )
    assert _row("lr_exploration").hints == 1


def test_a_withheld_solution_is_not_counted_as_seen(log):
    log(
        ("lr_exploration", "q1", "solution", "withheld"),
        ("lr_exploration", "q2", "solution", "shown"),
    )
    assert _row("lr_exploration").solutions == 1


def test_each_lesson_shows_questions_and_points_of_its_totals(log):
    log(("lr_exploration", "q1", "check", "correct"), ("lr_exploration", "q9", "check", "correct"))
    questions = questions_of(lr_exploration)
    row = _row("lr_exploration")
    assert (row.done, row.questions) == (2, len(questions))
    earned = questions[0].points + questions[8].points
    assert (row.points, row.max_points) == (earned, sum(q.points for q in questions))
    text = str(progress())
    assert f"2 of {len(questions)}" in text
    assert f"{earned} of {row.max_points}" in text


def test_lessons_come_in_course_order_by_number_and_title(log):
    log(*[(lesson, "q1", "check", "incorrect") for lesson in reversed(COURSE)])
    rows = progress().rows
    assert [r.lesson for r in rows] == COURSE
    titles = [r.title for r in rows]
    assert titles[:3] == [
        "00 Welcome to gdcourse",
        "01 The gradient as a direction",
        "01 Exercise: the gradient in practice",
    ]
    assert titles[6] == "03 Exercise: exploring the learning rate"
    text = str(progress())
    assert "lr_exploration" not in text  # students see titles, not module names
    assert text.index("00 Welcome") < text.index("01 The gradient") < text.index("08 Review")


def test_a_later_wrong_answer_undoes_an_earlier_correct_one(log):
    log(
        ("lr_exploration", "q1", "check", "correct"),
        ("lr_exploration", "q1", "check", "incorrect"),
        ("lr_exploration", "q2", "check", "incorrect"),
        ("lr_exploration", "q2", "check", "correct"),
    )
    row = _row("lr_exploration")
    assert row.done == 1 and row.points == lr_exploration.q2.points
    assert dict(row.latest)["q1"] == "incorrect" and dict(row.latest)["q2"] == "correct"
    assert "q1 \u2718  q2 \u2714  q3 \u2013" in str(progress())


# -- the rest of what the table says ----------------------------------------------------------


def test_a_blank_rerun_or_a_course_error_does_not_undo_a_correct_answer(log):
    # Re-running a notebook with its blanks, or a bug on our side, says nothing of the answer.
    log(
        ("lr_exploration", "q1", "check", "correct"),
        ("lr_exploration", "q1", "check", "not_attempted"),
        ("lr_exploration", "q2", "check", "correct"),
        ("lr_exploration", "q2", "check", "internal_error"),
        ("lr_exploration", "q3", "check", "internal_error"),
    )
    row = _row("lr_exploration")
    assert row.done == 2
    assert row.latest[:4] == (
        ("q1", "correct"),
        ("q2", "correct"),
        ("q3", "internal_error"),
        ("q4", None),
    )


def test_hints_and_solutions_of_an_older_log_without_an_outcome_count_as_shown(log):
    log(("welcome", "q1", "hint"), ("welcome", "q1", "hint"), ("welcome", "q1", "solution"))
    row = _row("welcome")
    assert (row.hints, row.solutions, row.attempted, row.done) == (2, 1, 0, 0)
    assert row.latest == (("q1", None),)


def test_a_lesson_the_course_does_not_have_comes_last_with_unknown_totals(log):
    log(("no_such_lesson", "q1", "check", "correct"), ("welcome", "q1", "check", "correct"))
    rows = progress().rows
    assert [r.lesson for r in rows] == ["welcome", "no_such_lesson"]
    unknown = rows[1]
    assert (unknown.title, unknown.done, unknown.questions, unknown.points) == (
        "no_such_lesson",
        1,
        None,
        None,
    )
    text = str(progress())
    assert "1 of ?" in text and "? of ?" in text and "totals are unknown" in text


def test_damaged_lines_cost_only_themselves(log):
    log(
        ("welcome", "q1", "check", "correct"),
        extra_lines=[
            "not json",
            "[1, 2]",
            '"a string"',
            '{"lesson": ["a"], "question": "q1", "event": "check", "outcome": "correct"}',
            '{"lesson": "welcome", "question": "q1", "event": "check", "outcome": "sideways"}',
            '{"lesson": "welcome", "event": "check", "outcome": "incorrect"}',
        ],
    )
    rows = progress().rows
    assert [(r.lesson, r.done, r.attempted) for r in rows] == [("welcome", 1, 1)]


def test_a_missing_log_says_no_progress_yet_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path / "nothing-here.jsonl"))
    table = progress()
    assert table.rows == []
    assert str(table).startswith("No progress recorded yet") and "run a check" in str(table)
    assert "No progress recorded yet" in table._repr_html_()


def test_the_html_table_explains_every_mark_in_words(log):
    log(("welcome", "q1", "check", "correct"), ("lr_exploration", "q1", "check", "error"))
    page = progress()._repr_html_()
    assert "<table" in page and "00 Welcome to gdcourse" in page
    for words in (
        "\u2714 correct",
        "\u2718 not yet",
        "! your code raised an error",
        "\u2013 not checked yet",
    ):
        assert words in page


# -- where the course order comes from --------------------------------------------------------


def test_without_the_course_folder_the_order_comes_from_the_lesson_modules(log, monkeypatch):
    # The package installed on its own: no numbered notebooks to read, only its lesson modules.
    monkeypatch.setattr(progress_module, "_course_folders", list)
    log(*[(lesson, "q1", "check", "incorrect") for lesson in sorted(COURSE)])
    rows = progress().rows
    assert [r.lesson for r in rows] == COURSE
    assert rows[0].title == "00 welcome"
    assert rows[6].title == "03 Exercise: lr exploration"


def test_in_a_students_copy_titles_come_from_the_copy(log, tmp_path, monkeypatch):
    # A kernel runs in its notebook's folder, e.g. my-work/exercises/, and the package may be
    # installed without its checkout.
    copy = tmp_path / "my-work"
    for folder in ("notebooks", "exercises"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns(".*"))
    nb = json.loads((copy / "exercises" / "03_lr_exploration.ipynb").read_text())
    nb["cells"][0]["source"] = ["# 03 · My renamed exercise\n"]
    (copy / "exercises" / "03_lr_exploration.ipynb").write_text(json.dumps(nb))
    monkeypatch.setattr(progress_module, "_CHECKOUT", tmp_path / "not-a-checkout")
    monkeypatch.chdir(copy / "exercises")
    log(("lr_exploration", "q1", "check", "correct"), ("welcome", "q1", "check", "correct"))
    assert [r.title for r in progress().rows] == [
        "00 Welcome to gdcourse",
        "03 My renamed exercise",
    ]


def test_every_lesson_module_names_its_numbered_notebook_in_its_docstring(monkeypatch):
    # The fallback order rests on this; the course folder and the modules must agree.
    places = progress_module._places(set(COURSE))
    found = {}
    for folder, exercise in (("notebooks", False), ("exercises", True)):
        for path in (ROOT / folder).glob("*.ipynb"):
            number, slug = path.stem.split("_", 1)
            found[slug] = (int(number), exercise)
    assert (
        set(found)
        == set(COURSE)
        == {p.stem for p in (ROOT / "gdcourse" / "lessons").glob("*.py") if p.stem != "__init__"}
    )
    monkeypatch.setattr(progress_module, "_course_folders", list)
    from_docstrings = progress_module._places(set(COURSE))
    assert {s: (p.number, p.exercise) for s, p in from_docstrings.items()} == found
    assert {s: (p.number, p.exercise) for s, p in places.items()} == found


def test_the_welcome_lesson_counts_its_one_question(log):
    log(("welcome", "q1", "check", "correct"))
    row = _row("welcome")
    assert (row.done, row.questions, row.points, row.max_points) == (
        1,
        1,
        welcome.q1.points,
        welcome.q1.points,
    )


def test_gdcourse_progress_counts_totals_of_lessons_not_loaded_yet(tmp_path):
    # A fresh kernel: `gdcourse.progress()` loads the lessons in the log for their totals, and
    # gdcourse.checks itself never imports a lesson (arrows point one way).
    import subprocess
    import sys

    path = tmp_path / "progress.jsonl"
    path.write_text(
        '{"lesson": "lr_exploration", "question": "q1", "event": "check", "outcome": "correct"}\n'
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, gdcourse; t = gdcourse.progress(); "
            "assert not any(m.startswith('gdcourse.lessons.') for m in sys.modules "
            "if m != 'gdcourse.lessons.lr_exploration'); "
            "(r,) = t.rows; print(r.done, r.questions, r.points, r.max_points)",
        ],
        env={**__import__("os").environ, "GDCOURSE_PROGRESS": str(path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["1", "9", "2", "12"]


def test_a_damaged_byte_costs_its_line_only(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    good = '{"lesson": "lr_exploration", "question": "q1", "event": "check", "outcome": "correct"}'
    path.write_bytes(good.encode() + b"\n\xff\xfe garbage\n" + good.replace("q1", "q2").encode())
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(path))
    (row,) = progress().rows
    assert row.attempted == 2


def test_an_unreadable_log_says_so_instead_of_no_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(tmp_path))  # a folder, not a file
    text = str(progress())
    assert "cannot be read" in text and "No progress recorded yet" not in text


def test_questions_a_lesson_does_not_have_are_not_attempted_of_it(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    path.write_text(
        "".join(
            f'{{"lesson": "lr_exploration", "question": "{q}", "event": "check", '
            f'"outcome": "incorrect"}}\n'
            for q in ("q1", "q10", "Q2")
        )
    )
    monkeypatch.setenv("GDCOURSE_PROGRESS", str(path))
    (row,) = progress(questions_in=lambda lesson: questions_of(lr_exploration)).rows
    assert row.attempted == 1 and row.questions == 9
