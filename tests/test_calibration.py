"""Calibration against the 2024 record: ``sim.answers.calibration`` and ``drawdown calibrate``.

The historical scenario's targets (issue 5), set by the lead before any run:
median personnel out by 7 Jun within 230–330 (record: more than 269); by the
night of 7–8 Jul within 700–830 (record: 766–776) with cargo out near 1,593 t;
everyone out by early August (Agadez handed over 5 Aug); P(on time) ≥ 0.9.

Run at n = 200: the Monte Carlo standard error of a median here is a few
people and under 10 t (1.2533 σ / √n with σ ≈ 30 t), and that of P(on time)
≤ 0.035, small against the bands. One target is not met by the current
model and is marked ``xfail(strict=True)`` with the mechanism that explains
it (see scenarios/historical-2024.yaml): when the model is fixed it will
pass, and strict xfail will ask for the marker to go.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sim.answers.calibration import (
    Agreement,
    Band,
    CalibrationResult,
    Record,
    calibrate,
    render_calibration,
)
from sim.cli.main import main
from sim.montecarlo.runs import run
from sim.scenario.reading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"
REPLICATIONS = 200

FIRST_C17 = dt.datetime(2024, 6, 7, 0, 0)
AB101_CLOSED = dt.datetime(2024, 7, 8, 0, 5)

LAST_OUT_SPLIT = (
    "model: the final lift (the last-out element leaving together on the tails it needs) "
    "happens only when another tail is approved and coming when the last cargo launches; "
    "in about two thirds of replications the other tails are waiting for their clearances, "
    "so the element boards within the payload the last cargo leaves (about 29 seats) and "
    "the other ~71 wait for the next tail, which in most replications lands after 00:05 on "
    "8 Jul; in the record two C-17s left together then. Median 695 out (P10–P90 666–766) "
    "at 1,000 replications, as before the final lift was modelled."
)


@pytest.fixture(scope="module")
def historical() -> CalibrationResult:
    return calibrate(HISTORICAL, replications=REPLICATIONS)


# --- the module, on a scenario computed by hand ----------------------------------

ONE_SORTIE = """\
schema_version: 1
start: 2024-05-20T00:00
deadline: 2024-09-15
base: {parking: 1, loading_teams: 1}
personnel:
  - {name: everyone, count: 50, commercial: false}
cargo:
  - {name: pallets, count: 4, positions: 1, weight_kg: 2000}
