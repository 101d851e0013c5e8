"""The verbs of the ``drawdown`` command line, one ``cmd_<verb>`` and ``add_<verb>`` pair each.

Adding a verb: write ``cmd_<verb>(args) -> int`` and ``add_<verb>(verbs)``
(which calls :func:`~sim.cli.options.add_verb` and declares the verb's options),
then list ``add_<verb>`` in :data:`REGISTRATIONS`. Load scenarios with
:func:`~sim.cli.options.load_scenarios` and let
:class:`~sim.scenario.problems.ScenarioError` propagate: :func:`sim.cli.main.main`
prints its problems and exits 2. Heavy modules (NumPy, SimPy, matplotlib,
pandas) are imported inside the verbs that need them, so ``drawdown --help``
and ``drawdown validate`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.exits import ExitCode, UsageError, guarded, print_problems
from sim.cli.options import (
    add_csv,
    add_scenario_arguments,
    add_status,
    add_verb,
    check_data_outputs,
    check_output_path,
    check_status_option,
    deliver,
    fraction,
    load_scenarios,
    output_folder,
    progress,
    replication_index,
    replications,
    result_on_stdout,
    run_options,
    scenario_paths,
    seed,
    split_values,
    write_output,
)
from sim.cli.questions import add_forecast, add_sensitivity, add_solve, target_probability
from sim.render.terminal import printable
from sim.scenario.problems import ScenarioError

if TYPE_CHECKING:
    from sim.answers.results import RunResult
    from sim.answers.sensitivity import SensitivityResult
    from sim.answers.solving import SolvePlan, SolveResult
    from sim.montecarlo.engine import Engine
    from sim.scenario.contract import Scenario


# --- validate and schema ------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.scenario.reading import explain, load_scenario

    all_valid = True
    for path in scenario_paths(args):
        try:
            scenario = load_scenario(path, args.overrides, allow_extends_from=args.extends_from)
        except ScenarioError as error:
            print_problems(error)
            all_valid = False
            continue
        if args.explain:
            print(printable(f"# {path}: resolved after extends, overrides and defaults"))
            print(explain(scenario), end="")
        else:
            print(printable(f"{path}: ok"))
    return 0 if all_valid else 2


def add_validate(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "validate",
        cmd_validate,
        help="check scenario files and report every problem with its file and line",
        examples=[
            "drawdown validate scenarios/*.yaml",
            "drawdown validate scenarios/historical-2024.yaml --set airlift.tails=4 --explain",
        ],
    )
    add_scenario_arguments(parser, many=True)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print each scenario fully resolved (after extends, --set and defaults) as YAML",
    )


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from sim.scenario.reading import scenario_json_schema
    from sim.scenario.status import status_json_schema

    schema = status_json_schema() if args.status else scenario_json_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


def add_schema(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "schema",
        cmd_schema,
        help="print the JSON Schema of scenario files (for editors)",
        examples=[
            "drawdown schema > scenarios/scenario.schema.json",
            "drawdown schema --status > scenarios/status.schema.json",
        ],
    )
    parser.add_argument(
        "--status", action="store_true", help="the schema of status files (run --status) instead"
    )


# --- run ----------------------------------------------------------------------


def engine_of(args: argparse.Namespace) -> Engine:
    """The one Monte Carlo engine (and pool of workers) of a command: ``-j``, ``--executor``."""
    from sim.montecarlo.engine import Engine

    return Engine(args.jobs, args.executor, progress=progress(args))


def cmd_run(args: argparse.Namespace) -> int:
    from sim.montecarlo.runs import run
    from sim.render.data import dumps, runs_csv
    from sim.render.text import render_run

    check_data_outputs(args)
    if args.svg and args.plots is None:
        raise UsageError("--svg goes with --plots DIR")
    if args.tornado and args.plots is None:
        raise UsageError("--tornado goes with --plots DIR")
    if args.plots is not None:
        from sim.outputs import check_folder

        check_folder(args.plots)  # a file where the folder should be: before the run
    scenarios = load_scenarios(args)  # every file's problems at once, before any run
    check_status_option(args, scenarios)
    results: list[RunResult] = []
    # One pool, and one progress bar, for the runs and any tornado; the tables after it.
    with engine_of(args) as engine, engine.progress_over("run", _planned(args, scenarios)):
        for path in scenario_paths(args):
            result = run(
                path,
                overrides=args.overrides,  # loaded again: the provenance records them
                allow_extends_from=args.extends_from,
                replications=args.replications,
                seed=args.seed,
                until_precision=args.until_precision,
                max_replications=args.max_replications,
                engine=engine,
                status=args.status,
            )
            results.append(result)
        sensitivities = _sensitivities(args, engine) if args.tornado else []
    if result_on_stdout(args):
        for number, result in enumerate(results):
            if number:
                print()
            print(printable(render_run(result)), end="", flush=True)
    if args.json is not None:
        payload = results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results]
        write_output(args.json, dumps(payload))
    if args.csv is not None:
        write_output(args.csv, runs_csv(results))
    if args.plots is not None:
        from sim.plots import save_figures
        from sim.plots.tornado import save_tornado

        for result in results:
            save_figures(result, args.plots, svg=args.svg)
        for sensitivity in sensitivities:
            save_tornado(sensitivity, args.plots)

    failed = 0
    if args.fail_under is not None:
        for result in results:
            if result.p_on_time < args.fail_under:
                failed += 1
                name = printable(result.scenario.name)
                print(
                    f"drawdown: {name}: P(on time) {result.p_on_time:.4f} "
                    f"is under {args.fail_under:g}",
                    file=sys.stderr,
                )
    return ExitCode.FAILED if failed else 0


def _planned(args: argparse.Namespace, scenarios: list[Scenario]) -> int:
    """The replications of a command's runs and any ``--tornado``, as far as known up front."""
    from sim.answers.sensitivity import planned_runs

    counts = [args.replications or scenario.simulation.replications for scenario in scenarios]
    runs = sum(counts)
    if args.tornado:
        runs += sum(
            planned_runs(scenario) * count
            for scenario, count in zip(scenarios, counts, strict=True)
        )
    return runs


