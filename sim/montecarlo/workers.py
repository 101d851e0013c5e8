"""Worker processes a run owns: started together, stopped together, never left behind.

The Monte Carlo engine (:mod:`sim.montecarlo.engine`) takes its processes from
:func:`start_pool` and stops them with :func:`stop_workers`; every pool follows
one policy, whatever its start method:

- **Interrupts are the parent's business.** Workers ignore SIGINT (Ctrl-C
  reaches the whole process group) and SIGHUP; SIGINT is held back while they
  start, so that none is interrupted while still starting.
- **Any exception or interrupt in the parent stops every worker**: they are
  terminated, joined for up to :data:`STOP_SECONDS`, then killed, so that the
  parent exits at once and leaves no process behind.
- **A worker never outlives its parent**: a thread in each worker waits on the
  parent's sentinel and ends the worker when the parent is gone (even by
  ``kill -9``); the resource tracker then ends too.
- **A worker that dies** (killed, out of memory) breaks the pool: the runner
  reports it as :class:`WorkerDied`, naming the replications that were lost.

The command line turns SIGINT, SIGTERM and SIGHUP into :class:`Interrupted`
(see :func:`signals_interrupt`), so all three stop a run the same way as Ctrl-C.
While the main thread calls into a pool, the interrupt waits until the call is
done (:class:`signals_deferred`): raised half-way, it could leave a lock of the
pool held, and the process would hang at exit.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

try:
    import fcntl
except ImportError:  # (Windows)
    fcntl = None  # type: ignore[assignment]

STOP_SECONDS = 1.0
"""How long stopped workers get to end before they are killed."""

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals that stop a run (exit code 128 + signal number)."""


def max_jobs() -> int:
    """Most worker processes a run may start: four per CPU, at most 64.

    More than the machine's CPUs only adds start-up cost and memory (about 55 MB
    each); ``-j 1000`` once started 999 interpreters and exhausted memory.
    """
    return min(64, 4 * (os.cpu_count() or 1))


