"""Several scenarios side by side: P(on time) and completion dates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    axes,
    date_axis,
    deadline,
    percent_formatter,
    plain_text,
    shown,
    x_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.results import Comparison, RunResult


def runs_of(results: RunResult | Comparison | Sequence[RunResult]) -> list[RunResult]:
    from sim.answers.results import Comparison, RunResult

    if isinstance(results, RunResult):
        return [results]
    if isinstance(results, Comparison):
        return list(results.results)
    return list(results)


@plain_text
def compare_on_time(results: Comparison | Sequence[RunResult], ax: Axes | None = None) -> Axes:
    """P(on time) of each scenario: a dot, its 95 % (Wilson) interval, verdict bands behind."""
    runs = runs_of(results)
    ax = axes(ax, 8.0, 1.4 + 0.5 * len(runs))
    from sim.answers.scoring import AT_RISK, ON_TRACK

    ax.axvspan(0, AT_RISK, color=VERMILLION, alpha=0.08, linewidth=0)
    ax.axvspan(AT_RISK, ON_TRACK, color=ORANGE, alpha=0.10, linewidth=0)
    ax.axvspan(ON_TRACK, 1.0, color=GREEN, alpha=0.10, linewidth=0)
    for x, text in ((AT_RISK / 2, "late"), ((AT_RISK + ON_TRACK) / 2, "at risk"),
                    ((ON_TRACK + 1) / 2, "on track")):  # fmt: skip
        ax.text(x, 0.02, text, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=8.5, color=GREY)  # fmt: skip
    for row, run in enumerate(runs):
        low, high = run.score.p_on_time_ci95
        p = run.score.p_on_time
        ax.errorbar(
            [p], [row], xerr=[[p - low], [high - p]], fmt="o", color=BLUE, ecolor=BLUE,
            elinewidth=2, capsize=5, markersize=8,
        )  # fmt: skip
        ax.annotate(f"{p:.0%}", (p, row), xytext=(0, 9), textcoords="offset points",
                    ha="center", fontsize=9, color=BLACK)  # fmt: skip
    ax.set_yticks(range(len(runs)), [shown(run.scenario.name) for run in runs])
    # An empty band below the last row holds the verdict names, clear of every dot.
    ax.set_ylim(len(runs) + 0.1, -0.7)
    ax.set_xlim(-0.04, 1.04)
    ax.xaxis.set_major_formatter(percent_formatter())
    ax.set_xlabel(
        "P(on time): share of replications done by the deadline (dot), 95 % interval (bar)"
    )
    runs_each = runs[0].replications
    # Two lines: one line ran past the Axes and was clipped in the report's figure.
    ax.set_title(
        f"Chance of finishing by the deadline\n({runs_each} runs each, common random numbers)"
    )
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    return ax


@plain_text
def compare_completion(results: Comparison | Sequence[RunResult], ax: Axes | None = None) -> Axes:
    """Completion P10–P90 of each scenario as a bar with the P50 as a dot, and the deadline."""
    runs = runs_of(results)
    ax = axes(ax, 8.0, 1.4 + 0.5 * len(runs))
    from sim.answers.scoring import percentile

    for row, run in enumerate(runs):
        hours = run.completion_hours
        p10, p50, p90 = (percentile(hours, q) for q in (10, 50, 90))
        if math.isfinite(p10):
            end = run.scenario.moment(p90) if math.isfinite(p90) else None
            start = run.scenario.moment(p10)
            stop = end or run.scenario.horizon_end
            ax.plot([x_of(start), x_of(stop)], [row, row], color=SKY_BLUE, linewidth=9,
                    solid_capstyle="butt", label="P10–P90" if row == 0 else None)  # fmt: skip
            if end is None:
                ax.annotate("P90 unfinished", (x_of(stop), row), xytext=(4, 0),
                            textcoords="offset points", va="center", fontsize=8,
                            color=VERMILLION)  # fmt: skip
        else:
            ax.annotate("most runs unfinished within the horizon", (0.01, row),
                        xycoords=("axes fraction", "data"), va="center", fontsize=8.5,
                        color=VERMILLION)  # fmt: skip
        if math.isfinite(p50):
            ax.plot([x_of(run.scenario.moment(p50))], [row], "o", color=BLUE, markersize=8,
                    label="P50 (median)" if row == 0 else None)  # fmt: skip
    deadline_end = runs[0].scenario.deadline_end
    deadline(ax, deadline_end)
    ax.set_yticks(range(len(runs)), [shown(run.scenario.name) for run in runs])
    ax.set_ylim(len(runs) - 0.5, -0.7)
    ax.set_xlabel("date everything is out (local time)")
    ax.set_title("When is everything out? P10 – P50 – P90 of completion")
    ax.grid(True, axis="x", color=LIGHT_GREY, linewidth=0.6)
    # Beside the axes: inside, it would hide the bars of whichever rows lie under it.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5, frameon=False)
    date_axis(ax)
    return ax
