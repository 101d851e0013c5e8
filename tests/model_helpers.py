"""Building small scenarios for model tests: a deterministic base and overrides merged into it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import simpy

from sim.clock import Blocked
from sim.randomness import Streams
from sim.replication.drawdown import play, simulate
from sim.replication.outcome import ReplicationResult
from sim.replication.prepared import prepare
from sim.replication.trace import Kind
from sim.replication.world import Drawdown
from sim.scenario.contract import Scenario

# The base of the hand-computed scenarios. Clock zero is Monday 2024-06-03 00:00.
# One C-17 at the offload station: leg 5 h, load 3 h, service 1 h, turnaround 10 h,
# no host-nation clearance constraint, so one full cycle takes
#   leg 5 + load 3 + service 1 + leg 5 + turnaround 10 = 24 h
# and its k-th take-off from Base 101 is at 9 + 24·(k − 1) hours.
BASE: dict[str, Any] = {
    "schema_version": 1,
    "name": "hand",
    "start": "2024-06-03T00:00",
    "deadline": "2024-09-15",
    "base": {"parking": 1, "loading_teams": 1},
    "airlift": {
        "tails": 1,
        "positions": 18,
        "payload_kg": 45000,
        "passenger_kg": 136,
        "seats": 102,
        "seats_with_cargo": 54,
        "leg_hours": 5,
        "load_hours": 3,
        "service_hours": 1,
        "turnaround_hours": 10,
    },
    "simulation": {"replications": 1, "seed": 1, "horizon_days": 30},
}


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base`` the way ``extends`` does: mappings merge, the rest replaces.

    A value of ``None`` removes the key.
    """
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(**override: Any) -> Scenario:
    return Scenario.model_validate(merged(BASE, override))


def run(sc: Scenario, replication: int = 0, *, trace: bool = False) -> ReplicationResult:
    return simulate(sc, replication, trace=trace)


def cargo_rows(result: ReplicationResult) -> list[tuple[float, int, int]]:
    """(hours, line, units) per cargo line carried by one sortie, in departure order."""
    return [(float(r["hours"]), int(r["line"]), int(r["units"])) for r in result.cargo]


def personnel_rows(result: ReplicationResult) -> list[tuple[float, int, int, bool]]:
    """(hours, cohort, people, military) per cohort share of one departure."""
    return [
        (float(r["hours"]), int(r["cohort"]), int(r["count"]), bool(r["military"]))
        for r in result.personnel
    ]


def trace_times(result: ReplicationResult, kind: Kind) -> list[tuple[str, float]]:
    assert result.trace is not None
    return [(e.actor, e.hours) for e in result.trace if e.kind is kind]


def run_with_blocks(
    sc: Scenario,
    *,
    closures: Sequence[tuple[float, float]] = (),
    suspensions: Sequence[tuple[float, float]] = (),
) -> ReplicationResult:
    """Replication 0, traced, with the weather closures and suspensions given (hours)."""
    env = simpy.Environment()
    drawdown = Drawdown(env, prepare(sc), Streams(sc.simulation.seed, 0), trace=True)
    drawdown.base.closures = Blocked(closures)
    drawdown.office.suspensions = Blocked(suspensions)
    return play(drawdown, 0)
