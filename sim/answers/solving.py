"""What it takes: the value of one field at which P(on time) reaches a target.

``solve`` turns one knob (:mod:`sim.scenario.variation`) over a range and finds
the *cheapest* value that still meets the target: the fewest tails, the latest
date approvals may open, the longest clearance lead, the earliest deadline.

**Search.** P(on time) is assumed monotone in the knob (its direction says
which way). The range is laid out as a grid (integers exactly, date-times by
the hour, days, reals by the step) and ordered from the worst end to the best.
The best end is evaluated first: if it misses the target, the target is
unreachable in this range (an answer, not an error). Otherwise the worst end,
then bisection between the last value that missed and the first that met it,
about ``2 + log2(grid size)`` evaluations. Every evaluation runs with the same
seed and replication indices (common random numbers), so two neighbouring
values differ only by the change.

**Evidence.** The answer comes with P(on time) and its Wilson 95 % interval at
the answer and at its neighbour on the other side (one grid step worse). The
answer is *sure* when the answer's interval lies at or above the target and
the neighbour's below it. When not, and ``until_precision`` is given,
replications are added where it matters, at the answer and its neighbour (the
number the ``--until-precision`` rule estimates for the interval to clear the
target, at least double), and the search resumes there with that many, until
the answer is sure, both intervals are ±``until_precision`` or narrower, or
``max_replications`` is reached. (Between two values one hour apart the
probabilities are nearly equal, so at a fine step the answer is rarely sure:
the precision asked for bounds the cost.)

**Two fields** draw the frontier: for each value of the first, the answer for
the second. The first field's values are taken from its worst end to its best,
so each answer bounds the next search (with more tails the latest opening that
works can only be later).

**The deadline** changes no replication, only the scoring: its evaluations
re-score one run instead of simulating again.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from sim.answers.scoring import percentile, wilson_half_width, wilson_interval
from sim.montecarlo.engine import Engine
from sim.montecarlo.evaluations import Evaluations, evaluations
from sim.render.views import Table, View, Viewed
from sim.scenario.contract import Scenario, end_of_day
from sim.scenario.status import LoadedStatus, StatusLike, load_status_for
from sim.scenario.variation import Direction, Knob, VariationError, knob

DEFAULT_TARGET = 0.9
DEFAULT_MAX_REPLICATIONS = 10_000
MAX_GRID = 100_000
MAX_FRONTIER_VALUES = 60


# --- the grid of values -------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """The values a knob takes: ``low + k·step`` for k = 0 … size − 1."""

    knob: Knob
    low: Any
    high: Any
    step: float

    @property
    def size(self) -> int:
        return math.floor(self.knob.distance(self.low, self.high) / self.step + 1e-9) + 1

    def value(self, index: int) -> Any:
        value = self.knob.offset(self.low, index * self.step)
        if self.knob.kind in ("scale", "number"):
            value = round(value, 9)
        return value

    def by_goodness(self, goodness: int) -> Any:
        """The value ``goodness`` steps from the worst end (0 is the worst)."""
        increasing = self.knob.direction == "increasing"
        return self.value(goodness if increasing else self.size - 1 - goodness)


def default_range(scenario: Scenario, k: Knob) -> tuple[Any, Any]:
    """The range searched when none is given (stated in ``drawdown solve --help``)."""
    if k.kind == "count":
        return 1, max(3 * int(k.current), int(k.current) + 6)
    if k.kind == "scale":
        return 0.0, 3.0
    if k.kind == "moment":
        return scenario.start, scenario.deadline_end
    if k.kind == "day":
        return scenario.start.date(), scenario.horizon_end.date()
    return 0.0, 2.0 * float(k.current)


def default_step(scenario: Scenario, k: Knob, low: Any, high: Any) -> float:
    if k.kind in ("count", "moment", "day"):
        return 1.0
    if k.kind == "scale":
        return 0.05
    return max(k.distance(low, high) / 100.0, 1e-9)


def make_grid(
    scenario: Scenario, k: Knob, value_range: tuple[Any, Any] | str | None, step: float | None
) -> Grid:
    if isinstance(value_range, str):
        low, high = parse_range(k, value_range)
    elif value_range is None:
        low, high = default_range(scenario, k)
    else:  # values, or text as on the command line
        low, high = (k.parse(end) if isinstance(end, str) else end for end in value_range)
    if k.distance(low, high) < 0:
        raise VariationError(
            f"{k.field}: the range must go from low to high (got {k.show(low)}:{k.show(high)})"
        )
    if step is None:
        step = default_step(scenario, k, low, high)
    if not step > 0 or not math.isfinite(step):
        raise VariationError(f"{k.field}: the step must be > 0 (got {step:g})")
    if k.kind in ("count", "moment", "day") and not float(step).is_integer():
        unit = {"count": "", "moment": " hours", "day": " days"}[k.kind]
        raise VariationError(f"{k.field}: the step must be a whole number{unit} (got {step:g})")
    grid = Grid(k, low, high, float(step))
    if grid.size > MAX_GRID:
        raise VariationError(
            f"{k.field}: {grid.size} values in the range at step {step:g}; "
            f"use a larger --step (at most {MAX_GRID} values)"
        )
    return grid


def parse_range(k: Knob, text: str, option: str = "--range") -> tuple[Any, Any]:
    """``LOW:HIGH``; date-times contain colons, so every split point is tried."""
    for position, char in enumerate(text):
        if char != ":":
            continue
        try:
            return k.parse(text[:position]), k.parse(text[position + 1 :])
        except VariationError:
            continue
    raise VariationError(f"{k.field}: {option} must be LOW:HIGH with {k.what} at each end")


# --- evaluations --------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """P(on time) at one value, from ``replications`` replications."""

    value: Any
    successes: int
    replications: int
    completion_p50_hours: float

    @property
    def p_on_time(self) -> float:
        return self.successes / self.replications

    @property
    def ci95(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.replications)

    def to_dict(self, k: Knob, context: Mapping[str, Any] | None = None) -> dict[str, Any]:
        low, high = self.ci95
        return {
            **(context or {}),
            "value": k.to_json(self.value),
            "p_on_time": round(self.p_on_time, 4),
            "p_on_time_ci95": [round(low, 4), round(high, 4)],
            "replications": self.replications,
        }


Evaluator = Callable[[Any, int], Evaluation]
"""``evaluate(value, replications)``: P(on time) with the knob at ``value``."""


def scenario_evaluator(scenario: Scenario, k: Knob, runs: Evaluations) -> Evaluator:
    """Evaluations that run the scenario with the knob set (the deadline: re-scored)."""
    if k.kind == "day" and k.field == "deadline":
        runs_by_count: dict[int, np.ndarray] = {}

        def rescore(value: dt.date, replications: int) -> Evaluation:
            if replications not in runs_by_count:
                (runs_by_count[replications],) = runs.completion_hours([scenario], replications)
            k.apply(scenario, value)  # the deadline must still pass validation (milestones)
            return _evaluation(value, runs_by_count[replications], scenario, end_of_day(value))

        return rescore

    def simulate(value: Any, replications: int) -> Evaluation:
        changed = k.apply(scenario, value)
        (hours,) = runs.completion_hours([changed], replications)
        return _evaluation(value, hours, changed, changed.deadline_end)

    return simulate


def _evaluation(
    value: Any, hours: np.ndarray, scenario: Scenario, deadline_end: dt.datetime
) -> Evaluation:
    """On time: complete strictly before the end of the deadline day (as in scoring)."""
    successes = int(np.sum(hours < scenario.hours_since_start(deadline_end)))
    return Evaluation(value, successes, int(hours.size), percentile(hours, 50))


# --- the search ---------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How many replications a search starts with, may grow to, and may stop at."""

    replications: int
    max_replications: int
    until_precision: float | None = None


