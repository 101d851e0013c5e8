"""Random streams of one replication: one independent stream per source of randomness.

Replication *i* of a run with root seed *s* draws every random number from
streams derived from ``SeedSequence(s, spawn_key=(i,))``: one per
``(source, part)``, where ``source`` is a fixed number per kind of uncertainty
(below) and ``part`` tells apart the tails, airline services and the like.
Consequences a planner can rely on:

- replication *i* replays alone, whatever the number of workers;
- two scenarios that share structure share random numbers (common random
  numbers): adding a tail does not change the leg times the first tails fly,
  and changing the weather does not reshuffle clearance lead times.

**Blocks.** Seeding some thirty generators per replication cost more than all
its draws. So each replication draws its uniform numbers at once, in one block
from one NumPy generator (SFC64 seeded by the replication's ``SeedSequence``),
laid out in a fixed order: source by source, a slice of ``BLOCK[source]``
numbers for each of its first parts. A stream takes its own slice of the block
first and, should it need more, continues with a Mersenne Twister seeded with
the replication's key and ``(source, part)`` (parts without a slice start there).
Either way a stream's numbers depend on ``(seed, replication, source, part)``
alone, never on which other streams exist or how much they drew: the
guarantees above hold. The layout (sources, parts and block sizes) is, like the
numbering, append-only: changing it changes every published result.

Streams are created on first use, so a fixed (deterministic) field costs nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from enum import IntEnum
from itertools import chain

import numpy as np
from mypy_extensions import mypyc_attr

from sim.scenario.laws import Chance, Draws, Law, is_fixed, is_never


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


BLOCK: dict[Source, tuple[int, int]] = {
    Source.CLEARANCE_OPENING: (2, 1),
    Source.CLEARANCE_LEAD: (24, 4),
    Source.CLEARANCE_DENIAL: (24, 4),
    Source.SUSPENSIONS: (24, 1),
    Source.WEATHER: (128, 1),
    Source.COMMERCIAL_SEATS: (12, 4),
    Source.COMMERCIAL_CANCEL: (12, 4),
    Source.LEG: (48, 4),
    Source.LOAD: (24, 4),
    Source.SERVICE: (24, 4),
    Source.TURNAROUND: (24, 4),
    Source.BREAKDOWN: (24, 4),
    Source.REPAIR: (16, 4),
    Source.PACKING: (48, 1),
}
"""Per source: uniform numbers per part in a replication's block, and the parts that have one.

About 1.3 times what ``historical-2024`` and ``plan-1000`` use at the 99th
percentile of 100 replications; tails and airline services beyond the fourth,
and any stream that needs more, continue on their own generator."""


def _layout() -> tuple[dict[tuple[int, int], tuple[int, int]], int]:
    """Where each ``(source, part)`` slice starts and ends in the block, and the block's size."""
    slices: dict[tuple[int, int], tuple[int, int]] = {}
    start = 0
    for source in Source:
        size, parts = BLOCK[source]
        for part in range(parts):
            slices[(int(source), part)] = (start, start + size)
            start += size
    return slices, start


_SLICES, BLOCK_SIZE = _layout()


# Compiled (sim/native.py), still a plain Python class: it replaces ``random`` per
# instance, and a native subclass of random.Random mistypes its gauss_next.
@mypyc_attr(native_class=False)
class Stream(random.Random):
    """A :class:`random.Random` whose numbers are its slice of the block, then its own.

    Every method of :class:`random.Random` that a distribution uses (``uniform``,
    ``triangular``, ``gauss``, ``lognormvariate``, ``expovariate``, ``choices``,
    ``randrange``) is written on ``random()``; this stream replaces ``random`` with
    the C iterator over its numbers, so a draw costs what it cost from a seeded
    generator. Seeding and state methods do not apply.
    """

    def __init__(self, numbers: list[float], overflow_seed: int) -> None:
        self.gauss_next = None  # random.Random.gauss keeps a spare normal here
        self.random = chain(numbers, _overflow(overflow_seed)).__next__  # type: ignore[method-assign]

    def random(self) -> float:  # pragma: no cover - replaced in __init__; tells
        # random.Random (at class creation) that randrange must use random(), not getrandbits
        raise NotImplementedError


def _overflow(seed: int) -> Iterator[float]:
    """The numbers of a stream after its slice of the block (seeded only if ever reached)."""
    rng = random.Random(seed)
    draw = rng.random
    while True:
        yield draw()


class Streams:
    """The random streams of one replication, created lazily from its block.

    The replication's ``SeedSequence(seed, spawn_key=(replication,))`` seeds the
    generator of the block (its first 256 bits) and gives a 256-bit key for the
    streams' overflow generators (its next 256 bits; ``key``, ``source`` and
    ``part`` seed a Mersenne Twister).
    """

    __slots__ = ("_block", "_generators", "_key", "replication", "seed")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        root = np.random.SeedSequence(seed, spawn_key=(replication,))
        # The block's generator is seeded with the root's first 256 bits; the key is the next 256.
        state = root.generate_state(16, np.uint32)
        self._key = int.from_bytes(state[8:].tobytes(), "little")
        generator = np.random.Generator(np.random.SFC64(root))
        self._block: list[float] = generator.random(BLOCK_SIZE).tolist()
        self._generators: dict[tuple[int, int], random.Random] = {}

    def rng(self, source: Source, part: int = 0) -> random.Random:
        number = int(source)
        key = (number, part)
        generator = self._generators.get(key)
        if generator is None:
            if not 0 <= part < 2**32:
                raise ValueError(f"stream part must be in [0, 2**32) (got {part})")
            where = _SLICES.get(key)
            numbers = [] if where is None else self._block[where[0] : where[1]]
            generator = Stream(numbers, (self._key << 64) | (number << 32) | part)
            self._generators[key] = generator
        return generator

    def draws(
        self,
        dist: Law,
        source: Source,
        part: int = 0,
        *,
        low: float = 0.0,
        high: float = math.inf,
    ) -> Draws:
        """Values of ``dist`` clipped to ``[low, high]``, from this source's stream."""
        rng = None if is_fixed(dist) else self.rng(source, part)
        return Draws(dist, rng, low=low, high=high)

    def chance(self, probability: Law, source: Source, part: int = 0) -> Chance:
        """Yes/no events of the given probability, from this source's stream."""
        return Chance(probability, None if is_never(probability) else self.rng(source, part))
