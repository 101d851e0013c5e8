"""Invariants of one replication over random small drawdowns, and common random numbers.

Whatever the scenario and the random numbers: nobody and nothing leaves twice,
or before it is ready; cargo and non-commercial people never fly on airliners;
the last-out element never leaves before the last pallet; the ramp, the loading
teams and the host nation's daily landing cap are never exceeded; nothing lands
or takes off while the airfield is closed, nor lands during a political
suspension; and completion is the moment of the last departure.

The closures and suspensions of a replication are re-derived here from the same
random streams the model used (one stream per source, see ``sim.randomness``),
which is itself a check that those streams do not depend on anything else.
"""

from __future__ import annotations

import contextlib
import math
import signal
import statistics
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_helpers import merged

from sim.actors.clearance import ClearanceOffice
from sim.actors.loadmaster import Inventory
from sim.actors.weather import draw_closures
from sim.clock import Blocked, Clock
from sim.randomness import Source, Streams
from sim.replication.drawdown import simulate
from sim.replication.outcome import ReplicationResult
from sim.replication.trace import Kind
from sim.replication.world import (
    HORIZON,
    NO_AIRCRAFT,
    NO_CLEARANCE,
    NO_LANDING_SLOT,
    NO_SEATS,
    NOT_READY,
)
from sim.scenario.compiled import compile_clearance, compile_scenario, compile_weather
from sim.scenario.contract import Scenario
from sim.scenario.laws import law_of

REASONS = {NO_AIRCRAFT, NO_CLEARANCE, NO_LANDING_SLOT, NOT_READY, NO_SEATS, HORIZON}


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging if one replication loops forever at one instant."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"one replication took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- random scenarios ------------------------------------------------------------


def dists(low: float, high: float) -> st.SearchStrategy[Any]:
    """A plain number or one of the distribution forms, with values in about [low, high]."""
    number = st.floats(low, high, allow_nan=False, allow_infinity=False)
    pair = st.tuples(number, number).map(sorted)
    triple = st.tuples(number, number, number).map(sorted)
    return st.one_of(
        number,
        pair.map(lambda p: {"dist": "uniform", "low": p[0], "high": p[1]}),
        triple.map(lambda t: {"dist": "triangular", "low": t[0], "mode": t[1], "high": t[2]}),
        st.floats(max(low, 0.1), max(high, 0.2)).map(lambda m: {"dist": "exponential", "mean": m}),
        st.floats(max(low, 0.1), max(high, 0.2)).map(
            lambda m: {"dist": "lognormal", "median": m, "p90": 1.5 * m}
        ),
        st.lists(number, min_size=1, max_size=3).map(lambda v: {"dist": "choice", "values": v}),
    )


def probabilities(high: float) -> st.SearchStrategy[Any]:
    p = st.floats(0.0, high)
    return st.one_of(p, st.tuples(p, p).map(sorted).map(
        lambda q: {"dist": "uniform", "low": q[0], "high": q[1]}
    ))  # fmt: skip


