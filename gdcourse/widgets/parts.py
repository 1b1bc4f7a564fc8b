"""The parts every explorer is built from: labelled controls, a readout, a step player, and a
backend-independent ipympl figure that redraws only what moved (blitting).

Why blitting: on a slider move, re-rendering a whole figure costs ~140 ms key-to-pixels here;
restoring a cached background and drawing only the moving artists costs ~56 ms.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure


def _import_ipympl_keeping_the_backend() -> tuple[type, type]:
    """Import ipympl's canvas without letting it take over pyplot.

    ipympl's ``__init__`` calls ``matplotlib.use(ipympl)`` when matplotlib is already imported,
    which would turn every later pyplot figure of the lesson into a widget. Our explorers build
    their canvases directly, so pyplot keeps the notebook's backend (inline, for the lessons).
    """
    before = matplotlib.rcParams._get_backend_or_none()  # None: not chosen yet (private API)
    from ipympl.backend_nbagg import Canvas, FigureManager

    if before is not None and matplotlib.rcParams._get_backend_or_none() != before:
        matplotlib.use(before)
    return Canvas, FigureManager


Canvas, FigureManager = _import_ipympl_keeping_the_backend()

__all__ = [
    "BlitFigure",
    "Readout",
    "StepPlayer",
    "distinct",
    "int_slider",
    "labelled_slider",
    "log_rate_slider",
    "nice_step",
    "preset_button",
    "rate_against_limit",
]

_LABEL_STYLE = {"description_width": "initial"}
_FRAME_GAP_S = 0.25  # frames closer than this are sent whole (see BlitFigure.update)
_LAYOUT = widgets.Layout(width="380px")


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
) -> widgets.FloatLogSlider:
    """A learning-rate slider on a log scale: equal travel for each factor of 10.

    A linear slider would give the whole range 0.0001-0.1 a sliver at its left end, where the
    interesting small rates live.
    """
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=math.log10(low),
        max=math.log10(high),
        step=0.01,
        readout_format=".3g",
        description=description,
        tooltip="Learning rate (log scale): each step moves w by rate \u00d7 gradient. "
        "Arrow keys change it in small steps.",
        continuous_update=True,
        style=_LABEL_STYLE,
        layout=_LAYOUT,
    )


def nice_step(low: float, high: float, notches: int = 100) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``notches`` positions."""
    raw = (high - low) / notches
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def labelled_slider(
    value: float, low: float, high: float, *, description: str, tooltip: str
) -> widgets.FloatSlider:
    """A float slider with a visible label and a tooltip, on a round step.

    The ends are rounded out to multiples of the step, because the front end snaps values to
    ``min + k * step``: with unround ends a start of 2.0 would show as 2.01.
    """
    step = nice_step(low, high)
    low, high = round(math.floor(low / step) * step, 12), round(math.ceil(high / step) * step, 12)
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        tooltip=tooltip,
        readout_format=".3g",
        style=_LABEL_STYLE,
        layout=_LAYOUT,
    )


def int_slider(
    value: int, low: int, high: int, *, description: str, tooltip: str
) -> widgets.IntSlider:
    """A whole-number slider with a visible label and a tooltip."""
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        description=description,
        tooltip=tooltip,
        style=_LABEL_STYLE,
        layout=_LAYOUT,
    )


def preset_button(label: str, tooltip: str, on_click: Callable[[], None]) -> widgets.Button:
    """A button that sets a control to a value a slider cannot land on exactly."""
    button = widgets.Button(description=label, tooltip=tooltip, layout=widgets.Layout(width="auto"))
    button.on_click(lambda _: on_click())
    return button


class Readout:
    """The live sentence under an explorer: what the picture shows, in words and numbers.

    It is also what a screen reader announces (``role="status"``, ``aria-live="polite"``).
    """

    def __init__(self) -> None:
        self.widget = widgets.HTML(layout=widgets.Layout(min_height="2.6em"))
        self.widget.add_class("gdcourse-readout")
        self.text = ""

    def show(self, text: str, *, problem: bool = False) -> None:
        self.text = text
        colour = "#D55E00" if problem else "inherit"
        body = html.escape(text).replace("\n", "<br>")
        self.widget.value = (
            f"<div role='status' aria-live='polite' style='color:{colour};font-size:14px;"
            f"line-height:1.4'>{body}</div>"
        )


