"""The expect: block of a scenario against a run's summary (what `drawdown check` prints)."""

from __future__ import annotations

from typing import Any

from sim.answers.expectations import check_expectations
from sim.scenario.contract import Expect


def summary(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "p_on_time": 0.9,
        "verdict": "on track",
        "replications": 200,
        "unfinished": 10,
        "completion": {"p10": "2024-07-01T00:00", "p50": "2024-07-10T12:00", "p90": None},
        "milestones": [{"name": "half out", "p_met": 0.75}],
    }
    return base | changes


def outcomes(expect: dict[str, Any], **changes: Any) -> list[tuple[str, bool, str]]:
    checked = check_expectations(Expect.model_validate(expect), summary(**changes))
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


def test_unfinished_is_a_fraction_and_milestones_are_found_by_name() -> None:
    # 10 of 200 replications unfinished: 0.05.
    assert outcomes({"unfinished": {"max": 0.05}}) == [("unfinished", True, "0.05")]
    assert outcomes({"milestones": {"half out": {"min": 0.8}, "other": {"min": 0}}}) == [
        ("milestone half out", False, "0.75"),
        ("milestone other", False, "none (known: half out)"),
    ]


def test_verdict() -> None:
    assert outcomes({"verdict": "at risk"}) == [("verdict", False, "on track")]
