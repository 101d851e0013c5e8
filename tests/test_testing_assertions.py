"""sim.testing's assertions: they fail only when the whole interval is on the wrong side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from runs_scenarios import DETERMINISTIC, write

import sim
from sim.scenario.reading import load_scenario
from sim.testing import assert_completion, assert_on_time


@pytest.fixture(scope="module")
def deterministic(tmp_path_factory: pytest.TempPathFactory) -> sim.RunResult:
    """40 replications, each complete at 2024-06-01T22:00 (computed in runs_scenarios.py)."""
    path = write(tmp_path_factory.mktemp("det"), "deterministic.yaml", DETERMINISTIC)
    return sim.run(path, replications=40)


def stub(on_time: np.ndarray | None = None, completion_hours: np.ndarray | None = None) -> Any:
    """A result with chosen per-replication values, on the deterministic scenario's calendar."""
    from runs_scenarios import DETERMINISTIC as text

    from sim.scenario.reading import load_scenario_text

    values = on_time if on_time is not None else completion_hours
    assert values is not None
    return SimpleNamespace(
        scenario=load_scenario_text(text, "<stub>"),
        on_time=on_time,
        completion_hours=completion_hours,
        replications=len(values),
    )


def test_every_replication_on_time(deterministic: sim.RunResult) -> None:
    assert_on_time(deterministic, at_least=0.95)
    # 40 of 40: the 99 % Wilson interval is [40 / (40 + 2.5758²), 1] = [0.8577, 1].
    with pytest.raises(AssertionError, match=r"above 0.8 .*interval 0.8577–1, wholly above"):
        assert_on_time(deterministic, at_most=0.8)
    assert_on_time(deterministic, at_most=0.86)  # 0.8577 ≤ 0.86: within Monte Carlo error


def test_on_time_fails_only_when_the_whole_interval_is_below() -> None:
    # 160 of 200 on time, p = 0.8. Wilson at 99 % (z² = 6.6349): centre
    # (0.8 + 6.6349/400) / (1 + 6.6349/200) = 0.79036, half-width
    # 2.5758 / 1.033175 × sqrt(0.8 × 0.2 / 200 + 6.6349 / 160000) = 0.07232: [0.7180, 0.8627].
    result = stub(on_time=np.arange(200) < 160)
    assert_on_time(result, at_least=0.86)  # the estimate 0.8 is below, the interval is not
    with pytest.raises(AssertionError) as caught:
        assert_on_time(result, at_least=0.87)
    message = str(caught.value)
    assert "below 0.87 beyond Monte Carlo error: 0.8 (160 of 200 replications" in message
    assert "99 % interval 0.718–0.8627, wholly below 0.87" in message
    # At 95 % (z = 1.96) the interval is narrower: upper end 0.8501 < 0.86.
    with pytest.raises(AssertionError, match="95 % interval"):
        assert_on_time(result, at_least=0.86, confidence=0.95)


def test_completion_window_on_a_deterministic_run(deterministic: sim.RunResult) -> None:
    assert_completion(deterministic, "p50", after="2024-06-01", before="2024-06-01T22:01")
    assert_completion(deterministic, "P90", before=dt.date(2024, 6, 2))
    with pytest.raises(AssertionError) as caught:
        assert_completion(deterministic, "p50", before="2024-06-01T22:00")
    assert str(caught.value).startswith(
        "completion P50 of deterministic is not before 2024-06-01T22:00 beyond Monte Carlo "
        "error: 2024-06-01T22:00, 99 % interval 2024-06-01T22:00 – 2024-06-01T22:00"
    )
    with pytest.raises(AssertionError, match="is before 2024-06-01T22:01"):
        assert_completion(deterministic, "p10", after="2024-06-01T22:01")


def test_an_offset_is_converted_to_niamey_time(deterministic: sim.RunResult) -> None:
    # 21:00 UTC is 22:00 in Niamey (UTC+1): the completion is not before it.
    with pytest.raises(AssertionError, match="not before 2024-06-01T22:00"):
        assert_completion(
            deterministic, "p50", before=dt.datetime(2024, 6, 1, 21, 0, tzinfo=dt.UTC)
        )
    assert_completion(deterministic, "p50", before=dt.datetime(2024, 6, 1, 21, 1, tzinfo=dt.UTC))


def test_percentile_bounds_use_the_order_statistic_interval() -> None:
    # Completions at 1, 2, …, 100 h after start: the 95 % interval of the median is
    # the 40th and 61st values (tests/test_uncertainty.py), i.e. 40 h and 61 h.
    result = stub(completion_hours=np.arange(1.0, 101.0))
    start = dt.datetime(2024, 6, 1)
    at_40h, at_61h = start + dt.timedelta(hours=40), start + dt.timedelta(hours=61)
    assert_completion(result, "p50", before=at_40h + dt.timedelta(minutes=1), confidence=0.95)
    with pytest.raises(AssertionError, match=r"order statistics 40 and 61 of 100"):
        assert_completion(result, "p50", before=at_40h, confidence=0.95)
    assert_completion(result, "p50", after=at_61h, confidence=0.95)
    with pytest.raises(AssertionError, match="is before 2024-06-03T13:01"):
        assert_completion(result, "p50", after=at_61h + dt.timedelta(minutes=1), confidence=0.95)


def test_unfinished_replications_are_later_than_any_date() -> None:
    # 70 of 100 never finished. The 99 % interval of the median starts at rank 37
    # (50 − 2.58 × 5 ≈ 37, binomial sd √(100 × 0.25) = 5), past the 30 finished ones.
    result = stub(completion_hours=np.concatenate((np.arange(1.0, 31.0), np.full(70, np.inf))))
    with pytest.raises(AssertionError, match="unfinished, 99 % interval unfinished – unfinished"):
        assert_completion(result, "p50", before="2030-01-01")
    assert_completion(result, "p50", after="2030-01-01")


def test_bad_arguments_are_refused(deterministic: sim.RunResult) -> None:
    with pytest.raises(ValueError, match="at_least=, at_most= or both"):
        assert_on_time(deterministic)
    with pytest.raises(ValueError, match=r"at_least is a probability in \[0, 1\] \(got 90\)"):
        assert_on_time(deterministic, at_least=90)
    with pytest.raises(ValueError, match="written p10, p50, p90"):
        assert_completion(deterministic, "median", before="2024-07-01")
    with pytest.raises(ValueError, match="before must be an ISO 8601 date"):
        assert_completion(deterministic, "p50", before="15 July")
    with pytest.raises(ValueError, match="after=, before= or both"):
        assert_completion(deterministic, "p50")


def test_the_readme_example_runs() -> None:
    """The user's regression test shown in the README and in sim.testing's docstring."""
    path = Path(__file__).parents[1] / "scenarios" / "plan-1000.yaml"
    assert load_scenario(path).airlift.tails != 4  # the override changes something
    result = sim.run(path, replications=100, overrides={"airlift.tails": 4})
    assert result.scenario.airlift.tails == 4
    assert_on_time(result, at_least=0.9)
    assert_completion(result, "p50", before="2024-09-01")
