"""Interactive explorers (one anywidget each, drawn in the browser), built from ``parts``.

Every explorer displays itself, has labelled controls with tooltips, a readout that states the
result in words and numbers, and can be driven from Python for tests. Explorers compute nothing
themselves: they run the core, read how each run ended from its status and say it with the core's
words (``Trajectory.phrase``). Flashcards show :class:`gdcourse.checks.Card` data.
"""

from importlib import import_module
from typing import Any

from .base import Explorer
from .contour import ContourExplorer
from .learning_rate import LearningRateExplorer
from .parts import Readout, StepPlayer, labelled_slider, log_rate_slider
from .picture import LayeredFigure

# Explorers of single lessons, imported when first used: {public name: module}.
_LESSON_EXPLORERS = {
    "GradientDirectionExplorer": "gradient_direction",  # lesson 01
    "StepExplorer": "step",  # lesson 02
    "ConditioningExplorer": "conditioning",  # lesson 04
    "BatchSizeExplorer": "batch_size",  # lesson 05
    "ScheduleExplorer": "schedule",  # lesson 06
    "SaddleExplorer": "saddle",  # lesson 07
    "Flashcards": "flashcards",  # lesson 08
    "MomentumExplorer": "momentum",  # lesson 09
    "TrainingExplorer": "training",  # lesson 10
}

__all__ = [
    "BatchSizeExplorer",
    "ConditioningExplorer",
    "ContourExplorer",
    "Explorer",
    "Flashcards",
    "GradientDirectionExplorer",
    "LayeredFigure",
    "LearningRateExplorer",
    "MomentumExplorer",
    "Readout",
    "SaddleExplorer",
    "ScheduleExplorer",
    "StepExplorer",
    "StepPlayer",
    "TrainingExplorer",
    "labelled_slider",
    "log_rate_slider",
]


def __getattr__(name: str) -> Any:
    if name in _LESSON_EXPLORERS:
        return getattr(import_module(f".{_LESSON_EXPLORERS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
