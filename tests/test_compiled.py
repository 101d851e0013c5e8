"""The scenario compiled for the simulation: same values, dists as laws, fixed ones as numbers."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest

from sim.replication.drawdown import simulate
from sim.replication.prepared import prepare
from sim.scenario.compiled import MONTHS, compile_scenario
from sim.scenario.laws import (
    ChoiceLaw,
    Draws,
    ExponentialLaw,
    LogNormalLaw,
    NormalLaw,
    RandomLaw,
    TriangularLaw,
    UniformLaw,
)
from sim.scenario.reading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"


def test_fields_keep_their_values_and_dists_become_laws() -> None:
    scenario = load_scenario(
        HISTORICAL,
        [
            "airlift.leg_hours={dist: triangular, low: 4, mode: 5, high: 7}",
            "airlift.load_hours={dist: uniform, low: 3, high: 3}",
            "airlift.repair_hours={dist: choice, values: [4, 8], weights: [3, 1]}",
        ],
    )
    compiled = compile_scenario(scenario)
    assert compiled.start == scenario.start
    assert compiled.simulation.seed == scenario.simulation.seed
    assert [line.count for line in compiled.cargo] == [line.count for line in scenario.cargo]
    assert compiled.airlift is not None
    assert compiled.airlift.leg_hours == TriangularLaw(4.0, 5.0, 7.0)
    # uniform(3, 3) always gives 3: a fixed number, drawing no random numbers.
    assert compiled.airlift.load_hours == 3.0
    assert compiled.airlift.repair_hours == ChoiceLaw((4.0, 8.0), (3.0, 1.0))
    assert set(compiled.weather.closures_per_30_days) <= set(MONTHS)


def test_a_law_draws_what_its_model_drew() -> None:
    """Weighted choice: random.choices with the weights or with their running sums, alike."""
    law = ChoiceLaw((4.0, 8.0, 24.0), (3.0, 1.0, 1.0))
    ours = Draws(law, random.Random(5))
    reference = random.Random(5)
    expected = [reference.choices([4.0, 8.0, 24.0], [3.0, 1.0, 1.0])[0] for _ in range(50)]
    assert [ours.next() for _ in range(50)] == expected
    uniform = Draws(UniformLaw(1.0, 2.0), random.Random(9))
    reference = random.Random(9)
    assert [uniform.next() for _ in range(5)] == [reference.uniform(1.0, 2.0) for _ in range(5)]


@pytest.mark.parametrize(
    "law",
    [
        UniformLaw(5.6, 6.1),
        TriangularLaw(1.5, 2.0, 3.0),
        TriangularLaw(1.0, 1.0, 3.0),  # the mode at an end: one side only
        TriangularLaw(1.0, 3.0, 3.0),
        TriangularLaw(2.0, 2.0, 2.0),  # no width: random.triangular returns low
        NormalLaw(1.0, 5.0),
        LogNormalLaw(8.0, 36.0),
        ExponentialLaw(2.0),
        ChoiceLaw((4.0, 8.0)),
    ],
)
def test_a_sampler_gives_the_numbers_of_draw(law: RandomLaw) -> None:
    """A sampler computes what draw() computes, number for number (its constants once)."""
    sampler, reference = law.sampler(random.Random(11)), random.Random(11)
    assert [sampler() for _ in range(2000)] == [law.draw(reference) for _ in range(2000)]


def test_a_prepared_scenario_pickles_and_simulates_as_the_scenario() -> None:
    scenario = load_scenario(HISTORICAL)
    prepared = pickle.loads(pickle.dumps(prepare(scenario)))
    for index in (0, 3):
        assert simulate(prepared, index).fingerprint() == simulate(scenario, index).fingerprint()