def check_jobs(jobs: int) -> None:
    """Refuse a number of local worker processes outside ``1 … max_jobs()``."""
    limit = max_jobs()
    if not 1 <= jobs <= limit:
        raise ValueError(
            f"jobs must lie in [1, {limit}] (four per CPU of this machine, at most 64; got {jobs})"
        )


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP); ``signal_number`` says which."""

    def __init__(self, signal_number: int = signal.SIGINT) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    @property
    def exit_code(self) -> int:
        return 128 + self.signal_number


class WorkerDied(RuntimeError):
    """A worker process ended abruptly; ``lost``: (scenario name, replications) not simulated."""

    def __init__(self, lost: Sequence[tuple[str, range]]) -> None:
        self.lost = tuple(lost)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = sum(len(span) for _, span in self.lost)
        by_name: dict[str, list[range]] = {}
        for name, span in self.lost:
            by_name.setdefault(name, []).append(span)
        where = "; ".join(
            f"{name} "
            + ", ".join(
                str(span.start) if len(span) == 1 else f"{span.start}–{span.stop - 1}"
                for span in _merged(spans)
            )
            for name, spans in by_name.items()
        )
        lost = f"{count:,} replication{'s' if count != 1 else ''} lost"
        return (
            "a worker process died (killed, or out of memory); "
            + (f"{lost} ({where})" if where else lost)
            + "; nothing was written"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.lost,))


def _merged(spans: Sequence[range]) -> list[range]:
    merged: list[range] = []
    for span in sorted(spans, key=lambda item: item.start):
        if merged and merged[-1].stop == span.start:
            merged[-1] = range(merged[-1].start, span.stop)
        else:
            merged.append(span)
    return merged


# --- the parent: one way to turn signals into an interrupt ------------------------------


_STOP_REQUESTED: list[int] = []
"""The stop signal received, if any (the engine checks it between chunks)."""

_DEFERRING: list[int] = [0, 0]
"""Depth of :class:`signals_deferred` blocks in the main thread (the handler then only
records), and whether a signal was deferred (1) to be raised when the outermost one ends."""


def check_stop() -> None:
    """Raise :class:`Interrupted` again if a stop signal came.

    The handler raises at once, but Python runs it wherever the main thread is;
    inside a finaliser or a weak-reference callback the exception would be
    printed and dropped, and the run would go on with the signals ignored.
    """
    if _STOP_REQUESTED:
        raise Interrupted(_STOP_REQUESTED[0])


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted`.

    Only the first signal interrupts: later ones (a second Ctrl-C while workers
    are being stopped) are ignored from then on, so that cleaning up and exiting
    are never cut short by a traceback. Without a signal, the previous handlers
    come back afterwards. Outside the main thread (where Python cannot set
    handlers) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = _STOP_REQUESTED

    def interrupt(signal_number: int, frame: FrameType | None) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        received.append(signal_number)
        if _DEFERRING[0]:  # raised when the block ends (signals_deferred)
            _DEFERRING[1] = 1
            return
        raise Interrupted(signal_number)

    previous = {number: signal.signal(number, interrupt) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        if not received:  # after a signal the process is ending: the signals stay ignored
            for number, handler in previous.items():
                signal.signal(number, handler)


class signals_deferred:  # lower case: used like a function, ``with signals_deferred():``
    """Within the block, a stop signal is only recorded; :class:`Interrupted` is raised at its end.

    Python runs a signal handler between any two bytecodes of the main thread. One
    that raises can do so inside ``threading.Condition.__enter__``, after the lock
    is taken and before the ``with`` block that would release it begins: a
    future's condition or the pool's work-queue lock stays held for ever. The
    pool's manager thread then blocks on it, and the interpreter, which joins
    that thread before exiting, hangs after "interrupted" (about one interrupt in
    five that lands in ``submit`` or ``Future.cancel`` leaves a lock held). Every
    call into a pool is made in such a block; the code in it never blocks for
    long (waits poll), so that the interrupt still comes within a moment.
    """

    def __init__(self) -> None:
        self.main = threading.current_thread() is threading.main_thread()  # (handlers run there)

    def __enter__(self) -> None:
        _DEFERRING[0] += self.main

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if not self.main:
            return
        _DEFERRING[0] -= 1
        if not _DEFERRING[0] and _DEFERRING[1]:
            _DEFERRING[1] = 0
            if kind is None:  # (else an exception is on its way already)
                check_stop()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT back for a moment: a signal arriving meanwhile is delivered afterwards.

    Processes started meanwhile inherit SIGINT blocked (the signal mask survives
    fork and exec), so a worker cannot be interrupted while still importing NumPy,
    before its initializer ignores SIGINT. Not available on Windows: there the
    initializer alone protects workers.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# --- the worker side --------------------------------------------------------------------


def _start_worker() -> None:
    """Worker initializer: deaf to interrupts, and gone as soon as the parent is.

    SIGTERM gets its default action back (a forked worker inherits the parent's
    handler), so that stopping a worker ends it at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = multiprocessing.parent_process()
    if parent is not None:
        watch = threading.Thread(
            target=_end_with, args=(parent.sentinel,), name="parent-watch", daemon=True
        )
        watch.start()


def _end_with(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)  # the parent is gone: nobody will read a result


# --- the pool ---------------------------------------------------------------------------


