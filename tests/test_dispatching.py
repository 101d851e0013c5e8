"""When tails launch: filing clearances ahead, and sending partial loads.

Both are extensions of the contract's cycle (``clearance.requests_ahead`` and
``policy.partial_load_wait_hours``), computed here by hand on the base scenario
of ``model_helpers``: one C-17, leg 5 h, load 3 h, service 1 h, turnaround 10 h,
clock zero Monday 2024-06-03 00:00.
"""

from __future__ import annotations

import pytest
from model_helpers import personnel_rows, run, scenario

TWO_LOADS_OF_PALLETS = {"name": "pallets", "count": 36, "positions": 1, "weight_kg": 1000}
FIFTY_NOW_AND_A_LOAD_ON_FRIDAY = [
    {"name": "ready now", "count": 50, "commercial": False},
    # Friday 2024-06-07 04:00 is 4 × 24 + 4 = 100 h after clock zero.
    {"name": "ready Friday", "count": 102, "commercial": False, "ready": "2024-06-07T04:00"},
]


@pytest.mark.parametrize(
    ("requests_ahead", "completion", "clearance_wait", "requests"),
    [
        # Ask on arrival (the contract's cycle), lead 48 h:
        #   asks at 0 → approved 48; launch 48, land 53, load to 56, service to 57: sortie 1.
        #   Back at 62, asks → approved 110; turnaround done 72, waits 38 h;
        #   launch 110, land 115, load to 118, service to 119: sortie 2. Waits 48 + 38 = 86 h.
        (0, 119.0, 86.0, 2),
        # File one landing ahead: launching at 48 it asks for the next → approved 96.
        #   Back at 62, turnaround done 72, waits 24 h; launch 96 (and files again: 3rd
        #   request), land 101, load to 104, service to 105. Waits 48 + 24 = 72 h.
        (1, 105.0, 72.0, 3),
    ],
)
def test_filing_clearances_ahead_overlaps_the_lead_time_with_the_sortie(
    requests_ahead: int, completion: float, clearance_wait: float, requests: int
) -> None:
    """Two loads of pallets, 2-day clearance lead: filing ahead saves 14 h on the second."""
    sc = scenario(
        cargo=[TWO_LOADS_OF_PALLETS],
        clearance={"opens": "2024-06-03T00:00", "lead_days": 2, "requests_ahead": requests_ahead},
    )
    result = run(sc)
    assert result.completion_hours == completion
    assert result.counters.sorties == 2
    assert result.counters.clearance_wait_hours == clearance_wait
    assert result.counters.clearance_requests == requests


def test_a_partial_load_flies_when_no_full_load_is_coming_soon() -> None:
    """50 people ready now, 102 more ready only on Friday 04:00 (100 h).

    Default wait 24 h: a full load will not be ready by 5 + 24 = 29 h, so the tail
    flies the 50 now: launch 0, land 5, load to 8, service to 9. Back at 14,
    turnaround to 24; nothing ready by a landing at 29, so it waits until the
    others are ready at its landing: launch 95, land 100, load to 103, take-off 104.
    """
    sc = scenario(
        personnel=FIFTY_NOW_AND_A_LOAD_ON_FRIDAY,
    )
    result = run(sc)
    assert personnel_rows(result) == [(9.0, 0, 50, True), (104.0, 1, 102, True)]
    assert result.completion_hours == 104.0


def test_a_partial_load_waits_when_a_full_one_is_ready_within_the_wait() -> None:
    """The same people, but the tail may wait 200 h for a fuller load.

    At 0 a full load is ready by 5 + 200 h, so the tail waits for the Friday
    cohort: launch 95, land 100, load 102 seats (50 then 52 in file order) to 103,
    take-off 104. Back at 109, turnaround to 119; the last 50 will not grow to a
    full load, so launch 119, land 124, load to 127, take-off 128.
    """
    sc = scenario(
        personnel=FIFTY_NOW_AND_A_LOAD_ON_FRIDAY,
        policy={"partial_load_wait_hours": 200},
    )
    result = run(sc)
    assert personnel_rows(result) == [
        (104.0, 0, 50, True),
        (104.0, 1, 52, True),
        (128.0, 1, 50, True),
    ]
    assert result.completion_hours == 128.0
