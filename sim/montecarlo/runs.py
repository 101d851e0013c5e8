"""Monte Carlo runs: many replications of a scenario, in parallel, reproducibly.

Replications are sent to workers in *chunks* (a range of replication indices).
A worker simulates each replication of its chunk and reduces it at once to a
compact record (:mod:`sim.montecarlo.records`); the parent places chunks by replication
index. Since replication *i* draws its random numbers from
``SeedSequence(seed, spawn_key=(i, ...))`` alone, the numbers are identical for
any number of workers and any chunk size, and replication *i* replays alone.

Parallelism goes through the standard :class:`concurrent.futures.Executor`
seam. With ``jobs > 1`` and no ``executor``, a :class:`ProcessPoolExecutor`
of ``jobs - 1`` workers with the ``spawn`` start method is created for the run
(spawn starts clean interpreters: no inherited threads or locks, and the same
behaviour on Linux, macOS and Windows; the global start method is never
touched), and the main process is the ``jobs``-th: it simulates chunks from the
end of the run while the workers start and take them from the front (a worker
costs about half a second of CPU and 55 MB to start). Any other
executor can be passed, e.g. ``distributed.Client(...).get_executor()``, or the
address of a Dask cluster, ``"dask://HOST:PORT"`` (see :mod:`sim.montecarlo.cluster`).

Ctrl-C cancels pending chunks, stops the pool and re-raises
:class:`KeyboardInterrupt`; workers ignore SIGINT so that only the parent
reacts. A failing replication is re-raised as :class:`ReplicationError`, naming
its index and seed so that it can be replayed alone.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.answers.results import Comparison, RunResult, SweepResult
from sim.montecarlo.records import Layout, ReplicationTable
from sim.replication.outcome import ReplicationResult
from sim.scenario.contract import Scenario
from sim.version import package_version

ScenarioLike = Scenario | str | os.PathLike[str]

DEFAULT_MAX_REPLICATIONS = 100_000
"""Cap for ``until_precision`` when the caller gives none."""

_START_METHOD = "spawn"


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


# --- the worker side ----------------------------------------------------------


def simulate_chunk(scenario: Scenario, seed: int, start: int, stop: int) -> ReplicationTable:
    """Simulate replications ``start`` … ``stop - 1`` and reduce them to records."""
    from sim.replication.drawdown import simulate

    layout = Layout.of(scenario)
    results = []
    for index in range(start, stop):
        try:
            results.append(simulate(scenario, index, seed=seed))
        except Exception as error:
            raise ReplicationError(
                index, seed, f"{type(error).__name__}: {error}", traceback.format_exc()
            ) from error
    return ReplicationTable.from_results(results, layout)


def simulate_traced(scenario: Scenario, seed: int, index: int) -> ReplicationResult:
    """Replication ``index`` again, keeping its event trace (for the pictures of a run)."""
    from sim.replication.drawdown import simulate

    try:
        return simulate(scenario, index, seed=seed, trace=True)
    except Exception as error:
        raise ReplicationError(
            index, seed, f"{type(error).__name__}: {error}", traceback.format_exc()
        ) from error


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back for a moment: a SIGINT arriving meanwhile is delivered afterwards.

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


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is the parent's business (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --- the parent side ----------------------------------------------------------


class _OwnPool(ProcessPoolExecutor):
    """The pool a run creates for ``jobs`` > 1: ``jobs - 1`` workers, and the main process helps."""


def default_chunk_size(replications: int, jobs: int) -> int:
    """Small enough to balance the load and update the progress bar, big enough to amortize."""
    return max(1, min(50, math.ceil(replications / (max(jobs, 1) * 8))))


@contextmanager
def _executor_for(
    jobs: int, executor: Executor | str | None
) -> Iterator[tuple[Executor | None, int]]:
    """The executor for a run and how many workers it has.

    The given executor; a Dask cluster's for a ``dask://HOST:PORT`` address (its
    worker threads count as the jobs); a spawn process pool of ``jobs - 1`` workers
    owned by this run (the main process simulates too); or None (in process).
    """
    if isinstance(executor, str):
        from sim.montecarlo.cluster import dask_executor

        with dask_executor(executor) as (cluster, threads):
            yield cluster, threads
        return
    if executor is not None:
        yield executor, jobs
        return
    if jobs <= 1:
        yield None, jobs
        return
    pool = _OwnPool(
        max_workers=jobs - 1,
        mp_context=multiprocessing.get_context(_START_METHOD),
        initializer=_ignore_interrupts,
    )
    with _interrupts_held():
        # Start every worker now, deaf to Ctrl-C from birth: a worker interrupted while
        # still importing NumPy would print a traceback. (The pool starts one worker per
        # submitted task until it has `jobs - 1` of them.)
        for _ in range(jobs - 1):
            pool.submit(int)
    try:
        yield pool, jobs
    except BaseException:
        # Chunks already running would be finished before the interpreter may exit: stop
        # the workers now. (`_processes` is private, and emptied by shutdown: read it first.)
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
        raise
    pool.shutdown(wait=True)


def _progress_bar(total: int, label: str, progress: bool | None) -> Any:
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    return tqdm(
        total=total,
        desc=label,
        unit="rep",
        file=sys.stderr,
        delay=1.0,
        disable=not show,
        leave=False,
        dynamic_ncols=True,
    )


def _simulate_range(
    scenario: Scenario,
    seed: int,
    indices: range,
    *,
    chunk_size: int,
    executor: Executor | None,
    bar: Any,
) -> list[ReplicationTable]:
    chunks = [
        range(first, min(first + chunk_size, indices.stop))
        for first in range(indices.start, indices.stop, chunk_size)
    ]
    tables: list[ReplicationTable] = []
    if executor is None:
        for chunk in chunks:
            tables.append(simulate_chunk(scenario, seed, chunk.start, chunk.stop))
            bar.update(len(chunk))
        return tables
    futures: dict[Future[ReplicationTable], range] = {
        executor.submit(simulate_chunk, scenario, seed, chunk.start, chunk.stop): chunk
        for chunk in chunks
    }
    # In chunk order: the workers take them from the front, and this process, if the
    # pool is the run's own, from the back (results are placed by index: same numbers).
    main_helps = isinstance(executor, _OwnPool)
    submitted = list(futures)
    first, stop = 0, len(submitted)  # not yet collected: submitted[first:stop]
    try:
        while main_helps and stop > first and submitted[stop - 1].cancel():
            # Not started by a worker yet: this process simulates it instead.
            stop -= 1
            chunk = futures[submitted[stop]]
            tables.append(simulate_chunk(scenario, seed, chunk.start, chunk.stop))
            bar.update(len(chunk))
            while first < stop and submitted[first].done():  # the workers' progress
                tables.append(submitted[first].result())
                bar.update(len(futures[submitted[first]]))
                first += 1
        rest = submitted[first:stop]
        for future in as_completed(rest):
            tables.append(future.result())
            bar.update(len(futures[future]))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return tables


def resolve(
    scenario_or_path: ScenarioLike,
    overrides: Sequence[str] = (),
    *,
    replications: int | None = None,
    seed: int | None = None,
) -> tuple[Scenario, str | None]:
    """The scenario that will run (with ``seed`` and ``replications`` set) and its source file."""
    if isinstance(scenario_or_path, Scenario):
        if overrides:
            raise ValueError("overrides apply to scenario files; pass a path, or edit the Scenario")
        scenario, source = scenario_or_path, None
    else:
        from sim.scenario.reading import load_scenario

        source = str(scenario_or_path)
        scenario = load_scenario(source, overrides)
    if replications is not None and replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if seed is not None and seed < 0:
        raise ValueError(f"seed must be ≥ 0 (got {seed})")
    simulation = scenario.simulation.model_copy(
        update={
            "replications": scenario.simulation.replications
            if replications is None
            else replications,
            "seed": scenario.simulation.seed if seed is None else seed,
        }
    )
    return scenario.model_copy(update={"simulation": simulation}), source


def _replications_for_precision(successes: int, trials: int, half_width: float) -> int:
    """Replications at which the interval should reach ``half_width`` (Agresti–Coull guess)."""
    from sim.answers.scoring import Z95

    p = (successes + 2) / (trials + 4)
    return math.ceil(1.05 * Z95 * Z95 * p * (1 - p) / (half_width * half_width))


def _run_resolved(
    scenario: Scenario,
    source: str | None,
    *,
    jobs: int,
    executor: Executor | None,
    progress: bool | None,
    until_precision: float | None,
    max_replications: int,
    chunk_size: int | None,
) -> RunResult:
    from sim.answers.scoring import median_replication, on_time, summarize, wilson_half_width
    from sim.scenario.reading import scenario_digest

    started = time.perf_counter()
    seed = scenario.simulation.seed
    planned = scenario.simulation.replications
    workers = jobs if executor is None else max(jobs, 1)
    chunk = chunk_size or default_chunk_size(planned, workers)
    tables: list[ReplicationTable] = []
    done, batches = 0, 0
    with _progress_bar(planned, scenario.name, progress) as bar:
        while True:
            tables += _simulate_range(
                scenario, seed, range(done, planned), chunk_size=chunk, executor=executor, bar=bar
            )
            done, batches = planned, batches + 1
            if until_precision is None:
                break
            table = ReplicationTable.concatenate(tables)
            successes = int(on_time(table, scenario).sum())
            if wilson_half_width(successes, done) <= until_precision or done >= max_replications:
                break
            wanted = _replications_for_precision(successes, done, until_precision)
            planned = min(max_replications, max(done + scenario.simulation.replications, wanted))
            bar.total = planned
            bar.refresh()
    table = ReplicationTable.concatenate(tables).freeze()
    if planned != scenario.simulation.replications:
        simulation = scenario.simulation.model_copy(update={"replications": planned})
        scenario = scenario.model_copy(update={"simulation": simulation})
    layout = Layout.of(scenario)
    summary = summarize(table, scenario, layout, seed=seed)
    if until_precision is not None:
        half_width = wilson_half_width(int(on_time(table, scenario).sum()), len(table))
        summary["precision"] = {
            "target_half_width": until_precision,
            "half_width": round(half_width, 5),
            "reached": half_width <= until_precision,
            "replications_needed": len(table),
            "max_replications": max_replications,
            "batches": batches,
        }
    summary["provenance"] = {
        "scenario": scenario.name,
        "digest": scenario_digest(scenario),
        "source": source,
        "seed": seed,
        "replications": len(table),
        "version": package_version(),
        "jobs": workers,
        "chunk_size": chunk,
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    typical = _traced(scenario, seed, median_replication(table), executor)
    return RunResult(
        scenario=scenario, table=table, layout=layout, _summary=summary, typical=typical
    )


def _traced(
    scenario: Scenario, seed: int, index: int, executor: Executor | None
) -> ReplicationResult:
    """The scored run's typical replication with its trace, from a worker when there are some."""
    if executor is None:
        return simulate_traced(scenario, seed, index)
    return executor.submit(simulate_traced, scenario, seed, index).result()