class OwnPool(ProcessPoolExecutor):
    """A pool owned by one engine (from :func:`start_pool`), as opposed to one passed in.

    Its futures tolerate being failed after they were cancelled. The engine cancels
    chunks the main process takes over; when a worker dies, CPython 3.11's pool
    fails every pending future, cancelled ones included, and its manager thread
    stopped half-way with ``InvalidStateError`` (a traceback, and futures left
    pending for ever).
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        fail = future.set_exception

        def set_exception(exception: BaseException | None) -> None:
            with suppress(InvalidStateError):  # already cancelled: nothing to tell
                fail(exception)

        setattr(future, "set_exception", set_exception)  # noqa: B010 (an instance's method)
        return future


def check_workers(pool: Executor) -> None:
    """Raise ``BrokenProcessPool`` if a worker of ``pool`` has ended (during a run, it died).

    The pool's manager thread says so too, by failing the pending futures, unless it
    is itself stuck (on half a result from a worker killed while sending it) or gone
    (CPython 3.11's race when work is submitted while it fails the pending futures):
    the run would then wait for ever, or go on in this process alone. Reads the
    workers' sentinels without reaping them.
    """
    processes = (getattr(pool, "_processes", None) or {}).values()
    if multiprocessing.connection.wait([process.sentinel for process in processes], timeout=0):
        raise BrokenProcessPool("a worker process ended during the run")


def start_pool(workers: int, start_method: str = "spawn") -> OwnPool:
    """A pool of ``workers`` processes, all started now, deaf to Ctrl-C from birth.

    (The pool starts one worker per submitted task until it has ``workers`` of them.)
    """
    pool = OwnPool(
        max_workers=workers,
        mp_context=multiprocessing.get_context(start_method),
        initializer=_start_worker,
    )
    _widen(getattr(getattr(pool, "_result_queue", None), "_reader", None))
    try:
        with signals_deferred(), _interrupts_held(), heap_frozen(start_method == "fork"):
            for _ in range(workers):
                pool.submit(int)
    except BaseException:
        stop_workers(pool)
        raise
    return pool


RESULT_PIPE_BYTES = 1 << 20
"""Room in the pipe that carries the workers' results (Linux; 64 kB by default)."""


def _widen(connection: Any) -> None:
    """Give the results' pipe room for a whole chunk's part (about 150 kB), where possible.

    A worker writes its part in one go, and waited until the parent had read all but
    the last 64 kB. The parent reads in its pool's manager thread, which must take
    the interpreter lock from a main thread busy simulating at each 64 kB: the
    worker stood idle some 50 ms per chunk, a quarter of its time at ``-j 2``. With
    room for the whole part, it goes on with its next chunk at once.
    """
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if connection is None or set_size is None:
        return
    with suppress(OSError):  # (a limit of the system's, or not a pipe: the default stays)
        fcntl.fcntl(connection.fileno(), set_size, RESULT_PIPE_BYTES)


@contextmanager
def heap_frozen(when: bool = True) -> Iterator[None]:
    """Within the block, this process's objects are out of the garbage collector's reach.

    Replications make many short-lived objects, and every full collection walked
    the whole heap of the process besides (pydantic, the scenario, the caller's
    data): about 45 ms each, some 2 % of a run. Objects made within the block are
    collected as usual, and those from before it again after it. A worker forked
    meanwhile inherits them frozen, for good (and its collections no longer copy
    the parent's heap page by page). Nothing is done when something else froze
    objects already (``gc.freeze`` is the process's), nor unless ``when``.
    """
    if not when or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` now: terminate, join briefly, kill what is left.

    Chunks already running would otherwise be finished before the interpreter may
    exit. The pool's private parts used here (``_processes``, ``_call_queue``,
    ``_result_queue``) are dropped by ``shutdown``: they are read first.
    """
    with signals_deferred():  # (a first signal now must not leave the pool's locks held)
        _stop_workers(pool)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    processes: list[Any] = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    # A chunk half-written into the pipe to a stopped worker would block the queue's
    # feeder thread for ever, and the pool's manager thread joins it before the
    # interpreter may exit: the process hung after "interrupted". Do not join it.
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        call_queue.cancel_join_thread()
    result_writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)  # see below
    pool.shutdown(wait=False, cancel_futures=True)  # (it drops the queues: read them first)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    # A worker stopped half-way through sending a result leaves half a message in
    # the result pipe; the manager thread would wait for the rest for ever, since
    # this process holds the pipe's write end too (forked workers share it). With
    # every worker gone, closing it gives the manager an end of file instead.
    if result_writer is not None:
        result_writer.close()
