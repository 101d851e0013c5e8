"""Uncertain numbers: the distribution forms a scenario may use for any *dist* field.

A dist is either a plain number (fixed) or a mapping with a ``dist`` key:

- ``{dist: uniform, low, high}``
- ``{dist: triangular, low, mode, high}``
- ``{dist: normal, mean, sd}`` — truncated at 0 (negative draws are redrawn)
- ``{dist: lognormal, median, p90}``
- ``{dist: exponential, mean}``
- ``{dist: choice, values: [...], weights: [...]}``

Every draw is clipped to the field's domain afterwards (``[0, 1]`` for
probabilities, ``≥ 0`` otherwise) so that a wide distribution can never produce
a negative duration or a probability above one.

Each model validates the mapping and gives its *law* (:mod:`sim.scenario.laws`),
the plain data the simulation draws from.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.laws import (
    ChoiceLaw,
    ExponentialLaw,
    LogNormalLaw,
    NormalLaw,
    RandomLaw,
    TriangularLaw,
    UniformLaw,
    bounds_of,
    is_fixed,
)

MAX_MAGNITUDE = 1e9
"""Largest number a dist may hold (any parameter or weight, in absolute value).

A billion hours, days, seats or kilograms is far beyond any drawdown; the limit
keeps sums of weights and draws finite (``[1e308, 1e308]`` would sum to infinity).
"""
MAX_LOGNORMAL_SPREAD = 1000.0
"""Largest ``p90 / median`` of a lognormal: σ ≤ ln(1000) / 1.28 ≈ 5.4, so a draw
cannot overflow a float (a ratio of 1e300 made σ ≈ 540 and ``exp`` overflowed)."""

Finite = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
Magnitude = Annotated[float, Field(gt=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class _DistModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    def law(self) -> RandomLaw:
        """The same distribution as plain data, for the simulation."""
        raise NotImplementedError  # pragma: no cover - overridden

    def mean(self) -> float:
        return self.law().mean()

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce (before clipping)."""
        return self.law().bounds()


class Uniform(_DistModel):
    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low must be ≤ high (got low={self.low}, high={self.high})")
        return self

    def law(self) -> UniformLaw:
        return UniformLaw(self.low, self.high)


class Triangular(_DistModel):
    dist: Literal["triangular"]
    low: Finite
    mode: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(
                "must have low ≤ mode ≤ high "
                f"(got low={self.low}, mode={self.mode}, high={self.high})"
            )
        return self

    def law(self) -> TriangularLaw:
        return TriangularLaw(self.low, self.mode, self.high)


class Normal(_DistModel):
    dist: Literal["normal"]
    mean_: Finite = Field(alias="mean")
    sd: Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, defer_build=True
    )

    @model_validator(mode="after")
    def _positive_mass(self) -> Normal:
        # Truncation at 0 redraws negative values; a mean below 0 would make that
        # slow and the result mostly a half-normal tail, which is never intended.
        if self.mean_ < 0:
            raise ValueError(f"mean must be ≥ 0 for a normal truncated at 0 (got {self.mean_})")
        return self

    def law(self) -> NormalLaw:
        return NormalLaw(self.mean_, self.sd)


class LogNormal(_DistModel):
    dist: Literal["lognormal"]
    median: Magnitude
    p90: Magnitude

    @model_validator(mode="after")
    def _ordered(self) -> LogNormal:
        if self.p90 < self.median:
            raise ValueError(f"p90 must be ≥ median (got median={self.median}, p90={self.p90})")
        if self.p90 > MAX_LOGNORMAL_SPREAD * self.median:
            raise ValueError(
                f"p90 must be at most {MAX_LOGNORMAL_SPREAD:g} × median "
                f"(got median={self.median:g}, p90={self.p90:g})"
            )
        return self

    @property
    def sigma(self) -> float:
        return self.law().sigma

    def law(self) -> LogNormalLaw:
        return LogNormalLaw(self.median, self.p90)


