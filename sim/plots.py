"""Figures a planner reads: burndown fans, completion dates, sortie timelines, comparisons.

Every function takes a result and ``ax=None`` and returns the matplotlib Axes
it drew on; with ``ax=None`` it creates a new :class:`matplotlib.figure.Figure`
of a sensible size (never through ``pyplot``, so no global figure state is
touched and nothing is shown). matplotlib is imported only when a figure is
drawn, so the command line starts fast.

Colours are the Okabe–Ito palette (distinguishable with the common forms of
colour blindness); the deadline is always a vertical vermillion dashed line;
dates are calendar dates in local Niamey time.

:func:`save_figures` writes the figures of a run as PNG (and SVG) files;
:func:`figures_of` is what the report and ``run --plots`` draw.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.answers.results import Comparison, RunResult, SweepResult
    from sim.render.timeline import Timeline
    from sim.replication.outcome import ReplicationResult

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"

DEADLINE_COLOUR = VERMILLION

STATE_COLOURS: dict[str, str] = {
    "inbound": SKY_BLUE,
    "holding (weather or suspension)": PURPLE,
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
}


# --- plumbing -----------------------------------------------------------------


def new_figure(width: float = 9.0, height: float = 4.5) -> Figure:
    """A figure outside pyplot (no global state; garbage-collected like any object)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _axes(ax: Axes | None, width: float = 9.0, height: float = 4.5) -> Axes:
    return new_figure(width, height).add_subplot() if ax is None else ax


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _x(moment: dt.datetime) -> float:
    """A calendar instant as a matplotlib date number (days since 1970)."""
    from matplotlib.dates import date2num

    return float(date2num(moment))  # type: ignore[no-untyped-call]


def _xs(moments: Sequence[dt.datetime]) -> np.ndarray:
    return np.array([_x(moment) for moment in moments], dtype=np.float64)


def _figure(ax: Axes) -> Figure:
    from matplotlib.figure import Figure

    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    return figure


def _deadline(ax: Axes, deadline_end: dt.datetime, *, label: bool = True) -> None:
    ax.axvline(
        _x(deadline_end),
        color=DEADLINE_COLOUR,
        linestyle="--",
        linewidth=1.6,
        label=f"deadline (end of {(deadline_end - dt.timedelta(days=1)):%d %b %Y})"
        if label
        else None,
        zorder=5,
    )


def _moments(result: RunResult, hours: np.ndarray) -> list[dt.datetime]:
    return [result.scenario.moment(float(h)) for h in hours]


# --- burndown -------------------------------------------------------------------


def burndown(result: RunResult, ax: Axes | None = None, *, measure: str = "personnel") -> Axes:
    """Fan chart of people (``measure="personnel"``) or cargo tonnes (``"cargo"``) left on base.

    The median across replications as a line, the P10–P90 band shaded, the
    deadline and the milestones marked, and the scenario's ``observed:``
    points (converted from "out" to "remaining") as black crosses.
    """
    if measure not in ("personnel", "cargo"):
        raise ValueError(f"measure must be 'personnel' or 'cargo' (got {measure!r})")
    ax = _axes(ax)
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
    x = _xs([scenario.start, *days[:shown]])
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
    _deadline(ax, deadline_end)
    for milestone in result.layout.milestones:
        fraction = milestone.personnel if measure == "personnel" else milestone.cargo
        if fraction is None:
            continue
        limit = total * (1.0 - fraction)
        when = dt.datetime.combine(milestone.by, dt.time()) + dt.timedelta(days=1)
        ax.plot(
            [_x(when)],
            [limit],
            marker="v",
            markersize=10,
            color=ORANGE,
            markeredgecolor=BLACK,
            linestyle="none",
            zorder=6,
        )
        ax.annotate(
            milestone.name,
            (_x(when), limit),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8.5,
            color=BLACK,
        )
    if any(True for m in result.layout.milestones if _milestone_applies(m, measure)):
        ax.plot([], [], marker="v", color=ORANGE, markeredgecolor=BLACK, linestyle="none",
                label="milestone: at most this many left")  # fmt: skip
    observed: list[tuple[dt.datetime, float]] = []
    for point in scenario.observed:
        value = point.personnel_out if measure == "personnel" else point.cargo_out_kg
        if value is not None:
            observed.append((point.at, value))
    if observed:
        ax.plot(
            _xs([at for at, _ in observed]),
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
    ax.set_title(f"{scenario.name}: {noun} remaining at Base 101 ({result.replications} runs)")
    ax.grid(True, color=LIGHT_GREY, linewidth=0.6)
    ax.legend(loc="upper right", fontsize=8.5, framealpha=0.9)
    _date_axis(ax)
    return ax


def _milestone_applies(milestone: Any, measure: str) -> bool:
    return (milestone.personnel if measure == "personnel" else milestone.cargo) is not None


def _hours(result: RunResult, moment: dt.datetime) -> float:
    return result.scenario.hours_since_start(moment)


# --- completion distribution --------------------------------------------------------


def completion_distribution(result: RunResult, ax: Axes | None = None) -> Axes:
    """Histogram of completion dates (by day) with the cumulative share finished on a twin axis.

    The deadline is marked with P(on time) and its 95 % interval written beside
    it; replications unfinished within the horizon are counted in a note.
    """
    ax = _axes(ax)
    scenario = result.scenario
    summary = result.summary
    hours = result.completion_hours
    finished = hours[np.isfinite(hours)]
    unfinished = int(hours.size - finished.size)
    when = np.array(_moments(result, finished), dtype="datetime64[s]")
    deadline_end = scenario.deadline_end
    if finished.size:
        first_day = np.datetime64(min(when).astype("datetime64[D]"))
        last_day = np.datetime64(max(when).astype("datetime64[D]")) + np.timedelta64(1, "D")
        low = min(first_day, np.datetime64(deadline_end, "D") - np.timedelta64(3, "D"))
        high = max(last_day, np.datetime64(deadline_end, "D") + np.timedelta64(3, "D"))
        span_days = int((high - low) / np.timedelta64(1, "D"))
        step = max(1, math.ceil(span_days / 60))  # at most about 60 bars
        edges = np.arange(low, high + np.timedelta64(step, "D"), np.timedelta64(step, "D"))
        edge_dates = edges.astype("datetime64[s]").astype(dt.datetime)
        on_time = when < np.datetime64(deadline_end)
        ax.hist(
            [when[on_time].astype(dt.datetime), when[~on_time].astype(dt.datetime)],
            bins=list(edge_dates),
            stacked=True,
            color=[BLUE, VERMILLION],
            edgecolor="white",
            linewidth=0.4,
            label=["finished on time", "finished late"],
        )
        twin = ax.twinx()
        ordered = np.sort(when).astype(dt.datetime)
        share = np.arange(1, ordered.size + 1) / hours.size
        twin.step(
            [ordered[0], *ordered, edge_dates[-1]],
            [0.0, *share, share[-1]],
            where="post",
            color=BLACK,
            linewidth=1.6,
            label="share finished (right axis)",
        )
        twin.set_ylim(0, 1.02)
        twin.set_ylabel("share of replications finished")
        twin.yaxis.set_major_formatter(_percent_formatter())
        ax.set_xlim(edge_dates[0], edge_dates[-1])
        lines, labels = ax.get_legend_handles_labels()
        twin_lines, twin_labels = twin.get_legend_handles_labels()
        ax.legend(lines + twin_lines, labels + twin_labels, loc="upper center",
                  bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8.5, frameon=False)  # fmt: skip
    _deadline(ax, deadline_end, label=False)
    low_ci, high_ci = summary["p_on_time_ci95"]
    top = ax.figure.axes[-1] if finished.size else ax  # the twin is drawn last: text stays on top
    top.text(
        _x(deadline_end),
        0.04,
        f"deadline {scenario.deadline:%d %b}\nP(on time) {summary['p_on_time']:.0%} "
        f"(95 % CI {low_ci:.0%}–{high_ci:.0%})",
        transform=top.get_xaxis_transform(),
        rotation=90,
        ha="right",
        va="bottom",
        fontsize=9.5,
        fontweight="bold",
        color=DEADLINE_COLOUR,
        bbox={
            "boxstyle": "round,pad=0.25",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
        zorder=8,
    )
    if unfinished:
        ax.text(
            0.99,
            0.55,
            f"{unfinished} of {hours.size} runs unfinished\nwithin the horizon (late)",
            transform=ax.transAxes,
            ha="right",
            fontsize=8.5,
            color=VERMILLION,
        )
    ax.set_ylabel("replications finishing (per bar)")
    ax.set_title(f"{scenario.name}: when is everything out? ({hours.size} runs)")
    ax.grid(True, axis="y", color=LIGHT_GREY, linewidth=0.6)
    _date_axis(ax)
    return ax


def _percent_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


# --- sortie timeline ----------------------------------------------------------------


def sortie_timeline(
    scenario_or_result: Any,
    replication: ReplicationResult | Timeline | None = None,
    ax: Axes | None = None,
    *,
    window: tuple[dt.datetime, dt.datetime] | None = None,
    seed: int | None = None,
) -> Axes:
    """Gantt of what each tail did in one replication, with ramp occupancy and closures.

    ``scenario_or_result``: a :class:`~sim.scenario.contract.Scenario` or a RunResult (its
    scenario and seed are used); ``replication``: a replication simulated with
    ``trace=True`` (or its :class:`~sim.render.timeline.Timeline`). Rows: one per tail,
    then the airliner departures and the parking spots in use. Weather closures
    are shaded purple, political suspensions hatched grey. ``window`` zooms on
    a period (default: the start of flying to the last take-off).
    """
    from matplotlib.patches import Patch

    from sim.render.timeline import STATES, Timeline, timeline_of

    scenario = getattr(scenario_or_result, "scenario", scenario_or_result)
    if seed is None and hasattr(scenario_or_result, "summary"):
        seed = int(scenario_or_result.summary["seed"])
    if replication is None:
        raise ValueError("give a replication simulated with trace=True, or its timeline")
    timeline = (
        replication
        if isinstance(replication, Timeline)
        else timeline_of(scenario, replication, seed=seed)
    )
    rows = len(timeline.tails) + 2
    ax = _axes(ax, 11.0, 1.6 + 0.45 * rows)

    def moment(hours: float) -> dt.datetime:
        instant: dt.datetime = scenario.moment(hours)
        return instant

    def x(hours: float) -> float:
        return _x(moment(hours))

    if window is None:
        first = min((s.start_hours for s in timeline.segments), default=0.0)
        last = timeline.completion_hours or timeline.end_hours
        last = max((s.end_hours for s in timeline.segments if s.state == "outbound"), default=last)
        margin = max(6.0, 0.02 * (last - first))
        window = (moment(first - margin), moment(last + margin))
    low_hours = scenario.hours_since_start(window[0])
    high_hours = scenario.hours_since_start(window[1])

    def visible(start: float, end: float) -> bool:
        return bool(end > low_hours and start < high_hours)

    for start, end in timeline.closures:
        if visible(start, end):
            ax.axvspan(x(start), x(end), color=PURPLE, alpha=0.25, linewidth=0, zorder=0)
    for start, end in timeline.suspensions:
        if visible(start, end):
            ax.axvspan(x(start), x(end), facecolor="none", edgecolor=GREY, hatch="//",
                       linewidth=0, zorder=0)  # fmt: skip

    bars: dict[tuple[int, str], list[tuple[float, float]]] = {}
    row_of = {tail: row for row, tail in enumerate(timeline.tails)}
    for segment in timeline.segments:
        if visible(segment.start_hours, segment.end_hours):
            bars.setdefault((row_of[segment.tail], segment.state), []).append(
                (x(segment.start_hours), segment.hours / 24.0)
            )
    for (row, state), spans in bars.items():
        ax.broken_barh(
            spans,
            (row - 0.35, 0.7),
            facecolors=STATE_COLOURS[state],
            edgecolor="none",
            hatch="xx" if state == "landing-slot hold" else None,
        )

    airliner_row = len(timeline.tails)
    flown = [
        a for a in timeline.airliners if not a.cancelled and low_hours <= a.hours <= high_hours
    ]
    cancelled = [
        a for a in timeline.airliners if a.cancelled and low_hours <= a.hours <= high_hours
    ]
    ax.plot([x(a.hours) for a in flown], [airliner_row] * len(flown), marker="|",
            markersize=12, color=BLACK, linestyle="none")  # fmt: skip
    ax.plot([x(a.hours) for a in cancelled], [airliner_row] * len(cancelled), marker="x",
            markersize=7, color=VERMILLION, linestyle="none")  # fmt: skip

    parking_row = airliner_row + 1
    capacity = max(1, timeline.parking_capacity)
    steps = [*timeline.parking, (timeline.end_hours, timeline.parking[-1][1])]
    ax.fill_between(
        [x(h) for h, _ in steps],
        [parking_row + 0.4] * len(steps),
        [parking_row + 0.4 - 0.8 * count / capacity for _, count in steps],
        step="post",
        color=GREEN,
        alpha=0.8,
        linewidth=0,
    )
    ax.axhline(parking_row - 0.4, color=GREEN, linewidth=0.6, linestyle=":")

    if timeline.completion_hours is not None and visible(
        timeline.completion_hours, timeline.completion_hours
    ):
        ax.axvline(x(timeline.completion_hours), color=BLACK, linewidth=1.2, linestyle="-.",
                   label="everything out")  # fmt: skip
    deadline_hours = scenario.hours_since_start(scenario.deadline_end)
    if visible(deadline_hours, deadline_hours):
        _deadline(ax, scenario.deadline_end)

    labels = [*timeline.tails, "airliners", f"parking in use\n(full bar = {capacity})"]
    ax.set_yticks(range(rows), labels)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.set_xlim(_x(window[0]), _x(window[1]))
    used = {s.state for s in timeline.segments if visible(s.start_hours, s.end_hours)}
    # The two waits share a colour (both are time lost at Base 101): one legend entry.
    waits = ("waiting for parking", "waiting for a loading team")
    handles = [
        Patch(facecolor=STATE_COLOURS[state], label=state)
        for state in STATES
        if state in used and state not in waits
    ]
    if used.intersection(waits):
        handles.append(Patch(facecolor=YELLOW, label="waiting for parking or a loading team"))
    if any(visible(start, end) for start, end in timeline.closures):
        handles.append(Patch(facecolor=PURPLE, alpha=0.25, label="airfield closed (weather)"))
    if any(visible(s, e) for s, e in timeline.suspensions):
        handles.append(
            Patch(facecolor="white", edgecolor=GREY, hatch="//", label="landings suspended")
        )
    legend_handles: list[Any] = [*handles, *ax.get_legend_handles_labels()[0]]
    ax.legend(handles=legend_handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4,
              fontsize=8, frameon=False)  # fmt: skip
    finished = (
        f"everything out {moment(timeline.completion_hours):%d %b %H:%M}"
        if timeline.completion_hours is not None
        else "unfinished"
    )
    ax.set_title(f"{scenario.name}: sorties of replication {timeline.replication} ({finished})")
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    _date_axis(ax)
    return ax


# --- several scenarios ----------------------------------------------------------------


def _runs_of(results: RunResult | Comparison | Sequence[RunResult]) -> list[RunResult]:
    from sim.answers.results import Comparison, RunResult

    if isinstance(results, RunResult):
        return [results]
    if isinstance(results, Comparison):
        return list(results.results)
    return list(results)


def compare_on_time(results: Comparison | Sequence[RunResult], ax: Axes | None = None) -> Axes:
    """P(on time) of each scenario: a dot, its 95 % (Wilson) interval, verdict bands behind."""
    runs = _runs_of(results)
    ax = _axes(ax, 8.0, 1.4 + 0.5 * len(runs))
    from sim.answers.scoring import AT_RISK, ON_TRACK

    ax.axvspan(0, AT_RISK, color=VERMILLION, alpha=0.08, linewidth=0)
    ax.axvspan(AT_RISK, ON_TRACK, color=ORANGE, alpha=0.10, linewidth=0)
    ax.axvspan(ON_TRACK, 1.0, color=GREEN, alpha=0.10, linewidth=0)
    for x, text in ((AT_RISK / 2, "late"), ((AT_RISK + ON_TRACK) / 2, "at risk"),
                    ((ON_TRACK + 1) / 2, "on track")):  # fmt: skip
        ax.text(x, 0.02, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=8.5, color=GREY)  # fmt: skip
    for row, run in enumerate(runs):
        s = run.summary
        low, high = s["p_on_time_ci95"]
        p = s["p_on_time"]
        ax.errorbar(
            [p], [row], xerr=[[p - low], [high - p]], fmt="o", color=BLUE, ecolor=BLUE,
            elinewidth=2, capsize=5, markersize=8,
        )  # fmt: skip
        ax.annotate(f"{p:.0%}", (p, row), xytext=(0, 9), textcoords="offset points",
                    ha="center", fontsize=9, color=BLACK)  # fmt: skip
    ax.set_yticks(range(len(runs)), [run.scenario.name for run in runs])
    ax.set_ylim(len(runs) - 0.5, -0.7)
    ax.set_xlim(0, 1.04)
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.set_xlabel(
        "P(on time): share of replications done by the deadline (dot), 95 % interval (bar)"
    )
    runs_each = runs[0].replications
    ax.set_title(
        f"Chance of finishing by the deadline ({runs_each} runs each, common random numbers)"
    )
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    return ax


def compare_completion(results: Comparison | Sequence[RunResult], ax: Axes | None = None) -> Axes:
    """Completion P10–P90 of each scenario as a bar with the P50 as a dot, and the deadline."""
    runs = _runs_of(results)
    ax = _axes(ax, 8.0, 1.4 + 0.5 * len(runs))
    from sim.answers.scoring import percentile

    for row, run in enumerate(runs):
        hours = run.completion_hours
        p10, p50, p90 = (percentile(hours, q) for q in (10, 50, 90))
        if math.isfinite(p10):
            end = run.scenario.moment(p90) if math.isfinite(p90) else None
            start = run.scenario.moment(p10)
            stop = end or run.scenario.horizon_end
            ax.plot([_x(start), _x(stop)], [row, row], color=SKY_BLUE, linewidth=9,
                    solid_capstyle="butt", label="P10–P90" if row == 0 else None)  # fmt: skip
            if end is None:
                ax.annotate("P90 unfinished", (_x(stop), row), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize=8,
                            color=VERMILLION)  # fmt: skip
        else:
            ax.annotate("most runs unfinished within the horizon", (0.01, row),
                        xycoords=("axes fraction", "data"), va="center", fontsize=8.5,
                        color=VERMILLION)  # fmt: skip
        if math.isfinite(p50):
            ax.plot([_x(run.scenario.moment(p50))], [row], "o", color=BLUE, markersize=8,
                    label="P50 (median)" if row == 0 else None)  # fmt: skip
    deadline_end = runs[0].scenario.deadline_end
    _deadline(ax, deadline_end)
    ax.set_yticks(range(len(runs)), [run.scenario.name for run in runs])
    ax.set_ylim(len(runs) - 0.5, -0.7)
    ax.set_xlabel("date everything is out (local time)")
    ax.set_title("When is everything out? P10 – P50 – P90 of completion")
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    ax.legend(loc="lower right", fontsize=8.5, framealpha=0.9)
    _date_axis(ax)
    return ax


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def sweep_chart(sweep: SweepResult, ax: Axes | None = None) -> Axes:
    """P(on time) against the first swept field, one line per value of the other fields.

    Numeric values go on a numeric axis, others (distributions) side by side;
    the 90 % (on track) and 50 % (at risk) thresholds are dashed.
    """
    from sim.answers.scoring import AT_RISK, ON_TRACK

    ax = _axes(ax, 8.0, 4.5)
    (first_key, first_values), *others = sweep.axes
    numbers = [_number(value) for value in first_values]
    numeric = all(n is not None for n in numbers)
    position = {value: (numbers[i] if numeric else i) for i, value in enumerate(first_values)}
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, float, float, float]]] = {}
    for combination, result in zip(sweep.combinations, sweep.results, strict=True):
        values = dict(combination)
        rest = tuple((key, values[key]) for key, _ in others)
        low, high = result.summary["p_on_time_ci95"]
        x = position[values[first_key]]
        assert x is not None
        groups.setdefault(rest, []).append((float(x), result.p_on_time, low, high))
    palette = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK]
    for index, (rest, points) in enumerate(groups.items()):
        points.sort()
        xs = np.array([p[0] for p in points])
        ys = np.array([p[1] for p in points])
        errors = np.array([[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]])
        label = ", ".join(f"{key} = {value}" for key, value in rest) or None
        colour = palette[index % len(palette)]
        ax.errorbar(xs, ys, yerr=errors, marker="o", color=colour, capsize=4, linewidth=1.8,
                    markersize=6, label=label)  # fmt: skip
    ax.axhline(ON_TRACK, color=GREEN, linestyle=":", linewidth=1.2)
    ax.axhline(AT_RISK, color=ORANGE, linestyle=":", linewidth=1.2)
    ax.text(1.0, ON_TRACK, " on track ", transform=ax.get_yaxis_transform(), va="bottom",
            ha="right", fontsize=8, color=GREEN)  # fmt: skip
    ax.text(1.0, AT_RISK, " at risk ", transform=ax.get_yaxis_transform(), va="bottom",
            ha="right", fontsize=8, color=ORANGE)  # fmt: skip
    if numeric and all(float(n or 0).is_integer() for n in numbers):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not numeric:
        ax.set_xticks(range(len(first_values)), list(first_values), rotation=15, ha="right")
    ax.set_ylim(-0.02, 1.05)
    ax.yaxis.set_major_formatter(_percent_formatter())
    ax.set_xlabel(first_key)
    ax.set_ylabel("P(on time) with 95 % interval")
    runs = sweep.results[0].replications if sweep.results else 0
    ax.set_title(f"P(on time) as {first_key} changes ({runs} runs per point)")
    ax.grid(True, color=LIGHT_GREY, linewidth=0.6)
    if any(label for label in ax.get_legend_handles_labels()[1]):
        ax.legend(fontsize=8.5, framealpha=0.9)
    return ax


