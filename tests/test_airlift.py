"""The tails' cycle under the rulings of version 1.1, computed by hand.

Every case runs on the base scenario of ``model_helpers``: one C-17 (unless
said), leg 5 h, load 3 h, service 1 h, turnaround 10 h, clock zero Monday
2024-06-03 00:00. Weather closures and suspensions are set by hand (hours since
clock zero) instead of drawn, so each time below is exact.
"""

from __future__ import annotations

import pytest
from model_helpers import cargo_rows, personnel_rows, run, run_with_blocks, scenario

from sim.replication.outcome import ReplicationResult
from sim.replication.trace import Cause, Event, Kind
from sim.replication.world import NO_LANDING_SLOT

ONE_LOAD = {"name": "pallets", "count": 18, "positions": 1, "weight_kg": 1000}
TWO_LOADS = {"name": "pallets", "count": 36, "positions": 1, "weight_kg": 1000}
OPEN_AT_ZERO = {"opens": "2024-06-03T00:00"}
# Heavy pallets: a full load of 18 weighs 18 × 2,278 = 41,004 kg, which leaves
# 45,000 − 41,004 = 3,996 kg of payload: 3,996 // 136 = 29 of the 54 sidewall seats.
HEAVY_TWO_LOADS = {"name": "pallets", "count": 36, "positions": 1, "weight_kg": 2278}
ELEMENT = {"name": "security", "count": 100, "commercial": False, "last_out": True}


def events(result: ReplicationResult, kind: Kind) -> list[Event]:
    assert result.trace is not None
    return [event for event in result.trace if event.kind is kind]


# --- ruling 2: a tail never holds in the air for long ------------------------------


def test_a_suspension_in_effect_at_launch_is_waited_out_on_the_ground() -> None:
    """Approved on arrival at 14 h, the tail finds a suspension [16, 40) on at launch.

    Sortie 1: launch 0, land 5, load to 8, service to 9, back at 14 (asks: approved at
    once, lead 0), turnaround to 24. At 24 the suspension is on and lasts past the
    landing it would plan (29): it waits at the offload station until 40 − 5 = 35
    (11 h, charged to the suspension), launches 35, lands 40, loads to 43, takes off 44.
    """
    sc = scenario(cargo=[TWO_LOADS], clearance=OPEN_AT_ZERO)
    result = run_with_blocks(sc, suspensions=[(16.0, 40.0)])
    assert result.completion_hours == 44.0
    assert result.counters.suspension_wait_hours == 11.0
    waits = events(result, Kind.WAITS_AT_OFFLOAD_STATION)
    assert [(e.hours, e.cause, e.duration_hours) for e in waits] == [(24.0, Cause.SUSPENSION, 11.0)]
    assert [e.hours for e in events(result, Kind.LAUNCHES)] == [0.0, 35.0]
    assert events(result, Kind.HOLDS_IN_THE_AIR) == []


def test_a_closure_that_begins_in_flight_is_held_then_diverted() -> None:
    """Launch 0; the runway closes at 3 until 9. Arriving at 5 the tail holds 2 h (to 7),
    is still blocked, and returns: back at 7 + 5 = 12, nothing carried. It asks again
    (approved at once), turns around to 22, launches 22, lands 27, loads to 30, takes
    off 31. Weather hours: hold 2 + two legs 10 = 12.
    """
    sc = scenario(cargo=[ONE_LOAD])
    result = run_with_blocks(sc, closures=[(3.0, 9.0)])
    assert result.completion_hours == 31.0
    counters = result.counters
    assert counters.diverted_sorties == 1
    assert counters.sorties == 1
    assert counters.weather_wait_hours == 12.0
    holds = events(result, Kind.HOLDS_IN_THE_AIR)
    assert [(e.hours, e.cause, e.duration_hours) for e in holds] == [(5.0, Cause.WEATHER, 2.0)]
    (diverted,) = events(result, Kind.DIVERTS)
    assert (diverted.hours, diverted.cause, diverted.cargo, diverted.people) == (
        7.0,
        Cause.WEATHER,
        (),
        (),
    )
    assert [e.hours for e in events(result, Kind.ARRIVES)] == [12.0]
    assert [e.hours for e in events(result, Kind.LANDS)] == [27.0]


