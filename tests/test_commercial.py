"""The airline timetable out of Niamey: weekdays, service windows, cancellations and weather."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.actors.commercial import Departure, airline_timetable
from sim.clock import Blocked, Clock
from sim.randomness import Streams
from sim.scenario.compiled import compile_service
from sim.scenario.contract import CommercialService

CLOCK = Clock(dt.datetime(2024, 6, 3, 0, 0))  # Monday 00:00
HORIZON_HOURS = 14 * 24.0


def service(**fields: Any) -> CommercialService:
    return CommercialService.model_validate(
        {"name": "ASKY", "days": "daily", "departs": "14:00", "seats": 20, **fields}
    )


def timetable(
    services: list[CommercialService], closures: Blocked | None = None
) -> list[Departure]:
    return list(
        airline_timetable(
            [compile_service(s) for s in services],
            CLOCK,
            HORIZON_HOURS,
            closures or Blocked(),
            Streams(1, 0),
        )
    )


def test_weekday_service_in_its_window() -> None:
    """Mon/Thu 02:30 from Tue 4 June to Mon 10 June: Thu 6 June (74.5 h) and Mon 10 June
    (7 × 24 + 2.5 = 170.5 h)."""
    ram = service(
        days=["mon", "thu"], departs="02:30", **{"from": "2024-06-04"}, until="2024-06-10"
    )
    assert [d.hours for d in timetable([ram])] == [74.5, 170.5]


def test_two_services_interleave_in_time_order() -> None:
    daily = service(until="2024-06-04")
    night = service(name="night", departs="01:00", until="2024-06-04")
    departures = timetable([daily, night])
    assert [(d.hours, d.service) for d in departures] == [(1.0, 1), (14.0, 0), (25.0, 1), (38.0, 0)]
    assert all(d.seats == 20 and not d.cancelled for d in departures)


def test_weather_delays_a_departure_within_its_day() -> None:
    """Closed 13:00–16:30 on Monday: the 14:00 flight leaves at 16:30."""
    first = timetable([service(until="2024-06-03")], Blocked([(13.0, 16.5)]))
    assert first == [Departure(16.5, 0, 20, cancelled=False, weather_cancelled=False)]


def test_weather_past_midnight_cancels_the_departure() -> None:
    """Closed from 13:00 Monday to 01:00 Tuesday: Monday's flight is cancelled."""
    first = timetable([service(until="2024-06-03")], Blocked([(13.0, 25.0)]))
    assert first == [Departure(14.0, 0, 20, cancelled=True, weather_cancelled=True)]


def test_a_certain_cancellation_cancels_every_departure() -> None:
    departures = timetable([service(cancel_probability=1, until="2024-06-05")])
    assert [d.cancelled for d in departures] == [True, True, True]
    assert not any(d.weather_cancelled for d in departures)


def test_random_seats_are_drawn_per_departure_and_rounded() -> None:
    seats = {"dist": "uniform", "low": 0, "high": 40}
    departures = timetable([service(seats=seats)])
    assert len(departures) == 14
    assert all(0 <= d.seats <= 40 and isinstance(d.seats, int) for d in departures)
    assert len({d.seats for d in departures}) > 1
