"""The Monte Carlo engine: many replications, in parallel, reduced as they are made.

One :class:`Engine` serves every run of a command (``run`` of several files,
``compare``, ``sweep``, ``calibrate``, ``report``, a notebook's loop): it owns
at most one pool of worker processes, started on first use and stopped when
the engine is closed::

    with Engine(jobs=2) as engine:
        table = engine.run(scenario, TableReduction(layout))
        tables = engine.run_many([Batch(a, ...), Batch(b, ...)])  # one queue, no barrier

**Chunks and reductions.** Replications go to workers in *chunks* (a range of
replication indices). By default chunks are *guided*: full-sized
(:func:`default_chunk_size`) while much is left, then a shrinking share of what
is left (:data:`GUIDED_SHARE`), so that every process finishes at about the same
time instead of waiting for the last full chunks of the others. A worker
simulates each replication of its chunk and
reduces the chunk at once with the run's :class:`Reduction` (a compact table of
records for the scores, the people and cargo out at given instants for the
calibration, …); the parent combines the parts in replication order, never in
order of arrival. Since replication *i* draws its random numbers from
``SeedSequence(seed, spawn_key=(i, ...))`` alone, the numbers are identical for
any number of workers and any chunk size, and replication *i* replays alone.

**Workers.** With ``jobs > 1`` and no ``executor``, the engine starts ``jobs - 1``
worker processes and the main process is the ``jobs``-th: it simulates chunks
from the end of the queue while the workers take them from the front. Workers
are forked on Linux when the main process runs no other thread (a fork copies
the parent's imports in about 5 ms, where a spawned interpreter takes about
200 ms); elsewhere, or once threads run (forking them is unsafe), they are
spawned, and import only what simulation needs: the scenario they receive is
compiled to plain data (:mod:`sim.scenario.compiled`), so no pydantic, YAML or
plotting library is loaded. The global start method is never touched. Any other
:class:`concurrent.futures.Executor` can be passed (threads, Dask's
``Client.get_executor()``), or the address of a Dask cluster,
``"dask://HOST:PORT"`` (see :mod:`sim.montecarlo.cluster`).

**One progress bar per command.** Each run shows its own bar, unless a
command opens one over all its runs with :meth:`Engine.progress_over` (``solve``,
``sensitivity``, ``report``): every run inside adds its replications to that bar,
whose total is the command's when known up front and grows when a run goes beyond
it (the bar never shows more done than its total).

**Interrupts and faults** (:mod:`sim.montecarlo.workers`). Ctrl-C, SIGTERM or
SIGHUP (as the command line handles them) cancel pending chunks, stop and join
the workers and re-raise; workers ignore SIGINT so that only the parent reacts,
and end when their parent does. A worker that dies (``kill -9``, out of memory)
is :class:`~sim.montecarlo.workers.WorkerDied`, naming the replications lost.
A failing replication is re-raised as :class:`ReplicationError`, naming its
index and seed so that it can be replayed alone. ``jobs`` is at most
:func:`~sim.montecarlo.workers.max_jobs`.
"""

from __future__ import annotations

import functools
import math
import pickle
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sim.montecarlo.main_guard import (
    ParallelRunError,
    explain,
    refuse_while_bootstrapping,
    reimported_script,
)
from sim.montecarlo.workers import (
    OwnPool,
    WorkerDied,
    check_jobs,
    check_stop,
    check_workers,
    heap_frozen,
    signals_deferred,
    start_pool,
    stop_workers,
)
from sim.render.terminal import printable

if TYPE_CHECKING:
    from sim.replication.outcome import ReplicationResult
    from sim.replication.prepared import Prepared
    from sim.scenario.contract import Scenario

Part = TypeVar("Part")
Answer = TypeVar("Answer")

MAX_CHUNK = 50
"""Replications per chunk at most: enough to amortise a task, few enough to balance the load."""

IN_FLIGHT_PER_WORKER = 3
"""Chunks submitted ahead per worker: work queued for each, never the whole run at once."""

