"""Parallel runs: one scenario with one and two processes, and k scenarios from one pool."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sim


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary without what legitimately differs between equal runs (time, workers)."""
    provenance = dict(summary["provenance"])
    for key in ("wall_seconds", "jobs", "chunk_size"):
        provenance.pop(key, None)
    return {**summary, "provenance": provenance}


def timed_run(path: Path, replications: int, jobs: int) -> tuple[float, dict[str, Any], Any]:
    """(wall s including the pool's start-up, comparable summary, completion hours)."""
    started = time.perf_counter()
    result = sim.run(path, replications=replications, jobs=jobs, progress=False)
    wall = time.perf_counter() - started
    return wall, comparable(result.to_dict()), result.completion_hours


def timed_compare(path: Path, copies: int, replications: int, jobs: int) -> float:
    """Wall s of ``compare`` of ``copies`` copies of a scenario, pool start-up included."""
    started = time.perf_counter()
    sim.compare([path] * copies, replications=replications, jobs=jobs, progress=False)
    return time.perf_counter() - started
