"""Tidy pandas frames of results: one observation per row, real dtypes, full precision.

What ``to_frame()`` and ``burndown_frame()`` return. Unlike the JSON and CSV
of :mod:`sim.render.data`, nothing is rounded or written as text:

- instants are ``datetime64[ns, UTC+01:00]``: local Niamey time *with* its
  offset (West Africa Time, UTC+1 all year), so that they compare and convert
  correctly next to other data; an instant that never came is ``NaT``;
- verdicts are an ordered categorical (``on track`` < ``at risk`` < ``late``);
  scenario names, causes (unfinished reasons) and text sweep values are
  categoricals;
- an interval is two columns, ``…_low`` and ``…_high``;
- sweep axes are numbers when every value of the axis is a number;
- counters are integers when every replication's count is whole.

The per-day burndown is a long frame (replication, time, people and cargo out
and left), which ``groupby``, ``pivot`` and plotting libraries read as it is.
It is not an ``xarray`` array: the grid is two-dimensional and regular, so a
long frame loses nothing, and pandas is already the notebook extra's library,
where xarray would be one more dependency for the same numbers.

pandas is imported when a frame is asked for, with a message naming the extra
when it is missing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.answers.score import ComparisonScore, Interval, Score, SweepRow, Verdict
from sim.render.data import Run
from sim.replication.outcome import COUNTER_NAMES

NIAMEY = dt.timezone(dt.timedelta(hours=1))
"""Niamey's offset from UTC (West Africa Time; no daylight saving)."""


