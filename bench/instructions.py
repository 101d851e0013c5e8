"""``make bench-instructions``: one replication in instructions, repeatable on a busy machine.

Timings move with whatever else the machine is doing (the load average here
went from 0.6 to 11 within an hour). Instruction counts do not: valgrind's
callgrind counts the same total for the same code, inputs and environment, so a
change's effect can be measured while other work runs. The count is a ratio, like
every speed figure of :mod:`bench.run`: instructions per ``historical-2024``
replication (simulated and reduced, as a run does) over instructions per event of
the raw SimPy ``Resource`` loop, each the difference of two runs so that start-up
cancels out.

It complements the timed target, it does not replace it: memory stalls (the
model touches far more memory than the raw loop) cost time that instructions do
not show, so the timed ratio is higher (about 1.6× here). Compare instruction
ratios with instruction ratios only.

    python bench/instructions.py            # about 3 minutes on 2 cores
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "instructions.json"
REPLICATIONS = (5, 45)
"""Two runs of the model; their difference is 40 replications."""
CYCLES = (2_000, 22_000)
"""Two runs of the raw loop (6 events per cycle); their difference is 120,000 events."""

REPEATABLE = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
"""Exactly the same count run after run: OpenBLAS's idle threads and hash randomisation
moved it by about 1 %."""

DRIVER = """
import sys
sys.path.insert(0, {bench!r})
what, count = sys.argv[1], int(sys.argv[2])
if what == "model":
    from pathlib import Path
    import model
    model.replications(Path({scenario!r}), count)
else:
    import engine
    engine.resource_cycle(count)
"""


def instructions(what: str, count: int) -> int:
    """Instructions callgrind counts for one run of the driver (start-up included)."""
    driver = DRIVER.format(
        bench=str(ROOT / "bench"), scenario=str(ROOT / "scenarios" / "historical-2024.yaml")
    )
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            driver,
            what,
            str(count),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=REPEATABLE,
    )
    found = re.search(r"refs:\s*([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def measure() -> dict[str, Any]:
    model = [instructions("model", count) for count in REPLICATIONS]
    raw = [instructions("raw", count) for count in CYCLES]
    per_replication = (model[1] - model[0]) / (REPLICATIONS[1] - REPLICATIONS[0])
    per_event = (raw[1] - raw[0]) / (6 * (CYCLES[1] - CYCLES[0]))
    return {
        "instructions_per_replication": per_replication,
        "instructions_per_raw_resource_event": per_event,
        "replication_in_raw_resource_events": per_replication / per_event,
    }


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from sim import native

    result = {"build": native.choose().describe(), **measure()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"one replication: {result['instructions_per_replication']:,.0f} instructions = "
        f"{result['replication_in_raw_resource_events']:,.0f} raw Resource-loop events "
        f"({result['instructions_per_raw_resource_event']:,.0f} instructions each); "
        f"model: {result['build']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