def _sensitivities(args: argparse.Namespace, engine: Engine) -> list[SensitivityResult]:
    """``--tornado``: each scenario's inputs at their low and high end, on the command's engine."""
    from sim.answers.sensitivity import sensitivity

    return [
        sensitivity(
            path,
            overrides=args.overrides,
            replications=args.replications,
            seed=args.seed,
            status=args.status,
            engine=engine,
        )
        for path in scenario_paths(args)
    ]


def add_run(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "run",
        guarded(cmd_run),
        help="simulate scenarios many times and score them against the deadline",
        examples=[
            "drawdown run scenarios/historical-2024.yaml -n 1000 -j 2",
            "drawdown run scenarios/historical-2024.yaml --set airlift.tails=4 --json out/run.json",
            "drawdown run scenarios/*.yaml --json out/all.json",
            "drawdown run scenarios/historical-2024.yaml --until-precision 0.01 --fail-under 0.9",
            "drawdown run scenarios/historical-2024.yaml "
            "--status scenarios/status/historical-2024-as-of-2024-07-08.yaml",
        ],
    )
    add_scenario_arguments(parser, many=True)
    run_options(parser)
    add_status(parser)
    add_csv(parser, "one row per replication")
    parser.add_argument(
        "--plots", metavar="DIR", help="write the figures as DIR/<scenario>-<figure>.png"
    )
    parser.add_argument("--svg", action="store_true", help="with --plots: SVG files as well")
    parser.add_argument(
        "--tornado",
        action="store_true",
        help="with --plots: the tornado chart too (what matters most: runs each uncertain "
        "input at its low and high end, as drawdown sensitivity does)",
    )
    parser.add_argument(
        "--fail-under",
        type=fraction(low_open=False),
        metavar="P",
        help="exit 1 when P(on time) of any scenario is below P",
    )
    parser.add_argument(
        "--until-precision",
        type=fraction(low_open=True),
        metavar="H",
        help="add replications until the 95 %% interval of P(on time) is ±H or narrower",
    )
    parser.add_argument(
        "--max-replications",
        type=replications,
        default=100_000,
        metavar="N",
        help="cap for --until-precision (default 100000)",
    )


