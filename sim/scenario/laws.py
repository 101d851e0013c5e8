"""Distributions as the simulation uses them: plain frozen data that draws numbers.

A scenario's *dist* fields are validated by the models of
:mod:`sim.scenario.distributions`; each turns into a *law* here (its
:meth:`law` method), a frozen dataclass with the same parameters and a
``draw(rng)`` method, or a plain ``float`` when the value is fixed. The
simulation sees laws only, so a worker process needs neither pydantic nor the
validation code to simulate (see :mod:`sim.scenario.compiled`). A law's
``sampler(rng)`` is the callable :class:`Draws` calls: the same numbers as
``draw(rng)``, with one call less and constants computed once.

Values are drawn one at a time from a :class:`random.Random` stream (see
``sim.randomness``): a scalar draw costs a fraction of a microsecond, where a
NumPy call costs a microsecond or more before it draws anything.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import accumulate
from typing import Any

from sim.picklable import by_init

# z-score of the 90th percentile of the standard normal distribution.
Z90 = 1.2815515655446004

MAX_RATE_PER_30_DAYS = 720.0
"""Most events per 30 days a rate may give (suspensions, weather closures): one an hour.

Their arrivals are drawn up front for the whole horizon, so this keeps them to
87,600 per source over the longest horizon; draws of a rate are capped here."""


@dataclass(frozen=True, slots=True)
class UniformLaw:
    low: float
    high: float

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        # random.uniform's arithmetic, a + (b - a) * random(), with b - a computed once.
        low, span, uniform = self.low, self.high - self.low, rng.random
        return lambda: low + span * uniform()


@dataclass(frozen=True, slots=True)
class TriangularLaw:
    low: float
    mode: float
    high: float

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def bounds(self) -> tuple[float, float]:
        return self.low, self.high

    def draw(self, rng: random.Random) -> float:
        return rng.triangular(self.low, self.high, self.mode)

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        low, high = self.low, self.high
        if low == high:
            return partial(rng.triangular, low, high, self.mode)
        # random.triangular's arithmetic operation by operation, its constants computed once.
        uniform = rng.random
        split = (self.mode - low) / (high - low)
        rising, falling = high - low, low - high
        complement = 1.0 - split

        def triangular() -> float:
            u = uniform()
            if u > split:
                return high + falling * math.sqrt((1.0 - u) * complement)
            return low + rising * math.sqrt(u * split)

        return triangular


@dataclass(frozen=True, slots=True)
class NormalLaw:
    """A normal distribution truncated at 0 (negative draws are redrawn)."""

    mean_: float
    sd: float

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

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        return partial(self.draw, rng)


@dataclass(frozen=True, slots=True)
class LogNormalLaw:
    """Given by its median and 90th percentile."""

    median: float
    p90: float

    @property
    def sigma(self) -> float:
        return math.log(self.p90 / self.median) / Z90

    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def bounds(self) -> tuple[float, float]:
        return (self.median, self.median) if self.sigma == 0 else (0.0, math.inf)

    def draw(self, rng: random.Random) -> float:
        return rng.lognormvariate(math.log(self.median), self.sigma)

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        # The same two numbers draw() computes each time, computed once.
        return partial(rng.lognormvariate, math.log(self.median), self.sigma)


@dataclass(frozen=True, slots=True)
class ExponentialLaw:
    mean_: float

    def mean(self) -> float:
        return self.mean_

    def bounds(self) -> tuple[float, float]:
        return (0.0, 0.0) if self.mean_ == 0 else (0.0, math.inf)

    def draw(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean_) if self.mean_ > 0 else 0.0

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        return partial(rng.expovariate, 1.0 / self.mean_) if self.mean_ > 0 else partial(float)


@dataclass(frozen=True, slots=True)
class ChoiceLaw:
    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def mean(self) -> float:
        if self.weights is None:
            return sum(self.values) / len(self.values)
        # sum() is typed float | Literal[0]: compiled (sim/native.py), the quotient of two
        # such values was taken for an int. Annotated, they divide as floats.
        weighted: float = sum(v * w for v, w in zip(self.values, self.weights, strict=True))
        total: float = sum(self.weights)
        return weighted / total

    def bounds(self) -> tuple[float, float]:
        return min(self.values), max(self.values)

    def draw(self, rng: random.Random) -> float:
        if self.weights is None:
            return self.values[rng.randrange(len(self.values))]
        return rng.choices(self.values, self.weights)[0]

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        values = self.values
        if self.weights is None:
            count = len(values)
            return lambda: values[rng.randrange(count)]
        # The running sums random.choices would compute at every draw: same numbers.
        cumulative = list(accumulate(self.weights))
        return lambda: rng.choices(values, cum_weights=cumulative)[0]


RandomLaw = UniformLaw | TriangularLaw | NormalLaw | LogNormalLaw | ExponentialLaw | ChoiceLaw
Law = float | RandomLaw
"""A fixed value, or a distribution to draw from."""

_RANDOM_LAWS = (UniformLaw, TriangularLaw, NormalLaw, LogNormalLaw, ExponentialLaw, ChoiceLaw)
"""The members of ``RandomLaw``, for a quick ``isinstance`` (a compiled scenario holds laws)."""


def law_of(dist: Any) -> Law:
    """The law of a validated dist (a number or a model of :mod:`sim.scenario.distributions`).

    A law passes through unchanged; a distribution that always gives the same
    value becomes that number.
    """
    if isinstance(dist, (float, int)):
        return float(dist)
    # A law has no law(): hasattr would raise and catch an AttributeError to say so.
    is_law = isinstance(dist, _RANDOM_LAWS) or not hasattr(dist, "law")
    law: RandomLaw = dist if is_law else dist.law()
    low, high = law.bounds()
    return float(low) if low == high else law


def is_fixed(dist: Any) -> bool:
    """True when ``dist`` (a law or a validated dist) always gives the same value."""
    if isinstance(dist, (float, int)):
        return True
    low, high = dist.bounds()
    return bool(low == high)


def bounds_of(dist: Any) -> tuple[float, float]:
    if isinstance(dist, int | float):
        return float(dist), float(dist)
    low, high = dist.bounds()
    return float(low), float(high)


def is_never(probability: Any) -> bool:
    """True when a probability is fixed at 0 (no random numbers are needed)."""
    return is_fixed(probability) and bounds_of(probability)[0] <= 0


class Draws:
    """Values of one distribution from one random stream, clipped to ``[low, high]``.

    Fixed values consume no random numbers, so making a field deterministic
    never shifts the numbers another field sees. ``next()`` is bound once to the
    cheapest callable that gives these values: the law's sampler itself when its
    bounds lie within ``[low, high]`` (clipping would change nothing).
    """

    __slots__ = ("_draw", "_fixed", "_high", "_low", "next")

    def __init__(
        self,
        dist: Any,
        rng: random.Random | None,
        *,
        low: float = 0.0,
        high: float = math.inf,
    ) -> None:
        law = law_of(dist)
        self._low = low
        self._high = high
        self._fixed: float | None = None
        self._draw: Callable[[], float] | None = None
        self.next: Callable[[], float]
        if isinstance(law, float):
            self._fixed = min(max(law, low), high)
            self.next = partial(float, self._fixed)
        else:
            if rng is None:
                raise ValueError("a random stream is needed for a non-fixed distribution")
            self._draw = law.sampler(rng)
            least, most = law.bounds()
            self.next = self._draw if low <= least and most <= high else self._clipped

    @property
    def fixed(self) -> float | None:
        """The constant value, or None when the distribution is random."""
        return self._fixed

    def _clipped(self) -> float:
        assert self._draw is not None
        value = self._draw()
        if value < self._low:
            return self._low
        if value > self._high:
            return self._high
        return value


def probability_draws(dist: Any, rng: random.Random | None) -> Draws:
    """Draws of a probability, clipped to [0, 1]."""
    return Draws(dist, rng, low=0.0, high=1.0)


class Chance:
    """Yes/no events whose probability is itself a dist (drawn per event).

    A fixed probability of 0 never consumes random numbers.
    """

    __slots__ = ("_fixed", "_probability", "_rng")

    def __init__(self, probability: Any, rng: random.Random | None) -> None:
        law = law_of(probability)
        self._rng = None if is_never(law) else rng
        self._fixed: float | None = None
        """The probability when it is fixed (most are), clipped to [0, 1]: no draws needed."""
        self._probability: Draws | None = None
        if isinstance(law, float):
            self._fixed = min(max(law, 0.0), 1.0)
        else:
            self._probability = probability_draws(law, self._rng)

    def happens(self) -> bool:
        rng = self._rng
        if rng is None:
            return False
        if self._fixed is not None:
            return rng.random() < self._fixed
        assert self._probability is not None
        return rng.random() < self._probability.next()


by_init(UniformLaw, TriangularLaw, NormalLaw, LogNormalLaw, ExponentialLaw, ChoiceLaw)
