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

Sampling is batched: :class:`Draws` hands out Python floats from blocks drawn
with one NumPy call, which is several times cheaper than one NumPy call per value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

# z-score of the 90th percentile of the standard normal distribution.
Z90 = 1.2815515655446004

Finite = Annotated[float, Field(allow_inf_nan=False)]


class _DistModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @property
    def is_fixed(self) -> bool:
        return False

    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce (before clipping)."""
        raise NotImplementedError  # pragma: no cover - overridden

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
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

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


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

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(size, self.low)
        return rng.triangular(self.low, self.mode, self.high, size)


class Normal(_DistModel):
    dist: Literal["normal"]
    mean_: Finite = Field(alias="mean")
    sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

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

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        values = rng.normal(self.mean_, self.sd, size)
        negative = values < 0
        while negative.any():
            values[negative] = rng.normal(self.mean_, self.sd, int(negative.sum()))
            negative = values < 0
        return values


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

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median), self.sigma, size)


class Exponential(_DistModel):
    dist: Literal["exponential"]
    mean_: Annotated[float, Field(alias="mean", ge=0, allow_inf_nan=False)]

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    def mean(self) -> float:
        return self.mean_

    def bounds(self) -> tuple[float, float]:
        return (0.0, 0.0) if self.mean_ == 0 else (0.0, math.inf)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.mean_ == 0:
            return np.zeros(size)
        return rng.exponential(self.mean_, size)


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

    def _probabilities(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        weights = np.asarray(self.weights, dtype=float)
        return weights / weights.sum()

    def mean(self) -> float:
        probabilities = self._probabilities()
        if probabilities is None:
            return float(np.mean(self.values))
        return float(np.dot(self.values, probabilities))

    def bounds(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(np.asarray(self.values, dtype=float), size, p=self._probabilities())


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


def mean_of(dist: Dist) -> float:
    """Expected value (before clipping to the field's domain)."""
    return float(dist) if isinstance(dist, int | float) else dist.mean()


def bounds_of(dist: Dist) -> tuple[float, float]:
    if isinstance(dist, int | float):
        return float(dist), float(dist)
    return dist.bounds()


class Draws:
    """Values of one distribution from one random stream, drawn in blocks.

    ``next()`` returns a Python float clipped to ``[low, high]``. Fixed values
    consume no random numbers, so making a field deterministic never shifts the
    numbers another field sees.
    """

    __slots__ = ("_block", "_buffer", "_draw", "_fixed", "_high", "_low")

    def __init__(
        self,
        dist: Dist,
        rng: np.random.Generator | None,
        *,
        low: float = 0.0,
        high: float = math.inf,
        block: int = 64,
    ) -> None:
        self._low = low
        self._high = high
        self._block = block
        self._buffer: list[float] = []
        self._fixed: float | None = None
        self._draw: Callable[[int], np.ndarray] | None = None
        if isinstance(dist, int | float) or is_fixed(dist):
            self._fixed = min(max(bounds_of(dist)[0], low), high)
        else:
            if rng is None:
                raise ValueError("a random stream is needed for a non-fixed distribution")
            spec = dist
            self._draw = lambda n: spec.sample(rng, n)

    @property
    def fixed(self) -> float | None:
        """The constant value, or None when the distribution is random."""
        return self._fixed

    def next(self) -> float:
        if self._fixed is not None:
            return self._fixed
        if not self._buffer:
            assert self._draw is not None
            values = np.clip(self._draw(self._block), self._low, self._high)
            # Reversed so that pop() hands values out in the order they were drawn.
            self._buffer = values[::-1].tolist()
        return self._buffer.pop()


def probability_draws(dist: Dist, rng: np.random.Generator | None) -> Draws:
    """Draws of a probability, clipped to [0, 1]."""
    return Draws(dist, rng, low=0.0, high=1.0)


class Chance:
    """Yes/no events whose probability is itself a dist (drawn per event).

    A fixed probability of 0 never consumes random numbers.
    """

    __slots__ = ("_never", "_probability", "_uniform")

    def __init__(self, probability: Dist, rng: np.random.Generator | None) -> None:
        self._never = is_fixed(probability) and bounds_of(probability)[0] <= 0
        self._probability = probability_draws(probability, None if self._never else rng)
        self._uniform = None if self._never else Draws(Uniform(dist="uniform", low=0, high=1), rng)

    def happens(self) -> bool:
        if self._uniform is None:
            return False
        return self._uniform.next() < self._probability.next()
