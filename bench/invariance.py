"""Before/after check for optimisations: the model's results must not change.

``python bench/invariance.py record`` fingerprints every replication of a few
scenarios (completion, end, reasons, every counter, every departure row) into
``bench/results/fingerprint.json``; ``python bench/invariance.py check`` runs them
again and reports the first replications that differ. ``events`` (a measure of the
engine's work) is left out on purpose: fewer events per sortie is the point.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.replication.drawdown import simulate  # noqa: E402
from sim.scenario.reading import load_scenario  # noqa: E402

CASES = (
    ("scenarios/historical-2024.yaml", 300),
    ("scenarios/plan-1000.yaml", 300),
    ("tests/scenarios/valid/full.yaml", 100),
)
FINGERPRINT = ROOT / "bench" / "results" / "fingerprint.json"


def fingerprints() -> dict[str, list[dict[str, Any]]]:
    out = {}
    for path, replications in CASES:
        scenario = load_scenario(ROOT / path)
        out[path] = [simulate(scenario, i).fingerprint() for i in range(replications)]
    return out


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "check"
    current = fingerprints()
    if mode == "record":
        FINGERPRINT.parent.mkdir(parents=True, exist_ok=True)
        FINGERPRINT.write_text(json.dumps(current))
        print(f"recorded {sum(map(len, current.values()))} replications to {FINGERPRINT}")
        return 0
    recorded = json.loads(FINGERPRINT.read_text())
    differences = 0
    for path, rows in current.items():
        for index, (now, before) in enumerate(zip(rows, recorded[path], strict=True)):
            if now != before:
                differences += 1
                if differences <= 5:
                    changed = [key for key in now if now[key] != before[key]]
                    print(f"{path} replication {index}: {changed}")
    total = sum(map(len, current.values()))
    print(f"{total - differences}/{total} replications identical")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
