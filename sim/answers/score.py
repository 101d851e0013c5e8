"""The answers as typed, frozen values at full precision: what scoring and comparing produce.

A :class:`Score` is everything a planner reads about one run: P(on time) with
its Wilson interval, completion and slack percentiles, sensitive cargo out,
milestones, the verdict, lateness drivers, mean counters, and where the run came
from. A :class:`ComparisonScore` ranks several scores and holds their paired
differences; a :class:`SweepRow` is one combination of a sweep with its score.

Nothing here is rounded, and no date is a string: instants are
:class:`datetime.datetime` values on the scenario's clock, **naive, in local
Niamey time** (UTC+1, no daylight saving), as :meth:`Scenario.moment
<sim.scenario.contract.Scenario.moment>` gives them; an instant that never came
(a percentile of replications unfinished within the horizon) is ``None``.
Renderers (:mod:`sim.render.text`, :mod:`sim.render.data`,
:mod:`sim.render.html`, :mod:`sim.plots`) all read these objects;
:mod:`sim.render.data` is the one place that rounds and writes ISO strings and
``null`` for JSON and CSV.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Verdict(enum.StrEnum):
    """What P(on time) says: ``on track`` (≥ 0.9), ``at risk`` (≥ 0.5) or ``late``."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    LATE = "late"


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval ``[low, high]``; unpacks as ``low, high = interval``."""

    low: float
    high: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.low, self.high))


@dataclass(frozen=True, slots=True)
class Percentiles(Generic[T]):
    """P10, P50 and P90 of a quantity over the replications."""

    p10: T
    p50: T
    p90: T


@dataclass(frozen=True, slots=True)
class CompletionDates:
    """When everything was out: percentiles, mean and range (``None``: not within the horizon).

    The mean and the maximum are ``None`` as soon as one replication is unfinished.
    """

    p10: dt.datetime | None
    p50: dt.datetime | None
    p90: dt.datetime | None
    mean: dt.datetime | None
    min: dt.datetime | None
    max: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SensitiveOut:
    """When the last sensitive unit left (``None``: never, or there is no sensitive cargo)."""

    p50: dt.datetime | None
    p90: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MilestoneScore:
    """A milestone of the scenario and the share of replications that met it."""

    name: str
    by: dt.date
    """Met when the shares left strictly before the end of this day."""
    personnel: float | None
    """Share of the people that must be out (``None``: no requirement on people)."""
    cargo: float | None
    """Share of the cargo weight that must be out (``None``: none on cargo)."""
    p_met: float


@dataclass(frozen=True, slots=True)
class DriverHours:
    """Aircraft-hours lost to one cause, per replication, in the basis of the drivers."""

    driver: str
    """The counter's name (a key of ``LATENESS_DRIVERS``)."""
    name: str
    """What a planner calls the cause."""
    mean_hours: float
    share: float
    """Of the hours lost to all causes (0 when none were lost)."""
    excess_hours: float | None
    """Mean over the basis minus mean over the other replications (``None``: no others)."""


@dataclass(frozen=True, slots=True)
class LatenessDrivers:
    """Which causes of lost time dominate in the late (or slowest) replications."""

    basis: str
    """``"late replications"`` or ``"slowest tenth"`` when none is late."""
    replications: int
    drivers: tuple[DriverHours, ...]
    """Most hours first; ties keep the order of ``LATENESS_DRIVERS``."""
    commercial_seats_lost_mean: float


@dataclass(frozen=True, slots=True)
class Precision:
    """How ``until_precision`` ended: the Wilson half-width reached (or the cap)."""

    target_half_width: float
    half_width: float
    reached: bool
    replications_needed: int
    max_replications: int
    batches: int


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a run came from: enough to run it again and to tell two runs apart."""

    scenario: str
    digest: str
    source: str | None
    seed: int
    replications: int
    version: str
    jobs: int
    chunk_size: int
    wall_seconds: float
    overrides: tuple[str, ...] = ()
    """The overrides applied after ``extends``, as ``KEY=VALUE`` (``--set`` or a mapping)."""
    status: StatusUsed | None = None
    """The status a forecast started from (``--status``); None for a run from ``start``."""


@dataclass(frozen=True, slots=True)
class StatusUsed:
    """The status file a forecast started from: its moment and where it was read."""

    as_of: dt.datetime
    source: str | None


@dataclass(frozen=True, slots=True)
class Score:
    """One scenario run many times, scored against its deadline (see :mod:`sim.answers.scoring`)."""

    scenario: str
    replications: int
    seed: int
    deadline: dt.date
    verdict: Verdict
    p_on_time: float
    p_on_time_ci95: Interval
    completion: CompletionDates
    slack_days: Percentiles[float | None]
    """Deadline end minus completion at each percentile, in days (``None``: unfinished)."""
    sensitive_out: SensitiveOut
    unfinished: int
    unfinished_reasons: Mapping[str, int]
    """Reason → replications, most frequent first."""
    milestones: tuple[MilestoneScore, ...]
    lateness_drivers: LatenessDrivers
    counters: Mapping[str, float]
    """Mean per replication of every counter, in the order of ``COUNTER_NAMES``."""
    percentile_method: str
    provenance: Provenance
    precision: Precision | None = None


# --- several runs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProportionDifference:
    """P(on time) of a scenario minus the baseline's, over paired replications."""

    difference: float
    ci95: Interval
    only_baseline_on_time: int
    only_other_on_time: int
    method: str


@dataclass(frozen=True, slots=True)
class MedianDifference:
    """Median completion of a scenario minus the baseline's, in days (``None``: unfinished)."""

    difference_days: float | None
    ci95_days: Interval | None
    method: str


@dataclass(frozen=True, slots=True)
class Difference:
    """One scenario against the baseline (the baseline against itself: zero)."""

    scenario: str
    p_on_time: ProportionDifference
    completion_p50: MedianDifference


@dataclass(frozen=True, slots=True)
class Ranked:
    """A place in the ranking: the scenario's score and its difference from the baseline."""

    rank: int
    score: Score
    difference: Difference


@dataclass(frozen=True, slots=True)
class ComparisonScore:
    """Several scenarios run with common random numbers, ranked, each against the first."""

    baseline: str
    seed: int
    replications: int
    ranking: tuple[Ranked, ...]
    differences: tuple[Difference, ...]
    """In the order the scenarios were given (the baseline first)."""
    runs: tuple[Score, ...]
    """In the order the scenarios were given."""
    warnings: tuple[str, ...] = ()
    """What makes the comparison less than it seems (scenarios that extend different bases)."""


@dataclass(frozen=True, slots=True)
class SweepRow:
    """One combination of a sweep: the swept fields' values (as written) and the score."""

    values: tuple[tuple[str, str], ...]
    score: Score

    def value(self, key: str) -> str:
        return dict(self.values)[key]
