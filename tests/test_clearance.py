"""The host nation's clearance office: when approvals arrive, lapse, and how many may land a day."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from sim.actors.clearance import RESUBMIT_HOURS, ClearanceOffice
from sim.clock import Blocked, Clock
from sim.randomness import Streams
from sim.scenario.compiled import compile_clearance
from sim.scenario.contract import Clearance
from sim.scenario.laws import Chance

START = dt.datetime(2024, 6, 3, 6, 0)  # Monday 06:00: midnight is 18 h in
HORIZON_HOURS = 30 * 24.0


def office(tails: int = 2, **fields: Any) -> ClearanceOffice:
    clearance = Clearance.model_validate({"opens": "2024-06-05T00:00", **fields})
    return ClearanceOffice(
        compile_clearance(clearance), Clock(START), HORIZON_HOURS, Streams(1, 0), tails
    )


def test_no_clearance_section_means_approval_at_once() -> None:
    free = ClearanceOffice(None, Clock(START), HORIZON_HOURS, Streams(1, 0), tails=1)
    answer = free.request(0, 7.5)
    assert (answer.approved_hours, answer.requests, answer.denials) == (7.5, 1, 0)
    assert free.first_free_landing_day(7.5) == 7.5


def test_answer_comes_after_the_lead_time_but_never_before_approvals_open() -> None:
    """Opens 5 June 00:00 = 42 h after a 06:00 start on 3 June, plus a 0.25-day delay: 48 h."""
    clearances = office(lead_days=1.5, opens_delay_days=0.25)
    assert clearances.opens_hours == 48.0
    assert clearances.request(0, 0.0).approved_hours == 48.0  # max(0 + 36, 48)
    assert clearances.request(0, 20.0).approved_hours == 56.0  # max(20 + 36, 48)


def test_an_answer_due_during_a_suspension_waits_for_its_end() -> None:
    clearances = office(lead_days=1)
    clearances.suspensions = Blocked([(60.0, 100.0)])  # a political freeze, hand-placed
    assert clearances.request(0, 40.0).approved_hours == 100.0  # due at 64, frozen until 100
    assert clearances.request(0, 80.0).approved_hours == 104.0  # due at 104, after the freeze


def test_an_answer_beyond_the_horizon_never_comes() -> None:
    answer = office(lead_days=40).request(0, 0.0)
    assert answer.approved_hours == math.inf


def test_approvals_lapse_after_their_validity() -> None:
    clearances = office(validity_hours=48)
    assert clearances.still_valid(100.0, 148.0)
    assert not clearances.still_valid(100.0, 148.5)
    assert office().still_valid(100.0, 1e6)  # no validity window: never lapses


def test_daily_landing_cap_counts_calendar_days() -> None:
    """Two landings a day. Day 0 is Monday, from −6 h (00:00) to 18 h."""
    clearances = office(daily_landings=2)
    assert clearances.first_free_landing_day(5.0) == 5.0
    clearances.book_landing(5.0)
    clearances.book_landing(17.0)
    assert clearances.landings_on(0) == 2
    # Monday is full: the next slot is Tuesday 00:00 = 18 h.
    assert clearances.first_free_landing_day(10.0) == 18.0
    assert clearances.first_free_landing_day(20.0) == 20.0
    clearances.cancel_landing(17.0)
    assert clearances.first_free_landing_day(10.0) == 10.0


def test_no_slot_before_the_horizon() -> None:
    clearances = office(daily_landings=1)
    last_day = Clock(START).day(HORIZON_HOURS - 1)
    for day in range(last_day + 1):
        clearances.book_landing(Clock(START).day_start(day) + 12.0)
    assert clearances.first_free_landing_day(0.0) == math.inf


def test_denials_make_the_tail_ask_again_from_the_answer() -> None:
    """With denials drawn at random, each denial costs one more full lead time."""
    clearances = office(lead_days=1, denial_probability=0.5)
    for tail in range(2):
        answer = clearances.request(tail, 100.0)
        assert answer.requests == answer.denials + 1
        assert answer.approved_hours == 100.0 + 24.0 * answer.requests


def test_each_tail_has_its_own_lead_times() -> None:
    """Tail #2's lead times do not depend on how often tail #1 asked."""
    lead = {"dist": "uniform", "low": 1, "high": 3}
    busy, quiet = office(lead_days=lead), office(lead_days=lead)
    for _ in range(5):
        busy.request(0, 100.0)
    assert busy.request(1, 100.0) == quiet.request(1, 100.0)


class _Scripted(random.Random):
    """Random numbers given in advance: ``0.0`` is under any probability, ``0.99`` is not."""

    def __init__(self, numbers: list[float]) -> None:
        super().__init__(0)
        self.numbers = iter(numbers)

    def random(self) -> float:
        return next(self.numbers)


def _denied_times(times: int) -> Chance:
    """A denial stream (p = 0.5) that denies the first ``times`` requests, then approves."""
    return Chance(0.5, _Scripted([0.0] * times + [0.99]))


def test_a_request_after_a_denial_is_not_answered_at_the_same_instant() -> None:
    """Zero lead, opened: denied three times, each new request answered an hour later.

    Asked at 50 h (after the opening at 42 h): answers at 50, 51, 52 (denied) and 53 h.
    """
    clearances = office(lead_days=0)
    clearances._denials[0] = _denied_times(3)
    answer = clearances.request(0, 50.0)
    assert (answer.approved_hours, answer.requests, answer.denials) == (53.0, 4, 3)
    assert RESUBMIT_HOURS == 1.0


def test_denials_near_certain_end_at_the_horizon_instead_of_looping() -> None:
    """p = 0.9999999999 with zero lead used to loop at one instant for ever.

    Now each denial costs an hour: answers at 42 h (the opening), 43, … 719 h are
    678 denials, and the next answer would be at the 720 h horizon: none within it.
    (An approval among 678 draws at p = 1e-10 has a chance of 7e-8; the seed is fixed.)
    """
    clearances = office(lead_days=0, denial_probability=0.9999999999)
    answer = clearances.request(0, 0.0)
    assert math.isinf(answer.approved_hours)
    assert (answer.requests, answer.denials) == (679, 678)