def test_a_short_closure_in_flight_is_held_out() -> None:
    """Closed [4, 6.5): arriving at 5 the tail holds 1.5 h (within 2 h) and lands at 6.5,
    loads to 9.5, services to 10.5, takes off then."""
    sc = scenario(cargo=[ONE_LOAD])
    result = run_with_blocks(sc, closures=[(4.0, 6.5)])
    assert result.completion_hours == 10.5
    assert result.counters.diverted_sorties == 0
    assert result.counters.weather_wait_hours == 1.5


def test_a_suspension_that_begins_in_flight_diverts_and_the_approval_waits_it_out() -> None:
    """Approved at 0 (lead 0), launch 0; a suspension begins at 2 and lasts to 30.

    Arrival 5: hold to 7 (2 h), divert, back at 12, asks: no approval during a
    suspension, so approved at 30. Turnaround done at 22: clearance wait 8 h. Launch
    30, land 35, load to 38, take off 39. Suspension hours: hold 2 + legs 10 = 12.
    """
    sc = scenario(cargo=[ONE_LOAD], clearance=OPEN_AT_ZERO)
    result = run_with_blocks(sc, suspensions=[(2.0, 30.0)])
    assert result.completion_hours == 39.0
    counters = result.counters
    assert counters.diverted_sorties == 1
    assert counters.suspension_wait_hours == 12.0
    assert counters.clearance_wait_hours == 8.0


@pytest.mark.parametrize("limit", [0.0, 4.5])
def test_the_longest_hold_is_a_field(limit: float) -> None:
    """Closed [3, 9), arrival at 5: with no hold allowed the tail diverts at once (back
    at 10, turnaround to 20, launch 20, land 25, take off 29); allowed 4.5 h, it holds
    the 4 h to 9, lands, loads to 12, takes off 13."""
    sc = scenario(cargo=[ONE_LOAD], airlift={"max_airborne_hold_hours": limit})
    result = run_with_blocks(sc, closures=[(3.0, 9.0)])
    assert result.completion_hours == (29.0 if limit == 0 else 13.0)
    assert result.counters.diverted_sorties == (1 if limit == 0 else 0)


# --- ruling 3: lapsed approvals are renewed at the lapse ------------------------------

NOW_AND_FRIDAY = [
    ONE_LOAD,
    # Friday 2024-06-07 04:00 is 4 × 24 + 4 = 100 h after clock zero.
    {"name": "later pallets", "count": 18, "positions": 1, "weight_kg": 1000,
     "ready": "2024-06-07T04:00"},
]  # fmt: skip


def test_an_approval_that_lapses_while_idle_is_renewed_at_the_lapse() -> None:
    """Lead 24 h, validity 30 h; a second load is ready only at 100 h.

    Asks at 0 → approved 24: launch 24, land 29, load to 32, take off 33, back at 38,
    asks → approved 62; turnaround done 48, nothing to carry before a landing at 100,
    so it idles until 95. Its approval lapses unused at 62 + 30 = 92, and it asks
    again then: approved 92 + 24 = 116. At 95 it has work and waits 21 h for that
    approval (the old reading asked only at 95, approved 119): launch 116, land 121,
    load to 124, take off 125. Clearance waits 24 + 21 = 45 h; 3 requests, 1 lapse.
    """
    sc = scenario(
        cargo=NOW_AND_FRIDAY,
        clearance={"opens": "2024-06-03T00:00", "lead_days": 1, "validity_hours": 30},
    )
    result = run_with_blocks(sc)
    assert result.completion_hours == 125.0
    counters = result.counters
    assert counters.clearance_lapses == 1
    assert counters.clearance_requests == 3
    assert counters.clearance_wait_hours == 45.0
    (lapse,) = events(result, Kind.CLEARANCE_LAPSES)
    assert lapse.hours == 92.0
    asks = events(result, Kind.ASKS_FOR_CLEARANCE)
    assert [(e.hours, e.until_hours) for e in asks] == [(0.0, 24.0), (38.0, 62.0), (92.0, 116.0)]


