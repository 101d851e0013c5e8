"""Figures that show themselves in Jupyter, without pyplot (sim/plots/display.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, write

import sim
from sim import plots
from sim.plots.display import ShownAxes, ShownFigure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> sim.RunResult:
    folder = tmp_path_factory.mktemp("display")
    return sim.run(write(folder, "deterministic.yaml", DETERMINISTIC), replications=2)


def test_a_plot_returns_axes_that_display_their_figure(result: sim.RunResult) -> None:
    ax = plots.completion_distribution(result)
    assert isinstance(ax, ShownAxes)
    assert isinstance(ax.figure, ShownFigure)
    png = ax._repr_png_()
    assert png.startswith(PNG_SIGNATURE)
    # 9 × 4.5 inches at 100 dpi: the PNG header holds 900 × 450 (width, height, big-endian).
    assert int.from_bytes(png[16:20], "big") == 900
    assert int.from_bytes(png[20:24], "big") == 450


def test_subplots_of_a_new_figure_display_the_whole_figure(result: sim.RunResult) -> None:
    figure = plots.new_figure(10, 8)
    top, bottom = figure.subplots(2, 1)
    assert isinstance(top, ShownAxes)
    assert isinstance(bottom, ShownAxes)
    plots.burndown(result, top)
    plots.burndown(result, bottom, measure="cargo")
    assert bottom._repr_png_() == figure._repr_png_()  # either shows the figure, both panels


def test_drawing_touches_no_global_state(tmp_path: Path) -> None:
    """No pyplot, no IPython, no registered formatter: a script is unaffected."""
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    script = (
        "import sys, sim\n"
        "from sim import plots\n"
        f"result = sim.run({str(path)!r}, replications=2)\n"
        "plots.burndown(result)._repr_png_()\n"
        "result._repr_html_()\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'IPython') if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True, timeout=120)  # fmt: skip
    assert completed.stdout.strip() == "[]"
