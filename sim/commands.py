"""The planner's verbs of the ``drawdown`` command line: run, compare, sweep, check, trace.

Registered in :data:`sim.cli.REGISTRATIONS`; :mod:`sim.cli` holds the shared
machinery (``add_verb``, ``--set``, error printing, exit codes). Only the
standard library is imported at the top so that ``drawdown --help`` stays fast.

Exit codes: 0 success, 1 a gate (``--fail-under``) or an expectation
(``check``) failed, 2 bad input or usage, 3 a replication crashed (a bug: the
message names the replication and seed to replay it), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sim.results import RunResult

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CRASHED = 3

_T = TypeVar("_T")


# --- argument types -----------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1 (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must lie in [0, 2**63) (got {value})")
    return value


def _fraction(low_open: bool) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
        if not (0 < value < 0.5 if low_open else 0 <= value <= 1):
            raise argparse.ArgumentTypeError(
                f"must lie in {'(0, 0.5)' if low_open else '[0, 1]'} (got {text})"
            )
        return value

    return parse


def _executor_address(text: str) -> str:
    from sim.cluster import ExecutorError, scheduler_address

    try:
        scheduler_address(text)
    except ExecutorError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _run_options(parser: argparse.ArgumentParser, *, outputs: bool = True) -> None:
    parser.add_argument(
        "-n", "--replications", type=_positive_int, help="replications (default: the scenario's)"
    )
    parser.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    parser.add_argument(
        "-j", "--jobs", type=_positive_int, default=1, help="worker processes (default 1)"
    )
    parser.add_argument(
        "--executor",
        type=_executor_address,
        metavar="dask://HOST:PORT",
        help="run the replications on a Dask cluster (needs the dask extra; "
        "workers need drawdown-sim installed); results equal a local run",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar and no summary table"
    )
    if outputs:
        parser.add_argument(
            "--json",
            nargs="?",
            const="-",
            metavar="PATH",
            help="write the results as JSON to PATH, or to stdout (then nothing else goes there)",
        )


# --- shared behaviour ---------------------------------------------------------


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a crashed replication and impossible options into messages and exit codes."""

    def guarded(args: argparse.Namespace) -> int:
        from sim.cluster import ExecutorError
        from sim.runner import ReplicationError

        try:
            return handler(args)
        except ExecutorError as error:  # Dask not installed, or its scheduler not reachable
            print(f"drawdown {args.verb}: error: {error}", file=sys.stderr)
            return EXIT_USAGE
        except ReplicationError as error:
            print(f"drawdown: {error}", file=sys.stderr)
            if error.details:
                print(error.details.rstrip(), file=sys.stderr)
            return EXIT_CRASHED
        except _UsageError as error:
            print(f"drawdown {args.verb}: error: {error}", file=sys.stderr)
            return EXIT_USAGE

    guarded.__name__ = handler.__name__
    return guarded


class _UsageError(Exception):
    """Options that parse but cannot work together."""


def _check_output_path(path: str | None, args: argparse.Namespace) -> None:
    """Refuse to write a result over a scenario file (``--json a.yaml`` typed by mistake)."""
    if path is None or path == "-":
        return
    from sim.cli import scenario_paths

    target = Path(path)
    inputs = {Path(p).resolve() for p in scenario_paths(args)}
    if target.suffix.lower() in (".yaml", ".yml") or target.resolve() in inputs:
        raise _UsageError(f"will not write results over a scenario file ({path}); put --json last")
    if not target.parent.is_dir():
        raise _UsageError(f"no such directory for {path}")


def _write(path: str, text: str) -> None:
    from sim.files import write_atomic

    if path == "-":
        sys.stdout.write(text)
    else:
        write_atomic(path, text)


def _progress(args: argparse.Namespace) -> bool | None:
    return False if args.quiet else None


