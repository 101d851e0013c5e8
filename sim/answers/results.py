"""Results of Monte Carlo runs: numbers and provenance, rendered elsewhere.

A :class:`RunResult` holds the scenario that ran, the per-replication records
(:class:`~sim.montecarlo.records.ReplicationTable`) and its
:class:`~sim.answers.score.Score`: typed, frozen, at full precision, with where
the run came from (scenario digest and file, seed, replications, package
version, wall time, workers). :class:`Comparison` and :class:`SweepResult`
gather several runs made with the same seed and replication indices (common
random numbers).

Renderers: ``to_dict`` / ``to_json`` / ``to_csv`` through :mod:`sim.render.data`
(the contract's JSON, rounded), text tables in :mod:`sim.render.text`, tidy
pandas frames through :mod:`sim.render.frames` (``to_frame``, and a run's
``burndown_frame``; pandas imported only when called), and ``view()``: the
concise ``repr`` and the notebook view (:mod:`sim.render.views`), a run's with
a small fan chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.answers.score import ComparisonScore, Provenance, Score, SweepRow, Verdict
from sim.montecarlo.records import Layout, ReplicationTable
from sim.render import data, frames
from sim.render.formats import MISSING, when
from sim.render.views import Table, View, Viewed, percent, percent_interval, signed
from sim.replication.outcome import COUNTER_NAMES, ReplicationResult
from sim.scenario.contract import Scenario


def _pandas() -> Any:
    return frames.pandas()


@dataclass(frozen=True, repr=False)
class RunResult(Viewed):
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
        """One row per replication, full precision, real dtypes (:mod:`sim.render.frames`)."""
        return frames.replications_frame(self)

    def burndown_frame(self) -> Any:
        """People and cargo out and left at each day end, one row per replication and day."""
        return frames.burndown_frame(self)

    def view(self) -> View:
        s = self.score
        facts = [
            ("verdict", s.verdict.value),
            (
                "P(on time)",
                f"{percent(s.p_on_time)} (95 % CI {percent_interval(*s.p_on_time_ci95)})",
            ),
            ("deadline", f"end of {s.deadline.isoformat()}"),
            ("completion", _percentiles(s.completion.p10, s.completion.p50, s.completion.p90)),
            ("slack (days)", _slack(s)),
        ]
        if s.milestones:
            facts.append(("milestones met", "; ".join(
                f"{m.name} {percent(m.p_met, 0)}" for m in s.milestones[:4]
            ) + ("; …" if len(s.milestones) > 4 else "")))  # fmt: skip
        unfinished = f"{s.unfinished} of {s.replications}"
        if s.unfinished_reasons:
            unfinished += (
                " (" + ", ".join(f"{n} {r}" for r, n in s.unfinished_reasons.items()) + ")"
            )
        facts.append(("unfinished", unfinished))
        drivers = s.lateness_drivers
        if drivers.drivers and drivers.drivers[0].mean_hours > 0:
            top = drivers.drivers[0]
            facts.append(("main cause of lost time", f"{top.name}: {percent(top.share, 0)} of the "
                          f"aircraft-hours lost in the {drivers.basis}"))  # fmt: skip
        if s.precision is not None:
            reached = "reached" if s.precision.reached else "not reached"
            facts.append(("precision", f"±{percent(s.precision.half_width, 2)} ({reached})"))
        return View(
            kind="RunResult",
            title=s.scenario,
            subtitle=f"{s.replications} replications, seed {s.seed}",
            facts=tuple(facts),
            picture=self._fan,
            more=".score · .to_frame() · .burndown_frame() · sim.plots.burndown(result)",
        )

    def _fan(self) -> Any:
        from sim.plots.fan import small_fan

        scenario = self.scenario
        people = np.asarray(self.people_remaining, dtype=np.float64)
        cargo = np.asarray(self.cargo_kg_remaining, dtype=np.float64)
        return small_fan(
            scenario.start,
            self.day_ends,
            people / max(scenario.total_personnel, 1),
            cargo / max(scenario.total_cargo_kg, 1e-9),
            scenario.deadline_end,
        )


def _percentiles(p10: dt.datetime | None, p50: dt.datetime | None, p90: dt.datetime | None) -> str:
    return f"P10 {when(p10)} · P50 {when(p50)} · P90 {when(p90)}"


def _slack(score: Score) -> str:
    slack = score.slack_days
    return f"P10 {signed(slack.p10)} · P50 {signed(slack.p50)} · P90 {signed(slack.p90)}"


@dataclass(frozen=True, repr=False)
class Comparison(Viewed):
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

    @property
    def warnings(self) -> tuple[str, ...]:
        """What makes the comparison less than it seems (scenarios that extend different bases)."""
        return self.score.warnings

    def to_frame(self) -> Any:
        """One row per scenario, ranked, with paired differences vs the baseline (needs pandas)."""
        return frames.comparison_frame(self.score)

    def view(self) -> View:
        score = self.score
        rows = []
        for ranked in score.ranking:
            proportion, median = ranked.difference.p_on_time, ranked.difference.completion_p50
            baseline = ranked.difference is score.differences[0]
            rows.append((
                str(ranked.rank),
                ranked.score.scenario,
                ranked.score.verdict.value,
                percent(ranked.score.p_on_time),
                MISSING if baseline else
                f"{signed(100 * proportion.difference)} pts ({_points(proportion.ci95)})",
                when(ranked.score.completion.p50),
                MISSING if baseline else signed(median.difference_days, "d"),
            ))  # fmt: skip
        table = Table(
            (
                "rank",
                "scenario",
                "verdict",
                "P(on time)",
                "Δ vs baseline (95 % CI)",
                "P50 completion",
                "Δ P50",
            ),
            tuple(rows),
        )
        return View(
            kind="Comparison",
            title=f"{len(score.runs)} scenarios against {score.baseline}",
            subtitle=f"{score.replications} replications each, seed {score.seed}",
            tables=(table,),
            warnings=score.warnings,
            more=".score.ranking · .to_frame() · sim.plots.compare_on_time(comparison)",
        )


def _points(interval: Any) -> str:
    low, high = interval
    return f"{100 * low:+.1f} to {100 * high:+.1f}"


@dataclass(frozen=True, repr=False)
class SweepResult(Viewed):
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

    @property
    def keys(self) -> tuple[str, ...]:
        """The swept fields, in the order given."""
        return tuple(key for key, _ in self.axes)

    def to_frame(self) -> Any:
        """One row per combination, swept values as numbers where they are (needs pandas)."""
        return frames.sweep_frame(self.keys, self.rows)

    def view(self) -> View:
        rows = tuple(
            (
                *(value for _, value in row.values),
                row.score.verdict.value,
                percent(row.score.p_on_time),
                percent_interval(*row.score.p_on_time_ci95),
                when(row.score.completion.p50),
                when(row.score.completion.p90),
            )
            for row in self.rows
        )
        columns = (*self.keys, "verdict", "P(on time)", "95 % CI", "P50 completion", "P90")
        first = self.results[0].score if self.results else None
        return View(
            kind="SweepResult",
            title=first.scenario if first else "(empty)",
            subtitle=f"{len(self.rows)} combinations"
            + (f", {first.replications} replications each, seed {first.seed}" if first else ""),
            facts=tuple((key, ", ".join(values)) for key, values in self.axes),
            tables=(Table(columns, rows),),
            more=".rows · .to_frame() · sim.plots.sweep_chart(sweep)",
        )