airlift: {tails: 1, payload_kg: 45000, leg_hours: 5, load_hours: 3, turnaround_hours: 10}
simulation: {replications: 3, seed: 1}
observed:
  - {at: 2024-05-20T07:59, personnel_out: 0, cargo_out_kg: 0, source: hand}
  - at: 2024-05-20T08:00
    personnel_out: {at_least: 40}
    cargo_out_kg: {low: 7000, high: 9000}
    source: hand
    note: take-off
  - {at: 2024-05-20T09:00, personnel_out: {at_most: 40}}
  - {at: 2024-05-20T09:00, personnel_out: 50, role: input, why: the cohort's size}
fitted:
  - {field: airlift.leg_hours, planner: 6, why: a longer leg}
"""


def one_sortie(tmp_path: Path) -> Path:
    path = tmp_path / "one-sortie.yaml"
    path.write_text(ONE_SORTIE, encoding="utf-8")
    return path


def test_calibrate_counts_what_left_at_or_before_each_instant(tmp_path: Path) -> None:
    """As written: land at 5 h, load 3 h, take off at 08:00 with all 50 people and 8,000 kg.
    With the planner's leg of 6 h: land at 6 h, take off at 09:00."""
    result = calibrate(one_sortie(tmp_path))
    assert (result.replications, result.seed) == (3, 1)
    rows = [
        (p.at.strftime("%H:%M"), p.quantity, p.simulated.p50, p.planner and p.planner.p50)
        for p in result.points
    ]
    assert rows == [
        ("07:59", "personnel_out", 0, 0),
        ("07:59", "cargo_out_kg", 0, 0),
        ("08:00", "personnel_out", 50, 0),
        ("08:00", "cargo_out_kg", 8000, 0),
        ("09:00", "personnel_out", 50, 50),
        ("09:00", "personnel_out", 50, 50),
    ]
    # 07:59 exact 0 in [0, 0]: yes. 08:00 ≥ 40 against 50: yes; 7–9 t against 8 t: yes.
    # 09:00 ≤ 40 against 50: no (the record lies below the band). The last is an input.
    assert [p.agrees for p in result.points] == [True, True, True, True, False, True]
    assert [p.tests_model for p in result.points] == [True] * 5 + [False]
    assert result.points[4].record.verdict(result.points[4].simulated) == "NO: record below"
    # All three replications above 40: share above the record 1, below it 0.
    assert (result.points[4].simulated.below, result.points[4].simulated.above) == (0.0, 1.0)
    # With the planner's leg nothing has left at 08:00: ≥ 40 and 7–9 t lie above the band.
    assert [p.agrees_with_planner_values for p in result.points] == [
        True, True, False, False, False, True,
    ]  # fmt: skip
    assert result.agreement() == Agreement(agree=4, tests=5, inputs=1)
    assert result.agreement(planner_values=True) == Agreement(agree=2, tests=5, inputs=1)
    assert [(f.field, f.as_written, f.planner) for f in result.fitted] == [
        ("airlift.leg_hours", 5, 6)
    ]
    text = render_calibration(result)
    assert "as written: 4 of 5 points that test the model agree with the record; " in text
    assert "1 point is an input (not counted)" in text
    assert "with the planner's values: 2 of 5 points" in text
    assert "airlift.leg_hours: 5 → 6" in text
    assert "take-off" in text
    assert "the cohort's size" in text


def test_as_written_only_skips_the_planner_run(tmp_path: Path) -> None:
    result = calibrate(one_sortie(tmp_path), planner_values=False)
    assert result.fitted == ()
    assert all(point.planner is None for point in result.points)
    assert "planner" not in render_calibration(result)


@pytest.mark.parametrize(
    ("record", "band", "agrees"),
    [
        # "More than 269" against a band of 300–300: the bound is satisfied.
        (Record("at least", 270, math.inf), (300, 300, 300), True),
        (Record("at least", 270, math.inf), (200, 230, 269), False),  # band all below
        (Record("at most", 0, 40), (50, 50, 50), False),
        (Record("at most", 0, 40), (40, 45, 50), True),  # touches at P10
        # Two sources, 766 and 776, against 666–766: they meet at 766.
        (Record("range", 766, 776), (666, 695, 766), True),
        (Record("range", 766, 776), (600, 650, 700), False),
        (Record("value", 1_593_000, 1_593_000), (1_479_000, 1_594_000, 1_594_000), True),
        (Record("value", 1_593_000, 1_593_000), (900_000, 1_200_000, 1_500_000), False),
    ],
)
def test_agreement_of_values_ranges_and_bounds(
    record: Record, band: tuple[float, float, float], agrees: bool
) -> None:
    assert record.meets(Band(*band, below=0.0, above=0.0)) is agrees


def test_bands_use_the_percentile_rule_of_scoring() -> None:
    """inverted_cdf on 0, 10, 20, 30: the smallest value whose share at or below is ≥ q,
    so P10 = 0 (1/4 ≥ 0.1), P50 = 10 (2/4 ≥ 0.5), P90 = 30 (4/4 ≥ 0.9). Linear
    interpolation would give 3, 15 and 27. Below 12: 0 and 10; above 12: 20 and 30."""
    band = Band.of(np.array([0.0, 10.0, 20.0, 30.0]), Record("value", 12, 12))
    assert (band.p10, band.p50, band.p90) == (0, 10, 30)
    assert (band.below, band.above) == (0.5, 0.5)


def test_calibrate_refuses_a_scenario_without_observed_points() -> None:
    with pytest.raises(ValueError, match="no observed"):
        calibrate(ROOT / "scenarios" / "plan-1000.yaml", replications=1)


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    one = calibrate(HISTORICAL, replications=6, jobs=1)
    two = calibrate(HISTORICAL, replications=6, jobs=2)
    assert one.points == two.points


def test_cli_writes_json_and_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "calibration.json"
    code = main(["calibrate", str(HISTORICAL), "-n", "4", "--seed", "7", "--json", str(out)])
    assert code == 0
    assert "simulated vs observed, 4 replications, seed 7" in capsys.readouterr().out
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["replications"] == 4
    assert payload["seed"] == 7
    assert payload["percentile_method"] == "inverted_cdf"
    assert payload["agreement"]["tests"] == 2
    assert payload["agreement"]["inputs"] == 2
    assert payload["agreement_with_planner_values"]["tests"] == 2
    assert {point["quantity"] for point in payload["points"]} == {"personnel_out", "cargo_out_kg"}
    assert all(point["source"] for point in payload["points"])
    roles = [(point["at"], point["role"]) for point in payload["points"]]
    assert roles == [
        ("2024-06-07T00:00", "input"),
        ("2024-07-08T00:05", "test"),
        ("2024-07-08T00:05", "test"),
        ("2024-08-05T23:59", "input"),
    ]
    assert payload["points"][0]["record"] == {"kind": "at least", "low": 270.0, "high": None}
    assert [item["field"] for item in payload["fitted"]] == [
        "clearance.opens_delay_days",
        "clearance.requests_ahead",
    ]


def test_cli_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calibrate", str(HISTORICAL), "-n", "2", "--as-written", "--json", "-"])
    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["fitted"] == []
    assert payload["agreement_with_planner_values"] is None


def test_cli_without_observed_points_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", str(ROOT / "scenarios" / "plan-1000.yaml"), "-n", "1"]) == 2
    assert "no observed" in capsys.readouterr().err


# --- the historical scenario against the record -----------------------------------


def test_the_historical_file_says_what_each_point_proves() -> None:
    """Two points are inputs in disguise (the airliner cohort's size; the day the Agadez
    element is made ready); 8 Jul (people and cargo) tests the model."""
    scenario = load_scenario(HISTORICAL)
    assert [(point.at, point.role) for point in scenario.observed] == [
        (FIRST_C17, "input"),
        (AB101_CLOSED, "test"),
        (dt.datetime(2024, 8, 5, 23, 59), "input"),
    ]
    assert all(point.why for point in scenario.observed if point.role == "input")
    assert [item.field for item in scenario.fitted] == [
        "clearance.opens_delay_days",
        "clearance.requests_ahead",
    ]


def test_personnel_out_before_the_first_c17(historical: CalibrationResult) -> None:
    """Record: more than 269 of 946 left on airliners between 19 May and 7 Jun. An input
    (the airliner cohort is 300): this checks that the file says so, not the model."""
    point = historical.point(FIRST_C17, "personnel_out")
    assert not point.tests_model
    assert 230 <= point.simulated.p50 <= 330


@pytest.mark.xfail(strict=True, reason=LAST_OUT_SPLIT)
def test_personnel_out_when_base_101_closed(historical: CalibrationResult) -> None:
    """Record: 766 (AFP) or 776 (Le Sahel) out when the last C-17s left at 00:05 on 8 Jul."""
    point = historical.point(AB101_CLOSED, "personnel_out")
    assert 700 <= point.simulated.p50 <= 830


def test_cargo_out_when_base_101_closed(historical: CalibrationResult) -> None:
    """Record: 1,593 t out by the closure; 'near' = within 5 % (one sortie is 2.5 %)."""
    point = historical.point(AB101_CLOSED, "cargo_out_kg")
    assert point.simulated.p50 == pytest.approx(1_593_000, rel=0.05)


def test_cargo_check_passes_only_with_the_values_fitted_to_the_record(
    historical: CalibrationResult,
) -> None:
    """With the planner's values (clearances asked for on arrival, approvals 7–28 days
    after signing) the median cargo out by 00:05 on 8 Jul falls short of 1,593 t by far
    more than 5 %: 1,244 t at 1,000 replications; the standard error of that median at
    n = 200 is about 1.2533 × 250 t / √200 ≈ 22 t, against a margin of 1,513 − 1,244 t."""
    point = historical.point(AB101_CLOSED, "cargo_out_kg")
    assert point.planner is not None
    assert point.planner.p50 < 0.95 * 1_593_000


def test_everyone_out_by_early_august_and_on_time() -> None:
    """Agadez handed over 5 Aug; the deadline of 15 Sep held with six weeks to spare."""
    result = run(HISTORICAL, replications=REPLICATIONS)
    assert result.p_on_time >= 0.9
    p50 = result.score.completion.p50
    assert p50 is not None
    assert p50 < dt.datetime(2024, 8, 10)


def test_the_model_spread_is_reported_for_every_observed_value(
    historical: CalibrationResult,
) -> None:
    assert len(historical.points) == 4
    for point in historical.points:
        assert point.simulated.p10 <= point.simulated.p50 <= point.simulated.p90
        assert point.planner is not None
        assert point.planner.p10 <= point.planner.p50 <= point.planner.p90
    text = render_calibration(historical)
    assert textwrap.dedent(text).count("\n") > 8
