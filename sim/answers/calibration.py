"""Calibration: the simulated drawdown against the historical record, point by point.

A scenario's ``observed:`` block lists points of the record (personnel out and
cargo out at an instant, with their source). For each point :func:`calibrate`
runs the scenario's replications and takes, at that exact instant, the people
and the cargo (kg) out *at or before* it in every replication; it reports the
median and the P10–P90 band across replications, the observed value, and
whether the observed value falls inside the band.

The band is the model's spread, not a confidence interval for the median: an
observed value outside it means the record is in the outer fifth of what the
model thinks can happen, which for a single historical outcome is a warning,
not a proof. The daily burndown that :mod:`sim.montecarlo.runs` keeps is not enough here
(observed instants fall at any time of day, e.g. 00:05 on 8 July), so this
module simulates the replications itself, in chunks, optionally in worker
processes (``spawn``, as the runner does); replication *i* uses the same random
numbers as in ``drawdown run``, so the results do not depend on ``jobs``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from sim.scenario.contract import Scenario

Quantity = Literal["personnel_out", "cargo_out_kg"]
ScenarioLike = Scenario | str | os.PathLike[str]

_QUANTITIES: tuple[Quantity, ...] = ("personnel_out", "cargo_out_kg")


@dataclass(frozen=True, slots=True)
class CalibrationPoint:
    """One observed quantity at one instant, with the simulated distribution there."""

    at: dt.datetime
    quantity: Quantity
    observed: float
    p10: float
    p50: float
    p90: float
    source: str
    note: str

    @property
    def within_band(self) -> bool:
        """The observed value lies in the simulated P10–P90 band (inclusive)."""
        return self.p10 <= self.observed <= self.p90

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["at"] = self.at.isoformat(timespec="minutes")
        payload["within_band"] = self.within_band
        return payload


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """Simulated vs observed at every ``observed:`` point of a scenario."""

    scenario: str
    source: str | None
    seed: int
    replications: int
    points: tuple[CalibrationPoint, ...]
    wall_seconds: float

    @property
    def within_band(self) -> int:
        return sum(point.within_band for point in self.points)

    def point(self, at: dt.datetime, quantity: Quantity) -> CalibrationPoint:
        """The first point observed at ``at`` for ``quantity``."""
        for point in self.points:
            if point.at == at and point.quantity == quantity:
                return point
        raise KeyError(f"no observed {quantity} at {at.isoformat(timespec='minutes')}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "source": self.source,
            "seed": self.seed,
            "replications": self.replications,
            "within_band": self.within_band,
            "points": [point.to_dict() for point in self.points],
            "wall_seconds": self.wall_seconds,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def sample_out_by(
    scenario: Scenario, seed: int, start: int, stop: int, hours: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """People and cargo kg out at or before each of ``hours``, for replications ``start…stop-1``.

    Returns two arrays of shape ``(stop - start, len(hours))``. Runs in worker processes.
    """
    from sim.replication.drawdown import simulate

    people = np.zeros((stop - start, len(hours)), dtype=np.float64)
    cargo = np.zeros((stop - start, len(hours)), dtype=np.float64)
    for row, index in enumerate(range(start, stop)):
        result = simulate(scenario, index, seed=seed)
        for column, limit in enumerate(hours):
            people[row, column] = result.personnel_out_by(limit)
            cargo[row, column] = result.cargo_out_kg_by(limit)
    return people, cargo


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunks(replications: int, jobs: int) -> list[tuple[int, int]]:
    size = max(1, min(50, math.ceil(replications / (max(jobs, 1) * 4))))
    return [(first, min(first + size, replications)) for first in range(0, replications, size)]


def _sample(
    scenario: Scenario,
    seed: int,
    replications: int,
    hours: Sequence[float],
    jobs: int,
    executor: Executor | None,
) -> tuple[np.ndarray, np.ndarray]:
    chunks = _chunks(replications, jobs)
    pool: Executor | None = executor
    owned = False
    if pool is None and jobs > 1:
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_interrupts,  # Ctrl-C is the parent's business
        )
        owned = True
    try:
        if pool is None:
            parts = [sample_out_by(scenario, seed, a, b, hours) for a, b in chunks]
        else:
            futures = [pool.submit(sample_out_by, scenario, seed, a, b, hours) for a, b in chunks]
            parts = [future.result() for future in futures]  # in replication order
    except BaseException:
        if owned and pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if owned and pool is not None:
        pool.shutdown(wait=True)
    empty = np.zeros((0, len(hours)))
    people = np.concatenate([p for p, _ in parts]) if parts else empty
    cargo = np.concatenate([c for _, c in parts]) if parts else empty
    return people, cargo


def calibrate(
    scenario_or_path: ScenarioLike,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    overrides: Sequence[str] = (),
) -> CalibrationResult:
    """Compare a scenario's replications with its ``observed:`` points.

    ``replications`` and ``seed`` default to the scenario's ``simulation`` block;
    ``jobs`` worker processes (1: in this process) or any ``executor``.
    Raises ``ValueError`` when the scenario has no observed points.
    """
    from sim.montecarlo.runs import resolve

    started = time.perf_counter()
    scenario, source = resolve(scenario_or_path, overrides, replications=replications, seed=seed)
    if not scenario.observed:
        raise ValueError(f"scenario {scenario.name!r} has no observed: points to calibrate against")
    hours = [scenario.hours_since_start(point.at) for point in scenario.observed]
    n = scenario.simulation.replications
    people, cargo = _sample(scenario, scenario.simulation.seed, n, hours, jobs, executor)
    points: list[CalibrationPoint] = []
    for column, observed in enumerate(scenario.observed):
        for quantity in _QUANTITIES:
            value = getattr(observed, quantity)
            if value is None:
                continue
            samples = people[:, column] if quantity == "personnel_out" else cargo[:, column]
            p10, p50, p90 = (float(v) for v in np.percentile(samples, [10, 50, 90]))
            points.append(
                CalibrationPoint(
                    at=observed.at,
                    quantity=quantity,
                    observed=float(value),
                    p10=p10,
                    p50=p50,
                    p90=p90,
                    source=observed.source,
                    note=observed.note,
                )
            )
    return CalibrationResult(
        scenario=scenario.name,
        source=source,
        seed=scenario.simulation.seed,
        replications=n,
        points=tuple(points),
        wall_seconds=round(time.perf_counter() - started, 3),
    )


# --- rendering ------------------------------------------------------------------


def _amount(quantity: Quantity, value: float) -> str:
    if quantity == "cargo_out_kg":
        return f"{value / 1000:,.0f}"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def render_calibration(result: CalibrationResult) -> str:
    """A text table: one line per observed quantity, then the sources."""
    from sim.render.text import table

    rows = []
    for point in result.points:
        label = "personnel out" if point.quantity == "personnel_out" else "cargo out (t)"
        rows.append(
            [
                point.at.strftime("%Y-%m-%d %H:%M"),
                label,
                _amount(point.quantity, point.observed),
                _amount(point.quantity, point.p50),
                f"{_amount(point.quantity, point.p10)}–{_amount(point.quantity, point.p90)}",
                "yes" if point.within_band else "NO",
            ]
        )
    headers = ["at", "quantity", "observed", "sim P50", "sim P10–P90", "in band"]
    lines = [
        f"{result.scenario}: simulated vs observed, {result.replications} replications, "
        f"seed {result.seed}; {result.within_band} of {len(result.points)} observed values "
        "inside the simulated P10–P90 band",
        "",
        table(headers, rows),
        "",
        "sources",
    ]
    seen: set[str] = set()
    for point in result.points:
        key = f"{point.at.isoformat(timespec='minutes')}: {point.source}"
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {key}")
        if point.note:
            lines.append(f"    note: {point.note}")
    return "\n".join(lines) + "\n"
