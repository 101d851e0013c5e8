"""Airliners out of Niamey: scheduled departures with seats the drawdown can book.

Each service flies on its weekdays at its local departure time, within its
``from``/``until`` window. Per departure the bookable seats are drawn, and the
departure may be cancelled. Weather: a departure that finds the airfield closed
leaves when it reopens if that is still the same calendar day, otherwise it is
cancelled. Only ready people of commercial, not last-out cohorts board, in file
order; cargo never flies commercially.

Each service draws its seats and cancellations from its own stream, departure
by departure in schedule order, so two scenarios with the same services see
the same airline disruptions; departures are drawn only until nobody is left
who may fly commercially.
"""

from __future__ import annotations

import heapq
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from sim.clock import Blocked, Clock
from sim.randomness import Source, Streams
from sim.replication.trace import Cause, Kind
from sim.scenario.compiled import CommercialService

if TYPE_CHECKING:
    import simpy

    from sim.replication.world import Drawdown


class Departure(NamedTuple):
    """One departure; in time order, then service order, as plain tuples compare."""

    hours: float
    """Actual departure time (after any weather hold), hours since start."""
    service: int
    seats: int
    cancelled: bool
    weather_cancelled: bool


def airline_timetable(
    services: Sequence[CommercialService],
    clock: Clock,
    horizon_hours: float,
    closures: Blocked,
    streams: Streams,
    begin_hours: float = 0.0,
) -> Iterator[Departure]:
    """Every departure of every service within the horizon, in time order, drawn lazily.

    ``begin_hours``: a forecast's ``as_of``; departures before it are drawn (so the
    later ones see the same numbers as a run from ``start``) but not flown.
    """
    # A service leaves at most once at an instant: (hours, service) orders departures.
    return heapq.merge(
        *[
            _service_departures(
                index, service, clock, horizon_hours, closures, streams, begin_hours
            )
            for index, service in enumerate(services)
        ]
    )


def _service_departures(
    index: int,
    service: CommercialService,
    clock: Clock,
    horizon_hours: float,
    closures: Blocked,
    streams: Streams,
    begin_hours: float,
) -> Iterator[Departure]:
    seats = streams.draws(service.seats, Source.COMMERCIAL_SEATS, index)
    cancel = streams.chance(service.cancel_probability, Source.COMMERCIAL_CANCEL, index)
    last_day = clock.day(horizon_hours)
    first = 0 if service.from_ is None else max(0, clock.day_of(service.from_))
    last = last_day if service.until is None else min(last_day, clock.day_of(service.until))
    weekdays = service.weekdays
    first_weekday = clock.date(0).weekday()
    departs_hours = service.departs_minutes / 60.0
    for day in range(first, last + 1):
        if (first_weekday + day) % 7 not in weekdays:
            continue
        scheduled = clock.day_start(day) + departs_hours
        if scheduled < 0:
            continue
        if scheduled >= horizon_hours:
            return
        bookable = round(seats.next())
        cancelled = cancel.happens()
        actual = scheduled if cancelled else closures.free_from(scheduled)
        weather_cancelled = actual >= clock.day_start(day + 1)
        if scheduled < begin_hours:
            continue
        yield Departure(
            hours=scheduled if weather_cancelled else actual,
            service=index,
            seats=bookable,
            cancelled=cancelled or weather_cancelled,
            weather_cancelled=weather_cancelled,
        )


def airline_departures(
    env: simpy.Environment, timetable: Iterable[Departure], drawdown: Drawdown
) -> Generator[Any, Any, None]:
    """The airliners leaving Niamey, each taking what bookable seats it has."""
    inventory = drawdown.inventory
    counters = drawdown.counters
    for departure in timetable:
        if not inventory.airline_eligible_left():
            break
        if departure.hours > env.now:
            yield env.timeout(departure.hours - env.now)
        counters.commercial_departures += 1
        name = drawdown.scenario.commercial[departure.service].name
        if departure.cancelled:
            counters.commercial_cancelled += 1
            counters.commercial_weather_cancelled += departure.weather_cancelled
            counters.commercial_seats_lost += departure.seats
            drawdown.record(
                name,
                Kind.AIRLINER_CANCELLED,
                cause=Cause.WEATHER if departure.weather_cancelled else None,
                seats=departure.seats,
            )
            continue
        counters.commercial_seats_offered += departure.seats
        boarded = inventory.board_airliner(env.now, departure.seats)
        people = sum(count for _, count in boarded)
        counters.commercial_seats_used += people
        drawdown.people_out(boarded, military=False)
        if drawdown.tracing:
            drawdown.record(
                name, Kind.AIRLINER_DEPARTS, people=tuple(boarded), seats=departure.seats
            )
    drawdown.airline_finished()
