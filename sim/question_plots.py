"""Figures of the planner's next questions: the solve curve, the frontier, the tornado, the cone.

Same conventions as :mod:`sim.plots`: every function takes a result and
``ax=None`` and returns the Axes; no pyplot state; Okabe–Ito colours; the
target and the deadline in vermillion.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.plots import (
    BLUE,
    GREY,
    ORANGE,
    SKY_BLUE,
    VERMILLION,
    _axes,
    _date_axis,
    _figure,
    _percent_formatter,
    _x,
    figure_bytes,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.solving import SolveResult
    from sim.scenario.variation import Knob


def _coordinate(k: Knob, value: Any) -> float:
    if isinstance(value, dt.datetime):
        return _x(value)
    if isinstance(value, dt.date):
        return _x(dt.datetime(value.year, value.month, value.day))
    return float(value)


def _is_date(k: Knob) -> bool:
    return k.kind in ("moment", "day")


def solve_curve(result: SolveResult, ax: Axes | None = None) -> Axes:
    """P(on time) at every value evaluated, with its interval, the target and the answer."""
    ax = _axes(ax, 8.0, 4.5)
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
    ax.yaxis.set_major_formatter(_percent_formatter())
    ax.set_ylabel("P(on time)")
    ax.set_xlabel(k.field + (" (factor)" if k.kind == "scale" else ""))
    if _is_date(k):
        _date_axis(ax)
    ax.set_title(f"{result.scenario}: what it takes — {k.field}")
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def frontier(result: SolveResult, ax: Axes | None = None) -> Axes:
    """For each value of the first field, the answer for the second (unreachable: ×)."""
    ax = _axes(ax, 8.0, 4.5)
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
        ax.yaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    if _is_date(first):
        _date_axis(ax)
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
        stem, figure = "frontier", _figure(frontier(result))
    else:
        stem, figure = "solve", _figure(solve_curve(result))
    return [write_atomic(target / f"{result.scenario}-{stem}.png", figure_bytes(figure))]
