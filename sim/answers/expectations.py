"""The ``expect:`` block of a scenario, checked against a run (``drawdown check``).

Each expectation becomes one :class:`ExpectationOutcome`: what was expected,
what the run gave, and whether it held. Bounds are inclusive (``min ≤ value ≤
max``); a date window holds when ``after ≤ completion < before`` (a bare date
stands for 00:00 of that day, so ``before: 2024-07-15`` means completed by the
end of 14 July). An unfinished percentile (no date) is after every date: it fails
``before`` and satisfies ``after``. ``unfinished`` is a fraction of replications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sim.scenario.contract import Bounds, DateWindow, Expect


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    name: str
    held: bool
    expected: str
    actual: str


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


def _window(name: str, window: DateWindow, value: str | None) -> ExpectationOutcome:
    moment = dt.datetime.fromisoformat(value) if value is not None else None
    parts, held = [], True
    if window.after is not None:
        parts.append(f"on or after {window.after.isoformat(timespec='minutes')}")
        held &= moment is None or moment >= window.after
    if window.before is not None:
        parts.append(f"before {window.before.isoformat(timespec='minutes')}")
        held &= moment is not None and moment < window.before
    actual = value if value is not None else "unfinished"
    return ExpectationOutcome(name, held, " and ".join(parts) or "anything", actual)


def check_expectations(expect: Expect, summary: dict[str, Any]) -> list[ExpectationOutcome]:
    """Every expectation of ``expect`` against a run's summary, in the block's order."""
    outcomes: list[ExpectationOutcome] = []
    if expect.p_on_time is not None:
        outcomes.append(_bounds("p_on_time", expect.p_on_time, summary["p_on_time"]))
    for q in ("p10", "p50", "p90"):
        window = getattr(expect, f"completion_{q}")
        if window is not None:
            outcomes.append(_window(f"completion_{q}", window, summary["completion"][q]))
    if expect.verdict is not None:
        outcomes.append(
            ExpectationOutcome(
                "verdict", summary["verdict"] == expect.verdict, expect.verdict, summary["verdict"]
            )
        )
    if expect.unfinished is not None:
        fraction = summary["unfinished"] / summary["replications"]
        outcomes.append(_bounds("unfinished", expect.unfinished, fraction))
    met = {milestone["name"]: milestone["p_met"] for milestone in summary["milestones"]}
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
