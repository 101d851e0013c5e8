"""The host nation's clearance office: approvals for military landings at Base 101.

Every landing needs an approved clearance for that tail. A request made at time
*r* is answered at ``max(r + lead, opens + opens_delay)``, pushed back to the
end of any political suspension in force at that moment; it is denied with
``denial_probability``, and the tail asks again at once. A new request is not
answered at the very instant of the denial, though: with a zero lead time it is
answered :data:`RESUBMIT_HOURS` later (paperwork takes some time), so that a
denial probability near 1 moves time on to the horizon instead of looping at
one instant forever. An approval lapses if
the tail cannot land within ``validity_hours`` of it. At most ``daily_landings``
military aircraft may land per calendar day, and none during a suspension.

Suspensions arrive as a Poisson process (``per_30_days``, drawn once per
replication when uncertain) and last ``duration_days``; they are drawn for the
whole horizon up front.

The office is an object, not a SimPy process: an answer depends on nothing but
the request time and the office's own random numbers, so it is computed in
closed form when the request is made, which saves several events per sortie.
Each tail has its own lead-time and denial streams (common random numbers).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import NamedTuple

from sim.clock import Blocked, Clock, poisson_arrivals
from sim.randomness import Source, Streams
from sim.scenario.compiled import Clearance
from sim.scenario.laws import MAX_RATE_PER_30_DAYS, Chance, Draws

RESUBMIT_HOURS = 1.0
"""Least time between a denial and the answer to the request filed after it."""


class Answer(NamedTuple):
    approved_hours: float
    """When the approval arrives (``inf`` if never within the horizon)."""
    requests: int
    denials: int


class ClearanceOffice:
    def __init__(
        self,
        clearance: Clearance | None,
        clock: Clock,
        horizon_hours: float,
        streams: Streams,
        tails: int,
    ) -> None:
        self.horizon_hours = horizon_hours
        self.daily_landings = None if clearance is None else clearance.daily_landings
        self.validity_hours = None if clearance is None else clearance.validity_hours
        self._landings_per_day: defaultdict[int, int] = defaultdict(int)
        self._clock = clock
        if clearance is None:
            # No host-nation constraint: every request is approved at once.
            self.opens_hours = -math.inf
            self.suspensions = Blocked()
            self._leads: list[Draws] = []
            self._denials: list[Chance] = []
            return
        delay_days = 0.0
        if clearance.opens_delay_days is not None:
            delay_days = streams.draws(clearance.opens_delay_days, Source.CLEARANCE_OPENING).next()
        self.opens_hours = clock.hours(clearance.opens) + 24.0 * delay_days
        self.suspensions = _draw_suspensions(clearance, horizon_hours, streams)
        self._leads = [
            streams.draws(clearance.lead_days, Source.CLEARANCE_LEAD, tail) for tail in range(tails)
        ]
        self._denials = [
            streams.chance(clearance.denial_probability, Source.CLEARANCE_DENIAL, tail)
            for tail in range(tails)
        ]

    def request(self, tail: int, hours: float) -> Answer:
        """Ask for a landing clearance for ``tail`` at ``hours``; the answer that comes back."""
        if not self._leads:
            return Answer(hours, 1, 0)
        requests = denials = 0
        lead, denied = self._leads[tail], self._denials[tail]
        asked = hours
        while True:
            requests += 1
            answered = max(asked + 24.0 * lead.next(), self.opens_hours)
            if denials and answered <= asked:  # a zero lead: not at the instant of the denial
                answered = asked + RESUBMIT_HOURS
            answered = self.suspensions.free_from(answered)
            if answered >= self.horizon_hours:
                return Answer(math.inf, requests, denials)
            if denied.happens():
                denials += 1
                asked = answered
                continue
            return Answer(answered, requests, denials)

    def still_valid(self, approved_hours: float, landing_hours: float) -> bool:
        return self.validity_hours is None or landing_hours <= approved_hours + self.validity_hours

    def first_free_landing_day(self, hours: float) -> float:
        """The earliest instant at or after ``hours`` on a day with a landing slot left."""
        if self.daily_landings is None:
            return hours
        day = self._clock.day(hours)
        while self._landings_per_day[day] >= self.daily_landings:
            day += 1
            hours = max(hours, self._clock.day_start(day))
            if hours >= self.horizon_hours:
                return math.inf
        return hours

    def book_landing(self, hours: float) -> None:
        if self.daily_landings is not None:
            self._landings_per_day[self._clock.day(hours)] += 1

    def cancel_landing(self, hours: float) -> None:
        if self.daily_landings is not None:
            self._landings_per_day[self._clock.day(hours)] -= 1

    def landings_on(self, day: int) -> int:
        return self._landings_per_day[day]


def _draw_suspensions(clearance: Clearance, horizon_hours: float, streams: Streams) -> Blocked:
    suspensions = clearance.suspensions
    if suspensions is None:
        return Blocked()
    rng = streams.rng(Source.SUSPENSIONS)
    per_30_days = Draws(suspensions.per_30_days, rng, high=MAX_RATE_PER_30_DAYS).next()
    durations = Draws(suspensions.duration_days, rng)
    return Blocked(
        [
            (start, start + 24.0 * durations.next())
            for start in poisson_arrivals(rng, per_30_days / 720.0, 0.0, horizon_hours)
        ]
    )
