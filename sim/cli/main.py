"""The ``drawdown`` command line: the parser and :func:`main`.

The verbs live in :mod:`sim.cli.verbs`, their shared options and argument types
in :mod:`sim.cli.options`, exit codes and error messages in :mod:`sim.cli.exits`.
Only the standard library is imported at the top so that ``drawdown --help``
and ``drawdown validate`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from sim.cli.exits import EXIT_CODES, ExitCode, print_problems, signals_stop
from sim.cli.options import Handler
from sim.cli.verbs import REGISTRATIONS
from sim.scenario.problems import ScenarioError


class _VersionAction(argparse.Action):
    """``--version`` and the build that runs the model (compiled or pure Python), with the
    installed version looked up only when asked for.

    Reading package metadata costs ~30 ms, which every other command would pay
    if the string were built with the parser.
    """

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from sim import native
        from sim.version import package_version

        build = native.choose().describe()
        sys.stdout.write(f"{parser.prog} {package_version()}\nmodel: {build}\n")
        parser.exit()


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The ``drawdown`` parser: every verb, or with ``verb`` that verb alone.

    Declaring the twelve verbs costs about 5 ms (every option builds a help
    formatter, which asks the terminal for its size): :func:`main` declares only
    the verb it is given. An unknown ``verb`` gets them all, for the usage error.
    """
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
    chosen = [register for register in REGISTRATIONS if register.__name__ == f"add_{verb}"]
    for register in chosen or REGISTRATIONS:
        register(verbs)
    if verb is not None and verb not in verbs.choices:  # add_<name> declared another name
        return build_parser()
    examples = [
        example
        for verb_parser in verbs.choices.values()
        for example in verb_parser.get_default("examples") or ()
    ]
    parser.epilog = (
        "examples:\n" + "\n".join(f"  {example}" for example in examples) + "\n\n" + EXIT_CODES
    )
    return parser


def _verb(argv: Sequence[str] | None) -> str | None:
    """The verb named on the command line, if it comes first (as in ``drawdown run ...``)."""
    words = sys.argv[1:] if argv is None else list(argv)
    return words[0] if words and not words[0].startswith("-") else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting.

    SIGINT, SIGTERM and SIGHUP stop any verb alike (:func:`sim.cli.exits.signals_stop`,
    and :func:`sim.montecarlo.workers.signals_interrupt` in the verbs that run the
    model): workers are stopped and joined, and the exit code is 128 + the signal's
    number (130 for Ctrl-C). After such a signal the three stay ignored: the
    process is ending, and a second Ctrl-C must not cut the cleaning up short
    with a traceback.
    """
    # Pydantic plugins are observability hooks that drawdown never uses; looking for
    # them reads the entry points of every installed distribution (7-11 ms here).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser(_verb(argv))
    with signals_stop():
        try:
            args = parser.parse_args(argv)
            handler: Handler = args.handler
            return handler(args)
        except SystemExit as exit_:  # argparse: --help, --version, usage errors
            if exit_.code is None:
                return ExitCode.OK
            return exit_.code if isinstance(exit_.code, int) else ExitCode.USAGE
        except ScenarioError as error:
            print_problems(error)
            return ExitCode.USAGE
        except KeyboardInterrupt as interrupt:
            print("drawdown: interrupted", file=sys.stderr)
            # A stop signal (Stopped, or Interrupted within a run): 128 + its number.
            exit_code: int = getattr(interrupt, "exit_code", ExitCode.INTERRUPTED)
            return exit_code
        except BrokenPipeError:  # `drawdown schema | head`: the reader left; nothing to report
            sys.stderr.close()
            return 141
