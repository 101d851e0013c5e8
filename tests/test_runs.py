"""The Monte Carlo runner: reproducible for any workers and chunks, replayable, interruptible."""

from __future__ import annotations

import datetime as dt
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runs_scenarios import DETERMINISTIC, RANDOM, write

import sim
from sim.answers.score import Interval, Score
from sim.cli.options import split_values
from sim.montecarlo.engine import ReplicationError
from sim.montecarlo.records import Layout, ReplicationTable
from sim.replication.drawdown import simulate
from sim.scenario.reading import load_scenario


def comparable(score: Score) -> Score:
    """A score without what legitimately differs between equal runs (time, workers)."""
    provenance = replace(score.provenance, wall_seconds=0.0, jobs=0, chunk_size=0)
    return replace(score, provenance=provenance)


@pytest.fixture
def random_yaml(tmp_path: Path) -> Path:
    return write(tmp_path, "random.yaml", RANDOM)


def test_deterministic_scenario_completes_when_computed_by_hand(tmp_path: Path) -> None:
    result = sim.run(write(tmp_path, "deterministic.yaml", DETERMINISTIC))
    score = result.score
    assert score.replications == 3
    assert score.p_on_time == 1.0
    assert set(astuple(score.completion)) == {dt.datetime(2024, 6, 1, 22, 0)}
    # Deadline end 2024-06-04T00:00 minus 22:00 on 1 June = 2 days 2 hours.
    assert score.slack_days.p50 == pytest.approx(2 + 2 / 24, abs=1e-9)
    assert score.milestones[0].p_met == 1.0
    assert score.counters["sorties"] == 2.0
    # Burndown: everything out before the end of day 1.
    assert result.people_remaining[:, 0].tolist() == [0, 0, 0]
    assert result.day_ends[0].isoformat() == "2024-06-02T00:00:00"


def test_same_seed_gives_identical_json(random_yaml: Path) -> None:
    first = sim.run(random_yaml, replications=20)
    second = sim.run(random_yaml, replications=20)
    assert comparable(first.score) == comparable(second.score)
    assert sim.run(random_yaml, replications=20, seed=4).score != first.score


def test_numbers_do_not_depend_on_workers_or_chunks(random_yaml: Path) -> None:
    alone = sim.run(random_yaml, replications=24, jobs=1, chunk_size=24)
    pooled = sim.run(random_yaml, replications=24, jobs=2, chunk_size=5)
    with ThreadPoolExecutor(max_workers=3) as executor:
        threaded = sim.run(random_yaml, replications=24, executor=executor, chunk_size=1)
    expected = comparable(alone.score)
    assert comparable(pooled.score) == expected
    assert comparable(threaded.score) == expected
    np.testing.assert_array_equal(alone.completion_hours, pooled.completion_hours)
    np.testing.assert_array_equal(alone.cargo_kg_remaining, threaded.cargo_kg_remaining)
    assert pooled.table.index.tolist() == list(range(24))
    # The typical replication is traced in a worker, the same whoever traced it.
    assert alone.typical is not None
    assert pooled.typical is not None
    assert pooled.typical.fingerprint() == alone.typical.fingerprint()
    assert pooled.typical.trace == alone.typical.trace


def test_a_run_keeps_its_median_replication_traced(random_yaml: Path) -> None:
    """What the timeline figures draw is carried in the result: nothing is simulated later."""
    result = sim.run(random_yaml, replications=15)
    typical = result.typical
    assert typical is not None
    assert typical.trace
    # 15 replications: the median by the inverted CDF is the 8th smallest completion.
    eighth = np.sort(result.completion_hours)[7]
    assert typical.completion_hours == eighth
    assert result.completion_hours[typical.index] == eighth


def test_replication_replays_alone(random_yaml: Path) -> None:
    result = sim.run(random_yaml, replications=12, chunk_size=5)
    scenario = load_scenario(random_yaml)
    alone = ReplicationTable.from_results([simulate(scenario, 7)], Layout.of(scenario))
    assert alone.completion_hours[0] == result.completion_hours[7]
    np.testing.assert_array_equal(alone.counters[0], result.table.counters[7])
    np.testing.assert_array_equal(alone.people_remaining[0], result.people_remaining[7])


def test_until_precision_adds_replications_until_the_interval_is_narrow(
    random_yaml: Path,
) -> None:
    result = sim.run(random_yaml, replications=10, until_precision=0.1, max_replications=400)
    precision = result.score.precision
    assert precision is not None
    assert precision.reached
    assert precision.half_width <= 0.1
    assert precision.replications_needed == result.replications > 10
    assert precision.batches >= 2
    # The same replication indices as a plain run of that size.
    plain = sim.run(random_yaml, replications=result.replications)
    assert plain.p_on_time == result.p_on_time


def test_until_precision_stops_at_the_cap(random_yaml: Path) -> None:
    result = sim.run(random_yaml, replications=10, until_precision=0.001, max_replications=30)
    assert result.replications == 30
    assert result.score.precision is not None
    assert not result.score.precision.reached


def test_provenance_names_what_ran(random_yaml: Path) -> None:
    provenance = sim.run(random_yaml, replications=5, seed=11).provenance
    assert provenance.scenario == "random"
    assert provenance.source == str(random_yaml)
    assert provenance.seed == 11
    assert provenance.replications == 5
    assert len(provenance.digest) == 64
    assert provenance.version
    assert provenance.wall_seconds >= 0


