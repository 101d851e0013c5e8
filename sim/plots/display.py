"""Figures that show themselves in Jupyter: no ``%matplotlib`` magic, no pyplot.

IPython displays an object that has a ``_repr_png_`` method as the picture it
returns. The figures of :mod:`sim.plots` are :class:`ShownFigure` objects and
their Axes :class:`ShownAxes`: a cell whose last line is ``plots.burndown(result)``
(an Axes) or ``figure`` (a figure) shows the figure as a PNG. Nothing is
registered anywhere, no global state changes, and outside IPython the methods
are never called: a plain script is unaffected.

A figure you make yourself with :class:`matplotlib.figure.Figure` is not
displayable without pyplot; make it with :func:`sim.plots.new_figure` (or
``new_figure(...).subplots(2, 1)``), whose Axes show the whole figure.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

NOTEBOOK_DPI = 100
"""Pixels per inch of the PNG a notebook shows (a 9 × 4.5 in figure is 900 × 450 px)."""


def png(figure: Figure, dpi: float = NOTEBOOK_DPI) -> bytes:
    """The figure as PNG bytes (rendered by Agg, whatever the backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class ShownAxes(Axes):
    """An Axes that IPython displays as its whole figure."""

    def _repr_png_(self) -> bytes:
        figure = self.get_figure(root=True)
        assert isinstance(figure, Figure)
        return png(figure)


class ShownFigure(Figure):
    """A Figure that IPython displays as a PNG; its new Axes are :class:`ShownAxes`."""

    def add_subplot(self, *args: Any, **kwargs: Any) -> Any:
        if "projection" not in kwargs and not kwargs.get("polar"):
            kwargs.setdefault("axes_class", ShownAxes)
        return super().add_subplot(*args, **kwargs)

    def _repr_png_(self) -> bytes:
        return png(self)
