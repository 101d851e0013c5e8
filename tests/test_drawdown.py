"""One replication of small deterministic drawdowns, with every expected number computed by hand.

Each test describes a real situation at Base 101 and works out, in comments,
from the contract (docs/scenario-reference.md) and the module docstrings, when each
sortie or airliner leaves and what it carries. The base scenario (see
``model_helpers.BASE``) is one C-17 cycling every 24 h: leg 5 h, load 3 h,
service 1 h, leg 5 h back, turnaround 10 h; its k-th take-off from Base 101
is at 9 + 24·(k − 1) h. Clock zero is Monday 2024-06-03 00:00.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from model_helpers import cargo_rows, personnel_rows, run, scenario, trace_times

from sim.clock import Clock
from sim.replication.trace import Kind
from sim.replication.world import NO_AIRCRAFT, NO_CLEARANCE

GENERAL = {"name": "general cargo", "count": 36, "positions": 1, "weight_kg": 1000}


def test_commercial_only_drawdown_leaves_on_the_airline_timetable() -> None:
    """A hundred contractors, no military lift: they leave on the scheduled airliners."""
    sc = scenario(
        airlift=None,
        personnel=[{"name": "contractors", "count": 100}],
        commercial=[
            {"name": "ASKY to Lomé", "days": "daily", "departs": "14:00", "seats": 30},
            {"name": "Royal Air Maroc", "days": ["wed"], "departs": "02:30", "seats": 20},
            {
                "name": "cancelled charter",
                "days": "daily",
                "departs": "10:00",
                "seats": 50,
                "cancel_probability": 1,
            },
        ],
    )
    result = run(sc)
    # Mon 14:00 = 14 h: ASKY takes 30 (70 left); Tue 14:00 = 38 h: 30 (40 left);
    # Wed 02:30 = 48 + 2.5 = 50.5 h: RAM takes 20 (20 left); Wed 14:00 = 62 h: ASKY 20 of 30.
    assert personnel_rows(result) == [
        (14.0, 0, 30, False),
        (38.0, 0, 30, False),
        (50.5, 0, 20, False),
        (62.0, 0, 20, False),
    ]
    assert result.completion_hours == 62.0
    assert result.unfinished_reason is None
    counters = result.counters
    assert counters.commercial_passengers == 100
    assert counters.military_passengers == 0
    assert counters.sorties == 0
    # The charter is cancelled at 10, 34 and 58 h (before completion): 3 × 50 seats lost.
    assert counters.commercial_departures == 4 + 3
    assert counters.commercial_cancelled == 3
    assert counters.commercial_seats_lost == 150
    assert counters.commercial_seats_offered == 30 + 30 + 20 + 30
    assert counters.commercial_seats_used == 100


def test_one_tail_flies_several_sorties() -> None:
    """Forty pallets, one C-17 of 18 positions: 18 + 18 + 4 on three sorties, 24 h apart."""
    sc = scenario(cargo=[{**GENERAL, "count": 40}])
    result = run(sc)
    # Launch 0, land 5, load 5–8, service 8–9, take off 9; back at 14, turnaround to 24, ...
    assert cargo_rows(result) == [(9.0, 0, 18), (33.0, 0, 18), (57.0, 0, 4)]
    assert result.completion_hours == 57.0
    counters = result.counters
    assert counters.sorties == 3
    assert counters.empty_sorties == 0
    assert counters.cargo_units == 40
    assert counters.cargo_kg == 40 * 1000
    # It asks for a clearance at 0 h and on each return to the offload station (14 h, 38 h);
    # the run ends at 57 h, before it is back from the third sortie.
    assert counters.clearance_requests == 3
    assert counters.parking_wait_hours == 0
    assert result.last_sensitive_hours is None


def test_every_replication_of_a_deterministic_scenario_is_the_same() -> None:
    sc = scenario(cargo=[{**GENERAL, "count": 40}])
    first, other = run(sc, 0), run(sc, 17)
    assert first.completion_hours == other.completion_hours
    assert cargo_rows(first) == cargo_rows(other)
    assert first.counters == other.counters


def test_late_clearance_opening_and_lead_time_hold_the_tail_at_the_offload_station() -> None:
    """Approvals start on 5 June (48 h) plus half a day; each answer takes a day."""
    sc = scenario(
        cargo=[GENERAL],
        clearance={"opens": "2024-06-05T00:00", "opens_delay_days": 0.5, "lead_days": 1},
    )
    result = run(sc)
    # Request at 0: answer at max(0 + 24, 48 + 12) = 60 h. Launch 60, land 65, take off 69.
    # Back at 74, asks: max(74 + 24, 60) = 98 h; turnaround done at 84, waits 14 h.
    # Launch 98, land 103, load to 106, take off 107.
    assert cargo_rows(result) == [(69.0, 0, 18), (107.0, 0, 18)]
    assert result.completion_hours == 107.0
    assert result.counters.clearance_wait_hours == 60 + 14
    assert result.counters.clearance_requests == 2
    assert result.counters.clearance_denials == 0


@pytest.mark.parametrize(
    ("sensitive_first", "expected_rows", "last_sensitive"),
    [
        # Loading order MQ-9 (sensitive), vehicles (priority 50), general (100).
        # Sortie 1: 2 MQ-9 (12 positions) + 3 vehicles (6) = 18 positions, 33 t.
        # Sortie 2: 1 vehicle (2) + 10 general (10) = 12 positions, 15 t.
        (True, [(9.0, 1, 2), (9.0, 2, 3), (33.0, 2, 1), (33.0, 0, 10)], 9.0),
        # Loading order vehicles (50), then general and MQ-9 (100) in file order.
        # Sortie 1: 4 vehicles (8) + 10 general (10) = 18 positions; sortie 2: 2 MQ-9.
        (False, [(9.0, 2, 4), (9.0, 0, 10), (33.0, 1, 2)], 33.0),
    ],
)
def test_sensitive_cargo_loads_first_under_the_policy(
    sensitive_first: bool,
    expected_rows: list[tuple[float, int, int]],
    last_sensitive: float,
) -> None:
    """The MQ-9 containers leave on the first sortie when sensitive cargo goes first."""
    sc = scenario(
        cargo=[
            {"name": "general", "count": 10, "positions": 1, "weight_kg": 1000},
            {"name": "MQ-9", "count": 2, "positions": 6, "weight_kg": 9000, "sensitive": True},
            {"name": "vehicles", "count": 4, "positions": 2, "weight_kg": 5000, "priority": 50},
        ],
        policy={"sensitive_first": sensitive_first},
    )
    result = run(sc)
    assert cargo_rows(result) == expected_rows
    assert result.last_sensitive_hours == last_sensitive
    assert result.completion_hours == 33.0


@pytest.mark.parametrize(
    ("line", "expected_rows"),
    [
        # 10 t a unit: 4 fit in 45 t (5 would be 50 t) although 18 positions are free.
        (
            {"name": "generators", "count": 10, "positions": 1, "weight_kg": 10000},
            [(9.0, 0, 4), (33.0, 0, 4), (57.0, 0, 2)],
        ),
        # 0.5 t a unit: 18 positions fill at 9 t.
        (
            {"name": "tents", "count": 36, "positions": 1, "weight_kg": 500},
            [(9.0, 0, 18), (33.0, 0, 18)],
        ),
    ],
)
def test_weight_limited_versus_position_limited_loads(
    line: dict[str, object], expected_rows: list[tuple[float, int, int]]
) -> None:
    result = run(scenario(cargo=[line]))
    assert cargo_rows(result) == expected_rows


def test_a_unit_that_does_not_fit_waits_and_lighter_ones_fill_the_payload() -> None:
    """4 generators (40 t) leave 5 t: ten 500 kg boxes fill it exactly; the 5th generator waits."""
    sc = scenario(
        cargo=[
            {"name": "generators", "count": 5, "positions": 1, "weight_kg": 10000, "priority": 1},
            {"name": "boxes", "count": 11, "positions": 1, "weight_kg": 500},
        ]
    )
    result = run(sc)
    # Sortie 1: 4 generators + 10 boxes = 45 000 kg exactly, 14 positions.
    # Sortie 2: the last generator and the last box.
    assert cargo_rows(result) == [(9.0, 0, 4), (9.0, 1, 10), (33.0, 0, 1), (33.0, 1, 1)]


def test_passengers_fill_what_payload_the_cargo_leaves() -> None:
    """4 generators weigh 40 t: of 5 t left, 36 passengers of 136 kg fit (37 would be 5032 kg)."""
    sc = scenario(
        cargo=[{"name": "generators", "count": 4, "positions": 1, "weight_kg": 10000}],
        personnel=[{"name": "maintainers", "count": 60, "commercial": False}],
    )
    result = run(sc)
    assert personnel_rows(result) == [(9.0, 0, 36, True), (33.0, 0, 24, True)]
    assert result.completion_hours == 33.0


@pytest.mark.parametrize(
    ("cargo", "expected_people"),
    [
        # No cargo: 102 seats, then the other 48.
        ([], [(9.0, 0, 102, True), (33.0, 0, 48, True)]),
        # Two pallets aboard: sidewall seats only (54), then 96 on a passenger sortie.
        ([{**GENERAL, "count": 2}], [(9.0, 0, 54, True), (33.0, 0, 96, True)]),
    ],
)
def test_seats_with_and_without_cargo(
    cargo: list[dict[str, object]], expected_people: list[tuple[float, int, int, bool]]
) -> None:
    """150 airmen who may not fly commercially."""
    sc = scenario(cargo=cargo, personnel=[{"name": "airmen", "count": 150, "commercial": False}])
    result = run(sc)
    assert personnel_rows(result) == expected_people
    assert result.counters.military_passengers == 150
    assert result.completion_hours == 33.0


def test_parking_shortage_holds_the_second_tail_off() -> None:
    """Two C-17s, one parking spot: the second waits for the first to take off."""
    sc = scenario(cargo=[GENERAL], airlift={"tails": 2})
    result = run(sc, trace=True)
    # Both launch at 0 (two full loads ready) and arrive at 5. #1 parks, loads 5–8,
    # services to 9 and takes off. #2 holds off 5–9, lands at 9, loads 9–12, off at 13.
    assert cargo_rows(result) == [(9.0, 0, 18), (13.0, 0, 18)]
    assert result.completion_hours == 13.0
    assert result.counters.parking_wait_hours == 4.0
    assert result.counters.loading_team_wait_hours == 0.0
    assert trace_times(result, Kind.LANDS) == [("C-17A #1", 5.0), ("C-17A #2", 9.0)]


def test_loading_team_shortage_with_room_to_park() -> None:
    """Two spots, one loading team: the second tail parks at once but waits 3 h to load."""
    sc = scenario(cargo=[GENERAL], airlift={"tails": 2}, base={"parking": 2})
    result = run(sc)
    # #2 lands at 5, loads 8–11, services to 12.
    assert cargo_rows(result) == [(9.0, 0, 18), (12.0, 0, 18)]
    assert result.counters.loading_team_wait_hours == 3.0
    assert result.counters.parking_wait_hours == 0.0


def test_daily_landing_cap_pushes_the_second_landing_to_the_next_day() -> None:
    """The host nation allows one military landing a day."""
    sc = scenario(
        cargo=[GENERAL],
        airlift={"tails": 2},
        base={"parking": 2, "loading_teams": 2},
        clearance={"opens": "2024-06-03T00:00", "daily_landings": 1},
    )
    result = run(sc, trace=True)
    # #1 books day 0 and lands at 5. #2 would land at 5 too; day 0 is full, so it
    # books day 1 (00:00 = 24 h) and holds its launch 24 − 5 = 19 h: land 24, off 28.
    assert cargo_rows(result) == [(9.0, 0, 18), (28.0, 0, 18)]
    assert result.completion_hours == 28.0
    assert result.counters.landing_slot_wait_hours == 19.0
    landings = trace_times(result, Kind.LANDS)
    assert landings == [("C-17A #1", 5.0), ("C-17A #2", 24.0)]
    clock = Clock(sc.start)
    assert [clock.day(hours) for _, hours in landings] == [0, 1]


def test_an_approval_that_would_lapse_before_the_landing_slot_is_renewed_in_time() -> None:
    """As above, but an approval is valid only 6 h and answers come at once (lead 0)."""
    sc = scenario(
        cargo=[GENERAL],
        airlift={"tails": 2},
        base={"parking": 2, "loading_teams": 2},
        clearance={"opens": "2024-06-03T00:00", "daily_landings": 1, "validity_hours": 6},
    )
    result = run(sc, trace=True)
    # #2 is approved at 0, but its slot is day 1 at 24 h > 0 + 6: it never launches on
    # that approval. It waits for the lapse at 6 and asks again at once (ruling 3):
    # approved 6, lapses 12; approved 12, lapses 18; approved 18, valid to 24, and a
    # launch at 24 − 5 = 19 lands at 24: it holds to 19, launches, lands 24, off at 28.
    # The 3 × 6 h waiting for lapses and the 1 h hold are all due to the cap.
    rows = cargo_rows(result)
    assert [units for _, _, units in rows] == [18, 18]
    assert [hours for hours, _, _ in rows] == pytest.approx([9.0, 28.0])
    assert result.counters.clearance_lapses == 3
    assert result.counters.landing_slot_wait_hours == pytest.approx(19.0)
    assert [hours for _, hours in trace_times(result, Kind.LANDS)] == pytest.approx([5.0, 24.0])


@pytest.mark.parametrize(
    ("crew_duty_hours", "expected_rows", "rests"),
    [
        # Duty day = leg 5 + ground (load 3 + service 1) + leg 5 = 14 h > 13: rest 12 h
        # every visit. Off at 9 + 12 = 21; back 26, turnaround to 36, land 41, off 45 + 12.
        (13, [(21.0, 0, 18), (57.0, 0, 18)], 2),
        # 14 h is not more than 14: no rest.
        (14, [(9.0, 0, 18), (33.0, 0, 18)], 0),
    ],
)
def test_crew_rest_when_the_duty_day_would_run_over(
    crew_duty_hours: float, expected_rows: list[tuple[float, int, int]], rests: int
) -> None:
    sc = scenario(cargo=[GENERAL], airlift={"crew_duty_hours": crew_duty_hours})
    result = run(sc)
    assert cargo_rows(result) == expected_rows
    assert result.counters.crew_rests == rests
    assert result.counters.crew_rest_hours == 12.0 * rests


def test_packing_rate_limits_when_cargo_is_ready() -> None:
    """The base packs 18 pallet positions a day: unit k is ready at 24·k/18 h."""
    sc = scenario(cargo=[GENERAL], base={"packing_positions_per_day": 18})
    result = run(sc)
    # Unit 18 is ready at 24 h. The dispatching rule launches the tail only when a full
    # load will be ready on landing: launch 24 − 5 = 19, land 24, load 24–27, off 28.
    # Back at 33, turnaround to 43; unit 36 is ready at 48 = 43 + 5: launch at once,
    # land 48, load 48–51, off 52.
    rows = cargo_rows(result)
    assert [(line, units) for _, line, units in rows] == [(0, 18), (0, 18)]
    assert [hours for hours, _, _ in rows] == pytest.approx([28.0, 52.0], abs=1e-6)
    assert result.completion_hours == pytest.approx(52.0, abs=1e-6)
    assert result.counters.empty_sorties == 0


def test_dispatch_survives_ready_times_that_round_below_leg_arithmetic() -> None:
    """A line ready at 92.0619… h with a 7.57 h leg: (ready − leg) + leg rounds below ready.

    The tail must still launch (it used to wait zero hours forever).
    """
    sc = scenario(
        cargo=[{**GENERAL, "count": 1, "ready": "2024-06-06T20:03:43"}],
        airlift={"leg_hours": 7.57, "service_hours": 0},
    )
    ready = sc.hours_since_start(dt.datetime(2024, 6, 6, 20, 3, 43))
    assert (ready - 7.57) + 7.57 < ready  # the rounding this test is about
    result = run(sc)
    assert result.completion_hours == pytest.approx(ready + 3.0, abs=1e-6)


def test_last_out_element_leaves_on_the_final_sortie() -> None:
    """The security element (60, last out) boards only once no cargo is left unloaded, then
    any tail on the ground; the tails carrying it leave together after the last cargo."""
    sc = scenario(
        cargo=[GENERAL],
        personnel=[{"name": "security", "count": 60, "commercial": False, "last_out": True}],
        airlift={"tails": 2, "turnaround_hours": 0, "crew_duty_hours": 14.5},
        base={"parking": 2, "loading_teams": 1},
    )
    result = run(sc, trace=True)
    # #1 lands 5, loads 18 pallets 5–8 (18 more still unloaded, so no last-out boards),
    #   duty 8 + 1 + 5 = 14 ≤ 14.5, services to 9.
    # #2 lands 5, waits for the team to 8, loads the last 18 pallets and 54 of the security
    #   element (sidewall seats) 8–11; duty 11 + 1 + 5 = 17 > 14.5: rests 12 h, ready at 24.
    # At 9 no cargo is left unloaded: the other 6 board #1 (54 seats free), which holds
    #   for #2 (it carries last-out people too and is still on the ground).
    # At 24 #2 is ready: the whole lift holds. #1's crew, on duty since 0, would fly
    #   (24 − 0) + 5 = 29 > 14.5: it rests 12 h; #2's, fresh at 24, would be at
    #   (36 − 24) + 5 = 17 > 14.5 after that wait: it rests alongside. Both off at 36.
    assert sorted(cargo_rows(result)) == [(36.0, 0, 18), (36.0, 0, 18)]
    assert sorted(personnel_rows(result)) == [(36.0, 0, 6, True), (36.0, 0, 54, True)]
    assert sorted(trace_times(result, Kind.TAKES_OFF)) == [("C-17A #1", 36.0), ("C-17A #2", 36.0)]
    assert result.completion_hours == 36.0
    assert result.counters.sorties == 2
    assert result.counters.crew_rests == 3
    assert result.counters.loading_team_wait_hours == 3.0


def test_cargo_without_aircraft_ends_at_once_with_a_reason() -> None:
    sc = scenario(cargo=[GENERAL], airlift={"tails": 0})
    result = run(sc)
    assert not result.finished
    assert result.unfinished_reason == NO_AIRCRAFT
    assert result.end_hours == 0.0


def test_cargo_without_aircraft_ends_when_the_airliners_are_done() -> None:
    """The contractors still leave on airliners; the run ends then, not at the horizon."""
    sc = scenario(
        cargo=[GENERAL],
        airlift={"tails": 0},
        personnel=[{"name": "contractors", "count": 10}],
        commercial=[{"name": "ASKY", "days": "daily", "departs": "14:00", "seats": 30}],
    )
    result = run(sc)
    assert result.unfinished_reason == NO_AIRCRAFT
    assert result.end_hours == 14.0
    assert result.counters.commercial_passengers == 10


def test_clearance_that_never_opens_within_the_horizon() -> None:
    """The agreement is signed after the 30-day horizon: nothing may land."""
    sc = scenario(cargo=[GENERAL], clearance={"opens": "2024-08-01T00:00"})
    result = run(sc)
    assert result.unfinished_reason == NO_CLEARANCE
    assert result.end_hours < 1.0
    assert result.counters.sorties == 0


def test_clearance_answer_never_arrives_before_the_horizon_because_of_lead_time() -> None:
    sc = scenario(cargo=[GENERAL], clearance={"opens": "2024-06-03T00:00", "lead_days": 40})
    result = run(sc)
    assert result.unfinished_reason == NO_CLEARANCE
    assert result.end_hours < 1.0


def test_nothing_to_move_is_complete_at_the_start() -> None:
    result = run(scenario(personnel=[{"name": "nobody", "count": 0}]))
    assert result.completion_hours == 0.0
    assert result.end_hours == 0.0


def test_completion_is_infinite_nowhere() -> None:
    """Sanity: finished results have a finite completion equal to the last departure."""
    result = run(scenario(cargo=[{**GENERAL, "count": 40}]))
    assert result.completion_hours is not None
    assert math.isfinite(result.completion_hours)
    assert result.completion_hours == max(result.cargo["hours"])
