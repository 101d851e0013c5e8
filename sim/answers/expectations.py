"""The ``expect:`` block of a scenario, checked against a run (``drawdown check``).

Each expectation becomes one :class:`ExpectationOutcome`: what was expected,
what the run gave, and whether it held. Bounds are inclusive (``min ≤ value ≤
max``); a date window holds when ``after ≤ completion < before`` (a bare date
stands for 00:00 of that day, so ``before: 2024-07-15`` means completed by the
end of 14 July). An unfinished percentile (no date) is after every date: it fails
``before`` and satisfies ``after``. ``unfinished_fraction`` is the fraction of
replications unfinished at the horizon (the summary's ``unfinished`` is their count).

Whether an expectation holds is decided on the run's numbers as they are (the
verdict of ``drawdown check``). :func:`check_run` adds to each outcome the 95 %
interval of the value found (:mod:`sim.answers.uncertainty`), so that a failure
shows whether more replications could change it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.answers.score import Score
from sim.render.formats import when
from sim.scenario.contract import Bounds, DateWindow, Expect

if TYPE_CHECKING:
    from sim.answers.results import RunResult

INTERVAL_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    name: str
    held: bool
    expected: str
    actual: str
    interval: str = ""
    """The 95 % interval of ``actual`` (empty when not computed, see :func:`check_run`)."""


def _fraction(value: float) -> str:
    return f"{value:.4g}"


def _bounds(name: str, bounds: Bounds, value: float) -> ExpectationOutcome:
    parts, held = [], True
    if bounds.min is not None:
        parts.append(f"≥ {_fraction(bounds.min)}")
        held &= value >= bounds.min
    if bounds.max is not None:
        parts.append(f"≤ {_fraction(bounds.max)}")
        held &= value <= bounds.max
    return ExpectationOutcome(name, held, " and ".join(parts) or "anything", _fraction(value))


def _window(name: str, window: DateWindow, moment: dt.datetime | None) -> ExpectationOutcome:
    parts, held = [], True
    if window.after is not None:
        parts.append(f"on or after {when(window.after, 'iso')}")
        held &= moment is None or moment >= window.after
    if window.before is not None:
        parts.append(f"before {when(window.before, 'iso')}")
        held &= moment is not None and moment < window.before
    actual = when(moment, "iso")
    return ExpectationOutcome(name, held, " and ".join(parts) or "anything", actual)


def check_expectations(expect: Expect, score: Score) -> list[ExpectationOutcome]:
    """Every expectation of ``expect`` against a run's score, in the block's order."""
    outcomes: list[ExpectationOutcome] = []
    if expect.p_on_time is not None:
        outcomes.append(_bounds("p_on_time", expect.p_on_time, score.p_on_time))
    completion = {"p10": score.completion.p10, "p50": score.completion.p50}
    completion["p90"] = score.completion.p90
    for q, moment in completion.items():
        window = getattr(expect, f"completion_{q}")
        if window is not None:
            outcomes.append(_window(f"completion_{q}", window, moment))
    if expect.verdict is not None:
        verdict = score.verdict.value
        outcomes.append(
            ExpectationOutcome("verdict", verdict == expect.verdict, expect.verdict, verdict)
        )
    if expect.unfinished_fraction is not None:
        fraction = score.unfinished / score.replications
        outcomes.append(_bounds("unfinished_fraction", expect.unfinished_fraction, fraction))
    met = {milestone.name: milestone.p_met for milestone in score.milestones}
    for name, bounds in (expect.milestones or {}).items():
        if name not in met:
            known = ", ".join(sorted(met)) or "none"
            outcomes.append(
                ExpectationOutcome(
                    f"milestone {name}", False, "a milestone of that name", f"none (known: {known})"
                )
            )
        else:
            outcomes.append(_bounds(f"milestone {name}", bounds, met[name]))
    return outcomes


def _proportion(successes: int, trials: int) -> str:
    from sim.answers.uncertainty import proportion_interval

    low, high = proportion_interval(successes, trials, INTERVAL_CONFIDENCE)
    return f"{_fraction(low)}–{_fraction(high)}"


def _completion(result: RunResult, q: int) -> str:
    from sim.answers.uncertainty import quantile_interval

    interval = quantile_interval(result.completion_hours, q / 100, INTERVAL_CONFIDENCE)
    return f"{interval_end(result, interval.low)} – {interval_end(result, interval.high)}"


def interval_end(result: RunResult, hours: float) -> str:
    """One end of a completion interval: a date-time, ``unfinished`` or ``unbounded``.

    ``unbounded`` (±inf from too few replications for a rank on that side) is not
    ``unfinished`` (the replication at that rank never finished).
    """
    if math.isnan(hours) or hours == -math.inf:
        return "unbounded"
    if hours == math.inf:
        return "unfinished"
    return when(result.scenario.moment(hours), "iso")


def _interval_of(name: str, result: RunResult) -> str:
    n = result.replications
    if name in ("p_on_time", "verdict"):
        low, high = result.score.p_on_time_ci95
        of = " of P(on time)" if name == "verdict" else ""
        return f"{_fraction(low)}–{_fraction(high)}{of}"
    if name.startswith("completion_p"):
        return _completion(result, int(name.removeprefix("completion_p")))
    if name == "unfinished_fraction":
        return _proportion(result.score.unfinished, n)
    milestones = [milestone.name for milestone in result.layout.milestones]
    milestone = name.removeprefix("milestone ")
    if milestone in milestones:
        met = int(result.table.milestones_met[:, milestones.index(milestone)].sum())
        return _proportion(met, n)
    return ""


def check_run(expect: Expect, result: RunResult) -> list[ExpectationOutcome]:
    """:func:`check_expectations` on ``result``, each outcome with its value's 95 % interval."""
    return [
        replace(outcome, interval=_interval_of(outcome.name, result))
        for outcome in check_expectations(expect, result.score)
    ]