def run(
    scenario_or_path: ScenarioLike,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    until_precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    chunk_size: int | None = None,
    source: str | None = None,
) -> RunResult:
    """Run a scenario (a :class:`Scenario` or a YAML path) many times and score it.

    ``replications`` and ``seed`` default to the scenario's ``simulation`` block;
    ``overrides`` are ``KEY=VALUE`` strings validated like the file. ``jobs``
    worker processes (1: in this process) or any ``executor`` (a
    :class:`concurrent.futures.Executor` or ``"dask://HOST:PORT"``). ``progress``: a
    progress bar on stderr after one second (None: only when stderr is a
    terminal). ``until_precision=H`` adds replications until the Wilson 95 %
    half-width of P(on time) is at most ``H`` or ``max_replications`` is reached.
    ``source`` names the file a :class:`Scenario` was loaded from (for provenance).
    """
    if until_precision is not None and not 0 < until_precision < 0.5:
        raise ValueError(f"until_precision must lie in (0, 0.5) (got {until_precision})")
    scenario, path = resolve(scenario_or_path, overrides, replications=replications, seed=seed)
    with _executor_for(jobs, executor) as (pool, workers):
        return _run_resolved(
            scenario,
            path or source,
            jobs=workers,
            executor=pool,
            progress=progress,
            until_precision=until_precision,
            max_replications=max(max_replications, scenario.simulation.replications),
            chunk_size=chunk_size,
        )


