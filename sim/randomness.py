"""Random streams of one replication: one independent stream per source of randomness.

Replication *i* of a run with root seed *s* draws every random number from
``SeedSequence(s, spawn_key=(i, source, part))`` where ``source`` is a fixed
number per kind of uncertainty (below) and ``part`` tells apart the tails,
airline services and the like. Consequences a planner can rely on:

- replication *i* replays alone, whatever the number of workers;
- two scenarios that share structure share random numbers (common random
  numbers): adding a tail does not change the leg times the first tails fly,
  and changing the weather does not reshuffle clearance lead times.

Streams are created on first use, so a fixed (deterministic) field costs nothing.
The numbering is append-only: renumbering would change every published result.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np

from sim.distributions import Chance, Dist, Draws, is_fixed


class Source(IntEnum):
    CLEARANCE_OPENING = 0
    CLEARANCE_LEAD = 1
    CLEARANCE_DENIAL = 2
    SUSPENSIONS = 3
    WEATHER = 4
    COMMERCIAL_SEATS = 5
    COMMERCIAL_CANCEL = 6
    LEG = 7
    LOAD = 8
    SERVICE = 9
    TURNAROUND = 10
    BREAKDOWN = 11
    REPAIR = 12
    PACKING = 13


class Streams:
    """The random streams of one replication, created lazily."""

    __slots__ = ("_generators", "replication", "seed")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._generators: dict[tuple[int, int], np.random.Generator] = {}

    def rng(self, source: Source, part: int = 0) -> np.random.Generator:
        key = (int(source), part)
        generator = self._generators.get(key)
        if generator is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, *key))
            generator = np.random.Generator(np.random.PCG64(sequence))
            self._generators[key] = generator
        return generator

    def draws(
        self,
        dist: Dist,
        source: Source,
        part: int = 0,
        *,
        low: float = 0.0,
        high: float = math.inf,
    ) -> Draws:
        """Values of ``dist`` clipped to ``[low, high]``, from this source's stream."""
        rng = None if is_fixed(dist) else self.rng(source, part)
        return Draws(dist, rng, low=low, high=high)

    def chance(self, probability: Dist, source: Source, part: int = 0) -> Chance:
        """Yes/no events of the given probability, from this source's stream."""
        fixed_zero = is_fixed(probability) and float(Draws(probability, None).next()) <= 0
        return Chance(probability, None if fixed_zero else self.rng(source, part))
