"""The compact record a Monte Carlo run keeps of each replication.

A :class:`~sim.replication.outcome.ReplicationResult` carries one row per sortie share of a
cohort or cargo line (and, on request, a trace). Ten thousand of them would not
fit comfortably in memory, and the scores need far less: the worker that
simulates a replication *reduces* it at once to a few scalars, the counters,
whether each milestone was met, a daily burndown (people and cargo still on
the base at the end of each calendar day, from the start day to the horizon),
and the people and cargo out at each of the scenario's ``observed:`` instants
(for calibration: those fall at any time of day, e.g. 00:05 on 8 July).
That is about 3 kB per replication with the default one-year horizon, so 10,000
replications take about 30 MB.

The records of a run are held column by column in a :class:`ReplicationTable`;
a chunk of replications computed by one worker is a table too, and the parent
places each chunk by replication index, never by arrival order.

"Out by" a limit means out strictly before it: a bare date ``by`` stands for
00:00 of the next day, and someone taking off at that instant left the next day.
At an observed instant, what took off *at or before* it is out (the record's
"the last C-17s left at 00:05" counts their passengers at 00:05).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.montecarlo.engine import Reduction
from sim.replication.outcome import COUNTER_NAMES, ReplicationResult

if TYPE_CHECKING:
    from sim.scenario.contract import Scenario

# Cargo fractions are compared with a little slack: 0.8 × 10,000.1 kg summed
# from floats may differ from the exact product in the last bits.
_KG_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    name: str
    by: dt.date
    by_hours: float
    personnel: float | None
    cargo: float | None


@dataclass(frozen=True, slots=True)
class Layout:
    """What a worker needs, besides the scenario, to reduce a replication."""

    day_end_hours: np.ndarray
    """Hours since start of each day end (00:00 of the next day) up to the horizon."""
    milestones: tuple[MilestoneSpec, ...]
    total_personnel: int
    total_cargo_kg: float
    has_sensitive: bool
    observed_hours: np.ndarray
    """Hours since start of each ``observed:`` point, in the scenario's order."""

    @classmethod
    def of(cls, scenario: Scenario) -> Layout:
        from sim.scenario.contract import end_of_day

        first = end_of_day(scenario.start.date())
        days = max(1, math.ceil((scenario.horizon_end - first).total_seconds() / 86400.0) + 1)
        offset = scenario.hours_since_start(first)
        milestones = tuple(
            MilestoneSpec(
                name=m.name,
                by=m.by,
                by_hours=scenario.hours_since_start(end_of_day(m.by)),
                personnel=m.personnel,
                cargo=m.cargo,
            )
            for m in scenario.milestones
        )
        return cls(
            day_end_hours=offset + 24.0 * np.arange(days, dtype=np.float64),
            milestones=milestones,
            total_personnel=scenario.total_personnel,
            total_cargo_kg=scenario.total_cargo_kg,
            has_sensitive=any(line.sensitive and line.count > 0 for line in scenario.cargo),
            observed_hours=np.array(
                [scenario.hours_since_start(point.at) for point in scenario.observed],
                dtype=np.float64,
            ),
        )


