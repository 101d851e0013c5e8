"""Shared options and argument types of the ``drawdown`` verbs.

Scenario arguments (FILE, ``--set``), the run options every simulating verb
takes (``-n``, ``--seed``, ``-j``, ``--executor``, ``-q``, ``--json``), argument
types with planner-worded messages, and where outputs go. Only the standard
library is imported at the top so that ``drawdown --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sim.cli.exits import EXIT_CODES, UsageError
from sim.scenario.problems import ScenarioError

if TYPE_CHECKING:
    from sim.scenario.contract import Scenario

Handler = Callable[[argparse.Namespace], int]

MAX_REPLICATIONS = 10_000_000
"""The cap of ``simulation.replications`` (``sim.scenario.contract.MAX_REPLICATIONS``), for ``-n``.

Repeated here so that parsing options does not import pydantic; a test keeps both equal."""


# --- argument types -----------------------------------------------------------


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1 (got {value})")
    return value


def replications(text: str) -> int:
    value = positive_int(text)
    if value > MAX_REPLICATIONS:
        raise argparse.ArgumentTypeError(
            f"must be ≤ {MAX_REPLICATIONS:,}, the cap of simulation.replications (got {value:,})"
        )
    return value


def jobs(text: str) -> int:
    from sim.montecarlo.workers import max_jobs

    value = positive_int(text)
    if value > max_jobs():
        raise argparse.ArgumentTypeError(
            f"must be ≤ {max_jobs()}: four per CPU of this machine, at most 64 (got {value})"
        )
    return value


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must lie in [0, 2**63) (got {value})")
    return value


def replication_index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0 (got {value})")
    return value


def fraction(low_open: bool) -> Callable[[str], float]:
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


def executor_address(text: str) -> str:
    from sim.montecarlo.cluster import ExecutorError, scheduler_address

    try:
        scheduler_address(text)
    except ExecutorError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def split_values(text: str) -> list[str]:
    """Split ``2,3,{dist: uniform, low: 1, high: 3}`` at top-level commas only.

    Commas inside braces, brackets or quotes belong to one value.
    """
    values: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return values


# --- declaring verbs and their options ---------------------------------------


def add_verb(
    verbs: Any, name: str, handler: Handler, *, help: str, examples: Sequence[str]
) -> argparse.ArgumentParser:
    """Declare a verb; its examples appear in its own ``--help`` and in ``drawdown --help``.

    Its ``--help`` ends with the exit codes, which are the same for every verb.
    """
    epilog = "examples:\n" + "\n".join(f"  {example}" for example in examples)
    epilog += "\n\n" + EXIT_CODES
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
    parser.add_argument(
        "--allow-extends-from",
        dest="extends_from",
        metavar="DIR",
        action="append",
        default=[],
        help="let extends: read scenario files under DIR too; by default a base must lie "
        "in the folder tree of the scenario that names it (repeatable)",
    )


def run_options(parser: argparse.ArgumentParser, *, outputs: bool = True) -> None:
    parser.add_argument(
        "-n",
        "--replications",
        type=replications,
        help=f"replications (default: the scenario's; at most {MAX_REPLICATIONS:,})",
    )
    parser.add_argument("--seed", type=seed, help="root seed (default: the scenario's)")
    parser.add_argument(
        "-j",
        "--jobs",
        type=jobs,
        default=1,
        help="worker processes (default 1; at most four per CPU, and 64)",
    )
    parser.add_argument(
        "--executor",
        type=executor_address,
        metavar="dask://HOST:PORT",
        help="run the replications on a Dask cluster (needs the dask extra; "
        "workers need drawdown-sim installed); results equal a local run",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (the result is still printed, unless --json - or --csv - "
        "puts data on stdout)",
    )
    if outputs:
        parser.add_argument(
            "--json",
            nargs="?",
            const="-",
            metavar="PATH",
            help="write the results as JSON to PATH, or to stdout (then nothing else goes there)",
        )


# --- reading scenarios and writing outputs ------------------------------------


def add_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status",
        metavar="STATUS.yaml",
        help="forecast: start every replication from this status (as_of, what is out, "
        "where the tails are) instead of from start",
    )


def check_status_option(args: argparse.Namespace, scenarios: list[Scenario]) -> None:
    """``--status`` checked against every scenario before anything runs (problems: exit 2)."""
    if args.status is None:
        return
    from sim.scenario.status import load_status_for

    for scenario in scenarios:
        load_status_for(args.status, scenario)


def scenario_paths(args: argparse.Namespace) -> list[str]:
    """The FILE argument(s) of a verb declared with :func:`add_scenario_arguments`."""
    return list(args.files) if hasattr(args, "files") else [args.file]


def load_scenarios(args: argparse.Namespace) -> list[Scenario]:
    """Load every scenario named on the command line, with ``--set`` overrides.

    Raises one :class:`ScenarioError` with the problems of every file.
    """
    from sim.scenario.reading import load_scenario

    scenarios: list[Scenario] = []
    problems = []
    for path in scenario_paths(args):
        try:
            scenarios.append(
                load_scenario(path, args.overrides, allow_extends_from=args.extends_from)
            )
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def check_output_path(path: str | None, args: argparse.Namespace) -> None:
    """Refuse, before anything runs, an output path that cannot work.

    A result is never written over a scenario file (``--json a.yaml`` typed by
    mistake). Missing folders are fine: every output option creates its parent
    folders when it writes (:func:`write_output`), as ``--plots DIR`` does, so
    ``--json out/run.json`` works on a fresh clone. A folder, a file where a
    folder should be, or a read-only folder is :class:`sim.outputs.OutputError`
    (``PATH: cannot write: reason``) now rather than after the run.
    """
    if path is None or path == "-":
        return
    from sim.outputs import check_writable

    check_writable(path)  # first: it also refuses paths that cannot be resolved (a NUL byte)
    target = Path(path)
    inputs = {Path(p).resolve() for p in scenario_paths(args) if "\0" not in p}
    if target.suffix.lower() in (".yaml", ".yml") or target.resolve() in inputs:
        raise UsageError(f"will not write results over a scenario file ({path}); put --json last")


def output_folder(path: str | os.PathLike[str]) -> None:
    """Create the parent folders of an output file (the one rule for every output option)."""
    from sim.outputs import output_directory

    output_directory(Path(path).parent)


def write_output(path: str, text: str) -> None:
    from sim.outputs import write_atomic

    if path == "-":
        sys.stdout.write(text)
    else:
        output_folder(path)
        write_atomic(path, text)


def progress(args: argparse.Namespace) -> bool | None:
    """``-q`` silences the progress bar, and only that: the result is what a verb prints."""
    return False if args.quiet else None


def add_csv(parser: argparse.ArgumentParser, rows: str) -> None:
    """``--csv PATH``: ``rows`` (e.g. "one row per scenario") as CSV, ``-`` for stdout."""
    parser.add_argument("--csv", metavar="PATH", help=f"{rows} as CSV to PATH (- stdout)")


def check_data_outputs(args: argparse.Namespace) -> None:
    """The ``--json`` and ``--csv`` paths of a verb, checked before anything runs."""
    json_path, csv_path = getattr(args, "json", None), getattr(args, "csv", None)
    check_output_path(json_path, args)
    check_output_path(csv_path, args)
    if json_path == "-" and csv_path == "-":
        raise UsageError("--json and --csv cannot both go to stdout")


def result_on_stdout(args: argparse.Namespace) -> bool:
    """Whether the verb prints its result table: unless stdout carries ``--json -``/``--csv -``.

    ``-q`` does not change this (it silences the progress bar only).
    """
    return "-" not in (getattr(args, "json", None), getattr(args, "csv", None))


class Exported(Protocol):
    """A result that the data renderer writes as JSON."""

    def to_json(self) -> str: ...


@runtime_checkable
class Tabulated(Exported, Protocol):
    """A result with rows, written as CSV too (the verbs that offer ``--csv``)."""

    def to_csv(self) -> str: ...


def deliver(args: argparse.Namespace, table: str, result: Exported) -> None:
    """A verb's answer: its table on stdout (unless data goes there), then ``--json``/``--csv``."""
    from sim.render.terminal import printable

    if result_on_stdout(args):
        print(printable(table), end="")
    if args.json is not None:
        write_output(args.json, result.to_json())
    if getattr(args, "csv", None) is not None:
        assert isinstance(result, Tabulated), "a verb offers --csv only for results with rows"
        write_output(args.csv, result.to_csv())
