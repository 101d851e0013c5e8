"""``make bench``: speed and memory of drawdown-sim, as ratios to raw SimPy timed in the same run.

The machine's speed moves (it moved 2.4× between two days), so every speed target
is a ratio to a loop of raw SimPy measured in the same run, with no model logic:

1. one replication of ``historical-2024`` (simulated and reduced, as a run does)
   costs at most the time of 800 events of the raw ``Resource`` loop;
2. 1,000 replications with ``-j 2``, the pool's start-up included, take at most
   1.6× the time of 1,000,000 raw SimPy timeouts;
3. the speed-up of ``-j 2`` over ``-j 1`` at 10,000 replications is at least 1.8×;
4. a command that runs k scenarios (``compare`` of 4 × 250 replications) costs at
   most 1.1× the same replications run in one go (``run`` of 1,000), both ``-j 2``;
5. a worker imports no pydantic, YAML or plotting library;
6. ``drawdown validate`` takes at most 0.3 s; 10,000 replications ``-j 2`` peak
   at 200 MB or less (the whole process tree).

Every timing is the median of several repeats (other work on the machine adds
noise: the spread is kept in the JSON). Prints one line per target (measured,
limit, met or missed) and writes ``bench/results/latest.json``; a quiet run is
copied to ``bench/baseline.json`` by hand, with the load average it reports.
Not part of the tests: speed is measured here, never asserted in the suite.

    python bench/run.py            # everything (about ten minutes on 2 cores)
    python bench/run.py --quick    # fewer repeats and replications (a smoke run)
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
import workers  # noqa: E402

from sim import native  # noqa: E402

HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"
RESULTS = ROOT / "bench" / "results" / "latest.json"
PARTS = ("engine", "model", "parallel", "scaling", "commands", "workers", "memory", "startup")

# (key, what, limit, "max" when the measured value must not exceed the limit)
TARGETS: tuple[tuple[str, str, float, str], ...] = (
    ("replication_in_resource_events", "1 replication / raw Resource event", 800.0, "max"),
    ("j2_1000_in_million_timeouts", "1,000 reps -j 2 / 1M raw timeouts", 1.6, "max"),
    ("speedup_j2_10000", "speed-up -j 2 at 10,000 reps", 1.8, "min"),
    ("k_scenarios_over_one_go", "compare 4 × 250 / run 1,000 (-j 2)", 1.1, "max"),
    ("worker_heavy_imports", "heavy modules a worker imports", 0.0, "max"),
    ("validate_seconds", "drawdown validate, s", 0.3, "max"),
    ("peak_mb_10000", "peak MB, 10,000 reps -j 2 (tree)", 200.0, "max"),
)


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
        "build": native.choose().describe(),
    }


def bench_engine(quick: bool) -> dict[str, Any]:
    steps = 200_000 if quick else 1_000_000
    repeats = 3 if quick else 5
    out: dict[str, Any] = {}
    for name, measure in (
        ("timeout_loop", lambda: engine.timeout_loop(steps)),
        ("resource_cycle", lambda: engine.resource_cycle(steps // 8)),
    ):
        runs = _repeat(measure, repeats)
        events = runs["events"]
        runs["us_per_event_wall"] = 1e6 * runs["wall"]["median"] / events
        runs["us_per_event_cpu"] = 1e6 * runs["cpu"]["median"] / events
        out[name] = runs
    # 1,000,000 timeouts × (µs per timeout) / (10⁶ µs per s): the same number, in seconds.
    out["million_timeouts_seconds"] = out["timeout_loop"]["us_per_event_wall"]
    return out


def bench_model(quick: bool) -> dict[str, Any]:
    count = 200 if quick else 600
    repeats = 3 if quick else 5
    # The raw Resource loop (as long as bench_engine's) is timed again between the
    # model's repeats, so that a drift of the machine's speed moves both sides alike.
    raw: list[float] = []
    cycles = (200_000 if quick else 1_000_000) // 8

    def raw_then_model() -> tuple[float, float, int]:
        _, cpu, events = engine.resource_cycle(cycles)
        raw.append(1e6 * cpu / events)
        return model.replications(HISTORICAL, count)

    runs = _repeat(raw_then_model, repeats)
    runs["resource_us_per_event_cpu"] = _median_spread(raw)
    runs["replications"] = count
    runs["us_per_replication_cpu"] = 1e6 * runs["cpu"]["median"] / count
    runs["events_per_replication"] = runs["events"] / count
    # The same replications where no C compiler built the compiled modules (not a target).
    pure = model.pure_python_cpu(HISTORICAL, count, repeats)
    runs["pure_python_cpu"] = _median_spread(pure)
    runs["pure_python_us_per_replication_cpu"] = 1e6 * statistics.median(pure) / count
    return runs


def bench_parallel(quick: bool) -> dict[str, Any]:
    replications = 1000
    repeats = 2 if quick else 5
    out: dict[str, Any] = {"replications": replications}
    reference: tuple[dict[str, Any], Any] | None = None
    identical = True
    for jobs in (1, 2):
        walls = []
        for _ in range(repeats):
            wall, summary, completion = parallel.timed_run(HISTORICAL, replications, jobs)
            walls.append(wall)
            if reference is None:
                reference = (summary, completion)
            else:
                identical &= summary == reference[0]
                identical &= bool((completion == reference[1]).all())
        out[f"j{jobs}"] = _median_spread(walls)
    out["identical"] = identical
    return out


def bench_scaling(quick: bool) -> dict[str, Any]:
    replications = 2_000 if quick else 10_000
    repeats = 1 if quick else 3
    out: dict[str, Any] = {"replications": replications}
    walls: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):  # alternated, so that a drift of the machine's speed cancels out
        for jobs in (1, 2):
            walls[jobs].append(parallel.timed_run(HISTORICAL, replications, jobs)[0])
    for jobs, measured in walls.items():
        out[f"j{jobs}"] = _median_spread(measured)
    out["speedup"] = out["j1"]["median"] / out["j2"]["median"]
    return out


def bench_commands(quick: bool) -> dict[str, Any]:
    copies, each = 4, 250
    repeats = 2 if quick else 7
    one_go: list[float] = []
    command: list[float] = []
    for _ in range(repeats):  # alternated, so that a drift of the machine's speed cancels out
        one_go.append(parallel.timed_run(HISTORICAL, copies * each, 2)[0])
        command.append(parallel.timed_compare(HISTORICAL, copies, each, 2))
    return {
        "copies": copies,
        "replications_each": each,
        "run_one_go": _median_spread(one_go),
        "compare": _median_spread(command),
        "ratio": statistics.median(command) / statistics.median(one_go),
    }


def bench_memory(quick: bool) -> dict[str, Any]:
    replications = 2_000 if quick else 10_000
    return {
        "replications": replications,
        "j2": memory.peak_rss(HISTORICAL, replications, jobs=2),
    }


def bench_startup(quick: bool) -> dict[str, Any]:
    repeats = 3 if quick else 7
    drawdown = startup.drawdown_executable()
    commands = {
        "version": [*drawdown, "--version"],
        "validate": [*drawdown, "validate", str(HISTORICAL)],
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
        "validate": startup.heavy_imports(["validate", str(HISTORICAL)]),
    }
    return out


def measured(results: dict[str, Any]) -> dict[str, float]:
    """The value of each target that this run measured."""
    values: dict[str, float] = {}
    eng = results.get("engine")
    if "model" in results:
        resource_us = results["model"]["resource_us_per_event_cpu"]["median"]
        values["replication_in_resource_events"] = (
            results["model"]["us_per_replication_cpu"] / resource_us
        )
    if eng and "parallel" in results:
        million = eng["million_timeouts_seconds"]
        values["j2_1000_in_million_timeouts"] = results["parallel"]["j2"]["median"] / million
    if "scaling" in results:
        values["speedup_j2_10000"] = results["scaling"]["speedup"]
    if "commands" in results:
        values["k_scenarios_over_one_go"] = results["commands"]["ratio"]
    if "workers" in results:
        values["worker_heavy_imports"] = float(len(results["workers"]["heavy"]))
    if "startup" in results:
        values["validate_seconds"] = results["startup"]["validate"]["median"]
    if "memory" in results:
        values["peak_mb_10000"] = results["memory"]["j2"]["tree_peak_mb"]
    return values


def verdicts(values: dict[str, float]) -> dict[str, dict[str, Any]]:
    out = {}
    for key, what, limit, kind in TARGETS:
        if key in values:
            value = values[key]
            met = value <= limit if kind == "max" else value >= limit
            out[key] = {"what": what, "measured": value, "limit": limit, "kind": kind, "met": met}
    return out


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"drawdown-sim benchmarks, {m['date']}, commit {m['commit']}"
        + (" (quick: fewer replications and repeats)" if results["quick"] else ""),
        f"{m['cpu']} ({m['cores']} cores), Python {m['python']}, SimPy {m['simpy']}",
        f"model: {m['build']}",
        f"load average at start {m['load_average_start'][0]:.2f}, at end "
        f"{results['load_average_end'][0]:.2f} (other work shares the cores)",
        "",
    ]
    eng = results.get("engine")
    if eng:
        lines.append(
            f"raw SimPy: {eng['timeout_loop']['us_per_event_wall']:.3f} µs per timeout (wall), "
            f"{eng['resource_cycle']['us_per_event_cpu']:.3f} µs per Resource-loop event (CPU)"
        )
    if "model" in results:
        mod = results["model"]
        lines.append(
            f"historical-2024: {mod['us_per_replication_cpu']:.0f} µs CPU and "
            f"{mod['events_per_replication']:.0f} events per replication, 1 process "
            f"(the raw Resource loop between its repeats: "
            f"{mod['resource_us_per_event_cpu']['median']:.3f} µs per event)"
        )
        if eng:
            resource_us = mod["resource_us_per_event_cpu"]["median"]
            pure_us = mod["pure_python_us_per_replication_cpu"]
            lines.append(
                f"  pure Python (no compiled build): {pure_us:.0f} µs CPU per replication, "
                f"{pure_us / resource_us:,.0f} raw Resource-loop events"
            )
    if "parallel" in results:
        par = results["parallel"]
        lines.append(
            f"1,000 replications: -j 1 {par['j1']['median']:.2f} s, -j 2 "
            f"{par['j2']['median']:.2f} s (wall); results identical: {par['identical']}"
        )
    if "scaling" in results:
        sc = results["scaling"]
        lines.append(
            f"{sc['replications']:,} replications: -j 1 {sc['j1']['median']:.2f} s, "
            f"-j 2 {sc['j2']['median']:.2f} s (wall)"
        )
    if "commands" in results:
        co = results["commands"]
        lines.append(
            f"compare {co['copies']} × {co['replications_each']}: {co['compare']['median']:.2f} s;"
            f" run {co['copies'] * co['replications_each']:,}: {co['run_one_go']['median']:.2f} s"
        )
    if "workers" in results:
        lines.append(f"a spawned worker imports: {', '.join(results['workers']['heavy']) or 'none'}"
                     " of " + ", ".join(workers.HEAVY))  # fmt: skip
    if "startup" in results:
        st = results["startup"]
        lines.append(
            f"python -c pass {st['python_bare']['median']:.3f} s, drawdown --version "
            f"{st['version']['median']:.3f} s, validate {st['validate']['median']:.3f} s"
        )
    if "memory" in results:
        mem = results["memory"]["j2"]
        lines.append(
            f"peak RSS: tree {mem['tree_peak_mb']:.0f} MB; parent / largest worker "
            f"{mem['parent_maxrss_mb']:.0f} / {mem['largest_worker_maxrss_mb']:.0f} MB"
        )
    lines += ["", f"{'target':<40}  {'measured':>9}  {'limit':>9}  verdict"]
    for verdict in results["targets"].values():
        sign = "≤" if verdict["kind"] == "max" else "≥"
        lines.append(
            f"{verdict['what']:<40}  {verdict['measured']:>9.2f}  {sign} {verdict['limit']:>7g}  "
            + ("met" if verdict["met"] else "MISSED")
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and replications")
    parser.add_argument(
        "--only", choices=PARTS, action="append", help="run only these parts (repeatable)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    parts = args.only or list(PARTS)
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    steps: dict[str, Callable[[bool], dict[str, Any]]] = {
        "engine": bench_engine,
        "model": bench_model,
        "parallel": bench_parallel,
        "scaling": bench_scaling,
        "commands": bench_commands,
        "workers": lambda quick: workers.heavy_imports(HISTORICAL),
        "memory": bench_memory,
        "startup": bench_startup,
    }
    if any(part in parts for part in ("model", "parallel")) and "engine" not in parts:
        parts = ["engine", *parts]  # the ratios need the raw SimPy loops of the same run
    for part in PARTS:
        if part in parts:
            results[part] = steps[part](args.quick)
            print(f"{part} done", file=sys.stderr)
    results["load_average_end"] = os.getloadavg()
    results["targets"] = verdicts(measured(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results), end="")
    output = args.output.resolve()
    print(f"written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
