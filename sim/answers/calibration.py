"""Calibration: the simulated drawdown against the historical record, point by point.

A scenario's ``observed:`` block lists points of the record (personnel out and
cargo out at an instant, with their source). The record gives an exact value, a
range (two sources disagree) or a bound ("more than 269"). :func:`calibrate`
runs the scenario's replications through the runner's engine
(:func:`sim.montecarlo.runs.run_resolved`: the same pool, chunks and ``-j``/``--executor``
as ``drawdown run``); each replication's record carries the people and the cargo
(kg) out *at or before* every observed instant, computed in the worker
(:mod:`sim.montecarlo.records`). For each point it reports the median and the P10–P90 band
across replications, with the percentile rule of scoring
(:func:`sim.answers.scoring.percentile`: real replication values, NumPy's
``inverted_cdf``), and whether the record **agrees**: some value the record
allows lies inside the band (an exact value inside it; a range overlapping it; a
lower bound at or below its P90; an upper bound at or above its P10).

**What a point proves.** A point marked ``role: input`` is fixed by the
scenario's inputs (the size of a cohort, the day a cohort is made ready): it is
shown, with its ``why``, but not counted as agreement; the summary counts only
points that test the model. **What was fitted.** The values a scenario lists
under ``fitted:`` were chosen after seeing the record; the scenario is run a
second time with each put back to its ``planner`` value (same seed and
replication indices: common random numbers), and both bands are shown.

The band is the model's spread, not a confidence interval for the median: a
record outside it lies in the outer fifth of what the model thinks can happen,
which for a single historical outcome is a warning, not a proof.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.montecarlo.records import ReplicationTable
from sim.render.views import Table, View, Viewed
from sim.scenario.contract import ObservedPoint, RecordSpan, RecordValue, Scenario

Quantity = Literal["personnel_out", "cargo_out_kg"]
RecordKind = Literal["value", "range", "at least", "at most"]
ScenarioLike = Scenario | str | os.PathLike[str]

_QUANTITIES: tuple[Quantity, ...] = ("personnel_out", "cargo_out_kg")


@dataclass(frozen=True, slots=True)
class Band:
    """The simulated distribution at one instant: median, P10–P90, and where the record falls.

    ``below`` and ``above``: the shares of replications below the lowest value the
    record allows and above its highest (the rest lie within what it allows).
    """

    p10: float
    p50: float
    p90: float
    below: float
    above: float

    @classmethod
    def of(cls, samples: np.ndarray, record: Record) -> Band:
        from sim.answers.scoring import percentile

        n = max(samples.size, 1)
        return cls(
            p10=percentile(samples, 10),
            p50=percentile(samples, 50),
            p90=percentile(samples, 90),
            below=float(np.count_nonzero(samples < record.low)) / n,
            above=float(np.count_nonzero(samples > record.high)) / n,
        )

    def to_dict(self) -> dict[str, float]:
        return {
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "share_below_record": round(self.below, 4),
            "share_above_record": round(self.above, 4),
        }


@dataclass(frozen=True, slots=True)
class Record:
    """What the record says of one amount, as the interval ``[low, high]`` it allows."""

    kind: RecordKind
    low: float
    high: float

    @classmethod
    def of(cls, value: RecordValue) -> Record:
        if not isinstance(value, RecordSpan):
            return cls("value", float(value), float(value))
        low, high = value.interval()
        if value.at_least is not None:
            return cls("at least", low, high)
        if value.at_most is not None:
            return cls("at most", low, high)
        return cls("range", low, high)

    def meets(self, band: Band) -> bool:
        """Some value the record allows lies in the band's P10–P90 (both inclusive)."""
        return self.low <= band.p90 and band.p10 <= self.high

    def verdict(self, band: Band) -> str:
        if self.meets(band):
            return "yes"
        return "NO: record above" if self.low > band.p90 else "NO: record below"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high if math.isfinite(self.high) else None,
        }


@dataclass(frozen=True, slots=True)
class CalibrationPoint:
    """One observed quantity at one instant, with the simulated bands there."""

    at: dt.datetime
    quantity: Quantity
    record: Record
    role: Literal["test", "input"]
    why: str
    source: str
    note: str
    simulated: Band
    planner: Band | None
    """The band with the ``fitted`` values put back to the planner's (None: nothing fitted)."""

    @property
    def tests_model(self) -> bool:
        return self.role == "test"

    @property
    def agrees(self) -> bool:
        """The record meets the simulated P10–P90 band (see :meth:`Record.meets`)."""
        return self.record.meets(self.simulated)

    @property
    def agrees_with_planner_values(self) -> bool | None:
        return None if self.planner is None else self.record.meets(self.planner)

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(timespec="minutes"),
            "quantity": self.quantity,
            "role": self.role,
            "why": self.why,
            "record": self.record.to_dict(),
            "simulated": self.simulated.to_dict(),
            "agrees": self.agrees,
            "planner": None if self.planner is None else self.planner.to_dict(),
            "agrees_with_planner_values": self.agrees_with_planner_values,
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Agreement:
    """How many points that test the model agree with the record; inputs are not counted."""

    agree: int
    tests: int
    inputs: int

    def to_dict(self) -> dict[str, int]:
        return {"agree": self.agree, "tests": self.tests, "inputs": self.inputs}