GUIDED_SHARE = 4
"""A guided chunk is at most 1 / (GUIDED_SHARE × processes) of the replications left:
near the end of a run, chunks shrink, and no process idles while another finishes
a full chunk (measured: the main process waited about 2.5 full chunks at the end)."""

MIN_GUIDED_CHUNK = 2
"""Replications per guided chunk at least: every chunk costs a round trip to a worker."""

HAND_OVER_SECONDS = 0.05
"""How long a run waits at most, at its start, for its first chunks to reach the workers."""

POLL_SECONDS = 0.1
"""How often a wait for workers looks whether a stop signal came."""


class ReplicationError(RuntimeError):
    """A replication raised an exception; ``index`` and ``seed`` replay it alone."""

    def __init__(self, index: int, seed: int, message: str, details: str = "") -> None:
        self.index = index
        self.seed = seed
        self.message = message
        self.details = details
        super().__init__(
            f"replication {index} (seed {seed}) failed: {message}; replay it alone with "
            f"`drawdown trace FILE --replication {index} --seed {seed}`"
        )

    def __reduce__(self) -> tuple[Any, ...]:  # exceptions cross process boundaries by pickle
        return (type(self), (self.index, self.seed, self.message, self.details))


class Reduction(Generic[Part, Answer]):
    """What a run keeps of its replications: reduced per chunk in the worker, then combined.

    A reduction is sent to the workers with its batch (pickled once, unpickled once
    per worker), so it must pickle and should be small; its module must not import
    pydantic, YAML or plotting.
    """

    def reduce(self, results: list[ReplicationResult]) -> Part:
        """The part of one chunk (in the worker), from its results in replication order."""
        raise NotImplementedError  # pragma: no cover - overridden

    def combine(self, parts: list[Part]) -> Answer:
        """The answer of the run (in the parent), from its chunks' parts in replication order."""
        raise NotImplementedError  # pragma: no cover - overridden


@dataclass(frozen=True)
class Batch(Generic[Part, Answer]):
    """Replications ``indices`` of a prepared scenario with root ``seed``, and their reduction."""

    prepared: Prepared
    seed: int
    indices: range
    reduction: Reduction[Part, Answer]


def default_chunk_size(replications: int, workers: int) -> int:
    """Some 32 chunks per worker (load balance, progress), at most :data:`MAX_CHUNK` each."""
    return max(1, min(MAX_CHUNK, math.ceil(replications / (max(workers, 1) * 32))))


