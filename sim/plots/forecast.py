"""Where we stand today: the forecast cone (``drawdown forecast``).

For each moment ``as_of`` (x axis) the forecast of completion made from the
status at that moment (y axis): the P10–P90 band shaded, the P50 as a line
with a marker per forecast. The dotted diagonal is ``as_of`` itself (nothing
can finish before it) and the vermillion dashed line the deadline. As the
drawdown goes on the band narrows toward the diagonal: less is left to chance.
A forecast whose P90 (or P50) is unfinished is drawn at the top edge with an
upward marker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sim.plots.saving import figure_bytes
from sim.plots.style import (
    BLUE,
    DEADLINE_COLOUR,
    GREY,
    SKY_BLUE,
    axes,
    date_axis,
    figure_of_axes,
    x_of,
)

if TYPE_CHECKING:
    import datetime as dt

    from matplotlib.axes import Axes

    from sim.answers.forecast import ForecastCone


def forecast_cone(cone: ForecastCone, ax: Axes | None = None) -> Axes:
    """P10/P50/P90 completion against the moment each forecast was made."""
    ax = axes(ax, 9.0, 5.0)
    scenario = cone.scenario
    points = cone.points
    finished = [m for p in points for m in (p.p10, p.p50, p.p90) if m is not None]
    top = max([*finished, scenario.deadline_end])
    edge = x_of(top) + 0.04 * max(1.0, x_of(top) - x_of(scenario.start))

    def y(moment: dt.datetime | None) -> float:
        return edge if moment is None else x_of(moment)

    as_of = [x_of(p.as_of) for p in points]
    ax.fill_between(as_of, [y(p.p10) for p in points], [y(p.p90) for p in points],
                    color=SKY_BLUE, alpha=0.45, label="P10–P90 of completion")  # fmt: skip
    ax.plot(as_of, [y(p.p50) for p in points], color=BLUE, marker="o", markersize=3.5,
            label="P50 of completion")  # fmt: skip
    for point in points:
        if point.p90 is None:
            ax.plot(x_of(point.as_of), edge, marker="^", color=BLUE, markersize=5)
    low = min(as_of)
    ax.plot([low, max(as_of)], [low, max(as_of)], color=GREY, linestyle=":",
            label="as of (nothing finishes before)")  # fmt: skip
    ax.axhline(x_of(scenario.deadline_end), color=DEADLINE_COLOUR, linestyle="--",
               label=f"deadline (end of {scenario.deadline.isoformat()})")  # fmt: skip
    date_axis(ax)
    _date_y_axis(ax)
    ax.set_xlabel(f"forecast made as of (statuses from the {cone.statuses_from})")
    ax.set_ylabel("completion")
    ax.set_title(f"{scenario.name}: the forecast as the drawdown goes on")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def _date_y_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def save_forecast_cone(cone: ForecastCone, directory: str | os.PathLike[str]) -> list[Path]:
    """``<scenario>-forecast-cone.png`` in ``directory``."""
    from sim.outputs import write_atomic

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    figure = figure_of_axes(forecast_cone(cone))
    name = f"{cone.scenario.name}-forecast-cone.png"
    return [write_atomic(target / name, figure_bytes(figure))]
