"""What matters most: each uncertain input fixed at its low and its high end, one at a time.

For every uncertain input of the scenario (:func:`~sim.scenario.variation.uncertain_inputs`:
each field written as a distribution, at its own P10 and P90; each probability
and Poisson rate written as a plain number, at half and twice its value) and
each structural field named with ``also``, the scenario is run twice, with that
input fixed at its low end and at its high end, while everything else stays
random. Every run uses the same seed and replication indices (common random
numbers), so what moves is the input's doing, not luck. All runs go to one
engine as one queue of chunks.

For each input the result gives P(on time) and the P50 and P90 completion at
both ends, and the **swing**: how far the median completion moves between the
two ends, in days. Inputs are ranked by swing, largest first (an end whose
median is unfinished counts as the largest swing), then by the swing in
P(on time). The tornado chart draws the same table.

A structural field given with ``also`` (``airlift.tails``, ``base.parking``)
takes the bounds given (``FIELD=LOW:HIGH``) or, by default, one less and one
more for a whole number, ±10 % for a number or a fixed duration, ±3 days for a
date-time. An uncertain input given with bounds takes those instead of its own.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.answers.scoring import percentile, wilson_interval
from sim.montecarlo.engine import Engine
from sim.montecarlo.evaluations import evaluations
from sim.render.views import Table, View, Viewed, percent, percent_interval
from sim.scenario.contract import Scenario
from sim.scenario.status import LoadedStatus, StatusLike, load_status_for
from sim.scenario.variation import (
    UncertainInput,
    VariationError,
    knob,
    uncertain_inputs,
)

ALSO_DAYS = 3.0
"""Default half-range of a date-time field given with ``also``, in days."""


@dataclass(frozen=True)
class Outcome:
    """The scores of one run: P(on time), P50 and P90 completion (hours; inf unfinished)."""

    successes: int
    replications: int
    p50_hours: float
    p90_hours: float

    @property
    def p_on_time(self) -> float:
        return self.successes / self.replications if self.replications else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.replications)

    @classmethod
    def of(cls, hours: np.ndarray, scenario: Scenario) -> Outcome:
        deadline = scenario.hours_since_start(scenario.deadline_end)
        return cls(
            successes=int(np.sum(hours < deadline)),
            replications=int(hours.size),
            p50_hours=percentile(hours, 50),
            p90_hours=percentile(hours, 90),
        )


def _moment(scenario: Scenario, hours: float) -> str | None:
    if not math.isfinite(hours):
        return None
    return scenario.moment(hours).isoformat(timespec="minutes")


@dataclass(frozen=True)
class InputSwing:
    """One input at its low and high end."""

    field: str
    kind: str
    low: Any
    high: Any
    written: Any
    low_run: Outcome
    high_run: Outcome

    @property
    def swing_days(self) -> float | None:
        """|P50 at the high end − P50 at the low end| in days; None when one is unfinished."""
        low, high = self.low_run.p50_hours, self.high_run.p50_hours
        if not (math.isfinite(low) and math.isfinite(high)):
            return None
        return abs(high - low) / 24.0

    @property
    def p_on_time_swing(self) -> float:
        return abs(self.high_run.p_on_time - self.low_run.p_on_time)

    def show(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ", timespec="minutes")
        if isinstance(value, float):
            return f"{value:.3g}"
        return str(value)

    def to_dict(self, scenario: Scenario) -> dict[str, Any]:
        def value(item: Any) -> Any:
            if isinstance(item, dt.datetime):
                return item.isoformat(timespec="minutes")
            return round(item, 6) if isinstance(item, float) else item

        swing = self.swing_days
        return {
            "field": self.field,
            "kind": self.kind,
            "low": value(self.low),
            "high": value(self.high),
            "p_on_time_low": round(self.low_run.p_on_time, 4),
            "p_on_time_high": round(self.high_run.p_on_time, 4),
            "p50_low": _moment(scenario, self.low_run.p50_hours),
            "p50_high": _moment(scenario, self.high_run.p50_hours),
            "p90_low": _moment(scenario, self.low_run.p90_hours),
            "p90_high": _moment(scenario, self.high_run.p90_hours),
            "swing_days": None if swing is None else round(swing, 3),
            "p_on_time_swing": round(self.p_on_time_swing, 4),
            "written": self.written,
        }


def _rank_key(item: InputSwing) -> tuple[float, float]:
    swing = item.swing_days
    return (-(math.inf if swing is None else swing), -item.p_on_time_swing)


@dataclass(frozen=True, repr=False)
class SensitivityResult(Viewed):
    """The ranked inputs of ``sensitivity``; immutable, rendered elsewhere.

    ``repr`` and the notebook view: the baseline and the inputs, largest swing first.
    """

    scenario: Scenario
    baseline: Outcome
    inputs: tuple[InputSwing, ...]
    """Ranked: largest swing first."""
    seed: int
    replications: int
    provenance: dict[str, Any] = field(compare=False)

    @property
    def name(self) -> str:
        return self.scenario.name

    def baseline_dict(self) -> dict[str, Any]:
        base = self.baseline
        return {
            "p_on_time": round(base.p_on_time, 4),
            "p_on_time_ci95": [round(bound, 4) for bound in base.ci95],
            "completion_p50": _moment(self.scenario, base.p50_hours),
            "completion_p90": _moment(self.scenario, base.p90_hours),
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``drawdown sensitivity --json`` (see the README)."""
        return {
            "scenario": self.name,
            "baseline": self.baseline_dict(),
            "inputs": [item.to_dict(self.scenario) for item in self.inputs],
            "seed": self.seed,
            "replications": self.replications,
            "provenance": dict(self.provenance),
        }

    def to_json(self) -> str:
        from sim.render.data import dumps

        return dumps(self.to_dict())

    def to_frame(self) -> Any:
        """One row per input, ranked (needs pandas)."""
        from sim.answers.results import _pandas

        rows = [
            {k: v for k, v in row.items() if k != "written"} for row in self.to_dict()["inputs"]
        ]
        return _pandas().DataFrame(rows).set_index("field")

    def view(self) -> View:
        base = self.baseline
        low, high = base.ci95
        rows = tuple(
            (
                str(rank),
                item.field,
                f"{item.show(item.low)} – {item.show(item.high)}",
                f"{percent(item.low_run.p_on_time)} → {percent(item.high_run.p_on_time)}",
                "unfinished" if item.swing_days is None else f"{item.swing_days:.1f} d",
            )
            for rank, item in enumerate(self.inputs, start=1)
        )
        return View(
            kind="SensitivityResult",
            title=self.name,
            subtitle=f"{len(self.inputs)} inputs, {self.replications} replications each, "
            f"seed {self.seed}",
            facts=(
                (
                    "baseline P(on time)",
                    f"{percent(base.p_on_time)} (95 % CI {percent_interval(low, high)})",
                ),
                ("baseline P50", str(_moment(self.scenario, base.p50_hours) or "unfinished")),
            ),
            tables=(Table(("#", "input", "low – high", "P(on time)", "P50 swing"), rows),),
            more=".inputs · .to_frame() · sim.plots.tornado(result)",
        )


