"""The distribution of completion dates, with P(on time) at the deadline."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.plots.style import (
    BLACK,
    BLUE,
    DEADLINE_COLOUR,
    LIGHT_GREY,
    VERMILLION,
    axes,
    date_axis,
    deadline,
    moments,
    percent_formatter,
    plain_text,
    shown,
    x_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.results import RunResult


@plain_text
def completion_distribution(result: RunResult, ax: Axes | None = None) -> Axes:
    """Histogram of completion dates (by day) with the cumulative share finished on a twin axis.

    The deadline is marked with P(on time) and its 95 % interval written beside
    it; replications unfinished within the horizon are counted in a note.
    """
    ax = axes(ax)
    scenario = result.scenario
    score = result.score
    hours = result.completion_hours
    finished = hours[np.isfinite(hours)]
    unfinished = int(hours.size - finished.size)
    when = np.array(moments(result, finished), dtype="datetime64[s]")
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
        twin.yaxis.set_major_formatter(percent_formatter())
        ax.set_xlim(edge_dates[0], edge_dates[-1])
        lines, labels = ax.get_legend_handles_labels()
        twin_lines, twin_labels = twin.get_legend_handles_labels()
        ax.legend(lines + twin_lines, labels + twin_labels, loc="upper center",
                  bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=8.5, frameon=False)  # fmt: skip
    deadline(ax, deadline_end, label=False)
    low_ci, high_ci = score.p_on_time_ci95
    top = ax.figure.axes[-1] if finished.size else ax  # the twin is drawn last: text stays on top
    top.text(
        x_of(deadline_end),
        0.04,
        f"deadline {scenario.deadline:%d %b}\nP(on time) {score.p_on_time:.0%} "
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
    ax.set_title(f"{shown(scenario.name)}: when is everything out? ({hours.size} runs)")
    ax.grid(True, axis="y", color=LIGHT_GREY, linewidth=0.6)
    date_axis(ax)
    return ax
