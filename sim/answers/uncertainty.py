"""Monte Carlo error: how far a finite run's numbers may lie from the model's true ones.

A run of *n* replications estimates two kinds of number, each with its interval:

* **a proportion** (P(on time), a milestone's P(met), the unfinished fraction):
  *k* successes of *n*; its interval is the Wilson score interval (see
  :func:`sim.answers.scoring.wilson_interval`) at the confidence asked for.
* **a percentile** of completion (P10, P50, P90): the distribution-free
  order-statistic interval. The number *B* of replications that complete no
  later than the true *q*-quantile is Binomial(*n*, *q*), whatever the shape of
  the distribution, so the *r*-th and *s*-th fastest replications bracket the
  true quantile with probability P(*r* ≤ *B* < *s*) = F(*s* − 1) − F(*r* − 1).
  *r* is the largest rank with F(*r* − 1) ≤ α/2 and *s* the smallest with
  1 − F(*s* − 1) ≤ α/2, so each side misses at most α/2 of the time (with 100
  replications the 95 % interval of the median runs from the 40th to the 61st
  fastest). Unfinished replications count as later than any date, as in the
  percentiles themselves; when *n* is too small for a rank on one side, that side
  is unbounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


def z_for(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.96 for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1) (got {confidence})")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def proportion_interval(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` of ``trials`` at ``confidence``."""
    from sim.answers.scoring import wilson_interval

    return wilson_interval(successes, trials, z_for(confidence))


@dataclass(frozen=True, slots=True)
class QuantileInterval:
    """Ranks (1-based, ``None`` when unbounded on that side) and values bracketing a quantile."""

    low_rank: int | None
    high_rank: int | None
    low: float
    high: float


def _binomial_cdf(trials: int, probability: float) -> np.ndarray:
    """P(B ≤ k) for k = 0 … trials, B ~ Binomial(trials, probability), 0 < probability < 1."""
    log_factorials = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, trials + 1)))))
    k = np.arange(trials + 1)
    log_pmf = (
        log_factorials[trials]
        - log_factorials[k]
        - log_factorials[trials - k]
        + k * math.log(probability)
        + (trials - k) * math.log1p(-probability)
    )
    return np.cumsum(np.exp(log_pmf))


def quantile_ranks(trials: int, q: float, confidence: float) -> tuple[int | None, int | None]:
    """The ranks ``(r, s)`` of the order-statistic interval of the ``q``-quantile (0 < q < 1).

    ``r`` is None when even the fastest replication is too late to be a lower
    bound, ``s`` None when even the slowest is too early to be an upper one.
    """
    if not 0 < q < 1:
        raise ValueError(f"q must lie in (0, 1) (got {q})")
    z_for(confidence)  # validates confidence
    if trials < 1:
        return (None, None)
    tail = (1 - confidence) / 2
    cdf = _binomial_cdf(trials, q)
    r = int(np.searchsorted(cdf, tail, side="right"))  # ranks 1..r have F(rank - 1) ≤ tail
    s = int(np.searchsorted(cdf, 1 - tail, side="left")) + 1  # first F(s - 1) ≥ 1 - tail
    return (r if r >= 1 else None, s if s <= trials else None)


def quantile_interval(values: np.ndarray, q: float, confidence: float) -> QuantileInterval:
    """The interval of the ``q``-quantile (0 < q < 1) of ``values`` (+inf allowed, nan skipped).

    A side without a rank is ``-inf`` (low) or ``nan`` (high): +inf is taken,
    it is the value of an unfinished replication.
    """
    ordered = np.sort(values[~np.isnan(values)])
    low_rank, high_rank = quantile_ranks(len(ordered), q, confidence)
    low = float(ordered[low_rank - 1]) if low_rank is not None else -math.inf
    high = float(ordered[high_rank - 1]) if high_rank is not None else math.nan
    return QuantileInterval(low_rank, high_rank, low, high)
