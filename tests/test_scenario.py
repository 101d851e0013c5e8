"""The scenario models: strict, frozen, and checked across fields.

Scenarios are normally loaded from YAML with :func:`sim.scenario.reading.load_scenario`;
these tests validate plain mappings with ``Scenario.model_validate`` to pin down
the rules the models themselves enforce.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from sim.scenario.contract import Scenario, end_of_day


def minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "name": "s",
        "start": "2024-05-20T00:00",
        "deadline": "2024-09-15",
        "base": {"parking": 2, "loading_teams": 1},
        "personnel": [{"name": "everyone", "count": 50}],
        "airlift": {
            "tails": 1, "payload_kg": 45000, "leg_hours": 5, "load_hours": 3,
            "turnaround_hours": 10,
        },
    }  # fmt: skip
    data.update(changes)
    return data


def error_locations(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    return [error["loc"] for error in caught.value.errors()]


def test_defaults_fill_what_is_left_out() -> None:
    scenario = Scenario.model_validate(minimal())
    assert scenario.airlift is not None
    assert scenario.airlift.seats == 102
    assert scenario.airlift.seats_with_cargo == 54
    assert scenario.airlift.passenger_kg == 136
    assert scenario.personnel[0].commercial is True
    assert scenario.simulation.replications == 1000
    assert scenario.policy.sensitive_first is True


def test_models_are_frozen() -> None:
    scenario = Scenario.model_validate(minimal())
    with pytest.raises(ValidationError):
        scenario.name = "other"  # type: ignore[misc]


def test_no_silent_coercion() -> None:
    """A string is not a number and ``"no"`` is not False."""
    locations = error_locations(
        minimal(personnel=[{"name": "a", "count": "50", "commercial": "no"}])
    )
    assert locations == [("personnel", 0, "count"), ("personnel", 0, "commercial")]


def test_deadline_means_the_end_of_that_day() -> None:
    scenario = Scenario.model_validate(minimal(start="2024-09-15T23:00"))
    assert scenario.deadline_end == dt.datetime(2024, 9, 16)
    assert end_of_day(dt.date(2024, 12, 31)) == dt.datetime(2025, 1, 1)


def test_cross_field_problems_are_located_at_their_field() -> None:
    data = minimal(
        deadline="2024-05-01",
        milestones=[
            {"name": "m", "by": "2024-04-01", "cargo": 0.5},
            {"name": "m", "by": "2024-06-01", "cargo": 0.5},
        ],
    )
    assert error_locations(data) == [
        ("deadline",),
        ("milestones", 1, "by"),
        ("milestones", 1, "name"),
    ]


def test_service_window_and_seats_are_checked() -> None:
    service = {"name": "RAM", "days": "daily", "departs": "23:05", "seats": 10,
               "from": "2024-08-01", "until": "2024-06-01"}  # fmt: skip
    airlift = {**minimal()["airlift"], "seats": 50, "seats_with_cargo": 54}
    assert error_locations(minimal(commercial=[service], airlift=airlift)) == [
        ("airlift", "seats_with_cargo"),
        ("commercial", 0, "until"),
    ]


def test_probabilities_lie_in_0_1_even_as_distributions() -> None:
    airlift = {**minimal()["airlift"],
               "breakdown_probability": {"dist": "uniform", "low": 0, "high": 1.5}}  # fmt: skip
    assert error_locations(minimal(airlift=airlift)) == [("airlift", "breakdown_probability")]


def test_weekdays_and_departure_minutes() -> None:
    service = {"name": "RAM", "days": ["mon", "fri"], "departs": "23:05", "seats": 10}
    scenario = Scenario.model_validate(minimal(commercial=[service]))
    assert scenario.commercial[0].weekdays == frozenset({0, 4})
    assert scenario.commercial[0].departs_minutes == 23 * 60 + 5


@pytest.mark.parametrize(
    ("leg_hours", "validity_hours", "valid"),
    [
        (5, 5, True),  # a fixed 5 h leg lands exactly as a 5 h approval lapses
        (5, 4.9, False),
        ({"dist": "uniform", "low": 5, "high": 7}, 6.9, False),  # the upper bound counts
        ({"dist": "triangular", "low": 4, "mode": 5, "high": 7}, 7, True),
        # Unbounded: the 99.9th percentile, 5 · ln 1000 = 34.54 h for an exponential of mean 5.
        ({"dist": "exponential", "mean": 5}, 34.5, False),
        ({"dist": "exponential", "mean": 5}, 34.6, True),
    ],
)
def test_an_approval_must_outlast_the_longest_leg(
    leg_hours: Any, validity_hours: float, valid: bool
) -> None:
    """Ruling 3: with validity shorter than the longest possible leg, no approval is usable."""
    data = minimal(clearance={"opens": "2024-05-19T00:00", "validity_hours": validity_hours})
    data["airlift"] = {**data["airlift"], "leg_hours": leg_hours}
    if valid:
        Scenario.model_validate(data)
    else:
        assert error_locations(data) == [("clearance", "validity_hours")]
