"""All the runs of one question: one worker pool, one progress bar, common random numbers.

``solve`` and ``sensitivity`` run the same scenario many times with one field
changed. A :class:`Batch` is opened once per command: it starts the worker pool
once (a tornado over 20 inputs must not start 40 pools), draws one progress bar
over the whole command, gives every run the same root seed and replication
indices (so neighbouring values differ only by the change), and counts what
was spent: runs ("evaluations"), replications and wall time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from sim.answers.results import RunResult
from sim.montecarlo.runs import _executor_for, _progress_bar, _run_resolved, resolve
from sim.scenario.contract import Scenario


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


class Batch:
    """Runs sharing one pool, one progress bar and one seed; use :func:`batch` to open one."""

    def __init__(
        self, executor: Executor | None, jobs: int, seed: int, replications: int, bar: Any
    ) -> None:
        self._executor = executor
        self.jobs = jobs
        self.seed = seed
        self.replications = replications
        self._bar = bar
        self._started = time.perf_counter()
        self._evaluations = 0
        self._replications_run = 0

    def run(
        self, scenario: Scenario, replications: int | None = None, source: str | None = None
    ) -> RunResult:
        """Run ``scenario`` with the batch's seed and ``replications`` (default the batch's)."""
        count = self.replications if replications is None else replications
        resolved, _ = resolve(scenario, replications=count, seed=self.seed)
        self._bar.total = (self._bar.total or 0) + count
        self._bar.refresh()
        result = _run_resolved(
            resolved,
            source,
            jobs=self.jobs,
            executor=self._executor,
            progress=False,
            until_precision=None,
            max_replications=count,
            chunk_size=None,
        )
        self._bar.update(count)
        self._evaluations += 1
        self._replications_run += count
        return result

    def spent(self) -> Spent:
        return Spent(
            evaluations=self._evaluations,
            replications=self._replications_run,
            wall_seconds=time.perf_counter() - self._started,
            jobs=self.jobs,
        )


@contextmanager
def batch(
    *,
    seed: int,
    replications: int,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
    label: str = "",
) -> Iterator[Batch]:
    """Open a :class:`Batch`: the pool starts here and stops when the block ends."""
    with ExitStack() as stack:
        pool, workers = stack.enter_context(_executor_for(jobs, executor))
        bar = stack.enter_context(_progress_bar(0, label, progress))
        yield Batch(pool, workers, seed, replications, bar)
