"""Results of Monte Carlo runs: numbers and provenance, rendered elsewhere.

A :class:`RunResult` holds the scenario that ran, the per-replication records
(:class:`~sim.montecarlo.records.ReplicationTable`), the summary of the contract
(``run --json``) and where it came from (scenario digest and file, seed,
replications, package version, wall time, workers). It is immutable: the
summary is handed out as a copy. :class:`Comparison` and :class:`SweepResult`
gather several runs made with the same seed and replication indices (common
random numbers).

Renderers: ``to_json`` / ``to_dict`` here, text tables in :mod:`sim.render.text`,
``_repr_html_`` for notebooks, ``to_frame`` for pandas (imported only when called).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.montecarlo.records import Layout, ReplicationTable
from sim.replication.outcome import COUNTER_NAMES, ReplicationResult
from sim.scenario.contract import Scenario


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is in the test extra
        raise ImportError(
            "to_frame() needs pandas: pip install 'drawdown-sim[notebook]' (or pip install pandas)"
        ) from None
    return pandas


def _dumps(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class _Summarised:
    """A result whose answer is a JSON-ready summary, handed out as a copy."""

    _summary: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        return copy.deepcopy(self._summary)

    def to_dict(self) -> dict[str, Any]:
        return self.summary

    def to_json(self) -> str:
        return _dumps(self._summary)


@dataclass(frozen=True)
class RunResult(_Summarised):
    """One scenario run many times; see the module docstring."""

    scenario: Scenario
    table: ReplicationTable
    layout: Layout
    _summary: dict[str, Any]
    typical: ReplicationResult | None = field(default=None, repr=False)
    """The median replication with its event trace (what the timeline figures draw)."""

    # --- the summary: the contract's JSON, with ``provenance`` (see _Summarised) ---

    @property
    def p_on_time(self) -> float:
        return float(self._summary["p_on_time"])

    @property
    def verdict(self) -> str:
        return str(self._summary["verdict"])

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self._summary["provenance"])

    # --- per-replication arrays ---------------------------------------------

    @property
    def replications(self) -> int:
        return len(self.table)

    @property
    def completion_hours(self) -> np.ndarray:
        """Hours since start at which everything was out (+inf when unfinished)."""
        return self.table.completion_hours

    @property
    def sensitive_out_hours(self) -> np.ndarray:
        """When the last sensitive unit left (+inf never, nan when there is none)."""
        return self.table.sensitive_hours

    @property
    def on_time(self) -> np.ndarray:
        from sim.answers.scoring import on_time

        return on_time(self.table, self.scenario)

    @property
    def counters(self) -> dict[str, np.ndarray]:
        return {name: self.table.counter(name) for name in COUNTER_NAMES}

    @property
    def day_ends(self) -> list[dt.datetime]:
        """The instants of the burndown grid (00:00 after each day, start day to horizon)."""
        return [self.scenario.moment(float(hours)) for hours in self.layout.day_end_hours]

    @property
    def people_remaining(self) -> np.ndarray:
        """People still on the base at each day end: int32 [replications, days]."""
        return self.table.people_remaining

    @property
    def cargo_kg_remaining(self) -> np.ndarray:
        """Cargo (kg) still on the base at each day end: float32 [replications, days]."""
        return self.table.cargo_kg_remaining

    # --- renderers ------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per replication (for CSV and data frames)."""
        deadline_hours = self.scenario.hours_since_start(self.scenario.deadline_end)
        on_time = self.on_time
        rows = []
        for row in range(len(self.table)):
            hours = float(self.table.completion_hours[row])
            finished = np.isfinite(hours)
            sensitive = float(self.table.sensitive_hours[row])
            record: dict[str, Any] = {
                "replication": int(self.table.index[row]),
                "completion": self.scenario.moment(hours).isoformat(timespec="minutes")
                if finished
                else None,
                "completion_hours": round(hours, 4) if finished else None,
                "on_time": bool(on_time[row]),
                "slack_days": round((deadline_hours - hours) / 24.0, 4) if finished else None,
                "sensitive_out_hours": round(sensitive, 4) if np.isfinite(sensitive) else None,
                "unfinished_reason": self.table.unfinished_reason[row],
            }
            for column, milestone in enumerate(self.layout.milestones):
                record[f"milestone:{milestone.name}"] = bool(self.table.milestones_met[row, column])
            for column, name in enumerate(COUNTER_NAMES):
                value = float(self.table.counters[row, column])
                record[name] = int(value) if value.is_integer() else round(value, 4)
            rows.append(record)
        return rows

    def to_csv(self) -> str:
        rows = self.rows()
        buffer = io.StringIO()
        fields = list(rows[0]) if rows else ["replication"]
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per replication (needs pandas)."""
        pandas = _pandas()
        frame = pandas.DataFrame(self.rows())
        frame["completion"] = pandas.to_datetime(frame["completion"])
        return frame.set_index("replication")

    def _repr_html_(self) -> str:
        s = self._summary
        low, high = s["p_on_time_ci95"]
        completion = s["completion"]
        cells = [
            ("verdict", s["verdict"]),
            ("P(on time)", f"{s['p_on_time']:.1%} (95 % CI {low:.1%}–{high:.1%})"),
            ("deadline", s["deadline"]),
            *(
                (f"completion {q.upper()}", completion[q] or "unfinished")
                for q in ("p10", "p50", "p90")
            ),
            ("unfinished", f"{s['unfinished']} of {s['replications']}"),
            ("seed", s["seed"]),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in cells
        )
        return f"<table><caption>{html.escape(s['scenario'])}</caption>{body}</table>"


@dataclass(frozen=True)
class Comparison(_Summarised):
    """Several scenarios run with the same seed and replication indices."""

    results: tuple[RunResult, ...]
    _summary: dict[str, Any]
    """``{"baseline", "seed", "replications", "ranking", "differences", "runs"}``."""

    @property
    def baseline(self) -> RunResult:
        return self.results[0]

    def to_frame(self) -> Any:
        """One row per scenario with its score and differences vs the baseline (needs pandas)."""
        pandas = _pandas()
        return pandas.DataFrame(self._summary["ranking"]).set_index("scenario")

    def _repr_html_(self) -> str:
        header = "<tr><th>rank</th><th>scenario</th><th>verdict</th><th>P(on time)</th>"
        header += "<th>Δ vs baseline</th><th>P50 completion</th></tr>"
        body = "".join(
            f"<tr><td>{row['rank']}</td><td>{html.escape(row['scenario'])}</td>"
            f"<td>{html.escape(row['verdict'])}</td><td>{row['p_on_time']:.1%}</td>"
            f"<td>{html.escape(str(row['p_on_time_difference']))}</td>"
            f"<td>{html.escape(str(row['completion_p50']))}</td></tr>"
            for row in self._summary["ranking"]
        )
        return f"<table>{header}{body}</table>"


@dataclass(frozen=True)
class SweepResult:
    """A full-factorial sweep of one scenario: one run per combination of values."""

    axes: tuple[tuple[str, tuple[str, ...]], ...]
    combinations: tuple[tuple[tuple[str, str], ...], ...]
    results: tuple[RunResult, ...]

    @property
    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for combination, result in zip(self.combinations, self.results, strict=True):
            s = result._summary
            rows.append(
                {
                    **dict(combination),
                    "verdict": s["verdict"],
                    "p_on_time": s["p_on_time"],
                    "p_on_time_ci95": s["p_on_time_ci95"],
                    "completion_p50": s["completion"]["p50"],
                    "completion_p90": s["completion"]["p90"],
                    "unfinished": s["unfinished"],
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "axes": {key: list(values) for key, values in self.axes},
            "rows": self.rows,
            "runs": [result.summary for result in self.results],
        }

    def to_json(self) -> str:
        return _dumps(self.to_dict())

    def to_frame(self) -> Any:
        pandas = _pandas()
        return pandas.DataFrame(self.rows)