# --- compare ------------------------------------------------------------------


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.montecarlo.runs import compare
    from sim.render.text import render_comparison

    check_data_outputs(args)
    scenarios = load_scenarios(args)  # every file's problems at once, before any run
    check_status_option(args, scenarios)
    comparison = compare(
        scenario_paths(args),
        overrides=args.overrides,
        allow_extends_from=args.extends_from,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        progress=progress(args),
        status=args.status,
    )
    for warning in comparison.warnings:  # on stderr whatever -q says: the numbers mislead
        print(f"drawdown compare: warning: {warning}", file=sys.stderr)
    deliver(args, render_comparison(comparison), comparison)
    return 0


def add_compare(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "compare",
        guarded(cmd_compare),
        help="rank courses of action run with the same random numbers; "
        "paired differences vs the first",
        examples=[
            "drawdown compare scenarios/plan-1000.yaml scenarios/coa-more-tails.yaml -n 2000",
            "drawdown compare scenarios/plan-1000.yaml scenarios/coa-*.yaml -n 500 "
            "--csv out/coas.csv",
        ],
    )
    add_scenario_arguments(parser, many=True)
    run_options(parser)
    add_status(parser)
    add_csv(parser, "one row per scenario (rank, score, differences vs the first)")


# --- sweep --------------------------------------------------------------------


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.montecarlo.runs import check_sweep_size, sweep
    from sim.render.text import render_sweep

    check_data_outputs(args)
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
        raise UsageError("give at least one --set KEY=V1,V2,... with two or more values")
    try:
        check_sweep_size(axes)
    except ValueError as error:
        raise UsageError(str(error)) from None
    result = sweep(
        args.file,
        axes,
        overrides=fixed,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        progress=progress(args),
        allow_extends_from=args.extends_from,
    )
    deliver(args, render_sweep(result), result)
    return 0


def add_sweep(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "sweep",
        guarded(cmd_sweep),
        help="run every combination of comma-separated --set values (full factorial)",
        examples=[
            "drawdown sweep scenarios/historical-2024.yaml --set airlift.tails=2,3,4,6 "
            "--set clearance.lead_days=1,3 -n 500",
        ],
    )
    add_scenario_arguments(parser)
    run_options(parser)
    add_csv(parser, "one row per combination")


# --- check --------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from sim.answers.expectations import check_run
    from sim.montecarlo.runs import run
    from sim.render.text import render_check

    scenarios = load_scenarios(args)
    failed = False
    with engine_of(args) as engine:
        for path, scenario in zip(scenario_paths(args), scenarios, strict=True):
            if scenario.expect is None:
                print(printable(render_check(path, [])), end="")
                continue
            result = run(
                scenario,
                source=path,
                replications=args.replications,
                seed=args.seed,
                engine=engine,
            )
            outcomes = check_run(scenario.expect, result)
            failed |= not all(outcome.held for outcome in outcomes)
            print(printable(render_check(path, outcomes)), end="", flush=True)
    return ExitCode.FAILED if failed else 0


def add_check(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "check",
        guarded(cmd_check),
        help="run scenarios and verify their expect: blocks (exit 1 when one fails)",
        examples=["drawdown check scenarios/*.yaml -j 2"],
    )
    add_scenario_arguments(parser, many=True)
    run_options(parser, outputs=False)
    add_status(parser)


# --- trace --------------------------------------------------------------------


