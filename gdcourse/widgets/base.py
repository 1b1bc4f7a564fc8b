"""The shell shared by every explorer: controls on top, the figure, the readout underneath.

An explorer displays itself (a cell ending with it shows the widget once, no stray repr), can
be driven from Python (``set`` a control, read ``readout_text`` and ``data()``), and never lets
an exception from a callback vanish: it is shown in the readout instead.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..core import CourseValueError
from .arguments import check_control_value
from .parts import BlitFigure, Readout

__all__ = ["Explorer"]


class Explorer:
    """Base: subclasses fill ``controls``, build a :class:`BlitFigure`, then call ``_mount``."""

    def __init__(self) -> None:
        self.controls: dict[str, widgets.Widget] = {}
        self.readout = Readout()
        self.widget: widgets.VBox | None = None
        self._intended: dict[str, float] = {}

    def _mount(self, rows: list[widgets.Widget], figure: BlitFigure) -> None:
        self.fig = figure
        self.widget = widgets.VBox([*rows, figure.canvas, self.readout.widget])
        self.widget.add_class("gdcourse-explorer")
        for name, control in self.controls.items():
            if isinstance(control, widgets.FloatLogSlider):
                self._intended[name] = float(control.value)

    def _guarded(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Wrap a callback: exceptions in ipywidgets callbacks are otherwise silently lost."""

        @functools.wraps(fn)
        def run(*args: Any) -> None:
            try:
                fn(*args)
            except Exception as err:  # shown to the student instead of vanishing
                self.readout.show(
                    f"This explorer could not update ({type(err).__name__}: {err}). "
                    f"Move the control back, or re-run the cell.",
                    problem=True,
                )

        return run

    def _watch(self, name: str, fn: Callable[[], None]) -> None:
        self.controls[name].observe(self._guarded(lambda _change: fn()), names="value")

    def set(self, **values: Any) -> None:
        """Set controls by name, as a student moving them would (e.g. ``set(lr=0.75)``)."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise CourseValueError(
                f"unknown control(s) {unknown}; this explorer has {sorted(self.controls)}"
            )
        # Every value is checked before any is set: ipywidgets would clamp a number outside a
        # slider's range without a word, or raise a TraitError.
        values = {
            name: check_control_value(name, self.controls[name], value)
            for name, value in values.items()
        }
        for name, value in values.items():
            if isinstance(self.controls[name], widgets.FloatLogSlider):
                self._intended[name] = float(value)
            self.controls[name].value = value

    def _value(self, name: str) -> float:
        """A control's value, or the exact value it was set to if the browser only snapped it.

        The browser snaps a log slider to its grid (exponents ``min + k * step``) and sends the
        snapped value back: a preset 1/a = 0.5 would return as 10**-0.3 = 0.501 and no longer
        land in one step. A value set from Python (or at construction) is kept for as long as
        the slider stays on the grid point it was snapped to.
        """
        control = self.controls[name]
        value = float(control.value)
        wanted = self._intended.get(name)
        if wanted is not None and value > 0 and wanted > 0:
            if abs(math.log10(value) - math.log10(wanted)) <= control.step / 2 + 1e-9:
                return wanted
        self._intended.pop(name, None)  # the student moved it: their value from now on
        return value

    @property
    def readout_text(self) -> str:
        """The readout as plain text: what the explorer currently says."""
        return self.readout.text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)