@dataclass(frozen=True)
class Search:
    """The outcome of one search: the answer, its neighbour, and every evaluation made."""

    answer: Evaluation | None
    """The cheapest value meeting the target (None: unreachable in the range)."""
    neighbour: Evaluation | None
    """One step worse than the answer (None at the worst end); the best end if unreachable."""
    sure: bool
    at_range_end: bool
    evaluations: tuple[Evaluation, ...]
    goodness: int | None


def _sure(answer: Evaluation | None, neighbour: Evaluation | None, target: float) -> bool:
    if answer is None:  # unreachable: sure when even the best end's interval is below
        return neighbour is not None and neighbour.ci95[1] < target
    return answer.ci95[0] >= target and (neighbour is None or neighbour.ci95[1] < target)


def _more_replications(points: Sequence[Evaluation], target: float, current: int) -> int:
    """Replications at which the ambiguous intervals should clear the target."""
    from sim.montecarlo.runs import _replications_for_precision

    wanted = 2 * current
    for point in points:
        low, high = point.ci95
        if low <= target <= high:
            gap = max(abs(point.p_on_time - target), 0.002)
            wanted = max(
                wanted, _replications_for_precision(point.successes, point.replications, gap)
            )
    return wanted


def search(
    grid: Grid,
    evaluate: Evaluator,
    target: float,
    settings: Settings,
    *,
    start_from: int | None = None,
) -> Search:
    """Find the least goodness index meeting ``target`` (see the module docstring).

    ``start_from``: a goodness index believed to meet the target already (the
    previous answer of a frontier), so only values at or below it are searched.
    """
    made: dict[tuple[int, int], Evaluation] = {}
    order: list[Evaluation] = []
    top = grid.size - 1

    def at(goodness: int, count: int) -> Evaluation:
        key = (goodness, count)
        if key not in made:
            made[key] = evaluate(grid.by_goodness(goodness), count)
            order.append(made[key])
        return made[key]

    count = settings.replications
    until_precision = settings.until_precision
    hint = top if start_from is None else min(start_from, top)
    answer: Evaluation | None
    neighbour: Evaluation | None
    while True:
        found = _bisect(partial(_meets, at, count, target), hint, top)
        if found is None:
            answer, neighbour = None, at(top, count)
        else:
            answer = at(found, count)
            neighbour = at(found - 1, count) if found > 0 else None
        sure = _sure(answer, neighbour, target)
        points = [point for point in (answer, neighbour) if point is not None]
        precise = until_precision is None or all(
            wilson_half_width(p.successes, p.replications) <= until_precision for p in points
        )
        if sure or precise or count >= settings.max_replications:
            break
        count = min(settings.max_replications, _more_replications(points, target, count))
        hint = top if found is None else found
    return Search(
        answer=answer,
        neighbour=neighbour,
        sure=sure,
        at_range_end=found == 0,
        evaluations=tuple(order),
        goodness=found,
    )