def moment(hours: int) -> str:
    """An ISO date-time ``hours`` after 2024-06-03 00:00 (the start's date)."""
    day, hour = divmod(hours, 24)
    return f"2024-06-{3 + day:02d}T{hour:02d}:00"


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    start_hour = draw(st.integers(0, 23))
    ready = st.integers(start_hour, start_hour + 120).map(moment)
    cohorts = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.just("cohort"),
                    "count": st.integers(0, 150),
                    "commercial": st.booleans(),
                    "last_out": st.booleans(),
                },
                optional={"ready": ready},
            ),
            max_size=3,
        )
    )
    lines = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.just("line"),
                    "count": st.integers(0, 30),
                    "positions": st.integers(1, 8),
                    "weight_kg": st.floats(200, 20000),
                    "sensitive": st.booleans(),
                    "priority": st.sampled_from([50, 100]),
                },
                optional={"ready": ready},
            ),
            max_size=3,
        )
    )
    airlift = {
        "tails": draw(st.integers(0, 4)),
        "payload_kg": 45000,
        "leg_hours": draw(dists(2, 8)),
        "load_hours": draw(dists(1, 4)),
        "service_hours": draw(dists(0, 2)),
        "turnaround_hours": draw(dists(0, 16)),
        "breakdown_probability": draw(probabilities(0.3)),
        "repair_hours": draw(dists(0, 24)),
    }
    if draw(st.booleans()):
        airlift["crew_duty_hours"] = draw(st.floats(10, 24))
    if draw(st.booleans()):
        airlift["max_airborne_hold_hours"] = draw(st.sampled_from([0.0, 0.5, 6.0]))
    base: dict[str, Any] = {
        "parking": draw(st.integers(1, 3)),
        "loading_teams": draw(st.integers(1, 3)),
    }
    if draw(st.booleans()):
        base["packing_positions_per_day"] = draw(dists(10, 60))
    scenario: dict[str, Any] = {
        "schema_version": 1,
        "name": "random",
        "start": moment(start_hour),
        "deadline": "2024-09-15",
        "base": base,
        "personnel": cohorts,
        "cargo": lines,
        "airlift": airlift,
        "policy": {"sensitive_first": draw(st.booleans()), "military_seats": draw(st.booleans())},
        "simulation": {
            "seed": draw(st.integers(0, 2**32)),
            "horizon_days": draw(st.integers(3, 25)),
        },
    }
    if draw(st.booleans()):
        clearance: dict[str, Any] = {
            "opens": moment(start_hour + draw(st.integers(-24, 96))),
            "lead_days": draw(dists(0, 2)),
            "denial_probability": draw(probabilities(0.5)),
        }
        if draw(st.booleans()):
            clearance["opens_delay_days"] = draw(dists(0, 3))
        if draw(st.booleans()):
            clearance["daily_landings"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            # At least the longest possible leg (a validation rule): 8 h for the bounded
            # forms of dists(2, 8), 60 h above the 99.9th percentile of the others.
            leg = airlift["leg_hours"]
            bounded = not isinstance(leg, dict) or leg["dist"] in (
                "uniform",
                "triangular",
                "choice",
            )
            clearance["validity_hours"] = max(draw(st.floats(6, 96)), 8.0 if bounded else 60.0)
        if draw(st.booleans()):
            clearance["suspensions"] = {
                "per_30_days": draw(dists(0, 6)),
                "duration_days": draw(dists(0.1, 3)),
            }
        scenario["clearance"] = clearance
    services = draw(st.integers(0, 2))
    scenario["commercial"] = [
        {
            "name": f"airline {i}",
            "days": draw(st.sampled_from(["daily", ["mon", "thu"], ["sat"]])),
            "departs": draw(st.sampled_from(["02:30", "14:00", "23:45"])),
            "seats": draw(dists(0, 40)),
            "cancel_probability": draw(probabilities(0.5)),
        }
        for i in range(services)
    ]
    if draw(st.booleans()):
        scenario["weather"] = {
            "closures_per_30_days": {"jun": draw(dists(0, 60)), "jul": draw(dists(0, 60))},
            "closure_hours": draw(dists(0.5, 12)),
        }
    return scenario


# --- the invariants ------------------------------------------------------------------


def ground_intervals(
    result: ReplicationResult, begin: Kind, end: Kind
) -> list[tuple[float, float, str]]:
    """Per actor, [begin event, end event) intervals from the trace."""
    assert result.trace is not None
    open_at: dict[str, float] = {}
    intervals: list[tuple[float, float, str]] = []
    for event in result.trace:
        if event.kind is begin:
            assert event.actor not in open_at, f"{event.actor}: {begin} twice"
            open_at[event.actor] = event.hours
        elif event.kind is end and event.actor in open_at:
            intervals.append((open_at.pop(event.actor), event.hours, event.actor))
    intervals += [(hours, math.inf, actor) for actor, hours in open_at.items()]
    return intervals


def most_at_once(intervals: list[tuple[float, float, str]]) -> int:
    """Largest number of half-open intervals [a, b) covering one instant."""
    # At equal times, ends (0) sort before begins (1): a spot freed at t is reused at t.
    points = sorted([(a, 1) for a, _, _ in intervals] + [(b, 0) for _, b, _ in intervals])
    most = current = 0
    for _, is_begin in points:
        current += 1 if is_begin else -1
        most = max(most, current)
    return most


def check_no_long_airborne_holds(sc: Scenario, result: ReplicationResult) -> None:
    """Ruling 2: a hold over Base 101 lasts at most the limit; a diverted sortie carries nothing.

    A hold is a run of consecutive HOLDS_IN_THE_AIR events of one tail. After a
    diversion the tail neither loads nor takes off before it launches again.
    """
    assert result.trace is not None
    limit = 0.0 if sc.airlift is None else sc.airlift.max_airborne_hold_hours
    held: dict[int, float] = {}
    diverted: set[int] = set()
    diversions = 0
    for event in result.trace:
        tail = event.tail
        if tail is None:
            continue
        if event.kind is Kind.HOLDS_IN_THE_AIR:
            held[tail] = held.get(tail, 0.0) + (event.duration_hours or 0.0)
            assert held[tail] <= limit + 1e-9, f"{event.actor} held {held[tail]} h"
            continue
        held[tail] = 0.0
        if event.kind is Kind.DIVERTS:
            diversions += 1
            assert event.cargo == ()
            assert event.people == ()
            diverted.add(tail)
        elif event.kind is Kind.LAUNCHES:
            diverted.discard(tail)
        elif event.kind in (Kind.LOADS, Kind.TAKES_OFF, Kind.LANDS):
            assert tail not in diverted, f"{event.actor} {event.kind.value} after diverting"
    assert result.counters.diverted_sorties == diversions


def check_invariants(sc: Scenario, result: ReplicationResult, seed: int) -> None:
    clock = Clock(sc.start)
    horizon_hours = 24.0 * sc.simulation.horizon_days
    streams = Streams(seed, result.index)
    packing = sc.base.packing_positions_per_day
    inventory = Inventory(
        compile_scenario(sc),
        clock,
        None if packing is None else streams.draws(law_of(packing), Source.PACKING),
    )
    people, cargo = result.personnel, result.cargo

    # Finished or not, with a categorical reason.
    assert result.finished == (result.unfinished_reason is None)
    if not result.finished:
        assert result.unfinished_reason in REASONS
    assert result.end_hours <= horizon_hours + 1e-9

    # Rows are in departure order.
    assert np.all(np.diff(people["hours"]) >= 0)
    assert np.all(np.diff(cargo["hours"]) >= 0)

    # Nobody and nothing leaves twice; when finished, everybody and everything left once.
    for index, cohort in enumerate(sc.personnel):
        out = int(people["count"][people["cohort"] == index].sum())
        assert out <= cohort.count
        if result.finished:
            assert out == cohort.count
    for index, line in enumerate(sc.cargo):
        out = int(cargo["units"][cargo["line"] == index].sum())
        assert out <= line.count
        if result.finished:
            assert out == line.count
    assert np.all(people["count"] > 0)
    assert np.all(cargo["units"] > 0)

    # Never before ready: a cohort's ready time; the k-th unit of a line, its packing time.
    for hours, cohort, _, _ in people:
        assert hours >= inventory.cohort_ready[cohort]
    carried = [0] * len(sc.cargo)
    for hours, line, units, _ in cargo:
        carried[line] += units
        assert hours >= inventory.line_ready[line][carried[line] - 1]

    # Airliners carry only ready people of commercial, not last-out cohorts.
    for _, cohort_index, _, military in people:
        cohort = sc.personnel[cohort_index]
        if not military:
            assert cohort.commercial
            assert not cohort.last_out
        elif not sc.policy.military_seats:
            assert not cohort.commercial or cohort.last_out

    # The last-out element leaves only after every pallet, all of which are then out.
    last_out_rows = [hours for hours, c, _, _ in people if sc.personnel[c].last_out]
    if last_out_rows:
        assert int(cargo["units"].sum()) == sum(line.count for line in sc.cargo)
        if len(cargo):
            assert min(last_out_rows) >= cargo["hours"].max()

    # Counters agree with the rows.
    counters = result.counters
    assert counters.military_passengers == int(people["count"][people["military"]].sum())
    assert counters.commercial_passengers == int(people["count"][~people["military"]].sum())
    assert counters.cargo_units == int(cargo["units"].sum())
    if result.last_sensitive_hours is not None:
        sensitive = [sc.cargo[i].sensitive for i in range(len(sc.cargo))]
        assert result.last_sensitive_hours == max(h for h, i, _, _ in cargo if sensitive[i])

    # Completion is the last departure.
    if result.finished:
        departures = [*people["hours"], *cargo["hours"]]
        assert result.completion_hours == (max(departures) if departures else 0.0)
        assert result.completion_hours == result.end_hours

    # The ramp: parking spots, loading teams and the daily landing cap.
    assert result.trace is not None
    on_ground = ground_intervals(result, Kind.LANDS, Kind.TAKES_OFF)
    assert most_at_once(on_ground) <= sc.base.parking
    loading = ground_intervals(result, Kind.LOADS, Kind.FINISHES_LOADING)
    assert most_at_once(loading) <= sc.base.loading_teams
    takeoffs = [e for e in result.trace if e.kind is Kind.TAKES_OFF]
    assert counters.sorties == len(takeoffs)
    check_no_long_airborne_holds(sc, result)
    # Ruling 3: a lapse is renewed at once (a request of that tail at that moment).
    asked = {(e.tail, e.hours) for e in result.trace if e.kind is Kind.ASKS_FOR_CLEARANCE}
    for lapse in (e for e in result.trace if e.kind is Kind.CLEARANCE_LAPSES):
        assert (lapse.tail, lapse.hours) in asked, f"{lapse.actor}: lapse at {lapse.hours}"
    assert counters.clearance_lapses == sum(
        1 for e in result.trace if e.kind is Kind.CLEARANCE_LAPSES
    )
    landings = [e.hours for e in result.trace if e.kind is Kind.LANDS]
    clearance = sc.clearance
    if clearance is not None and clearance.daily_landings is not None:
        per_day: defaultdict[int, int] = defaultdict(int)
        for hours in landings:
            per_day[clock.day(hours)] += 1
        assert max(per_day.values(), default=0) <= clearance.daily_landings

    # Weather and suspensions, re-derived from their own streams.
    closures = draw_closures(
        compile_weather(sc.weather), clock, horizon_hours, Streams(seed, result.index)
    )
    tails = sc.airlift.tails if sc.airlift is not None else 0
    suspensions = (
        ClearanceOffice(
            compile_clearance(clearance), clock, horizon_hours, Streams(seed, result.index), tails
        ).suspensions
        if clearance is not None
        else Blocked()
    )
    # The result carries exactly the periods its actors saw (renderers read them there).
    assert result.closures == tuple(closures)
    assert result.suspensions == tuple(suspensions)
    for event in result.trace:
        if event.kind in (Kind.LANDS, Kind.TAKES_OFF, Kind.AIRLINER_DEPARTS):
            assert not closures.is_blocked(event.hours), f"{event} during a weather closure"
        if event.kind is Kind.LANDS:
            assert not suspensions.is_blocked(event.hours), f"{event} during a suspension"
        if event.kind is Kind.LAUNCHES and clearance is not None:
            assert event.hours >= clock.hours(clearance.opens) - 1e-9


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=scenarios(), replication=st.integers(0, 1000))
def test_invariants_hold_for_random_drawdowns(data: dict[str, Any], replication: int) -> None:
    sc = Scenario.model_validate(data)
    with time_limit(20):
        result = simulate(sc, replication, trace=True)
    check_invariants(sc, result, sc.simulation.seed)


