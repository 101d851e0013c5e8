"""Figures: each plot function returns an Axes with its lines, labels and deadline, draws on a
given Axes or on a new Figure, and never touches pyplot's global state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.dates import date2num
from matplotlib.figure import Figure

import sim
from sim import plots
from sim.answers.results import RunResult
from sim.render.timeline import STATES, timeline_of

FULL = Path(__file__).parent / "scenarios" / "valid" / "full.yaml"


@pytest.fixture(scope="module")
def result() -> RunResult:
    return sim.run(FULL, replications=12, progress=False)


@pytest.fixture(scope="module")
def comparison() -> sim.Comparison:
    return sim.compare([FULL, FULL], replications=8, overrides=["airlift.tails=4"], progress=False)


@pytest.fixture(scope="module")
def sweep() -> sim.SweepResult:
    return sim.sweep(
        FULL, {"airlift.tails": ["2", "3"], "clearance.lead_days": ["1", "4"]}, replications=6,
        progress=False,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def no_pyplot_figures() -> object:
    """Library code must never create pyplot figures (global state, memory leaks)."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: no display in tests
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def _deadline_lines(ax: Axes, deadline_end: dt.datetime) -> list[object]:
    x = date2num(deadline_end)
    return [
        line
        for line in ax.get_lines()
        if line.get_linestyle() == "--" and np.asarray(line.get_xdata()).tolist() == [x, x]
    ]


@pytest.mark.parametrize("measure", ["personnel", "cargo"])
def test_burndown_has_median_band_deadline_milestones_and_observed_points(
    result: RunResult, measure: str
) -> None:
    ax = plots.burndown(result, measure=measure)
    assert isinstance(ax, Axes)
    assert isinstance(ax.figure, Figure)
    labels = ax.get_legend_handles_labels()[1]
    assert "median" in labels
    assert any(label.startswith("P10–P90") for label in labels)
    assert any(label.startswith("deadline") for label in labels)
    assert "observed (public reports)" in labels
    assert any(label.startswith("milestone") for label in labels)
    assert _deadline_lines(ax, result.scenario.deadline_end)
    assert ("tonnes" if measure == "cargo" else "people") in ax.get_ylabel()
    observed = [line for line in ax.get_lines() if str(line.get_label()).startswith("observed")]
    remaining = observed[0].get_ydata()
    if measure == "personnel":  # 600 people in full.yaml; 200 and 600 out
        assert np.asarray(remaining).tolist() == [400.0, 0.0]


def test_burndown_draws_on_the_axes_it_is_given(result: RunResult) -> None:
    figure = Figure()
    ax = figure.add_subplot()
    assert plots.burndown(result, ax, measure="cargo") is ax


def test_burndown_rejects_an_unknown_measure(result: RunResult) -> None:
    with pytest.raises(ValueError, match="measure"):
        plots.burndown(result, measure="vehicles")


def test_completion_distribution_marks_the_deadline_and_writes_p_on_time(
    result: RunResult,
) -> None:
    ax = plots.completion_distribution(result)
    assert _deadline_lines(ax, result.scenario.deadline_end)
    texts = [text.get_text() for axes in ax.figure.axes for text in axes.texts]
    assert any("P(on time)" in text for text in texts)
    assert ax.patches, "histogram bars"
    twin = [other for other in ax.figure.axes if other is not ax]
    assert len(twin) == 1
    assert twin[0].get_ylabel() == "share of replications finished"
    assert "replications" in ax.get_ylabel()


def test_sortie_timeline_has_a_row_per_tail_and_the_ramp(result: RunResult) -> None:
    replication = sim.simulate(result.scenario, 0, seed=result.score.seed, trace=True)
    ax = plots.sortie_timeline(result, replication)
    rows = [label.get_text() for label in ax.get_yticklabels()]
    assert rows[:3] == ["C-17A #1", "C-17A #2", "C-17A #3"]
    assert rows[3] == "airliners"
    assert rows[4].startswith("parking in use")
    assert len(ax.collections) > 3  # bars of the Gantt and the parking fill


def test_sortie_timeline_zooms_on_a_window(result: RunResult) -> None:
    replication = sim.simulate(result.scenario, 0, seed=result.score.seed, trace=True)
    start = dt.datetime(2024, 6, 1)
    window = (start, start + dt.timedelta(days=3))
    ax = plots.sortie_timeline(result, replication, Figure().add_subplot(), window=window)
    assert ax.get_xlim() == pytest.approx((date2num(start), date2num(start) + 3))


def test_sortie_timeline_needs_a_trace(result: RunResult) -> None:
    untraced = sim.simulate(result.scenario, 0)
    with pytest.raises(ValueError, match="trace=True"):
        plots.sortie_timeline(result, untraced)


def test_timeline_accounts_for_every_hour_the_counters_count(result: RunResult) -> None:
    scenario = result.scenario
    for index in range(4):
        replication = sim.simulate(scenario, index, seed=result.score.seed, trace=True)
        timeline = timeline_of(scenario, replication)
        counters = replication.counters
        assert {segment.state for segment in timeline.segments} <= set(STATES)
        assert timeline.hours_in("repairing") == pytest.approx(counters.repair_hours)
        assert timeline.hours_in("crew rest") == pytest.approx(counters.crew_rest_hours)
        waits = timeline.hours_in("clearance wait") + timeline.hours_in("landing-slot hold")
        assert waits == pytest.approx(
            counters.clearance_wait_hours + counters.landing_slot_wait_hours
        )
        assert all(segment.end_hours > segment.start_hours for segment in timeline.segments)
        assert max(count for _, count in timeline.parking) <= scenario.base.parking
        # The closures the replication carries are the ones it saw.
        end_hours = replication.end_hours
        closed = sum(
            min(end, end_hours) - start for start, end in timeline.closures if start < end_hours
        )
        assert closed == pytest.approx(counters.weather_closed_hours)


def test_comparison_charts(comparison: sim.Comparison) -> None:
    ax = plots.compare_on_time(comparison)
    assert [label.get_text() for label in ax.get_yticklabels()] == ["full", "full"]
    assert "P(on time)" in ax.get_xlabel()
    ax = plots.compare_completion(comparison)
    assert _deadline_lines(ax, comparison.baseline.scenario.deadline_end)
    assert "date" in ax.get_xlabel()
    ax = plots.lateness_drivers(comparison)
    assert "hours" in ax.get_xlabel()
    assert "clearance waits" in ax.get_legend_handles_labels()[1]


def test_sweep_chart(sweep: sim.SweepResult) -> None:
    ax = plots.sweep_chart(sweep)
    assert ax.get_xlabel() == "airlift.tails"
    assert "P(on time)" in ax.get_ylabel()
    assert ax.get_legend_handles_labels()[1] == [
        "clearance.lead_days = 1",
        "clearance.lead_days = 4",
    ]


def test_lateness_drivers_of_one_run(result: RunResult) -> None:
    ax = plots.lateness_drivers(result, Figure().add_subplot())
    names = [label.get_text() for label in ax.get_yticklabels()]
    assert set(names) == set(sim.replication.outcome.LATENESS_DRIVERS.values())
    assert "aircraft-hours" in ax.get_xlabel()


def test_save_figures_writes_one_png_per_figure(result: RunResult, tmp_path: Path) -> None:
    written = plots.save_figures(result, tmp_path / "figures")  # SVG: see test_report
    stems = ["burndown-cargo", "burndown-personnel", "completion", "lateness-drivers",
             "timeline", "timeline-first-week"]  # fmt: skip
    assert sorted(path.name for path in written) == sorted(f"full-{stem}.png" for stem in stems)
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in written)
