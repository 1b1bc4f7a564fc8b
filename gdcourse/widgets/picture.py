"""The explorer's picture: matplotlib lays it out, the browser draws what moves.

A :class:`LayeredFigure` is an ordinary matplotlib figure in two layers. The *background* (axes,
ticks, labels, the loss curve or its contours) is rendered once by Agg, as a PNG, and sent
when it changes. The *moving layer* (iterates, markers, arrows, titles that state a finding) is
the figure's ``animated`` artists: on every update each one is drawn through a recording
renderer, which keeps matplotlib's own geometry (transforms, log axes, markers, dashes,
arrows, text positions, clipping) and writes it down as drawing operations in pixels. The
front end replays them on a canvas over the background: a few kilobytes per frame, drawn in
well under a millisecond, instead of a whole-figure PNG per frame (ipympl).

Why not draw in the browser from data and axes alone: the course's figures use every feature
of matplotlib (log axes, annotations, fancy arrows, mathtext), and the recording renderer
gives all of them for free, where the still image puts them (to a pixel; the browser's text
is a little narrower than Agg's).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib import hatch as mhatch
from matplotlib.artist import Artist
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

__all__ = ["LayeredFigure"]

_CAPS = {"butt": "butt", "round": "round", "projecting": "square"}
_GLYPHS: dict[tuple, Path] = {}  # mathtext laid out as paths (tick labels like 10^-3)


def _css(rgba: Iterable[float] | None, alpha: float | None = None) -> str | None:
    """A colour as the canvas takes it (``rgba(r,g,b,a)``), or None when nothing is drawn."""
    if rgba is None:
        return None
    r, g, b, *rest = (float(v) for v in rgba)
    a = rest[0] if rest else 1.0
    if alpha is not None:
        a = alpha
    if a <= 0:
        return None
    return f"rgba({round(255 * r)},{round(255 * g)},{round(255 * b)},{a:.3g})"


class _Recorder(RendererBase):
    """A renderer that writes drawing operations down instead of painting pixels.

    Geometry is in pixels from the figure's top-left corner (the canvas's own coordinates);
    text is measured by the figure's Agg renderer, so layout matches the background exactly.
    """

    def __init__(self, agg: Any, height: float) -> None:
        super().__init__()
        self._agg = agg
        self._height = height
        self.hatches: dict[str, dict] = {}  # key -> matplotlib's tile (see _hatch_tile)
        self.reset()

    def reset(self) -> None:
        """Start a new recording. The recorder itself is kept: matplotlib caches text metrics
        per renderer, so a tick label measured once is not measured again."""
        self.ops: list[dict] = []
        self.chunks: list[np.ndarray] = []
        self._size = 0

    # -- what layout asks of a renderer -------------------------------------------------
    def flipy(self) -> bool:
        return False  # y up, as in matplotlib's display coordinates; flipped when stored

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self._agg.get_canvas_width_height()

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> Any:
        return self._agg.get_text_width_height_descent(s, prop, ismath)

    def points_to_pixels(self, points: float) -> float:
        return self._agg.points_to_pixels(points)

    def new_gc(self) -> GraphicsContextBase:
        return GraphicsContextBase()

    # -- storing -------------------------------------------------------------------------
    def _store(self, xy: np.ndarray, relative: bool = False) -> int:
        """Append points (display coordinates, y up; ``relative``: offsets around a point) to
        the buffer, y flipped to the canvas's downward axis; returns their offset."""
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        y = -xy[:, 1] if relative else self._height - xy[:, 1]
        flipped = np.column_stack([xy[:, 0], y]).astype(np.float32)
        offset = self._size
        self.chunks.append(flipped.ravel())
        self._size += flipped.size
        return offset

    def _style(self, gc: GraphicsContextBase, rgb_face: Any) -> dict:
        lw = self.points_to_pixels(gc.get_linewidth())
        forced = gc.get_forced_alpha()
        stroke = _css(gc.get_rgb(), gc.get_alpha() if forced else None) if lw > 0 else None
        fill = None
        if rgb_face is not None:
            face = tuple(rgb_face)
            fill = _css(face, gc.get_alpha() if forced or len(face) == 3 else None)
        style: dict[str, Any] = {"stroke": stroke, "fill": fill, "lw": round(lw, 3)}
        offset, dashes = gc.get_dashes()
        if dashes is not None and len(dashes) and stroke:
            style["dash"] = [round(self.points_to_pixels(d), 3) for d in dashes]
            style["dashoff"] = round(self.points_to_pixels(offset or 0.0), 3)
        style["cap"] = _CAPS.get(gc.get_capstyle(), "butt")
        style["join"] = gc.get_joinstyle()
        hatch = gc.get_hatch()
        if hatch and fill is not None:
            color = _css(gc.get_hatch_color()) or "rgba(0,0,0,1)"
            lw = round(self.points_to_pixels(gc.get_hatch_linewidth()), 3)
            size = int(self.points_to_pixels(72.0))  # Agg's hatch tile: one inch
            key = f"{hatch}|{color}|{lw}|{size}"
            if key not in self.hatches:
                self.hatches[key] = _hatch_tile(hatch, color, lw, size)
            style["hatch"] = key
        clip = gc.get_clip_rectangle()
        if clip is not None:
            x0, y0, x1, y1 = clip.extents
            style["clip"] = [x0, self._height - y1, x1 - x0, y1 - y0]
        return style

    def _polylines(self, path: Path, transform: Any, closed: bool) -> tuple[int, list[int]]:
        polygons = []
        for polygon in path.to_polygons(transform, closed_only=False):
            # A gap (NaN) breaks the line, as Agg draws it: the canvas would join across it.
            finite = np.isfinite(polygon).all(axis=1)
            if finite.all():
                polygons.append(polygon)
                continue
            breaks = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(int), [0]])))
            polygons += [polygon[a:b] for a, b in zip(breaks[::2], breaks[1::2], strict=True)]
        polygons = [p for p in polygons if len(p) > 1 or closed]
        lengths = [len(p) for p in polygons]
        offset = self._store(np.concatenate(polygons) if lengths else np.empty((0, 2)))
        return offset, lengths

    # -- drawing -------------------------------------------------------------------------
    def draw_path(self, gc: Any, path: Path, transform: Any, rgbFace: Any = None) -> None:
        style = self._style(gc, rgbFace)
        if style["stroke"] is None and style["fill"] is None:
            return
        offset, lengths = self._polylines(path, transform, closed=rgbFace is not None)
        if lengths:
            self.ops.append({"k": "path", "o": offset, "n": lengths, **style})

    def draw_markers(
        self,
        gc: Any,
        marker_path: Path,
        marker_trans: Any,
        path: Path,
        trans: Any,
        rgbFace: Any = None,
    ) -> None:
        style = self._style(gc, rgbFace)
        if style["stroke"] is None and style["fill"] is None:
            return
        # The marker's outline in pixels around (0, 0), y up like everything else.
        shape = marker_path.to_polygons(marker_trans, closed_only=False)
        lengths = [len(p) for p in shape if len(p)]
        if not lengths:
            return
        outline = np.concatenate(shape)
        offset = self._store(outline, relative=True)
        points = trans.transform(path.vertices)
        points = points[np.isfinite(points).all(axis=1)]
        if not len(points):
            return
        at = self._store(points)
        self.ops.append(
            {"k": "markers", "o": offset, "n": lengths, "p": at, "np": len(points), **style}
        )

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: Any,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        if ismath:  # mathtext: its glyphs as a filled path, exactly as matplotlib sets them
            key = (s, hash(prop))
            glyphs = _GLYPHS.get(key)
            if glyphs is None:
                glyphs = _GLYPHS[key] = TextPath((0, 0), s, prop=prop)
                if len(_GLYPHS) > 512:
                    _GLYPHS.pop(next(iter(_GLYPHS)))
            scale = self.points_to_pixels(1.0)
            place = Affine2D().scale(scale).rotate_deg(angle).translate(x, y)
            gc.set_linewidth(0)
            self.draw_path(gc, glyphs, place, gc.get_rgb())
            return
        style = self._style(gc, None)
        size = self.points_to_pixels(prop.get_size_in_points())
        weight = prop.get_weight()
        weight = weight if isinstance(weight, int) else {"bold": 700}.get(weight, 400)
        font = f"{prop.get_style()} {weight} {size:.2f}px 'DejaVu Sans', sans-serif"
        op = {"k": "text", "x": x, "y": self._height - y, "s": s, "font": font}
        op.update({"fill": style["stroke"] or _css(gc.get_rgb()), "angle": angle})
        if "clip" in style:
            op["clip"] = style["clip"]
        self.ops.append(op)

    def buffer(self) -> bytes:
        if not self.chunks:
            return b""
        return np.concatenate(self.chunks).astype("<f4").tobytes()


