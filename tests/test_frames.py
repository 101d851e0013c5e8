"""Tidy frames: real dtypes, full precision, one observation per row (sim/render/frames.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from runs_scenarios import DETERMINISTIC, write

import sim
from sim.render.frames import NIAMEY, axis_values

# DETERMINISTIC (tests/runs_scenarios.py): everything out at 22:00 on 1 June in every
# replication: 54 people and the 18 pallets (18,000 kg) at 07:00, the last 46 people at 22:00.
DONE = pd.Timestamp("2024-06-01T22:00", tz=NIAMEY)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> sim.RunResult:
    folder = tmp_path_factory.mktemp("frames")
    return sim.run(write(folder, "deterministic.yaml", DETERMINISTIC), replications=3)


def test_replications_frame_has_real_dtypes(result: sim.RunResult) -> None:
    frame = result.to_frame()
    assert list(frame.index) == [0, 1, 2]
    assert isinstance(frame["completion"].dtype, pd.DatetimeTZDtype)
    assert frame["completion"].dt.tz.utcoffset(None) == dt.timedelta(hours=1)
    assert (frame["completion"] == DONE).all()
    assert str(frame["completion"].iloc[0]) == "2024-06-01 22:00:00+01:00"
    # 22:00 local is 21:00 UTC: the offset is carried, not dropped.
    assert frame["completion"].iloc[0].tz_convert("UTC").hour == 21
    assert frame["on_time"].dtype == bool
    assert frame["on_time"].all()
    # Slack at full precision: 00:00 on 4 June minus 22:00 on 1 June = 50 h = 50/24 days.
    assert frame["slack_days"].iloc[0] == pytest.approx(50 / 24, abs=1e-9)
    assert isinstance(frame["unfinished_reason"].dtype, pd.CategoricalDtype)
    assert frame["sorties"].dtype == "int64"  # whole counts stay integers
    assert (frame["sorties"] == 2).all()


def test_burndown_frame_is_long(result: sim.RunResult) -> None:
    frame = result.burndown_frame()
    days = len(result.day_ends)
    assert list(frame.columns) == ["replication", "time", "people_out", "people_left",
                                   "cargo_out_kg", "cargo_left_kg"]  # fmt: skip
    assert len(frame) == 3 * days
    assert list(frame["replication"].unique()) == [0, 1, 2]
    # The first day end is 00:00 on 2 June, after the last people left at 22:00 on 1 June.
    first = frame[frame["replication"] == 0].iloc[0]
    assert first["time"] == pd.Timestamp("2024-06-02T00:00", tz=NIAMEY)
    assert (frame["people_out"] == 100).all()
    assert (frame["people_left"] == 0).all()
    assert (frame["cargo_out_kg"] == 18_000).all()
    assert (frame["cargo_left_kg"] == 0).all()


def test_comparison_frame_has_intervals_as_two_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    frame = sim.compare([path, path], replications=2).to_frame()
    assert frame["verdict"].dtype == pd.CategoricalDtype(["on track", "at risk", "late"],
                                                         ordered=True)  # fmt: skip
    assert {"p_on_time_low", "p_on_time_high", "p_on_time_difference_low",
            "p_on_time_difference_high"} <= set(frame.columns)  # fmt: skip
    assert not any(isinstance(value, list) for value in frame.to_numpy().ravel())
    assert (frame["completion_p50"] == DONE).all()
    # The same file against itself: every paired difference is zero.
    assert (frame["completion_p50_difference_days"] == 0).all()


def test_sweep_axes_are_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    frame = sim.sweep(path, {"airlift.tails": [1, 2]}, replications=2).to_frame()
    assert frame["airlift.tails"].dtype == "int64"
    assert list(frame["airlift.tails"]) == [1, 2]


def test_axis_values_are_numbers_only_when_all_are() -> None:
    assert axis_values(["2", "3"]).dtype == "int64"
    assert axis_values(["0.5", "2"]).dtype == "float64"
    text = axis_values(["{dist: uniform, low: 1, high: 3}", "2"])
    assert isinstance(text.dtype, pd.CategoricalDtype)
    assert list(text.categories) == ["{dist: uniform, low: 1, high: 3}", "2"]