def run_resolved(
    runs: Sequence[tuple[Scenario, str | None]],
    *,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
    chunk_size: int | None = None,
) -> tuple[RunResult, ...]:
    """Run resolved scenarios (see :func:`resolve`) one after the other through one pool.

    Each runs with its own ``simulation`` seed and replications; ``runs`` pairs each
    scenario with its source file (or None). The engine of :func:`compare`,
    :func:`sweep` and :func:`sim.calibration.calibrate`.
    """
    results = []
    with _executor_for(jobs, executor) as (pool, workers):
        for scenario, source in runs:
            results.append(
                _run_resolved(
                    scenario,
                    source,
                    jobs=workers,
                    executor=pool,
                    progress=progress,
                    until_precision=None,
                    max_replications=scenario.simulation.replications,
                    chunk_size=chunk_size,
                )
            )
    return tuple(results)


def compare(
    scenarios: Sequence[ScenarioLike],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    chunk_size: int | None = None,
    sources: Sequence[str | None] = (),
) -> Comparison:
    """Run scenarios with common random numbers and compare each with the first.

    All scenarios run with the same root seed and replication indices (the
    first scenario's unless given), so differences come from the scenarios, not
    from luck; see :mod:`sim.answers.comparison` for the paired statistics. ``sources``
    name the files that :class:`Scenario` objects were loaded from (provenance).
    """
    from sim.answers.comparison import build_comparison

    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    resolved = [resolve(item, overrides) for item in scenarios]
    first = resolved[0][0].simulation
    common_seed = first.seed if seed is None else seed
    common_replications = first.replications if replications is None else replications
    runs = [
        (
            resolve(scenario, replications=common_replications, seed=common_seed)[0],
            path or (sources[position] if position < len(sources) else None),
        )
        for position, (scenario, path) in enumerate(resolved)
    ]
    results = run_resolved(
        runs, jobs=jobs, executor=executor, progress=progress, chunk_size=chunk_size
    )
    return build_comparison(results, seed=common_seed)


def sweep(
    path: str | os.PathLike[str],
    axes: Mapping[str, Sequence[str]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Run every combination of ``axes`` (field → values written as in ``--set``).

    Combinations run in the order of :func:`itertools.product` (the last axis
    varies fastest), all with the same seed and replication indices.
    """
    if not axes:
        raise ValueError("sweep needs at least one field with values")
    keys = list(axes)
    combinations = [
        tuple(zip(keys, values, strict=True))
        for values in itertools.product(*(axes[key] for key in keys))
    ]
    # Load every combination first, so a bad value is reported before hours of running.
    resolved = [
        resolve(
            Path(path),
            [*overrides, *(f"{key}={value}" for key, value in combination)],
            replications=replications,
            seed=seed,
        )
        for combination in combinations
    ]
    results = run_resolved(
        resolved, jobs=jobs, executor=executor, progress=progress, chunk_size=chunk_size
    )
    return SweepResult(
        axes=tuple((key, tuple(axes[key])) for key in keys),
        combinations=tuple(combinations),
        results=results,
    )
