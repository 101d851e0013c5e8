"""Comparing courses of action run with common random numbers.

``compare`` runs every scenario with the same root seed and replication
indices, so replication *i* of scenario A and replication *i* of scenario B
share their weather, clearance lead times, leg times… wherever the scenarios
share structure. The differences are then *paired*: most of the luck cancels
out, and a real difference shows with far fewer replications than two
independent runs would need.

- **P(on time)**: mean of the paired differences ``d_i = on_time_B,i − on_time_A,i``
  with a normal 95 % interval (``mean ± 1.96·sd/√n``); the counts of pairs where
  only one of the two was on time (McNemar's discordant pairs) come with it.
- **Median completion**: difference of the medians (B − A, in days), with a 95 %
  percentile-bootstrap interval over replication pairs (2,000 resamples, fixed
  seed, so the same runs always give the same interval).

The ranking orders scenarios by P(on time) (higher first), then by median
completion (earlier first; unfinished last), then by their order on the command line.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.answers.results import Comparison, RunResult
from sim.answers.scoring import PERCENTILE_METHOD, Z95


def paired_proportion_difference(
    baseline: np.ndarray, other: np.ndarray, z: float = Z95
) -> dict[str, Any]:
    """Difference in P(on time), other − baseline, over paired replications.

    The interval is the normal interval of the mean of the paired differences
    ``d_i = other_i − baseline_i`` (each −1, 0 or +1): with common random numbers most
    pairs agree, and the interval is much narrower than one from two independent
    samples. The discordant counts are McNemar's ``b`` and ``c``. When no pair
    disagrees the interval is ``[0, 0]``: the two scenarios behaved alike in every
    replication run.
    """
    differences = other.astype(np.float64) - baseline.astype(np.float64)
    n = differences.size
    mean = float(differences.mean()) if n else 0.0
    sd = float(differences.std(ddof=1)) if n > 1 else 0.0
    half = z * sd / math.sqrt(n) if n else 0.0
    return {
        "difference": round(mean, 4),
        "ci95": [round(max(-1.0, mean - half), 4), round(min(1.0, mean + half), 4)],
        "only_baseline_on_time": int(np.sum(baseline & ~other)),
        "only_other_on_time": int(np.sum(other & ~baseline)),
        "method": "paired differences, normal interval",
    }


def bootstrap_median_difference(
    baseline_hours: np.ndarray, other_hours: np.ndarray, *, seed: int, resamples: int = 2000
) -> dict[str, Any]:
    """Difference of median completion (other − baseline) in days, with a bootstrap interval.

    Replication pairs are resampled together (so the pairing of common random
    numbers is kept), with a fixed seed so the interval is reproducible; the
    interval is the 2.5 and 97.5 percentiles of the resampled differences. A
    median that is unfinished (+inf) makes the difference undefined (``null``).
    """
    n = baseline_hours.size

    def medians(rows: np.ndarray) -> np.ndarray:
        a = np.percentile(baseline_hours[rows], 50, axis=-1, method=PERCENTILE_METHOD)
        b = np.percentile(other_hours[rows], 50, axis=-1, method=PERCENTILE_METHOD)
        with np.errstate(invalid="ignore"):
            return np.asarray((b - a) / 24.0)

    if n == 0:
        return {"difference_days": None, "ci95_days": [None, None], "method": "bootstrap"}
    point = float(medians(np.arange(n)))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**32 - 1,)))
    draws: list[np.ndarray] = []
    batch = max(1, min(resamples, 2_000_000 // max(n, 1)))
    remaining = resamples
    while remaining > 0:
        size = min(batch, remaining)
        draws.append(medians(rng.integers(0, n, size=(size, n))))
        remaining -= size
    resampled = np.concatenate(draws)
    finite = resampled[np.isfinite(resampled)]
    if finite.size < resampled.size or not math.isfinite(point):
        interval: list[float | None] = [None, None]
    else:
        interval = [
            round(float(np.percentile(finite, 2.5)), 3),
            round(float(np.percentile(finite, 97.5)), 3),
        ]
    return {
        "difference_days": round(point, 3) if math.isfinite(point) else None,
        "ci95_days": interval,
        "method": f"bootstrap over replication pairs ({resamples} resamples, fixed seed)",
    }


def build_comparison(results: tuple[RunResult, ...], *, seed: int) -> Comparison:
    """Rank runs (made with the same seed and replications) and compare each with the first."""
    baseline = results[0]
    differences: list[dict[str, Any]] = []
    for result in results:
        differences.append(
            {
                "scenario": result.scenario.name,
                "p_on_time": paired_proportion_difference(baseline.on_time, result.on_time),
                "completion_p50": bootstrap_median_difference(
                    baseline.completion_hours, result.completion_hours, seed=seed
                ),
            }
        )

    def sort_key(position: int) -> tuple[float, float, int]:
        result = results[position]
        median = float(np.percentile(result.completion_hours, 50, method=PERCENTILE_METHOD))
        return (-result.p_on_time, median if math.isfinite(median) else math.inf, position)

    ranking = []
    for rank, position in enumerate(sorted(range(len(results)), key=sort_key), start=1):
        summary = results[position].summary
        difference = differences[position]
        ranking.append(
            {
                "rank": rank,
                "scenario": summary["scenario"],
                "verdict": summary["verdict"],
                "p_on_time": summary["p_on_time"],
                "p_on_time_ci95": summary["p_on_time_ci95"],
                "completion_p50": summary["completion"]["p50"],
                "completion_p90": summary["completion"]["p90"],
                "p_on_time_difference": difference["p_on_time"]["difference"],
                "p_on_time_difference_ci95": difference["p_on_time"]["ci95"],
                "completion_p50_difference_days": difference["completion_p50"]["difference_days"],
                "completion_p50_difference_ci95_days": difference["completion_p50"]["ci95_days"],
            }
        )
    summary = {
        "baseline": baseline.scenario.name,
        "seed": seed,
        "replications": baseline.replications,
        "ranking": ranking,
        "differences": differences,
        "runs": [result.summary for result in results],
    }
    return Comparison(results=results, _summary=summary)
