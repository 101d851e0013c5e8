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
from sim.distributions import Draws
from sim.randomness import Source, Streams
from sim.scenario import MONTHS, Weather


def draw_closures(
    weather: Weather, clock: Clock, horizon_hours: float, streams: Streams
) -> Blocked:
    """The airfield's weather closures over ``[0, horizon_hours)``."""
    if not weather.closures_per_30_days:
        return Blocked()
    rng = streams.rng(Source.WEATHER)
    durations = Draws(weather.closure_hours, rng)
    periods: list[tuple[float, float]] = []
    begin = 0.0
    while begin < horizon_hours:
        day = clock.day(begin)
        date = clock.date(day)
        first_of_next_month = (date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(horizon_hours, clock.day_start(clock.day_of(first_of_next_month)))
        rate = weather.closures_per_30_days.get(MONTHS[date.month - 1])
        if rate is not None:
            per_30_days = Draws(rate, rng).next()
            for arrival in poisson_arrivals(rng, per_30_days / 720.0, begin, end):
                periods.append((arrival, arrival + durations.next()))
        begin = end
    return Blocked(periods)