def test_a_tail_never_launches_on_an_approval_that_lapses_before_landing() -> None:
    """Lead 0, validity 6 h, two loads.

    Sortie 1: approved 0, launch 0, land 5 (within 0 + 6), take off 9, back at 14,
    asks → approved 14. Turnaround done 24: that approval lapsed at 20, and was
    renewed then → approved 20, valid to 26. A launch at 24 would land at 29, after
    26: the tail waits for the lapse at 26, asks at once → approved 26, valid to 32,
    launches 26, lands 31 (within), loads to 34, takes off 35. Two lapses.
    """
    sc = scenario(
        cargo=[TWO_LOADS],
        clearance={"opens": "2024-06-03T00:00", "validity_hours": 6},
    )
    result = run_with_blocks(sc)
    assert result.completion_hours == 35.0
    assert result.counters.clearance_lapses == 2
    assert [e.hours for e in events(result, Kind.CLEARANCE_LAPSES)] == [20.0, 26.0]
    assert [e.hours for e in events(result, Kind.LAUNCHES)] == [0.0, 26.0]


# --- ruling 4: work goes to the tail that can fly it ---------------------------------


def test_an_approved_idle_tail_takes_the_work_before_an_unapproved_one() -> None:
    """Two tails, lead 8 h, validity 24 h; one load ready at 0, a second at 40 h.

    Both ask at 0 → approved 8. At 8 #1 launches with the first load (#2, with no
    work left, idles): land 13, load to 16, take off 17, back at 22, asks → approved
    30; turnaround done 32. #2's approval lapses unused at 8 + 24 = 32 and it asks
    again then → approved 40. The second load is ready at 40, so a tail landing then
    must launch at 35: both look at 35, #2 first (its wake-up was set first). #2 has
    no approval until 40; #1 has one (30, valid to 54): #1 takes the load, launches
    35, lands 40, loads to 43, takes off 44. (Had #2 been counted for the load while
    waiting for its approval, #1 would have idled, #2 launched at 40 and the load
    left at 49.)
    Clearance waits: #1 0–8, #2 0–8 and 35–40: 21 h.
    """
    later = {"name": "later pallets", "count": 18, "positions": 1, "weight_kg": 1000,
             "ready": "2024-06-04T16:00"}  # fmt: skip
    sc = scenario(
        cargo=[ONE_LOAD, later],
        airlift={"tails": 2},
        base={"parking": 2, "loading_teams": 2},
        clearance={"opens": "2024-06-03T00:00", "lead_days": 1 / 3, "validity_hours": 24},
    )
    result = run_with_blocks(sc)
    assert result.completion_hours == pytest.approx(44.0)
    launches = events(result, Kind.LAUNCHES)
    assert [e.actor for e in launches] == ["C-17A #1", "C-17A #1"]
    assert [e.hours for e in launches] == pytest.approx([8.0, 35.0])
    assert result.counters.clearance_wait_hours == pytest.approx(21.0)
    assert result.counters.clearance_lapses == 1


# --- ruling 6: causes named truly; crew duty checked again -----------------------------


def test_no_landing_slot_before_the_horizon_says_so() -> None:
    """One landing a day, horizon 1 day, turnaround 2 h, two loads.

    Sortie 1 lands at 5 (day 0's slot), takes off 9, is back at 14, ready at 16.
    Its next landing (21) would need day 0's slot, taken; day 1 starts at 24, the
    horizon: no slot is left, and the replication ends at 16 saying so.
    """
    sc = scenario(
        cargo=[TWO_LOADS],
        airlift={"turnaround_hours": 2},
        clearance={"opens": "2024-06-03T00:00", "daily_landings": 1},
        simulation={"horizon_days": 1},
    )
    result = run_with_blocks(sc)
    assert result.unfinished_reason == NO_LANDING_SLOT
    assert result.end_hours == 16.0
    assert result.counters.sorties == 1


def test_the_wait_for_the_runway_after_a_rest_is_checked_against_the_new_duty_day() -> None:
    """Duty 13 h, rest 12 h; the runway is closed [21, 31).

    Launch 0, land 5, load to 8: duty so far 8 + service 1 + leg back 5 = 14 > 13,
    so the crew rests: on the ground to 8 + 1 + 12 = 21, and a new duty day begins.
    The runway is closed until 31: 10 h waiting, and 10 + 5 = 15 > 13, so the crew
    rests again, to 43, and takes off then (it used to take off at 31).
    """
    sc = scenario(cargo=[ONE_LOAD], airlift={"crew_duty_hours": 13, "crew_rest_hours": 12})
    result = run_with_blocks(sc, closures=[(21.0, 31.0)])
    assert result.completion_hours == 43.0
    assert result.counters.crew_rests == 2
    assert result.counters.crew_rest_hours == 24.0
    assert result.counters.weather_wait_hours == 10.0


