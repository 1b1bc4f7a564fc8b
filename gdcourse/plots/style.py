"""The course's plot style: the Okabe-Ito colour-blind-safe palette, paired with markers and
line styles so that no meaning rests on colour alone."""

from __future__ import annotations

__all__ = ["LINESTYLES", "MARKERS", "PALETTE", "series_style"]

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
#: deficiency. Black is left out so the first colours stand out against the axes.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))


def series_style(i: int) -> dict:
    """Colour, marker and line style of the ``i``-th series (each differs, not only colour)."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }
