"""The sortie timeline: what each tail did in one replication, with ramp and closures."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sim.plots.style import (
    BLACK,
    GREEN,
    GREY,
    LIGHT_GREY,
    PURPLE,
    STATE_COLOURS,
    VERMILLION,
    YELLOW,
    axes,
    date_axis,
    deadline,
    plain_text,
    shown,
    x_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.render.timeline import Timeline
    from sim.replication.outcome import ReplicationResult


@plain_text
def sortie_timeline(
    scenario_or_result: Any,
    replication: ReplicationResult | Timeline | None = None,
    ax: Axes | None = None,
    *,
    window: tuple[dt.datetime, dt.datetime] | None = None,
) -> Axes:
    """Gantt of what each tail did in one replication, with ramp occupancy and closures.

    ``scenario_or_result``: a :class:`~sim.scenario.contract.Scenario` or a RunResult (its
    scenario is used); ``replication``: a replication simulated with
    ``trace=True`` (or its :class:`~sim.render.timeline.Timeline`). Rows: one per tail,
    then the airliner departures and the parking spots in use. Weather closures
    are shaded purple, political suspensions hatched grey. ``window`` zooms on
    a period (default: the start of flying to the last take-off).
    """
    from matplotlib.patches import Patch

    from sim.render.timeline import STATES, Timeline, timeline_of

    scenario = getattr(scenario_or_result, "scenario", scenario_or_result)
    if replication is None:
        raise ValueError("give a replication simulated with trace=True, or its timeline")
    timeline = (
        replication if isinstance(replication, Timeline) else timeline_of(scenario, replication)
    )
    rows = len(timeline.tails) + 2
    ax = axes(ax, 11.0, 1.6 + 0.45 * rows)

    def moment(hours: float) -> dt.datetime:
        instant: dt.datetime = scenario.moment(hours)
        return instant

    def x(hours: float) -> float:
        return x_of(moment(hours))

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
        deadline(ax, scenario.deadline_end)

    labels = [*timeline.tails, "airliners", f"parking in use\n(full bar = {capacity})"]
    ax.set_yticks(range(rows), labels)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.set_xlim(x_of(window[0]), x_of(window[1]))
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
    ax.set_title(
        f"{shown(scenario.name)}: sorties of replication {timeline.replication} ({finished})"
    )
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    date_axis(ax)
    return ax
