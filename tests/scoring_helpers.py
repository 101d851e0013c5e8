"""Hand-built replication results for scoring tests (no simulation involved)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.montecarlo.records import Layout, ReplicationTable
from sim.replication.outcome import CARGO_DTYPE, PERSONNEL_DTYPE, Counters, ReplicationResult
from sim.scenario.contract import Scenario
from sim.scenario.reading import load_scenario_text

# Start at midnight, deadline end at 48 h. 10 people, 10 units of 100 kg (one of them
# sensitive: 1 unit of 100 kg), milestones at 24 h (half the people) and 48 h (80 % of cargo).
SCENARIO_YAML = """
schema_version: 1
name: hand
start: 2024-06-01T00:00
deadline: 2024-06-02
milestones:
  - {name: half the people, by: 2024-06-01, personnel: 0.5}
  - {name: most cargo, by: 2024-06-02, cargo: 0.8}
base: {parking: 1, loading_teams: 1}
personnel:
  - {name: staff, count: 10}
cargo:
  - {name: crates, count: 9, positions: 1, weight_kg: 100}
  - {name: secret, count: 1, positions: 1, weight_kg: 100, sensitive: true}
airlift: {tails: 1, payload_kg: 80000, leg_hours: 5, load_hours: 2, turnaround_hours: 3}
clearance: {opens: 2024-06-01T00:00}
simulation: {replications: 4, seed: 7, horizon_days: 4}
"""


def scenario() -> Scenario:
    return load_scenario_text(SCENARIO_YAML, source="hand.yaml")


def result(
    index: int,
    completion_hours: float | None,
    *,
    people: Sequence[tuple[float, int]] = (),
    cargo: Sequence[tuple[float, float]] = (),
    sensitive_hours: float | None = None,
    reason: str | None = None,
    **counters: float,
) -> ReplicationResult:
    """A replication result; ``people``/``cargo`` are (hours, count)/(hours, kg) departures."""
    personnel = np.array([(h, 0, n, True) for h, n in people], dtype=PERSONNEL_DTYPE)
    freight = np.array([(h, 0, 1, kg) for h, kg in cargo], dtype=CARGO_DTYPE)
    return ReplicationResult(
        index=index,
        completion_hours=completion_hours,
        unfinished_reason=reason if completion_hours is None else None,
        last_sensitive_hours=sensitive_hours,
        personnel=personnel,
        cargo=freight,
        counters=Counters(**counters),  # type: ignore[arg-type]  # floats for int fields are fine here
        end_hours=completion_hours if completion_hours is not None else 96.0,
        events=0,
    )


def everything_at(index: int, hours: float, **counters: float) -> ReplicationResult:
    """All 10 people and 1,000 kg leave at ``hours``."""
    return result(
        index,
        hours,
        people=[(hours, 10)],
        cargo=[(hours, 1000.0)],
        sensitive_hours=hours,
        **counters,  # type: ignore[arg-type]  # counters only: no keyword of result() is passed
    )


def table_of(results: list[ReplicationResult]) -> tuple[ReplicationTable, Layout, Scenario]:
    s = scenario()
    layout = Layout.of(s)
    return ReplicationTable.from_results(results, layout), layout, s
