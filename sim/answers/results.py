"""Results of Monte Carlo runs: numbers and provenance, rendered elsewhere.

A :class:`RunResult` holds the scenario that ran, the per-replication records
(:class:`~sim.montecarlo.records.ReplicationTable`) and its
:class:`~sim.answers.score.Score`: typed, frozen, at full precision, with where
the run came from (scenario digest and file, seed, replications, package
version, wall time, workers). :class:`Comparison` and :class:`SweepResult`
gather several runs made with the same seed and replication indices (common
random numbers).

Renderers: ``to_dict`` / ``to_json`` / ``to_csv`` through :mod:`sim.render.data`
(the contract's JSON, rounded), text tables in :mod:`sim.render.text`,
``_repr_html_`` for notebooks, ``to_frame`` for pandas (imported only when called).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.answers.score import ComparisonScore, Provenance, Score, SweepRow, Verdict
from sim.montecarlo.records import Layout, ReplicationTable
from sim.render import data
from sim.render.formats import when
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


@dataclass(frozen=True)
class RunResult:
    """One scenario run many times; see the module docstring."""

    scenario: Scenario
    table: ReplicationTable
    layout: Layout
    score: Score
    typical: ReplicationResult | None = field(default=None, repr=False)
    """The median replication with its event trace (what the timeline figures draw)."""

    # --- the score's headline ----------------------------------------------------

    @property
    def p_on_time(self) -> float:
        return self.score.p_on_time

    @property
    def verdict(self) -> Verdict:
        return self.score.verdict

    @property
    def provenance(self) -> Provenance:
        return self.score.provenance

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

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON summary (``run --json``) as plain data, rounded."""
        return data.score_dict(self.score)

    def to_json(self) -> str:
        return data.dumps(self.to_dict())

    def rows(self) -> list[dict[str, Any]]:
        """One flat record per replication (for CSV and data frames)."""
        return data.replication_records(self)

    def to_csv(self) -> str:
        return data.runs_csv([self])

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per replication (needs pandas)."""
        pandas = _pandas()
        frame = pandas.DataFrame(self.rows())
        frame["completion"] = pandas.to_datetime(frame["completion"])
        return frame.set_index("replication")

    def _repr_html_(self) -> str:
        s = self.score
        low, high = s.p_on_time_ci95
        cells = [
            ("verdict", s.verdict.value),
            ("P(on time)", f"{s.p_on_time:.1%} (95 % CI {low:.1%}–{high:.1%})"),
            ("deadline", s.deadline.isoformat()),
            ("completion P10", when(s.completion.p10)),
            ("completion P50", when(s.completion.p50)),
            ("completion P90", when(s.completion.p90)),
            ("unfinished", f"{s.unfinished} of {s.replications}"),
            ("seed", s.seed),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in cells
        )
        return f"<table><caption>{html.escape(s.scenario)}</caption>{body}</table>"


@dataclass(frozen=True)
class Comparison:
    """Several scenarios run with the same seed and replication indices."""

    results: tuple[RunResult, ...]
    score: ComparisonScore
    """The ranking and the paired differences vs the first (see :mod:`sim.answers.comparison`)."""

    @property
    def baseline(self) -> RunResult:
        return self.results[0]

    def to_dict(self) -> dict[str, Any]:
        """``compare --json`` as plain data, rounded."""
        return data.comparison_dict(self.score)

    def to_json(self) -> str:
        return data.dumps(self.to_dict())

    def to_csv(self) -> str:
        """``compare --csv``: the ranking, one row per scenario."""
        return data.comparison_csv(self.score)

    def to_frame(self) -> Any:
        """One row per scenario with its score and differences vs the baseline (needs pandas)."""
        pandas = _pandas()
        rows = [data.ranked_dict(ranked) for ranked in self.score.ranking]
        return pandas.DataFrame(rows).set_index("scenario")

    def _repr_html_(self) -> str:
        header = "<tr><th>rank</th><th>scenario</th><th>verdict</th><th>P(on time)</th>"
        header += "<th>Δ vs baseline</th><th>P50 completion</th></tr>"
        body = "".join(
            f"<tr><td>{ranked.rank}</td><td>{html.escape(ranked.score.scenario)}</td>"
            f"<td>{html.escape(ranked.score.verdict.value)}</td>"
            f"<td>{ranked.score.p_on_time:.1%}</td>"
            f"<td>{ranked.difference.p_on_time.difference:+.1%}</td>"
            f"<td>{html.escape(when(ranked.score.completion.p50))}</td></tr>"
            for ranked in self.score.ranking
        )
        return f"<table>{header}{body}</table>"


@dataclass(frozen=True)
class SweepResult:
    """A full-factorial sweep of one scenario: one run per combination of values."""

    axes: tuple[tuple[str, tuple[str, ...]], ...]
    combinations: tuple[tuple[tuple[str, str], ...], ...]
    results: tuple[RunResult, ...]

    @property
    def rows(self) -> tuple[SweepRow, ...]:
        """One row per combination: the swept values and the run's score."""
        return tuple(
            SweepRow(values=combination, score=result.score)
            for combination, result in zip(self.combinations, self.results, strict=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """``sweep --json`` as plain data, rounded."""
        return data.sweep_dict(self.axes, self.rows)

    def to_json(self) -> str:
        return data.dumps(self.to_dict())

    def to_csv(self) -> str:
        return data.sweep_csv(self.rows)

    def to_frame(self) -> Any:
        """One row per combination (needs pandas)."""
        pandas = _pandas()
        return pandas.DataFrame([data.sweep_row_dict(row) for row in self.rows])
