"""One replication of the drawdown: the actors wired together in a SimPy environment.

:func:`simulate` builds Base 101, the clearance office, the weather, the
airliner timetable and the inventory of people and cargo, starts one
``c17_sortie_cycle`` per tail and one ``airline_departures`` process, and runs
until everything is out, nothing can move any more, or the horizon.

The shared world those processes act on is :class:`sim.replication.world.Drawdown`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.actors.airlift import c17_sortie_cycle
from sim.actors.commercial import airline_departures, airline_timetable
from sim.clock import Clock
from sim.randomness import Streams
from sim.replication.outcome import (
    CARGO_DTYPE,
    PERSONNEL_DTYPE,
    ReplicationResult,
)
from sim.replication.prepared import Prepared, prepare
from sim.replication.trace import Event
from sim.replication.world import Drawdown

if TYPE_CHECKING:
    from sim.scenario.contract import Scenario


def simulate(
    scenario: Scenario | Prepared,
    replication: int,
    *,
    seed: int | None = None,
    trace: bool = False,
) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` and return what happened.

    Random numbers come from ``SeedSequence(seed, spawn_key=(replication, ...))``
    (``seed`` defaults to the scenario's), so a replication replays alone. Many
    replications of one scenario should share one :func:`prepare` of it.
    """
    prepared = prepare(scenario)
    status = prepared.scenario.status
    # A forecast from a status starts at its as_of; the clock still counts from start.
    as_of_hours = 0.0 if status is None else Clock(prepared.scenario.start).hours(status.as_of)
    env = simpy.Environment(initial_time=as_of_hours)
    root_seed = prepared.seed if seed is None else seed
    return play(Drawdown(env, prepared, Streams(root_seed, replication), trace), replication)


def play(drawdown: Drawdown, replication: int) -> ReplicationResult:
    """Start the actors on a world already built (and perhaps adjusted), and run it out.

    :func:`simulate` builds the world from the scenario's random streams; a test or a
    question may build it, set some of its state (closures, suspensions…), then play it.
    """
    env = drawdown.env
    as_of_hours = env.now  # where the world's clock was set to begin (a status's as_of)
    if drawdown.inventory.all_out:
        drawdown.completion_hours = as_of_hours
    else:
        for tail in range(drawdown.tails):
            env.process(c17_sortie_cycle(env, tail, drawdown))
        timetable = airline_timetable(
            drawdown.scenario.commercial,
            drawdown.clock,
            drawdown.horizon_hours,
            drawdown.base.closures,
            streams=drawdown.streams,
            begin_hours=as_of_hours,
        )
        env.process(airline_departures(env, timetable, drawdown))
        horizon = env.timeout(drawdown.horizon_hours - as_of_hours)
        env.run(until=env.any_of([drawdown.finished, horizon]))
    end_hours = float(env.now)
    closures = drawdown.base.closures
    suspensions = drawdown.office.suspensions
    counters = drawdown.counters
    counters.weather_closures = sum(1 for start, _ in closures if start < end_hours)
    counters.weather_closed_hours = closures.total_hours(until=end_hours)
    counters.suspensions = sum(1 for start, _ in suspensions if start < end_hours)
    counters.suspended_hours = suspensions.total_hours(until=end_hours)
    finished = drawdown.completion_hours is not None
    return ReplicationResult(
        index=replication,
        completion_hours=drawdown.completion_hours,
        unfinished_reason=None if finished else drawdown.unfinished_reason(),
        last_sensitive_hours=drawdown.last_sensitive_hours,
        personnel=np.array(drawdown.personnel_rows, dtype=PERSONNEL_DTYPE),
        cargo=np.array(drawdown.cargo_rows, dtype=CARGO_DTYPE),
        counters=counters,
        end_hours=end_hours,
        events=_events_processed(env),
        # In time order: a lapse is recorded when the tail notices it, at the moment it lapsed.
        trace=None if drawdown.trace is None else tuple(sorted(drawdown.trace, key=_hours)),
        closures=tuple(closures),
        suspensions=tuple(suspensions),
    )


def _hours(event: Event) -> float:
    return event.hours


def _events_processed(env: simpy.Environment) -> int:
    """Events scheduled so far (SimPy numbers every event it schedules)."""
    eid = env._eid  # SimPy keeps no public counter of events
    return int(next(eid))
