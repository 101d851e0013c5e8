"""Monte Carlo error of proportions and percentiles, checked against binomial sums by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.answers.uncertainty import (
    proportion_interval,
    quantile_interval,
    quantile_ranks,
    z_for,
)


def binomial_cdf(k: int, n: int, q: float) -> float:
    """P(B ≤ k) for B ~ Binomial(n, q), summed exactly term by term."""
    return sum(math.comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(k + 1))


def test_z_for_the_usual_levels() -> None:
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.99) == pytest.approx(2.575829, abs=1e-6)
    with pytest.raises(ValueError, match="confidence"):
        z_for(1.0)


def test_median_of_100_is_bracketed_by_the_40th_and_61st() -> None:
    # The textbook table value (e.g. Conover, Practical Nonparametric Statistics):
    # P(B ≤ 39) = 0.0176 ≤ 0.025 < P(B ≤ 40) = 0.0284, so r = 40;
    # P(B ≤ 59) = 0.9716 < 0.975 ≤ P(B ≤ 60) = 0.9824, so s - 1 = 60.
    assert binomial_cdf(39, 100, 0.5) == pytest.approx(0.0176, abs=1e-4)
    assert binomial_cdf(40, 100, 0.5) == pytest.approx(0.0284, abs=1e-4)
    assert binomial_cdf(59, 100, 0.5) == pytest.approx(0.9716, abs=1e-4)
    assert binomial_cdf(60, 100, 0.5) == pytest.approx(0.9824, abs=1e-4)
    assert quantile_ranks(100, 0.5, 0.95) == (40, 61)


def test_p90_of_200_by_the_binomial_tails() -> None:
    # B ~ Binomial(200, 0.9), mean 180, sd 4.24. The ranks are the largest r with
    # P(B ≤ r - 1) ≤ 0.025 and the smallest s with P(B ≤ s - 1) ≥ 0.975.
    r, s = quantile_ranks(200, 0.9, 0.95)
    assert r is not None
    assert s is not None
    assert binomial_cdf(r - 1, 200, 0.9) <= 0.025 < binomial_cdf(r, 200, 0.9)
    assert binomial_cdf(s - 2, 200, 0.9) < 0.975 <= binomial_cdf(s - 1, 200, 0.9)
    assert 170 < r < 180 < s < 190


def test_too_few_replications_leave_a_side_unbounded() -> None:
    # n = 3: P(B = 0) = 1/8 = 0.125 > 0.025 and P(B ≤ 2) = 7/8 < 0.975.
    assert quantile_ranks(3, 0.5, 0.95) == (None, None)
    interval = quantile_interval(np.array([1.0, 2.0, 3.0]), 0.5, 0.95)
    assert interval.low == -math.inf
    assert math.isnan(interval.high)


def test_quantile_interval_reads_sorted_values_and_keeps_unfinished() -> None:
    # 100 values 1..100 in reverse, two NaNs skipped: the 40th and 61st are 40 and 61.
    values = np.concatenate((np.arange(100.0, 0.0, -1.0), [np.nan, np.nan]))
    interval = quantile_interval(values, 0.5, 0.95)
    assert (interval.low_rank, interval.high_rank, interval.low, interval.high) == (
        40,
        61,
        40.0,
        61.0,
    )
    # Unfinished replications (+inf) are the slowest: with 45 of them the 61st is +inf.
    values = np.concatenate((np.arange(1.0, 56.0), np.full(45, np.inf)))
    assert quantile_interval(values, 0.5, 0.95).high == math.inf


def test_proportion_interval_at_99_percent() -> None:
    # 40 of 40: the Wilson lower end is n / (n + z²) = 40 / (40 + 2.5758²) = 40 / 46.635.
    low, high = proportion_interval(40, 40, 0.99)
    assert low == pytest.approx(40 / (40 + 2.575829**2), abs=1e-6)
    assert high == 1.0
