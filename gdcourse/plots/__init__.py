"""Matplotlib figures built from core results: one idea per figure, colour-blind-safe style."""

from .curves import loss_curves
from .style import LINESTYLES, MARKERS, PALETTE, series_style

__all__ = ["LINESTYLES", "MARKERS", "PALETTE", "loss_curves", "series_style"]
