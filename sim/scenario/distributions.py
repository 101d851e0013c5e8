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

Values are drawn one at a time from a :class:`random.Random` stream (see
``sim.randomness``): a scalar draw costs a fraction of a microsecond, where a
NumPy call costs a microsecond or more before it draws anything.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# z-score of the 90th percentile of the standard normal distribution.
Z90 = 1.2815515655446004

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _DistModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce (before clipping)."""
        raise NotImplementedError  # pragma: no cover - overridden

    def draw(self, rng: random.Random) -> float:
        raise NotImplementedError  # pragma: no cover - overridden


class Uniform(_DistModel):
    dist: Literal["uniform"]
    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low must be ≤ high (got low={self.low}, high={self.high})")
        return self

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)


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

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high

    def draw(self, rng: random.Random) -> float:
        return rng.triangular(self.low, self.high, self.mode)


class Normal(_DistModel):
    dist: Literal["normal"]
    mean_: Finite = Field(alias="mean")
    sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]

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

    def mean(self) -> float:
        if self.sd == 0:
            return self.mean_
        # Mean of a normal truncated below at 0.
        alpha = -self.mean_ / self.sd
        pdf = math.exp(-alpha * alpha / 2) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(alpha / math.sqrt(2)))
        return self.mean_ + self.sd * pdf / (1 - cdf)

    def bounds(self) -> tuple[float, float]:
        return (self.mean_, self.mean_) if self.sd == 0 else (0.0, math.inf)

    def draw(self, rng: random.Random) -> float:
        while True:  # truncated at 0: redraw negative values
            value = rng.gauss(self.mean_, self.sd)
            if value >= 0:
                return value


class LogNormal(_DistModel):
    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    p90: Annotated[float, Field(gt=0, allow_inf_nan=False)]

    @model_validator(mode="after")
    def _ordered(self) -> LogNormal:
        if self.p90 < self.median:
            raise ValueError(f"p90 must be ≥ median (got median={self.median}, p90={self.p90})")
        return self

    @property
    def sigma(self) -> float:
        return math.log(self.p90 / self.median) / Z90

    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def bounds(self) -> tuple[float, float]:
        return (self.median, self.median) if self.sigma == 0 else (0.0, math.inf)

    def draw(self, rng: random.Random) -> float:
        return rng.lognormvariate(math.log(self.median), self.sigma)


class Exponential(_DistModel):
    dist: Literal["exponential"]
    mean_: Annotated[float, Field(alias="mean", ge=0, allow_inf_nan=False)]

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, defer_build=True
    )

    def mean(self) -> float:
        return self.mean_

    def bounds(self) -> tuple[float, float]:
        return (0.0, 0.0) if self.mean_ == 0 else (0.0, math.inf)

    def draw(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean_) if self.mean_ > 0 else 0.0


class Choice(_DistModel):
    dist: Literal["choice"]
    values: Annotated[list[Finite], Field(min_length=1, max_length=10_000)]
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None

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

    def mean(self) -> float:
        if self.weights is None:
            return sum(self.values) / len(self.values)
        return sum(v * w for v, w in zip(self.values, self.weights, strict=True)) / sum(
            self.weights
        )

    def bounds(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def draw(self, rng: random.Random) -> float:
        if self.weights is None:
            return self.values[rng.randrange(len(self.values))]
        return rng.choices(self.values, self.weights)[0]


DistSpec = Uniform | Triangular | Normal | LogNormal | Exponential | Choice
Dist = (
    Annotated[float, Field(allow_inf_nan=False)] | Annotated[DistSpec, Field(discriminator="dist")]
)
"""A scenario field that may be a plain number or a distribution mapping."""


def is_fixed(dist: Dist) -> bool:
    """True when ``dist`` always gives the same value."""
    if isinstance(dist, int | float):
        return True
    low, high = dist.bounds()
    return low == high


def is_never(probability: Dist) -> bool:
    """True when a probability is fixed at 0 (no random numbers are needed)."""
    return is_fixed(probability) and bounds_of(probability)[0] <= 0


def mean_of(dist: Dist) -> float:
    """Expected value (before clipping to the field's domain)."""
    return float(dist) if isinstance(dist, int | float) else dist.mean()


def bounds_of(dist: Dist) -> tuple[float, float]:
    if isinstance(dist, int | float):
        return float(dist), float(dist)
    return dist.bounds()


class Draws:
    """Values of one distribution from one random stream, clipped to ``[low, high]``.

    Fixed values consume no random numbers, so making a field deterministic
    never shifts the numbers another field sees.
    """

    __slots__ = ("_draw", "_fixed", "_high", "_low")

    def __init__(
        self,
        dist: Dist,
        rng: random.Random | None,
        *,
        low: float = 0.0,
        high: float = math.inf,
    ) -> None:
        self._low = low
        self._high = high
        self._fixed: float | None = None
        self._draw: Callable[[], float] | None = None
        if isinstance(dist, int | float) or is_fixed(dist):
            self._fixed = min(max(bounds_of(dist)[0], low), high)
        else:
            if rng is None:
                raise ValueError("a random stream is needed for a non-fixed distribution")
            self._draw = partial(dist.draw, rng)

    @property
    def fixed(self) -> float | None:
        """The constant value, or None when the distribution is random."""
        return self._fixed

    def next(self) -> float:
        if self._fixed is not None:
            return self._fixed
        assert self._draw is not None
        value = self._draw()
        if value < self._low:
            return self._low
        if value > self._high:
            return self._high
        return value


def probability_draws(dist: Dist, rng: random.Random | None) -> Draws:
    """Draws of a probability, clipped to [0, 1]."""
    return Draws(dist, rng, low=0.0, high=1.0)


class Chance:
    """Yes/no events whose probability is itself a dist (drawn per event).

    A fixed probability of 0 never consumes random numbers.
    """

    __slots__ = ("_probability", "_rng")

    def __init__(self, probability: Dist, rng: random.Random | None) -> None:
        self._rng = None if is_never(probability) else rng
        self._probability = probability_draws(probability, self._rng)

    def happens(self) -> bool:
        if self._rng is None:
            return False
        return self._rng.random() < self._probability.next()