# --- weather as a stress test -----------------------------------------------------------

STORMY_JUNE: dict[str, Any] = {
    "schema_version": 1,
    "name": "stormy",
    "start": "2024-05-31T18:00",
    "deadline": "2024-09-15",
    "base": {"parking": 2, "loading_teams": 1},
    "personnel": [
        {"name": "main body", "count": 200},
        {"name": "security", "count": 30, "commercial": False, "last_out": True},
    ],
    "cargo": [{"name": "general", "count": 150, "positions": 1, "weight_kg": 2000}],
    "airlift": {
        "tails": 3,
        "payload_kg": 45000,
        "leg_hours": 5,
        "load_hours": 3,
        "service_hours": 1,
        "turnaround_hours": 8,
    },
    "commercial": [{"name": "ASKY", "days": "daily", "departs": "14:00", "seats": 20}],
    # Some three closures a day in June, none in May: the first days are clear.
    "weather": {"closures_per_30_days": {"jun": 90}, "closure_hours": 4},
    "simulation": {"seed": 7, "horizon_days": 12},
}


@pytest.mark.parametrize("replication", range(20))
def test_a_stormy_june_closes_the_runway_but_never_to_traffic(replication: int) -> None:
    """With closures about a third of the time, aircraft hold, and nothing moves while closed."""
    sc = Scenario.model_validate(STORMY_JUNE)
    result = simulate(sc, replication, trace=True)
    check_invariants(sc, result, sc.simulation.seed)
    clock = Clock(sc.start)
    closures = draw_closures(compile_weather(sc.weather), clock, 24.0 * 12, Streams(7, replication))
    june_1 = clock.hours(sc.start.replace(month=6, day=1, hour=0))
    assert closures.starts
    assert min(closures.starts) >= june_1  # the rate is June's only
    assert result.counters.weather_closures >= 1


