"""gdcourse: the helper package of the gradient-descent course.

The top level re-exports the numpy-only core (losses, runners, schedules, data, theory).
Plots, widgets and exercise checks live in sub-packages imported on their own.
"""

from . import _notebook
from .core import *  # noqa: F403 - the core's public names are the package's
from .core import __all__ as _core_all

__version__ = "0.1.0"
__all__ = list(_core_all)

_notebook.install_error_display()
