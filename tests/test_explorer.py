"""The notebook's what-if explorer (sim/notebook/explorer.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, write

from sim.notebook.explorer import Explorer

# DETERMINISTIC with a random opening delay and clearance lead, to see the levers replace them.
LEVERS = DETERMINISTIC.replace(
    "clearance: {opens: 2024-06-01T00:00}",
    "clearance: {opens: 2024-06-01T00:00, opens_delay_days: {dist: uniform, low: 2, high: 4},"
    " lead_days: {dist: triangular, low: 2, mode: 3, high: 7}}",
)


@pytest.fixture(scope="module")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Explorer]:
    path = write(tmp_path_factory.mktemp("explorer"), "levers.yaml", LEVERS)
    with Explorer(path, replications=4, jobs=1) as made:
        yield made


def test_levers_start_where_the_file_is(explorer: Explorer) -> None:
    assert explorer.tails == 1
    # Opening 1 June 00:00 plus the mean delay (2 + 4) / 2 = 3 days: 4 June.
    assert explorer.approvals_open == dt.date(2024, 6, 4)
    # Mean of triangular(2, 3, 7) = (2 + 3 + 7) / 3 = 4 days.
    assert explorer.lead_days == 4.0


def test_overrides_fix_the_opening_and_scale_the_lead(explorer: Explorer) -> None:
    overrides = explorer.overrides(3, dt.date(2024, 6, 2), 2.0)
    assert overrides["airlift.tails"] == 3
    assert overrides["clearance.opens"] == dt.datetime(2024, 6, 2)
    assert overrides["clearance.opens_delay_days"] == 0
    # A mean of 2 days instead of 4: every value halved, the shape kept.
    assert overrides["clearance.lead_days"] == {"dist": "triangular", "low": 1.0, "mode": 1.5,
                                                "high": 3.5}  # fmt: skip


def test_run_applies_the_levers(explorer: Explorer) -> None:
    result = explorer.run(tails=2, approvals_open=dt.date(2024, 6, 3), lead_days=1.0)
    scenario = result.scenario
    assert scenario.airlift is not None
    assert scenario.airlift.tails == 2
    assert scenario.clearance is not None
    assert scenario.clearance.opens == dt.datetime(2024, 6, 3)
    assert result.replications == 4
    # No tail can land before approvals open on 3 June: nothing is out before then.
    assert result.score.completion.min is not None
    assert result.score.completion.min > dt.datetime(2024, 6, 3)


def test_the_widget_reruns_when_a_slider_moves(explorer: Explorer) -> None:
    pytest.importorskip("ipywidgets")
    box = explorer.widget(days=10)
    tails, approvals, lead, status, view = box.children
    assert (tails.value, approvals.value, lead.value) == (1, dt.date(2024, 6, 4), 4.0)
    assert "RunResult" in view.value
    assert "replications in" in status.value
    before = view.value
    tails.value = 2
    assert view.value != before
    assert "data:image/png;base64," in view.value


def test_a_scenario_without_clearances_is_refused(tmp_path: Path) -> None:
    text = DETERMINISTIC.replace("clearance: {opens: 2024-06-01T00:00}\n", "")
    path = write(tmp_path, "open-skies.yaml", text)
    with pytest.raises(ValueError, match="no clearance block"):
        Explorer(path, jobs=1)
