"""Comparing courses of action run with common random numbers.

``compare`` runs every scenario with the same root seed and replication
indices, so replication *i* of scenario A and replication *i* of scenario B
share their weather, clearance lead times, leg times… wherever the scenarios
share structure. The differences are then *paired*: most of the luck cancels
out, and a real difference shows with far fewer replications than two
independent runs would need.

- **P(on time)**: mean of the paired differences ``d_i = on_time_B,i − on_time_A,i``
  with Tango's 95 % score interval for paired proportions, which does not
  collapse to a point when every pair agrees; the counts of pairs where only one
  of the two was on time (McNemar's discordant pairs) come with it.
- **Median completion**: difference of the medians (B − A, in days), with a 95 %
  percentile-bootstrap interval over replication pairs (2,000 resamples, fixed
  seed, so the same runs always give the same interval).

The ranking orders scenarios by P(on time) (higher first), then by median
completion (earlier first; unfinished last), then by their order on the command line.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from sim.answers.results import Comparison, RunResult
from sim.answers.score import (
    ComparisonScore,
    Difference,
    Interval,
    MedianDifference,
    ProportionDifference,
    Ranked,
)
from sim.answers.scoring import PERCENTILE_METHOD, Z95


def _tango_score(only_other: int, only_baseline: int, n: int, delta: float) -> float:
    """Tango's score statistic for the paired difference ``delta`` (other − baseline).

    ``(b − c − n·Δ) / √(n·(2·q̂ + Δ·(1 − Δ)))`` with ``b`` = pairs where only the
    other was on time, ``c`` = pairs where only the baseline was, and ``q̂`` the
    maximum-likelihood estimate of P(only the baseline on time) given ``Δ``: the
    positive root of ``2n·q² + (−b − c + (2n − b + c)·Δ)·q − c·Δ·(1 − Δ) = 0``.
    A zero variance (``Δ`` = ±1) gives ±infinity, with the sign of the numerator.
    """
    b, c = only_other, only_baseline
    quadratic_b = -b - c + (2 * n - b + c) * delta
    quadratic_c = -c * delta * (1.0 - delta)
    root = math.sqrt(max(quadratic_b * quadratic_b - 8.0 * n * quadratic_c, 0.0))
    q = (root - quadratic_b) / (4.0 * n)
    variance = n * (2.0 * q + delta * (1.0 - delta))
    numerator = b - c - n * delta
    if variance <= 0.0:
        return math.copysign(math.inf, numerator) if numerator else 0.0
    return numerator / math.sqrt(variance)


def tango_interval(
    only_other: int, only_baseline: int, n: int, z: float = Z95
) -> tuple[float, float]:
    """Tango's (1998) score interval for a difference of paired proportions.

    The difference is P(other on time) − P(baseline on time) = (b − c)/n. The
    interval holds every ``Δ`` whose score statistic (:func:`_tango_score`) lies
    within ±``z``; the statistic decreases with ``Δ``, so each limit is found by
    bisection between the estimate and −1 or +1. It depends on the discordant
    counts ``b``, ``c`` and on ``n`` only, and never collapses to a point: with no
    discordant pair it is ±z²/(n + z²). Reference: T. Tango, "Equivalence test and
    confidence interval for the difference in proportions for the paired-sample
    design", Statistics in Medicine 17 (1998) 891–908.
    """
    if n <= 0:
        return (-1.0, 1.0)
    estimate = (only_other - only_baseline) / n

    def limit(low: float, high: float, target: float) -> float:
        # score(low) > target ≥ score(high) throughout (the statistic decreases).
        for _ in range(200):
            middle = 0.5 * (low + high)
            if middle in (low, high):
                break
            if _tango_score(only_other, only_baseline, n, middle) > target:
                low = middle
            else:
                high = middle
        return 0.5 * (low + high)

    lower = -1.0 if estimate <= -1.0 else limit(-1.0, estimate, z)
    upper = 1.0 if estimate >= 1.0 else limit(estimate, 1.0, -z)
    return (lower, upper)


def paired_proportion_difference(
    baseline: np.ndarray, other: np.ndarray, z: float = Z95
) -> ProportionDifference:
    """Difference in P(on time), other − baseline, over paired replications.

    The interval is Tango's score interval for paired proportions
    (:func:`tango_interval`): with common random numbers most pairs agree, and
    only the discordant pairs (McNemar's ``b`` and ``c``, reported with it) move
    the difference. When no pair disagrees the interval still has the width that
    ``n`` pairs allow (±z²/(n + z²): ±0.0370 at n = 100), not ``[0, 0]``.
    """
    only_baseline = int(np.sum(baseline & ~other))
    only_other = int(np.sum(other & ~baseline))
    n = int(baseline.size)
    mean = (only_other - only_baseline) / n if n else 0.0
    lower, upper = tango_interval(only_other, only_baseline, n, z)
    return ProportionDifference(
        difference=mean,
        ci95=Interval(lower, upper),
        only_baseline_on_time=only_baseline,
        only_other_on_time=only_other,
        method="Tango's score interval for paired proportions",
    )


class MedianBootstrap:
    """Differences of median completion (other − baseline) in days, with bootstrap intervals.

    Replication pairs are resampled together (so the pairing of common random
    numbers is kept), with a fixed seed so the interval is reproducible; the
    interval is the 2.5 and 97.5 percentiles of the resampled differences. A
    median that is unfinished (+inf) makes the difference undefined (``None``).

    Every scenario of a comparison is resampled with the same rows (the same seed),
    so the baseline's medians are computed once, not once for each scenario; the rows
    are drawn again for each (in batches of at most 2,000,000 indices, as memory
    allows), never kept.
    """

    def __init__(self, baseline_hours: np.ndarray, *, seed: int, resamples: int = 2000) -> None:
        self.baseline_hours = baseline_hours
        self.seed = seed
        self.resamples = resamples
        n = baseline_hours.size
        self._batch = max(1, min(resamples, 2_000_000 // max(n, 1)))
        self._point = self._median(baseline_hours, np.arange(n)) if n else np.asarray(np.nan)
        self._resampled = [self._median(baseline_hours, rows) for rows in self._rows()]

    def _rows(self) -> Iterator[np.ndarray]:
        n = self.baseline_hours.size
        if n == 0:
            return
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**32 - 1,)))
        remaining = self.resamples
        while remaining > 0:
            size = min(self._batch, remaining)
            yield rng.integers(0, n, size=(size, n))
            remaining -= size

    @staticmethod
    def _median(hours: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The median of ``hours`` in each row of ``rows``: the value np.percentile takes.

        With the inverted CDF a median is one of the values, never between two, so it
        is picked by rank: the ranks of the hours are sorted row by row (a radix sort
        of small integers, several times faster than partitioning the hours), and
        the rank at the median's position gives the value. A row with a NaN gives
        NaN, as np.percentile does.
        """
        n = hours.size
        order = np.argsort(hours, kind="stable")  # (NaNs last)
        ordered = hours[order]
        ranks = np.empty(n, dtype=np.int16 if n <= np.iinfo(np.int16).max else np.int64)
        ranks[order] = np.arange(n)
        position = int(np.percentile(np.arange(n, dtype=float), 50, method=PERCENTILE_METHOD))
        sorted_ranks = np.sort(ranks[rows], axis=-1)
        medians = np.asarray(ordered[sorted_ranks[..., position]])
        if n and np.isnan(ordered[-1]):
            medians = np.where(np.isnan(ordered[sorted_ranks[..., -1]]), np.nan, medians)
        return medians

    def difference(self, other_hours: np.ndarray) -> MedianDifference:
        """Other − baseline, for ``other_hours`` paired with the baseline's replications."""
        if self.baseline_hours.size == 0:
            return MedianDifference(difference_days=None, ci95_days=None, method="bootstrap")
        if other_hours is self.baseline_hours:
            point_other, others = self._point, self._resampled
        else:
            point_other = self._median(other_hours, np.arange(other_hours.size))
            others = [self._median(other_hours, rows) for rows in self._rows()]
        with np.errstate(invalid="ignore"):
            point = float((point_other - self._point) / 24.0)
            resampled = np.concatenate(
                [(b - a) / 24.0 for a, b in zip(self._resampled, others, strict=True)]
            )
        finite = resampled[np.isfinite(resampled)]
        interval = None
        if finite.size == resampled.size and math.isfinite(point):
            interval = Interval(
                float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5))
            )
        return MedianDifference(
            difference_days=point if math.isfinite(point) else None,
            ci95_days=interval,
            method=f"bootstrap over replication pairs ({self.resamples} resamples, fixed seed)",
        )


def build_comparison(results: tuple[RunResult, ...], *, seed: int) -> Comparison:
    """Rank runs (made with the same seed and replications) and compare each with the first."""
    baseline = results[0]
    medians = MedianBootstrap(baseline.completion_hours, seed=seed)
    differences = tuple(
        Difference(
            scenario=result.scenario.name,
            p_on_time=paired_proportion_difference(baseline.on_time, result.on_time),
            completion_p50=medians.difference(result.completion_hours),
        )
        for result in results
    )

    def sort_key(position: int) -> tuple[float, float, int]:
        result = results[position]
        median = float(np.percentile(result.completion_hours, 50, method=PERCENTILE_METHOD))
        return (-result.p_on_time, median if math.isfinite(median) else math.inf, position)

    ranking = tuple(
        Ranked(rank=rank, score=results[position].score, difference=differences[position])
        for rank, position in enumerate(sorted(range(len(results)), key=sort_key), start=1)
    )
    score = ComparisonScore(
        baseline=baseline.scenario.name,
        seed=seed,
        replications=baseline.replications,
        ranking=ranking,
        differences=differences,
        runs=tuple(result.score for result in results),
    )
    return Comparison(results=results, score=score)
