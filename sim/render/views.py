"""What a result shows of itself: a text repr of a screenful at most, and a notebook view.

A :class:`View` is a title, headline facts, small tables, warnings and, in
HTML only, a picture drawn on demand. A result class inherits :class:`Viewed`
and implements ``view()``; ``repr(result)`` is then ``view().text()`` (about
twenty lines however many replications ran) and Jupyter displays
``view().html()``. A new kind of result gets both by writing one ``view()``
from the helpers here.

Text tables are cut after :data:`TEXT_ROWS` rows and HTML tables after
:data:`HTML_ROWS`, saying how many were left out; the data itself is in the
result (``to_frame()``, ``to_dict()``). Instants are written as in the
terminal (:func:`sim.render.formats.when`), shares as percentages with one
decimal, and a missing value as :data:`~sim.render.formats.MISSING`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.render.formats import MISSING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TEXT_ROWS = 12
"""Rows of a table shown in a text repr (a screenful with the facts)."""

HTML_ROWS = 60
"""Rows of a table shown in a notebook view."""

PICTURE_DPI = 90
_WARNING_COLOUR = "#D55E00"


def percent(share: float | None, digits: int = 1) -> str:
    """``0.975`` → ``97.5 %``; a missing share reads :data:`MISSING`."""
    return MISSING if share is None else f"{100 * share:.{digits}f} %"


def percent_interval(low: float, high: float, digits: int = 1) -> str:
    """``(0.943, 0.989)`` → ``94.3–98.9 %``."""
    return f"{100 * low:.{digits}f}–{100 * high:.{digits}f} %"


def signed(value: float | None, unit: str = "", digits: int = 1) -> str:
    """``2.25`` → ``+2.2`` (with a unit after a space); a missing value reads :data:`MISSING`."""
    return MISSING if value is None else f"{value:+.{digits}f}{' ' + unit if unit else ''}"


@dataclass(frozen=True)
class Table:
    """A small table of text cells; ``None`` is written :data:`MISSING`."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    caption: str = ""

    def _cells(self, limit: int) -> tuple[list[list[str]], int]:
        shown = [[MISSING if cell is None else cell for cell in row] for row in self.rows[:limit]]
        return shown, max(0, len(self.rows) - limit)

    def text(self, limit: int = TEXT_ROWS) -> list[str]:
        rows, left_out = self._cells(limit)
        widths = [len(name) for name in self.columns]
        for row in rows:
            widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

        lines = [f"{self.caption}:"] if self.caption else []
        lines += [line(self.columns), line(["-" * width for width in widths])]
        lines += [line(row) for row in rows]
        if left_out:
            lines.append(f"… {left_out} more row{'s' if left_out > 1 else ''} (see to_frame())")
        return [f"  {text.rstrip()}" for text in lines]

    def html(self, limit: int = HTML_ROWS) -> str:
        rows, left_out = self._cells(limit)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th>{html.escape(name)}</th>" for name in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        more = (
            f"<p><i>… {left_out} more rows (see <code>to_frame()</code>)</i></p>"
            if left_out
            else ""
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


@dataclass(frozen=True)
class View:
    """What a result shows: see the module docstring."""

    kind: str
    """The class a reader would look up (``RunResult``)."""
    title: str
    subtitle: str = ""
    facts: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()
    picture: Callable[[], Figure] | None = None
    """A small figure, drawn only for the notebook view."""
    more: str = ""
    """Where the rest is (attributes and methods), one line."""

    def text(self) -> str:
        head = f"<{self.kind} {self.title}" + (f": {self.subtitle}" if self.subtitle else "")
        lines = [head]
        width = max((len(label) for label, _ in self.facts), default=0)
        lines += [f"  {label.ljust(width)}  {value}" for label, value in self.facts]
        lines += [f"  warning: {warning}" for warning in self.warnings]
        for table in self.tables:
            lines += table.text()
        if self.more:
            lines.append(f"  {self.more}")
        return "\n".join(lines) + ">"

    def html(self) -> str:
        e = html.escape
        head = f"<p><b>{e(self.kind)}</b> <code>{e(self.title)}</code>"
        head += f" — {e(self.subtitle)}</p>" if self.subtitle else "</p>"
        facts = "".join(
            f"<tr><th style='text-align:left'>{e(label)}</th>"
            f"<td style='text-align:left'>{e(value)}</td></tr>"
            for label, value in self.facts
        )
        block = f"<table>{facts}</table>" if facts else ""
        if self.picture is not None:
            block = (
                "<div style='display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start'>"
                f"<div>{block}</div><div>{picture_tag(self.picture(), self.title)}</div></div>"
            )
        warnings = "".join(
            f"<p style='color:{_WARNING_COLOUR}'><b>Warning:</b> {e(warning)}</p>"
            for warning in self.warnings
        )
        tables = "".join(table.html() for table in self.tables)
        more = f"<p style='color:#666'><small>{e(self.more)}</small></p>" if self.more else ""
        return f"<div class='drawdown-view'>{head}{warnings}{block}{tables}{more}</div>"


def picture_tag(figure: Figure, title: str) -> str:
    """A figure as an inline PNG ``<img>`` (the notebook file carries it; nothing external)."""
    from sim.plots.display import png

    data = base64.b64encode(png(figure, dpi=PICTURE_DPI)).decode("ascii")
    alt = html.escape(f"{title}: people and cargo still on base, median and P10–P90")
    return f"<img src='data:image/png;base64,{data}' alt='{alt}'>"


class Viewed:
    """A result that shows itself through :meth:`view`: ``repr`` and the notebook view.

    A dataclass that inherits it must say ``repr=False`` (else the generated
    repr, with every array and the whole scenario, replaces this one).
    """

    __slots__ = ()

    def view(self) -> View:
        raise NotImplementedError  # pragma: no cover - every result implements it

    def __repr__(self) -> str:
        return self.view().text()

    def _repr_html_(self) -> str:
        return self.view().html()
