"""What each C-17 tail was doing, hour by hour, in one replication: Gantt segments.

A replication simulated with ``trace=True`` keeps an event log (launches,
lands, loads, breaks down, crew rests, takes off, arrives…). :func:`timeline_of`
turns that log into :class:`Segment` s, one per state a tail was in, plus the
parking occupancy on the ramp at Base 101, airliner departures and the periods
when the airfield was closed by weather or landings were suspended.

Reconstruction from the log, and its simplifications:

- a state lasts from the event that starts it to the next event of the same
  tail; an ``inbound`` leg lasts its logged ``leg`` hours, and any time between
  the end of the leg and the landing is counted as waiting for parking;
- the model draws service, repair and crew rest as one stretch on the ground,
  so the stretch after loading is drawn as servicing, then the logged repair
  hours, then the logged crew rest (the real order within it is not recorded);
  the wait of a last-out sortie for the other loaded aircraft counts as servicing;
- the time at the offload station after arrival that is not a logged clearance
  wait or landing-slot hold is ``turnaround`` (offload, crew change, and waiting
  for cargo to become ready);
- weather closures and suspensions are taken from the result when it carries
  them (``closures`` / ``suspensions`` attributes), otherwise they are drawn
  again from the replication's own random streams, which gives exactly the
  periods the replication saw (each source of randomness has its own stream).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sim.replication.outcome import ReplicationResult, TraceEvent
from sim.scenario.contract import Scenario

STATES: tuple[str, ...] = (
    "inbound",
    "holding (weather or suspension)",
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
)
"""Every state a segment may have, in the order of a sortie."""

_HOURS = re.compile(r"(-?\d+(?:\.\d+)?)\s*h")
_PARKING = re.compile(r"parking (\d+)/(\d+)")


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


def _hours_in(detail: str) -> float:
    match = _HOURS.search(detail)
    return float(match.group(1)) if match else 0.0


def _tail_segments(tail: str, events: Sequence[TraceEvent], end_hours: float) -> list[Segment]:
    """Segments of one tail from its own events, in time order."""
    segments: list[Segment] = []

    def add(state: str, start: float, end: float) -> None:
        if end > start:
            segments.append(Segment(tail, state, start, end))

    state: str | None = None
    since = 0.0
    leg_end = math.inf
    repair = rest = 0.0
    for position, event in enumerate(events):
        now = event.hours
        if event.event == "asks for clearance":
            continue  # the tail keeps doing what it was doing
        if state == "ground" and event.event in ("breaks down", "crew rests"):
            # Both logged at the end of loading: one stretch on the ground.
            repair += _hours_in(event.detail) if event.event == "breaks down" else 0.0
            rest += _hours_in(event.detail) if event.event == "crew rests" else 0.0
            continue
        # Close the state that ran up to this event.
        if state == "inbound":
            add("inbound", since, min(now, leg_end))
            add("waiting for parking", min(now, leg_end), now)
        elif state == "ground":
            # Servicing, then repair, then crew rest: one stretch in the model.
            rest_start = max(since, now - rest)
            repair_start = max(since, rest_start - repair)
            add("loading & servicing", since, repair_start)
            add("repairing", repair_start, rest_start)
            add("crew rest", rest_start, now)
            repair = rest = 0.0
        elif state is not None:
            add(state, since, now)
        kind = event.event
        next_state: str | None
        if kind == "waits for clearance" or kind == "clearance lapses":
            next_state = "clearance wait"
        elif kind == "holds for a landing slot":
            next_state = "landing-slot hold"
        elif kind.startswith("launches"):
            next_state, leg_end = "inbound", now + _hours_in(event.detail)
        elif kind.startswith("holds"):  # for weather, or: suspension (arrived, cannot land)
            next_state = "holding (weather or suspension)"
        elif kind == "lands":
            next_state = "waiting for a loading team"
        elif kind in ("loads", "finds nothing to load"):
            next_state = "loading & servicing"
        elif kind == "breaks down":
            next_state, repair = "ground", repair + _hours_in(event.detail)
        elif kind == "crew rests":
            next_state, rest = "ground", rest + _hours_in(event.detail)
        elif kind == "waits for the runway":
            next_state = "waiting for the runway"
        elif kind == "takes off":
            next_state = "outbound"
        elif kind == "arrives at the offload station":
            next_state = "turnaround"
        elif kind == "stops cycling":
            next_state = None
        else:  # an event this reader does not know: keep the state
            next_state = state
        state, since = next_state, now
        if position == len(events) - 1 and state not in (None, "turnaround"):
            add(state if state != "ground" else "loading & servicing", since, end_hours)
    return segments


def _parking_steps(events: Iterable[TraceEvent]) -> tuple[tuple[float, int], ...]:
    """Aircraft holding a spot: +1 at each landing, -1 at each take-off, in time order."""
    changes = sorted(
        (event.hours, -1 if event.event == "takes off" else 1)
        for event in events
        if event.event in ("lands", "takes off")
    )  # at equal times the take-off comes first: it frees the spot the landing takes
    count = 0
    steps: list[tuple[float, int]] = [(0.0, 0)]
    for hours, change in changes:
        count += change
        steps.append((hours, count))
    return tuple(steps)


def _periods(
    scenario: Scenario, result: ReplicationResult, seed: int
) -> tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]:
    """Weather closures and suspensions of the replication (from the result, or redrawn)."""
    closures = getattr(result, "closures", None)
    suspensions = getattr(result, "suspensions", None)
    if closures is None or suspensions is None:
        from sim.actors.clearance import ClearanceOffice
        from sim.actors.weather import draw_closures
        from sim.clock import Clock
        from sim.randomness import Streams

        clock = Clock(scenario.start)
        horizon_hours = 24.0 * scenario.simulation.horizon_days
        tails = 0 if scenario.airlift is None else scenario.airlift.tails
        if closures is None:
            streams = Streams(seed, result.index)
            closures = draw_closures(scenario.weather, clock, horizon_hours, streams)
        if suspensions is None:
            streams = Streams(seed, result.index)
            office = ClearanceOffice(scenario.clearance, clock, horizon_hours, streams, tails)
            suspensions = office.suspensions
    return (
        tuple((float(s), float(e)) for s, e in closures),
        tuple((float(s), float(e)) for s, e in suspensions),
    )


def timeline_of(
    scenario: Scenario, result: ReplicationResult, *, seed: int | None = None
) -> Timeline:
    """The Gantt of a replication simulated with ``trace=True`` (``seed``: the one it ran with)."""
    if result.trace is None:
        raise ValueError("the replication has no trace: simulate it with trace=True")
    events = result.trace
    tail_prefix = "" if scenario.airlift is None else f"{scenario.airlift.aircraft} #"
    by_tail: defaultdict[str, list[TraceEvent]] = defaultdict(list)
    airliners: list[AirlinerDeparture] = []
    for event in events:
        if tail_prefix and event.actor.startswith(tail_prefix):
            by_tail[event.actor].append(event)
        elif event.event in ("departs", "cancelled"):
            people = re.match(r"(\d+) of", event.detail)
            airliners.append(
                AirlinerDeparture(
                    event.hours,
                    event.actor,
                    int(people.group(1)) if people else 0,
                    event.event == "cancelled",
                )
            )
    tails = tuple(sorted(by_tail, key=lambda actor: int(actor.rsplit("#", 1)[1])))
    segments = [
        segment
        for tail in tails
        for segment in _tail_segments(tail, by_tail[tail], result.end_hours)
    ]
    closures, suspensions = _periods(
        scenario, result, scenario.simulation.seed if seed is None else seed
    )
    return Timeline(
        replication=result.index,
        tails=tails,
        segments=tuple(segments),
        parking=_parking_steps(e for tail in tails for e in by_tail[tail]),
        parking_capacity=scenario.base.parking,
        airliners=tuple(airliners),
        closures=closures,
        suspensions=suspensions,
        completion_hours=result.completion_hours,
        end_hours=result.end_hours,
    )
