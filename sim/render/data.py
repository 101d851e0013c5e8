"""JSON and CSV renderings of results: the one place that rounds and writes ISO strings and nulls.

The typed answers (:mod:`sim.answers.score`) hold full precision and
date-times; this module writes them as the contract's JSON (``run --json``,
``compare --json``, ``sweep --json``) and as CSV (one row per replication, per
combination of a sweep, or per trace event). Rounding, stated once:

- probabilities and shares (P(on time), its interval, P(met), shares, mean
  counters) to 4 decimals; the precision's half-width to 5;
- hours lost and seats lost (lateness drivers) to 2 decimals;
- days (slack, differences of medians) to 3 decimals, 4 in per-replication rows;
- hours in per-replication rows to 4 decimals, wall time to 3;
- instants as ISO 8601 local time to the minute (``2024-07-14T18:30``), dates as
  ``2024-07-14``; a value that does not exist (an unfinished percentile, a
  difference with no other replication) is ``null`` in JSON and empty in CSV.

Every function here takes typed values; ``RunResult.to_json()`` and the command
line call them.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from sim.answers.score import (
    ComparisonScore,
    Difference,
    Interval,
    MedianDifference,
    ProportionDifference,
    Ranked,
    Score,
    SweepRow,
)
from sim.montecarlo.records import Layout, ReplicationTable
from sim.render.formats import when
from sim.replication.outcome import COUNTER_NAMES
from sim.scenario.contract import Scenario

JSON = dict[str, Any]


class Run(Protocol):
    """What per-replication records need of a run (a :class:`~sim.answers.results.RunResult`)."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def table(self) -> ReplicationTable: ...
    @property
    def layout(self) -> Layout: ...
    @property
    def score(self) -> Score: ...