# --- common random numbers ---------------------------------------------------------------

REALISTIC: dict[str, Any] = {
    "schema_version": 1,
    "name": "realistic",
    "start": "2024-05-19T00:00",
    "deadline": "2024-09-15",
    "base": {"parking": 2, "loading_teams": 1},
    "personnel": [
        {"name": "main", "count": 900},
        {"name": "security", "count": 50, "commercial": False, "last_out": True},
    ],
    "cargo": [
        {"name": "MQ-9", "count": 4, "positions": 6, "weight_kg": 9000, "sensitive": True},
        {"name": "general", "count": 300, "positions": 1, "weight_kg": 3000},
    ],
    "airlift": {
        "tails": 3,
        "payload_kg": 45000,
        "leg_hours": {"dist": "triangular", "low": 5, "mode": 5.5, "high": 7},
        "load_hours": 3,
        "service_hours": 1.5,
        "turnaround_hours": {"dist": "uniform", "low": 10, "high": 16},
        "crew_duty_hours": 16,
        "breakdown_probability": 0.05,
        "repair_hours": {"dist": "lognormal", "median": 6, "p90": 24},
    },
    "clearance": {
        "opens": "2024-05-19",
        "opens_delay_days": {"dist": "uniform", "low": 10, "high": 20},
        "lead_days": {"dist": "uniform", "low": 1, "high": 3},
        "denial_probability": 0.1,
        "daily_landings": 2,
        "validity_hours": 72,
        "suspensions": {
            "per_30_days": 0.5,
            "duration_days": {"dist": "uniform", "low": 2, "high": 7},
        },
    },
    "commercial": [
        {
            "name": "RAM",
            "days": ["mon", "wed", "fri"],
            "departs": "02:30",
            "seats": {"dist": "uniform", "low": 10, "high": 30},
            "cancel_probability": 0.1,
        },
        {
            "name": "ASKY",
            "days": "daily",
            "departs": "14:00",
            "seats": {"dist": "triangular", "low": 0, "mode": 10, "high": 20},
            "cancel_probability": 0.05,
        },
    ],
    "weather": {
        "closures_per_30_days": {"may": 2, "jun": 4, "jul": 7, "aug": 8, "sep": 5},
        "closure_hours": {"dist": "uniform", "low": 1, "high": 3},
    },
    "simulation": {"seed": 20240519, "horizon_days": 200},
}

