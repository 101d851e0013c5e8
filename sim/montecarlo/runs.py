"""Monte Carlo runs: score a scenario, compare scenarios, sweep fields.

Every function here runs its replications through one
:class:`~sim.montecarlo.engine.Engine` (pass ``engine=`` to share one, and its
workers, between calls; otherwise each call makes its own from ``jobs`` and
``executor``). The records kept of each replication are those of
:class:`~sim.montecarlo.records.TableReduction`; scores are computed from them
in this process.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.answers.results import Comparison, RunResult, SweepResult
from sim.answers.score import Precision
from sim.montecarlo.engine import Batch, Engine
from sim.montecarlo.records import Layout, ReplicationTable, TableReduction
from sim.replication.outcome import ReplicationResult
from sim.replication.prepared import prepare
from sim.scenario.contract import MAX_REPLICATIONS, Scenario
from sim.scenario.overrides import Overrides, Setting, setting, settings
from sim.scenario.status import LoadedStatus, StatusLike, load_status_for
from sim.version import package_version

ScenarioLike = Scenario | str | os.PathLike[str]

DEFAULT_MAX_REPLICATIONS = 100_000
"""Cap for ``until_precision`` when the caller gives none."""


@contextmanager
def engine_for(
    engine: Engine | None,
    jobs: int,
    executor: Executor | str | None,
    chunk_size: int | None = None,
    progress: bool | None = None,
) -> Iterator[Engine]:
    """The engine given, or one made from ``jobs``, ``executor`` and closed afterwards."""
    if engine is not None:
        yield engine
        return
    with Engine(jobs, executor, chunk_size=chunk_size, progress=progress) as own:
        yield own


def resolve(
    scenario_or_path: ScenarioLike,
    overrides: Overrides = (),
    *,
    replications: int | None = None,
    seed: int | None = None,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> tuple[Scenario, str | None]:
    """The scenario that will run (with ``seed`` and ``replications`` set) and its source file.

    ``allow_extends_from``: folders a file's ``extends`` may read besides its own tree.
    """
    if isinstance(scenario_or_path, Scenario):
        if overrides:
            raise ValueError("overrides apply to scenario files; pass a path, or edit the Scenario")
        scenario, source = scenario_or_path, None
    else:
        from sim.scenario.reading import load_scenario

        source = str(scenario_or_path)
        scenario = load_scenario(source, overrides, allow_extends_from=allow_extends_from)
    if replications is not None and replications < 1:
        raise ValueError(f"replications must be ≥ 1 (got {replications})")
    if replications is not None and replications > MAX_REPLICATIONS:
        raise ValueError(f"replications must be ≤ {MAX_REPLICATIONS:,} (got {replications:,})")
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


def _score(
    scenario: Scenario,
    source: str | None,
    table: ReplicationTable,
    typical: ReplicationResult,
    *,
    engine: Engine,
    chunk_size: int,
    started: float,
    precision: Precision | None = None,
    status: LoadedStatus | None = None,
) -> RunResult:
    from sim.answers.score import Provenance, StatusUsed
    from sim.answers.scoring import score
    from sim.scenario.reading import scenario_digest

    table = table.freeze()
    if len(table) != scenario.simulation.replications:
        simulation = scenario.simulation.model_copy(update={"replications": len(table)})
        scenario = scenario.model_copy(update={"simulation": simulation})
    seed = scenario.simulation.seed
    layout = Layout.of(scenario)
    provenance = Provenance(
        scenario=scenario.name,
        digest=scenario_digest(scenario),
        source=source,
        seed=seed,
        replications=len(table),
        version=package_version(),
        jobs=engine.workers,
        chunk_size=chunk_size,
        wall_seconds=time.perf_counter() - started,
        status=None if status is None else StatusUsed(status.status.as_of, status.source),
    )
    result_score = score(
        table, scenario, layout, seed=seed, provenance=provenance, precision=precision
    )
    return RunResult(
        scenario=scenario, table=table, layout=layout, score=result_score, typical=typical
    )


def _noted(result: RunResult, overrides: Overrides) -> RunResult:
    """The result with the overrides it ran with written into its provenance."""
    items = tuple(made.item for made in settings(overrides))
    if not items:
        return result
    provenance = dataclasses.replace(result.score.provenance, overrides=items)
    score = dataclasses.replace(result.score, provenance=provenance)
    return dataclasses.replace(result, score=score)


def _run_until_precision(
    scenario: Scenario,
    source: str | None,
    *,
    engine: Engine,
    until_precision: float,
    max_replications: int,
    status: LoadedStatus | None = None,
) -> RunResult:
    """Batches of replications until the Wilson half-width of P(on time) is small enough."""
    from sim.answers.scoring import median_replication, on_time, wilson_half_width

    started = time.perf_counter()
    prepared = prepare(scenario, None if status is None else status.status)
    reduction = TableReduction(Layout.of(scenario))
    seed = scenario.simulation.seed
    planned = scenario.simulation.replications
    tables: list[ReplicationTable] = []
    done, batches = 0, 0
    while True:
        indices = range(done, planned)
        tables.append(engine.run(prepared, reduction, seed=seed, indices=indices))
        done, batches = planned, batches + 1
        table = ReplicationTable.concatenate(tables)
        successes = int(on_time(table, scenario).sum())
        half_width = wilson_half_width(successes, done)
        if half_width <= until_precision or done >= max_replications:
            break
        wanted = _replications_for_precision(successes, done, until_precision)
        planned = min(max_replications, max(done + scenario.simulation.replications, wanted))
    precision = Precision(
        target_half_width=until_precision,
        half_width=half_width,
        reached=half_width <= until_precision,
        replications_needed=len(table),
        max_replications=max_replications,
        batches=batches,
    )
    (typical,) = engine.traced([(prepared, seed, median_replication(table))])
    return _score(
        scenario,
        source,
        table,
        typical,
        engine=engine,
        chunk_size=engine.chunk_for(scenario.simulation.replications),
        started=started,
        precision=precision,
        status=status,
    )


def run_resolved(
    runs: Sequence[tuple[Scenario, str | None]],
    *,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
    chunk_size: int | None = None,
    engine: Engine | None = None,
    status: LoadedStatus | None = None,
) -> tuple[RunResult, ...]:
    """Run resolved scenarios (see :func:`resolve`), all their chunks from one queue.

    Each runs with its own ``simulation`` seed and replications; ``runs`` pairs each
    scenario with its source file (or None). What :func:`compare` and :func:`sweep` do.
    """
    with engine_for(engine, jobs, executor, chunk_size, progress) as used:
        return tuple(_run_all(used, runs, status))


def _run_all(
    engine: Engine,
    resolved: Sequence[tuple[Scenario, str | None]],
    status: LoadedStatus | None = None,
) -> list[RunResult]:
    """Each scenario's replications, all from one queue of chunks, then scored.

    ``status``: every scenario's replications start from it (a forecast).
    """
    from sim.answers.scoring import median_replication

    started = time.perf_counter()
    batches = [
        Batch(
            prepare(scenario, None if status is None else status.status),
            scenario.simulation.seed,
            range(scenario.simulation.replications),
            TableReduction(Layout.of(scenario)),
        )
        for scenario, _ in resolved
    ]
    tables = engine.run_many(batches)
    typical = engine.traced(
        [
            (batch.prepared, batch.seed, median_replication(table))
            for batch, table in zip(batches, tables, strict=True)
        ]
    )
    chunk_size = engine.chunk_for(sum(len(batch.indices) for batch in batches))
    return [
        _score(
            scenario,
            source,
            table,
            traced,
            engine=engine,
            chunk_size=chunk_size,
            started=started,
            status=status,
        )
        for (scenario, source), table, traced in zip(resolved, tables, typical, strict=True)
    ]


def run(
    scenario_or_path: ScenarioLike,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Overrides = (),
    progress: bool | None = None,
    until_precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    chunk_size: int | None = None,
    source: str | None = None,
    engine: Engine | None = None,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
    status: StatusLike | None = None,
) -> RunResult:
    """Run a scenario (a :class:`Scenario` or a YAML path) many times and score it.

    ``status``: a forecast — every replication starts from this status (a
    :class:`~sim.scenario.status.Status` or a status file's path) instead of
    from ``start``; see docs/scenario-reference.md, "Status files".

    ``replications`` and ``seed`` default to the scenario's ``simulation`` block;
    ``overrides`` change fields after ``extends``, validated like the file:
    ``{"airlift.tails": 4}`` (Python values) or ``["airlift.tails=4"]`` (``--set``
    strings). ``jobs``
    worker processes (1: in this process) or any ``executor`` (a
    :class:`concurrent.futures.Executor` or ``"dask://HOST:PORT"``). ``progress``: a
    progress bar on stderr after one second (None: only when stderr is a
    terminal). ``until_precision=H`` adds replications until the Wilson 95 %
    half-width of P(on time) is at most ``H`` or ``max_replications`` is reached.
    ``source`` names the file a :class:`Scenario` was loaded from (for provenance).
    ``engine``: an open :class:`Engine` to run on (then ``jobs``, ``executor``,
    ``progress`` and ``chunk_size`` are the engine's).
    """
    if until_precision is not None and not 0 < until_precision < 0.5:
        raise ValueError(f"until_precision must lie in (0, 0.5) (got {until_precision})")
    if not 1 <= max_replications <= MAX_REPLICATIONS:
        message = f"max_replications must lie in [1, {MAX_REPLICATIONS:,}] (got {max_replications})"
        raise ValueError(message)
    scenario, path = resolve(
        scenario_or_path,
        overrides,
        replications=replications,
        seed=seed,
        allow_extends_from=allow_extends_from,
    )
    loaded = None if status is None else load_status_for(status, scenario)
    with engine_for(engine, jobs, executor, chunk_size, progress) as used:
        if until_precision is None:
            (result,) = _run_all(used, [(scenario, path or source)], loaded)
            return _noted(result, overrides)
        return _noted(
            _run_until_precision(
                scenario,
                path or source,
                engine=used,
                until_precision=until_precision,
                max_replications=max(max_replications, scenario.simulation.replications),
                status=loaded,
            ),
            overrides,
        )


def compare(
    scenarios: Sequence[ScenarioLike],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Overrides = (),
    progress: bool | None = None,
    chunk_size: int | None = None,
    sources: Sequence[str | None] = (),
    engine: Engine | None = None,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
    status: StatusLike | None = None,
) -> Comparison:
    """Run scenarios with common random numbers and compare each with the first.

    All scenarios run with the same root seed and replication indices (the
    first scenario's unless given), so differences come from the scenarios, not
    from luck; see :mod:`sim.answers.comparison` for the paired statistics. ``sources``
    name the files that :class:`Scenario` objects were loaded from (provenance).
    Their chunks run from one queue, so the workers never wait between scenarios.
    ``status``: every scenario starts from it (a forecast), checked against each.
    """
    from sim.answers.comparison import build_comparison

    if not scenarios:
        raise ValueError("compare needs at least one scenario")
    loaded = [resolve(item, overrides, allow_extends_from=allow_extends_from) for item in scenarios]
    first = loaded[0][0].simulation
    common_seed = first.seed if seed is None else seed
    common_replications = first.replications if replications is None else replications
    resolved = [
        (
            resolve(scenario, replications=common_replications, seed=common_seed)[0],
            path or (sources[position] if position < len(sources) else None),
        )
        for position, (scenario, path) in enumerate(loaded)
    ]
    statuses = [] if status is None else [load_status_for(status, sc) for sc, _ in resolved]
    results = run_resolved(
        resolved,
        jobs=jobs,
        executor=executor,
        progress=progress,
        chunk_size=chunk_size,
        engine=engine,
        status=statuses[0] if statuses else None,
    )
    noted = tuple(_noted(result, overrides) for result in results)
    comparison = build_comparison(noted, seed=common_seed)
    warnings = different_bases([path for _, path in resolved])
    if not warnings:
        return comparison
    return dataclasses.replace(
        comparison, score=dataclasses.replace(comparison.score, warnings=warnings)
    )


def different_bases(paths: Sequence[str | None]) -> tuple[str, ...]:
    """A warning when an overlay is compared with a scenario of another base.

    An overlay (a file with ``extends``) compared with a scenario built on another
    base differs from it by the overlay *and* by everything the bases do
    differently: the difference is not the overlay's. Scenarios given as objects
    (no file) are not checked.
    """
    from sim.scenario.reading import base_file

    files = [(Path(path), base_file(path)) for path in paths if path is not None]
    roots = list(dict.fromkeys(root for _, root in files))
    overlays = [path for path, root in files if path.resolve() != root]
    # Whole scenarios that extend nothing are compared as wholes: nothing to warn about.
    if len(roots) < 2 or not overlays:
        return ()
    described = ", ".join(
        path.name if path.resolve() == root else f"{path.name} (extends {root.name})"
        for path, root in files
    )
    return (
        f"the scenarios extend different bases ({', '.join(root.name for root in roots)}): "
        f"{described}; a difference between them mixes what an overlay changes with how the "
        "bases differ: compare each overlay with its own base",
    )


def _axis_setting(key: str, value: Any) -> tuple[str, Setting]:
    """A sweep value's label and override: text is YAML as in ``--set``, else a Python value."""
    if isinstance(value, str):
        return value, Setting(f"{key}={value}", f"--set {key}={value}")
    made = setting(key, value)
    return made.item.partition("=")[2], made


MAX_SWEEP_COMBINATIONS = 1_000
"""Most combinations one sweep may run (counted before any is built)."""


def check_sweep_size(axes: Mapping[str, Sequence[str]]) -> None:
    """Refuse more than :data:`MAX_SWEEP_COMBINATIONS` combinations, before building any."""
    count = math.prod(len(values) for values in axes.values())
    if count > MAX_SWEEP_COMBINATIONS:
        sizes = " × ".join(str(len(values)) for values in axes.values())
        raise ValueError(
            f"the sweep has {count:,} combinations ({sizes}); at most "
            f"{MAX_SWEEP_COMBINATIONS:,}: sweep fewer values, or split it into several sweeps"
        )


def sweep(
    path: str | os.PathLike[str],
    axes: Mapping[str, Sequence[Any]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Overrides = (),
    progress: bool | None = None,
    chunk_size: int | None = None,
    engine: Engine | None = None,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> SweepResult:
    """Run every combination of ``axes`` (field → values).

    A value is text written as in ``--set`` (``"3"``, ``"{dist: uniform, low: 1,
    high: 3}"``) or a Python value (``3``, ``{"dist": "uniform", "low": 1, "high":
    3}``), as in ``overrides``. Combinations run in the order of
    :func:`itertools.product` (the last axis varies fastest), all with the same
    seed and replication indices, from one queue of chunks. At most
    :data:`MAX_SWEEP_COMBINATIONS` (counted before anything is built).
    """
    if not axes:
        raise ValueError("sweep needs at least one field with values")
    check_sweep_size(axes)
    keys = list(axes)
    fixed = settings(overrides)
    runs = [
        [_axis_setting(key, value) for key, value in zip(keys, values, strict=True)]
        for values in itertools.product(*(axes[key] for key in keys))
    ]
    combinations = [
        tuple((key, label) for key, (label, _) in zip(keys, combination, strict=True))
        for combination in runs
    ]
    # Load every combination first, so a bad value is reported before hours of running.
    resolved = [
        resolve(
            Path(path),
            [*fixed, *(made for _, made in combination)],
            replications=replications,
            seed=seed,
            allow_extends_from=allow_extends_from,
        )
        for combination in runs
    ]
    results = run_resolved(
        resolved,
        jobs=jobs,
        executor=executor,
        progress=progress,
        chunk_size=chunk_size,
        engine=engine,
    )
    results = tuple(
        _noted(result, [*fixed, *(made for _, made in combination)])
        for result, combination in zip(results, runs, strict=True)
    )
    return SweepResult(
        axes=tuple(
            (key, tuple(_axis_setting(key, value)[0] for value in axes[key])) for key in keys
        ),
        combinations=tuple(combinations),
        results=results,
    )
