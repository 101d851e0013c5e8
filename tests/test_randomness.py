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
    from sim.scenario.distributions import Normal

    draws = Streams(1, 0).draws(Normal(dist="normal", mean=1, sd=5), Source.REPAIR)
    assert min(draws.next() for _ in range(1000)) >= 0.0


def test_stream_parts_must_be_32_bit() -> None:
    with pytest.raises(ValueError, match="stream part"):
        Streams(1, 0).rng(Source.LEG, -1)
