"""The widget an explorer shows: one anywidget that draws its controls, picture and readout.

The front end (``explorer.js``) is a small ES module shipped in the package: no CDN, no build
step. Every control is a native HTML control with a visible ``<label for>`` (its accessible
name), every button has its text, the picture is ``role="img"`` named by the readout, and the
readout is a polite live region. The kernel keeps the state; this class carries it both ways.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..core import CourseTypeError
from .arguments import check_control_value
from .parts import Button, Control, Readout, Row
from .picture import LayeredFigure

__all__ = ["ExplorerView", "Still"]

_HERE = Path(__file__).parent


class ExplorerView(anywidget.AnyWidget):
    """Controls on top, the picture, the readout underneath (see the module's docstring)."""

    # As text, not as paths: anywidget watches a path and connects every instance to it, which
    # keeps each explorer alive for the whole session.
    _esm = (_HERE / "explorer.js").read_text(encoding="utf-8")
    _css = (_HERE / "explorer.css").read_text(encoding="utf-8")

    spec = traitlets.List().tag(sync=True)  # rows of items: controls, buttons, texts
    # control name -> position (see Control), from the kernel only: the page sends a move as a
    # message ({"value": [name, position]}) and the kernel answers with every value it holds.
    values = traitlets.Dict().tag(sync=True)
    texts = traitlets.Dict().tag(sync=True)  # control name -> the value as shown
    size = traitlets.List([0, 0]).tag(sync=True)  # the picture in CSS pixels
    background = traitlets.Bytes(b"").tag(sync=True)  # PNG
    scene_ops = traitlets.Unicode("[]").tag(sync=True)  # the scenery's drawing operations
    scene_coords = traitlets.Bytes(b"").tag(sync=True)  # their pixel coordinates, float32
    ops = traitlets.Unicode("[]").tag(sync=True)  # the moving layer's drawing operations
    coords = traitlets.Bytes(b"").tag(sync=True)  # their pixel coordinates, float32
    hatches = traitlets.Dict().tag(sync=True)  # hatch key -> matplotlib's tile (picture.py)
    readout = traitlets.Unicode("").tag(sync=True)
    problem = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        rows: list[Any],
        controls: dict[str, Control],
        readout: Readout,
        figure: LayeredFigure,
        guard: Any,
    ) -> None:
        super().__init__()
        self._controls = controls
        self._names = {id(c): name for name, c in controls.items()}
        self._rows = [list(row) if isinstance(row, (Row, list)) else [row] for row in rows]
        self._buttons: dict[str, Button] = {}
        for row in self._rows:
            for item in row:
                if isinstance(item, Button):
                    self._buttons[f"b{len(self._buttons)}"] = item
        self._button_ids = {id(b): key for key, b in self._buttons.items()}
        self._figure = figure
        self._guard = guard
        self._readout = readout
        self.add_class("gdcourse-explorer")
        with self.hold_sync():
            self._send_spec()
            self._send_values()
            for control in controls.values():
                control.observe(self._control_changed, names="value")
                control.observe(
                    self._relabel,
                    names=["description", "tooltip", "disabled", "min", "max", "step", "options"],
                )
            for button in self._buttons.values():
                button.observe(self._relabel, names=["description", "tooltip", "disabled"])
            readout.view = self
            self.show_readout(readout.text, readout.problem)
            figure.attach(self)
        self.on_msg(self._message)

    # -- kernel -> browser ---------------------------------------------------------------
    def _send_spec(self) -> None:
        rows = []
        for row in self._rows:
            items = []
            for item in row:
                if isinstance(item, str):
                    items.append({"t": "text", "text": item})
                elif isinstance(item, Button):
                    items.append({"t": "button", "id": self._button_ids[id(item)], **item.spec()})
                elif isinstance(item, Control):
                    items.append({"t": "control", "name": self._names[id(item)], **item.spec()})
                else:
                    raise CourseTypeError(
                        f"an explorer row holds controls, buttons or text (str), got {item!r}"
                    )
            rows.append(items)
        self.spec = rows

    def _send_values(self, force: bool = False) -> None:
        values = {name: c.position() for name, c in self._controls.items()}
        texts = {name: c.shown() for name, c in self._controls.items()}
        if force and values == self.values:
            self.send_state("values")  # the page moved a slider the kernel did not follow
        self.values, self.texts = values, texts

    def _control_changed(self, _change: Any) -> None:
        self._send_values()

    def _relabel(self, _change: Any) -> None:
        self._send_spec()
        self._send_values()

    def show_readout(self, text: str, problem: bool) -> None:
        self.readout, self.problem = text, problem

    # -- browser -> kernel ---------------------------------------------------------------
    def _value_from_browser(self, name: Any, position: Any) -> None:
        control = self._controls.get(name) if isinstance(name, str) else None
        try:
            if control is None or isinstance(position, (bool, str)) or control.disabled:
                raise CourseTypeError("not a position of a control that can be moved")
            value = check_control_value(name, control, control.from_position(position))
        except (TypeError, ValueError, IndexError, OverflowError):
            # Not a value this control can take (a tampered or stale page): keep the kernel's.
            self._send_values(force=True)
            return
        if value != control.value:
            self._guard(lambda: setattr(control, "value", value))()
        else:
            self._send_values(force=True)  # the browser's slider back where the kernel holds it

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        try:
            self._answer(content)
        except KeyboardInterrupt:
            # The student interrupted the kernel while it answered the page (a long redraw):
            # that stops the redraw, not a cell, and the readout says the picture is behind.
            self._readout.show(
                "Interrupted before the picture was drawn: move a control to draw it again.",
                problem=True,
            )
        finally:
            seq = content.get("seq")
            if isinstance(seq, int) and not isinstance(seq, bool):
                self.send({"done": seq})  # after the frame: the page may send its next move

    def _answer(self, content: dict) -> None:
        with self.hold_sync():
            value = content.get("value")
            if isinstance(value, list) and len(value) == 2:
                self._value_from_browser(*value)
            ratio = content.get("ratio")
            if isinstance(ratio, (int, float)) and not isinstance(ratio, bool) and ratio < 16:
                self._figure.set_scale(ratio)  # NaN and junk compare False: ignored
            ping = content.get("ping")
            if isinstance(ping, int) and not isinstance(ping, bool):
                self.send({"pong": ping})  # the page asks whether the kernel is still there
            click = content.get("click")
            button = self._buttons.get(click) if isinstance(click, str) else None
            if button is not None:
                self._guard(button.click)()

    def set_state(self, sync_data: dict) -> None:
        """A page never sets the kernel's state: a move or a click arrives as a message and is
        checked (``_message``). Anything else a page sends (a readout of its own, values that
        are not a dict) is ignored, and the page is given the kernel's state back."""
        keys = [k for k in sync_data if k in self.keys] if isinstance(sync_data, dict) else []
        if keys:
            self.send_state(keys)

    # -- outside a live kernel -------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The live widget (its text, for where no widget is drawn, says what it is); the
        explorer displays its still picture after it (``Still``)."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle["text/plain"] = "Interactive explorer: run the notebook in JupyterLab to use it."
        return bundle

    def still(self) -> Still:
        """The picture and the readout as they stand, as an output of their own."""
        return Still(self._figure.png(), self.readout)

    def release(self) -> None:
        """Close the widget and drop what it carries (its page then says it has stopped)."""
        self.layout.close()  # a widget of its own, which close() leaves open
        self.close()
        self.background = self.scene_coords = self.coords = b""
        self.scene_ops = self.ops = "[]"
        self.hatches = {}


class Still:
    """An explorer's still picture (named by its readout) and the readout as a caption: what a
    notebook viewer, an HTML export or a notebook reopened without its kernel shows. Next to
    its live explorer in JupyterLab it is hidden (``explorer.css``)."""

    def __init__(self, png: bytes, readout: str) -> None:
        self.png, self.readout = png, readout

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        picture = base64.b64encode(self.png).decode("ascii")
        words = html.escape(self.readout)
        lines = "<br>".join(html.escape(line) for line in self.readout.split("\n"))
        return {
            "text/html": (
                f"<figure class='gdcourse-explorer-still'><img src='data:image/png;base64,"
                f"{picture}' alt='{words}' style='max-width:100%;height:auto'><figcaption>"
                f"{lines}<br><small>(The explorer as it was when its cell ran: run the notebook "
                f"to explore.)</small></figcaption></figure>"
            ),
            "text/plain": self.readout,
        }
