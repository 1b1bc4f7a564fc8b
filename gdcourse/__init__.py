"""gdcourse: the helper package of the gradient-descent course.

The top level re-exports the numpy-only core (losses, runners, schedules, data, theory) and the
exercise blank ``____``. Plots, widgets and exercise checks live in sub-packages imported on
their own; ``gdcourse.progress()`` loads the check system only when called.
"""

from typing import Any

from . import _notebook
from .core import *  # noqa: F403 - the core's public names are the package's
from .core import __all__ as _core_all

__version__ = "0.1.0"
__all__ = [*_core_all, "progress"]

_notebook.install_error_display()


def progress() -> Any:
    """Your progress per lesson (checks passed and attempted, hints, solutions), as a table."""
    from .checks.progress import progress as _progress

    return _progress()
