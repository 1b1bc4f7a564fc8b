"""gdcourse: the helper package of the gradient-descent course.

The top level re-exports the numpy-only core (losses, runners, schedules, data, theory) and the
exercise blank ``____``, which importing gdcourse also makes a builtin (so cells need no import
of it). Plots, widgets and exercise checks live in sub-packages imported on
their own; ``gdcourse.progress()`` loads the check system only when called.
"""

import builtins as _builtins
from typing import Any

from . import _notebook
from .core import *  # noqa: F403 - the core's public names are the package's
from .core import __all__ as _core_all

__version__ = "0.1.0"
__all__ = [*_core_all, "progress"]

_notebook.install_error_display()

# The exercise blank is a builtin once gdcourse is imported, as `print` is: `w_05 = ____` works
# in every cell (and in a notebook run as a script), and no import line holds a blank that a
# student might "fill in" and so break every check.
if not hasattr(_builtins, "____"):
    _builtins.____ = ____  # type: ignore[attr-defined]


def progress() -> Any:
    """Your progress per lesson (checks passed and attempted, hints, solutions), as a table."""
    from .checks.progress import progress as _progress
    from .lessons import questions_in

    return _progress(questions_in)
