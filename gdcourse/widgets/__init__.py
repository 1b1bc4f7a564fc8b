"""Interactive explorers (ipywidgets + ipympl), built from the parts in ``parts``.

Every explorer displays itself, has labelled controls with tooltips, a readout that states the
result in words and numbers, and can be driven from Python for tests.
"""

from .base import Explorer
from .contour import ContourExplorer
from .learning_rate import REGIME_PHRASES, LearningRateExplorer
from .parts import BlitFigure, Readout, StepPlayer, labelled_slider, log_rate_slider

__all__ = [
    "REGIME_PHRASES",
    "BlitFigure",
    "ContourExplorer",
    "Explorer",
    "LearningRateExplorer",
    "Readout",
    "StepPlayer",
    "labelled_slider",
    "log_rate_slider",
]