class _Work:
    """The replications of a run not yet handed out, as spans of its batches.

    Workers take chunks from the front, the main process from the back. With a
    fixed ``size`` (``guided=False``) the chunks are those of a grid from each
    batch's first index, whichever end they are taken from; guided, a chunk is
    at most 1 / (:data:`GUIDED_SHARE` × ``processes``) of what is left. Chunks
    never cross from one batch into the next.
    """

    def __init__(
        self, batches: Sequence[Batch[Any, Any]], size: int, processes: int, *, guided: bool
    ) -> None:
        self.spans = deque(
            (position, batch.indices) for position, batch in enumerate(batches) if batch.indices
        )
        self.left = sum(len(span) for _, span in self.spans)
        self.size = size
        self.share = GUIDED_SHARE * max(1, processes)
        self.guided = guided

    def __bool__(self) -> bool:
        return self.left > 0

    def _guided_size(self) -> int:
        share = -(-self.left // self.share)  # (ceiling)
        return max(min(MIN_GUIDED_CHUNK, self.size), min(self.size, share))

    def front(self) -> tuple[int, range]:
        """The next chunk from the front: (batch position, replication indices)."""
        position, span = self.spans[0]
        size = self._guided_size() if self.guided else self.size
        chunk, rest = span[:size], span[size:]
        if rest:
            self.spans[0] = (position, rest)
        else:
            self.spans.popleft()
        self.left -= len(chunk)
        return position, chunk

    def back(self) -> tuple[int, range]:
        """The next chunk from the back: (batch position, replication indices)."""
        position, span = self.spans[-1]
        size = self._guided_size() if self.guided else len(span) % self.size or self.size
        chunk, rest = span[-size:], span[:-size]
        if rest:
            self.spans[-1] = (position, rest)
        else:
            self.spans.pop()
        self.left -= len(chunk)
        return position, chunk

    def remaining(self) -> list[tuple[int, range]]:
        return list(self.spans)


# --- the worker side ----------------------------------------------------------


def simulate_chunk(
    prepared: Prepared, seed: int, start: int, stop: int, reduction: Reduction[Part, Any]
) -> Part:
    """Simulate replications ``start`` … ``stop - 1`` and reduce them."""
    from sim.replication import drawdown

    results = []
    for index in range(start, stop):
        try:
            results.append(drawdown.simulate(prepared, index, seed=seed))
        except Exception as error:
            raise ReplicationError(
                index, seed, f"{type(error).__name__}: {error}", traceback.format_exc()
            ) from error
    return reduction.reduce(results)


@functools.lru_cache(maxsize=8)
def _unpickled(payload: bytes) -> tuple[Prepared, Reduction[Any, Any]]:
    return cast("tuple[Prepared, Reduction[Any, Any]]", pickle.loads(payload))


def simulate_shipped(payload: bytes, seed: int, start: int, stop: int) -> Any:
    """:func:`simulate_chunk` of a batch's (prepared scenario, reduction) pickled in ``payload``.

    A batch is pickled once in the parent, and unpickled once per worker (the last
    few are kept): sending it with every chunk cost about 1 ms per chunk.
    """
    prepared, reduction = _unpickled(payload)
    return simulate_chunk(prepared, seed, start, stop, reduction)


def simulate_traced(prepared: Prepared, seed: int, index: int) -> ReplicationResult:
    """Replication ``index`` again, keeping its event trace (for the pictures of a run)."""
    from sim.replication import drawdown

    try:
        return drawdown.simulate(prepared, index, seed=seed, trace=True)
    except Exception as error:
        raise ReplicationError(
            index, seed, f"{type(error).__name__}: {error}", traceback.format_exc()
        ) from error


def start_method() -> str:
    """``fork`` on Linux while this process runs a single thread; ``spawn`` otherwise."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "spawn"


# --- the parent side ----------------------------------------------------------


class Engine:
    """Runs replications for one command: at most one pool, reductions per chunk.

    ``jobs``: processes simulating (1: this process alone); ``executor``: any
    :class:`concurrent.futures.Executor`, or ``"dask://HOST:PORT"``, used
    instead of a pool of the engine's own (its workers count as ``jobs`` for
    chunking). ``chunk_size``: replications per chunk (default:
    :func:`default_chunk_size`). ``progress``: a progress bar on stderr after
    one second (None: only when stderr is a terminal).
    """

    def __init__(
        self,
        jobs: int = 1,
        executor: Executor | str | None = None,
        *,
        chunk_size: int | None = None,
        progress: bool | None = None,
    ) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be ≥ 1 (got {jobs})")
        if chunk_size is not None and chunk_size < 1:
            raise ValueError(f"chunk_size must be ≥ 1 (got {chunk_size})")
        if executor is None:
            check_jobs(jobs)  # -j 1000 would start 999 interpreters
        self.jobs = jobs
        self.chunk_size = chunk_size
        self.progress = progress
        self._given = executor
        self._executor: Executor | None = executor if isinstance(executor, Executor) else None
        self._own: OwnPool | None = None
        self._stack = ExitStack()
        self._started = False
        self._method = ""  # the start method of the engine's own workers
        self._bar: _CommandBar | None = None  # the command's one bar (progress_over)

    # -- life cycle ------------------------------------------------------------

    def __enter__(self) -> Engine:
        self._start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close(cancel=error is not None)

    def close(self, *, cancel: bool = False) -> None:
        """Stop the engine's own workers (at once, chunks dropped, with ``cancel``)."""
        pool, self._own = self._own, None
        if pool is not None:
            if cancel:
                stop_workers(pool)  # terminated, joined, killed if need be: none left behind
            else:
                with signals_deferred():  # every chunk is done: the workers end at once
                    pool.shutdown(wait=True)
        self._stack.close()
        if isinstance(self._given, str):
            self._executor = None
        self._started = False

    @property
    def workers(self) -> int:
        """Processes (or threads of a cluster) that simulate: the ``jobs`` used for chunking."""
        self._start()
        return self._workers

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self._workers = self.jobs
        if isinstance(self._given, str):
            from sim.montecarlo.cluster import dask_executor

            cluster, threads = self._stack.enter_context(dask_executor(self._given))
            self._executor, self._workers = cluster, threads
            return
        if self._executor is not None or self.jobs <= 1:
            return
        refuse_while_bootstrapping(self.jobs)
        self._method = start_method()
        pool = start_pool(self.jobs - 1, self._method)
        self._own = pool
        self._executor = pool

    # -- progress --------------------------------------------------------------

    @contextmanager
    def progress_over(self, label: str, replications: int = 0) -> Iterator[None]:
        """One progress bar over every run made in the block, instead of one per run.

        ``replications``: the block's total when known up front (0: unknown); a run
        beyond it grows the total; at the end it is what was run. Inside an open
        block (a command's), a second block uses the first bar, whose total grows
        if what is left of it is less than the second block's ``replications``.
        """
        if self._bar is not None:
            self._bar.expect(replications)
            yield
            return
        self._start()  # the pool first: tqdm's monitor thread would forbid forking it
        with _progress_bar(replications, label, self.progress) as bar:
            self._bar = _CommandBar(bar, replications)
            try:
                yield
                self._bar.finish()
            finally:
                self._bar = None

    # -- running ---------------------------------------------------------------

    def chunk_for(self, replications: int) -> int:
        """Replications per chunk for a run of ``replications`` (at most: guided chunks shrink)."""
        return self.chunk_size or default_chunk_size(replications, self.workers)

    def run(
        self,
        scenario: Scenario | Prepared,
        reduction: Reduction[Part, Answer],
        *,
        seed: int | None = None,
        indices: range | None = None,
        label: str | None = None,
    ) -> Answer:
        """Replications ``indices`` (default: the scenario's ``simulation.replications``) reduced.

        ``seed`` defaults to the scenario's. A validated :class:`Scenario` is prepared
        (compiled) here; pass a :class:`~sim.replication.prepared.Prepared` to reuse one.
        """
        from sim.replication.prepared import prepare

        prepared = prepare(scenario)
        simulation = prepared.scenario.simulation
        batch = Batch(
            prepared,
            simulation.seed if seed is None else seed,
            range(simulation.replications) if indices is None else indices,
            reduction,
        )
        (answer,) = self.run_many([batch], label=label)
        return cast(Answer, answer)

    def run_many(
        self, batches: Sequence[Batch[Any, Any]], *, label: str | None = None
    ) -> list[Any]:
        """The answers of several batches, run from one queue (no barrier between them).

        Chunks are sized for all the batches' replications together
        (:meth:`chunk_for` of their total), as if they were one run.
        """
        self._start()
        total = sum(len(batch.indices) for batch in batches)
        guided = self.chunk_size is None and self._executor is not None  # (none in one process)
        work = _Work(batches, self.chunk_for(total), self._workers, guided=guided)
        if label is None:
            names = [batch.prepared.scenario.name for batch in batches]
            label = names[0] if len(set(names)) == 1 else f"{len(batches)} scenarios"
        parts: list[dict[int, Any]] = [{} for _ in batches]
        shared = self._bar
        if shared is not None:
            shared.start(total)
        own = _progress_bar(total, label, self.progress) if shared is None else nullcontext(shared)
        with heap_frozen(), own as bar:
            for position, chunk, part in self._chunks(batches, work):
                parts[position][chunk.start] = part
                bar.update(len(chunk))
        return [
            batch.reduction.combine([found[start] for start in sorted(found)])
            for batch, found in zip(batches, parts, strict=True)
        ]

    def traced(self, wanted: Sequence[tuple[Prepared, int, int]]) -> list[ReplicationResult]:
        """Replications (prepared scenario, seed, index) with their traces, in workers if any.

        A run keeps the trace of its typical replication (for its pictures): it is
        simulated again, with ``trace=True``, where the run's replications were (this
        process takes its share when the pool is the engine's own).
        """
        self._start()
        executor = self._executor
        if executor is None:
            return [simulate_traced(*item) for item in wanted]
        # (this process takes the larger share: a single replication is simulated here,
        # without the round trip of its trace through a pipe)
        here = -(-len(wanted) // self.jobs) if executor is self._own else 0
        futures: list[Future[ReplicationResult]] = []
        try:
            with signals_deferred():
                futures += [executor.submit(simulate_traced, *item) for item in wanted[here:]]
            mine = [simulate_traced(*item) for item in wanted[:here]]
            remaining: Collection[Future[ReplicationResult]] = futures
            while remaining:
                done = _some_done(remaining, executor if executor is self._own else None)
                remaining = [future for future in remaining if future not in done]
            with signals_deferred():
                return mine + [future.result() for future in futures]
        except BrokenProcessPool as error:  # every replication was simulated: traces lost
            raise self._broken(error, []) from None
        except BaseException:
            with signals_deferred():
                for future in futures:
                    future.cancel()
            raise

    def _broken(
        self, error: BrokenProcessPool, lost: list[tuple[str, range]]
    ) -> ParallelRunError | WorkerDied:
        """A broken pool: the unguarded script (main_guard) if that is why, else who died."""
        if reimported_script(self._method) is not None:
            return explain(error, self._method)
        return WorkerDied(lost)

    def _chunks(
        self, batches: Sequence[Batch[Any, Any]], work: _Work
    ) -> Iterator[tuple[int, range, Any]]:
        """(batch position, chunk, part) of every chunk of ``work``, in order of completion."""

        def simulate(position: int, chunk: range) -> Any:
            batch = batches[position]
            return simulate_chunk(
                batch.prepared, batch.seed, chunk.start, chunk.stop, batch.reduction
            )

        executor = self._executor
        if executor is None:
            while work:
                position, chunk = work.front()
                yield position, chunk, simulate(position, chunk)
            return
        # Chunks are submitted a few at a time (IN_FLIGHT_PER_WORKER per worker), from
        # the front; this process, if the pool is the engine's own, simulates chunks
        # from the back meanwhile (parts are placed by index: same numbers). Submitting
        # lazily also keeps CPython 3.11's pool manager from walking its dictionary of
        # pending work while it is being filled (when a worker dies mid-run, that printed
        # "dictionary changed size during iteration"). Every call into the executor is
        # made with signals deferred (workers.signals_deferred).
        main_helps = executor is self._own
        window = IN_FLIGHT_PER_WORKER * max(1, self._workers - 1 if main_helps else self._workers)
        payloads = [
            pickle.dumps((batch.prepared, batch.reduction), pickle.HIGHEST_PROTOCOL)
            for batch in batches
        ]
        pending: dict[Future[Any], tuple[int, range]] = {}  # submitted, not yet collected
        handed_over = not main_helps  # (whether the workers have their first chunks)
        try:
            while work or pending:
                with signals_deferred():
                    while work and len(pending) < window:
                        position, chunk = work.front()
                        future = executor.submit(
                            simulate_shipped,
                            payloads[position],
                            batches[position].seed,
                            chunk.start,
                            chunk.stop,
                        )
                        pending[future] = (position, chunk)
                    done = [future for future in pending if future.done()]
                if not handed_over:
                    _hand_over(pending)
                    handed_over = True
                if main_helps:
                    check_workers(executor)  # (a worker that died is noticed here too)
                if not done and not (main_helps and work):
                    done = _some_done(pending, executor if main_helps else None)
                for future in done:
                    with signals_deferred():
                        part = future.result()
                    position, chunk = pending.pop(future)
                    yield position, chunk, part
                    check_stop()
                if main_helps and work:
                    position, chunk = work.back()
                    yield position, chunk, simulate(position, chunk)
                    check_stop()
        except BrokenProcessPool as error:  # a worker died (or could not start: main_guard)
            # The pool has failed every pending future itself: cancelling one now would
            # race with that. Every chunk not yet collected is lost.
            lost = sorted([*pending.values(), *work.remaining()], key=_chunk_order)
            names = [batch.prepared.scenario.name for batch in batches]
            spans = [(names[position], chunk) for position, chunk in lost]
            raise self._broken(error, spans) from None
        except BaseException:
            with signals_deferred():
                for future in pending:
                    future.cancel()
            raise


def _hand_over(pending: Collection[Future[Any]]) -> None:
    """Wait (up to :data:`HAND_OVER_SECONDS`) until the pool's threads pass the first chunks on.

    The pool's manager and feeder threads need the interpreter lock to pass a chunk
    to a worker; this process, once simulating, lets them have it only every few
    milliseconds each: the worker started its first chunk 20 to 200 ms late.
    """
    deadline = time.monotonic() + HAND_OVER_SECONDS
    while not any(future.running() or future.done() for future in pending):
        if time.monotonic() > deadline:
            return
        time.sleep(0.001)
    time.sleep(0.001)  # (the feeder thread writes them into the pipe)


def _chunk_order(item: tuple[int, range]) -> tuple[int, int]:
    position, chunk = item
    return position, chunk.start


def _some_done(futures: Collection[Future[Any]], pool: Executor | None = None) -> list[Future[Any]]:
    """Those of ``futures`` done once one is, waiting with stop signals deferred.

    The wait polls every :data:`POLL_SECONDS`, so that a stop signal recorded
    meanwhile is raised within that time (and a dead worker of the engine's own
    ``pool`` is noticed: :func:`~sim.montecarlo.workers.check_workers`).
    """
    while futures:
        with signals_deferred():
            done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        if pool is not None and not done:
            check_workers(pool)
        if done:
            return [future for future in futures if future in done]
    return []


class _NoBar:
    """The progress bar when none is shown (tqdm would start its monitor thread anyway,
    and a process running a second thread no longer forks its workers)."""

    total = 0

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, count: int) -> None:
        return None