def test_records_stay_small(random_yaml: Path) -> None:
    # 10,000 replications with a one-year horizon must stay well under 200 MB.
    result = sim.run(random_yaml, replications=5, overrides=["simulation.horizon_days=365"])
    per_replication = result.table.nbytes / result.replications
    assert per_replication * 10_000 < 50e6


def test_a_crashing_replication_names_its_index_and_seed(
    random_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.replication.drawdown

    real = sim.replication.drawdown.simulate

    def flaky(scenario: Any, replication: int, **kwargs: Any) -> Any:
        if replication == 6:
            raise ZeroDivisionError("boom")
        return real(scenario, replication, **kwargs)

    monkeypatch.setattr(sim.replication.drawdown, "simulate", flaky)
    with pytest.raises(ReplicationError, match=r"replication 6 \(seed 3\) failed") as caught:
        sim.run(random_yaml, replications=10)
    assert caught.value.index == 6
    assert "ZeroDivisionError: boom" in str(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))  # it must cross process boundaries
    assert (copy.index, copy.seed, str(copy)) == (6, 3, str(caught.value))


def test_bad_arguments_are_refused(random_yaml: Path) -> None:
    with pytest.raises(ValueError, match="replications must be ≥ 1"):
        sim.run(random_yaml, replications=0)
    with pytest.raises(ValueError, match="until_precision"):
        sim.run(random_yaml, until_precision=0.7)
    with pytest.raises(ValueError, match="overrides apply to scenario files"):
        sim.run(load_scenario(random_yaml), overrides=["airlift.tails=2"])


def test_compare_uses_common_random_numbers(random_yaml: Path, tmp_path: Path) -> None:
    more = write(tmp_path, "more.yaml", RANDOM.replace("tails: 1", "tails: 3").replace(
        "name: random", "name: more"))  # fmt: skip
    comparison = sim.compare([random_yaml, random_yaml, more], replications=20)
    score = comparison.score
    assert score.baseline == "random"
    same = score.differences[1]
    # The same scenario against itself: every pair agrees; Tango's interval keeps the
    # width 20 pairs allow, ±z²/(n + z²) = ±3.841459/23.841459 = ±0.1611.
    assert same.p_on_time.difference == 0.0
    assert same.p_on_time.ci95.low == pytest.approx(-0.1611, abs=5e-5)
    assert same.p_on_time.ci95.high == pytest.approx(0.1611, abs=5e-5)
    assert (same.p_on_time.only_baseline_on_time, same.p_on_time.only_other_on_time) == (0, 0)
    assert same.p_on_time.method == "Tango's score interval for paired proportions"
    assert same.completion_p50.difference_days == 0.0
    assert same.completion_p50.ci95_days == Interval(0.0, 0.0)
    assert score.ranking[0].score.scenario == "more"  # three tails beat one
    assert score.ranking[0].score is comparison.results[2].score
    median_difference = score.differences[2].completion_p50.difference_days
    assert median_difference is not None
    assert median_difference < 0


def test_sweep_runs_the_full_factorial(random_yaml: Path) -> None:
    result = sim.sweep(
        random_yaml,
        {
            "airlift.tails": ["1", "2"],
            "clearance.lead_days": ["1", "{dist: uniform, low: 1, high: 2}"],
        },
        replications=4,
    )
    combinations = [(row.value("airlift.tails"), row.value("clearance.lead_days"))
                    for row in result.rows]  # fmt: skip
    assert combinations == [
        ("1", "1"), ("1", "{dist: uniform, low: 1, high: 2}"),
        ("2", "1"), ("2", "{dist: uniform, low: 1, high: 2}"),
    ]  # fmt: skip
    assert [r.scenario.airlift.tails for r in result.results] == [1, 1, 2, 2]


def test_split_values_keeps_braces_brackets_and_quotes_whole() -> None:
    assert split_values("2,3, 4") == ["2", "3", "4"]
    assert split_values("1,{dist: uniform, low: 1, high: 3}") == [
        "1",
        "{dist: uniform, low: 1, high: 3}",
    ]
    assert split_values("[mon, tue],daily") == ["[mon, tue]", "daily"]
    assert split_values("'a, b',c") == ["'a, b'", "c"]
    assert split_values("4") == ["4"]


# --- compare: overlays of different bases -----------------------------------------------------


def test_compare_warns_when_an_overlay_meets_another_base(tmp_path: Path) -> None:
    from runs_scenarios import DETERMINISTIC, write

    plain = DETERMINISTIC.replace("name: deterministic\n", "")
    base, other = write(tmp_path, "base.yaml", plain), write(tmp_path, "other.yaml", plain)
    overlay = write(tmp_path, "overlay.yaml", "extends: base.yaml\nairlift: {tails: 2}\n")
    deeper = write(tmp_path, "deeper.yaml", "extends: overlay.yaml\nairlift: {tails: 3}\n")
    # An overlay (even two levels down) against its own base, or two whole scenarios: silent.
    for files in ([base, overlay, deeper], [base, other]):
        comparison = sim.compare(files, replications=1)
        assert comparison.warnings == ()
        assert "warnings" not in comparison.to_dict()
    # An overlay of base.yaml against other.yaml: both roots named, and the remedy.
    comparison = sim.compare([other, overlay], replications=1)
    (warning,) = comparison.warnings
    assert "different bases (other.yaml, base.yaml)" in warning
    assert "overlay.yaml (extends base.yaml)" in warning
    assert "compare each overlay with its own base" in warning
    assert comparison.to_dict()["warnings"] == [warning]
