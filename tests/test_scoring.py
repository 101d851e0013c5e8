"""Scoring from hand-built replication results: every expected number is computed by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scoring_helpers import everything_at, result, table_of

from sim.answers.score import DriverHours, Interval, Percentiles, Provenance, SensitiveOut, Verdict
from sim.answers.scoring import lateness_drivers, percentile, score, verdict, wilson_interval

# Where a run came from does not enter its numbers: a placeholder will do.
PROVENANCE = Provenance(
    scenario="scoring", digest="0" * 16, source=None, seed=7, replications=4, version="0",
    jobs=1, chunk_size=4, wall_seconds=0.0,
)  # fmt: skip


def test_wilson_interval_matches_hand_computation() -> None:
    # z = 1.959964, z² = 3.841459.
    # 0 of 10: centre = (0 + z²/20) / (1 + z²/10) = 0.192073 / 1.384146 = 0.138767,
    #   half = z / 1.384146 · sqrt(0 + z²/400) = 1.416010 · 0.097998 = 0.138767 → [0, 0.27753].
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.27753, abs=1e-5)
    # 5 of 10: centre 0.5, half = 1.416010 · sqrt(0.025 + 0.0096036) = 0.263405.
    assert wilson_interval(5, 10) == pytest.approx((0.236595, 0.763405), abs=1e-5)
    # 95 of 100: centre = (0.95 + 0.019207) / 1.038415 = 0.933356,
    #   half = z / 1.038415 · sqrt(0.000475 + 0.0000960365) = 1.887458 · 0.023896 = 0.045104.
    assert wilson_interval(95, 100) == pytest.approx((0.888252, 0.978460), abs=1e-5)


def test_wilson_interval_edge_cases() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(11, 10)


@pytest.mark.parametrize(
    ("p", "expected"),
    [(1.0, "on track"), (0.9, "on track"), (0.8999, "at risk"), (0.5, "at risk"),
     (0.4999, "late"), (0.0, "late")],
)  # fmt: skip
def test_verdict_thresholds(p: float, expected: str) -> None:
    assert verdict(p) == expected
    assert verdict(p) is Verdict(expected)


def test_percentiles_are_real_values_and_unfinished_is_infinite() -> None:
    values = np.array([30.0, 10.0, math.inf, 20.0, math.inf])
    # inverted_cdf on 5 values: P10 → 1st (10), P50 → 3rd (30), P60 → 3rd, P90 → 5th (inf).
    assert percentile(values, 10) == 10.0
    assert percentile(values, 50) == 30.0
    assert percentile(values, 60) == 30.0
    assert percentile(values, 90) == math.inf


def test_summary_with_late_and_unfinished_replications() -> None:
    # Deadline end is 48 h after start (2024-06-03T00:00).
    results = [
        everything_at(0, 20.0, clearance_wait_hours=1.0),
        everything_at(1, 40.0, clearance_wait_hours=3.0),
        everything_at(2, 60.0, clearance_wait_hours=10.0, weather_wait_hours=30.0),
        result(3, None, reason="horizon reached", people=[(10.0, 6)], cargo=[(10.0, 900.0)],
               clearance_wait_hours=50.0, commercial_seats_lost=4),
    ]  # fmt: skip
    table, layout, scenario = table_of(results)
    scored = score(table, scenario, layout, seed=7, provenance=PROVENANCE)

    assert scored.p_on_time == 0.5
    # Wilson interval of 2 of 4: centre = (0.5 + z²/8) / (1 + z²/4) = 0.980182 / 1.960365 = 0.5.
    assert scored.p_on_time_ci95.low + scored.p_on_time_ci95.high == pytest.approx(1.0)
    assert scored.verdict is Verdict.AT_RISK
    assert scored.unfinished == 1
    assert scored.unfinished_reasons == {"horizon reached": 1}
    # Sorted completions: 20, 40, 60, inf → P10 = 20 h, P50 = 40 h (2nd of 4), P90 = inf.
    # The start is 2024-06-01T00:00 local time: 20 h is 20:00, 40 h is 16:00 the next day.
    completion = scored.completion
    assert completion.p10 == completion.min == dt.datetime(2024, 6, 1, 20, 0)
    assert completion.p50 == dt.datetime(2024, 6, 2, 16, 0)
    assert completion.p90 is completion.mean is completion.max is None
    # Slack: (48 − 20) / 24 = 7/6 d, (48 − 40) / 24 = 1/3 d, P90 unfinished: full precision.
    assert scored.slack_days == Percentiles(p10=7 / 6, p50=1 / 3, p90=None)
    # Sensitive cargo left at 20, 40, 60 and never: P50 = 40 h, P90 = never.
    assert scored.sensitive_out == SensitiveOut(p50=dt.datetime(2024, 6, 2, 16, 0), p90=None)
    assert scored.counters["clearance_wait_hours"] == pytest.approx(64 / 4)
    assert scored.provenance is PROVENANCE
    assert scored.precision is None


def test_interval_unpacks_low_then_high() -> None:
    low, high = Interval(0.25, 0.75)
    assert (low, high) == (0.25, 0.75)


def test_milestone_fractions() -> None:
    # "half the people" by 24 h needs 5 of 10 people; "most cargo" by 48 h needs 800 kg.
    results = [
        result(0, 50.0, people=[(23.9, 5), (30.0, 5)], cargo=[(50.0, 1000.0)]),  # people only
        result(1, 30.0, people=[(24.0, 10)], cargo=[(47.0, 800.0), (30.0, 200.0)]),  # cargo only
        result(
            2, 48.0, people=[(10.0, 4), (30.0, 6)], cargo=[(48.0, 1000.0)]
        ),  # neither (48 h is not before 48 h)
        result(3, 30.0, people=[(1.0, 10)], cargo=[(2.0, 1000.0)]),  # both
    ]
    table, layout, scenario = table_of(results)
    assert table.milestones_met.tolist() == [[True, False], [False, True], [False, False],
                                             [True, True]]  # fmt: skip
    milestones = score(table, scenario, layout, seed=7, provenance=PROVENANCE).milestones
    assert [(m.name, m.p_met) for m in milestones] == [
        ("half the people", 0.5),
        ("most cargo", 0.5),
    ]


def test_burndown_grid_counts_departures_strictly_before_each_day_end() -> None:
    # Day ends at 24, 48, 72, 96 h (the horizon is 4 days).
    table, _, _ = table_of([result(0, 48.0, people=[(24.0, 3), (47.5, 7)],
                                   cargo=[(5.0, 250.0), (48.0, 750.0)])])  # fmt: skip
    assert table.people_remaining[0, :4].tolist() == [10, 0, 0, 0]
    assert table.cargo_kg_remaining[0, :4].tolist() == [750.0, 750.0, 0.0, 0.0]
    assert table.people_remaining.dtype == np.int32
    assert table.cargo_kg_remaining.dtype == np.float32


def test_lateness_drivers_average_over_late_replications() -> None:
    results = [
        everything_at(0, 20.0, clearance_wait_hours=100.0),
        everything_at(1, 60.0, clearance_wait_hours=30.0, weather_wait_hours=10.0),
        everything_at(2, 70.0, clearance_wait_hours=10.0, weather_wait_hours=30.0,
                      commercial_seats_lost=6),
    ]  # fmt: skip
    table, _, scenario = table_of(results)
    drivers = lateness_drivers(table, scenario)
    assert drivers.basis == "late replications"
    assert drivers.replications == 2
    top = drivers.drivers[:2]
    # Over replications 1 and 2: clearance (30 + 10) / 2 = 20 h, weather (10 + 30) / 2 = 20 h;
    # a tie keeps the contract order (clearance first). Shares 20 / 40 each.
    assert [(d.driver, d.mean_hours, d.share) for d in top] == [
        ("clearance_wait_hours", 20.0, 0.5),
        ("weather_wait_hours", 20.0, 0.5),
    ]
    # Against the on-time replication 0 (clearance 100 h, weather 0 h): clearance
    # 20 − 100 = −80 h, weather 20 − 0 = +20 h: the weather made them late.
    assert [d.excess_hours for d in top] == [-80.0, 20.0]
    assert drivers.commercial_seats_lost_mean == 3.0


def test_lateness_drivers_use_the_slowest_tenth_when_nothing_is_late() -> None:
    results = [everything_at(i, 10.0 + i, parking_wait_hours=float(i)) for i in range(11)]
    table, _, scenario = table_of(results)
    drivers = lateness_drivers(table, scenario)
    # ceil(11 / 10) = 2 slowest: replications 9 and 10 → parking (9 + 10) / 2 = 9.5 h.
    assert drivers.basis == "slowest tenth"
    assert drivers.replications == 2
    # The other nine wait 0..8 h for parking, 4 h on average: excess 9.5 − 4 = 5.5 h.
    assert drivers.drivers[0] == DriverHours(
        driver="parking_wait_hours", name="parking (MOG)", mean_hours=9.5, share=1.0,
        excess_hours=5.5,
    )  # fmt: skip