class Exponential(_DistModel):
    dist: Literal["exponential"]
    mean_: Annotated[float, Field(alias="mean", ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, defer_build=True
    )

    def law(self) -> ExponentialLaw:
        return ExponentialLaw(self.mean_)


class Choice(_DistModel):
    dist: Literal["choice"]
    values: Annotated[list[Finite], Field(min_length=1, max_length=10_000)]
    weights: list[Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]] | None = (
        None
    )

    @model_validator(mode="after")
    def _weights_match(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    "weights must have one entry per value "
                    f"(got {len(self.weights)} weights for {len(self.values)} values)"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be 0")
        return self

    def law(self) -> ChoiceLaw:
        weights = None if self.weights is None else tuple(self.weights)
        return ChoiceLaw(tuple(self.values), weights)


DistSpec = Uniform | Triangular | Normal | LogNormal | Exponential | Choice
Dist = Finite | Annotated[DistSpec, Field(discriminator="dist")]
"""A scenario field that may be a plain number or a distribution mapping."""


def mean_of(dist: Dist) -> float:
    """Expected value (before clipping to the field's domain)."""
    return float(dist) if isinstance(dist, int | float) else dist.mean()


def quantile_of(dist: Dist, q: float) -> float:
    """The ``q``-quantile (0 < q < 1) of a dist, before clipping to the field's domain.

    Closed forms: uniform and triangular by their inverse CDF, the normal truncated
    at 0 through the normal CDF restricted to [0, ∞), the lognormal from its median
    and σ, the exponential ``−mean·ln(1 − q)``, a choice by the inverted CDF of its
    weights (the smallest value whose cumulative weight reaches ``q``).
    """
    if not 0 < q < 1:
        raise ValueError(f"q must lie in (0, 1) (got {q})")
    if isinstance(dist, int | float):
        return float(dist)
    if is_fixed(dist):
        return bounds_of(dist)[0]
    if isinstance(dist, Uniform):
        return dist.low + q * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        if q < (dist.mode - dist.low) / width:
            return dist.low + math.sqrt(q * width * (dist.mode - dist.low))
        return dist.high - math.sqrt((1 - q) * width * (dist.high - dist.mode))
    if isinstance(dist, Normal):
        from statistics import NormalDist

        standard = NormalDist()
        below_zero = standard.cdf(-dist.mean_ / dist.sd)
        return dist.mean_ + dist.sd * standard.inv_cdf(below_zero + q * (1 - below_zero))
    if isinstance(dist, LogNormal):
        from statistics import NormalDist

        return dist.median * math.exp(dist.sigma * NormalDist().inv_cdf(q))
    if isinstance(dist, Exponential):
        return -dist.mean_ * math.log(1 - q)
    assert isinstance(dist, Choice)
    weights = dist.weights or [1.0] * len(dist.values)
    pairs = sorted(zip(dist.values, weights, strict=True))
    total = sum(weights)
    cumulative = 0.0
    for value, weight in pairs:
        cumulative += weight
        if cumulative >= q * total:
            return value
    return pairs[-1][0]  # pragma: no cover - rounding: the last value's cumulative is the total


def scaled(dist: Dist, factor: float) -> Dist:
    """``dist`` with every value multiplied by ``factor`` ≥ 0 (its shape kept; 0 gives 0)."""
    if factor < 0:
        raise ValueError(f"factor must be ≥ 0 (got {factor})")
    if isinstance(dist, int | float):
        return float(dist) * factor
    if factor == 0:
        return 0.0
    if isinstance(dist, Uniform):
        return dist.model_copy(update={"low": dist.low * factor, "high": dist.high * factor})
    if isinstance(dist, Triangular):
        update = {"low": dist.low * factor, "mode": dist.mode * factor, "high": dist.high * factor}
        return dist.model_copy(update=update)
    if isinstance(dist, Normal):
        return dist.model_copy(update={"mean_": dist.mean_ * factor, "sd": dist.sd * factor})
    if isinstance(dist, LogNormal):
        return dist.model_copy(update={"median": dist.median * factor, "p90": dist.p90 * factor})
    if isinstance(dist, Exponential):
        return dist.model_copy(update={"mean_": dist.mean_ * factor})
    assert isinstance(dist, Choice)
    return dist.model_copy(update={"values": [value * factor for value in dist.values]})