# --- lateness drivers ------------------------------------------------------------------


def lateness_drivers(results: RunResult | Comparison | Sequence[RunResult],
                     ax: Axes | None = None) -> Axes:  # fmt: skip
    """Aircraft-hours lost per cause in the late replications (or the slowest tenth).

    One run: a sorted horizontal bar per cause with its share. Several runs: one
    stacked bar per scenario, the causes in the same colours.
    """
    from sim.replication.outcome import LATENESS_DRIVERS

    runs = _runs_of(results)
    colours = dict(zip(LATENESS_DRIVERS, [GREY, YELLOW, PURPLE, SKY_BLUE, ORANGE, GREEN,
                                          VERMILLION, BLUE], strict=True))  # fmt: skip
    if len(runs) == 1:
        (run,) = runs
        drivers = run.summary["lateness_drivers"]
        items = list(drivers["drivers"])[::-1]  # biggest on top
        ax = _axes(ax, 8.0, 4.0)
        values = [d["mean_hours"] for d in items]
        ax.barh([d["name"] for d in items], values, color=[colours[d["driver"]] for d in items],
                edgecolor=BLACK, linewidth=0.4)  # fmt: skip
        top = max(values, default=0.0) or 1.0
        for row, item in enumerate(items):
            ax.annotate(
                _hours_label(item["mean_hours"], item["share"], item.get("excess_hours"))
                if item["mean_hours"] else "–",
                (item["mean_hours"], row), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=8.5,
            )  # fmt: skip
        ax.set_xlim(0, top * 1.45)
        ax.set_title(
            f"{run.scenario.name}: where the time goes in the {drivers['basis']} "
            f"({drivers['replications']} of {run.replications})"
        )
    else:
        ax = _axes(ax, 9.0, 1.6 + 0.55 * len(runs))
        lefts = np.zeros(len(runs))
        for key, name in LATENESS_DRIVERS.items():
            means = np.array([_driver_mean(run, key) for run in runs])
            ax.barh([run.scenario.name for run in runs], means, left=lefts, color=colours[key],
                    edgecolor=BLACK, linewidth=0.4, label=name)  # fmt: skip
            lefts += means
        for row, run in enumerate(runs):
            basis = run.summary["lateness_drivers"]
            ax.annotate(f" {basis['basis']} ({basis['replications']})", (lefts[row], row),
                        va="center", fontsize=8, color=GREY)  # fmt: skip
        ax.set_xlim(0, (lefts.max() or 1.0) * 1.3)
        ax.invert_yaxis()
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=8, frameon=False
        )
        ax.set_title("Where the time goes in the late replications")
    ax.set_xlabel(
        "aircraft-hours lost per replication (mean over the late runs, or the slowest tenth)"
    )
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    return ax