@dataclass(frozen=True, slots=True)
class Fitted:
    """A value fitted to the record: as written, and the planner's."""

    field: str
    as_written: Any
    planner: Any
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "as_written": self.as_written,
            "planner": self.planner,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True, repr=False)
class CalibrationResult(Viewed):
    """Simulated vs observed at every ``observed:`` point of a scenario.

    ``repr`` and the notebook view show the agreement and one row per point;
    ``to_frame()`` gives the points with real dtypes.
    """

    scenario: str
    source: str | None
    seed: int
    replications: int
    points: tuple[CalibrationPoint, ...]
    fitted: tuple[Fitted, ...]
    wall_seconds: float

    def agreement(self, *, planner_values: bool = False) -> Agreement:
        """Agreement as written, or with the fitted values put back to the planner's."""
        tests = [point for point in self.points if point.tests_model]
        if planner_values:
            agree = sum(point.agrees_with_planner_values is True for point in tests)
        else:
            agree = sum(point.agrees for point in tests)
        return Agreement(agree=agree, tests=len(tests), inputs=len(self.points) - len(tests))

    def point(self, at: dt.datetime, quantity: Quantity) -> CalibrationPoint:
        """The first point observed at ``at`` for ``quantity``."""
        for point in self.points:
            if point.at == at and point.quantity == quantity:
                return point
        raise KeyError(f"no observed {quantity} at {at.isoformat(timespec='minutes')}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "source": self.source,
            "seed": self.seed,
            "replications": self.replications,
            "percentile_method": "inverted_cdf",
            "agreement": self.agreement().to_dict(),
            "agreement_with_planner_values": (
                self.agreement(planner_values=True).to_dict() if self.fitted else None
            ),
            "fitted": [fitted.to_dict() for fitted in self.fitted],
            "points": [point.to_dict() for point in self.points],
            "wall_seconds": self.wall_seconds,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    def to_csv(self) -> str:
        """``calibrate --csv``: one row per observed point and quantity, bands as columns."""
        from sim.render.data import records_csv

        rows = []
        for point in self.points:
            row: dict[str, Any] = {
                "at": point.at.isoformat(timespec="minutes"),
                "quantity": point.quantity,
                "role": point.role,
                "record_kind": point.record.kind,
                "record_low": point.record.low,
                "record_high": point.record.high if math.isfinite(point.record.high) else None,
            }
            row |= {f"simulated_{key}": value for key, value in point.simulated.to_dict().items()}
            row["agrees"] = point.agrees
            if self.fitted:
                band = point.planner.to_dict() if point.planner is not None else {}
                row |= {f"planner_{key}": band.get(key) for key in point.simulated.to_dict()}
                row["agrees_with_planner_values"] = point.agrees_with_planner_values
            row |= {"source": point.source, "note": point.note}
            rows.append(row)
        return records_csv(rows)

    def to_frame(self) -> Any:
        """One row per point: instant (UTC+01:00), quantity, role, record and bands (pandas)."""
        from sim.render import frames

        rows = []
        for point in self.points:
            row: dict[str, Any] = {
                "at": point.at,
                "quantity": point.quantity,
                "role": point.role,
                "record_kind": point.record.kind,
                "record_low": point.record.low,
                "record_high": point.record.high if math.isfinite(point.record.high) else math.nan,
                "p10": point.simulated.p10,
                "p50": point.simulated.p50,
                "p90": point.simulated.p90,
                "agrees": point.agrees,
            }
            if self.fitted:
                band = point.planner
                row |= {
                    "planner_p10": math.nan if band is None else band.p10,
                    "planner_p50": math.nan if band is None else band.p50,
                    "planner_p90": math.nan if band is None else band.p90,
                    "agrees_with_planner_values": point.agrees_with_planner_values,
                }
            rows.append(row | {"source": point.source})
        frame = frames.pandas().DataFrame(rows)
        if rows:
            frame["at"] = frames.instants(list(frame["at"]))
            for column in ("quantity", "role", "record_kind"):
                frame[column] = frames.categories(list(frame[column]))
        return frame

    def view(self) -> View:
        facts = [("as written", _agreement_line("", self.agreement()).strip(" :"))]
        if self.fitted:
            planner = self.agreement(planner_values=True)
            facts.append(("planner's values", _agreement_line("", planner).strip(" :")))
            facts += [
                (f"fitted {fitted.field}", f"{_written(fitted.as_written)} "
                 f"(planner: {_written(fitted.planner)})")
                for fitted in self.fitted
            ]  # fmt: skip
        columns = ["at", "quantity", "role", "record", "P50 (P10–P90)", "agrees"]
        if self.fitted:
            columns += ["planner's: P50 (P10–P90)", "agrees"]
        rows = []
        for point in self.points:
            row: list[str | None] = [
                point.at.strftime("%Y-%m-%d %H:%M"),
                "people out" if point.quantity == "personnel_out" else "cargo out (t)",
                point.role,
                format_record(point.quantity, point.record),
                _band_text(point.quantity, point.simulated),
                _agrees(point, point.simulated),
            ]
            if self.fitted:
                band = point.planner
                row += [None, None] if band is None else [
                    _band_text(point.quantity, band), _agrees(point, band)
                ]  # fmt: skip
            rows.append(tuple(row))
        return View(
            kind="CalibrationResult",
            title=self.scenario,
            subtitle=f"{self.replications} replications, seed {self.seed}",
            facts=tuple(facts),
            tables=(Table(tuple(columns), tuple(rows)),),
            more=".points · .agreement() · .to_frame() · sim.plots.burndown(result)",
        )


def _value_at(scenario: Scenario, field: str) -> Any:
    node: Any = scenario.model_dump(mode="json", by_alias=True)
    for key in field.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _points(
    observed: Sequence[ObservedPoint],
    simulated: ReplicationTable,
    planner: ReplicationTable | None,
) -> list[CalibrationPoint]:
    points: list[CalibrationPoint] = []
    for column, point in enumerate(observed):
        for quantity in _QUANTITIES:
            value = getattr(point, quantity)
            if value is None:
                continue

            record = Record.of(value)

            def band(
                table: ReplicationTable,
                quantity: Quantity = quantity,
                column: int = column,
                record: Record = record,
            ) -> Band:
                samples = (
                    table.people_out_at_observed
                    if quantity == "personnel_out"
                    else table.cargo_kg_out_at_observed
                )
                return Band.of(samples[:, column], record)

            points.append(
                CalibrationPoint(
                    at=point.at,
                    quantity=quantity,
                    record=record,
                    role=point.role,
                    why=point.why,
                    source=point.source,
                    note=point.note,
                    simulated=band(simulated),
                    planner=None if planner is None else band(planner),
                )
            )
    return points


def calibrate(
    scenario_or_path: ScenarioLike,
    *,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    chunk_size: int | None = None,
    planner_values: bool = True,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> CalibrationResult:
    """Compare a scenario's replications with its ``observed:`` points.

    ``replications`` and ``seed`` default to the scenario's ``simulation`` block;
    ``jobs``, ``executor``, ``progress`` and ``chunk_size`` as in
    :func:`sim.montecarlo.runs.run`. With ``planner_values`` (default) and ``fitted:``
    entries, the scenario runs a second time with those values put back.
    Raises ``ValueError`` when the scenario has no observed points.
    """
    from sim.montecarlo.runs import resolve, run_resolved

    started = time.perf_counter()
    scenario, source = resolve(
        scenario_or_path,
        overrides,
        replications=replications,
        seed=seed,
        allow_extends_from=allow_extends_from,
    )
    if not scenario.observed:
        raise ValueError(f"scenario {scenario.name!r} has no observed: points to calibrate against")
    runs: list[tuple[Scenario, str | None]] = [(scenario, source)]
    if planner_values and scenario.fitted:
        runs.append((scenario.with_planner_values(), source))
    results = run_resolved(
        runs, jobs=jobs, executor=executor, progress=progress, chunk_size=chunk_size
    )
    planner = results[1].table if len(results) > 1 else None
    fitted = tuple(
        Fitted(item.field, _value_at(scenario, item.field), item.planner, item.why)
        for item in (scenario.fitted if planner is not None else ())
    )
    return CalibrationResult(
        scenario=scenario.name,
        source=source,
        seed=scenario.simulation.seed,
        replications=scenario.simulation.replications,
        points=tuple(_points(scenario.observed, results[0].table, planner)),
        fitted=fitted,
        wall_seconds=round(time.perf_counter() - started, 3),
    )


def _written(value: Any) -> str:
    """A value written as in a scenario file (``{dist: uniform, low: 7, high: 28}``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_written(inner)}" for key, inner in value.items()) + "}"
    if isinstance(value, float) and value == round(value):
        return str(int(value))
    return str(value)


# --- rendering ------------------------------------------------------------------


def _amount(quantity: Quantity, value: float) -> str:
    if quantity == "cargo_out_kg":
        return f"{value / 1000:,.0f}"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def format_record(quantity: Quantity, record: Record) -> str:
    """``1,593``, ``766–776``, ``≥ 270`` or ``≤ 12`` (cargo in tonnes)."""
    if record.kind == "at least":
        return f"≥ {_amount(quantity, record.low)}"
    if record.kind == "at most":
        return f"≤ {_amount(quantity, record.high)}"
    if record.kind == "range":
        return f"{_amount(quantity, record.low)}–{_amount(quantity, record.high)}"
    return _amount(quantity, record.low)


def _band(quantity: Quantity, band: Band) -> tuple[str, str, str]:
    return (
        _amount(quantity, band.p50),
        f"{_amount(quantity, band.p10)}–{_amount(quantity, band.p90)}",
        f"{band.below:.0%} / {band.above:.0%}",
    )


def _band_text(quantity: Quantity, band: Band) -> str:
    p50, spread, _ = _band(quantity, band)
    return f"{p50} ({spread})"


def _agrees(point: CalibrationPoint, band: Band) -> str:
    """``yes``/``no``; in brackets for an input, which is not counted."""
    text = "yes" if point.record.meets(band) else "no"
    return text if point.tests_model else f"({text})"


def _agreement_line(label: str, agreement: Agreement) -> str:
    inputs = (
        f"; {agreement.inputs} point{'s are inputs' if agreement.inputs != 1 else ' is an input'}"
        " (not counted)"
        if agreement.inputs
        else ""
    )
    return (
        f"  {label}: {agreement.agree} of {agreement.tests} points that test the model "
        f"agree with the record{inputs}"
    )


def render_calibration(result: CalibrationResult) -> str:
    """A text table: one line per observed quantity, then inputs, fitted values and sources."""
    from sim.render.text import table

    with_planner = bool(result.fitted)
    rows = []
    for point in result.points:
        label = "personnel out" if point.quantity == "personnel_out" else "cargo out (t)"

        def verdict(band: Band, point: CalibrationPoint = point) -> str:
            text = point.record.verdict(band)
            return text if point.tests_model else f"({text})"

        row = [
            point.at.strftime("%Y-%m-%d %H:%M"),
            label,
            point.role,
            format_record(point.quantity, point.record),
            *_band(point.quantity, point.simulated),
            verdict(point.simulated),
        ]
        if with_planner and point.planner is not None:
            row += [*_band(point.quantity, point.planner), verdict(point.planner)]
        rows.append(row)
    headers = ["at", "quantity", "role", "record", "P50", "P10–P90", "below/above", "agrees"]
    if with_planner:
        headers += ["P50", "P10–P90", "below/above", "agrees"]
    lines = [
        f"{result.scenario}: simulated vs observed, {result.replications} replications, "
        f"seed {result.seed}",
        _agreement_line("as written", result.agreement()),
    ]
    if with_planner:
        lines.append(
            _agreement_line("with the planner's values", result.agreement(planner_values=True))
        )
    title = "simulated, as written"
    if with_planner:
        title += " | then with the planner's values for the fitted fields"
    lines += [
        "",
        title,
        table(headers, rows),
        "",
        "agrees: some value the record allows (a value, a range or a bound) lies in the "
        "simulated P10–P90",
        "band (percentiles are replication values, inverted_cdf); (…): an input, not counted.",
        "below/above: shares of replications below and above what the record allows.",
    ]
    inputs = [point for point in result.points if not point.tests_model]
    if inputs:
        lines += ["", "inputs in disguise (shown, not counted)"]
        seen_inputs: set[dt.datetime] = set()
        for point in inputs:
            if point.at not in seen_inputs:
                seen_inputs.add(point.at)
                lines.append(f"  {point.at.isoformat(timespec='minutes')}: {point.why}")
    if with_planner:
        lines += ["", "fitted after seeing the record (as written → planner's value)"]
        for fitted in result.fitted:
            lines.append(
                f"  {fitted.field}: {_written(fitted.as_written)} → {_written(fitted.planner)}"
            )
            if fitted.why:
                lines.append(f"    {fitted.why}")
    lines += ["", "sources"]
    seen: set[str] = set()
    for point in result.points:
        key = f"{point.at.isoformat(timespec='minutes')}: {point.source}"
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {key}")
        if point.note:
            lines.append(f"    note: {point.note}")
    return "\n".join(lines) + "\n"
