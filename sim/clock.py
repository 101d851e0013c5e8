"""Simulation time and the calendar of Niamey.

The model counts hours since the scenario's ``start``; the host nation counts
landings per calendar day, the weather changes by month and airliners leave on
weekdays. :class:`Clock` converts between the two, in local time (UTC+1, no
daylight saving, so every day has 24 hours).

:class:`Blocked` is a set of periods when something is shut (the airfield in
bad weather, all military landings during a political suspension), drawn for a
whole replication up front: nobody in the model reacts to a closure before it
happens, so there is no need for a process per closure.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator


class Clock:
    __slots__ = ("_day0", "_offset_hours", "start")

    def __init__(self, start: dt.datetime) -> None:
        self.start = start
        midnight = dt.datetime(start.year, start.month, start.day)
        self._day0 = start.date()
        self._offset_hours = (start - midnight).total_seconds() / 3600.0

    def hours(self, moment: dt.datetime) -> float:
        return (moment - self.start).total_seconds() / 3600.0

    def moment(self, hours: float) -> dt.datetime:
        return self.start + dt.timedelta(seconds=round(hours * 3600.0))

    def day(self, hours: float) -> int:
        """Calendar day number of an instant: 0 is the start's date."""
        return math.floor((hours + self._offset_hours) / 24.0)

    def day_start(self, day: int) -> float:
        """Hours since start of 00:00 on calendar day ``day``."""
        return day * 24.0 - self._offset_hours

    def date(self, day: int) -> dt.date:
        return self._day0 + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        return (date - self._day0).days


class Blocked:
    """Disjoint, sorted periods ``[start, end)`` in hours since start."""

    __slots__ = ("ends", "starts")

    def __init__(self, periods: Iterable[tuple[float, float]] = ()) -> None:
        merged: list[list[float]] = []
        for start, end in sorted(periods):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [period[0] for period in merged]
        self.ends = [period[1] for period in merged]

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return iter(zip(self.starts, self.ends, strict=True))

    def periods(self) -> list[tuple[float, float]]:
        return list(zip(self.starts, self.ends, strict=True))

    def free_from(self, hours: float) -> float:
        """The first instant at or after ``hours`` that is not blocked."""
        index = bisect_right(self.starts, hours) - 1
        if index >= 0 and hours < self.ends[index]:
            return self.ends[index]
        return hours

    def is_blocked(self, hours: float) -> bool:
        return self.free_from(hours) != hours

    def total_hours(self, until: float = math.inf) -> float:
        return sum(
            max(0.0, min(end, until) - start)
            for start, end in zip(self.starts, self.ends, strict=True)
        )


def poisson_arrivals(
    rng: random.Random, rate_per_hour: float, begin: float, end: float
) -> list[float]:
    """Arrival times of a Poisson process of constant rate on ``[begin, end)``."""
    arrivals: list[float] = []
    if rate_per_hour <= 0:
        return arrivals
    moment = begin + rng.expovariate(rate_per_hour)
    while moment < end:
        arrivals.append(moment)
        moment += rng.expovariate(rate_per_hour)
    return arrivals
