"""Before/after table of the answers a planner reads, for a model change.

``python bench/outcomes.py record NAME`` runs ``historical-2024``, ``plan-1000`` and
every ``coa-*`` overlay at 1,000 replications with seed 20240519 (through
``drawdown run --json``, so the table does not depend on the Python API) and keeps
P(on time), P50 and P90 in ``bench/results/outcomes-NAME.json``;
``python bench/outcomes.py table BEFORE AFTER`` prints the two side by side
as a Markdown table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REPLICATIONS = 1000
SEED = 20240519


def scenario_paths() -> list[Path]:
    scenarios = ROOT / "scenarios"
    fixed = [scenarios / "historical-2024.yaml", scenarios / "plan-1000.yaml"]
    return fixed + sorted(scenarios.glob("coa-*.yaml"))


def record(name: str) -> Path:
    rows: dict[str, Any] = {}
    for path in scenario_paths():
        command = [
            sys.executable, "-m", "sim", "run", str(path), "-q", "--json",
            "-n", str(REPLICATIONS), "--seed", str(SEED),
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        if output.returncode not in (0, 1):
            raise SystemExit(f"{path.name}: exit {output.returncode}\n{output.stderr}")
        summary = json.loads(output.stdout)
        if isinstance(summary, list):
            summary = summary[0]
        rows[path.stem] = {
            "p_on_time": summary["p_on_time"],
            "p50": summary["completion"]["p50"],
            "p90": summary["completion"]["p90"],
            "unfinished": summary["unfinished"],
        }
        print(path.stem, rows[path.stem], file=sys.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"outcomes-{name}.json"
    out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return out


def table(before_name: str, after_name: str) -> str:
    before = json.loads((RESULTS / f"outcomes-{before_name}.json").read_text(encoding="utf-8"))
    after = json.loads((RESULTS / f"outcomes-{after_name}.json").read_text(encoding="utf-8"))

    def moment(value: str | None) -> str:
        return "unfinished" if value is None else value.replace("T", " ")[:16]

    lines = [
        "| scenario | P(on time) before | after | P50 before | after | P90 before | after |",
        "|---|---|---|---|---|---|---|",
    ]
    for stem, old in before.items():
        new = after.get(stem, {})
        lines.append(
            f"| {stem} | {old['p_on_time']:.3f} | {new.get('p_on_time', float('nan')):.3f} "
            f"| {moment(old['p50'])} | {moment(new.get('p50'))} "
            f"| {moment(old['p90'])} | {moment(new.get('p90'))} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["record"] and len(sys.argv) == 3:
        print(record(sys.argv[2]))
    elif sys.argv[1:2] == ["table"] and len(sys.argv) == 4:
        print(table(sys.argv[2], sys.argv[3]))
    else:
        raise SystemExit(__doc__)
