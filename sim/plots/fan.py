"""A small fan chart from plain arrays: the picture in a result's notebook view.

People and cargo still on the base as shares of their totals, day by day: the
median as a line and P10–P90 shaded, the deadline dashed. It reads arrays, not
results, so that a result can draw its own view (:mod:`sim.render.views`)
without the results and the figures depending on each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plots.palette import BLUE, LIGHT_GREY, ORANGE, SKY_BLUE, VERMILLION

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DAYS_AFTER = 5
"""Days shown after the deadline or the day the P90 of both shares reaches zero."""


def small_fan(
    start: dt.datetime,
    day_ends: Sequence[dt.datetime],
    people_left: np.ndarray,
    cargo_left: np.ndarray,
    deadline_end: dt.datetime,
    *,
    width: float = 5.6,
    height: float = 2.3,
) -> Figure:
    """Shares of people and cargo left (arrays [replications, days] in 0–1) against time."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.ticker import PercentFormatter

    from sim.plots.display import ShownFigure

    figure = ShownFigure(figsize=(width, height), layout="constrained")
    ax = figure.add_subplot()
    x = np.array(date2num([start, *day_ends]), dtype=np.float64)  # type: ignore[no-untyped-call]
    deadline_x = float(date2num(deadline_end))  # type: ignore[no-untyped-call]
    deadline_index = int(np.searchsorted(x[1:], deadline_x))
    last = deadline_index
    for share, colour, band, label in (
        (people_left, BLUE, SKY_BLUE, "people"),
        (cargo_left, ORANGE, ORANGE, "cargo"),
    ):
        if share.size == 0:
            continue
        p10, p50, p90 = np.percentile(share, [10, 50, 90], axis=0)
        done = np.flatnonzero(p90 <= 0)
        last = max(last, int(done[0]) if done.size else len(day_ends) - 1)
        ax.fill_between(x, [1.0, *p10], [1.0, *p90], step="pre", color=band, alpha=0.35,
                        linewidth=0)  # fmt: skip
        ax.step(x, [1.0, *p50], where="pre", color=colour, linewidth=1.8, label=f"{label} left")
    ax.axvline(deadline_x, color=VERMILLION, linestyle="--", linewidth=1.2,
               label="deadline")  # fmt: skip
    shown = min(len(x) - 1, last + DAYS_AFTER)
    ax.set_xlim(x[0], x[shown])
    ax.set_ylim(-0.03, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    locator = AutoDateLocator(minticks=3, maxticks=7)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.tick_params(labelsize=8)
    ax.set_ylabel("still on base", fontsize=8)
    ax.grid(True, color=LIGHT_GREY, linewidth=0.5)
    ax.legend(fontsize=7.5, loc="upper right", framealpha=0.9)
    return figure
