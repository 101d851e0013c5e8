"""A run's figures by file stem, and writing them as PNG (and SVG) files.

:func:`figures_of` is what the report and ``run --plots`` draw;
:func:`save_figures` writes them.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.plots.burndown import burndown
from sim.plots.completion import completion_distribution
from sim.plots.drivers import lateness_drivers
from sim.plots.sortie_timeline import sortie_timeline
from sim.plots.style import figure_of_axes, plain_text
from sim.replication.trace import Kind

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.answers.results import RunResult


def median_replication(result: RunResult) -> int:
    """The index of the replication whose completion is the median (the typical run)."""
    from sim.answers.scoring import median_replication as median_of

    return median_of(result.table)


def figures_of(result: RunResult) -> dict[str, Callable[[], Figure]]:
    """The figures of one run, by file stem, each drawn only when called.

    The timelines draw the run's typical replication, traced when the run was made;
    a result without one has no timeline figures.
    """

    def draw(plot: Callable[..., Axes], *args: Any, **kwargs: Any) -> Callable[[], Figure]:
        def make() -> Figure:
            figure = figure_of_axes(plot(*args, **kwargs))
            return figure

        return make

    figures = {
        "burndown-personnel": draw(burndown, result, measure="personnel"),
        "burndown-cargo": draw(burndown, result, measure="cargo"),
        "completion": draw(completion_distribution, result),
    }
    typical = result.typical
    if typical is not None:
        launches = [e.hours for e in typical.trace or () if e.kind is Kind.LAUNCHES]
        first = result.scenario.moment(min(launches, default=0.0)) - dt.timedelta(hours=6)
        figures["timeline"] = draw(sortie_timeline, result, typical)
        figures["timeline-first-week"] = draw(
            sortie_timeline, result, typical, window=(first, first + dt.timedelta(days=7))
        )
    figures["lateness-drivers"] = draw(lateness_drivers, result)
    return figures


@plain_text
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
    """Write a run's figures as ``<scenario>-<figure>.png`` (and ``.svg``) into ``directory``.

    ``<scenario>`` is the scenario's name made safe for a file name
    (:func:`sim.outputs.safe_file_stem`): a name such as ``../../x`` stays inside
    ``directory``. Raises :class:`sim.outputs.OutputError` when a file cannot be written.
    """
    from sim.outputs import output_directory, safe_file_stem, write_atomic

    target = output_directory(directory)
    name = safe_file_stem(result.scenario.name)
    written = []
    for stem, make in figures_of(result).items():
        figure = make()
        for kind in ("png", "svg") if svg else ("png",):
            path = target / f"{name}-{stem}.{kind}"
            written.append(write_atomic(path, figure_bytes(figure, kind)))
    return written
