"""The model on one process: events per replication, µs per event, replications per second."""

from __future__ import annotations

import time
from pathlib import Path

from sim.replication.drawdown import simulate
from sim.scenario.reading import load_scenario


def replications(path: Path, count: int) -> tuple[float, float, int]:
    """(wall s, CPU s, events) of replications 0 … count − 1 of a scenario, simulate() only."""
    scenario = load_scenario(path)
    simulate(scenario, 0)  # warm: imports, caches
    events = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(count):
        events += simulate(scenario, index).events
    return time.perf_counter() - wall, time.process_time() - cpu, events
