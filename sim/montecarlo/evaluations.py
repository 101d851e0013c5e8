"""Evaluations: the runs of one question (``solve``, ``sensitivity``), on one engine.

``solve`` and ``sensitivity`` run the same scenario many times with one field
changed. They need only when each replication finished, so each run is reduced
in the workers to its completion hours (8 bytes a replication, where the
records of ``run`` take about 3 kB). An :class:`Evaluations` is opened once per
command: one :class:`~sim.montecarlo.engine.Engine` (so one pool: a tornado over
20 inputs never starts 40), the same root seed and replication indices for
every run (common random numbers: neighbouring values differ only by the
change), and the count of what was spent: runs ("evaluations"), replications
and wall time. Several runs given at once go through one queue of chunks, and
all the runs of the command share one progress bar
(:meth:`~sim.montecarlo.engine.Engine.progress_over`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.montecarlo.engine import Batch, Engine, Reduction

if TYPE_CHECKING:
    from sim.replication.outcome import ReplicationResult
    from sim.scenario.contract import Scenario
    from sim.scenario.status import Status


class CompletionReduction(Reduction[np.ndarray, np.ndarray]):
    """Each replication's completion, hours since start (+inf when unfinished)."""

    def reduce(self, results: list[ReplicationResult]) -> np.ndarray:
        return np.array(
            [math.inf if r.completion_hours is None else r.completion_hours for r in results],
            dtype=np.float64,
        )

    def combine(self, parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)


@dataclass(frozen=True)
class Spent:
    """What a command cost: runs, replications, wall time and workers."""

    evaluations: int
    replications: int
    wall_seconds: float
    jobs: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "evaluations": self.evaluations,
            "replications": self.replications,
            "wall_seconds": round(self.wall_seconds, 3),
            "jobs": self.jobs,
        }


class Evaluations:
    """Runs sharing one engine and one seed; open one with :func:`evaluations`."""

    def __init__(
        self,
        engine: Engine,
        seed: int,
        replications: int,
        label: str,
        status: Status | None = None,
    ) -> None:
        self._engine = engine
        self.status = status
        """Every run starts from this status (a forecast), when given."""
        self.seed = seed
        self.replications = replications
        self.label = label
        self._started = time.perf_counter()
        self._runs = 0
        self._replications_run = 0

    def completion_hours(
        self, scenarios: Sequence[Scenario], replications: int | None = None
    ) -> list[np.ndarray]:
        """Each scenario's completion hours per replication, all from one queue of chunks."""
        from sim.replication.prepared import prepare

        count = self.replications if replications is None else replications
        batches: list[Batch[Any, Any]] = [
            Batch(prepare(scenario, self.status), self.seed, range(count), CompletionReduction())
            for scenario in scenarios
        ]
        label = f"{self.label} ({self._runs + 1}–{self._runs + len(batches)})"
        hours = self._engine.run_many(batches, label=label)
        self._runs += len(batches)
        self._replications_run += count * len(batches)
        return [np.asarray(run) for run in hours]

    def spent(self) -> Spent:
        return Spent(
            evaluations=self._runs,
            replications=self._replications_run,
            wall_seconds=time.perf_counter() - self._started,
            jobs=self._engine.workers,
        )


@contextmanager
def evaluations(
    *,
    seed: int,
    replications: int,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
    label: str = "",
    status: Status | None = None,
    engine: Engine | None = None,
    planned: int = 0,
) -> Iterator[Evaluations]:
    """Open :class:`Evaluations` on a new engine, closed when the block ends.

    ``engine``: an open engine to share with the rest of a command instead (one pool).
    ``planned``: the replications the runs are expected to take in all (0: unknown),
    the total of their one progress bar (grown if they take more).
    """
    if engine is not None:
        with engine.progress_over(label, planned):
            yield Evaluations(engine, seed, replications, label, status)
        return
    with Engine(jobs, executor, progress=progress) as own, own.progress_over(label, planned):
        yield Evaluations(own, seed, replications, label, status)
