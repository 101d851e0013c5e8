"""The forecast cone: how the forecast of completion narrows as the drawdown goes on.

A planner forecasts again every few days from where the drawdown stands. The
cone shows what those forecasts would say: for a series of moments ``as_of``,
the P10, P50 and P90 of completion (and P(on time)) of a run started from the
status at that moment.

**Where the statuses come from.** Either status files given by the planner
(the record's, for instance), or the **median replication** of a run from
``start``, read at every ``every_days``: what it had out by then (people per
cohort, units per line) and where each tail was, from its trace — in the air
toward Base 101 (landing when the replication landed it), on the ground there
(loading until it finished loading; a tail already loaded is loaded again at
``as_of``), flying back from Base 101 (arriving when the replication had it
arrive: it asks for its next clearance then), or at the offload station (ready
when it next launched or waited for its clearance there, with the approval or
the request it held). All runs share one engine, one seed and the same
replication numbers (common random numbers).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.render.views import Table, View, Viewed, percent
from sim.replication.trace import Kind
from sim.scenario.status import Approval, Status, StatusLike, TailStatus, load_status_for

if TYPE_CHECKING:
    import pandas as pd

    from sim.answers.results import RunResult
    from sim.replication.outcome import ReplicationResult
    from sim.replication.trace import Event
    from sim.scenario.contract import Scenario


@dataclass(frozen=True, slots=True)
class ConePoint:
    """The forecast made at ``as_of``."""

    as_of: dt.datetime
    people_out: int
    cargo_kg_out: float
    p_on_time: float
    p10: dt.datetime | None
    p50: dt.datetime | None
    p90: dt.datetime | None
    """None: more than that share of replications never finished."""

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: dt.datetime | None) -> str | None:
            return None if moment is None else moment.isoformat(timespec="minutes")

        return {
            "as_of": iso(self.as_of),
            "people_out": self.people_out,
            "cargo_kg_out": round(self.cargo_kg_out, 1),
            "p_on_time": round(self.p_on_time, 4),
            "completion_p10": iso(self.p10),
            "completion_p50": iso(self.p50),
            "completion_p90": iso(self.p90),
        }


@dataclass(frozen=True, slots=True, repr=False)
class ForecastCone(Viewed):
    """Forecasts of one scenario from a series of statuses, earliest first."""

    scenario: Scenario
    statuses_from: str
    """``median replication`` or ``status files``."""
    points: tuple[ConePoint, ...]
    replications: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "deadline": self.scenario.deadline.isoformat(),
            "statuses_from": self.statuses_from,
            "replications": self.replications,
            "seed": self.seed,
            "points": [point.to_dict() for point in self.points],
        }

    def to_json(self) -> str:
        """The JSON of ``drawdown forecast --json``."""
        from sim.render.data import dumps

        return dumps(self.to_dict())

    def view(self) -> View:
        def when(moment: dt.datetime | None) -> str:
            return "unfinished" if moment is None else moment.strftime("%d %b %H:%M")

        rows = tuple(
            (
                point.as_of.strftime("%d %b %Y %H:%M"),
                str(point.people_out),
                f"{point.cargo_kg_out / 1000:,.0f} t",
                percent(point.p_on_time),
                f"{when(point.p10)} – {when(point.p50)} – {when(point.p90)}",
            )
            for point in self.points
        )
        return View(
            kind="ForecastCone",
            title=self.scenario.name,
            subtitle=f"{len(self.points)} forecasts from the {self.statuses_from}, "
            f"{self.replications} replications each, seed {self.seed}",
            facts=(("deadline", f"end of {self.scenario.deadline:%d %b %Y}"),),
            tables=(
                Table(("as of", "people out", "cargo out", "P(on time)", "P10 – P50 – P90"), rows),
            ),
            more=".points · .to_frame() · sim.plots.forecast_cone(cone)",
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per forecast (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.to_dict()["points"])


def status_of_replication(
    scenario: Scenario, replication: ReplicationResult, as_of: dt.datetime
) -> Status:
    """Where ``replication`` (traced) stood at ``as_of``: what was out, where each tail was."""
    if replication.trace is None:
        raise ValueError("the replication must be traced (sim.simulate(..., trace=True))")
    hours = scenario.hours_since_start(as_of)
    people = [0] * len(scenario.personnel)
    for row in replication.personnel:
        if row["hours"] <= hours:
            people[int(row["cohort"])] += int(row["count"])
    units = [0] * len(scenario.cargo)
    for row in replication.cargo:
        if row["hours"] <= hours:
            units[int(row["line"])] += int(row["units"])
    tails = scenario.airlift.tails if scenario.airlift is not None else 0
    by_tail: list[list[Event]] = [[] for _ in range(tails)]
    for event in replication.trace:
        if event.tail is not None and event.tail < tails:
            by_tail[event.tail].append(event)
    return Status(
        as_of=as_of,
        personnel_out={c.name: n for c, n in zip(scenario.personnel, people, strict=True) if n},
        cargo_out={line.name: n for line, n in zip(scenario.cargo, units, strict=True) if n},
        tails=[
            status
            for number, events in enumerate(by_tail)
            if (status := _tail_at(scenario, number, events, hours)) is not None
        ],
    )


def _tail_at(
    scenario: Scenario, number: int, events: list[Event], hours: float
) -> TailStatus | None:
    """One tail's position at ``hours`` read from its events (None: not started yet)."""
    past = [event for event in events if event.hours <= hours]
    future = [event for event in events if event.hours > hours]
    moving = [e for e in past if e.kind in _POSITION_KINDS]
    if not moving:
        return None if not past else _at_offload(scenario, number, past, future, hours)
    last = moving[-1]
    if last.kind is Kind.LAUNCHES:  # in the air toward Base 101 (or holding there)
        lands = next((e.hours for e in future if e.kind is Kind.LANDS), None)
        if lands is None:
            return None
        return TailStatus(tail=number + 1, at="inbound", until=scenario.moment(lands))
    if last.kind in (Kind.TAKES_OFF, Kind.DIVERTS):  # in the air flying back
        arrives = next((e.hours for e in future if e.kind is Kind.ARRIVES), None)
        if arrives is not None:
            return TailStatus(tail=number + 1, at="outbound", until=scenario.moment(arrives))
    if last.kind in (Kind.LANDS, Kind.LOADS, Kind.FINISHES_LOADING):  # on the ground
        done = hours
        if last.kind is not Kind.FINISHES_LOADING:
            done = next((e.hours for e in future if e.kind in _LOADED), hours)
        return TailStatus(tail=number + 1, at="base_101", until=scenario.moment(max(hours, done)))
    return _at_offload(scenario, number, past, future, hours)


