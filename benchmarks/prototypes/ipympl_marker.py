"""The least an ipympl figure costs: one marker moved by blitting, no text, no computing.

A reference row of benchmarks/widget_latency.py (what the explorers used before issue 18)."""

import ipywidgets as widgets
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure


def marker_figure() -> widgets.VBox:
    fig = Figure(figsize=(4.0, 3.0))
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    canvas.toolbar_visible = canvas.header_visible = canvas.footer_visible = False
    ax = fig.add_subplot()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 1)
    (marker,) = ax.plot([50], [0.5], "o", animated=True)
    background = {}

    def on_draw(_event):  # ipympl resizes the canvas after display: capture after each draw
        background["image"] = canvas.copy_from_bbox(fig.bbox)
        fig.draw_artist(marker)

    canvas.mpl_connect("draw_event", on_draw)
    slider = widgets.FloatSlider(value=50, min=0, max=100, step=1, description="value")

    def move(change):
        marker.set_xdata([change["new"]])
        if "image" in background:
            canvas.restore_region(background["image"])
            fig.draw_artist(marker)
            canvas.blit(fig.bbox)

    slider.observe(move, names="value")
    return widgets.VBox([slider, canvas])
