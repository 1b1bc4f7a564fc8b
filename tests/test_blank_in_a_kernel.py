"""The exercise blank and undefined answers, in a real kernel (issue "Checks a student can
trust, part 2", item 24): ``import gdcourse`` defines ``____`` in the notebook, so no import line
holds a blank; a check cell that reads an answer not defined yet says "not attempted yet" (and
still fails, so Run All stops there as before and the grader lists the cell); any other
NameError shows as IPython shows it.
"""

from __future__ import annotations

import nbclient
import nbformat
import pytest

from .notebook_run import start_retried

pytestmark = pytest.mark.timeout(180)


def _run(*sources: str) -> list:
    """The cells of a notebook of ``sources``, executed in a fresh kernel (errors allowed)."""

    def run() -> list:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        client = nbclient.NotebookClient(nb, allow_errors=True, kernel_name="python3", timeout=120)
        client.execute()
        return nb.cells

    return start_retried(run)


@pytest.fixture(scope="module")
def executed():
    return _run(
        "from gdcourse import Quadratic1D\nfrom gdcourse.lessons import lr_exploration as ex",
        "boundary_rate = ____\nex.q9.check(boundary_rate)",
        "ex.q1.check(descent_weights)",
        "something_else + 1",
        "from gdcourse import gradient_descent, Quadratic1D\nw_05 = ____\nex.q2.check(w_05)",
    )


def _texts(cell):
    return [out.get("data", {}).get("text/plain", "") for out in cell.outputs]


def test_the_blank_is_defined_by_importing_gdcourse(executed):
    assert not any(out.output_type == "error" for out in executed[1].outputs)
    assert "Not attempted" in "".join(_texts(executed[1]))


def test_an_answer_not_defined_yet_is_not_attempted(executed):
    cell = executed[2]
    text = "".join(_texts(cell))
    assert "q1: not attempted yet (descent_weights has no value)" in text
    assert "run the cell where you set `descent_weights = ...`" in text
    errors = [out for out in cell.outputs if out.output_type == "error"]
    assert [e.ename for e in errors] == ["NameError"]  # the cell still fails, in one line
    assert len(errors[0].traceback) <= 4


def test_any_other_name_error_is_shown_as_usual(executed):
    cell = executed[3]
    assert not "".join(_texts(cell))
    assert [out.ename for out in cell.outputs if out.output_type == "error"] == ["NameError"]


def test_an_import_a_student_extends_leaves_the_blank_working(executed):
    # `from gdcourse import Quadratic1D, ____` "filled" with another name broke every check.
    assert not any(out.output_type == "error" for out in executed[4].outputs)
    assert "Not attempted" in "".join(_texts(executed[4]))


@pytest.fixture(scope="module")
def traps():
    return _run(
        "from gdcourse.lessons import lr_exploration as ex",
        "def helper():\n    return w_05 * 2\n\nx = helper()",
        "y = regime_prediction",  # lesson 03's answer: this notebook did not import it
        "del ____",
    )


def test_a_name_error_inside_a_function_keeps_its_traceback(traps):
    cell = traps[1]
    assert "not attempted" not in "".join(_texts(cell))
    (error,) = [out for out in cell.outputs if out.output_type == "error"]
    assert "helper" in "".join(error.traceback)  # the frame inside the student's function


def test_only_the_notebooks_own_lessons_are_named(traps):
    assert "not attempted" not in "".join(_texts(traps[2]))


def test_deleting_the_blank_is_explained(traps):
    assert "built in once gdcourse is imported" in "".join(_texts(traps[3]))


def test_only_a_kernel_that_died_at_start_is_started_again():
    tries = []

    def flaky():
        tries.append(1)
        if len(tries) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "ran"

    assert start_retried(flaky) == "ran" and len(tries) == 3

    def cell_fails():
        tries.append(1)
        raise RuntimeError("a cell raised")

    tries.clear()
    with pytest.raises(RuntimeError, match="a cell raised"):
        start_retried(cell_fails)
    assert len(tries) == 1
