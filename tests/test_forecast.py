"""The forecast cone (sim/answers/forecast.py), its figure and ``drawdown forecast``.

The hand case is the one-tail base of ``model_helpers`` with ten units of 18
positions: one unit a sortie, the k-th out at 9 + 24·(k − 1) h, the tenth at 225 h
(2024-06-12 09:00). A forecast made at any moment from where that (deterministic)
run stood must end when it did.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from model_helpers import scenario

from sim.answers.forecast import forecast_cone, status_of_replication
from sim.cli.main import main
from sim.replication.drawdown import simulate
from sim.replication.prepared import prepare

ROOT = Path(__file__).parent.parent
HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"
STATUSES = sorted((ROOT / "scenarios" / "status").glob("*.yaml"))
TEN_SORTIES = {
    "cargo": [{"name": "pallets of 18", "count": 10, "positions": 18, "weight_kg": 1000}]
}
COMPLETION = dt.datetime(2024, 6, 12, 9, 0)  # start + 225 h


def test_every_forecast_of_a_deterministic_run_ends_when_it_did() -> None:
    # Every 3 hours: the tail is in turn at the offload station, in the air,
    # loading, in service or flying back, and each forecast must still say 225 h.
    cone = forecast_cone(scenario(**TEN_SORTIES), every_days=0.125)
    assert len(cone.points) == 75  # as of 0, 3, …, 222 h: 225 / 3 = 75 moments
    assert {point.p50 for point in cone.points} == {COMPLETION}
    assert {point.p10 for point in cone.points} == {COMPLETION}
    # Cargo out by 3·j hours: the units that left at 9 + 24·(k − 1) ≤ 3·j, 1000 kg each.
    for j, point in enumerate(cone.points):
        assert point.cargo_kg_out == 1000.0 * sum(
            1 for k in range(1, 11) if 9 + 24 * (k - 1) <= 3 * j
        )


def test_a_cone_shows_one_row_per_forecast_in_a_screenful() -> None:
    cone = forecast_cone(scenario(**TEN_SORTIES), every_days=1.0)
    # As of 0, 24, …, 216 h: 10 forecasts (225 h / 24 h, rounded up); all end at 225 h.
    text = repr(cone)
    assert text.startswith("<ForecastCone ")
    assert "10 forecasts from the median replication" in text
    assert "12 Jun 09:00 – 12 Jun 09:00 – 12 Jun 09:00" in text  # P10 = P50 = P90 = 225 h
    assert len(text.splitlines()) <= 30
    assert "<table>" in cone._repr_html_()


def test_where_the_tail_was_read_from_the_trace() -> None:
    sc = scenario(**TEN_SORTIES)
    traced = simulate(sc, 0, trace=True)
    start = sc.start

    def tail(hours: float) -> tuple[str, dt.datetime | None]:
        (only,) = status_of_replication(sc, traced, start + dt.timedelta(hours=hours)).tails
        return only.at, only.until

    # Second cycle: launches at 24 h, lands 29, loads 29–32, services to 33, flies back
    # and arrives at 38, turns around to 48.
    assert tail(26) == ("inbound", start + dt.timedelta(hours=29))
    assert tail(30) == ("base_101", start + dt.timedelta(hours=32))
    assert tail(35) == ("outbound", start + dt.timedelta(hours=38))
    assert tail(38) == ("offload_station", start + dt.timedelta(hours=48))
    assert tail(40) == ("offload_station", start + dt.timedelta(hours=48))


def test_a_tail_read_flying_back_asks_on_arrival_as_the_replication_did() -> None:
    # Every clearance takes 48 h from the request. The tail asks at 0 h, launches at 48 h,
    # lands 53, loads to 56, services to 57 (the first unit out), arrives back at 62 h and
    # asks again: a cycle of 62 h, the tenth unit out at 57 + 9·62 = 615 h. Read at 60 h,
    # the tail is flying back and arrives at 62 h; from there the forecast is the
    # replication itself (asking at 60 h instead would end 2 h early, at 613 h).
    sc = scenario(**TEN_SORTIES, clearance={"opens": "2024-06-03T00:00", "lead_days": 2})
    traced = simulate(sc, 0, trace=True)
    assert traced.completion_hours == 615.0
    status = status_of_replication(sc, traced, sc.start + dt.timedelta(hours=60))
    (tail,) = status.tails
    assert (tail.at, tail.until) == ("outbound", sc.start + dt.timedelta(hours=62))
    assert simulate(prepare(sc, status), 0).completion_hours == 615.0


def test_an_untraced_replication_is_refused() -> None:
    sc = scenario(**TEN_SORTIES)
    with pytest.raises(ValueError, match="must be traced"):
        status_of_replication(sc, simulate(sc, 0), sc.start)


def test_forecast_verb_from_the_record_statuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["forecast", str(HISTORICAL), "-n", "6", "-q", "--json", str(tmp_path / "cone.json")]
    for status in STATUSES:
        args += ["--status", str(status)]
    assert main([*args, "--plots", str(tmp_path)]) == 0
    assert "statuses from the status files" in capsys.readouterr().out
    points = json.loads((tmp_path / "cone.json").read_text(encoding="utf-8"))["points"]
    # The start, then the record's two statuses in time order (DF §1.2: >269, then 766 out).
    assert [(p["as_of"], p["people_out"]) for p in points] == [
        ("2024-05-19T00:00", 0),
        ("2024-06-07T00:00", 269),
        ("2024-07-08T00:05", 766),
    ]
    assert (tmp_path / "historical-2024-forecast-cone.png").stat().st_size > 10_000


def test_forecast_verb_refuses_a_bad_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["forecast", str(HISTORICAL), "--every-days", "0"]) == 2
    assert capsys.readouterr().err == "drawdown forecast: error: --every-days must be > 0 (got 0)\n"


def test_the_status_option_on_the_other_verbs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = STATUSES[-1]
    assert main(["compare", str(HISTORICAL), str(HISTORICAL), "-n", "4", "-q",
                 "--status", str(status), "--json", str(tmp_path / "c.json")]) == 0  # fmt: skip
    compared = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert compared["runs"][0]["provenance"]["status"]["as_of"] == "2024-07-08T00:05"
    assert main(["sensitivity", str(HISTORICAL), "-n", "4", "-q", "--status", str(status)]) == 0
    assert main(["solve", str(HISTORICAL), "--vary", "airlift.tails", "--range", "1:2", "-n", "4",
                 "-q", "--status", str(status)]) == 0  # fmt: skip
    assert main(["report", str(HISTORICAL), "-n", "4", "-q", "--status", str(status),
                 "-o", str(tmp_path / "r.html")]) == 0  # fmt: skip
    assert "2024-07-08T00:05" in (tmp_path / "r.html").read_text(encoding="utf-8")  # provenance
    out = capsys.readouterr().out
    # compare, sensitivity and solve say so (report: in its provenance, tested in the JSON)
    assert out.count(f"forecast from the status as of 2024-07-08T00:05 ({status})") == 3
