"""The shell shared by every explorer: controls on top, the figure, the readout underneath.

An explorer displays itself (a cell ending with it shows the widget once, no stray repr), can
be driven from Python (``set`` a control, read ``readout_text`` and ``data()``), and never lets
an exception from a callback vanish: it is shown in the readout instead.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any

from ..core import CourseValueError
from .arguments import check_control_value
from .parts import Control, Readout
from .picture import LayeredFigure

__all__ = ["Explorer"]

# cell id -> (the run that made them, explorers): a cell run again closes the explorers its last
# run made, which ipywidgets would otherwise keep alive (a few MB each) for the whole session.
_MADE: dict[str, tuple[str, list[weakref.ref]]] = {}


def _this_run() -> tuple[str, str] | None:
    """(cell id, run id) of the JupyterLab cell running now; None outside a notebook kernel."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
        cell = (parent.get("metadata") or {}).get("cellId")
        run = (parent.get("header") or {}).get("msg_id")
    except (AttributeError, TypeError):  # not an ipykernel, or an unusual one: keep all
        return None
    return (cell, run) if isinstance(cell, str) and isinstance(run, str) else None


_CLOSED = "This explorer was closed when its cell ran again: use the explorer that cell shows now."


class Explorer:
    """Base: subclasses fill ``controls``, build a :class:`LayeredFigure`, then call
    ``_mount``."""

    def __init__(self) -> None:
        self.controls: dict[str, Control] = {}
        self.readout = Readout()
        self.widget: Any = None

    def _mount(self, rows: list[Any], figure: LayeredFigure) -> None:
        from .view import ExplorerView  # anywidget: imported with the first explorer shown

        self.fig = figure
        self.widget = ExplorerView(rows, self.controls, self.readout, figure, self._guarded)
        self._replace_the_last_runs()

    def _replace_the_last_runs(self) -> None:
        """Close the explorers the last run of this cell made: the cell ran again, and they are
        left behind (shown elsewhere, they say they have stopped). Explorers made by other cells,
        or by this run, stay."""
        here = _this_run()
        if here is None:
            return
        cell, run = here
        last_run, made = _MADE.get(cell, ("", []))
        if last_run != run:
            for ref in made:
                old = ref()
                if old is not None:
                    old.close()
            made = []
        made.append(weakref.ref(self))
        _MADE[cell] = (run, made)

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
        self._check_open()
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
            self.controls[name].value = value

    def _value(self, name: str) -> float:
        """A control's value as a number. A value set from Python (a preset 1/a = 0.5) stays
        exact: the front end shows it on the slider's grid but sends a value back only when
        the student moves the slider."""
        return float(self.controls[name].value)

    @property
    def readout_text(self) -> str:
        """The readout as plain text: what the explorer currently says."""
        return self.readout.text

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        if self.widget is None:
            return {"text/plain": _CLOSED}
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        """The live explorer, then its still picture with the readout: shown where no kernel
        runs (a notebook viewer, an HTML export, a notebook reopened later), hidden next to
        the live explorer."""
        from IPython.display import display

        if self.__dict__.get("_closed"):  # e.g. Out[5] shown again: a sentence, no error
            display({"text/plain": _CLOSED}, raw=True)
            return
        display(self.widget)
        display(self.widget.still())

    def close(self) -> None:
        """Close the live explorer for good (its page then says it has stopped) and free all
        it holds, picture, runs and artists: IPython's output cache (``Out``) may keep the
        object itself. Its controls and last readout stay."""
        if self.widget is not None:
            self.widget.release()
        if getattr(self, "fig", None) is not None:
            self.fig.release()
        self.readout.view = None
        for control in self.controls.values():
            control.unobserve_all()  # their observers hold the view and the explorer's state
        kept = {"controls": self.controls, "readout": self.readout}
        dropped = frozenset(self.__dict__) - set(kept)
        self.__dict__.clear()
        self.__dict__.update(kept, widget=None, fig=None, _closed=True, _dropped=dropped)

    def __getattr__(self, name: str) -> Any:
        # Only for names not found: what a closed explorer held (its runs, its artists).
        if name in self.__dict__.get("_dropped", ()):
            self._check_open()
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_open(self) -> None:
        if self.__dict__.get("_closed"):
            raise CourseValueError(
                "this explorer was closed when its cell ran again: use the explorer that cell "
                "shows now (or make a new one)"
            )

    def png(self) -> bytes:
        """The picture as it stands (background and moving layer), as a PNG."""
        self._check_open()
        return self.fig.png()