class _CommandBar:
    """A command's one bar: runs announce their replications, then report them done.

    The total is the command's estimate (``expected``), grown as runs start beyond
    it, and set to what was run when the command ends.
    """

    def __init__(self, bar: Any, expected: int) -> None:
        self.bar = bar
        self.expected = expected
        self.started = 0
        self.done = 0

    def expect(self, replications: int) -> None:
        """Work announced by a nested block: the total grows if it was not counted."""
        self.expected = max(self.expected, self.started + replications)
        if self.expected > self.bar.total:
            self._set_total(self.expected)

    def start(self, replications: int) -> None:
        """A run of ``replications`` begins; the total grows if it goes beyond."""
        self.started += replications
        if self.started > self.bar.total:
            self._set_total(self.started)

    def update(self, count: int) -> None:
        self.done += count
        self.bar.update(count)

    def finish(self) -> None:
        self._set_total(self.done)

    def _set_total(self, total: int) -> None:
        # Shown at the next update: refresh() would show a bar before its one-second delay.
        self.bar.total = total


def _progress_bar(total: int, label: str, progress: bool | None) -> Any:
    show = sys.stderr.isatty() if progress is None else progress
    if not show:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=printable(label),
        unit="rep",
        file=sys.stderr,
        delay=1.0,
        leave=False,
        dynamic_ncols=True,
    )