# --- the inputs -----------------------------------------------------------------


def _parse_also(scenario: Scenario, item: str) -> tuple[str, tuple[Any, Any] | None]:
    name, equals, bounds = item.partition("=")
    name = name.strip()
    if not equals:
        return name, None
    k = knob(scenario, name, "increasing")
    from sim.answers.solving import parse_range

    low, high = parse_range(k, bounds, "the bounds")
    if k.distance(low, high) < 0:
        raise VariationError(
            f"{name}: the range must go from low to high (got {k.show(low)}:{k.show(high)})"
        )
    return name, (low, high)


def _structural(scenario: Scenario, name: str, bounds: tuple[Any, Any] | None) -> UncertainInput:
    k = knob(scenario, name, "increasing")
    current = k.current
    if k.kind == "scale":  # a fixed dist field: its value ±10 %
        from sim.scenario.variation import _value_at

        value = _value_at(scenario, k.path)
        if not isinstance(value, int | float):
            raise VariationError(f"{name}: a distribution; it is already an uncertain input")
        low, high = bounds or (0.9 * value, 1.1 * value)
        return UncertainInput(name, "structural", float(low), float(high), value)
    if bounds is not None:
        low, high = bounds
    elif k.kind == "count":
        low, high = current - 1, current + 1
    elif k.kind == "moment":
        low, high = k.offset(current, -24 * ALSO_DAYS), k.offset(current, 24 * ALSO_DAYS)
    elif k.kind == "day":
        low, high = k.offset(current, -ALSO_DAYS), k.offset(current, ALSO_DAYS)
    else:
        low, high = 0.9 * current, 1.1 * current
    return UncertainInput(name, "structural", low, high, k.to_json(current))


