"""Random streams: one per source of randomness, derived from (seed, replication)."""

from __future__ import annotations

import pytest

from sim.randomness import Source, Streams


def test_a_replication_replays_alone() -> None:
    """Replication 7 gives the same numbers whether or not replications 0–6 ran before it."""
    for replication in range(7):
        Streams(42, replication).rng(Source.LEG).random()
    first = [Streams(42, 7).rng(Source.LEG, 2).random() for _ in range(3)]
    again = [Streams(42, 7).rng(Source.LEG, 2).random() for _ in range(3)]
    assert first == again


def test_replications_seeds_sources_and_parts_differ() -> None:
    def value(seed: int, replication: int, source: Source, part: int = 0) -> float:
        return Streams(seed, replication).rng(source, part).random()

    base = value(42, 0, Source.LEG)
    assert value(42, 1, Source.LEG) != base
    assert value(43, 0, Source.LEG) != base
    assert value(42, 0, Source.LOAD) != base
    assert value(42, 0, Source.LEG, 1) != base


def test_a_stream_is_not_shifted_by_draws_from_other_sources() -> None:
    """Drawing weather first does not change the clearance lead times."""
    quiet, busy = Streams(5, 3), Streams(5, 3)
    for _ in range(100):
        busy.rng(Source.WEATHER).random()
    assert (
        quiet.rng(Source.CLEARANCE_LEAD, 1).random() == busy.rng(Source.CLEARANCE_LEAD, 1).random()
    )


def test_fixed_values_consume_no_random_numbers() -> None:
    """Making a field deterministic never shifts the numbers another field sees."""
    streams = Streams(5, 3)
    fixed = streams.draws(4.0, Source.LEG)
    assert [fixed.next() for _ in range(3)] == [4.0, 4.0, 4.0]
    assert (Source.LEG, 0) not in streams._generators
    never = streams.chance(0.0, Source.BREAKDOWN)
    assert not any(never.happens() for _ in range(100))
    always = streams.chance(1.0, Source.BREAKDOWN, 1)
    assert all(always.happens() for _ in range(100))


def test_draws_are_clipped_to_the_field_domain() -> None:
    """A normal(1, 5) duration never comes out negative."""
    from sim.scenario.laws import NormalLaw

    draws = Streams(1, 0).draws(NormalLaw(mean_=1, sd=5), Source.REPAIR)
    assert min(draws.next() for _ in range(1000)) >= 0.0


def test_stream_parts_must_be_32_bit() -> None:
    with pytest.raises(ValueError, match="stream part"):
        Streams(1, 0).rng(Source.LEG, -1)


def test_a_stream_starts_with_its_slice_of_the_replication_block() -> None:
    """LEG, part 0 starts after the slices of the sources numbered before it.

    Sizes × parts before LEG: opening 2 × 1, lead 24 × 4, denial 24 × 4,
    suspensions 24 × 1, weather 128 × 1, seats 12 × 4, cancel 12 × 4
    = 2 + 96 + 96 + 24 + 128 + 48 + 48 = 442; its slice is block[442:490].
    """
    import numpy as np

    from sim.randomness import BLOCK_SIZE

    root = np.random.SeedSequence(42, spawn_key=(7,))
    block = np.random.Generator(np.random.SFC64(root)).random(BLOCK_SIZE).tolist()
    leg = Streams(42, 7).rng(Source.LEG)
    assert [leg.random() for _ in range(48)] == block[442:490]
    # Past its slice the stream goes on with its own generator, not into the next slice.
    assert leg.random() != block[490]


def test_a_stream_goes_on_past_its_slice_and_parts_without_one_work_alike() -> None:
    def numbers(part: int) -> list[float]:
        stream = Streams(9, 2).rng(Source.LOAD, part)
        return [stream.random() for _ in range(100)]  # the slice holds 24

    assert numbers(1) == numbers(1)
    assert numbers(12) == numbers(12)  # only parts 0-3 have a slice
    assert len({*numbers(1), *numbers(12)}) == 200
    assert all(0.0 <= value < 1.0 for value in numbers(12))
