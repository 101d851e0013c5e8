"""Lateness drivers: the aircraft-hours lost per cause in the late replications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.plots.comparison import runs_of
from sim.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    LIGHT_GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    axes,
    figure_of_axes,
    plain_text,
    shown,
)
from sim.render.formats import MISSING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.results import Comparison, RunResult


@plain_text
def lateness_drivers(results: RunResult | Comparison | Sequence[RunResult],
                     ax: Axes | None = None) -> Axes:  # fmt: skip
    """Aircraft-hours lost per cause in the late replications (or the slowest tenth).

    One run: a sorted horizontal bar per cause with its share. Several runs: one
    stacked bar per scenario, the causes in the same colours.
    """
    from sim.replication.outcome import LATENESS_DRIVERS

    runs = runs_of(results)
    colours = dict(zip(LATENESS_DRIVERS, [GREY, YELLOW, PURPLE, SKY_BLUE, ORANGE, GREEN,
                                          VERMILLION, BLUE], strict=True))  # fmt: skip
    if len(runs) == 1:
        (run,) = runs
        drivers = run.score.lateness_drivers
        items = list(drivers.drivers)[::-1]  # biggest on top
        ax = axes(ax, 8.0, 4.0)
        values = [d.mean_hours for d in items]
        ax.barh([d.name for d in items], values, color=[colours[d.driver] for d in items],
                edgecolor=BLACK, linewidth=0.4)  # fmt: skip
        top = max(values, default=0.0) or 1.0
        for row, item in enumerate(items):
            ax.annotate(
                _hours_label(item.mean_hours, item.share, item.excess_hours)
                if item.mean_hours else MISSING,
                (item.mean_hours, row), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=8.5,
            )  # fmt: skip
        ax.set_xlim(0, top * 1.45)
        ax.set_title(
            f"{shown(run.scenario.name)}: where the time goes in the {drivers.basis} "
            f"({drivers.replications} of {run.replications})"
        )
    else:
        ax = axes(ax, 9.0, 1.6 + 0.55 * len(runs))
        lefts = np.zeros(len(runs))
        for key, name in LATENESS_DRIVERS.items():
            means = np.array([_driver_mean(run, key) for run in runs])
            names = [shown(run.scenario.name) for run in runs]
            ax.barh(names, means, left=lefts, color=colours[key],
                    edgecolor=BLACK, linewidth=0.4, label=name)  # fmt: skip
            lefts += means
        for row, run in enumerate(runs):
            basis = run.score.lateness_drivers
            ax.annotate(f" {basis.basis} ({basis.replications})", (lefts[row], row),
                        va="center", fontsize=8, color=GREY)  # fmt: skip
        ax.set_xlim(0, (lefts.max() or 1.0) * 1.3)
        ax.invert_yaxis()
        # Below the x label at a fixed distance, however tall the axes (one row per scenario).
        from matplotlib.transforms import ScaledTranslation

        figure = figure_of_axes(ax)
        below = ax.transAxes + ScaledTranslation(0, -0.6, figure.dpi_scale_trans)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below, ncol=4,
                  fontsize=8, frameon=False)  # fmt: skip
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
    for driver in run.score.lateness_drivers.drivers:
        if driver.driver == key:
            return driver.mean_hours
    return 0.0
