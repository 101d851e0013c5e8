"""What happened in one replication, step by step: the structured trace.

A replication simulated with ``trace=True`` records one :class:`Event` each
time an actor does something a planner would log: a tail asks for a clearance,
waits at the offload station, launches, holds in the air, lands, loads,
breaks down, rests its crew, takes off, arrives back; an airliner departs or is
cancelled. An event is data (time, actor, kind, cause, how long, what was
aboard by cargo line and cohort): the text trace (:mod:`sim.render.text`) and
the sortie timeline (:mod:`sim.render.timeline`) are renderings of it, and no
reader ever parses text back.

Times are hours since the scenario's ``start``. An event marks the moment a
state begins; ``duration_hours`` says how long the wait, leg, repair or rest
it begins will last as far as is known then.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sim.picklable import by_init

Counts = tuple[tuple[int, int], ...]
"""``(index, how many)`` pairs: cargo units by line, or people by cohort (file order)."""


class Kind(enum.Enum):
    """What an actor did. The value is the words of the text trace."""

    ASKS_FOR_CLEARANCE = "asks for clearance"
    CLEARANCE_LAPSES = "clearance lapses"
    WAITS_AT_OFFLOAD_STATION = "waits at the offload station"
    LAUNCHES = "launches to Base 101"
    HOLDS_IN_THE_AIR = "holds in the air"
    DIVERTS = "diverts to the offload station"
    WAITS_FOR_PARKING = "waits for parking"
    LANDS = "lands"
    FINDS_NOTHING_TO_LOAD = "finds nothing to load"
    LOADS = "loads"
    FINISHES_LOADING = "finishes loading"
    BREAKS_DOWN = "breaks down"
    CREW_RESTS = "crew rests"
    WAITS_FOR_LAST_SORTIE = "waits for the other loaded aircraft"
    WAITS_FOR_RUNWAY = "waits for the runway"
    TAKES_OFF = "takes off"
    ARRIVES = "arrives at the offload station"
    STOPS_CYCLING = "stops cycling"
    AIRLINER_DEPARTS = "departs"
    AIRLINER_CANCELLED = "cancelled"


class Cause(enum.Enum):
    """Why an actor waits, holds or diverts: the lateness causes a planner names."""

    CLEARANCE = "clearance"
    LANDING_SLOT = "daily landing cap"
    WEATHER = "weather"
    SUSPENSION = "suspension"
    PARKING = "parking"
    CREW_DUTY = "crew duty"
    HORIZON = "no landing slot before the horizon"


@dataclass(frozen=True, slots=True)
class Event:
    """One step of one actor."""

    hours: float
    actor: str
    kind: Kind
    tail: int | None = None
    """The C-17 tail (0-based) when the actor is one; None for airliners."""
    cause: Cause | None = None
    duration_hours: float | None = None
    """How long the wait, hold, leg, repair or rest that begins here lasts."""
    until_hours: float | None = None
    """For a clearance request: when it is approved (``inf``: never within the horizon)."""
    denials: int = 0
    """For a clearance request: denials before the approval."""
    cargo: Counts = ()
    """Cargo aboard, units by line."""
    people: Counts = ()
    """People aboard, by cohort."""
    cargo_kg: float = 0.0
    seats: int = 0
    """For an airliner: the seats the drawdown could book on it."""
    parking_in_use: int = 0
    """For a landing: aircraft holding a parking spot, this one included."""

    @property
    def cargo_units(self) -> int:
        return sum(units for _, units in self.cargo)

    @property
    def passengers(self) -> int:
        return sum(count for _, count in self.people)


Periods = tuple[tuple[float, float], ...]
"""``[start, end)`` hour periods: when the airfield was closed, or landings suspended."""

by_init(Event)