def planned_evaluations(grids: Sequence[Grid]) -> int:
    """The most evaluations a solve makes before any replications are added.

    A search over ``size`` values evaluates the best end, the worst end and at most
    ⌈log2(size − 1)⌉ values between (the deadline: one run, re-scored); a frontier
    makes one search per value of its first field. The total of the command's one
    progress bar (grown if ``until_precision`` adds replications).
    """
    last = grids[-1]
    if last.knob.kind == "day" and last.knob.field == "deadline":
        per_search = 1
    else:
        per_search = 1 if last.size <= 1 else 2 + (last.size - 2).bit_length()
    return per_search * (grids[0].size if len(grids) == 2 else 1)


def _meets(at: Callable[[int, int], Evaluation], count: int, target: float, g: int) -> bool:
    return at(g, count).p_on_time >= target


def _bisect(meets: Callable[[int], bool], hint: int, top: int) -> int | None:
    """The least ``g`` in [0, top] with ``meets(g)``, for ``meets`` monotone; None if none.

    ``hint`` is tried first as the upper end; if it fails, the search moves above it.
    """
    failing = -1
    if not meets(hint):
        if hint == top or not meets(top):
            return None
        failing, hint = hint, top
    meeting = hint
    if failing < 0:
        if meets(0):
            return 0
        failing = 0
    while meeting - failing > 1:
        middle = (failing + meeting) // 2
        if meets(middle):
            meeting = middle
        else:
            failing = middle
    return meeting


# --- the result ---------------------------------------------------------------


def _pandas() -> Any:
    from sim.answers.results import _pandas as pandas

    return pandas()


@dataclass(frozen=True)
class FrontierPoint:
    """The answer for the second field at one value of the first."""

    value: Any
    search: Search


