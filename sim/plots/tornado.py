"""What matters most: the tornado chart of ``sensitivity``.

One bar per input, largest swing on top: the bar spans the median completion
with the input at its low end (P10, or the bound) and at its high end (P90, or
the bound), the low end's side in blue, the high end's in orange, around the
baseline median (black line); the
deadline is the vermillion dashed line. The P(on time) at both ends is written
beside each bar. An end whose median is unfinished is drawn to the plot's right
edge with an arrow.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sim.plots.saving import figure_bytes
from sim.plots.style import (
    BLACK,
    BLUE,
    ORANGE,
    axes,
    date_axis,
    deadline,
    figure_of_axes,
    x_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.sensitivity import SensitivityResult

MAX_BARS = 20
LEGEND_ROWS = 3.2
"""Bar rows' worth of height left empty at the bottom for the legend."""


def tornado(result: SensitivityResult, ax: Axes | None = None, *, bars: int = MAX_BARS) -> Axes:
    """The ``bars`` inputs with the largest swing of the median completion."""
    shown = result.inputs[:bars]
    ax = axes(ax, 9.0, 1.2 + 0.38 * (max(len(shown), 1) + LEGEND_ROWS))
    scenario = result.scenario
    base_hours = result.baseline.p50_hours
    finite = [
        hours
        for item in shown
        for hours in (item.low_run.p50_hours, item.high_run.p50_hours)
        if math.isfinite(hours)
    ]
    limit = max([*finite, base_hours if math.isfinite(base_hours) else 0.0,
                 scenario.hours_since_start(scenario.deadline_end)])  # fmt: skip
    edge = limit + 0.05 * max(limit, 24.0)

    def x(hours: float) -> float:
        return float(x_of(scenario.moment(hours if math.isfinite(hours) else edge)))

    centre = x(base_hours)
    for row, item in enumerate(shown):
        y = len(shown) - 1 - row
        ends = [
            (item.low_run.p50_hours, BLUE, "input at its low end"),
            (item.high_run.p50_hours, ORANGE, "input at its high end"),
        ]
        # The longer bar first, so that a shorter one on the same side stays visible.
        ends.sort(key=lambda end: -abs(x(end[0]) - centre))
        for hours, colour, label in ends:
            end = x(hours)
            ax.barh(y, end - centre, left=centre, height=0.6, color=colour, label=label)
            if not math.isfinite(hours):
                ax.annotate("unfinished", (end, y), fontsize="x-small", va="center")
        text = f"{item.low_run.p_on_time:.0%} / {item.high_run.p_on_time:.0%}"
        ax.annotate(text, (max(x(item.low_run.p50_hours), x(item.high_run.p50_hours)), y),
                    xytext=(4, 0), textcoords="offset points", fontsize="x-small",
                    va="center")  # fmt: skip
    ax.axvline(centre, color=BLACK, linewidth=1.2, label="baseline median")
    deadline(ax, scenario.deadline_end)
    # Empty rows under the last bar hold the legend: it covered the bottom bars' labels.
    ax.set_ylim(-0.5 - LEGEND_ROWS, len(shown) - 0.5)
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels([f"{item.field}  ({item.show(item.low)} – {item.show(item.high)})"
                        for item in reversed(shown)], fontsize="small")  # fmt: skip
    date_axis(ax)
    # On two lines: one long line ran into the date axis's year at its right end.
    ax.set_xlabel("median completion\nbeside each bar: P(on time) at the low / high end")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.set_title(f"{result.name}: what matters most")
    ax.legend(unique.values(), unique.keys(), loc="lower right", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def save_tornado(result: SensitivityResult, directory: str | os.PathLike[str]) -> list[Path]:
    """``<scenario>-tornado.png`` in ``directory``."""
    from sim.outputs import write_atomic

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    figure = figure_of_axes(tornado(result))
    return [write_atomic(target / f"{result.name}-tornado.png", figure_bytes(figure))]
