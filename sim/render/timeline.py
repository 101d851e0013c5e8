"""What each C-17 tail was doing, hour by hour, in one replication: Gantt segments.

A replication simulated with ``trace=True`` keeps its events
(:mod:`sim.replication.trace`: launches, holds, landings, loads, breakdowns,
crew rests, take-offs, arrivals…). :func:`timeline_of` turns them into
:class:`Segment` s, one per state a tail was in, plus the parking occupancy on
the ramp at Base 101, airliner departures and the periods when the airfield was
closed by weather or landings were suspended (which the replication result
carries as data).

Reading the events, and its simplifications:

- a state lasts from the event that starts it to the next event of the same
  tail; an ``inbound`` leg lasts its ``duration_hours``, and any time between
  the end of the leg and the next event is counted as waiting for parking;
- the model draws service, repair and crew rest as one stretch on the ground,
  so the stretch after loading is drawn as servicing, then the repair hours,
  then the crew rest (the real order within it is not recorded); the wait of a
  last-out sortie for the other loaded aircraft counts as servicing;
- a wait at the offload station lasts its ``duration_hours``; the time there
  after arrival that is not a wait with a
  cause (clearance, landing slot, weather or suspension) is ``turnaround``
  (offload, crew change, and waiting for cargo to become ready).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.replication.outcome import ReplicationResult
from sim.replication.trace import Cause, Event, Kind
from sim.scenario.contract import Scenario

STATES: tuple[str, ...] = (
    "inbound",
    "holding (weather or suspension)",
    "diverted (returning)",
    "waiting for parking",
    "waiting for a loading team",
    "loading & servicing",
    "repairing",
    "crew rest",
    "waiting for the runway",
    "outbound",
    "turnaround",
    "clearance wait",
    "landing-slot hold",
    "ground wait (weather or suspension)",
)
"""Every state a segment may have, in the order of a sortie."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One tail in one state from ``start_hours`` to ``end_hours`` (hours since start)."""

    tail: str
    state: str
    start_hours: float
    end_hours: float

    @property
    def hours(self) -> float:
        return self.end_hours - self.start_hours


@dataclass(frozen=True, slots=True)
class AirlinerDeparture:
    hours: float
    service: str
    passengers: int
    cancelled: bool


@dataclass(frozen=True)
class Timeline:
    """The Gantt of one replication; times are hours since the scenario's start."""

    replication: int
    tails: tuple[str, ...]
    segments: tuple[Segment, ...]
    parking: tuple[tuple[float, int], ...]
    """Aircraft holding a parking spot, as ``(hours, count from then on)`` steps."""
    parking_capacity: int
    airliners: tuple[AirlinerDeparture, ...]
    closures: tuple[tuple[float, float], ...]
    suspensions: tuple[tuple[float, float], ...]
    completion_hours: float | None
    end_hours: float

    def hours_in(self, state: str) -> float:
        """Aircraft-hours spent in ``state`` (all tails)."""
        return sum(segment.hours for segment in self.segments if segment.state == state)


_OFFLOAD_STATION_WAITS: dict[Cause | None, str] = {
    Cause.CLEARANCE: "clearance wait",
    Cause.LANDING_SLOT: "landing-slot hold",
    Cause.WEATHER: "ground wait (weather or suspension)",
    Cause.SUSPENSION: "ground wait (weather or suspension)",
}
_HOLDS_IN_THE_AIR: dict[Cause | None, str] = {
    Cause.LANDING_SLOT: "landing-slot hold",
}
_STATE_AFTER: dict[Kind, str | None] = {
    Kind.WAITS_FOR_PARKING: "waiting for parking",
    Kind.LANDS: "waiting for a loading team",
    Kind.LOADS: "loading & servicing",
    Kind.FINDS_NOTHING_TO_LOAD: "loading & servicing",
    Kind.WAITS_FOR_LAST_SORTIE: "loading & servicing",
    Kind.WAITS_FOR_RUNWAY: "waiting for the runway",
    Kind.TAKES_OFF: "outbound",
    Kind.DIVERTS: "diverted (returning)",
    Kind.ARRIVES: "turnaround",
    Kind.STOPS_CYCLING: None,
}
"""The state an event starts, for the events whose state needs no more reading."""

_GROUND = "ground"
"""Servicing with repair or crew rest: one stretch in the model, split when it ends."""