def _hatch_tile(hatch: str, color: str, lw: float, size: int) -> dict:
    """matplotlib's hatch as Agg draws it: its path (``hatch.get_path``, density 6 as
    ``GraphicsContextBase.get_hatch_path``) in a tile ``size`` pixels square, y downward."""
    path = mhatch.get_path(hatch, 6)
    polys = [
        [round(float(v), 2) for x, y in poly for v in (x * size, (1.0 - y) * size)]
        for poly in path.to_polygons(closed_only=False)
        if len(poly)
    ]
    return {"size": size, "color": color, "lw": lw, "polys": polys}


def _png(canvas: FigureCanvasAgg) -> bytes:
    from PIL import Image  # matplotlib's own dependency

    rgba = np.asarray(canvas.buffer_rgba())
    out = io.BytesIO()
    # compress_level 1: a third of the time of the default for a 10% larger file
    Image.fromarray(rgba, "RGBA").save(out, format="png", compress_level=1)
    return out.getvalue()


class LayeredFigure:
    """A matplotlib figure in three layers, the two upper ones drawn by the browser.

    - the *background*: every artist that is not animated, rendered once by Agg (a PNG);
    - the *scenery*: artists registered with :meth:`scenery` (a curve, contours, an axis whose
      limits follow a control), recorded again on ``update(full=True)``;
    - the *moving layer*: artists registered with :meth:`animate`, recorded on every update.

    The layout is computed once, at the first render, and then kept: nothing jumps. Until the
    figure is attached to a view (:meth:`attach`), updates are kept and sent on attaching.
    """

    def __init__(self, figsize: tuple[float, float] = (8.0, 3.4), ncols: int = 2) -> None:
        self.figure = Figure(figsize=figsize, layout="constrained", dpi=100)
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = [self.figure.add_subplot(1, ncols, i + 1) for i in range(ncols)]
        self._animated: list[Artist] = []
        self._scenery: list[Artist] = []
        self.full_redraws = 0  # updates that recorded the scenery again
        self.blits = 0  # updates that changed only the moving layer
        self.renders = 0  # background renders (PNG)
        self.view: Any = None
        self._background: bytes | None = None
        self._frames: dict[str, tuple[str, bytes]] = {}
        self._recorder: _Recorder | None = None
        self.laid_out = False
        self._rendered_limits: tuple = ()
        self.scale = 1  # the still image's pixels per CSS pixel (2 on a high-density screen)

    def animate(self, artists: Iterable[Artist]) -> None:
        """Artists redrawn on every update (iterates, markers, titles that state a finding)."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def scenery(self, artists: Iterable[Artist]) -> None:
        """Artists redrawn only on ``update(full=True)``: what a few controls change. A whole
        axes may be scenery (its limits may then change: its ticks are redrawn with it); the
        animated artists in it stay in the moving layer."""
        for artist in artists:
            artist.set_animated(True)
            self._scenery.append(artist)

    def drop(self, artists: Iterable[Artist]) -> None:
        """Forget artists the explorer removed from its axes."""
        gone = {id(a) for a in artists}
        self._scenery = [a for a in self._scenery if id(a) not in gone]
        self._animated = [a for a in self._animated if id(a) not in gone]

    def attach(self, view: Any) -> None:
        self.view = view
        if self._recorder is not None:
            view.hatches = dict(self._recorder.hatches)
        if self._background is not None:
            self._send_background()
            for layer in list(self._frames):
                self._send(layer)

    def lay_out(self) -> None:
        """Compute the layout now, with every layer in it, and keep it from then on, so that
        renders and layers share one geometry and nothing jumps. Call it early, with the
        widest tick labels a control will bring, for the layout to leave room for them."""
        layered = [*self._scenery, *self._animated]
        for artist in layered:  # constrained layout leaves animated artists out
            artist.set_animated(False)
        self.figure.set_layout_engine("constrained")
        self.figure.draw_without_rendering()
        for artist in layered:
            artist.set_animated(True)
        self.figure.set_layout_engine("none")
        self.laid_out = True

    def render_background(self) -> None:
        """Render the static layer again (rare: for a change no layer above can show)."""
        self.renders += 1
        if not self.laid_out:
            self.lay_out()
        dpi = self.figure.dpi
        if self.scale != 1:  # the same picture, more pixels: the layout is in figure fractions
            self.figure.set_dpi(dpi * self.scale)
        try:
            self.canvas.draw()  # animated artists are skipped: the background alone
            self._background = _png(self.canvas)
        finally:
            if self.scale != 1:
                self.figure.set_dpi(dpi)
        self._rendered_limits = self._still_limits()
        self._send_background()

    def set_scale(self, ratio: float) -> None:
        """The page's device pixel ratio: on a high-density screen (2, or a zoomed page) the
        still image is rendered with twice the pixels, so its text is as sharp as the layers
        the browser draws over it."""
        scale = 2 if ratio > 1.01 else 1
        if scale != self.scale:
            self.scale = scale
            if self._background is not None:
                self.render_background()

    def _still_limits(self) -> tuple:
        """The limits and scales the still image was drawn with: if one changed, the image is
        stale (its ticks would lie) and is rendered again. Limits along an axis that is itself
        scenery (``ax.xaxis``, or the whole axes) are the scenery's to show."""
        layered = {id(a) for a in self._scenery}
        limits = []
        for ax in self.figure.axes:
            if id(ax) in layered:
                continue
            if id(ax.xaxis) not in layered:
                limits.append((tuple(ax.viewLim.intervalx), ax.get_xscale()))
            if id(ax.yaxis) not in layered:
                limits.append((tuple(ax.viewLim.intervaly), ax.get_yscale()))
        return tuple(limits)

    def update(self, *, full: bool = False) -> None:
        if self._background is None or self._still_limits() != self._rendered_limits:
            self.render_background()
            full = True
        if full or "scene" not in self._frames:
            self.full_redraws += 1
            self._record("scene", self._scenery)
        elif self.view is not None:
            self.blits += 1
        self._record("moving", self._animated)

    def _record(self, layer: str, artists: list[Artist]) -> None:
        agg = self.canvas.get_renderer()
        recorder = self._recorder
        if recorder is None or recorder._agg is not agg:
            recorder = self._recorder = _Recorder(agg, self.canvas.get_width_height()[1])
        recorder.reset()
        for artist in artists:
            artist.draw(recorder)
        frame = (json.dumps(recorder.ops, separators=(",", ":")), recorder.buffer())
        if self.view is not None and len(recorder.hatches) != len(self.view.hatches):
            self.view.hatches = dict(recorder.hatches)  # before the ops that use them
        if frame == self._frames.get(layer):
            return  # nothing visible changed (a control echoing its own value): no frame
        self._frames[layer] = frame
        self._send(layer)

    def _send_background(self) -> None:
        if self.view is not None and self._background is not None:
            width, height = self.canvas.get_width_height()  # CSS pixels, at the figure's dpi
            self.view.size = [width, height]
            self.view.background = self._background

    def _send(self, layer: str) -> None:
        if self.view is not None and layer in self._frames:
            ops, coords = self._frames[layer]
            if layer == "scene":
                self.view.scene_ops, self.view.scene_coords = ops, coords
            else:
                self.view.ops, self.view.coords = ops, coords

    def release(self) -> None:
        """Free the picture (its artists, the Agg buffer, the images and layers): for an
        explorer closed for good, which IPython's output cache may still hold."""
        self.figure.clear()
        self.canvas = FigureCanvasAgg(self.figure)  # a new canvas: no renderer, no buffer
        self.axes, self._animated, self._scenery, self._frames = [], [], [], {}
        self._background, self._recorder, self.view = None, None, None

    def png(self) -> bytes:
        """The picture as it stands, all three layers, as a PNG."""
        if self._background is None:
            self.update()
        self.canvas.draw()
        for artist in (*self._scenery, *self._animated):
            self.figure.draw_artist(artist)
        return _png(self.canvas)

    @property
    def frame_ops(self) -> list[dict]:
        """The drawing operations the browser draws now (scenery, then moving), for tests."""
        return [op for layer in ("scene", "moving") for op in self.layer_ops(layer)]

    def layer_ops(self, layer: str) -> list[dict]:
        return json.loads(self._frames[layer][0]) if layer in self._frames else []
