"""The model on one process: what one replication costs, reduction included.

``python bench/model.py SCENARIO COUNT REPEATS`` prints, as JSON, the CPU seconds of
each repeat in this interpreter: :func:`pure_python_cpu` runs it with the compiled
build switched off, to set the two builds side by side in one benchmark run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.montecarlo.engine import Engine  # noqa: E402
from sim.montecarlo.records import Layout, TableReduction  # noqa: E402
from sim.replication.prepared import prepare  # noqa: E402
from sim.scenario.reading import load_scenario  # noqa: E402


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


def pure_python_cpu(path: Path, count: int, repeats: int) -> list[float]:
    """CPU seconds of ``count`` replications, ``repeats`` times, in a pure-Python interpreter."""
    from sim import native

    environ = {**os.environ, native.PURE_PYTHON_VARIABLE: "1"}
    done = subprocess.run(
        [sys.executable, __file__, str(path), str(count), str(repeats)],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    cpu: list[float] = json.loads(done.stdout)
    return cpu


if __name__ == "__main__":
    scenario, count, repeats = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    replications(scenario, count)  # warm
    print(json.dumps([replications(scenario, count)[1] for _ in range(repeats)]))
