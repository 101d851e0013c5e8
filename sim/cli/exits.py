"""How a ``drawdown`` verb ends: exit codes, usage errors, messages instead of tracebacks."""

from __future__ import annotations

import argparse
import enum
import sys
from collections.abc import Callable

from sim.render.terminal import printable
from sim.scenario.problems import ScenarioError


class ExitCode(enum.IntEnum):
    """The exit codes of every verb (also listed in ``drawdown --help``)."""

    OK = 0
    FAILED = 1  # a gate (--fail-under) or an expectation (check) failed
    USAGE = 2  # bad input or usage: nothing was run
    CRASHED = 3  # a replication crashed or a worker died; the message says which
    INTERRUPTED = 130  # Ctrl-C; 128 + the signal's number for SIGTERM (143) and SIGHUP (129)


EXIT_CODES = """exit codes:
  0    success
  1    a gate (--fail-under) or an expectation (check) failed
  2    bad input or usage; nothing was run
  3    a replication crashed or a worker died (the message says which)
  130  interrupted (128 + the signal's number for other signals)"""
"""The epilog of ``drawdown --help`` and of every verb's ``--help``."""


class UsageError(Exception):
    """Options that parse but cannot work together."""


def print_problems(error: ScenarioError) -> None:
    for problem in error.problems:
        print(printable(str(problem)), file=sys.stderr)


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a crashed replication and impossible options into messages and exit codes."""

    def guarded(args: argparse.Namespace) -> int:
        from sim.montecarlo.cluster import ExecutorError
        from sim.montecarlo.engine import ReplicationError
        from sim.montecarlo.main_guard import ParallelRunError
        from sim.montecarlo.workers import WorkerDied
        from sim.outputs import OutputError

        try:
            return handler(args)
        except OutputError as error:  # a directory, a read-only folder, a full disk
            print(f"drawdown {args.verb}: error: {printable(str(error))}", file=sys.stderr)
            return ExitCode.USAGE
        except ExecutorError as error:  # Dask not installed, or its scheduler not reachable
            print(f"drawdown {args.verb}: error: {printable(str(error))}", file=sys.stderr)
            return ExitCode.USAGE
        except (WorkerDied, ParallelRunError) as error:  # a worker died or could not start
            print(f"drawdown {args.verb}: error: {error}", file=sys.stderr)
            return ExitCode.CRASHED
        except ReplicationError as error:
            print(f"drawdown: {printable(str(error))}", file=sys.stderr)
            if error.details:
                print(error.details.rstrip(), file=sys.stderr)
            return ExitCode.CRASHED
        except UsageError as error:
            print(f"drawdown {args.verb}: error: {printable(str(error))}", file=sys.stderr)
            return ExitCode.USAGE

    guarded.__name__ = handler.__name__
    return guarded
