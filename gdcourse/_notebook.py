"""Show a student's input errors in IPython as one clear sentence, without our internal frames;
say "not attempted yet" for an answer a check cell reads before it is defined.

The traceback keeps the student's own lines (where the bad call is, also inside their own loss or
function that our code called) and drops the frames inside gdcourse, which would only bury the
message that says what was wrong and what was expected.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType, TracebackType
from typing import Any

from .core.errors import CourseInputError

# os.path, not pathlib: importing pathlib would add a tenth to `import gdcourse`.
_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))


def _without_package_frames(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` with the frames inside gdcourse left out: the student's own frames stay, also
    those below ours (a student's loss whose method made the bad call, called by our runner)."""
    kept = []
    node = tb
    while node is not None:
        if not os.path.realpath(node.tb_frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            kept.append(node)
        node = node.tb_next
    for here, after in zip(kept, [*kept[1:], None], strict=True):
        here.tb_next = after
    return kept[0] if kept else None


def _not_defined_yet(name: str, namespace: dict[str, Any]) -> tuple[str, str] | None:
    """(title, text) for a name a notebook has not defined yet, when it is the course's blank
    or the answer of a question of a lesson this notebook imported; else None."""
    if name == "____":  # only `del ____`: importing gdcourse made the blank a builtin
        return (
            "the blank ____ cannot be deleted",
            "____ is the course's blank, built in once gdcourse is imported: there is nothing to "
            "delete. Replace ____ where your answer goes instead.",
        )
    if "gdcourse.checks.questions" not in sys.modules:
        return None
    from .checks.questions import questions_of

    imported = {id(v) for v in list(namespace.values()) if isinstance(v, ModuleType)}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("gdcourse.lessons.") or id(module) not in imported:
            continue
        for question in questions_of(module):
            if question.answer_var == name:
                return (
                    f"{question.name}: not attempted yet ({name} has no value)",
                    f"{name} is not defined yet: run the cell where you set `{name} = ...` "
                    f"(above this one), then this cell again. Nothing was checked.",
                )
    return None


def _raised_by_the_cell(tb: TracebackType | None) -> bool:
    """Did the error come from the cell's own top level (not from inside a function it
    called)? IPython's frames come first; the cell's code is the last frame, a module's."""
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    if not frames or frames[-1].co_name != "<module>":
        return False
    return all(f"{os.sep}IPython{os.sep}" in code.co_filename for code in frames[:-1])


#: How every cell in which the course checks its own numbers begins (the lessons' folded cells).
CHECKS_HEAD = "# The course checks its own numbers"
#: ... and how it ends.
CHECKS_DONE = 'print("All the numbers above are right.")'


def _running_a_check_cell(shell: Any) -> bool:
    """Is the cell running now one of the course's own check cells? IPython has stored its
    source as the last input before running it."""
    history = shell.user_ns.get("_ih") or shell.user_ns.get("In") or [""]
    cell = history[-1]
    # Both its first line and its last: a student's cell that only begins alike is theirs.
    return isinstance(cell, str) and cell.lstrip().startswith(CHECKS_HEAD) and CHECKS_DONE in cell


def _failed_line(tb: TracebackType | None) -> str:
    """The cell's own line that failed (its last frame that is not in IPython or gdcourse)."""
    import linecache

    line = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        path = os.path.realpath(code.co_filename)
        if f"{os.sep}IPython{os.sep}" not in path and not path.startswith(_PACKAGE_DIR):
            text = linecache.getline(code.co_filename, tb.tb_lineno).strip()
            line = text or line
        tb = tb.tb_next
    return line


def _show_check_cell_error(shell: Any, etype: type, value: BaseException, tb: Any) -> None:
    """One of the course's own checks did not hold: say what most often causes it (a cell of
    the student's gave a lesson's name a new value), not a bare AssertionError."""
    from IPython.display import display

    from .checks.verdict import Note

    line = _failed_line(tb)
    where = f": `{line[:300]}`" if line else ""
    display(
        Note(
            "not_attempted",
            "The course's own check did not hold here",
            f"This cell checks the numbers the text above states, on the lesson's own variables, "
            f"and one check failed ({etype.__name__}{where}). Most often a cell of yours gave one "
            f"of the lesson's names (such as loss, run, w0 or bowl) a new value. Run Kernel > "
            f"Restart Kernel and Run All Cells; if it still fails, it is a course bug: please "
            f"report it.",
        )
    )
    # The cell did fail: its error stays, with the frames of any code of theirs it went through.
    shell.showtraceback((etype, value, _without_package_frames(tb)), running_compiled_code=True)


def _show_error(
    shell: Any, etype: type, value: BaseException, tb: TracebackType, tb_offset: Any = None
) -> None:
    try:
        ours = _running_a_check_cell(shell)
    except Exception:  # never let the display itself hide the error
        ours = False
    if ours and not isinstance(value, CourseInputError):
        _show_check_cell_error(shell, etype, value, tb)
        return
    if not isinstance(value, (CourseInputError, NameError)):  # as IPython shows it
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        return
    if isinstance(value, CourseInputError):
        shell.showtraceback((etype, value, _without_package_frames(tb)), tb_offset=tb_offset)
        return
    said = None
    # Only a name the cell itself reads: a NameError inside a function keeps its traceback.
    if _raised_by_the_cell(tb):
        try:
            said = _not_defined_yet(getattr(value, "name", None) or "", shell.user_ns)
        except Exception:  # never let the display itself hide the student's error
            said = None
    if said is None:  # any other NameError: as IPython shows it
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return
    from IPython.display import display

    from .checks.verdict import Note

    display(Note("not_attempted", *said))
    # The cell did fail: keep its one-line error (no frames), which the grader lists too.
    shell.showtraceback((etype, value, None), tb_offset=tb_offset)


def _figure_html(fig: Any) -> str | None:
    """A matplotlib figure as JupyterLab shows it, an ``<img>``, with its titles (which state
    the finding) as the text a screen reader reads: a bare image/png output has none."""
    import base64
    import html

    from IPython.core.pylabtools import print_figure

    from .checks.assessment import ASSESSMENT_ENV

    if not fig.axes or os.environ.get(ASSESSMENT_ENV) == "1":
        return None  # while grading: the image/png alone, within the grader's output caps
    titles = [t for t in (fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)) if t]
    words = "; ".join(t.replace("\n", " ") for t in titles) or "A figure without a title"
    png = print_figure(fig, "png", bbox_inches="tight")
    if not png:
        return None
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(words, quote=True)}">'


def install_figure_text(shell: Any) -> None:
    """Every matplotlib figure a notebook shows carries its titles as alternative text.

    The inline backend, once pyplot loads, clears every formatter for figures but its own; so
    ours is put back before each cell and before the backend shows the cell's figures (its
    post-execute hook comes after ours, registered at ``import gdcourse``)."""
    html_formatter = shell.display_formatter.formatters["text/html"]

    def ensure(*_: Any) -> None:
        html_formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_html)

    ensure()
    for event in ("pre_run_cell", "post_execute"):
        if ensure not in shell.events.callbacks[event]:
            shell.events.register(event, ensure)


def install_error_display() -> bool:
    """In a running IPython: register the short display for :class:`CourseInputError`, for a
    question's answer not defined yet, and for a failed check in one of the course's own check
    cells (every other error is shown as IPython shows it).

    Returns whether IPython was running. Only looks for IPython if it is already imported,
    so plain ``python`` scripts pay nothing.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    if not shell.custom_exceptions:  # never replace someone else's handler
        shell.set_custom_exc((Exception,), _show_error)
    install_figure_text(shell)
    return True