@dataclass(frozen=True)
class ReplicationTable:
    """Per-replication records, one row per replication, in replication order.

    Unfinished replications have ``completion_hours = inf``; ``sensitive_hours`` is
    ``inf`` when sensitive cargo never left and ``nan`` when there is none.
    """

    index: np.ndarray  # int64 [n]
    completion_hours: np.ndarray  # float64 [n]
    sensitive_hours: np.ndarray  # float64 [n]
    unfinished_reason: tuple[str | None, ...]
    counters: np.ndarray  # float64 [n, len(COUNTER_NAMES)]
    milestones_met: np.ndarray  # bool [n, milestones]
    people_remaining: np.ndarray  # int32 [n, days]
    cargo_kg_remaining: np.ndarray  # float32 [n, days]
    events: np.ndarray  # int64 [n]
    people_out_at_observed: np.ndarray  # float64 [n, observed points]
    cargo_kg_out_at_observed: np.ndarray  # float64 [n, observed points]

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def counter(self, name: str) -> np.ndarray:
        return self.counters[:, COUNTER_NAMES.index(name)]

    def take(self, rows: np.ndarray | slice) -> ReplicationTable:
        reasons = np.array(self.unfinished_reason, dtype=object)[rows]
        return ReplicationTable(
            index=self.index[rows],
            completion_hours=self.completion_hours[rows],
            sensitive_hours=self.sensitive_hours[rows],
            unfinished_reason=tuple(reasons.tolist()),
            counters=self.counters[rows],
            milestones_met=self.milestones_met[rows],
            people_remaining=self.people_remaining[rows],
            cargo_kg_remaining=self.cargo_kg_remaining[rows],
            events=self.events[rows],
            people_out_at_observed=self.people_out_at_observed[rows],
            cargo_kg_out_at_observed=self.cargo_kg_out_at_observed[rows],
        )

    def freeze(self) -> ReplicationTable:
        """Make the arrays read-only (a result is immutable); returns the table."""
        for array in self._arrays():
            array.flags.writeable = False
        return self

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return (
            self.index,
            self.completion_hours,
            self.sensitive_hours,
            self.counters,
            self.milestones_met,
            self.people_remaining,
            self.cargo_kg_remaining,
            self.events,
            self.people_out_at_observed,
            self.cargo_kg_out_at_observed,
        )

    @property
    def nbytes(self) -> int:
        return sum(array.nbytes for array in self._arrays())

    @staticmethod
    def from_results(results: list[ReplicationResult], layout: Layout) -> ReplicationTable:
        """Reduce replication results (in the order given) to a table."""
        n, days = len(results), layout.day_end_hours.shape[0]
        table = ReplicationTable(
            index=np.empty(n, dtype=np.int64),
            completion_hours=np.empty(n, dtype=np.float64),
            sensitive_hours=np.empty(n, dtype=np.float64),
            unfinished_reason=tuple(
                r.unfinished_reason if not r.finished else None for r in results
            ),
            counters=np.empty((n, len(COUNTER_NAMES)), dtype=np.float64),
            milestones_met=np.empty((n, len(layout.milestones)), dtype=np.bool_),
            people_remaining=np.empty((n, days), dtype=np.int32),
            cargo_kg_remaining=np.empty((n, days), dtype=np.float32),
            events=np.empty(n, dtype=np.int64),
            people_out_at_observed=np.empty((n, len(layout.observed_hours)), dtype=np.float64),
            cargo_kg_out_at_observed=np.empty((n, len(layout.observed_hours)), dtype=np.float64),
        )
        for row, result in enumerate(results):
            _reduce_into(table, row, result, layout)
        return table

    @staticmethod
    def concatenate(tables: list[ReplicationTable]) -> ReplicationTable:
        """Join chunk tables and sort by replication index (order of arrival is irrelevant)."""
        # Chunks are ranges of indices: put them in order first, so that the joined
        # table is usually sorted already and needs no second full copy (memory).
        tables = sorted(tables, key=lambda t: int(t.index[0]) if len(t) else -1)
        joined = ReplicationTable(
            index=np.concatenate([t.index for t in tables]),
            completion_hours=np.concatenate([t.completion_hours for t in tables]),
            sensitive_hours=np.concatenate([t.sensitive_hours for t in tables]),
            unfinished_reason=tuple(reason for t in tables for reason in t.unfinished_reason),
            counters=np.concatenate([t.counters for t in tables]),
            milestones_met=np.concatenate([t.milestones_met for t in tables]),
            people_remaining=np.concatenate([t.people_remaining for t in tables]),
            cargo_kg_remaining=np.concatenate([t.cargo_kg_remaining for t in tables]),
            events=np.concatenate([t.events for t in tables]),
            people_out_at_observed=np.concatenate([t.people_out_at_observed for t in tables]),
            cargo_kg_out_at_observed=np.concatenate([t.cargo_kg_out_at_observed for t in tables]),
        )
        steps = np.diff(joined.index)
        if np.all(steps > 0):
            return joined
        order = np.argsort(joined.index, kind="stable")
        if np.any(np.diff(joined.index[order]) == 0):
            raise ValueError("a replication index appears twice")
        return joined.take(order)