@dataclass(frozen=True, repr=False)
class SolveResult(Viewed):
    """The answer of ``solve``, with its evidence; immutable, rendered elsewhere.

    ``repr`` and the notebook view: the answer in words and every evaluation.
    """

    scenario: str
    target: float
    knobs: tuple[Knob, ...]
    grids: tuple[Grid, ...]
    search: Search | None
    """The answer for one field (None when a frontier was drawn)."""
    frontier: tuple[FrontierPoint, ...] | None
    seed: int
    replications: int
    provenance: dict[str, Any] = field(compare=False)

    @property
    def vary(self) -> tuple[str, ...]:
        return tuple(k.field for k in self.knobs)

    @property
    def reachable(self) -> bool:
        if self.search is not None:
            return self.search.answer is not None
        return any(point.search.answer is not None for point in self.frontier or ())

    @property
    def sure(self) -> bool:
        if self.search is not None:
            return self.search.sure
        return all(point.search.sure for point in self.frontier or ())

    @property
    def answer(self) -> Any:
        if self.search is None or self.search.answer is None:
            return None
        return self.search.answer.value

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``drawdown solve --json`` (see the README for every key)."""
        last = self.knobs[-1]
        evaluations: list[dict[str, Any]] = []
        frontier: list[dict[str, Any]] | None = None
        if self.search is not None:
            evaluations = [e.to_dict(last) for e in self.search.evaluations]
            head = _point(last, self.search)
        else:
            first = self.knobs[0]
            frontier = []
            for point in self.frontier or ():
                context = {first.field: first.to_json(point.value)}
                evaluations += [e.to_dict(last, context) for e in point.search.evaluations]
                row = {first.field: first.to_json(point.value), **_point(last, point.search)}
                frontier.append(row)
            head = {"answer": None, "p_on_time": None, "p_on_time_ci95": None, "neighbour": None}
        return {
            "scenario": self.scenario,
            "target": self.target,
            "vary": list(self.vary),
            "direction": [k.direction for k in self.knobs]
            if len(self.knobs) > 1
            else self.knobs[0].direction,
            **head,
            "sure": self.sure,
            "reachable": self.reachable,
            "evaluations": evaluations,
            "frontier": frontier,
            "range": [[g.knob.to_json(g.low), g.knob.to_json(g.high), g.step] for g in self.grids],
            "seed": self.seed,
            "replications": self.replications,
            "provenance": dict(self.provenance),
        }

    def to_json(self) -> str:
        from sim.render.data import dumps

        return dumps(self.to_dict())

    def to_frame(self) -> Any:
        """Every evaluation, one row each (needs pandas)."""
        return _pandas().DataFrame(self.to_dict()["evaluations"])

    def view(self) -> View:
        last = self.knobs[-1]
        columns: tuple[str, ...] = (last.field, "P(on time)", "95 % CI", "replications")
        rows: list[tuple[str, ...]] = []
        evaluations: list[tuple[tuple[str, ...], Evaluation]]
        if self.search is not None:
            evaluations = [((), e) for e in self.search.evaluations]
        else:
            first = self.knobs[0]
            columns = (first.field, *columns)
            evaluations = [
                ((first.show(point.value),), e)
                for point in self.frontier or ()
                for e in point.search.evaluations
            ]
        for context, e in evaluations:
            low, high = e.ci95
            rows.append((*context, last.show(e.value), percent_text(e.p_on_time),
                         f"{100 * low:.1f}–{100 * high:.1f} %", f"{e.replications:,}"))  # fmt: skip
        lines = answer_lines(self)
        return View(
            kind="SolveResult",
            title=self.scenario,
            subtitle=f"P(on time) ≥ {percent_text(self.target)} by varying {', '.join(self.vary)}",
            facts=tuple(
                (("answer" if i == 0 else "evidence"), line) for i, line in enumerate(lines)
            ),
            tables=(Table(columns, tuple(rows), caption="evaluations"),),
            more=".answer · .search · .to_frame() · sim.plots.solve_curve(result)",
        )


def _point(k: Knob, found: Search) -> dict[str, Any]:
    answer, neighbour = found.answer, found.neighbour
    return {
        "answer": None if answer is None else k.to_json(answer.value),
        "p_on_time": None if answer is None else round(answer.p_on_time, 4),
        "p_on_time_ci95": None if answer is None else [round(b, 4) for b in answer.ci95],
        "neighbour": None if neighbour is None else neighbour.to_dict(k),
        "at_range_end": found.at_range_end,
        "sure": found.sure,
        "reachable": answer is not None,
    }


# --- the answer in words (text, notebook) ---


def percent_text(value: float) -> str:
    return f"{100 * value:.1f} %"


def evidence(k: Knob, point: Evaluation) -> str:
    """``airlift.tails = 4: 95.0 % [91.9, 97.0] (1,000 replications)``."""
    low, high = point.ci95
    return (
        f"{k.field} = {k.show(point.value)}: {percent_text(point.p_on_time)} "
        f"[{100 * low:.1f}, {100 * high:.1f}] ({point.replications:,} replications)"
    )


def _verdict(k: Knob, found: Search, target: float) -> str:
    if found.answer is None:
        best = found.neighbour
        assert best is not None
        return (
            f"unreachable in the range: even {k.field} = {k.show(best.value)} gives "
            f"{percent_text(best.p_on_time)}"
            + ("" if found.sure else " (not yet sure: the target lies inside its interval)")
        )
    text = f"answer: {k.field} = {k.show(found.answer.value)}"
    if found.at_range_end:
        text += " (met across the whole range: widen --range to look further)"
    if found.sure:
        return text + f" (sure: the {percent_text(target)} target lies outside the intervals)"
    return text + (
        f" (not yet sure: the {percent_text(target)} target lies inside an interval; "
        "--until-precision H adds replications there)"
    )


def answer_lines(result: SolveResult) -> list[str]:
    """The answer and its evidence, one line each (also the notebook view)."""
    k = result.knobs[-1]
    if result.search is None:
        return [f"frontier of {result.knobs[0].field} against {k.field}: see the table"]
    found = result.search
    lines = [_verdict(k, found, result.target)]
    lines += [evidence(k, point) for point in (found.answer, found.neighbour) if point is not None]
    return lines


# --- the public function ------------------------------------------------------


def solve(
    scenario_or_path: Scenario | str | os.PathLike[str],
    vary: str | Sequence[str],
    *,
    target: float = DEFAULT_TARGET,
    ranges: Mapping[str, tuple[Any, Any] | str] | None = None,
    steps: Mapping[str, float] | None = None,
    directions: Mapping[str, Direction] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: Executor | str | None = None,
    overrides: Sequence[str] = (),
    progress: bool | None = None,
    until_precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    source: str | None = None,
    status: StatusLike | None = None,
    engine: Engine | None = None,
) -> SolveResult:
    """The value of ``vary`` at which P(on time) reaches ``target`` (see the module docstring).

    ``vary``: one field, or two for a frontier. ``ranges``: per field ``(low, high)`` or
    ``"LOW:HIGH"``; ``steps``: per field (hours for date-times, days for the
    deadline); ``directions``: per field, for fields without a known direction.
    ``status``: every run starts from it (a forecast; a status object or file), as
    ``sim.run(..., status=...)``. ``engine``: an open engine to share with the rest of
    a command (one pool; ``jobs``, ``executor`` and ``progress`` are then its own).
    Raises :class:`~sim.scenario.variation.VariationError` for a field or range that
    cannot be used.
    """
    plan = plan_solve(
        scenario_or_path,
        vary,
        target=target,
        ranges=ranges,
        steps=steps,
        directions=directions,
        replications=replications,
        seed=seed,
        overrides=overrides,
        status=status,
    )
    return run_solve(
        plan,
        jobs=jobs,
        executor=executor,
        progress=progress,
        until_precision=until_precision,
        max_replications=max_replications,
        source=source,
        engine=engine,
    )


@dataclass(frozen=True)
class SolvePlan:
    """A solve checked and laid out before anything runs (:func:`plan_solve`)."""

    scenario: Scenario
    path: str | None
    status: LoadedStatus | None
    target: float
    knobs: tuple[Knob, ...]
    grids: tuple[Grid, ...]

    @property
    def planned_replications(self) -> int:
        """The most replications the search makes before any are added (its bar's total)."""
        return planned_evaluations(self.grids) * self.scenario.simulation.replications


def plan_solve(
    scenario_or_path: Scenario | str | os.PathLike[str],
    vary: str | Sequence[str],
    *,
    target: float = DEFAULT_TARGET,
    ranges: Mapping[str, tuple[Any, Any] | str] | None = None,
    steps: Mapping[str, float] | None = None,
    directions: Mapping[str, Direction] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    status: StatusLike | None = None,
) -> SolvePlan:
    """Every check of :func:`solve` (fields, directions, ranges, steps), nothing run.

    A command solving several scenarios (``report --solve``) checks them all first.
    Raises :class:`~sim.scenario.variation.VariationError` as :func:`solve` does.
    """
    from sim.montecarlo.runs import resolve

    fields = [vary] if isinstance(vary, str) else list(vary)
    if not 1 <= len(fields) <= 2:
        raise VariationError(f"vary one field, or two for a frontier (got {len(fields)})")
    if len(set(fields)) != len(fields):
        raise VariationError(f"the two fields of a frontier must differ (got {fields[0]} twice)")
    if not 0 < target <= 1:
        raise VariationError(f"the target must lie in (0, 1] (got {target:g})")
    resolved, path = resolve(scenario_or_path, overrides, replications=replications, seed=seed)
    loaded = None if status is None else load_status_for(status, resolved)
    knobs = tuple(knob(resolved, name, (directions or {}).get(name)) for name in fields)
    for k in knobs:
        if k.direction is None:
            raise VariationError(
                f"{k.field} has no known direction: say whether a larger value helps "
                "(--direction increasing) or hurts (--direction decreasing)"
            )
    grids = tuple(
        make_grid(resolved, k, (ranges or {}).get(k.field), (steps or {}).get(k.field))
        for k in knobs
    )
    if len(grids) == 2 and grids[0].size > MAX_FRONTIER_VALUES:
        raise VariationError(
            f"{knobs[0].field}: {grids[0].size} values for the frontier; "
            f"use a larger --step or a narrower --range (at most {MAX_FRONTIER_VALUES})"
        )
    for grid in grids:  # every end of every range must make a valid scenario
        grid.knob.apply(resolved, grid.low)
        grid.knob.apply(resolved, grid.high)
    return SolvePlan(resolved, path, loaded, target, knobs, grids)


def run_solve(
    plan: SolvePlan,
    *,
    jobs: int = 1,
    executor: Executor | str | None = None,
    progress: bool | None = None,
    until_precision: float | None = None,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
    source: str | None = None,
    engine: Engine | None = None,
) -> SolveResult:
    """The search of a checked :class:`SolvePlan` (arguments as in :func:`solve`)."""
    resolved, loaded, grids, target = plan.scenario, plan.status, plan.grids, plan.target
    count = resolved.simulation.replications
    settings = Settings(count, max(max_replications, count), until_precision)
    with evaluations(
        seed=resolved.simulation.seed,
        replications=count,
        jobs=jobs,
        executor=executor,
        progress=progress,
        label=f"solve {resolved.name}",
        status=None if loaded is None else loaded.status,
        engine=engine,
        planned=plan.planned_replications,
    ) as runs:
        found: Search | None = None
        frontier: list[FrontierPoint] | None = None
        if len(grids) == 1:
            evaluate = scenario_evaluator(resolved, plan.knobs[0], runs)
            found = search(grids[0], evaluate, target, settings)
        else:
            frontier = _frontier(resolved, grids, runs, target, settings)
        spent = runs.spent()
    from sim.scenario.reading import scenario_digest

    return SolveResult(
        scenario=resolved.name,
        target=target,
        knobs=plan.knobs,
        grids=grids,
        search=found,
        frontier=None if frontier is None else tuple(frontier),
        seed=resolved.simulation.seed,
        replications=count,
        provenance={
            "scenario": resolved.name,
            "digest": scenario_digest(resolved),
            "source": plan.path or source,
            **({} if loaded is None else {"status": _status_dict(loaded)}),
            **spent.to_dict(),
        },
    )


def _frontier(
    scenario: Scenario,
    grids: tuple[Grid, ...],
    runs: Evaluations,
    target: float,
    settings: Settings,
) -> list[FrontierPoint]:
    first, second = grids
    points: list[FrontierPoint] = []
    previous: int | None = None
    for goodness in range(first.size):  # from the first field's worst end to its best
        value = first.by_goodness(goodness)
        base = first.knob.apply(scenario, value)
        found = search(
            second,
            scenario_evaluator(base, second.knob, runs),
            target,
            settings,
            start_from=previous,
        )
        points.append(FrontierPoint(value, found))
        previous = found.goodness
    points.sort(key=lambda point: first.knob.distance(first.low, point.value))
    return points


def _status_dict(loaded: LoadedStatus) -> dict[str, Any]:
    """The status a forecast started from, for the provenance."""
    return {"as_of": loaded.status.as_of.isoformat(timespec="minutes"), "source": loaded.source}
