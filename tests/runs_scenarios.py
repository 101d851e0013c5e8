"""Small scenarios for runner and command-line tests, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

# One tail, fixed times, nobody on airliners. By hand: the tail lands at 5 h, loads
# 2 h and takes off at 7 h with the 18 pallets and 54 people (sidewall seats); it is
# back at the offload station at 12 h, turns around 3 h, lands again at 20 h and
# takes off at 22 h with the last 46 people. Completion: 2024-06-01T22:00, every time.
DETERMINISTIC = """\
schema_version: 1
name: deterministic
start: 2024-06-01T00:00
deadline: 2024-06-03
milestones:
  - {name: half the people, by: 2024-06-01, personnel: 0.5}
base: {parking: 1, loading_teams: 1}
personnel:
  - {name: staff, count: 100, commercial: false}
cargo:
  - {name: pallets, count: 18, positions: 1, weight_kg: 1000}
airlift: {tails: 1, payload_kg: 80000, leg_hours: 5, load_hours: 2, turnaround_hours: 3}
clearance: {opens: 2024-06-01T00:00}
simulation: {replications: 3, seed: 1, horizon_days: 10}
"""

# Uncertain enough that replications differ (and some are late), still fast.
RANDOM = """\
schema_version: 1
name: random
start: 2024-06-01T00:00
deadline: 2024-06-12
milestones:
  - {name: half the people, by: 2024-06-06, personnel: 0.5}
base: {parking: 2, loading_teams: 1}
personnel:
  - {name: staff, count: 300}
cargo:
  - {name: pallets, count: 60, positions: 1, weight_kg: 1000}
  - {name: drones, count: 2, positions: 3, weight_kg: 5000, sensitive: true}
airlift:
  tails: 1
  payload_kg: 70000
  leg_hours: {dist: triangular, low: 4, mode: 5, high: 7}
  load_hours: {dist: uniform, low: 2, high: 4}
  turnaround_hours: 6
  breakdown_probability: 0.2
  repair_hours: {dist: exponential, mean: 24}
clearance:
  opens: 2024-06-01T00:00
  lead_days: {dist: uniform, low: 0.5, high: 2}
  denial_probability: 0.1
weather:
  closures_per_30_days: {jun: 4}
  closure_hours: 6
simulation: {replications: 40, seed: 3, horizon_days: 30}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