def cmd_trace(args: argparse.Namespace) -> int:
    from sim.montecarlo.runs import resolve
    from sim.render.data import csv_table
    from sim.render.formats import when
    from sim.render.text import TRACE_COLUMNS, render_trace, trace_rows
    from sim.replication.drawdown import simulate

    check_output_path(args.csv, args)
    (loaded,) = load_scenarios(args)
    scenario, _ = resolve(loaded, seed=args.seed)
    seed = scenario.simulation.seed
    result = simulate(scenario, args.replication, seed=seed, trace=True)
    events = result.trace or ()
    if args.csv is not None:
        write_output(args.csv, csv_table(TRACE_COLUMNS, trace_rows(scenario, events)))
        if args.csv == "-":
            return 0
    else:  # with --csv PATH the log is in the file: stdout gets the last line only
        print(printable(render_trace(scenario, events)), end="")
    if result.completion_hours is None:
        ending = f"unfinished ({result.unfinished_reason})"
    else:
        ending = f"complete at {when(scenario.moment(result.completion_hours))}"
    written = f" (log written to {args.csv})" if args.csv is not None else ""
    print(f"replication {args.replication}, seed {seed}: {ending}; {len(events)} events{written}")
    return 0


def add_trace(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "trace",
        guarded(cmd_trace),
        help="print the event log of one replication, replayed alone",
        examples=[
            "drawdown trace scenarios/historical-2024.yaml --replication 17 --csv out/r17.csv"
        ],
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "-r", "--replication", type=replication_index, required=True, metavar="K",
        help="replication index (0-based, as in run --csv)",
    )  # fmt: skip
    parser.add_argument("--seed", type=seed, help="root seed (default: the scenario's)")
    parser.add_argument(
        "--csv",
        metavar="PATH",
        help="write the log as CSV to PATH instead of printing it (- stdout: the CSV alone)",
    )


# --- report -------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from sim.montecarlo.runs import compare
    from sim.render.html import write_report

    output = Path(args.output)
    check_output_path(args.output, args)
    scenarios = load_scenarios(args)  # every file's problems at once, before any run
    check_status_option(args, scenarios)
    plans = _solve_plans(args, scenarios)  # every --solve problem too, before any run
    planned = _report_replications(args, scenarios, plans)
    # One pool, and one progress bar, for the runs, any tornado and any solve.
    with engine_of(args) as engine, engine.progress_over("report", planned):
        comparison = compare(
            scenario_paths(args),
            overrides=args.overrides,
            allow_extends_from=args.extends_from,
            replications=args.replications,
            seed=args.seed,
            status=args.status,
            engine=engine,
        )
        sensitivities = _sensitivities(args, engine) if args.tornado else []
        solves = _solves(args, plans, engine)
    paths = scenario_paths(args)
    runs = [_with_source(run, path) for run, path in zip(comparison.results, paths, strict=True)]
    output_folder(output)
    write_report(
        runs,
        output,
        svg=args.svg,
        title=args.title,
        sensitivities=sensitivities,
        solves=solves,
    )
    return 0


def _solve_plans(args: argparse.Namespace, scenarios: list[Scenario]) -> list[SolvePlan]:
    """``report --solve FIELD[=LOW:HIGH]`` (twice: a frontier), checked for every scenario."""
    if not args.solve:
        if args.target is not None:
            raise UsageError("--target goes with --solve FIELD")
        return []
    from sim.answers.solving import DEFAULT_TARGET, plan_solve
    from sim.scenario.variation import VariationError, knob

    if len(args.solve) > 2:
        raise UsageError(f"--solve one field, or twice for a frontier (got {len(args.solve)})")
    fields, ranges = [], {}
    for item in args.solve:
        name, equals, bounds = item.partition("=")
        fields.append(name.strip())
        if equals:
            ranges[name.strip()] = bounds
    plans = []
    try:
        for scenario in scenarios:
            for name in fields:
                if knob(scenario, name).direction is None:
                    raise UsageError(
                        f"--solve {name}: no known direction; `drawdown solve FILE --vary "
                        f"{name} --direction increasing|decreasing` answers for it"
                    )
            plans.append(
                plan_solve(
                    scenario,
                    fields,
                    target=DEFAULT_TARGET if args.target is None else args.target,
                    ranges=ranges,
                    replications=args.replications,
                    seed=args.seed,
                    status=args.status,
                )
            )
    except VariationError as error:
        raise UsageError(str(error)) from None
    return plans


def _report_replications(
    args: argparse.Namespace, scenarios: list[Scenario], plans: list[SolvePlan]
) -> int:
    """The report's replications as far as known up front: its runs, tornados and solves."""
    return _planned(args, scenarios) + sum(plan.planned_replications for plan in plans)


def _solves(args: argparse.Namespace, plans: list[SolvePlan], engine: Engine) -> list[SolveResult]:
    """``report --solve``: each scenario's answer, on the report's engine."""
    from sim.answers.solving import run_solve

    if not plans:
        return []
    return [
        run_solve(plan, source=path, engine=engine)
        for plan, path in zip(plans, scenario_paths(args), strict=True)
    ]


def _with_source(run: RunResult, path: str) -> RunResult:
    from dataclasses import replace

    provenance = replace(run.score.provenance, source=path)
    return replace(run, score=replace(run.score, provenance=provenance))


def add_report(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "report",
        guarded(cmd_report),
        help="run scenarios (common random numbers) and write one self-contained HTML report",
        examples=[
            "drawdown report scenarios/historical-2024.yaml -o out/report.html",
            "drawdown report scenarios/plan-1000.yaml scenarios/coa-more-tails.yaml "
            "-n 500 -o out/coas.html",
            "drawdown report scenarios/coa-clearances-month-late.yaml --tornado "
            "--solve airlift.tails=1:8 --target 0.9 -o out/what-it-takes.html",
        ],
    )
    add_scenario_arguments(parser, many=True)
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the HTML file")
    run_options(parser, outputs=False)
    add_status(parser)
    parser.add_argument("--svg", action="store_true", help="embed figures as inline SVG, not PNG")
    parser.add_argument(
        "--tornado",
        action="store_true",
        help="add what matters most to each scenario: its tornado chart and ranked inputs "
        "(runs each uncertain input at its low and high end, as drawdown sensitivity does)",
    )
    parser.add_argument(
        "--solve",
        action="append",
        metavar="FIELD[=LOW:HIGH]",
        help="add what it takes to each scenario: the value of FIELD at which P(on time) "
        "reaches --target, with its evidence, evaluations and figure, as drawdown solve "
        "--vary FIELD [--range LOW:HIGH] finds it; twice: the frontier of the two fields",
    )
    parser.add_argument(
        "--target",
        type=target_probability,
        metavar="P",
        help="with --solve: the P(on time) to reach (default 0.9)",
    )
    parser.add_argument("--title", help="the report's title (default: from the scenarios)")


# --- calibrate ----------------------------------------------------------------


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.answers.calibration import calibrate, render_calibration

    check_data_outputs(args)
    try:
        result = calibrate(
            args.file,
            overrides=args.overrides,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            progress=progress(args),
            planner_values=not args.as_written,
            allow_extends_from=args.extends_from,
        )
    except ValueError as error:  # no observed: points
        print(printable(f"drawdown calibrate: error: {error}"), file=sys.stderr)
        return 2
    deliver(args, render_calibration(result), result)
    return 0


def add_calibrate(verbs: Any) -> None:

    parser = add_verb(
        verbs,
        "calibrate",
        guarded(cmd_calibrate),
        help="compare a scenario's replications with its observed: points from the record",
        examples=[
            "drawdown calibrate scenarios/historical-2024.yaml -n 1000 -j 2",
            "drawdown calibrate scenarios/historical-2024.yaml --as-written --json out.json",
            "drawdown calibrate scenarios/historical-2024.yaml --csv out/calibration.csv",
        ],
    )
    add_scenario_arguments(parser)
    run_options(parser)
    add_csv(parser, "one row per observed point and quantity")
    parser.add_argument(
        "--as-written",
        action="store_true",
        help="run the scenario as written only, not a second time with its fitted: values "
        "put back to the planner's",
    )


# Every verb's registration function, in the order `drawdown --help` lists them.
REGISTRATIONS: list[Callable[[Any], None]] = [
    add_validate,
    add_schema,
    add_run,
    add_compare,
    add_sweep,
    add_solve,
    add_sensitivity,
    add_forecast,
    add_check,
    add_trace,
    add_report,
    add_calibrate,
]
