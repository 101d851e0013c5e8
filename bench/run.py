"""``make bench``: speed and memory of drawdown-sim on this machine.

Measures (1) the engine ceiling, raw SimPy µs per event; (2) the model on one
process for the historical and planning scenarios; (3) the parallel speed-up of
1,000 replications with one and two workers, and that their results are equal;
(4) peak memory of 10,000 replications, workers included; (5) start-up of
``drawdown --version`` and ``drawdown validate``. Every timing is the median of
several repeats (other work on the machine adds noise: the spread is reported).

Prints a table and writes ``bench/results/latest.json``. Not part of the tests:
speed is measured here, never asserted in the suite.

    python bench/run.py            # everything (a few minutes on 2 cores)
    python bench/run.py --quick    # fewer repeats and replications
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import engine  # noqa: E402
import memory  # noqa: E402
import model  # noqa: E402
import parallel  # noqa: E402
import startup  # noqa: E402

SCENARIOS = {
    "historical-2024": ROOT / "scenarios" / "historical-2024.yaml",
    "plan-1000": ROOT / "scenarios" / "plan-1000.yaml",
}
RESULTS = ROOT / "bench" / "results" / "latest.json"

# Targets on a 2-core machine (issue 7).
TARGETS = {
    "j1_seconds_1000": 2.0,
    "j2_seconds_1000": 1.0,
    "ratio_to_resource_event": 2.0,
    "speedup_j2": 1.7,
    "validate_seconds": 0.3,
    "peak_mb_10000": 200.0,
}


def _median_spread(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def _repeat(measure: Callable[[], tuple[float, float, int]], repeats: int) -> dict[str, Any]:
    walls, cpus, events = [], [], 0
    for _ in range(repeats):
        wall, cpu, events = measure()
        walls.append(wall)
        cpus.append(cpu)
    return {"wall": _median_spread(walls), "cpu": _median_spread(cpus), "events": events}


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import simpy

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "commit": commit,
        "load_average_start": os.getloadavg(),
    }


def bench_engine(quick: bool) -> dict[str, Any]:
    steps = 50_000 if quick else 200_000
    repeats = 3 if quick else 5
    out = {}
    for name, measure in (
        ("timeout_loop", lambda: engine.timeout_loop(steps)),
        ("resource_cycle", lambda: engine.resource_cycle(steps // 4)),
    ):
        runs = _repeat(measure, repeats)
        events = runs["events"]
        runs["us_per_event_wall"] = 1e6 * runs["wall"]["median"] / events
        runs["us_per_event_cpu"] = 1e6 * runs["cpu"]["median"] / events
        out[name] = runs
    return out


def bench_model(quick: bool, resource_us: dict[str, float]) -> dict[str, Any]:
    count = 100 if quick else 300
    repeats = 3 if quick else 5
    out = {}
    for name, path in SCENARIOS.items():
        runs = _repeat(lambda path=path: model.replications(path, count), repeats)
        events = runs["events"]
        for clock in ("wall", "cpu"):
            seconds = runs[clock]["median"]
            runs[f"us_per_event_{clock}"] = 1e6 * seconds / events
            runs[f"replications_per_second_{clock}"] = count / seconds
            runs[f"ratio_to_resource_event_{clock}"] = (
                runs[f"us_per_event_{clock}"] / resource_us[clock]
            )
        runs["events_per_replication"] = events / count
        runs["replications"] = count
        out[name] = runs
    return out


def bench_parallel(quick: bool) -> dict[str, Any]:
    replications = 1000
    repeats = 2 if quick else 3
    path = SCENARIOS["historical-2024"]
    out: dict[str, Any] = {"replications": replications}
    reference: tuple[dict[str, Any], Any] | None = None
    identical = True
    for jobs in (1, 2):
        walls = []
        for _ in range(repeats):
            wall, summary, completion = parallel.timed_run(path, replications, jobs)
            walls.append(wall)
            if reference is None:
                reference = (summary, completion)
            else:
                identical &= summary == reference[0]
                identical &= bool((completion == reference[1]).all())
        out[f"j{jobs}"] = _median_spread(walls)
    out["speedup"] = out["j1"]["median"] / out["j2"]["median"]
    out["identical"] = identical
    return out


def bench_memory(quick: bool) -> dict[str, Any]:
    replications = 2_000 if quick else 10_000
    out: dict[str, Any] = {"replications": replications}
    out["j2"] = memory.peak_rss(SCENARIOS["historical-2024"], replications, jobs=2)
    return out


def bench_startup(quick: bool) -> dict[str, Any]:
    repeats = 3 if quick else 7
    drawdown = startup.drawdown_executable()
    scenario = str(SCENARIOS["historical-2024"])
    commands = {
        "version": [*drawdown, "--version"],
        "validate": [*drawdown, "validate", scenario],
    }
    out: dict[str, Any] = {}
    for name, args in commands.items():
        startup.command_seconds(args)  # warm the file cache and bytecode
        out[name] = _median_spread([startup.command_seconds(args) for _ in range(repeats)])
    out["python_bare"] = _median_spread(
        [startup.command_seconds([sys.executable, "-c", "pass"]) for _ in range(repeats)]
    )
    out["heavy_imports"] = {
        "version": startup.heavy_imports(["--version"]),
        "validate": startup.heavy_imports(["validate", scenario]),
    }
    return out


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    rows: list[tuple[str, str, str]] = []

    def row(label: str, value: str, target: str = "") -> None:
        rows.append((label, value, target))

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    engine_ = results["engine"]
    row(
        "engine: timeout loop, µs/event (CPU)", f"{engine_['timeout_loop']['us_per_event_cpu']:.2f}"
    )
    resource = engine_["resource_cycle"]
    row("engine: Resource cycle, µs/event (CPU)", f"{resource['us_per_event_cpu']:.2f}")
    row("engine: Resource cycle, µs/event (wall)", f"{resource['us_per_event_wall']:.2f}")
    for name, runs in results["model"].items():
        row(f"{name}: events/replication", f"{runs['events_per_replication']:.0f}")
        row(f"{name}: µs/event (CPU)", f"{runs['us_per_event_cpu']:.2f}")
        row(
            f"{name}: replications/s, 1 process (CPU)", f"{runs['replications_per_second_cpu']:.0f}"
        )
        row(
            f"{name}: replications/s, 1 process (wall)",
            f"{runs['replications_per_second_wall']:.0f}",
        )
        ratio = runs["ratio_to_resource_event_cpu"]
        limit = TARGETS["ratio_to_resource_event"]
        row(
            f"{name}: ratio to Resource µs/event",
            f"{ratio:.2f}",
            f"≤ {limit} {verdict(ratio <= limit)}",
        )
    par = results["parallel"]
    j1, j2 = par["j1"]["median"], par["j2"]["median"]
    row(
        "1,000 replications -j 1, s (wall)",
        f"{j1:.2f}",
        f"≤ 2 {verdict(j1 <= TARGETS['j1_seconds_1000'])}",
    )
    row(
        "1,000 replications -j 2, s (wall)",
        f"{j2:.2f}",
        f"≤ 1 {verdict(j2 <= TARGETS['j2_seconds_1000'])}",
    )
    speedup = par["speedup"]
    row(
        "speed-up -j 2 / -j 1",
        f"{speedup:.2f}×",
        f"≥ 1.7 {verdict(speedup >= TARGETS['speedup_j2'])}",
    )
    row("-j 1 and -j 2 results identical", str(par["identical"]))
    mem = results["memory"]
    peak = mem["j2"]["tree_peak_mb"]
    row(
        f"peak RSS, {mem['replications']:,} replications -j 2 (tree), MB",
        f"{peak:.0f}",
        f"≤ 200 {verdict(peak <= TARGETS['peak_mb_10000'])}",
    )
    row(
        "  parent / largest worker maxrss, MB",
        f"{mem['j2']['parent_maxrss_mb']:.0f} / {mem['j2']['largest_worker_maxrss_mb']:.0f}",
    )
    st = results["startup"]
    row("python -c pass, s", f"{st['python_bare']['median']:.3f}")
    row("drawdown --version, s", f"{st['version']['median']:.3f}")
    validate = st["validate"]["median"]
    row(
        "drawdown validate, s",
        f"{validate:.3f}",
        f"≤ 0.3 {verdict(validate <= TARGETS['validate_seconds'])}",
    )
    row("heavy imports in validate", ", ".join(st["heavy_imports"]["validate"]) or "none")

    width = max(len(r[0]) for r in rows)
    lines = [
        f"drawdown-sim benchmarks, {m['date']}, commit {m['commit']}",
        f"{m['cpu']} ({m['cores']} cores), Python {m['python']}, SimPy {m['simpy']}",
        f"load average at start {m['load_average_start'][0]:.1f}, at end "
        f"{results['load_average_end'][0]:.1f} (other work shares the cores)",
        "",
    ]
    lines += [f"{label:<{width}}  {value:>10}  {target}".rstrip() for label, value, target in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and replications")
    parser.add_argument(
        "--only",
        choices=["engine", "model", "parallel", "memory", "startup"],
        action="append",
        help="run only these parts (repeatable)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    parts = args.only or ["engine", "model", "parallel", "memory", "startup"]
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    if "engine" in parts or "model" in parts:
        results["engine"] = bench_engine(args.quick)
        print("engine done", file=sys.stderr)
    if "model" in parts:
        resource = results["engine"]["resource_cycle"]
        resource_us = {"wall": resource["us_per_event_wall"], "cpu": resource["us_per_event_cpu"]}
        results["model"] = bench_model(args.quick, resource_us)
        print("model done", file=sys.stderr)
    if "parallel" in parts:
        results["parallel"] = bench_parallel(args.quick)
        print("parallel done", file=sys.stderr)
    if "memory" in parts:
        results["memory"] = bench_memory(args.quick)
        print("memory done", file=sys.stderr)
    if "startup" in parts:
        results["startup"] = bench_startup(args.quick)
    results["load_average_end"] = os.getloadavg()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    if set(parts) == {"engine", "model", "parallel", "memory", "startup"}:
        print(render(results), end="")
    else:
        print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=1))
    print(f"written to {args.output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
