"""Hand-computed scenarios for solve, sensitivity and the status forecast."""

from __future__ import annotations

# Sixty full loads and T tails, each cycling alone (parking and loading teams for ten).
# Clock zero is Thursday 2024-08-22 00:00; no clearance constraint, nobody to carry.
# One cycle: leg 5 + load 3 + service 1 + leg 5 + turnaround 10 = 24 h, so every tail
# takes off from Base 101 at 9 h, 33 h, 57 h, … and T tails need ceil(60 / T) rounds:
#   3 tails: 20 rounds, last take-off 9 + 24·19 = 465 h = 19 d 9 h → 2024-09-10T09:00
#   2 tails: 30 rounds, last take-off 9 + 24·29 = 705 h = 29 d 9 h → 2024-09-20T09:00
#   4 tails: 15 rounds, last take-off 9 + 24·14 = 345 h = 14 d 9 h → 2024-09-05T09:00
# With the deadline on 15 September: 3 tails are on time, 2 are not.
SIXTY_LOADS = """\
schema_version: 1
name: sixty-loads
start: 2024-08-22T00:00
deadline: 2024-09-15
base: {parking: 10, loading_teams: 10}
cargo:
  - {name: full loads, count: 60, positions: 18, weight_kg: 1000}
airlift:
  tails: 3
  payload_kg: 45000
  leg_hours: 5
  load_hours: 3
  service_hours: 1
  turnaround_hours: 10
simulation: {replications: 40, seed: 7, horizon_days: 90}
"""
