"""In IPython, a student's bad argument shows their own line and our sentence, not our internals."""

import subprocess
import sys


def _ipython(code: str) -> str:
    """Run ``code`` as one cell of a fresh IPython, the way a kernel runs a notebook cell."""
    out = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", code],
        capture_output=True,
        text=True,
    )
    return out.stdout + out.stderr


def test_input_error_shows_the_message_and_the_students_line_but_no_gdcourse_frames():
    text = _ipython(
        "import gdcourse\n"
        "run = gdcourse.gradient_descent(gdcourse.Quadratic1D(2, 3), 7.0, lr=-0.1, steps=5)"
    )
    assert "lr must be a positive finite number, got -0.1" in text
    assert "----> 2 run = gdcourse.gradient_descent(" in text  # the student's own line
    assert "descent.py" not in text and "schedules.py" not in text  # our frames are not


def test_other_errors_keep_their_full_traceback():
    text = _ipython("import gdcourse\ndef f():\n    return 1 / 0\nf()")
    assert "ZeroDivisionError" in text
    assert "return 1 / 0" in text  # the frame inside the function is still shown


def test_plain_python_is_untouched():
    code = "import gdcourse, sys; print('IPython' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_bad_call_inside_the_students_own_loss_shows_that_line_too():
    # Our runner calls the student's loss; the loss makes the bad call. Both of the student's
    # lines are shown (the call of the runner and the line inside their loss), none of ours.
    text = _ipython(
        "import gdcourse\n"
        "class MyLoss:\n"
        "    def value(self, w):\n"
        "        return (w - 3) ** 2\n"
        "    def gradient(self, w):\n"
        "        return gdcourse.gradient_step(w, 1.0, lr=-1)\n"
        "gdcourse.gradient_descent(MyLoss(), 7.0, 0.1, 5)"
    )
    assert "lr must be a finite number > 0, got -1" in text
    assert "gdcourse.gradient_descent(MyLoss(), 7.0, 0.1, 5)" in text
    assert "return gdcourse.gradient_step(w, 1.0, lr=-1)" in text
    assert "descent.py" not in text


def _kernel_outputs(*cells: str) -> list[list[dict]]:
    """Run ``cells`` in a fresh kernel, as a notebook does; each cell's outputs."""
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbclient.NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=120).execute()
    return [cell.outputs for cell in nb.cells]


def test_a_failed_course_check_says_what_most_often_causes_it_not_a_bare_assertion():
    # A student's cell gave a lesson's name a new value; the folded check cell then fails.
    setup, check, theirs, alike = _kernel_outputs(
        "import gdcourse\nloss = 3",
        "# The course checks its own numbers:\nassert loss == 4\n"
        'print("All the numbers above are right.")',
        "assert 1 == 2  # a student's own assert keeps its traceback",
        "# The course checks its own numbers: my own try\nmine = []\nmine[5]",
    )
    assert setup == []
    note = "".join(o.get("data", {}).get("text/plain", "") for o in check)
    assert "The course's own check did not hold here" in note
    assert "`assert loss == 4`" in note and "gave one of the lesson's names" in note
    assert "Restart Kernel and Run All Cells" in note
    errors = [o for o in check if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["AssertionError"]  # the cell still fails
    assert not any("right." in o.get("text", "") for o in check)
    mine = [o for o in theirs if o["output_type"] == "error"]
    assert mine and mine[0]["ename"] == "AssertionError" and len(mine[0]["traceback"]) > 1
    assert not any("course's own check" in str(o) for o in theirs)
    # A student's cell that only begins like the course's is theirs: its own traceback, no note.
    assert not any("course's own check" in str(o) for o in alike)
    assert [o["ename"] for o in alike if o["output_type"] == "error"] == ["IndexError"]


def test_every_figure_a_notebook_shows_carries_its_titles_as_alternative_text():
    (cells,) = _kernel_outputs(
        "import gdcourse\n"
        "from gdcourse import Quadratic1D\n"
        "from gdcourse.plots.learning_rate import rate_runs\n"
        "rate_runs(Quadratic1D(2, 3), 7.0, (0.1, 1.0), 10)"
    )
    (shown,) = [o for o in cells if "image/png" in o.get("data", {})]
    page = shown["data"]["text/html"]
    assert page.startswith('<img src="data:image/png;base64,')
    assert 'alt="rate 0.1 has not converged and rate 1 bounces between two points forever"' in page