class StepPlayer:
    """Reset / Step / Play over a precomputed run: the position ``k`` runs from 0 to ``n``.

    Moving it only changes which part of a stored trajectory is drawn; nothing is recomputed.
    """

    def __init__(self, n: int, on_change: Callable[[int], None], interval_ms: int = 250) -> None:
        self.play = widgets.Play(
            value=n,
            min=0,
            max=n,
            step=1,
            interval=interval_ms,
            show_repeat=False,
            description="play",
            tooltip="Play: draw the run one step at a time",
        )
        self.step_button = widgets.Button(
            description="Step \u25b6",
            tooltip="Take one more step",
            layout=widgets.Layout(width="auto"),
        )
        self.reset_button = widgets.Button(
            description="Reset",
            tooltip="Back to the start point",
            layout=widgets.Layout(width="auto"),
        )
        self.label = widgets.HTML()
        self.step_button.on_click(lambda _: self.set(min(self.k + 1, self.play.max)))
        self.reset_button.on_click(lambda _: self.set(0))
        self._quiet = False  # set while a new run resets the position: its owner draws once
        self.play.observe(
            lambda change: None if self._quiet else on_change(change["new"]), names="value"
        )
        self.widget = widgets.HBox(
            [
                widgets.Label("steps shown:"),
                self.reset_button,
                self.step_button,
                self.play,
                self.label,
            ]
        )

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


class BlitFigure:
    """A matplotlib figure on an ipympl canvas, whatever backend the notebook uses.

    Static parts (axes, curves, contours) are drawn once into a cached background; the
    ``animated`` artists are drawn over it on each update. ``update(full=True)`` redraws
    everything, for when the background itself changed (new axes limits, a new curve).
    """

    def __init__(self, figsize: tuple[float, float] = (8.0, 3.4), ncols: int = 2) -> None:
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.axes = [self.figure.add_subplot(1, ncols, i + 1) for i in range(ncols)]
        # Building the canvas directly (not through pyplot) makes the explorer independent of
        # the notebook's backend and keeps pyplot from displaying the figure a second time.
        self.canvas = Canvas(self.figure)
        FigureManager(self.canvas, 0)
        self.canvas.toolbar_visible = False
        self.canvas.header_visible = False
        self.canvas.footer_visible = False
        self.canvas.resizable = False
        self._animated: list[Artist] = []
        self._background = None
        self.full_redraws = 0
        self.blits = 0
        self._last_blit = -math.inf
        self._last_frame: np.ndarray | None = None
        self.canvas.mpl_connect("draw_event", self._on_draw)

    def animate(self, artists: Iterable[Artist]) -> None:
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def _on_draw(self, event: Any) -> None:
        # ipympl resizes the canvas to the browser's pixel ratio after display, so the
        # background is (re)captured at every full draw, never before.
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()
        self._last_frame = np.asarray(self.canvas.get_renderer().buffer_rgba()).copy()

    def _draw_animated(self) -> None:
        for artist in self._animated:
            self.figure.draw_artist(artist)

    def update(self, *, full: bool = False) -> None:
        if full or self._background is None:
            self.full_redraws += 1
            self.canvas.draw_idle()
            return
        self.canvas.restore_region(self._background)
        self._draw_animated()
        pixels = np.asarray(self.canvas.get_renderer().buffer_rgba())
        if self._last_frame is not None and np.array_equal(pixels, self._last_frame):
            return  # nothing visible changed (e.g. a slider echoing its own value): no frame
        self._last_frame = pixels.copy()
        self.blits += 1
        now = time.monotonic()
        if now - self._last_blit < _FRAME_GAP_S:
            # ipympl's front end shows frames through a single <img>: a frame that arrives
            # before the previous one has loaded replaces it unseen, and a lost *diff* frame
            # would leave stale pixels for good. Frames in quick succession (a slider echo, a
            # fast drag) are therefore sent whole, so the last one is always complete.
            self.canvas._force_full = True
        self._last_blit = now
        self.canvas.blit(self.figure.bbox)
