"""Assertions on a run that allow for Monte Carlo error, so that regression tests are not flaky.

A run of *n* replications estimates P(on time) and the completion percentiles
with an error that shrinks like 1/√n. An assertion that compared the estimate
itself with the bound would fail now and then for a scenario whose true value
meets it: whenever a harmless change (one more random draw, another seed)
reshuffles the replications. These assertions fail only when the **whole
confidence interval** of the value lies on the wrong side of the bound:

* :func:`assert_on_time` uses the Wilson score interval of P(on time)
  (``at_least=0.9`` fails only when even the interval's upper end is below 0.9);
* :func:`assert_completion` uses the distribution-free order-statistic interval
  of the percentile (:mod:`sim.answers.uncertainty`): ``before=D`` fails only
  when even the interval's early end is on or after ``D``, ``after=D`` only when
  even its late end is before ``D``.

The stated tolerance: with the default ``confidence=0.99``, a scenario whose
true value lies exactly on the bound fails at most 0.5 % of the time over
seeds (one side of the interval); one whose true value lies beyond the bound
is caught once *n* makes the interval narrower than the gap (about ±2.6
standard errors: ±0.06 for P(on time) near 0.8 at n = 300). With the scenario's
fixed seed a run repeats exactly, so a test changes its answer only when the
model or the scenario changes. Dates follow the ``expect:`` block: a bare date
is 00:00 of that day, local Niamey time (UTC+1); a date-time with an offset is
converted to Niamey time.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.answers.results import RunResult

DEFAULT_CONFIDENCE = 0.99
NIAMEY = dt.timezone(dt.timedelta(hours=1), "Niamey")

Moment = dt.datetime | dt.date | str


def _percent(confidence: float) -> str:
    return f"{confidence * 100:g} %"


def _provenance(result: RunResult) -> str:
    return f"{result.replications} replications, seed {result.scenario.simulation.seed}"


def assert_on_time(
    result: RunResult,
    at_least: float | None = None,
    at_most: float | None = None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> None:
    """Assert that P(on time) is at least ``at_least`` (and/or at most ``at_most``).

    Fails only when the whole Wilson interval at ``confidence`` lies below
    ``at_least`` (or above ``at_most``); see the module docstring for the rule.
    """
    from sim.answers.uncertainty import proportion_interval

    if at_least is None and at_most is None:
        raise ValueError("assert_on_time needs at_least=, at_most= or both")
    for name, bound in (("at_least", at_least), ("at_most", at_most)):
        if bound is not None and not 0 <= bound <= 1:
            raise ValueError(f"{name} is a probability in [0, 1] (got {bound})")
    successes, trials = int(result.on_time.sum()), result.replications
    low, high = proportion_interval(successes, trials, confidence)
    found = (
        f"{successes / trials:.4g} ({successes} of {_provenance(result)}), "
        f"{_percent(confidence)} interval {low:.4g}–{high:.4g}"
    )
    name = result.scenario.name
    if at_least is not None and high < at_least:
        raise AssertionError(
            f"P(on time) of {name} is below {at_least:g} beyond Monte Carlo error: {found}, "
            f"wholly below {at_least:g}"
        )
    if at_most is not None and low > at_most:
        raise AssertionError(
            f"P(on time) of {name} is above {at_most:g} beyond Monte Carlo error: {found}, "
            f"wholly above {at_most:g}"
        )


def _percentile(which: str) -> float:
    match = re.fullmatch(r"[pP](\d+(?:\.\d+)?)", which.strip())
    q = float(match.group(1)) if match else math.nan
    if not 0 < q < 100:
        raise ValueError(f"the percentile is written p10, p50, p90 … (got {which!r})")
    return q


def _local(moment: Moment, name: str) -> dt.datetime:
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            raise ValueError(
                f"{name} must be an ISO 8601 date or date-time such as 2024-08-01 (got {moment!r})"
            ) from None
    if not isinstance(moment, dt.datetime):
        return dt.datetime(moment.year, moment.month, moment.day)
    if moment.tzinfo is not None:
        return moment.astimezone(NIAMEY).replace(tzinfo=None)
    return moment


def assert_completion(
    result: RunResult,
    percentile: str,
    *,
    after: Moment | None = None,
    before: Moment | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> None:
    """Assert that a completion percentile (``"p50"``) lies in ``after ≤ completion < before``.

    Fails only when the whole order-statistic interval at ``confidence`` lies
    on or after ``before`` (or before ``after``); see the module docstring.
    Unfinished replications count as later than any date.
    """
    from sim.answers.expectations import interval_end
    from sim.answers.scoring import percentile as estimate
    from sim.answers.uncertainty import quantile_interval

    if after is None and before is None:
        raise ValueError("assert_completion needs after=, before= or both")
    q = _percentile(percentile)
    scenario = result.scenario
    hours = result.completion_hours
    interval = quantile_interval(hours, q / 100, confidence)

    def when(value: float) -> str:
        return interval_end(result, value)

    ranks = (
        f"order statistics {interval.low_rank or '–'} and {interval.high_rank or '–'} "
        f"of {_provenance(result)}"
    )
    found = (
        f"{when(estimate(hours, q))}, {_percent(confidence)} interval "
        f"{when(interval.low)} – {when(interval.high)} ({ranks})"
    )
    label = f"completion {percentile.strip().upper()} of {scenario.name}"
    if before is not None:
        limit = _local(before, "before")
        if interval.low >= scenario.hours_since_start(limit):
            stamp = limit.isoformat(timespec="minutes")
            raise AssertionError(
                f"{label} is not before {stamp} beyond Monte Carlo error: {found}, "
                f"wholly on or after {stamp}"
            )
    if after is not None:
        limit = _local(after, "after")
        if interval.high < scenario.hours_since_start(limit):
            stamp = limit.isoformat(timespec="minutes")
            raise AssertionError(
                f"{label} is before {stamp} beyond Monte Carlo error: {found}, "
                f"wholly before {stamp}"
            )