REPLICATIONS = 30


def median_completion(override: dict[str, Any]) -> float:
    sc = Scenario.model_validate(merged(REALISTIC, override))
    hours = [simulate(sc, i).completion_hours for i in range(REPLICATIONS)]
    return statistics.median(math.inf if h is None else h for h in hours)


@pytest.mark.parametrize(
    ("worse", "better"),
    [
        ({"airlift": {"tails": 2}}, {"airlift": {"tails": 3}}),
        ({"airlift": {"tails": 3}}, {"airlift": {"tails": 4}}),
        ({"base": {"parking": 1}}, {"base": {"parking": 2}}),
        ({"base": {"parking": 2}}, {"base": {"parking": 3}}),
        (
            {"clearance": {"lead_days": {"dist": "uniform", "low": 2, "high": 5}}},
            {"clearance": {"lead_days": {"dist": "uniform", "low": 1, "high": 3}}},
        ),
        (
            {"clearance": {"lead_days": {"dist": "uniform", "low": 1, "high": 3}}},
            {"clearance": {"lead_days": 0}},
        ),
    ],
)
def test_more_lift_or_shorter_leads_never_delay_the_median(
    worse: dict[str, Any], better: dict[str, Any]
) -> None:
    """Same seeds, one change for the better: the median completion is not later."""
    assert median_completion(better) <= median_completion(worse)


