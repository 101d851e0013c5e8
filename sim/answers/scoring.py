"""Scoring a Monte Carlo run against the deadline: the numbers a planner reads.

:func:`score` gives a :class:`~sim.answers.score.Score` at full precision
(instants as naive local Niamey date-times); the JSON of the contract is one
rendering of it (:mod:`sim.render.data`), which rounds.

Everything here is a pure function of the per-replication records
(:class:`~sim.montecarlo.records.ReplicationTable`) and the scenario, so the same records
always give the same score, whatever the number of workers that produced them.

**On time** means complete strictly before the end of the deadline day (00:00 of
the next day). An unfinished replication (not done within the horizon) is late.

**Percentiles** use NumPy's ``inverted_cdf`` method on completion hours, with
unfinished replications counted as +infinity: P90 is the earliest completion
time by which at least 90 % of replications were complete. It is therefore always
the completion time of a real replication (no interpolation between two runs,
which would invent a date no replication produced), and it is ``None`` (JSON ``null``) when
that replication is unfinished. With 10 replications P10 is the fastest, P50 the 5th
and P90 the 9th; the mean and the maximum are ``None`` when any replication is
unfinished.

**Slack** at a percentile is the deadline end minus the completion at that
percentile, in days: ``slack_days.p90`` is the margin left in the pessimistic
case, negative when late.

**P(on time)** comes with a Wilson score interval (95 %), which, unlike the
textbook ``p ± 1.96·sqrt(p(1-p)/n)``, stays inside [0, 1] and does not collapse
to a zero width when every replication is on time.

**Lateness drivers** are the hours lost per cause (the ``LATENESS_DRIVERS``
counters: aircraft-hours spent waiting or repairing, not days of delay on the
critical path), averaged over the late replications, or over the slowest tenth
when none is late, with each cause's share of the total and its excess over
the other replications (``excess_hours``): a cause that costs every replication
alike, such as tails waiting for the first approvals, can dominate the hours
and still not be what made the late ones late. Seats lost on cancelled
airliners are reported beside them in seats, not hours.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Final

import numpy as np

from sim.answers.score import (
    CompletionDates,
    DriverHours,
    Interval,
    LatenessDrivers,
    MilestoneScore,
    Percentiles,
    Precision,
    Provenance,
    Score,
    SensitiveOut,
    Verdict,
)
from sim.montecarlo.records import Layout, ReplicationTable
from sim.replication.outcome import COUNTER_NAMES, LATENESS_DRIVERS
from sim.scenario.contract import Scenario

Z95 = 1.959963984540054
"""Two-sided 95 % quantile of the standard normal distribution."""

ON_TRACK = 0.9
AT_RISK = 0.5
PERCENTILE_METHOD: Final = "inverted_cdf"


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (``(0, 1)`` when there are no trials)."""
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must lie in [0, trials] (got {successes} of {trials})")
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z / (1 + z2 / trials) * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # At 0 or n successes the bound is exactly 0 or 1; do not let rounding say otherwise.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def wilson_half_width(successes: int, trials: int) -> float:
    low, high = wilson_interval(successes, trials)
    return (high - low) / 2


def verdict(p_on_time: float) -> Verdict:
    """``on track`` (≥ 0.9), ``at risk`` (≥ 0.5) or ``late``."""
    if p_on_time >= ON_TRACK:
        return Verdict.ON_TRACK
    if p_on_time >= AT_RISK:
        return Verdict.AT_RISK
    return Verdict.LATE


def percentile(values: np.ndarray, q: float) -> float:
    """The ``q``-th percentile (0–100) as a real sample value; +inf stays +inf, nan is skipped."""
    finite_or_inf = values[~np.isnan(values)]
    if finite_or_inf.size == 0:
        return math.nan
    return float(np.percentile(finite_or_inf, q, method=PERCENTILE_METHOD))


def on_time(table: ReplicationTable, scenario: Scenario) -> np.ndarray:
    """Boolean per replication: complete strictly before the end of the deadline day."""
    deadline_hours = scenario.hours_since_start(scenario.deadline_end)
    return np.asarray(table.completion_hours < deadline_hours)


def _moment(scenario: Scenario, hours: float) -> dt.datetime | None:
    return scenario.moment(hours) if math.isfinite(hours) else None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def completion_dates(table: ReplicationTable, scenario: Scenario) -> CompletionDates:
    hours = table.completion_hours
    p10, p50, p90 = (_moment(scenario, percentile(hours, q)) for q in (10, 50, 90))
    empty = len(table) == 0
    return CompletionDates(
        p10=p10,
        p50=p50,
        p90=p90,
        mean=None if empty else _moment(scenario, float(np.mean(hours))),
        min=None if empty else _moment(scenario, float(np.min(hours))),
        max=None if empty else _moment(scenario, float(np.max(hours))),
    )