def inputs_of(scenario: Scenario, also: Sequence[str] = ()) -> list[UncertainInput]:
    """The uncertain inputs, then the ``also`` fields; bounds given replace the defaults."""
    inputs = uncertain_inputs(scenario)
    known = {item.field: position for position, item in enumerate(inputs)}
    for item in also:
        name, bounds = _parse_also(scenario, item)
        if name in known:
            if bounds is not None:
                old = inputs[known[name]]
                inputs[known[name]] = UncertainInput(name, old.kind, *bounds, old.written)
            continue
        known[name] = len(inputs)
        inputs.append(_structural(scenario, name, bounds))
    return inputs


def planned_runs(scenario: Scenario, also: Sequence[str] = ()) -> int:
    """The runs of a sensitivity: the baseline, and each input at its low and high end."""
    return 1 + 2 * len(inputs_of(scenario, also))


def _at(scenario: Scenario, item: UncertainInput, value: Any) -> Scenario:
    k = knob(scenario, item.field, "increasing")
    if k.kind == "scale":
        return k.fix(scenario, float(value))
    return k.apply(scenario, value)


# --- the public function --------------------------------------------------------


def sensitivity(
    scenario_or_path: Scenario | str | os.PathLike[str],
    *,
    also: Sequence[str] = (),
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    source: str | None = None,
    status: StatusLike | None = None,
    engine: Engine | None = None,
) -> SensitivityResult:
    """Each uncertain input at its low and high end (see the module docstring).

    ``also``: structural fields to add, ``"FIELD"`` or ``"FIELD=LOW:HIGH"`` (bounds
    also replace an uncertain input's own). ``status``: every run starts from it (a
    forecast; a status object or file), as ``sim.run(..., status=...)``. Raises
    :class:`~sim.scenario.variation.VariationError` for a field that cannot be used.
    """
    from sim.montecarlo.runs import resolve
    from sim.scenario.reading import scenario_digest

    resolved, path = resolve(scenario_or_path, overrides, replications=replications, seed=seed)
    loaded = None if status is None else load_status_for(status, resolved)
    inputs = inputs_of(resolved, also)
    runs_wanted = [resolved]
    for item in inputs:  # every end must be a valid scenario before anything runs
        runs_wanted += [_at(resolved, item, item.low), _at(resolved, item, item.high)]
    count = resolved.simulation.replications
    with evaluations(
        seed=resolved.simulation.seed,
        replications=count,
        jobs=jobs,
        executor=executor,
        progress=progress,
        label=f"sensitivity {resolved.name}",
        status=None if loaded is None else loaded.status,
        engine=engine,
        planned=len(runs_wanted) * count,  # 2 × inputs + 1 runs: one bar over them all
    ) as runs:
        hours = runs.completion_hours(runs_wanted)
        spent = runs.spent()
    outcomes = [Outcome.of(run, scenario) for run, scenario in zip(hours, runs_wanted, strict=True)]
    swings = [
        InputSwing(item.field, item.kind, item.low, item.high, item.written, low, high)
        for item, low, high in zip(inputs, outcomes[1::2], outcomes[2::2], strict=True)
    ]
    swings.sort(key=_rank_key)
    return SensitivityResult(
        scenario=resolved,
        baseline=outcomes[0],
        inputs=tuple(swings),
        seed=resolved.simulation.seed,
        replications=count,
        provenance={
            "scenario": resolved.name,
            "digest": scenario_digest(resolved),
            "source": path or source,
            **({} if loaded is None else {"status": _status_dict(loaded)}),
            **spent.to_dict(),
        },
    )


def _status_dict(loaded: LoadedStatus) -> dict[str, Any]:
    """The status a forecast started from, for the provenance."""
    return {"as_of": loaded.status.as_of.isoformat(timespec="minutes"), "source": loaded.source}
