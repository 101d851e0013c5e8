"""The calendar of Niamey and blocked periods (weather closures, political suspensions)."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from sim.clock import Blocked, Clock, poisson_arrivals


def test_clock_counts_hours_and_calendar_days_from_a_mid_morning_start() -> None:
    """A run starting Monday 3 June 2024 at 06:00: midnight comes 18 h in."""
    clock = Clock(dt.datetime(2024, 6, 3, 6, 0))
    assert clock.hours(dt.datetime(2024, 6, 4, 0, 0)) == 18.0
    assert clock.moment(18.5) == dt.datetime(2024, 6, 4, 0, 30)
    assert clock.day(0.0) == 0
    assert clock.day(17.99) == 0
    assert clock.day(18.0) == 1  # 00:00 on Tuesday belongs to Tuesday
    assert clock.day(-6.0) == 0  # 00:00 on the start day
    assert clock.day(-6.01) == -1
    assert clock.day_start(0) == -6.0
    assert clock.day_start(2) == 42.0
    assert clock.date(2) == dt.date(2024, 6, 5)
    assert clock.day_of(dt.date(2024, 7, 1)) == 28


def test_blocked_periods_merge_and_sort() -> None:
    """Two squall lines that overlap make one closure; an empty one is dropped."""
    closed = Blocked([(30.0, 34.0), (10.0, 12.0), (11.0, 15.0), (20.0, 20.0)])
    assert closed.periods() == [(10.0, 15.0), (30.0, 34.0)]
    assert len(closed) == 2
    touching = Blocked([(0.0, 1.0), (1.0, 2.0)])
    assert touching.periods() == [(0.0, 2.0)]


@pytest.mark.parametrize(
    ("hours", "free"),
    [(9.0, 9.0), (10.0, 15.0), (14.99, 15.0), (15.0, 15.0), (31.0, 34.0), (40.0, 40.0)],
)
def test_free_from_is_the_first_open_instant(hours: float, free: float) -> None:
    """Closed on [10, 15) and [30, 34): the start is closed, the end is open again."""
    closed = Blocked([(10.0, 15.0), (30.0, 34.0)])
    assert closed.free_from(hours) == free
    assert closed.is_blocked(hours) == (free != hours)


def test_total_hours_counts_closed_time_up_to_a_moment() -> None:
    closed = Blocked([(10.0, 15.0), (30.0, 34.0)])
    assert closed.total_hours() == 9.0
    assert closed.total_hours(until=32.0) == 5.0 + 2.0
    assert closed.total_hours(until=5.0) == 0.0


def test_poisson_arrivals_lie_in_the_window_in_order() -> None:
    rng = random.Random(1)
    arrivals = poisson_arrivals(rng, 0.5, 100.0, 200.0)
    assert arrivals == sorted(arrivals)
    assert all(100.0 < a < 200.0 for a in arrivals)
    # About 50 expected; a Poisson count of 50 is within 50 ± 25 with near certainty.
    assert 25 <= len(arrivals) <= 75
    assert poisson_arrivals(rng, 0.0, 0.0, math.inf) == []
