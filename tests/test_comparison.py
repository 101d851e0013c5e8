"""Paired statistics of ``sim.comparison``: Tango's score interval for P(on time).

Notation: ``b`` pairs where only the other scenario was on time, ``c`` pairs where
only the baseline was, ``n`` pairs; the difference is (b − c)/n. z = 1.959964,
z² = 3.841459. Tango's statistic at a difference Δ is
``T(Δ) = (b − c − nΔ) / √(n(2q̂ + Δ(1 − Δ)))`` with q̂ the positive root of
``2n·q² + (−b − c + (2n − b + c)Δ)·q − cΔ(1 − Δ) = 0``; the interval is |T| ≤ z.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.answers.comparison import MedianBootstrap, paired_proportion_difference, tango_interval
from sim.answers.score import Interval
from sim.answers.scoring import PERCENTILE_METHOD

Z = 1.959963984540054
Z2 = Z * Z  # 3.841459


def tango_statistic(b: int, c: int, n: int, delta: float) -> float:
    """T(Δ), written out again from Tango (1998), independently of the module."""
    quadratic_a = 2 * n
    quadratic_b = -b - c + (2 * n - b + c) * delta
    quadratic_c = -c * delta * (1 - delta)
    q = (math.sqrt(quadratic_b**2 - 4 * quadratic_a * quadratic_c) - quadratic_b) / (
        2 * quadratic_a
    )
    return (b - c - n * delta) / math.sqrt(n * (2 * q + delta * (1 - delta)))


def test_no_discordant_pair_does_not_collapse() -> None:
    """b = c = 0: for Δ > 0 the quadratic is 2n·q² + 2nΔ·q = 0, so q̂ = 0 and
    T = −nΔ/√(nΔ(1 − Δ)); |T| = z gives nΔ/(1 − Δ) = z², Δ = z²/(n + z²), and
    symmetrically below. n = 100: 3.841459 / 103.841459 = 0.036993."""
    assert tango_interval(0, 0, 100) == pytest.approx((-0.036993, 0.036993), abs=1e-6)
    # n = 1000: 3.841459 / 1003.841459 = 0.0038268
    assert tango_interval(0, 0, 1000) == pytest.approx((-0.0038268, 0.0038268), abs=1e-7)


def test_discordant_pairs_one_way_give_the_wilson_interval_where_q_is_zero() -> None:
    """b = 10, c = 0, n = 100: the quadratic's c-term vanishes; where
    B = −10 + 190Δ > 0 (Δ > 0.0526) q̂ = 0 and T = (10 − 100Δ)/√(100Δ(1 − Δ)),
    whose roots |T| = z are the Wilson interval of 10/100:
    centre (0.1 + z²/200)/(1 + z²/100) = 0.1192073/1.0384146 = 0.114797,
    half z·√(0.1·0.9/100 + z²/40000)/1.0384146 = 1.959964·0.0315601/1.0384146
    = 0.059568 → [0.055229, 0.174366]; both lie above 0.0526."""
    assert tango_interval(10, 0, 100) == pytest.approx((0.055229, 0.174366), abs=2e-6)
    # Swapping the roles of the two scenarios mirrors the interval.
    assert tango_interval(0, 10, 100) == pytest.approx((-0.174366, -0.055229), abs=2e-6)


def test_lower_limit_on_the_branch_where_q_is_positive() -> None:
    """b = 15, c = 0, n = 20. Below Δ = b/(2n − b) = 0.6, B < 0 and q̂ = −B/(2n)
    = (15 − 25Δ)/40, so n(2q̂ + Δ(1 − Δ)) = (1 + Δ)(15 − 20Δ) and
    T = √((15 − 20Δ)/(1 + Δ)) = z gives Δ = (15 − z²)/(20 + z²)
    = 11.158541/23.841459 = 0.468031 (below 0.6, so on this branch).
    Above 0.6, q̂ = 0: Wilson upper limit of 15/20 = (0.75 + z²/40)/(1 + z²/20)
    + z·√(0.75·0.25/20 + z²/1600)/(1 + z²/20) = 0.709717 + 0.178421 = 0.888138."""
    assert tango_interval(15, 0, 20) == pytest.approx((0.468031, 0.888138), abs=2e-6)


def test_all_pairs_discordant_one_way_reaches_one() -> None:
    """b = n = 10: the lower limit as above, (10 − z²)/(10 + z²) = 6.158541/13.841459
    = 0.444934; the estimate is 1, the upper limit 1."""
    assert tango_interval(10, 0, 10) == pytest.approx((0.444934, 1.0), abs=2e-6)


@pytest.mark.parametrize(("b", "c", "n"), [(7, 3, 50), (5, 5, 50), (40, 20, 160), (1, 2, 1000)])
def test_discordant_pairs_both_ways_solve_the_score_equation(b: int, c: int, n: int) -> None:
    """With both b and c > 0 the limits are roots of a quartic: check that T = ±z
    there (T written out above) and that the estimate (b − c)/n lies inside."""
    lower, upper = tango_interval(b, c, n)
    assert tango_statistic(b, c, n, lower) == pytest.approx(Z, abs=1e-6)
    assert tango_statistic(b, c, n, upper) == pytest.approx(-Z, abs=1e-6)
    assert lower < (b - c) / n < upper


def test_equal_discordant_counts_give_a_symmetric_interval() -> None:
    """b = c: T(−Δ) = −T(Δ) (swap b and c), so the interval is symmetric about 0."""
    lower, upper = tango_interval(5, 5, 50)
    assert lower == pytest.approx(-upper, abs=1e-9)
    assert 0 < upper < 1


def test_paired_proportion_difference_reports_counts_and_interval() -> None:
    """20 pairs: 16 agree (12 both on time, 4 both late), 3 only-other, 1 only-baseline:
    difference (3 − 1)/20 = 0.1."""
    baseline = np.array([True] * 12 + [False] * 4 + [False] * 3 + [True])
    other = np.array([True] * 12 + [False] * 4 + [True] * 3 + [False])
    result = paired_proportion_difference(baseline, other)
    assert result.difference == 0.1
    assert result.only_other_on_time == 3
    assert result.only_baseline_on_time == 1
    lower, upper = result.ci95
    assert lower < 0 < 0.1 < upper  # two discordant pairs more prove nothing at n = 20
    assert (lower, upper) == tango_interval(3, 1, 20)
    assert result.method == "Tango's score interval for paired proportions"


def test_identical_runs_keep_a_width_of_z2_over_n_plus_z2() -> None:
    """Every pair agrees (all 50 on time): ±3.841459/53.841459 = ±0.0713 at 4 decimals."""
    same = np.ones(50, dtype=bool)
    result = paired_proportion_difference(same, same)
    assert result.difference == 0.0
    assert result.ci95.low == pytest.approx(-0.0713, abs=5e-5)
    assert result.ci95.high == pytest.approx(0.0713, abs=5e-5)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 11, 250, 251, 40_000])
@pytest.mark.parametrize("kind", ["plain", "unfinished", "ties", "nan", "all unfinished"])
def test_resampled_medians_are_the_values_np_percentile_takes(n: int, kind: str) -> None:
    """Medians picked by rank equal np.percentile's, bit for bit: unfinished (+inf)
    replications, ties and NaN included."""
    rng = np.random.default_rng(n)
    hours = rng.random(n) * 1000.0
    if kind == "unfinished":
        hours[rng.random(n) < 0.3] = math.inf
    elif kind == "ties":
        hours = np.round(hours / 100.0) * 100.0
    elif kind == "nan":
        hours[rng.random(n) < 0.1] = math.nan
    elif kind == "all unfinished":
        hours[:] = math.inf
    rows = rng.integers(0, n, size=(40, n))
    with np.errstate(invalid="ignore"):
        expected = np.percentile(hours[rows], 50, axis=-1, method=PERCENTILE_METHOD)
        point = np.percentile(hours, 50, method=PERCENTILE_METHOD)
    assert np.array_equal(MedianBootstrap._median(hours, rows), expected, equal_nan=True)
    assert np.array_equal(MedianBootstrap._median(hours, np.arange(n)), point, equal_nan=True)


def test_median_difference_of_a_shift_is_the_shift_with_a_narrow_interval() -> None:
    """Every replication a day later: the median moves by exactly one day, in every resample."""
    hours = np.random.default_rng(3).random(300) * 2000.0
    bootstrap = MedianBootstrap(hours, seed=11)
    later = bootstrap.difference(hours + 24.0)
    assert later.difference_days == pytest.approx(1.0)
    assert later.ci95_days is not None
    assert later.ci95_days.low == pytest.approx(1.0)
    assert later.ci95_days.high == pytest.approx(1.0)
    same = bootstrap.difference(hours)
    assert (same.difference_days, same.ci95_days) == (0.0, Interval(0.0, 0.0))
    unfinished = bootstrap.difference(np.full(300, math.inf))
    assert (unfinished.difference_days, unfinished.ci95_days) == (None, None)