def pandas() -> Any:
    """The pandas module, or an ImportError that says how to install it."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is in the notebook and test extras
        raise ImportError(
            "to_frame() needs pandas: pip install 'drawdown-sim[notebook]' (or pip install pandas)"
        ) from None
    return pandas


def instants(moments: Sequence[dt.datetime | None]) -> Any:
    """Naive local instants as a tz-aware ``DatetimeIndex`` at UTC+01:00 (``None`` → ``NaT``)."""
    pd = pandas()
    return pd.DatetimeIndex(
        [pd.NaT if moment is None else moment for moment in moments], dtype="datetime64[ns]"
    ).tz_localize(NIAMEY)


def hours_after(start: dt.datetime, hours: np.ndarray) -> Any:
    """Instants ``hours`` after ``start`` (infinite or NaN hours → ``NaT``), tz-aware."""
    pd = pandas()
    finite = np.where(np.isfinite(hours), hours, np.nan)
    offsets = pd.to_timedelta(np.round(finite * 3600.0), unit="s")
    return pd.DatetimeIndex(pd.Timestamp(start) + offsets).tz_localize(NIAMEY)


def verdicts(values: Sequence[Verdict]) -> Any:
    pd = pandas()
    order = [verdict.value for verdict in Verdict]
    return pd.Categorical([value.value for value in values], categories=order, ordered=True)


def categories(values: Sequence[str | None]) -> Any:
    """Text as a categorical, categories in order of first appearance (``None`` → NaN)."""
    pd = pandas()
    seen = list(dict.fromkeys(value for value in values if value is not None))
    return pd.Categorical(list(values), categories=seen)


def _bounds(name: str, interval: Interval | None) -> dict[str, float]:
    low, high = (math.nan, math.nan) if interval is None else interval
    return {f"{name}_low": low, f"{name}_high": high}


# --- one run ------------------------------------------------------------------------------------


def replications_frame(run: Run) -> Any:
    """One row per replication, indexed by replication number."""
    pd = pandas()
    scenario, table = run.scenario, run.table
    hours = np.asarray(table.completion_hours, dtype=np.float64)
    deadline_hours = scenario.hours_since_start(scenario.deadline_end)
    columns: dict[str, Any] = {
        "completion": hours_after(scenario.start, hours),
        "completion_hours": hours,
        "on_time": hours < deadline_hours,
        "slack_days": (deadline_hours - hours) / 24.0,
        "sensitive_out_hours": np.asarray(table.sensitive_hours, dtype=np.float64),
        "unfinished_reason": categories(list(table.unfinished_reason)),
    }
    for column, milestone in enumerate(run.layout.milestones):
        columns[f"milestone:{milestone.name}"] = np.asarray(table.milestones_met[:, column])
    for column, name in enumerate(COUNTER_NAMES):
        values = np.asarray(table.counters[:, column], dtype=np.float64)
        whole = bool(np.all(values == np.round(values)))
        columns[name] = values.astype(np.int64) if whole else values
    index = pd.Index(np.asarray(table.index, dtype=np.int64), name="replication")
    return pd.DataFrame(columns, index=index)


def burndown_frame(run: Run) -> Any:
    """The daily burndown, long: one row per replication and day end (00:00 after each day).

    Columns ``replication``, ``time`` (tz-aware), ``people_out``, ``people_left``,
    ``cargo_out_kg`` and ``cargo_left_kg``; rows in replication order, then time.
    """
    pd = pandas()
    scenario, table, layout = run.scenario, run.table, run.layout
    people_left = np.asarray(table.people_remaining, dtype=np.int64)
    cargo_left = np.asarray(table.cargo_kg_remaining, dtype=np.float64)
    replications, days = people_left.shape
    times = hours_after(scenario.start, np.asarray(layout.day_end_hours, dtype=np.float64))
    return pd.DataFrame(
        {
            "replication": np.repeat(np.asarray(table.index, dtype=np.int64), days),
            "time": np.tile(times, replications) if replications else times[:0],
            "people_out": (layout.total_personnel - people_left).reshape(-1),
            "people_left": people_left.reshape(-1),
            "cargo_out_kg": (layout.total_cargo_kg - cargo_left).reshape(-1),
            "cargo_left_kg": cargo_left.reshape(-1),
        }
    )


# --- several runs ----------------------------------------------------------------------------


def score_columns(score: Score) -> dict[str, Any]:
    """The headline of a score as flat columns (instants still naive: see :func:`localize`)."""
    completion = score.completion
    return {
        "verdict": score.verdict,
        "p_on_time": score.p_on_time,
        **_bounds("p_on_time", score.p_on_time_ci95),
        "completion_p10": completion.p10,
        "completion_p50": completion.p50,
        "completion_p90": completion.p90,
        "slack_days_p50": math.nan if score.slack_days.p50 is None else score.slack_days.p50,
        "unfinished": score.unfinished,
        "replications": score.replications,
    }


def localize(records: list[dict[str, Any]]) -> Any:
    """Records of :func:`score_columns` as a frame with real dtypes."""
    pd = pandas()
    frame = pd.DataFrame(records)
    for column in ("completion_p10", "completion_p50", "completion_p90"):
        frame[column] = instants(list(frame[column]))
    frame["verdict"] = verdicts(list(frame["verdict"]))
    return frame


def comparison_frame(comparison: ComparisonScore) -> Any:
    """One row per scenario in ranking order, with its paired differences from the baseline."""
    records = []
    for ranked in comparison.ranking:
        difference = ranked.difference
        median = difference.completion_p50
        records.append(
            {
                "scenario": ranked.score.scenario,
                "rank": ranked.rank,
                **score_columns(ranked.score),
                "p_on_time_difference": difference.p_on_time.difference,
                **_bounds("p_on_time_difference", difference.p_on_time.ci95),
                "completion_p50_difference_days": math.nan
                if median.difference_days is None
                else median.difference_days,
                **_bounds("completion_p50_difference_days", median.ci95_days),
            }
        )
    frame = localize(records)
    frame["scenario"] = categories(list(frame["scenario"]))
    return frame.set_index("scenario")


def axis_values(labels: Sequence[str]) -> Any:
    """A sweep axis as numbers when every value is one (integers if all whole), else categories."""
    pd = pandas()
    try:
        numbers = [float(label) for label in labels]
    except ValueError:
        return categories(list(labels))
    if all(number.is_integer() for number in numbers):
        return pd.array([int(number) for number in numbers], dtype="int64")
    return pd.array(numbers, dtype="float64")


def sweep_frame(keys: Sequence[str], rows: Sequence[SweepRow]) -> Any:
    """One row per combination: the swept values (numbers where they are), then the score."""
    frame = localize([score_columns(row.score) for row in rows])
    for position, key in enumerate(keys):
        frame.insert(position, key, axis_values([row.value(key) for row in rows]))
    return frame
