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

# One tail, one pallet, no airliners; only the clearance lead time (uniform 1–3 days) and
# the service time (uniform 1–2 h) are uncertain. The tail asks at 0 h and is approved at
# 24·lead; it flies 5 h, loads 3 h, services s h and takes off: completion 24·lead + 8 + s h.
# At the lead's P10 and P90 (1 + 0.1·2 = 1.2 and 1 + 0.9·2 = 2.8 days) every replication
# moves by (2.8 − 1.2)·24 = 38.4 h, so the median does too: a swing of 1.6 days.
# The service's P10 and P90 (1.1 and 1.9 h) move it by 0.8 h = 0.0333 days.
ONE_LEAD = """\
schema_version: 1
name: one-lead
start: 2024-06-01T00:00
deadline: 2024-06-03
base: {parking: 1, loading_teams: 1}
cargo:
  - {name: pallet, count: 1, positions: 1, weight_kg: 1000}
airlift:
  tails: 1
  payload_kg: 45000
  leg_hours: 5
  load_hours: 3
  service_hours: {dist: uniform, low: 1, high: 2}
  turnaround_hours: 10
clearance:
  opens: 2024-06-01T00:00
  lead_days: {dist: uniform, low: 1, high: 3}
simulation: {replications: 41, seed: 5, horizon_days: 30}
"""
