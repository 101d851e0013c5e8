"""The ``drawdown`` command line: one verb per task, all sharing one way to load scenarios.

Adding a verb: write ``cmd_<verb>(args) -> int`` and ``add_<verb>(verbs)`` (which
calls :func:`add_verb` and declares the verb's options, using
:func:`add_scenario_arguments` when it reads scenarios), then list ``add_<verb>``
in :data:`REGISTRATIONS`. Inside ``cmd_<verb>`` load scenarios with
:func:`load_scenarios` and let :class:`~sim.errors.ScenarioError` propagate:
:func:`main` prints its problems and exits 2.

Exit codes: 0 success, 1 a check failed (``check``), 2 bad input or usage,
130 interrupted. The module imports only the standard library and
:mod:`sim.errors` at the top so that ``drawdown --help`` and ``drawdown validate``
start fast; heavy modules (NumPy, SimPy, matplotlib, pandas) are imported inside
the verbs that need them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sim.commands import PLANNER_VERBS  # run, compare, sweep, check, trace
from sim.errors import ScenarioError
from sim.report import add_report  # the HTML report (matplotlib imported lazily)

if TYPE_CHECKING:
    from sim.scenario import Scenario

Handler = Callable[[argparse.Namespace], int]


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("drawdown-sim")
    except metadata.PackageNotFoundError:  # running from a source tree without `pip install`
        return "unknown (not installed)"


class _VersionAction(argparse.Action):
    """``--version``, with the installed version looked up only when asked for.

    Reading package metadata costs ~30 ms, which every other command would pay
    if the string were built with the parser.
    """

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")
        parser.exit()


# --- shared helpers for verbs -------------------------------------------------


def add_verb(
    verbs: Any, name: str, handler: Handler, *, help: str, examples: Sequence[str]
) -> argparse.ArgumentParser:
    """Declare a verb; its examples appear in its own ``--help`` and in ``drawdown --help``."""
    epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)
    parser: argparse.ArgumentParser = verbs.add_parser(
        name,
        help=help,
        description=help,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler, examples=tuple(examples))
    return parser


def add_scenario_arguments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """The scenario FILE argument(s) and ``--set KEY=VALUE`` overrides."""
    parser.add_argument(
        "files" if many else "file",
        metavar="FILE",
        nargs="+" if many else None,
        help="scenario YAML file" + ("s" if many else ""),
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="override a field after extends, e.g. --set airlift.tails=4 "
        "or --set 'clearance.lead_days={dist: uniform, low: 1, high: 3}' (repeatable)",
    )


def scenario_paths(args: argparse.Namespace) -> list[str]:
    """The FILE argument(s) of a verb declared with :func:`add_scenario_arguments`."""
    return list(args.files) if hasattr(args, "files") else [args.file]


def load_scenarios(args: argparse.Namespace) -> list[Scenario]:
    """Load every scenario named on the command line, with ``--set`` overrides.

    Raises one :class:`ScenarioError` with the problems of every file.
    """
    from sim.loader import load_scenario

    scenarios: list[Scenario] = []
    problems = []
    for path in scenario_paths(args):
        try:
            scenarios.append(load_scenario(path, args.overrides))
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def print_problems(error: ScenarioError) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)


# --- validate -----------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.loader import explain, load_scenario

    all_valid = True
    for path in scenario_paths(args):
        try:
            scenario = load_scenario(path, args.overrides)
        except ScenarioError as error:
            print_problems(error)
            all_valid = False
            continue
        if args.explain:
            print(f"# {path}: resolved after extends, overrides and defaults")
            print(explain(scenario), end="")
        else:
            print(f"{path}: ok")
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


# --- schema -------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from sim.loader import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False))
    return 0


def add_schema(verbs: Any) -> None:
    add_verb(
        verbs,
        "schema",
        cmd_schema,
        help="print the JSON Schema of scenario files (for editors)",
        examples=["drawdown schema > scenarios/scenario.schema.json"],
    )


# --- calibrate ----------------------------------------------------------------


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibration import calibrate, render_calibration
    from sim.commands import _check_output_path, _write

    _check_output_path(args.json, args)
    try:
        result = calibrate(
            args.file,
            overrides=args.overrides,
            replications=args.replications,
            seed=args.seed,
            jobs=args.jobs,
        )
    except ValueError as error:  # no observed: points
        print(f"drawdown calibrate: error: {error}", file=sys.stderr)
        return 2
    if args.json is not None:
        _write(args.json, result.to_json())
    if args.json != "-" and not args.quiet:
        print(render_calibration(result), end="")
    return 0


def add_calibrate(verbs: Any) -> None:
    from sim.commands import _guarded, _run_options

    parser = add_verb(
        verbs,
        "calibrate",
        _guarded(cmd_calibrate),
        help="compare a scenario's replications with its observed: points from the record",
        examples=["drawdown calibrate scenarios/historical-2024.yaml -n 1000 -j 2"],
    )
    add_scenario_arguments(parser)
    _run_options(parser)


# --- main ---------------------------------------------------------------------

# Every verb's registration function, in the order `drawdown --help` lists them.
REGISTRATIONS: list[Callable[[Any], None]] = [
    add_validate,
    add_schema,
    *PLANNER_VERBS,
    add_report,
    add_calibrate,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drawdown",
        description="Will the drawdown from Air Base 101 finish before its deadline? "
        "Monte Carlo simulation of scenario files.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="show the version and exit"
    )
    verbs = parser.add_subparsers(title="verbs", dest="verb", metavar="VERB", required=True)
    for register in REGISTRATIONS:
        register(verbs)
    examples = [
        example
        for verb_parser in verbs.choices.values()
        for example in verb_parser.get_default("examples") or ()
    ]
    parser.epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler: Handler = args.handler
        return handler(args)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        if exit_.code is None:
            return 0
        return exit_.code if isinstance(exit_.code, int) else 2
    except ScenarioError as error:
        print_problems(error)
        return 2
    except KeyboardInterrupt:
        print("drawdown: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `drawdown schema | head`: the reader left; nothing to report
        sys.stderr.close()
        return 141
