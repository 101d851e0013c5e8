"""The verbs of the planner's next questions: ``solve`` and ``sensitivity``.

Registered in :data:`sim.cli.verbs.REGISTRATIONS` like every other verb.
"""

from __future__ import annotations

import argparse
from typing import Any

from sim.cli.exits import ExitCode, UsageError, guarded
from sim.cli.options import (
    add_scenario_arguments,
    add_status,
    add_verb,
    check_output_path,
    check_status_option,
    deliver,
    fraction,
    load_scenarios,
    positive_int,
    progress,
    run_options,
)

# --- solve --------------------------------------------------------------------


class _Vary(argparse.Action):
    """``--vary FIELD`` opens a field; the ``--range``, ``--step``, ``--direction`` apply to it."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        fields = list(getattr(namespace, "vary", None) or [])
        fields.append({"field": values, "range": None, "step": None, "direction": None})
        namespace.vary = fields


class _OfVary(argparse.Action):
    """An option that applies to the ``--vary`` before it."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        fields = getattr(namespace, "vary", None) or []
        if not fields:
            parser.error(f"{option} goes after the --vary FIELD it applies to")
        if fields[-1][self.dest] is not None:
            parser.error(f"{option} given twice for --vary {fields[-1]['field']}")
        fields[-1][self.dest] = values


def _step(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be > 0 (got {text})")
    return value


def target_probability(text: str) -> float:
    value = fraction(low_open=False)(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be > 0 (got 0)")
    return value


def _per_field(vary: list[dict[str, Any]], option: str) -> dict[str, Any]:
    return {item["field"]: item[option] for item in vary if item[option] is not None}


def cmd_solve(args: argparse.Namespace) -> int:
    from sim.answers.solving import solve
    from sim.render.questions import render_solve
    from sim.scenario.variation import VariationError

    check_output_path(args.json, args)
    if len(args.vary) > 2:
        raise UsageError(f"vary one field, or two for a frontier (got {len(args.vary)})")
    (scenario,) = load_scenarios(args)
    check_status_option(args, [scenario])
    try:
        result = solve(
            scenario,
            [item["field"] for item in args.vary],
            target=args.target,
            ranges=_per_field(args.vary, "range"),
            steps=_per_field(args.vary, "step"),
            directions=_per_field(args.vary, "direction"),
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            progress=progress(args),
            until_precision=args.until_precision,
            max_replications=args.max_replications,
            source=args.file,
            status=args.status,
        )
    except VariationError as error:
        raise UsageError(str(error)) from None
    deliver(args, render_solve(result), result)
    if args.plots is not None:
        from sim.plots.solving import save_solve_figures

        save_solve_figures(result, args.plots)
    return 0 if result.reachable else ExitCode.FAILED


def add_solve(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "solve",
        guarded(cmd_solve),
        help="find the value of one field at which P(on time) reaches the target "
        "(two fields: the frontier); exit 1 when the target is unreachable in the range",
        examples=[
            "drawdown solve scenarios/coa-clearances-month-late.yaml --vary airlift.tails -j 2",
            "drawdown solve scenarios/plan-1000.yaml --vary clearance.opens "
            "--range 2024-05-19:2024-07-31 --target 0.95",
            "drawdown solve scenarios/plan-1000.yaml --vary airlift.tails --range 2:5 "
            "--vary clearance.opens --range 2024-05-19:2024-07-31 --step 24 -n 300",
        ],
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--vary", action=_Vary, metavar="FIELD", required=True,
        help="the field to vary: airlift.tails, clearance.opens (to the hour), "
        "clearance.lead_days (a factor on its distribution), commercial.seats (a factor on "
        "every service's seats), airlift.available_from, deadline, or any numeric field "
        "with --direction; twice for a frontier",
    )  # fmt: skip
    parser.add_argument(
        "--range", action=_OfVary, dest="range", metavar="LOW:HIGH",
        help="values searched for the --vary before it (default: tails 1 to max(3×, +6); "
        "dates from start to the deadline; factors 0 to 3; the deadline to the horizon)",
    )  # fmt: skip
    parser.add_argument(
        "--step", action=_OfVary, dest="step", type=_step, metavar="S",
        help="resolution for the --vary before it: 1 for whole numbers, hours for "
        "date-times (default 1), days for the deadline, 0.05 for factors",
    )  # fmt: skip
    parser.add_argument(
        "--direction", action=_OfVary, dest="direction", choices=("increasing", "decreasing"),
        help="whether a larger value of the --vary before it helps (increasing) or "
        "hurts (decreasing); needed for fields without a known direction",
    )  # fmt: skip
    parser.add_argument(
        "--target", type=target_probability, default=0.9, metavar="P",
        help="the P(on time) to reach (default 0.9)",
    )  # fmt: skip
    run_options(parser)
    add_status(parser)
    parser.add_argument(
        "--until-precision", type=fraction(low_open=True), metavar="H",
        help="stop adding replications at the answer once its interval is ±H or narrower",
    )  # fmt: skip
    parser.add_argument(
        "--max-replications", type=positive_int, default=10_000, metavar="N",
        help="most replications per value while the answer is not yet sure (default 10000)",
    )  # fmt: skip
    parser.add_argument("--plots", metavar="DIR", help="write the figures to DIR")
    parser.set_defaults(vary=None)


# --- sensitivity ----------------------------------------------------------------


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.answers.sensitivity import sensitivity
    from sim.render.questions import render_sensitivity
    from sim.scenario.variation import VariationError

    check_output_path(args.json, args)
    (scenario,) = load_scenarios(args)
    check_status_option(args, [scenario])
    try:
        result = sensitivity(
            scenario,
            also=args.also,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            progress=progress(args),
            source=args.file,
            status=args.status,
        )
    except VariationError as error:
        raise UsageError(str(error)) from None
    deliver(args, render_sensitivity(result), result)
    if args.plots is not None:
        from sim.plots.tornado import save_tornado

        save_tornado(result, args.plots)
    return 0


def add_sensitivity(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "sensitivity",
        guarded(cmd_sensitivity),
        help="rank the uncertain inputs by how far each moves the median completion "
        "between its low and high end (a tornado)",
        examples=[
            "drawdown sensitivity scenarios/plan-1000.yaml -n 1000 -j 2 --plots out/",
            "drawdown sensitivity scenarios/plan-1000.yaml --also airlift.tails "
            "--also 'clearance.lead_days=1:10' --json out/tornado.json",
        ],
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--also", action="append", default=[], metavar="FIELD[=LOW:HIGH]",
        help="add a structural field (default bounds: ±1 for a whole number, ±10 %% for a "
        "number, ±3 days for a date-time), or give an uncertain input its own bounds "
        "instead of its P10 and P90 (repeatable)",
    )  # fmt: skip
    run_options(parser)
    add_status(parser)
    parser.add_argument("--plots", metavar="DIR", help="write the tornado chart to DIR")


# --- forecast -------------------------------------------------------------------


def cmd_forecast(args: argparse.Namespace) -> int:
    from sim.answers.forecast import forecast_cone
    from sim.render.questions import render_forecast
    from sim.scenario.status import load_status_for

    check_output_path(args.json, args)
    if args.every_days <= 0:
        raise UsageError(f"--every-days must be > 0 (got {args.every_days:g})")
    (scenario,) = load_scenarios(args)
    for status in args.status:  # every file's problems before anything runs
        load_status_for(status, scenario)
    cone = forecast_cone(
        args.file,
        statuses=args.status,
        every_days=args.every_days,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        executor=args.executor,
        progress=progress(args),
    )
    deliver(args, render_forecast(cone), cone)
    if args.plots is not None:
        from sim.plots.forecast import save_forecast_cone

        save_forecast_cone(cone, args.plots)
    return 0


def add_forecast(verbs: Any) -> None:
    parser = add_verb(
        verbs,
        "forecast",
        guarded(cmd_forecast),
        help="the forecast cone: P10/P50/P90 completion forecast from a series of statuses "
        "(the median replication's every --every-days, or the --status files given)",
        examples=[
            "drawdown forecast scenarios/historical-2024.yaml -n 300 -j 2 --plots out/",
            "drawdown forecast scenarios/historical-2024.yaml "
            "--status scenarios/status/historical-2024-as-of-2024-06-07.yaml "
            "--status scenarios/status/historical-2024-as-of-2024-07-08.yaml",
        ],
    )
    add_scenario_arguments(parser)
    parser.add_argument(
        "--status", action="append", default=[], metavar="STATUS.yaml",
        help="forecast from this status (repeatable); none: from the median replication",
    )  # fmt: skip
    parser.add_argument(
        "--every-days", type=float, default=7.0, metavar="D",
        help="without --status: a forecast every D days of the median replication (default 7)",
    )  # fmt: skip
    run_options(parser)
    parser.add_argument("--plots", metavar="DIR", help="write the forecast cone to DIR")