def test_a_short_wait_for_the_runway_within_the_duty_day_needs_no_rest() -> None:
    """Duty 16 h: 8 + 1 + 5 = 14 ≤ 16, no rest; closed [9, 10): 1 h wait, and
    (10 − 0) + 5 = 15 ≤ 16: takes off at 10 without a rest."""
    sc = scenario(cargo=[ONE_LOAD], airlift={"crew_duty_hours": 16})
    result = run_with_blocks(sc, closures=[(9.0, 10.0)])
    assert result.completion_hours == 10.0
    assert result.counters.crew_rests == 0


# --- the final lift: the last-out element leaves together ------------------------


def test_the_launch_with_the_last_cargo_takes_the_tails_the_element_needs() -> None:
    """Three tails, two heavy loads and a last-out element of 100.

    #1 launches at 0 for the first load. #2 launches at 0 for the second: it will carry
    the last cargo, so the loadmaster counts: the two cargo sorties seat 29 each
    (payload), 100 − 2 × 29 = 42 are left, one passenger load (102 seats): one more
    tail. #3 launches with them at 0, although counting each tail as one full load
    (2 cargo loads; 100 ≤ 2 × 54 sidewall seats) there would be no work for it.
    All land at 5 (3 spots, 3 teams). #1 takes 18 pallets (18 still unloaded: no
    last-out boards), #2 the last 18 and 29 of the element, #3 the other 71.
    Loads 5–8, service 8–9. #1 carries no last-out people: off at 9. #2 and #3 hold
    for each other and leave together at 9. (Without the call #3 would launch only
    when the loads at 5 showed 71 left: land 10, off 14.)
    """
    sc = scenario(
        cargo=[HEAVY_TWO_LOADS],
        personnel=[ELEMENT],
        airlift={"tails": 3},
        base={"parking": 3, "loading_teams": 3},
    )
    result = run(sc, trace=True)
    assert sorted(cargo_rows(result)) == [(9.0, 0, 18), (9.0, 0, 18)]
    assert sorted(personnel_rows(result)) == [(9.0, 0, 29, True), (9.0, 0, 71, True)]
    assert result.completion_hours == 9.0
    assert result.counters.sorties == 3
    assert result.counters.empty_sorties == 0
    assert [e.hours for e in events(result, Kind.LAUNCHES)] == [0.0, 0.0, 0.0]


def test_last_out_people_board_any_tail_on_the_ground_and_leave_together() -> None:
    """Two tails, two heavy loads and a last-out element of 100 (2 spots, 2 teams).

    Both launch at 0 (two full cargo loads) and land at 5. #1 takes 18 pallets (18 still
    unloaded: no last-out boards), #2 the last 18 and 29 of the element (payload).
    Loads 5–8, service 8–9. At 9 no cargo is left unloaded: 29 more board #1 (its
    3,996 kg spare). 100 − 58 = 42 are still on the base, but both tails hold for the
    element and no other tail could come: the lift leaves together at 9 with 58.
    Back at 14, turnaround 10: ready 24; one tail launches for the 42 (a load that will
    not grow), lands 29, loads 29–32, services to 33: off at 33.
    """
    sc = scenario(
        cargo=[HEAVY_TWO_LOADS],
        personnel=[ELEMENT],
        airlift={"tails": 2},
        base={"parking": 2, "loading_teams": 2},
    )
    result = run(sc, trace=True)
    assert sorted(cargo_rows(result)) == [(9.0, 0, 18), (9.0, 0, 18)]
    assert sorted(personnel_rows(result)) == [
        (9.0, 0, 29, True),
        (9.0, 0, 29, True),
        (33.0, 0, 42, True),
    ]
    assert result.completion_hours == 33.0
    assert result.counters.sorties == 3
