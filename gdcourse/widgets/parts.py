"""The parts every explorer is built from: labelled controls, buttons, a readout and a step
player, each a small kernel-side object that the explorer's own front end (``view``) draws as
native, labelled HTML controls: a ``<label for>`` and an ``<input type=range>``, a ``<button>``,
a ``<select>``. They keep ipywidgets' names (``value``, ``min``, ``max``, ``step``, ``options``,
``description``, ``observe``) so that explorers and tests drive them the same way."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import traitlets

from ..core import CourseTypeError, CourseValueError

__all__ = [
    "Button",
    "Control",
    "Readout",
    "Row",
    "StepPlayer",
    "choice_slider",
    "distinct",
    "dropdown",
    "int_slider",
    "labelled_slider",
    "log_rate_slider",
    "nice_step",
    "offchart_note",
    "preset_button",
    "rate_against_limit",
]


class Control(traitlets.HasTraits):
    """One control: a slider (``kind`` "float", "log", "int", "choice"), a ``"select"`` list or
    the ``"play"`` position of a step player. ``value`` is what the explorer reads; for a "log"
    slider ``min``/``max``/``step`` are exponents of ``base`` (as ipywidgets' FloatLogSlider)."""

    value = traitlets.Any()
    description = traitlets.Unicode()
    tooltip = traitlets.Unicode()
    disabled = traitlets.Bool(False)
    # Numbers of the control's own kind: an "int" slider's ends are ints, as ipywidgets' are.
    min = traitlets.Any(0.0)
    max = traitlets.Any(1.0)
    step = traitlets.Any(1.0)
    options = traitlets.List()  # "choice"/"select": the values, shown as ``str(value)``

    def __init__(self, kind: str, value: Any, **traits: Any) -> None:
        self.kind = kind
        self.base = 10.0
        self.readout_format = traits.pop("readout_format", ".3g")
        self.interval = traits.pop("interval", 250)
        # A log slider's ends as given (0.02, not 10 ** log10(0.02)): the page's ends are these.
        self.ends: tuple[float, float] | None = traits.pop("ends", None)
        super().__init__(**traits)
        self.value = value

    @property
    def labels(self) -> list[str]:
        return [str(v) for v in self.options]

    @property
    def values(self) -> list[Any]:
        return list(self.options)

    def shown(self) -> str:
        """The value as the control's readout shows it."""
        if self.kind in ("choice", "select"):
            return str(self.value)
        if self.kind in ("int", "play"):
            return str(int(self.value))
        return format(float(self.value), self.readout_format)

    def spec(self) -> dict[str, Any]:
        """What the front end needs to draw it."""
        spec = {
            "kind": self.kind,
            "label": self.description,
            "tooltip": self.tooltip,
            "disabled": self.disabled,
        }
        if self.kind in ("choice", "select"):
            spec["options"] = self.labels
        else:
            spec.update(min=self.min, max=self.max, step=self.step)
        if self.kind == "play":
            spec["interval"] = self.interval
        return spec

    def position(self) -> Any:
        """The value in the front end's terms: an option's index, a log slider's value."""
        if self.kind in ("choice", "select"):
            for i, v in enumerate(self.values):
                if v == self.value:
                    return i
            return 0
        return float(self.value) if self.kind in ("float", "log") else int(self.value)

    def from_position(self, position: Any) -> Any:
        """A value the front end sent back (an index, a number) as the control's value."""
        if isinstance(position, bool) or not isinstance(position, (int, float)):
            raise CourseTypeError(f"a position is a number, got {position!r}")
        if self.kind in ("choice", "select", "int", "play"):
            if position != int(position) or (self.kind != "int" and position < 0):
                raise CourseValueError(
                    f"a position of this control is a whole number, got {position}"
                )
        if self.kind in ("choice", "select"):
            return self.values[int(position)]
        if self.kind in ("int", "play"):
            return int(position)
        if self.ends is not None:
            for end in self.ends:
                if abs(position - end) <= 1e-9 * abs(end):
                    return end
        return float(position)


class Button(traitlets.HasTraits):
    """A push button with a visible text (its accessible name) and a tooltip."""

    description = traitlets.Unicode()
    tooltip = traitlets.Unicode()
    disabled = traitlets.Bool(False)

    def __init__(self, description: str = "", tooltip: str = "") -> None:
        super().__init__(description=description, tooltip=tooltip)
        self._handlers: list[Callable[[Button], None]] = []

    def on_click(self, handler: Callable[[Button], None]) -> None:
        self._handlers.append(handler)

    def click(self) -> None:
        """Press it, as a student would."""
        if self.disabled:
            return
        for handler in self._handlers:
            handler(self)

    def spec(self) -> dict[str, Any]:
        return {
            "kind": "button",
            "label": self.description,
            "tooltip": self.tooltip,
            "disabled": self.disabled,
        }


class Row(list):
    """Controls, buttons and label texts (plain strings) laid out side by side."""


def distinct(a: float, b: float, digits: int = 3, same_within: float = 0.0) -> tuple[str, str]:
    """Two numbers as a readout writes them: ``digits`` significant figures (at least), more
    where fewer would make different numbers look equal (0.1995 and 0.2 both "0.2"; rounding
    never reverses their order). Equal within ``same_within`` (relative) they may look equal."""
    if math.isclose(a, b, rel_tol=same_within, abs_tol=0.0):
        return f"{a:.{digits}g}", f"{b:.{digits}g}"
    for d in range(max(digits, 1), 18):
        x, y = f"{a:.{d}g}", f"{b:.{d}g}"
        if x != y:
            return x, y
    return repr(a), repr(b)


def rate_against_limit(rate: float, limit: float, digits: int = 3) -> tuple[str, str]:
    """A rate and the stability limit as a readout writes them (:func:`distinct`): equal within
    1e-9 they may look equal, which is a rate set to the limit."""
    return distinct(rate, limit, digits, same_within=1e-9)


def log_rate_slider(
    value: float, low: float = 1e-4, high: float = 10.0, *, description: str = "rate \u03b7"
) -> Control:
    """A learning-rate slider on a log scale: equal travel for each factor of 10.

    A linear slider would give the whole range 0.0001-0.1 a sliver at its left end, where the
    interesting small rates live.
    """
    return Control(
        "log",
        value,
        min=math.log10(low),
        max=math.log10(high),
        step=0.01,
        ends=(low, high),
        description=description,
        tooltip="Learning rate (log scale): each step moves w by rate \u00d7 gradient. "
        "Arrow keys change it in small steps.",
    )


def nice_step(low: float, high: float, notches: int = 100) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``notches`` positions."""
    raw = (high - low) / notches
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def labelled_slider(
    value: float, low: float, high: float, *, description: str, tooltip: str
) -> Control:
    """A float slider with a visible label and a tooltip, on a round step.

    The ends are rounded out to multiples of the step, because the front end snaps values to
    ``min + k * step``: with unround ends a start of 2.0 would show as 2.01.
    """
    step = nice_step(low, high)
    low, high = round(math.floor(low / step) * step, 12), round(math.ceil(high / step) * step, 12)
    return Control(
        "float", value, min=low, max=high, step=step, description=description, tooltip=tooltip
    )


def int_slider(value: int, low: int, high: int, *, description: str, tooltip: str) -> Control:
    """A whole-number slider with a visible label and a tooltip."""
    return Control(
        "int", int(value), min=low, max=high, step=1, description=description, tooltip=tooltip
    )


def choice_slider(value: Any, options: Iterable[Any], *, description: str, tooltip: str) -> Control:
    """A slider over a few named options (e.g. batch sizes)."""
    return Control("choice", value, options=list(options), description=description, tooltip=tooltip)


def dropdown(value: Any, options: Iterable[Any], *, description: str, tooltip: str) -> Control:
    """A drop-down list of named options."""
    return Control("select", value, options=list(options), description=description, tooltip=tooltip)


def preset_button(label: str, tooltip: str, on_click: Callable[[], None]) -> Button:
    """A button that sets a control to a value a slider cannot land on exactly."""
    button = Button(description=label, tooltip=tooltip)
    button.on_click(lambda _: on_click())
    return button


class Readout:
    """The live sentence under an explorer: what the picture shows, in words and numbers.

    The front end shows it in a polite live region (``role="status"``) and names the picture
    with it (``role="img"``, ``aria-label``): what a screen reader announces and reads.
    """

    def __init__(self) -> None:
        self.text = ""
        self.problem = False
        self.view: Any = None

    def show(self, text: str, *, problem: bool = False) -> None:
        self.text, self.problem = text, problem
        if self.view is not None:
            self.view.show_readout(text, problem)


class StepPlayer:
    """Reset / Step / Play over a precomputed run: the position ``k`` runs from 0 to ``n``.

    Moving it only changes which part of a stored trajectory is drawn; nothing is recomputed.
    """

    def __init__(self, n: int, on_change: Callable[[int], None], interval_ms: int = 250) -> None:
        self.play = Control(
            "play",
            n,
            min=0,
            max=n,
            step=1,
            interval=interval_ms,
            description="steps shown",
            tooltip="Play: draw the run one step at a time",
        )
        self.step_button = Button("Step \u25b6", "Take one more step")
        self.reset_button = Button("Reset", "Back to the start point")
        self.step_button.on_click(lambda _: self.set(min(self.k + 1, int(self.play.max))))
        self.reset_button.on_click(lambda _: self.set(0))
        self._quiet = False  # set while a new run resets the position: its owner draws once
        self.play.observe(
            lambda change: None if self._quiet else on_change(change["new"]), names="value"
        )
        self.widget = Row([self.reset_button, self.step_button, self.play])

    @property
    def k(self) -> int:
        return int(self.play.value)

    def set(self, k: int) -> None:
        self.play.value = k

    def set_length(self, n: int) -> None:
        """A new run of ``n`` steps: show all of it (without a redraw: the caller draws)."""
        self._quiet = True
        try:
            self.play.max = n
            self.play.value = n
        finally:
            self._quiet = False


def offchart_note(ax: Any, y: float, fontsize: float | None = None) -> Any:
    """The boxed note an explorer writes over ``ax`` (at height ``y`` of the axes) when its run
    leaves the chart: empty until then."""
    from ..plots.style import PALETTE

    return ax.text(
        0.5,
        y,
        "",
        transform=ax.transAxes,
        ha="center",
        color=PALETTE[1],
        fontsize=fontsize,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )
