"""What a spawned worker imports: it unpickles its task and simulates a chunk, nothing else."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

HEAVY = ("pydantic", "pydantic_core", "yaml", "matplotlib", "pandas", "scipy", "tqdm", "dask")

_CHILD = """
import pickle, sys
from sim.montecarlo.engine import simulate_chunk
simulate_chunk(*pickle.loads(sys.stdin.buffer.read()))
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def heavy_imports(path: Path) -> dict[str, Any]:
    """The heavy top-level packages a fresh interpreter loads to run one chunk of ``path``."""
    from sim.montecarlo.records import Layout, TableReduction
    from sim.replication.prepared import prepare
    from sim.scenario.reading import load_scenario

    scenario = load_scenario(path)
    task = (prepare(scenario), scenario.simulation.seed, 0, 4, TableReduction(Layout.of(scenario)))
    payload = pickle.dumps(task)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], input=payload, capture_output=True, check=True
    )
    loaded = set(done.stdout.decode().split())
    return {"task_bytes": len(payload), "heavy": sorted(loaded.intersection(HEAVY))}
