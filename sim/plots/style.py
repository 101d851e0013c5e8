"""The look shared by every figure: palette, new figures, date axes, the deadline line.

Colours are the Okabe–Ito palette (distinguishable with the common forms of
colour blindness); the deadline is always a vertical vermillion dashed line;
dates are calendar dates in local Niamey time. Figures are made outside
``pyplot`` (no global figure state, nothing shown by a script; a notebook
displays them, see :mod:`sim.plots.display`) and matplotlib is imported only
when one is drawn. Text is plain text (:func:`plain_text`): a ``$`` in a
scenario's name is a dollar sign, never the start of a mathtext formula, and
names are shown with their control characters escaped (:func:`shown`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

# The palette, re-exported: the figure modules take their colours from here.
from sim.plots.palette import BLACK as BLACK
from sim.plots.palette import BLUE as BLUE
from sim.plots.palette import GREEN as GREEN
from sim.plots.palette import GREY as GREY
from sim.plots.palette import LIGHT_GREY as LIGHT_GREY
from sim.plots.palette import ORANGE as ORANGE
from sim.plots.palette import PURPLE as PURPLE
from sim.plots.palette import SKY_BLUE as SKY_BLUE
from sim.plots.palette import VERMILLION as VERMILLION
from sim.plots.palette import YELLOW as YELLOW

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.answers.results import RunResult
    from sim.plots.display import ShownFigure

DEADLINE_COLOUR = VERMILLION

STATE_COLOURS: dict[str, str] = {
    "inbound": SKY_BLUE,
    "holding (weather or suspension)": PURPLE,
    "diverted (returning)": VERMILLION,
    "waiting for parking": YELLOW,
    "waiting for a loading team": YELLOW,
    "loading & servicing": GREEN,
    "repairing": VERMILLION,
    "crew rest": ORANGE,
    "waiting for the runway": PURPLE,
    "outbound": BLUE,
    "turnaround": LIGHT_GREY,
    "clearance wait": GREY,
    "landing-slot hold": GREY,
    "ground wait (weather or suspension)": PURPLE,
}


# --- plumbing -----------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])

MAX_SHOWN_NAME = 60


def shown(name: str) -> str:
    """A name from a scenario as a figure shows it: control characters escaped, one line long."""
    from sim.render.terminal import printable

    text = printable(name)
    return text if len(text) <= MAX_SHOWN_NAME else text[: MAX_SHOWN_NAME - 1] + "…"


def plain_text(function: _F) -> _F:
    """Draw (or save) with every text as plain text: no mathtext, no TeX.

    A scenario named ``cost $\\foo{$`` would otherwise be parsed as a formula and
    fail to draw. The setting is read when each text is created and when the
    figure is saved, and is restored afterwards (no global state is changed).
    """

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
            return function(*args, **kwargs)

    return cast(_F, plain)


def new_figure(width: float = 9.0, height: float = 4.5) -> ShownFigure:
    """A figure outside pyplot (no global state; garbage-collected like any object).

    It shows itself in Jupyter, and so do its Axes (:mod:`sim.plots.display`):
    ``top, bottom = new_figure(10, 8).subplots(2, 1)`` gives two Axes to draw on.
    """
    from sim.plots.display import ShownFigure

    return ShownFigure(figsize=(width, height), layout="constrained")


def axes(ax: Axes | None, width: float = 9.0, height: float = 4.5) -> Axes:
    return new_figure(width, height).add_subplot() if ax is None else ax


def date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def x_of(moment: dt.datetime) -> float:
    """A calendar instant as a matplotlib date number (days since 1970)."""
    from matplotlib.dates import date2num

    return float(date2num(moment))  # type: ignore[no-untyped-call]


def xs(moments: Sequence[dt.datetime]) -> np.ndarray:
    return np.array([x_of(moment) for moment in moments], dtype=np.float64)


def figure_of_axes(ax: Axes) -> Figure:
    from matplotlib.figure import Figure

    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    return figure


def deadline(ax: Axes, deadline_end: dt.datetime, *, label: bool = True) -> None:
    ax.axvline(
        x_of(deadline_end),
        color=DEADLINE_COLOUR,
        linestyle="--",
        linewidth=1.6,
        label=f"deadline (end of {(deadline_end - dt.timedelta(days=1)):%d %b %Y})"
        if label
        else None,
        zorder=5,
    )


def moments(result: RunResult, hours: np.ndarray) -> list[dt.datetime]:
    return [result.scenario.moment(float(h)) for h in hours]


def percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)
