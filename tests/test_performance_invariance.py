"""Optimisations must not change results: replications compared bit for bit with a golden file.

``tests/golden/performance-invariance.json`` holds, per replication of two small
scenarios (one deterministic, one using every source of randomness), the
completion and end times, the unfinished reason, every counter and a hash of
every departure row, floats written exactly (``float.hex``). The SimPy event
count is left out: fewer events for the same result is what optimising means.

A change that is *meant* to change results (a model fix) regenerates the file
and says so in its commit::

    .venv/bin/python tests/test_performance_invariance.py --regenerate

A speed-up must never need that.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.replication.drawdown import simulate
from sim.scenario.contract import Scenario

GOLDEN = Path(__file__).parent / "golden" / "performance-invariance.json"

# Fixed times: one tail, two sorties, completion at 22:00 on the first day.
DETERMINISTIC = """
schema_version: 1
name: deterministic
start: 2024-06-01T00:00
deadline: 2024-06-03
base: {parking: 1, loading_teams: 1}
personnel:
  - {name: staff, count: 100, commercial: false}
cargo:
  - {name: pallets, count: 18, positions: 1, weight_kg: 1000}
airlift: {tails: 1, payload_kg: 80000, leg_hours: 5, load_hours: 2, turnaround_hours: 3}
clearance: {opens: 2024-06-01T00:00}
simulation: {replications: 2, seed: 1, horizon_days: 10}
"""

# Every source of randomness and every constraint of the ramp, small and quick.
STOCHASTIC = """
schema_version: 1
name: stochastic
start: 2024-05-20T08:00
deadline: 2024-08-15
base:
  parking: 2
  loading_teams: 1
  packing_positions_per_day: {dist: uniform, low: 10, high: 20}
personnel:
  - {name: security element, count: 60, commercial: false, last_out: true}
  - {name: support staff, count: 200, ready: 2024-06-01T00:00}
  - {name: aircrew, count: 80, commercial: false}
cargo:
  - {name: drones, count: 4, positions: 3, weight_kg: 9500, sensitive: true, priority: 1}
  - {name: vehicles, count: 10, positions: 2, weight_kg: 7000.5, ready: 2024-06-10T12:00}
  - {name: general cargo, count: 60, positions: 1, weight_kg: 1200}
airlift:
  tails: 3
  available_from: 2024-05-21T00:00
  payload_kg: 45000
  leg_hours: {dist: normal, mean: 5.5, sd: 0.5}
  load_hours: {dist: triangular, low: 2, mode: 3, high: 5}
  service_hours: {dist: lognormal, median: 1.5, p90: 3}
  turnaround_hours: {dist: exponential, mean: 12}
  crew_duty_hours: 24
  crew_rest_hours: 12
  breakdown_probability: {dist: choice, values: [0.05, 0.2], weights: [3, 1]}
  repair_hours: {dist: choice, values: [4, 8, 24]}
clearance:
  opens: 2024-05-19T00:00
  opens_delay_days: {dist: uniform, low: 0, high: 3}
  lead_days: {dist: uniform, low: 0.5, high: 2}
  denial_probability: 0.1
  daily_landings: 2
  validity_hours: 48
  suspensions: {per_30_days: 1, duration_days: {dist: triangular, low: 1, mode: 2, high: 5}}
commercial:
  - name: Royal Air Maroc to Casablanca
    days: [mon, wed, fri]
    departs: "23:05"
    seats: {dist: uniform, low: 10, high: 30}
    cancel_probability: 0.2
  - {name: Air Côte d'Ivoire to Abidjan, days: daily, departs: "07:30", seats: 8}
weather:
  closures_per_30_days: {may: 3, jun: {dist: uniform, low: 4, high: 8}, jul: 6, aug: 6}
  closure_hours: {dist: lognormal, median: 3, p90: 8}
simulation: {replications: 40, seed: 7, horizon_days: 120}
"""

CASES = {"deterministic": DETERMINISTIC, "stochastic": STOCHASTIC}


def _scenario(text: str) -> Scenario:
    return Scenario.model_validate(yaml.safe_load(text), strict=False)


def fingerprints(name: str) -> list[dict[str, Any]]:
    scenario = _scenario(CASES[name])
    return [simulate(scenario, i).fingerprint() for i in range(scenario.simulation.replications)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_are_bit_identical_to_the_golden_file(name: str) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    current = fingerprints(name)
    assert len(current) == len(golden)
    for index, (now, before) in enumerate(zip(current, golden, strict=True)):
        assert now == before, f"{name} replication {index} changed"


def test_the_stochastic_case_is_not_trivial() -> None:
    """The golden file would prove little if every replication were alike."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["stochastic"]
    assert len({row["completion_hours"] for row in golden}) > len(golden) // 2
    assert any(float.fromhex(row["counters"]["breakdowns"]) for row in golden)
    assert any(float.fromhex(row["counters"]["clearance_denials"]) for row in golden)


if __name__ == "__main__" and sys.argv[1:] == ["--regenerate"]:
    GOLDEN.parent.mkdir(exist_ok=True)
    data = {name: fingerprints(name) for name in sorted(CASES)}
    GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
