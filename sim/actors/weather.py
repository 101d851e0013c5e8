"""Weather at Base 101: airfield closures from squall lines and dust.

Closures arrive as a Poisson process whose rate is set per calendar month
(``closures_per_30_days``); each lasts ``closure_hours``. Overlapping closures
merge. While the airfield is closed nothing lands or takes off, airliners
included; loading on the ramp goes on.

Simplification: a month's rate, when given as a distribution, is drawn once per
month of the replication (a wet or a dry July), and the closures of the whole
horizon are drawn up front from the weather stream, which is equivalent to
drawing them as they come because no actor can see a closure before it starts.
"""

from __future__ import annotations

import datetime as dt

from sim.clock import Blocked, Clock, poisson_arrivals
from sim.randomness import Source, Streams
from sim.scenario.compiled import MONTHS, Weather
from sim.scenario.laws import MAX_RATE_PER_30_DAYS, Draws, Law

Month = tuple[float, float, Law | None]
"""A calendar month of the horizon: its hours ``[begin, end)`` and its closure rate, if any."""


def calendar_months(weather: Weather, clock: Clock, horizon_hours: float) -> tuple[Month, ...]:
    """The calendar months over ``[0, horizon_hours)``: the same in every replication.

    Computed once per scenario (see :func:`sim.replication.drawdown.prepare`).
    """
    months: list[Month] = []
    begin = 0.0
    while begin < horizon_hours:
        day = clock.day(begin)
        date = clock.date(day)
        first_of_next_month = (date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(horizon_hours, clock.day_start(clock.day_of(first_of_next_month)))
        months.append((begin, end, weather.closures_per_30_days.get(MONTHS[date.month - 1])))
        begin = end
    return tuple(months)


def draw_closures(
    weather: Weather,
    clock: Clock,
    horizon_hours: float,
    streams: Streams,
    months: tuple[Month, ...] | None = None,
) -> Blocked:
    """The airfield's weather closures over ``[0, horizon_hours)``.

    ``months``: :func:`calendar_months` of the same arguments, if already known.
    """
    if not weather.closures_per_30_days:
        return Blocked()
    rng = streams.rng(Source.WEATHER)
    durations = Draws(weather.closure_hours, rng)
    periods: list[tuple[float, float]] = []
    if months is None:
        months = calendar_months(weather, clock, horizon_hours)
    for begin, end, rate in months:
        if rate is not None:
            per_30_days = Draws(rate, rng, high=MAX_RATE_PER_30_DAYS).next()
            for arrival in poisson_arrivals(rng, per_30_days / 720.0, begin, end):
                periods.append((arrival, arrival + durations.next()))
    return Blocked(periods)