def _dumps(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --- run ----------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from sim.cli import load_scenarios, scenario_paths
    from sim.render import render_run
    from sim.runner import run

    _check_output_path(args.json, args)
    _check_output_path(args.csv, args)
    if args.json == "-" and args.csv == "-":
        raise _UsageError("--json and --csv cannot both go to stdout")
    if args.svg and args.plots is None:
        raise _UsageError("--svg goes with --plots DIR")
    scenarios = load_scenarios(args)  # every file's problems at once, before any run
    results: list[RunResult] = []
    table_on_stdout = not args.quiet and args.json != "-" and args.csv != "-"
    for path, scenario in zip(scenario_paths(args), scenarios, strict=True):
        result = run(
            scenario,
            source=path,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            progress=_progress(args),
            until_precision=args.until_precision,
            max_replications=args.max_replications,
        )
        results.append(result)
        if table_on_stdout:
            if len(results) > 1:
                print()
            print(render_run(result), end="", flush=True)
    if args.json is not None:
        payload = results[0].summary if len(results) == 1 else [r.summary for r in results]
        _write(args.json, _dumps(payload))
    if args.csv is not None:
        _write(args.csv, _csv_of(results))
    if args.plots is not None:
        from sim.plots import save_figures

        for result in results:
            save_figures(result, args.plots, svg=args.svg)
    failed = 0
    if args.fail_under is not None:
        for result in results:
            if result.p_on_time < args.fail_under:
                failed += 1
                print(
                    f"drawdown: {result.scenario.name}: P(on time) {result.p_on_time:.4f} "
                    f"is under {args.fail_under:g}",
                    file=sys.stderr,
                )
    return EXIT_FAILED if failed else 0


def _csv_of(results: list[RunResult]) -> str:
    if len(results) == 1:
        return results[0].to_csv()
    import csv
    import io

    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for result in results:
        for row in result.rows():
            record = {"scenario": result.scenario.name, **row}
            if writer is None:
                writer = csv.DictWriter(buffer, fieldnames=list(record), lineterminator="\n")
                writer.writeheader()
            writer.writerow(record)
    return buffer.getvalue()


def add_run(verbs: Any) -> None:
    from sim.cli import add_scenario_arguments, add_verb

    parser = add_verb(
        verbs,
        "run",
        _guarded(cmd_run),
        help="simulate scenarios many times and score them against the deadline",
        examples=[
            "drawdown run scenarios/historical-2024.yaml -n 1000 -j 2",
            "drawdown run scenarios/historical-2024.yaml --set airlift.tails=4 --json out/run.json",
            "drawdown run scenarios/*.yaml --json > out/all.json",
            "drawdown run scenarios/historical-2024.yaml --until-precision 0.01 --fail-under 0.9",
        ],
    )
    add_scenario_arguments(parser, many=True)
    _run_options(parser)
    parser.add_argument("--csv", metavar="PATH", help="one row per replication to PATH (- stdout)")
    parser.add_argument(
        "--plots", metavar="DIR", help="write the figures as DIR/<scenario>-<figure>.png"
    )
    parser.add_argument("--svg", action="store_true", help="with --plots: SVG files as well")
    parser.add_argument(
        "--fail-under",
        type=_fraction(low_open=False),
        metavar="P",
        help="exit 1 when P(on time) of any scenario is below P",
    )
    parser.add_argument(
        "--until-precision",
        type=_fraction(low_open=True),
        metavar="H",
        help="add replications until the 95 %% interval of P(on time) is ±H or narrower",
    )
    parser.add_argument(
        "--max-replications",
        type=_positive_int,
        default=100_000,
        metavar="N",
        help="cap for --until-precision (default 100000)",
    )


# --- compare ------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.cli import load_scenarios, scenario_paths
    from sim.render import render_comparison
    from sim.runner import compare

    _check_output_path(args.json, args)
    comparison = compare(
        load_scenarios(args),
        sources=scenario_paths(args),
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        progress=_progress(args),
    )
    if not args.quiet and args.json != "-":
        print(render_comparison(comparison), end="")
    if args.json is not None:
        _write(args.json, comparison.to_json())
    return 0


def add_compare(verbs: Any) -> None:
    from sim.cli import add_scenario_arguments, add_verb

    parser = add_verb(
        verbs,
        "compare",
        _guarded(cmd_compare),
        help="rank courses of action run with the same random numbers; "
        "paired differences vs the first",
        examples=[
            "drawdown compare scenarios/plan-1000.yaml scenarios/coa-more-tails.yaml -n 2000",
        ],
    )
    add_scenario_arguments(parser, many=True)
    _run_options(parser)


# --- sweep --------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.render import render_sweep
    from sim.runner import split_values, sweep

    _check_output_path(args.json, args)
    _check_output_path(args.csv, args)
    axes: dict[str, list[str]] = {}
    fixed: list[str] = []
    for item in args.overrides:
        key, equals, text = item.partition("=")
        values = split_values(text) if equals else []
        if len(values) > 1 and key.strip() not in axes:
            axes[key.strip()] = values
        else:
            fixed.append(item)
    if not axes:
        raise _UsageError("give at least one --set KEY=V1,V2,... with two or more values")
    result = sweep(
        args.file,
        axes,
        overrides=fixed,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        progress=_progress(args),
    )
    if not args.quiet and args.json != "-" and args.csv != "-":
        print(render_sweep(result), end="")
    if args.json is not None:
        _write(args.json, result.to_json())
    if args.csv is not None:
        _write(args.csv, _sweep_csv(result.rows))
    return 0


def _sweep_csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    flat = [
        {**{k: v for k, v in row.items() if k != "p_on_time_ci95"},
         "p_on_time_low": row["p_on_time_ci95"][0], "p_on_time_high": row["p_on_time_ci95"][1]}
        for row in rows
    ]  # fmt: skip
    writer = csv.DictWriter(buffer, fieldnames=list(flat[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(flat)
    return buffer.getvalue()


def add_sweep(verbs: Any) -> None:
    from sim.cli import add_scenario_arguments, add_verb

    parser = add_verb(
        verbs,
        "sweep",
        _guarded(cmd_sweep),
        help="run every combination of comma-separated --set values (full factorial)",
        examples=[
            "drawdown sweep scenarios/historical-2024.yaml --set airlift.tails=2,3,4,6 "
            "--set clearance.lead_days=1,3 -n 500",
        ],
    )
    add_scenario_arguments(parser)
    _run_options(parser)
    parser.add_argument("--csv", metavar="PATH", help="one row per combination to PATH")


# --- check --------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from sim.cli import load_scenarios, scenario_paths
    from sim.expectations import check_expectations
    from sim.render import render_check
    from sim.runner import run

    scenarios = load_scenarios(args)
    failed = False
    for path, scenario in zip(scenario_paths(args), scenarios, strict=True):
        if scenario.expect is None:
            print(render_check(path, []), end="")
            continue
        result = run(
            scenario,
            source=path,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            progress=_progress(args),
        )
        outcomes = check_expectations(scenario.expect, result.summary)
        failed |= not all(outcome.held for outcome in outcomes)
        print(render_check(path, outcomes), end="", flush=True)
    return EXIT_FAILED if failed else 0


def add_check(verbs: Any) -> None:
    from sim.cli import add_scenario_arguments, add_verb

    parser = add_verb(
        verbs,
        "check",
        _guarded(cmd_check),
        help="run scenarios and verify their expect: blocks (exit 1 when one fails)",
        examples=["drawdown check scenarios/*.yaml -j 2"],
    )
    add_scenario_arguments(parser, many=True)
    _run_options(parser, outputs=False)


# --- trace --------------------------------------------------------------------


def cmd_trace(args: argparse.Namespace) -> int:
    from sim.cli import load_scenarios
    from sim.model import simulate
    from sim.render import TRACE_COLUMNS, render_trace, trace_rows
    from sim.runner import resolve

    _check_output_path(args.csv, args)
    (loaded,) = load_scenarios(args)
    scenario, _ = resolve(loaded, seed=args.seed)
    seed = scenario.simulation.seed
    result = simulate(scenario, args.replication, seed=seed, trace=True)
    events = result.trace or ()
    if args.csv is not None:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(TRACE_COLUMNS)
        writer.writerows(trace_rows(scenario, events))
        _write(args.csv, buffer.getvalue())
        if args.csv == "-":
            return 0
    print(render_trace(scenario, events), end="")
    if result.completion_hours is None:
        ending = f"unfinished ({result.unfinished_reason})"
    else:
        moment = scenario.moment(result.completion_hours).isoformat(sep=" ", timespec="minutes")
        ending = f"complete at {moment}"
    print(f"replication {args.replication}, seed {seed}: {ending}; {len(events)} events")
    return 0


def _replication_index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0 (got {value})")
    return value


def add_trace(verbs: Any) -> None:
    from sim.cli import add_scenario_arguments, add_verb

    parser = add_verb(
        verbs,
        "trace",
        _guarded(cmd_trace),
        help="print the event log of one replication, replayed alone",
        examples=[
            "drawdown trace scenarios/historical-2024.yaml --replication 17 --csv out/r17.csv"
        ],
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "-r", "--replication", type=_replication_index, required=True, metavar="K",
        help="replication index (0-based, as in run --csv)",
    )  # fmt: skip
    parser.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    parser.add_argument("--csv", metavar="PATH", help="write the log as CSV to PATH (- stdout)")


PLANNER_VERBS = [add_run, add_compare, add_sweep, add_check, add_trace]
"""Registration functions of this module's verbs, for :data:`sim.cli.REGISTRATIONS`."""
