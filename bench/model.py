"""The model on one process: what one replication costs, reduction included."""

from __future__ import annotations

import time
from pathlib import Path

from sim.montecarlo.engine import Engine
from sim.montecarlo.records import Layout, TableReduction
from sim.replication.prepared import prepare
from sim.scenario.reading import load_scenario


def replications(path: Path, count: int) -> tuple[float, float, int]:
    """(wall s, CPU s, events) of replications 0 … count − 1 simulated and reduced in process.

    What a run does per replication (the scenario is prepared once, as a run does).
    """
    scenario = load_scenario(path)
    prepared = prepare(scenario)
    reduction = TableReduction(Layout.of(scenario))
    engine = Engine(jobs=1, chunk_size=25, progress=False)
    engine.run(prepared, reduction, indices=range(1))  # warm: imports
    wall, cpu = time.perf_counter(), time.process_time()
    table = engine.run(prepared, reduction, indices=range(count))
    return time.perf_counter() - wall, time.process_time() - cpu, int(table.events.sum())
