"""The learning-rate explorer drawn with bqplot: the prototype issue 18 measured beside the
anywidget front end (benchmarks/widget_latency.py). The same runs (the core's gradient
descent on L(w) = (w - 3)^2), a bqplot figure of the loss curve and the iterates, ipywidgets
sliders, an HTML readout; a move sends only the new data (numpy arrays, binary)."""

import bqplot as bq
import ipywidgets as widgets
import numpy as np

from gdcourse import Quadratic1D, gradient_descent


class BqplotLearningRate:
    def __init__(self, lr: float = 0.1, w0: float = 7.0, steps: int = 20) -> None:
        self.loss, self.steps = Quadratic1D(a=2, c=3), steps
        xs = np.linspace(-6.0, 12.0, 400)
        sx, sy = bq.LinearScale(min=-6.0, max=12.0), bq.LinearScale(min=-5.0, max=85.0)
        curve = bq.Lines(x=xs, y=self.loss.value(xs), scales={"x": sx, "y": sy}, colors=["gray"])
        self.path = bq.Lines(
            x=[], y=[], scales={"x": sx, "y": sy}, colors=["#D55E00"], marker="circle"
        )
        axes = [bq.Axis(scale=sx, label="weight w"), bq.Axis(scale=sy, orientation="vertical")]
        self.figure = bq.Figure(marks=[curve, self.path], axes=axes, title="L(w) = (w - 3)^2")
        self.figure.layout = widgets.Layout(width="420px", height="300px")
        self.lr = widgets.FloatLogSlider(value=lr, min=-4, max=1, step=0.01, description="rate")
        self.w0 = widgets.FloatSlider(value=w0, min=-5, max=11, step=0.2, description="start")
        self.readout = widgets.HTML()
        for control in (self.lr, self.w0):
            control.observe(lambda _change: self.refresh(), names="value")
        self.widget = widgets.VBox([self.lr, self.w0, self.figure, self.readout])
        self.refresh()

    def refresh(self) -> None:
        run = gradient_descent(self.loss, self.w0.value, lr=self.lr.value, steps=self.steps)
        w = np.clip(run.weights, -6.0, 12.0)
        with self.path.hold_sync():
            self.path.x, self.path.y = w, np.clip(self.loss.value(w), -5.0, 85.0)
        self.readout.value = f"rate {self.lr.value:.3g}: the run {run.phrase}"