class TableReduction(Reduction[ReplicationTable, ReplicationTable]):
    """The records of a run (the scores and the burndown): a table per chunk, joined."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def reduce(self, results: list[ReplicationResult]) -> ReplicationTable:
        return ReplicationTable.from_results(results, self.layout)

    def combine(self, parts: list[ReplicationTable]) -> ReplicationTable:
        return ReplicationTable.concatenate(parts)


class _Departed:
    """Amounts that left at given hours, put in time order and summed once for every limit."""

    __slots__ = ("_cumulative", "_hours")

    def __init__(self, hours: np.ndarray, amounts: np.ndarray) -> None:
        order = np.argsort(hours, kind="stable")
        self._hours = hours[order]
        self._cumulative = np.zeros(len(order) + 1)  # [0]: nothing left before the first
        np.cumsum(amounts[order], dtype=np.float64, out=self._cumulative[1:])

    def before(self, limits: np.ndarray, *, at_limit: bool = False) -> np.ndarray:
        """Cumulative amount that left strictly before each limit (``at_limit``: at or before)."""
        positions = np.searchsorted(self._hours, limits, side="right" if at_limit else "left")
        return self._cumulative[positions]


def _reduce_into(
    table: ReplicationTable, row: int, result: ReplicationResult, layout: Layout
) -> None:
    table.index[row] = result.index
    table.completion_hours[row] = (
        math.inf if result.completion_hours is None else result.completion_hours
    )
    if not layout.has_sensitive:
        table.sensitive_hours[row] = math.nan
    elif result.last_sensitive_hours is None:
        table.sensitive_hours[row] = math.inf
    else:
        table.sensitive_hours[row] = result.last_sensitive_hours
    table.counters[row] = [float(getattr(result.counters, name)) for name in COUNTER_NAMES]
    table.events[row] = result.events

    people, cargo = result.personnel, result.cargo
    people_out = _Departed(
        np.asarray(people["hours"], dtype=np.float64), np.asarray(people["count"], dtype=np.float64)
    )
    cargo_out = _Departed(
        np.asarray(cargo["hours"], dtype=np.float64), np.asarray(cargo["kg"], dtype=np.float64)
    )

    grid = layout.day_end_hours
    table.people_remaining[row] = np.rint(layout.total_personnel - people_out.before(grid)).astype(
        np.int32
    )
    table.cargo_kg_remaining[row] = np.maximum(
        layout.total_cargo_kg - cargo_out.before(grid), 0.0
    ).astype(np.float32)

    if layout.observed_hours.size:
        observed = layout.observed_hours
        table.people_out_at_observed[row] = people_out.before(observed, at_limit=True)
        table.cargo_kg_out_at_observed[row] = cargo_out.before(observed, at_limit=True)

    if layout.milestones:
        limits = np.array([m.by_hours for m in layout.milestones], dtype=np.float64)
        people_by_milestone = people_out.before(limits)
        kg_by_milestone = cargo_out.before(limits)
        for column, milestone in enumerate(layout.milestones):
            met = True
            if milestone.personnel is not None:
                met &= bool(
                    people_by_milestone[column] >= milestone.personnel * layout.total_personnel
                )
            if milestone.cargo is not None:
                needed = milestone.cargo * layout.total_cargo_kg - _KG_TOLERANCE
                met &= bool(kg_by_milestone[column] >= needed)
            table.milestones_met[row, column] = met
