"""Uncertain numbers: a plain number or a ``{dist: ...}`` mapping.

A dist field accepts either form; the helpers :func:`mean_of`, :func:`bounds_of`
and :func:`is_fixed` treat both alike, and :class:`Draws` hands out values from
one random stream, clipped to the field's domain.
"""

from __future__ import annotations

import math
import random

import pytest
from pydantic import ConfigDict, TypeAdapter, ValidationError

from sim.scenario.distributions import Dist, mean_of
from sim.scenario.laws import Draws, bounds_of, is_fixed

# Strict, as in the scenario models: the text "3" is not a number.
DIST: TypeAdapter[Dist] = TypeAdapter(Dist, config=ConfigDict(strict=True))


def test_plain_numbers_are_fixed() -> None:
    assert DIST.validate_python(3) == 3
    assert is_fixed(2.5)
    assert mean_of(2.5) == 2.5
    assert bounds_of(4) == (4.0, 4.0)


@pytest.mark.parametrize(
    ("spec", "mean", "bounds"),
    [
        ({"dist": "uniform", "low": 1, "high": 3}, 2.0, (1.0, 3.0)),
        ({"dist": "triangular", "low": 0, "mode": 3, "high": 6}, 3.0, (0.0, 6.0)),
        ({"dist": "exponential", "mean": 2}, 2.0, (0.0, math.inf)),
        ({"dist": "choice", "values": [1, 3], "weights": [3, 1]}, 1.5, (1.0, 3.0)),
        ({"dist": "lognormal", "median": 2, "p90": 2}, 2.0, (2.0, 2.0)),
        ({"dist": "normal", "mean": 5, "sd": 0}, 5.0, (5.0, 5.0)),
    ],
)
def test_every_form_has_a_mean_and_bounds(
    spec: dict[str, object], mean: float, bounds: tuple[float, float]
) -> None:
    dist = DIST.validate_python(spec)
    assert mean_of(dist) == pytest.approx(mean)
    assert bounds_of(dist) == bounds


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": 3, "high": 1},
        {"dist": "triangular", "low": 4, "mode": 2, "high": 5},
        {"dist": "lognormal", "median": 3, "p90": 2},
        {"dist": "normal", "mean": -1, "sd": 1},
        {"dist": "choice", "values": [1, 2], "weights": [1]},
        {"dist": "choice", "values": [1, 2], "weights": [0, 0]},
        {"dist": "exponential", "mean": 2, "extra": 1},
        {"dist": "gamma", "shape": 2},
        {"dist": "uniform", "low": 0, "high": math.inf},
        "3",
    ],
)
def test_impossible_distributions_are_refused(spec: object) -> None:
    with pytest.raises(ValidationError):
        DIST.validate_python(spec)


def test_draws_are_clipped_and_reproducible() -> None:
    """The same seed gives the same values; draws stay inside [low, high]."""
    dist = DIST.validate_python({"dist": "uniform", "low": -1, "high": 2})
    first = Draws(dist, random.Random(7), low=0.0, high=1.0)
    second = Draws(dist, random.Random(7), low=0.0, high=1.0)
    values = [first.next() for _ in range(200)]
    assert values == [second.next() for _ in range(200)]
    assert min(values) == 0.0
    assert max(values) == 1.0


def test_fixed_draws_need_no_random_stream() -> None:
    draws = Draws(4.0, None)
    assert draws.fixed == 4.0
    assert draws.next() == 4.0
    with pytest.raises(ValueError, match="random stream"):
        Draws(DIST.validate_python({"dist": "exponential", "mean": 1}), None)
