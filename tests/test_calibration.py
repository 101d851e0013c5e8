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
import textwrap
from pathlib import Path

import pytest

from sim.answers.calibration import CalibrationResult, calibrate, render_calibration
from sim.cli.main import main
from sim.montecarlo.runs import run

ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"
REPLICATIONS = 200

FIRST_C17 = dt.datetime(2024, 6, 7, 0, 0)
AB101_CLOSED = dt.datetime(2024, 7, 8, 0, 5)

LAST_OUT_SPLIT = (
    "model: the last-out element (100) boards after the last cargo, within the payload that "
    "cargo leaves (about 29 seats), and the other ~71 wait for the next tail, which in most "
    "replications lands after 00:05 on 8 Jul; in the record two C-17s left together then. "
    "Median 695 out (P10–P90 666–766) at 1,000 replications."
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
  - {at: 2024-05-20T08:00, personnel_out: 50, cargo_out_kg: 8000, source: hand, note: take-off}
  - {at: 2024-05-20T09:00, personnel_out: 40}
"""


def test_calibrate_counts_what_left_at_or_before_each_instant(tmp_path: Path) -> None:
    """Land at 5 h, load 3 h, take off at 08:00 with everyone and everything aboard."""
    path = tmp_path / "one-sortie.yaml"
    path.write_text(ONE_SORTIE, encoding="utf-8")
    result = calibrate(path)
    assert result.replications == 3
    assert result.seed == 1
    rows = [
        (p.at.strftime("%H:%M"), p.quantity, p.observed, p.p10, p.p50, p.p90) for p in result.points
    ]
    assert rows == [
        ("07:59", "personnel_out", 0, 0, 0, 0),
        ("07:59", "cargo_out_kg", 0, 0, 0, 0),
        ("08:00", "personnel_out", 50, 50, 50, 50),
        ("08:00", "cargo_out_kg", 8000, 8000, 8000, 8000),
        ("09:00", "personnel_out", 40, 50, 50, 50),
    ]
    assert [p.within_band for p in result.points] == [True, True, True, True, False]
    assert result.within_band == 4
    text = render_calibration(result)
    assert "4 of 5 observed values inside" in text
    assert "take-off" in text


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
    assert {point["quantity"] for point in payload["points"]} == {"personnel_out", "cargo_out_kg"}
    assert all(point["source"] for point in payload["points"])


def test_cli_without_observed_points_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", str(ROOT / "scenarios" / "plan-1000.yaml"), "-n", "1"]) == 2
    assert "no observed" in capsys.readouterr().err


# --- the historical scenario against the record -----------------------------------


def test_personnel_out_before_the_first_c17(historical: CalibrationResult) -> None:
    """Record: more than 269 of 946 left on airliners between 19 May and 7 Jun."""
    point = historical.point(FIRST_C17, "personnel_out")
    assert 230 <= point.p50 <= 330


@pytest.mark.xfail(strict=True, reason=LAST_OUT_SPLIT)
def test_personnel_out_when_base_101_closed(historical: CalibrationResult) -> None:
    """Record: 766 (AFP) or 776 (Le Sahel) out when the last C-17s left at 00:05 on 8 Jul."""
    point = historical.point(AB101_CLOSED, "personnel_out")
    assert 700 <= point.p50 <= 830


def test_cargo_out_when_base_101_closed(historical: CalibrationResult) -> None:
    """Record: 1,593 t out by the closure; 'near' = within 5 % (one sortie is 2.5 %)."""
    point = historical.point(AB101_CLOSED, "cargo_out_kg")
    assert point.p50 == pytest.approx(1_593_000, rel=0.05)


def test_everyone_out_by_early_august_and_on_time() -> None:
    """Agadez handed over 5 Aug; the deadline of 15 Sep held with six weeks to spare."""
    result = run(HISTORICAL, replications=REPLICATIONS)
    summary = result.summary
    assert summary["p_on_time"] >= 0.9
    assert summary["completion"]["p50"] is not None
    assert dt.datetime.fromisoformat(summary["completion"]["p50"]) < dt.datetime(2024, 8, 10)


def test_the_model_spread_is_reported_for_every_observed_value(
    historical: CalibrationResult,
) -> None:
    assert len(historical.points) == 5
    for point in historical.points:
        assert point.p10 <= point.p50 <= point.p90
    text = render_calibration(historical)
    assert textwrap.dedent(text).count("\n") > 8