# --- numbers and instants -----------------------------------------------------------


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` to ``digits`` decimals; ``None`` for a missing or non-finite value."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def iso(moment: dt.date | None) -> str | None:
    """A date-time as ISO local time to the minute, a date as ``YYYY-MM-DD``; ``None`` stays."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return when(moment, "iso")
    return moment.isoformat()


def _interval(interval: Interval | None, digits: int) -> list[float | None]:
    if interval is None:
        return [None, None]
    return [rounded(interval.low, digits), rounded(interval.high, digits)]


def dumps(payload: Any) -> str:
    """JSON as the command line writes it: indented, UTF-8 as is, no NaN, a final newline."""
    return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --- one run ---------------------------------------------------------------------------------


def score_dict(score: Score) -> JSON:
    """The contract's JSON summary of one run (``run --json``)."""
    completion, slack, sensitive = score.completion, score.slack_days, score.sensitive_out
    drivers = score.lateness_drivers
    payload: JSON = {
        "scenario": score.scenario,
        "replications": score.replications,
        "seed": score.seed,
        "deadline": iso(score.deadline),
        "verdict": score.verdict.value,
        "p_on_time": round(score.p_on_time, 4),
        "p_on_time_ci95": _interval(score.p_on_time_ci95, 4),
        "completion": {
            "p10": iso(completion.p10),
            "p50": iso(completion.p50),
            "p90": iso(completion.p90),
            "mean": iso(completion.mean),
            "min": iso(completion.min),
            "max": iso(completion.max),
        },
        "slack_days": {
            "p10": rounded(slack.p10, 3),
            "p50": rounded(slack.p50, 3),
            "p90": rounded(slack.p90, 3),
        },
        "sensitive_out": {"p50": iso(sensitive.p50), "p90": iso(sensitive.p90)},
        "unfinished": score.unfinished,
        "unfinished_reasons": dict(score.unfinished_reasons),
        "milestones": [
            {
                "name": milestone.name,
                "by": iso(milestone.by),
                "personnel": milestone.personnel,
                "cargo": milestone.cargo,
                "p_met": round(milestone.p_met, 4),
            }
            for milestone in score.milestones
        ],
        "lateness_drivers": {
            "basis": drivers.basis,
            "replications": drivers.replications,
            "drivers": [
                {
                    "driver": driver.driver,
                    "name": driver.name,
                    "mean_hours": round(driver.mean_hours, 2),
                    "share": round(driver.share, 4),
                    "excess_hours": rounded(driver.excess_hours, 2),
                }
                for driver in drivers.drivers
            ],
            "commercial_seats_lost_mean": round(drivers.commercial_seats_lost_mean, 2),
        },
        "counters": {name: round(mean, 4) for name, mean in score.counters.items()},
        "percentile_method": score.percentile_method,
    }
    if score.precision is not None:
        precision = dataclasses.asdict(score.precision)
        precision["half_width"] = round(score.precision.half_width, 5)
        payload["precision"] = precision
    provenance = dataclasses.asdict(score.provenance)
    provenance["wall_seconds"] = round(score.provenance.wall_seconds, 3)
    # Present when the run changed its file (--set, overrides=): a plain run reads as before.
    provenance["overrides"] = list(score.provenance.overrides)
    if not provenance["overrides"]:
        del provenance["overrides"]
    # Present for a forecast from a status (--status): a run from start reads as before.
    status = score.provenance.status
    del provenance["status"]
    if status is not None:
        provenance["status"] = {"as_of": iso(status.as_of), "source": status.source}
    payload["provenance"] = provenance
    return payload


def replication_records(run: Run) -> list[JSON]:
    """One flat record per replication (for CSV and data frames), in replication order."""
    scenario, table = run.scenario, run.table
    deadline_hours = scenario.hours_since_start(scenario.deadline_end)
    on_time = np.asarray(table.completion_hours < deadline_hours)
    records = []
    for row in range(len(table)):
        hours = float(table.completion_hours[row])
        finished = math.isfinite(hours)
        record: JSON = {
            "replication": int(table.index[row]),
            "completion": iso(scenario.moment(hours)) if finished else None,
            "completion_hours": rounded(hours, 4),
            "on_time": bool(on_time[row]),
            "slack_days": rounded((deadline_hours - hours) / 24.0, 4),
            "sensitive_out_hours": rounded(float(table.sensitive_hours[row]), 4),
            "unfinished_reason": table.unfinished_reason[row],
        }
        for column, milestone in enumerate(run.layout.milestones):
            record[f"milestone:{milestone.name}"] = bool(table.milestones_met[row, column])
        for column, name in enumerate(COUNTER_NAMES):
            value = float(table.counters[row, column])
            record[name] = int(value) if value.is_integer() else round(value, 4)
        records.append(record)
    return records


# --- several runs ----------------------------------------------------------------------------


def _proportion_difference(difference: ProportionDifference) -> JSON:
    return {
        "difference": round(difference.difference, 4),
        "ci95": _interval(difference.ci95, 4),
        "only_baseline_on_time": difference.only_baseline_on_time,
        "only_other_on_time": difference.only_other_on_time,
        "method": difference.method,
    }


def _median_difference(difference: MedianDifference) -> JSON:
    return {
        "difference_days": rounded(difference.difference_days, 3),
        "ci95_days": _interval(difference.ci95_days, 3),
        "method": difference.method,
    }


def difference_dict(difference: Difference) -> JSON:
    return {
        "scenario": difference.scenario,
        "p_on_time": _proportion_difference(difference.p_on_time),
        "completion_p50": _median_difference(difference.completion_p50),
    }


def ranked_dict(ranked: Ranked) -> JSON:
    """A row of the ranking: the scenario's score and its differences from the baseline."""
    score, difference = ranked.score, ranked.difference
    proportion = _proportion_difference(difference.p_on_time)
    median = _median_difference(difference.completion_p50)
    return {
        "rank": ranked.rank,
        "scenario": score.scenario,
        "verdict": score.verdict.value,
        "p_on_time": round(score.p_on_time, 4),
        "p_on_time_ci95": _interval(score.p_on_time_ci95, 4),
        "completion_p50": iso(score.completion.p50),
        "completion_p90": iso(score.completion.p90),
        "p_on_time_difference": proportion["difference"],
        "p_on_time_difference_ci95": proportion["ci95"],
        "completion_p50_difference_days": median["difference_days"],
        "completion_p50_difference_ci95_days": median["ci95_days"],
    }


def comparison_dict(comparison: ComparisonScore) -> JSON:
    """``compare --json``: the ranking, the paired differences and every run's summary."""
    payload: JSON = {
        "baseline": comparison.baseline,
        "seed": comparison.seed,
        "replications": comparison.replications,
    }
    # Present only when there is something to say: a plain comparison reads as before.
    if comparison.warnings:
        payload["warnings"] = list(comparison.warnings)
    return payload | {
        "ranking": [ranked_dict(ranked) for ranked in comparison.ranking],
        "differences": [difference_dict(difference) for difference in comparison.differences],
        "runs": [score_dict(score) for score in comparison.runs],
    }


def sweep_row_dict(row: SweepRow) -> JSON:
    """One combination of a sweep: the swept values as written, then the main numbers."""
    score = row.score
    return {
        **dict(row.values),
        "verdict": score.verdict.value,
        "p_on_time": round(score.p_on_time, 4),
        "p_on_time_ci95": _interval(score.p_on_time_ci95, 4),
        "completion_p50": iso(score.completion.p50),
        "completion_p90": iso(score.completion.p90),
        "unfinished": score.unfinished,
    }


def sweep_dict(axes: Sequence[tuple[str, Sequence[str]]], rows: Sequence[SweepRow]) -> JSON:
    """``sweep --json``: the axes, one row per combination and every run's summary."""
    return {
        "axes": {key: list(values) for key, values in axes},
        "rows": [sweep_row_dict(row) for row in rows],
        "runs": [score_dict(row.score) for row in rows],
    }


# --- CSV -----------------------------------------------------------------------------------


def csv_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The one CSV writer: a header, then the rows (``None`` → empty cell), ``\\n`` line ends.

    Text cells a spreadsheet would run as a formula get a leading ``'``
    (:func:`sim.outputs.csv_cell`): a scenario named ``=HYPERLINK(…)`` stays text.
    """
    from sim.outputs import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in columns])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def records_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """Flat records as CSV; the columns are every key in order of first appearance."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    names = list(columns) or ["replication"]
    return csv_table(names, ([record.get(name) for name in names] for record in records))


def runs_csv(runs: Sequence[Run]) -> str:
    """``run --csv``: one row per replication; with several runs, a ``scenario`` column first.

    Runs whose milestones differ share one header (a milestone a run does not have
    is an empty cell).
    """
    if len(runs) == 1:
        return records_csv(replication_records(runs[0]))
    return records_csv(
        [
            {"scenario": run.scenario.name, **record}
            for run in runs
            for record in replication_records(run)
        ]
    )


def _split_intervals(record: Mapping[str, Any]) -> JSON:
    """A record with each ``…ci95`` pair as two columns in its place, ``…_low`` and ``…_high``."""
    flat: JSON = {}
    for key, value in record.items():
        if "ci95" in key and isinstance(value, list):
            stem = key.replace("_ci95", "").replace("ci95", "")
            flat[f"{stem}_low"], flat[f"{stem}_high"] = value
        else:
            flat[key] = value
    return flat


def sweep_csv(rows: Sequence[SweepRow]) -> str:
    """``sweep --csv``: one row per combination, the interval as two columns."""
    flat = []
    for row in rows:
        record = sweep_row_dict(row)
        low, high = record.pop("p_on_time_ci95")
        flat.append({**record, "p_on_time_low": low, "p_on_time_high": high})
    return records_csv(flat)


def comparison_csv(comparison: ComparisonScore) -> str:
    """``compare --csv``: the ranking, one row per scenario, each interval as two columns."""
    return records_csv([_split_intervals(ranked_dict(ranked)) for ranked in comparison.ranking])
