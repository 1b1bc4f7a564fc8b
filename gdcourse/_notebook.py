"""Show a student's input errors in IPython as one clear sentence, without our internal frames.

The traceback keeps the student's own lines (where the bad call is, also inside their own loss or
function that our code called) and drops the frames inside gdcourse, which would only bury the
message that says what was wrong and what was expected.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
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


def _show_input_error(
    shell: Any, etype: type, value: BaseException, tb: TracebackType, tb_offset: Any = None
) -> None:
    shell.showtraceback((etype, value, _without_package_frames(tb)), tb_offset=tb_offset)


def install_error_display() -> bool:
    """Register the short display for :class:`CourseInputError` in a running IPython.

    Returns whether IPython was running. Only looks for IPython if it is already imported,
    so plain ``python`` scripts pay nothing.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    if not shell.custom_exceptions:  # never replace someone else's handler
        shell.set_custom_exc((CourseInputError,), _show_input_error)
    return True