def _hours_label(hours: float, share: float, excess: float | None = None) -> str:
    days = f" ≈ {hours / 24:,.0f} d" if hours >= 48 else ""
    percent = "<1 %" if 0 < share < 0.005 else f"{share:.0%}"
    # The excess over the other replications is what sets the late ones apart.
    versus = "" if excess is None else f"; {excess:+,.0f} h vs the rest"
    return f"{hours:,.0f} h{days} ({percent}{versus})"


def _driver_mean(run: RunResult, key: str) -> float:
    for driver in run.summary["lateness_drivers"]["drivers"]:
        if driver["driver"] == key:
            return float(driver["mean_hours"])
    return 0.0


# --- a run's figures, as files ---------------------------------------------------------------


def median_replication(result: RunResult) -> int:
    """The index of the replication whose completion is the median (the typical run)."""
    from sim.answers.scoring import PERCENTILE_METHOD

    hours = result.completion_hours
    target = float(np.percentile(hours, 50, method=PERCENTILE_METHOD))
    row = (
        int(np.flatnonzero(hours == target)[0]) if math.isfinite(target) else int(np.argmax(hours))
    )
    return int(result.table.index[row])


def figures_of(result: RunResult) -> dict[str, Callable[[], Figure]]:
    """The figures of one run, by file stem, each drawn only when called."""
    from sim.replication.drawdown import simulate

    def draw(plot: Callable[..., Axes], *args: Any, **kwargs: Any) -> Callable[[], Figure]:
        def make() -> Figure:
            figure = _figure(plot(*args, **kwargs))
            return figure

        return make

    traced: list[ReplicationResult] = []

    def typical() -> ReplicationResult:
        if not traced:
            index = median_replication(result)
            seed = int(result.summary["seed"])
            traced.append(simulate(result.scenario, index, seed=seed, trace=True))
        return traced[0]

    def timeline() -> Figure:
        return _figure(sortie_timeline(result, typical()))

    def first_week() -> Figure:
        replication = typical()
        launches = [e.hours for e in replication.trace or () if e.event.startswith("launches")]
        first = result.scenario.moment(min(launches, default=0.0)) - dt.timedelta(hours=6)
        window = (first, first + dt.timedelta(days=7))
        return _figure(sortie_timeline(result, replication, window=window))

    return {
        "burndown-personnel": draw(burndown, result, measure="personnel"),
        "burndown-cargo": draw(burndown, result, measure="cargo"),
        "completion": draw(completion_distribution, result),
        "timeline": timeline,
        "timeline-first-week": first_week,
        "lateness-drivers": draw(lateness_drivers, result),
    }


def figure_bytes(figure: Figure, kind: str = "png") -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=kind, dpi=110 if kind == "png" else None,
                   metadata=_metadata(kind))  # fmt: skip
    return buffer.getvalue()


def _metadata(kind: str) -> dict[str, Any]:
    # No creation date: the same run gives byte-identical files.
    if kind == "svg":
        return {"Date": None}
    if kind == "pdf":
        return {"CreationDate": None}
    return {"Software": "drawdown-sim (matplotlib)"}


def save_figures(result: RunResult, directory: str | os.PathLike[str], *,
                 svg: bool = False) -> list[Path]:  # fmt: skip
    """Write a run's figures as ``<scenario>-<figure>.png`` (and ``.svg``) into ``directory``."""
    from sim.outputs import write_atomic

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, make in figures_of(result).items():
        figure = make()
        for kind in ("png", "svg") if svg else ("png",):
            path = target / f"{result.scenario.name}-{stem}.{kind}"
            written.append(write_atomic(path, figure_bytes(figure, kind)))
    return written
