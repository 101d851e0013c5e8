"""A run's figures by file stem, and writing them as PNG (and SVG) files.

:func:`figures_of` is what the report and ``run --plots`` draw;
:func:`save_figures` writes them.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.plots.burndown import burndown
from sim.plots.completion import completion_distribution
from sim.plots.drivers import lateness_drivers
from sim.plots.sortie_timeline import sortie_timeline
from sim.plots.style import figure_of_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.answers.results import RunResult
    from sim.replication.outcome import ReplicationResult


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
    from sim.replication.trace import Kind

    def draw(plot: Callable[..., Axes], *args: Any, **kwargs: Any) -> Callable[[], Figure]:
        def make() -> Figure:
            figure = figure_of_axes(plot(*args, **kwargs))
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
        return figure_of_axes(sortie_timeline(result, typical()))

    def first_week() -> Figure:
        replication = typical()
        launches = [e.hours for e in replication.trace or () if e.kind is Kind.LAUNCHES]
        first = result.scenario.moment(min(launches, default=0.0)) - dt.timedelta(hours=6)
        window = (first, first + dt.timedelta(days=7))
        return figure_of_axes(sortie_timeline(result, replication, window=window))

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
