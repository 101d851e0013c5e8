"""solve: the value of one field at which P(on time) reaches the target."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from questions_scenarios import SIXTY_LOADS
from runs_scenarios import RANDOM, write

import sim
from sim.answers.solving import solve
from sim.scenario.variation import VariationError


@pytest.fixture
def sixty(tmp_path: Path) -> Path:
    return write(tmp_path, "sixty-loads.yaml", SIXTY_LOADS)


def test_the_fewest_tails_by_hand(sixty: Path) -> None:
    result = solve(sixty, "airlift.tails")
    # By hand (questions_scenarios.py): 3 tails finish on 10 Sep, 2 tails on 20 Sep.
    assert result.answer == 3
    assert result.search is not None
    assert result.search.neighbour is not None
    assert result.search.answer is not None
    assert result.search.answer.p_on_time == 1.0
    assert result.search.neighbour.value == 2
    assert result.search.neighbour.p_on_time == 0.0
    # Wilson lower bound at 40 of 40: 40 / (40 + 1.96²) = 0.9124 ≥ 0.9; upper at 0 of 40:
    # 1.96² / (40 + 1.96²) = 0.0876 < 0.9: sure.
    assert result.search.answer.ci95[0] == pytest.approx(40 / (40 + 1.959963984540054**2))
    assert result.sure
    # The default range 1 … 9 (max(3·3, 3 + 6)) by bisection over goodness 0 … 8:
    # 9 (meets), 1 (misses), 5 (meets), 3 (meets), 2 (misses) → answer 3.
    assert [e.value for e in result.search.evaluations] == [9, 1, 5, 3, 2]
    assert result.provenance["evaluations"] == 5
    assert result.provenance["replications"] == 5 * 40


def test_the_json_follows_the_contract(sixty: Path) -> None:
    payload = solve(sixty, "airlift.tails").to_dict()
    assert {"scenario", "target", "vary", "direction", "answer", "p_on_time", "p_on_time_ci95",
            "sure", "evaluations", "frontier"} <= set(payload)  # fmt: skip
    assert payload["vary"] == ["airlift.tails"]
    assert payload["direction"] == "increasing"
    assert payload["answer"] == 3
    assert payload["frontier"] is None
    assert payload["evaluations"][0] == {
        "value": 9, "p_on_time": 1.0, "p_on_time_ci95": [0.9124, 1.0], "replications": 40,
    }  # fmt: skip


def test_the_earliest_deadline_is_rescored_from_one_run(sixty: Path) -> None:
    result = solve(sixty, "deadline")
    # 3 tails complete at 2024-09-10T09:00, before the end of 10 September.
    assert result.answer == dt.date(2024, 9, 10)
    assert result.search is not None
    assert result.search.neighbour is not None
    assert result.search.neighbour.value == dt.date(2024, 9, 9)
    assert result.search.neighbour.p_on_time == 0.0
    assert result.provenance["evaluations"] == 1  # the deadline changes no replication


def test_an_unreachable_target_is_an_answer(sixty: Path) -> None:
    result = solve(sixty, "airlift.tails", ranges={"airlift.tails": (1, 2)})
    assert not result.reachable
    assert result.answer is None
    assert result.search is not None
    assert result.search.neighbour is not None
    assert result.search.neighbour.value == 2  # the best end, evaluated first and only
    assert result.sure  # 0 of 40 on time: the interval's top 0.0876 is below 0.9
    assert len(result.search.evaluations) == 1


def test_a_target_met_across_the_range_says_so(sixty: Path) -> None:
    result = solve(sixty, "airlift.tails", ranges={"airlift.tails": "3:6"})
    assert result.answer == 3
    assert result.search is not None
    assert result.search.at_range_end
    assert result.search.neighbour is None


def test_the_frontier_by_hand(sixty: Path) -> None:
    result = solve(
        sixty,
        ["airlift.tails", "airlift.available_from"],
        ranges={"airlift.tails": (2, 4)},
    )
    assert result.frontier is not None
    answers = {point.value: point.search for point in result.frontier}
    # Completion = available_from + 9 h + 24 h·(ceil(60/T) − 1), strictly before 16 Sep 00:00:
    # 3 tails: available_from + 465 h < 2024-09-16T00:00 → latest 2024-08-27T14:00 (at 15:00
    # the last take-off is exactly midnight, which is late); 4 tails: + 345 h → 2024-09-01T14:00;
    # 2 tails: + 705 h → before 2024-08-17T15:00, earlier than the start: unreachable.
    assert answers[2].answer is None
    assert answers[3].answer is not None
    assert answers[3].answer.value == dt.datetime(2024, 8, 27, 14)
    assert answers[4].answer is not None
    assert answers[4].answer.value == dt.datetime(2024, 9, 1, 14)
    assert answers[3].neighbour is not None
    assert answers[3].neighbour.value == dt.datetime(2024, 8, 27, 15)
    assert answers[3].neighbour.p_on_time == 0.0
    payload = result.to_dict()
    assert [row["answer"] for row in payload["frontier"]] == [
        None, "2024-08-27T14:00", "2024-09-01T14:00",
    ]  # fmt: skip


def test_evaluations_are_runs_with_common_random_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "random.yaml", RANDOM)
    result = solve(path, "airlift.tails", target=0.5, ranges={"airlift.tails": "1:4"})
    for evaluation in result.search.evaluations if result.search else ():
        alone = sim.run(path, overrides=[f"airlift.tails={evaluation.value}"])
        assert evaluation.successes == int(alone.on_time.sum())  # the same numbers exactly


def test_more_replications_where_the_answer_is_not_sure(tmp_path: Path) -> None:
    # RANDOM with 1 tail is on time in about 80 % of the replications (33 of the first 40):
    # a target of 0.8 lies inside that 40-replication interval (about 0.68–0.91).
    path = write(tmp_path, "random.yaml", RANDOM)
    ranges = {"airlift.tails": "1:3"}
    first = solve(path, "airlift.tails", target=0.8, ranges=ranges)
    assert not first.sure
    refined = solve(path, "airlift.tails", target=0.8, ranges=ranges, until_precision=0.03,
                    max_replications=3000)  # fmt: skip
    assert refined.search is not None
    points = [p for p in (refined.search.answer, refined.search.neighbour) if p is not None]
    assert all(point.replications > 40 for point in points)  # added where it matters
    # It stops when sure, when both intervals are ±0.03, or at the cap.
    assert (
        refined.sure
        or all((p.ci95[1] - p.ci95[0]) / 2 <= 0.03 for p in points)
        or all(p.replications == 3000 for p in points)
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("airlift.tials", "unknown field 'airlift.tials': no 'tials'"),
        ("policy.sensitive_first", "policy.sensitive_first is not numeric: it cannot be varied"),
        ("airlift.payload_kg", "airlift.payload_kg has no known direction"),
        ("clearance.opens", "clearance.opens: the scenario has no clearance to vary"),
        ("simulation.seed", "simulation.seed is not part of the course of action"),
    ],
)
def test_fields_that_cannot_be_solved_for(sixty: Path, field: str, message: str) -> None:
    with pytest.raises(VariationError, match="^" + re.escape(message)):
        solve(sixty, field)
