"""Airfield closures at Base 101: a Poisson process whose rate is set per calendar month."""

from __future__ import annotations

import datetime as dt
import itertools

from sim.actors.weather import draw_closures
from sim.clock import Clock
from sim.randomness import Streams
from sim.scenario.compiled import compile_weather
from sim.scenario.contract import Weather

START = dt.datetime(2024, 5, 20, 0, 0)
CLOCK = Clock(START)
HORIZON_HOURS = 60 * 24.0  # 20 May to 19 July
JUNE_1 = CLOCK.hours(dt.datetime(2024, 6, 1))
JULY_1 = CLOCK.hours(dt.datetime(2024, 7, 1))


def test_no_rates_no_closures() -> None:
    assert len(draw_closures(compile_weather(Weather()), CLOCK, HORIZON_HOURS, Streams(1, 0))) == 0


def test_closures_start_only_in_months_with_a_rate() -> None:
    """June only, 30 a month: about 30 closures of 2 h, all starting in June."""
    weather = Weather.model_validate({"closures_per_30_days": {"jun": 30}, "closure_hours": 2})
    closures = draw_closures(compile_weather(weather), CLOCK, HORIZON_HOURS, Streams(1, 0))
    assert 10 <= len(closures) <= 60
    assert all(JUNE_1 <= start < JULY_1 for start in closures.starts)
    assert all(end - start >= 2.0 for start, end in closures)  # merged ones last longer


def test_a_huge_rate_closes_most_of_the_month() -> None:
    """300 closures of 4 h in 30 days is 1200 h of closure for 720 h: most of June is shut,
    and the merged periods are still disjoint and sorted."""
    weather = Weather.model_validate({"closures_per_30_days": {"jun": 300}, "closure_hours": 4})
    closures = draw_closures(compile_weather(weather), CLOCK, HORIZON_HOURS, Streams(2, 0))
    assert closures.total_hours() > 0.6 * 720
    periods = closures.periods()
    assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(periods))
    assert not closures.is_blocked(JUNE_1 - 1.0)


def test_closures_replay_for_the_same_replication_and_differ_between_replications() -> None:
    weather = Weather.model_validate({"closures_per_30_days": {"jun": 8}, "closure_hours": 2})
    first = draw_closures(compile_weather(weather), CLOCK, HORIZON_HOURS, Streams(3, 4)).periods()
    assert (
        first
        == draw_closures(compile_weather(weather), CLOCK, HORIZON_HOURS, Streams(3, 4)).periods()
    )
    assert (
        first
        != draw_closures(compile_weather(weather), CLOCK, HORIZON_HOURS, Streams(3, 5)).periods()
    )
