"""What it takes: P(on time) at each value ``solve`` evaluated, and the frontier of two fields.

The target is a vermillion dashed line like the deadline elsewhere; the
answer is ringed in orange; an answer that is not yet sure is an open circle.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.plots.saving import figure_bytes
from sim.plots.style import (
    BLUE,
    GREY,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    axes,
    date_axis,
    figure_of_axes,
    percent_formatter,
    x_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.solving import SolveResult
    from sim.scenario.variation import Knob


def _coordinate(k: Knob, value: Any) -> float:
    if isinstance(value, dt.datetime):
        return float(x_of(value))
    if isinstance(value, dt.date):
        return float(x_of(dt.datetime(value.year, value.month, value.day)))
    return float(value)


def _is_date(k: Knob) -> bool:
    return k.kind in ("moment", "day")


def solve_curve(result: SolveResult, ax: Axes | None = None) -> Axes:
    """P(on time) at every value evaluated, with its interval, the target and the answer."""
    ax = axes(ax, 8.0, 4.5)
    k = result.knobs[-1]
    found = result.search
    if found is None:
        raise ValueError("solve_curve draws one field; a frontier is drawn by frontier()")
    points = sorted(found.evaluations, key=lambda e: (_coordinate(k, e.value), e.replications))
    xs = [_coordinate(k, e.value) for e in points]
    ps = [e.p_on_time for e in points]
    lows = [e.p_on_time - e.ci95[0] for e in points]
    highs = [e.ci95[1] - e.p_on_time for e in points]
    ax.errorbar(xs, ps, yerr=[lows, highs], fmt="o", color=BLUE, ecolor=SKY_BLUE, capsize=3,
                label="evaluated (95 % interval)")  # fmt: skip
    ax.axhline(result.target, color=VERMILLION, linestyle="--", linewidth=1.4,
               label=f"target {result.target:.0%}")  # fmt: skip
    if found.answer is not None:
        ax.plot([_coordinate(k, found.answer.value)], [found.answer.p_on_time], marker="o",
                markersize=12, markerfacecolor="none", markeredgecolor=ORANGE, linestyle="none",
                markeredgewidth=2, label=f"answer: {k.show(found.answer.value)}")  # fmt: skip
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_ylabel("P(on time)")
    ax.set_xlabel(k.field + (" (factor)" if k.kind == "scale" else ""))
    if _is_date(k):
        date_axis(ax)
    ax.set_title(f"{result.scenario}: what it takes — {k.field}")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def frontier(result: SolveResult, ax: Axes | None = None) -> Axes:
    """For each value of the first field, the answer for the second (unreachable: ×)."""
    ax = axes(ax, 8.0, 4.5)
    if result.frontier is None:
        raise ValueError("frontier() needs a solve with two --vary fields")
    first, second = result.knobs
    reached = [p for p in result.frontier if p.search.answer is not None]
    missed = [p for p in result.frontier if p.search.answer is None]
    xs = [_coordinate(first, p.value) for p in reached]
    ys = [_coordinate(second, p.search.answer.value) for p in reached if p.search.answer]
    ax.step(xs, ys, where="mid", color=BLUE, linewidth=1.8,
            label=f"{second.field} at P(on time) = {result.target:.0%}")  # fmt: skip
    sure = [(x, y) for x, y, p in zip(xs, ys, reached, strict=True) if p.search.sure]
    unsure = [(x, y) for x, y, p in zip(xs, ys, reached, strict=True) if not p.search.sure]
    if sure:
        ax.plot(*zip(*sure, strict=True), "o", color=BLUE, label="sure")
    if unsure:
        ax.plot(*zip(*unsure, strict=True), "o", markerfacecolor="none", color=ORANGE,
                label="not yet sure")  # fmt: skip
    if missed:
        top = max(ys) if ys else 0.0
        ax.plot([_coordinate(first, p.value) for p in missed], [top] * len(missed), "x",
                color=GREY, markersize=9, label="unreachable")  # fmt: skip
    ax.set_xlabel(first.field)
    ax.set_ylabel(second.field + (" (factor)" if second.kind == "scale" else ""))
    if _is_date(second):
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
        ax.yaxis.set_major_locator(locator)
        # Day and month on every tick, no offset text: above the y axis it ran into the title.
        formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
            locator,
            formats=["%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
            zero_formats=["", "%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M"],
            show_offset=False,
        )
        ax.yaxis.set_major_formatter(formatter)
    if _is_date(first):
        date_axis(ax)
    elif first.kind == "count":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    direction = "or earlier" if second.direction == "decreasing" else "or more"
    ax.set_title(f"{result.scenario}: frontier — on time with {second.field} at this {direction}")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def save_solve_figures(result: SolveResult, directory: str | os.PathLike[str]) -> list[Path]:
    """``<scenario>-solve.png`` or ``<scenario>-frontier.png`` in ``directory``."""
    from sim.outputs import write_atomic

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    if result.frontier is not None:
        stem, figure = "frontier", figure_of_axes(frontier(result))
    else:
        stem, figure = "solve", figure_of_axes(solve_curve(result))
    return [write_atomic(target / f"{result.scenario}-{stem}.png", figure_bytes(figure))]