def slack_days(table: ReplicationTable, scenario: Scenario) -> Percentiles[float | None]:
    deadline_hours = scenario.hours_since_start(scenario.deadline_end)
    p10, p50, p90 = (
        _finite((deadline_hours - percentile(table.completion_hours, q)) / 24.0)
        for q in (10, 50, 90)
    )
    return Percentiles(p10=p10, p50=p50, p90=p90)


def driver_hours(table: ReplicationTable) -> np.ndarray:
    """Hours lost per replication and driver: float64 [n, len(LATENESS_DRIVERS)]."""
    columns = [COUNTER_NAMES.index(name) for name in LATENESS_DRIVERS]
    return table.counters[:, columns]


def lateness_drivers(table: ReplicationTable, scenario: Scenario) -> LatenessDrivers:
    """Which causes of lost time dominate in the late (or slowest) replications."""
    late = ~on_time(table, scenario)
    if late.any():
        basis, rows = "late replications", np.flatnonzero(late)
    else:
        slowest = max(1, math.ceil(len(table) / 10)) if len(table) else 0
        order = np.argsort(table.completion_hours, kind="stable")
        basis, rows = "slowest tenth", np.sort(order[len(table) - slowest :])
    all_hours = driver_hours(table)
    hours = all_hours[rows]
    means = hours.mean(axis=0) if rows.size else np.zeros(len(LATENESS_DRIVERS))
    rest = np.delete(all_hours, rows, axis=0)
    rest_means = rest.mean(axis=0) if len(rest) else np.full(len(LATENESS_DRIVERS), np.nan)
    total = float(means.sum())
    drivers = [
        DriverHours(
            driver=key,
            name=name,
            mean_hours=float(mean),
            share=float(mean) / total if total > 0 else 0.0,
            # What sets these replications apart: a cause that costs every replication
            # the same hours (tails waiting for the first approvals) has no excess.
            excess_hours=None if math.isnan(other) else float(mean - other),
        )
        for (key, name), mean, other in zip(
            LATENESS_DRIVERS.items(), means, rest_means, strict=True
        )
    ]
    drivers.sort(key=lambda driver: -driver.mean_hours)  # stable: ties keep the contract order
    seats_lost = table.counter("commercial_seats_lost")[rows]
    return LatenessDrivers(
        basis=basis,
        replications=int(rows.size),
        drivers=tuple(drivers),
        commercial_seats_lost_mean=float(seats_lost.mean()) if rows.size else 0.0,
    )


def milestone_scores(table: ReplicationTable, layout: Layout) -> tuple[MilestoneScore, ...]:
    return tuple(
        MilestoneScore(
            name=milestone.name,
            by=milestone.by,
            personnel=milestone.personnel,
            cargo=milestone.cargo,
            p_met=float(table.milestones_met[:, column].mean()) if len(table) else 0.0,
        )
        for column, milestone in enumerate(layout.milestones)
    )


def score(
    table: ReplicationTable,
    scenario: Scenario,
    layout: Layout,
    *,
    seed: int,
    provenance: Provenance,
    precision: Precision | None = None,
) -> Score:
    """The score of one run: every number a planner reads, at full precision."""
    n = len(table)
    successes = int(on_time(table, scenario).sum())
    p = successes / n if n else 0.0
    low, high = wilson_interval(successes, n)
    unfinished_reasons = Counter(
        reason or "unfinished"
        for reason, hours in zip(table.unfinished_reason, table.completion_hours, strict=True)
        if not math.isfinite(hours)
    )
    counters = table.counters.mean(axis=0) if n else np.zeros(len(COUNTER_NAMES))
    sensitive = table.sensitive_hours
    return Score(
        scenario=scenario.name,
        replications=n,
        seed=seed,
        deadline=scenario.deadline,
        verdict=verdict(p),
        p_on_time=p,
        p_on_time_ci95=Interval(low, high),
        completion=completion_dates(table, scenario),
        slack_days=slack_days(table, scenario),
        sensitive_out=SensitiveOut(
            p50=_moment(scenario, percentile(sensitive, 50)),
            p90=_moment(scenario, percentile(sensitive, 90)),
        ),
        unfinished=sum(unfinished_reasons.values()),
        unfinished_reasons=dict(
            sorted(unfinished_reasons.items(), key=lambda item: (-item[1], item[0]))
        ),
        milestones=milestone_scores(table, layout),
        lateness_drivers=lateness_drivers(table, scenario),
        counters={name: float(mean) for name, mean in zip(COUNTER_NAMES, counters, strict=True)},
        percentile_method=PERCENTILE_METHOD,
        provenance=provenance,
        precision=precision,
    )


def median_replication(table: ReplicationTable) -> int:
    """The index of the replication whose completion is the median (the typical run).

    The median is a real replication's value (:data:`PERCENTILE_METHOD`); when it is
    unfinished, the first unfinished replication.
    """
    hours = table.completion_hours
    target = float(np.percentile(hours, 50, method=PERCENTILE_METHOD))
    row = (
        int(np.flatnonzero(hours == target)[0]) if math.isfinite(target) else int(np.argmax(hours))
    )
    return int(table.index[row])
