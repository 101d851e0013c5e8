"""How a ``drawdown`` verb ends: exit codes, usage errors, messages instead of tracebacks."""

from __future__ import annotations

import argparse
import enum
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

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


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """A stop signal came while no worker could be running; ``exit_code`` is 128 + its number."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.exit_code = 128 + signal_number


@contextmanager
def signals_stop() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise :class:`Stopped`.

    The command line's handlers while it parses its options and runs the verbs
    that start no worker (``validate``, ``schema``): the verbs that do run
    :func:`sim.montecarlo.workers.signals_interrupt` around their work
    (:func:`guarded`), which stops the workers too. Keeping this one apart means
    ``drawdown validate`` never imports :mod:`multiprocessing` (about 20 ms).
    As there, only the first signal stops: later ones are ignored from then on.
    Afterwards the previous handlers come back, unless a signal came (the
    process is ending) or a verb's run left them ignored for the same reason.
    Outside the main thread (where Python cannot set handlers) nothing changes.
    """
    received: list[int] = []

    def stop(signal_number: int, frame: FrameType | None) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        received.append(signal_number)
        raise Stopped(signal_number)

    try:
        previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        if not received:
            for number, handler in previous.items():
                if signal.getsignal(number) is stop:
                    signal.signal(number, handler)


def print_problems(error: ScenarioError) -> None:
    for problem in error.problems:
        print(printable(str(problem)), file=sys.stderr)


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a crashed replication and impossible options into messages and exit codes.

    Every verb that runs the model is guarded: a stop signal within it stops the
    workers too (:func:`sim.montecarlo.workers.signals_interrupt`).
    """

    def guarded(args: argparse.Namespace) -> int:
        from sim.montecarlo.cluster import ExecutorError
        from sim.montecarlo.engine import ReplicationError
        from sim.montecarlo.main_guard import ParallelRunError
        from sim.montecarlo.workers import WorkerDied, signals_interrupt
        from sim.outputs import OutputError

        try:
            with signals_interrupt():  # stops the workers too
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
