"""Overrides as a Python mapping: the same reader, validation and messages as a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runs_scenarios import DETERMINISTIC, write

import sim
from sim.scenario.overrides import settings, yaml_text
from sim.scenario.problems import ScenarioError
from sim.scenario.reading import load_scenario_text


def load(overrides: Any) -> sim.Scenario:
    return load_scenario_text(DETERMINISTIC, "x.yaml", overrides)


def message(overrides: Any = (), text: str = DETERMINISTIC) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "x.yaml", overrides)
    return str(caught.value)


def test_python_values_set_fields() -> None:
    scenario = load(
        {
            "airlift.tails": 4,
            "airlift.payload_kg": 60_000.5,
            "clearance.lead_days": {"dist": "uniform", "low": 1, "high": 3},
            "clearance.opens": dt.datetime(2024, 6, 1, 12, 30),
            "deadline": dt.date(2024, 6, 20),
            "personnel[0].count": np.int64(90),  # NumPy numbers are numbers
            "commercial": [],
        }
    )
    assert scenario.airlift.tails == 4
    assert scenario.airlift.payload_kg == 60_000.5
    assert (scenario.clearance.lead_days.low, scenario.clearance.lead_days.high) == (1, 3)
    assert scenario.clearance.opens == dt.datetime(2024, 6, 1, 12, 30)
    assert scenario.deadline == dt.date(2024, 6, 20)
    assert scenario.personnel[0].count == 90


def test_a_string_is_a_string_never_yaml() -> None:
    scenario = load({"title": "Plan B: four tails # at last", "name": "no"})
    assert (scenario.title, scenario.name) == ("Plan B: four tails # at last", "no")


@pytest.mark.parametrize(
    ("value", "written"),
    [(-2, "-2"), ("4", '"4"'), (True, "true"), (float("nan"), ".nan")],
)
def test_the_messages_are_the_files(value: Any, written: str) -> None:
    in_file = message(text=DETERMINISTIC.replace("tails: 1,", f"tails: {written},"))
    from_python = message({"airlift.tails": value})
    from_command_line = message([f"airlift.tails={written}"])
    location, _, rule = in_file.partition(": ")
    assert location == "x.yaml:12"
    assert from_python == f"overrides['airlift.tails']: {rule}"
    assert from_command_line == f"--set airlift.tails={written}: {rule}"


def test_unknown_fields_and_values_without_a_yaml_form_are_named() -> None:
    assert message({"airlift.tail": 4}).startswith(
        "overrides['airlift.tail']: unknown field 'tail' (allowed: aircraft, tails,"
    )
    assert message({"airlift.tails": {1, 2}}) == (
        "overrides['airlift.tails']: a set cannot be a scenario value "
        "(use numbers, text, true/false, dates, lists and mappings)"
    )
    with pytest.raises(TypeError, match="not one string"):
        settings("airlift.tails=4")


def test_every_bad_override_is_reported_at_once() -> None:
    assert message({"airlift.tails": -2, "base.parking": 0}).splitlines() == [
        "overrides['airlift.tails']: airlift.tails: must be ≥ 0 (got -2)",
        "overrides['base.parking']: base.parking: must be ≥ 1 (got 0)",
    ]


def test_yaml_text_reads_back_as_the_value() -> None:
    assert yaml_text({"a": [1, 2.5, None, "x: y"]}, "k") == '{"a": [1, 2.5, null, "x: y"]}'
    assert yaml_text(dt.datetime(2024, 6, 1, 8, 0), "k") == "2024-06-01T08:00"
    assert yaml_text(-float("inf"), "k") == "-.inf"


def test_run_compare_and_sweep_take_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    # Two tails, one parking spot: by hand, both land at 5 h; the first loads 18 pallets
    # and 54 people and leaves at 7 h, the second waits for the spot, loads the other 46
    # people from 7 h to 9 h and leaves: done at 09:00 (one tail alone: 22:00).
    assert sim.run(path, overrides={"airlift.tails": 2}).score.completion.p50 == (
        dt.datetime(2024, 6, 1, 9, 0)
    )
    comparison = sim.compare([path, path], overrides={"airlift.tails": 2})
    assert [ranked.score.completion.p50 for ranked in comparison.score.ranking] == [
        dt.datetime(2024, 6, 1, 9, 0),
        dt.datetime(2024, 6, 1, 9, 0),
    ]
    swept = sim.sweep(path, {"airlift.tails": [1, "2"]}, overrides={"simulation.seed": 5})
    assert [(row.value("airlift.tails"), row.score.completion.p50) for row in swept.rows] == [
        ("1", dt.datetime(2024, 6, 1, 22, 0)),
        ("2", dt.datetime(2024, 6, 1, 9, 0)),
    ]
