"""The expect: block of a scenario against a run's score (what `drawdown check` prints)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sim.answers.expectations import check_expectations
from sim.answers.score import (
    CompletionDates,
    Interval,
    LatenessDrivers,
    MilestoneScore,
    Percentiles,
    Provenance,
    Score,
    SensitiveOut,
    Verdict,
)
from sim.scenario.contract import Expect

# What the checks read: P(on time), verdict, completion, unfinished, milestones.
SCORE = Score(
    scenario="checked", replications=200, seed=1, deadline=dt.date(2024, 7, 14),
    verdict=Verdict.ON_TRACK, p_on_time=0.9, p_on_time_ci95=Interval(0.85, 0.94),
    completion=CompletionDates(
        p10=dt.datetime(2024, 7, 1), p50=dt.datetime(2024, 7, 10, 12), p90=None,
        mean=None, min=dt.datetime(2024, 6, 20), max=None,
    ),
    slack_days=Percentiles(p10=13.0, p50=3.5, p90=None),
    sensitive_out=SensitiveOut(p50=None, p90=None), unfinished=10,
    unfinished_reasons={"horizon reached": 10},
    milestones=(MilestoneScore("half out", dt.date(2024, 7, 1), 0.5, None, 0.75),),
    lateness_drivers=LatenessDrivers("late replications", 20, (), 0.0),
    counters={}, percentile_method="inverted_cdf",
    provenance=Provenance("checked", "0" * 16, None, 1, 200, "0", 1, 200, 0.0),
)  # fmt: skip


def outcomes(expect: dict[str, Any], **changes: Any) -> list[tuple[str, bool, str]]:
    checked = check_expectations(Expect.model_validate(expect), replace(SCORE, **changes))
    return [(o.name, o.held, o.actual) for o in checked]


def test_bounds_are_inclusive() -> None:
    assert outcomes({"p_on_time": {"min": 0.9, "max": 0.9}}) == [("p_on_time", True, "0.9")]
    assert outcomes({"p_on_time": {"min": 0.91}}) == [("p_on_time", False, "0.9")]


def test_date_windows_hold_from_after_to_before() -> None:
    window = {"after": "2024-07-01", "before": "2024-07-01T00:01"}
    assert outcomes({"completion_p10": window})[0][1]  # 00:00 is on or after 2024-07-01
    assert not outcomes({"completion_p10": {"before": "2024-07-01"}})[0][1]  # not before it


def test_an_unfinished_percentile_is_after_every_date() -> None:
    assert outcomes({"completion_p90": {"after": "2024-07-01"}}) == [
        ("completion_p90", True, "unfinished")
    ]
    assert outcomes({"completion_p90": {"before": "2030-01-01"}}) == [
        ("completion_p90", False, "unfinished")
    ]


def test_unfinished_fraction_and_milestones_are_found_by_name() -> None:
    # 10 of 200 replications unfinished (the summary's count): 10 / 200 = 0.05.
    assert outcomes({"unfinished_fraction": {"max": 0.05}}) == [
        ("unfinished_fraction", True, "0.05")
    ]
    assert outcomes({"unfinished_fraction": {"max": 0.04}})[0][1] is False
    assert outcomes({"milestones": {"half out": {"min": 0.8}, "other": {"min": 0}}}) == [
        ("milestone half out", False, "0.75"),
        ("milestone other", False, "none (known: half out)"),
    ]


def test_verdict() -> None:
    assert outcomes({"verdict": "at risk"}) == [("verdict", False, "on track")]