def _tail_segments(tail: str, events: Sequence[Event], end_hours: float) -> list[Segment]:
    """Segments of one tail from its own events, in time order."""
    segments: list[Segment] = []

    def add(state: str, start: float, end: float) -> None:
        if end > start:
            segments.append(Segment(tail, state, start, end))

    state: str | None = None
    since = 0.0
    leg_end = wait_end = math.inf
    repair = rest = 0.0
    for position, event in enumerate(events):
        now, kind = event.hours, event.kind
        if kind in (Kind.ASKS_FOR_CLEARANCE, Kind.CLEARANCE_LAPSES, Kind.FINISHES_LOADING):
            continue  # the tail keeps doing what it was doing
        if state == _GROUND and kind in (Kind.BREAKS_DOWN, Kind.CREW_RESTS):
            # Both recorded at the end of loading: one stretch on the ground.
            if kind is Kind.BREAKS_DOWN:
                repair += event.duration_hours or 0.0
            else:
                rest += event.duration_hours or 0.0
            continue
        # Close the state that ran up to this event.
        if state == "inbound":
            add("inbound", since, min(now, leg_end))
            add("waiting for parking", min(now, leg_end), now)
        elif state == _GROUND:
            # Servicing, then repair, then crew rest: one stretch in the model.
            rest_start = max(since, now - rest)
            repair_start = max(since, rest_start - repair)
            add("loading & servicing", since, repair_start)
            add("repairing", repair_start, rest_start)
            add("crew rest", rest_start, now)
            repair = rest = 0.0
        elif state is not None and state in _OFFLOAD_STATION_WAITS.values():
            # A wait lasts its hours; the tail may then idle for want of work.
            add(state, since, min(now, wait_end))
            add("turnaround", min(now, wait_end), now)
        elif state is not None:
            add(state, since, now)
        next_state: str | None
        if kind is Kind.WAITS_AT_OFFLOAD_STATION:
            next_state = _OFFLOAD_STATION_WAITS.get(event.cause, "turnaround")
            wait_end = now + (event.duration_hours or 0.0)
        elif kind is Kind.LAUNCHES:
            next_state, leg_end = "inbound", now + (event.duration_hours or 0.0)
        elif kind is Kind.HOLDS_IN_THE_AIR:
            next_state = _HOLDS_IN_THE_AIR.get(event.cause, "holding (weather or suspension)")
        elif kind is Kind.BREAKS_DOWN:
            next_state, repair = _GROUND, repair + (event.duration_hours or 0.0)
        elif kind is Kind.CREW_RESTS:
            next_state, rest = _GROUND, rest + (event.duration_hours or 0.0)
        else:
            next_state = _STATE_AFTER.get(kind, state)
        state, since = next_state, now
        if position == len(events) - 1 and state not in (None, "turnaround"):
            add(state if state != _GROUND else "loading & servicing", since, end_hours)
    return segments


def _parking_steps(events: Iterable[Event]) -> tuple[tuple[float, int], ...]:
    """Aircraft holding a spot: +1 at each landing, -1 at each take-off, in time order."""
    changes = sorted(
        (event.hours, -1 if event.kind is Kind.TAKES_OFF else 1)
        for event in events
        if event.kind in (Kind.LANDS, Kind.TAKES_OFF)
    )  # at equal times the take-off comes first: it frees the spot the landing takes
    count = 0
    steps: list[tuple[float, int]] = [(0.0, 0)]
    for hours, change in changes:
        count += change
        steps.append((hours, count))
    return tuple(steps)


def timeline_of(scenario: Scenario, result: ReplicationResult) -> Timeline:
    """The Gantt of a replication simulated with ``trace=True``."""
    if result.trace is None:
        raise ValueError("the replication has no trace: simulate it with trace=True")
    by_tail: defaultdict[int, list[Event]] = defaultdict(list)
    airliners: list[AirlinerDeparture] = []
    for event in result.trace:
        if event.tail is not None:
            by_tail[event.tail].append(event)
        elif event.kind in (Kind.AIRLINER_DEPARTS, Kind.AIRLINER_CANCELLED):
            airliners.append(
                AirlinerDeparture(
                    event.hours,
                    event.actor,
                    event.passengers,
                    event.kind is Kind.AIRLINER_CANCELLED,
                )
            )
    numbers = sorted(by_tail)
    names = {number: by_tail[number][0].actor for number in numbers}
    segments = [
        segment
        for number in numbers
        for segment in _tail_segments(names[number], by_tail[number], result.end_hours)
    ]
    return Timeline(
        replication=result.index,
        tails=tuple(names[number] for number in numbers),
        segments=tuple(segments),
        parking=_parking_steps(e for number in numbers for e in by_tail[number]),
        parking_capacity=scenario.base.parking,
        airliners=tuple(airliners),
        closures=result.closures,
        suspensions=result.suspensions,
        completion_hours=result.completion_hours,
        end_hours=result.end_hours,
    )
