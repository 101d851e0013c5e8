"""Burndown fans: people and cargo tonnes left on Base 101, day by day."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.plots.style import (
    BLACK,
    BLUE,
    LIGHT_GREY,
    ORANGE,
    SKY_BLUE,
    axes,
    date_axis,
    deadline,
    plain_text,
    x_of,
    xs,
)
from sim.plots.style import (
    shown as shown_name,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.results import RunResult


@plain_text
def burndown(result: RunResult, ax: Axes | None = None, *, measure: str = "personnel") -> Axes:
    """Fan chart of people (``measure="personnel"``) or cargo tonnes (``"cargo"``) left on base.

    The median across replications as a line, the P10–P90 band shaded, the
    deadline and the milestones marked, and the scenario's ``observed:``
    points (converted from "out" to "remaining") as black crosses.
    """
    if measure not in ("personnel", "cargo"):
        raise ValueError(f"measure must be 'personnel' or 'cargo' (got {measure!r})")
    ax = axes(ax)
    scenario = result.scenario
    if measure == "personnel":
        grid = np.asarray(result.people_remaining, dtype=np.float64)
        total, unit, noun = float(scenario.total_personnel), 1.0, "people"
        ylabel = "people still on base"
    else:
        grid = np.asarray(result.cargo_kg_remaining, dtype=np.float64)
        total, unit, noun = scenario.total_cargo_kg / 1000.0, 1000.0, "cargo"
        ylabel = "cargo still on base (tonnes)"
    grid = grid / unit
    days = result.day_ends
    # Show the days up to the later of the deadline and the day P90 reaches zero, plus a week.
    p10, p50, p90 = np.percentile(grid, [10, 50, 90], axis=0) if len(grid) else (grid,) * 3
    done = np.flatnonzero(p90 <= 0)
    last = int(done[0]) if done.size else len(days) - 1
    deadline_end = scenario.deadline_end
    deadline_index = int(np.searchsorted(result.layout.day_end_hours, _hours(result, deadline_end)))
    shown = min(len(days), max(last, deadline_index) + 8)
    # The curves start at the full amount at the scenario's start.
    x = xs([scenario.start, *days[:shown]])
    first = [total]
    ax.fill_between(
        x,
        first + list(p10[:shown]),
        first + list(p90[:shown]),
        step="pre",
        color=SKY_BLUE,
        alpha=0.45,
        linewidth=0,
        label="P10–P90 (8 runs in 10 fall in the band)",
    )
    ax.step(
        x,
        first + list(p50[:shown]),
        where="pre",
        color=BLUE,
        linewidth=2.2,
        label="median",
    )
    deadline(ax, deadline_end)
    for milestone in result.layout.milestones:
        fraction = milestone.personnel if measure == "personnel" else milestone.cargo
        if fraction is None:
            continue
        limit = total * (1.0 - fraction)
        when = dt.datetime.combine(milestone.by, dt.time()) + dt.timedelta(days=1)
        ax.plot(
            [x_of(when)],
            [limit],
            marker="v",
            markersize=10,
            color=ORANGE,
            markeredgecolor=BLACK,
            linestyle="none",
            zorder=6,
        )
        ax.annotate(
            shown_name(milestone.name),
            (x_of(when), limit),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8.5,
            color=BLACK,
        )
    if any(True for m in result.layout.milestones if _milestone_applies(m, measure)):
        ax.plot([], [], marker="v", color=ORANGE, markeredgecolor=BLACK, linestyle="none",
                label="milestone: at most this many left")  # fmt: skip
    from sim.scenario.contract import record_interval

    observed: list[tuple[dt.datetime, float]] = []
    for point in scenario.observed:
        value = point.personnel_out if measure == "personnel" else point.cargo_out_kg
        if value is not None:
            # A range at its middle, a bound at the bound.
            low, high = record_interval(value)
            observed.append((point.at, (low + high) / 2 if math.isfinite(high) else low))
    if observed:
        ax.plot(
            xs([at for at, _ in observed]),
            [total - value / unit for _, value in observed],
            marker="X",
            markersize=9,
            color=BLACK,
            linestyle="none",
            label="observed (public reports)",
            zorder=7,
        )
    # A little room below zero so that milestone markers at zero stay visible.
    ax.set_ylim(-0.03 * total if total > 0 else 0, total * 1.05 if total > 0 else 1)
    ax.set_ylabel(ylabel)
    ax.set_title(
        f"{shown_name(scenario.name)}: {noun} remaining at Base 101 ({result.replications} runs)"
    )
    ax.grid(True, color=LIGHT_GREY, linewidth=0.6)
    ax.legend(loc="upper right", fontsize=8.5, framealpha=0.9)
    date_axis(ax)
    return ax


def _milestone_applies(milestone: Any, measure: str) -> bool:
    return (milestone.personnel if measure == "personnel" else milestone.cargo) is not None


def _hours(result: RunResult, moment: dt.datetime) -> float:
    return result.scenario.hours_since_start(moment)