_LEFT_BASE_101 = (Kind.TAKES_OFF, Kind.ARRIVES, Kind.DIVERTS)
_AT_OFFLOAD_READY = (Kind.LAUNCHES, Kind.WAITS_AT_OFFLOAD_STATION)
_LOADED = (Kind.FINISHES_LOADING, Kind.FINDS_NOTHING_TO_LOAD)
_POSITION_KINDS = (
    Kind.LAUNCHES,
    Kind.LANDS,
    Kind.LOADS,
    Kind.FINISHES_LOADING,
    Kind.TAKES_OFF,
    Kind.ARRIVES,
    Kind.DIVERTS,
    Kind.STOPS_CYCLING,
)


def _at_offload(
    scenario: Scenario, number: int, past: list[Event], future: list[Event], hours: float
) -> TailStatus | None:
    """At (or flying back to) the offload station: ready when it next showed it was."""
    if any(e.kind is Kind.STOPS_CYCLING for e in past):
        return None
    # Its turnaround was done when it first waited or launched after arriving (the
    # time it then waited for its clearance or a slot is not part of it).
    back = [i for i, e in enumerate(past) if e.kind in _LEFT_BASE_101]
    since = past[back[-1] + 1 :] if back else past
    ready = next(
        (e.hours for e in [*since, *future] if e.kind in _AT_OFFLOAD_READY),
        hours,
    )
    asks = [e for e in past if e.kind is Kind.ASKS_FOR_CLEARANCE]
    approval, requested = None, None
    if asks:
        ask = asks[-1]
        answered = ask.until_hours
        if answered is not None and answered <= hours:
            approval = Approval(granted=scenario.moment(answered))
        elif answered is not None:
            requested = scenario.moment(ask.hours)
    return TailStatus(
        tail=number + 1,
        at="offload_station",
        until=scenario.moment(max(hours, ready)),
        approval=approval,
        requested=requested,
    )


def forecast_cone(
    scenario_or_path: Scenario | str | os.PathLike[str],
    *,
    statuses: Sequence[StatusLike] = (),
    every_days: float = 7.0,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
) -> ForecastCone:
    """Forecasts from a series of statuses (see the module docstring), one engine for all."""
    from sim.montecarlo.engine import Engine
    from sim.montecarlo.runs import resolve, run

    if every_days <= 0:
        raise ValueError(f"every_days must be > 0 (got {every_days:g})")
    scenario, path = resolve(scenario_or_path, replications=replications, seed=seed)
    # One progress bar: the runs from the files known now, those from the median grown.
    planned = (1 + len(statuses)) * scenario.simulation.replications
    with (
        Engine(jobs, executor, progress=progress) as engine,
        engine.progress_over(f"forecast {scenario.name}", planned),
    ):
        baseline = run(scenario, engine=engine, source=path)
        if statuses:
            loaded = sorted(
                (load_status_for(status, scenario).status for status in statuses),
                key=lambda status: status.as_of,
            )
            source = "status files"
        else:
            loaded = _from_median(scenario, baseline, every_days)
            source = "median replication"
        runs = [baseline, *(run(scenario, engine=engine, status=status) for status in loaded)]
    moments = [scenario.start, *(status.as_of for status in loaded)]
    return ForecastCone(
        scenario=scenario,
        statuses_from=source,
        points=tuple(
            _point(moment, result, status)
            for moment, result, status in zip(moments, runs, [None, *loaded], strict=True)
        ),
        replications=scenario.simulation.replications,
        seed=scenario.simulation.seed,
    )


def _from_median(scenario: Scenario, baseline: RunResult, every_days: float) -> list[Status]:
    typical = baseline.typical
    if typical is None or typical.completion_hours is None:
        return []
    statuses = []
    step = dt.timedelta(days=every_days)
    moment = scenario.start + step
    end = scenario.moment(typical.completion_hours)
    while moment < end:
        statuses.append(status_of_replication(scenario, typical, moment))
        moment += step
    return statuses


def _point(moment: dt.datetime, result: RunResult, status: Status | None) -> ConePoint:
    scenario = result.scenario
    people = 0 if status is None else sum(status.personnel_out.values())
    weights = {line.name: line.weight_kg for line in scenario.cargo}
    kg = 0.0 if status is None else sum(weights[k] * n for k, n in status.cargo_out.items())
    completion = result.score.completion
    return ConePoint(
        as_of=moment,
        people_out=people,
        cargo_kg_out=kg,
        p_on_time=result.score.p_on_time,
        p10=completion.p10,
        p50=completion.p50,
        p90=completion.p90,
    )