def test_a_replication_replays_alone() -> None:
    sc = Scenario.model_validate(REALISTIC)
    first, again, other = simulate(sc, 5), simulate(sc, 5), simulate(sc, 6)
    assert first.completion_hours == again.completion_hours
    assert first.counters == again.counters
    assert np.array_equal(first.personnel, again.personnel)
    assert np.array_equal(first.cargo, again.cargo)
    assert first.events == again.events
    assert first.completion_hours != other.completion_hours


def test_an_explicit_seed_overrides_the_scenario_seed() -> None:
    sc = Scenario.model_validate(REALISTIC)
    assert simulate(sc, 3, seed=20240519).counters == simulate(sc, 3).counters
    assert simulate(sc, 3, seed=1).counters != simulate(sc, 3).counters


def test_changing_the_weather_does_not_change_clearance_lead_times() -> None:
    """Common random numbers by source: each tail's first clearance answer is the same
    whether June is dry or stormy, and so are the opening delay and the suspensions."""
    dry = Scenario.model_validate(merged(REALISTIC, {"weather": {"closures_per_30_days": {}}}))
    wet = Scenario.model_validate(
        merged(REALISTIC, {"weather": {"closures_per_30_days": {"may": 30, "jun": 30}}})
    )
    for replication in range(5):
        answers = []
        for sc in (dry, wet):
            result = simulate(sc, replication, trace=True)
            assert result.trace is not None
            first: dict[str, tuple[float | None, int]] = {}
            for event in result.trace:
                if event.kind is Kind.ASKS_FOR_CLEARANCE:
                    first.setdefault(event.actor, (event.until_hours, event.denials))
            answers.append(first)
        assert answers[0] == answers[1]
        assert len(answers[0]) == 3

    clock = Clock(dry.start)
    assert dry.clearance is not None
    offices = []
    for sc in (dry, wet):
        streams = Streams(20240519, 0)
        plain = compile_scenario(sc)
        draw_closures(plain.weather, clock, 4800.0, streams)  # weather drawn first, or not at all
        offices.append(ClearanceOffice(plain.clearance, clock, 4800.0, streams, tails=3))
    assert offices[0].opens_hours == offices[1].opens_hours
    assert offices[0].suspensions.periods() == offices[1].suspensions.periods()
    for tail in range(3):
        for hours in (0.0, 500.0, 900.0):
            assert offices[0].request(tail, hours) == offices[1].request(tail, hours)


def test_adding_a_tail_keeps_the_first_tails_leg_times() -> None:
    """The leg-time stream of tail #1 is its own: a fourth tail does not reshuffle it."""
    three = Streams(20240519, 0)
    four = Streams(20240519, 0)
    four.rng(Source.LEG, 3).random()  # the new tail draws first
    assert three.rng(Source.LEG, 0).random() == four.rng(Source.LEG, 0).random()
