"""sensitivity: each uncertain input at its low and high end, ranked by swing."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from questions_scenarios import ONE_LEAD, SIXTY_LOADS
from runs_scenarios import RANDOM, write

from sim.answers.sensitivity import sensitivity
from sim.scenario.variation import VariationError


def test_the_one_lead_time_ranks_first_with_its_hand_swing(tmp_path: Path) -> None:
    result = sensitivity(write(tmp_path, "one-lead.yaml", ONE_LEAD))
    fields = [item.field for item in result.inputs]
    assert fields == ["clearance.lead_days", "airlift.service_hours"]
    lead, service = result.inputs
    assert lead.low == pytest.approx(1.2)
    assert lead.high == pytest.approx(2.8)
    assert lead.swing_days == pytest.approx(1.6)  # (2.8 − 1.2) days, by hand
    assert service.low == pytest.approx(1.1)
    assert service.high == pytest.approx(1.9)
    assert service.swing_days == pytest.approx(0.8 / 24)  # 0.8 h
    # Lead fixed at 1.2 days: complete at 28.8 + 8 + s ≤ 38.8 h, before the deadline end
    # (72 h); at 2.8 days: 67.2 + 8 + s ≥ 76.2 h, after it.
    assert lead.low_run.p_on_time == 1.0
    assert lead.high_run.p_on_time == 0.0
    assert result.provenance["evaluations"] == 1 + 2 * 2
    assert result.provenance["replications"] == 5 * 41


def test_the_json_follows_the_contract(tmp_path: Path) -> None:
    payload = sensitivity(write(tmp_path, "one-lead.yaml", ONE_LEAD)).to_dict()
    assert set(payload) >= {"scenario", "baseline", "inputs"}
    assert set(payload["baseline"]) >= {"p_on_time", "completion_p50", "completion_p90"}
    first = payload["inputs"][0]
    assert set(first) >= {"field", "low", "high", "p_on_time_low", "p_on_time_high", "p50_low",
                          "p50_high", "p90_low", "p90_high", "swing_days"}  # fmt: skip
    assert first["field"] == "clearance.lead_days"
    assert first["swing_days"] == 1.6
    swings = [row["swing_days"] for row in payload["inputs"]]
    assert swings == sorted(swings, reverse=True)


def test_structural_fields_with_also(tmp_path: Path) -> None:
    result = sensitivity(write(tmp_path, "sixty.yaml", SIXTY_LOADS), also=["airlift.tails"])
    (tails,) = result.inputs  # nothing is uncertain in this scenario but what is added
    assert (tails.low, tails.high) == (2, 4)  # one less, one more
    # By hand (questions_scenarios.py): 2 tails finish at 705 h, 4 tails at 345 h: 15 days.
    assert tails.swing_days == pytest.approx((705 - 345) / 24)
    bounded = sensitivity(write(tmp_path, "sixty.yaml", SIXTY_LOADS), also=["airlift.tails=3:6"])
    assert (bounded.inputs[0].low, bounded.inputs[0].high) == (3, 6)


def test_fixed_probabilities_and_rates_swing_from_half_to_double(tmp_path: Path) -> None:
    result = sensitivity(write(tmp_path, "random.yaml", RANDOM), replications=20)
    by_field = {item.field: item for item in result.inputs}
    assert (by_field["airlift.breakdown_probability"].low,
            by_field["airlift.breakdown_probability"].high) == (0.1, 0.4)  # fmt: skip
    assert (by_field["weather.closures_per_30_days.jun"].low,
            by_field["weather.closures_per_30_days.jun"].high) == (2.0, 8.0)  # fmt: skip
    assert "airlift.turnaround_hours" not in by_field  # fixed and not a rate: not uncertain


@pytest.mark.slow
def test_longer_repairs_never_help_beyond_the_noise(tmp_path: Path) -> None:
    """RANDOM at 400 replications: the repair time at its P90 (exponential, mean 24 h:
    −24·ln 0.1 = 55.3 h) against its P10 (2.5 h). Under common random numbers the paired
    difference in P(on time) has a standard error of at most √(0.25/400) = 0.025; a
    tolerance of 0.05 (two standard errors) in the wrong direction is allowed."""
    result = sensitivity(write(tmp_path, "random.yaml", RANDOM), replications=400)
    repair = next(item for item in result.inputs if item.field == "airlift.repair_hours")
    assert repair.low == pytest.approx(-24 * math.log(0.9))
    assert repair.high_run.p_on_time <= repair.low_run.p_on_time + 0.05


@pytest.mark.parametrize(
    ("also", "message"),
    [
        ("airlift.tials", "unknown field 'airlift.tials': no 'tials'"),
        ("policy.sensitive_first", "policy.sensitive_first is not numeric"),
        ("airlift.tails=4:2", "airlift.tails: the range must go from low to high (got 4:2)"),
        (
            "airlift.tails=-1:4",
            "airlift.tails = -1 makes the scenario invalid: airlift.tails: must be ≥ 0 (got -1)",
        ),
    ],
)
def test_bad_also_fields(tmp_path: Path, also: str, message: str) -> None:
    path = write(tmp_path, "sixty.yaml", SIXTY_LOADS)
    with pytest.raises(VariationError, match="^" + re.escape(message)):
        sensitivity(path, also=[also])
