"""Run results: immutable, with JSON, CSV, pandas and notebook renderings."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, RANDOM, write

import sim
from sim.answers.score import Verdict
from sim.outputs import OutputError, write_atomic
from sim.replication.outcome import COUNTER_NAMES


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> sim.RunResult:
    folder = tmp_path_factory.mktemp("results")
    return sim.run(write(folder, "random.yaml", RANDOM), replications=12)


def test_json_has_every_key_of_the_contract(result: sim.RunResult) -> None:
    summary = result.to_dict()
    for key in ("scenario", "replications", "seed", "deadline", "p_on_time", "p_on_time_ci95",
                "completion", "slack_days", "sensitive_out", "unfinished", "milestones",
                "verdict", "counters", "lateness_drivers", "provenance"):  # fmt: skip
        assert key in summary, key
    assert set(summary["completion"]) == {"p10", "p50", "p90", "mean", "min", "max"}
    assert set(summary["counters"]) == set(COUNTER_NAMES)


def test_score_is_typed_and_at_full_precision(result: sim.RunResult) -> None:
    score = result.score
    # P(on time) is a share of 12 replications, exactly; the JSON rounds it to 4 decimals.
    assert score.p_on_time * 12 == pytest.approx(round(score.p_on_time * 12), abs=1e-12)
    assert result.to_dict()["p_on_time"] == round(score.p_on_time, 4)
    assert isinstance(score.verdict, Verdict)
    assert score.verdict in ("on track", "at risk", "late")
    low, high = score.p_on_time_ci95
    assert 0 <= low <= score.p_on_time <= high <= 1
    # Instants are naive local date-times; the JSON writes them to the minute.
    p50 = score.completion.p50
    assert p50 is not None
    assert p50.tzinfo is None
    assert result.to_dict()["completion"]["p50"] == p50.strftime("%Y-%m-%dT%H:%M")
    assert list(score.counters) == list(COUNTER_NAMES)


def test_result_is_immutable(result: sim.RunResult) -> None:
    summary = result.to_dict()
    summary["p_on_time"] = -1
    summary["provenance"]["seed"] = -1
    assert result.to_dict()["p_on_time"] != -1
    assert result.provenance.seed == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.scenario = None  # type: ignore[misc, assignment]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score.p_on_time = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.completion_hours[0] = 0.0


def test_json_round_trip(result: sim.RunResult) -> None:
    assert json.loads(result.to_json()) == result.to_dict()


def test_csv_has_one_row_per_replication(result: sim.RunResult) -> None:
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert [int(row["replication"]) for row in rows] == list(range(12))
    on_time = sum(row["on_time"] == "True" for row in rows)
    assert on_time / 12 == pytest.approx(result.p_on_time, abs=1e-4)
    assert "milestone:half the people" in rows[0]


def test_to_frame(result: sim.RunResult) -> None:
    frame = result.to_frame()
    assert len(frame) == 12
    assert frame.index.name == "replication"
    assert str(frame["completion"].dtype).startswith("datetime64")


def test_arrays_are_compact(result: sim.RunResult) -> None:
    assert result.people_remaining.dtype.name == "int32"
    assert result.cargo_kg_remaining.dtype.name == "float32"
    assert result.people_remaining.shape == (12, len(result.day_ends))
    assert result.counters["sorties"].shape == (12,)


def test_html_shows_the_verdict(result: sim.RunResult) -> None:
    html = result._repr_html_()
    assert result.verdict in html
    assert "<table>" in html


def test_comparison_renderings(tmp_path: Path) -> None:
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    comparison = sim.compare([path, path], replications=2)
    assert json.loads(comparison.to_json())["ranking"][0]["rank"] == 1
    assert len(comparison.to_frame()) == 2
    assert "deterministic" in comparison._repr_html_()


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "old")
    write_atomic(target, b"new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left behind
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(OutputError, match=r"missing/out\.json: cannot write: No such file"):
        write_atomic(tmp_path / "missing" / "out.json", "x")
