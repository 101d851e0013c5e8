"""A forecast from a status (sim/scenario/status.py and its hooks in one replication).

Hand-computed cases use the one-tail base of ``model_helpers``: its k-th take-off
from Base 101 is at 9 + 24·(k − 1) hours after Monday 2024-06-03 00:00.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from model_helpers import cargo_rows, scenario

import sim
from sim.cli.main import main
from sim.replication.drawdown import simulate
from sim.replication.prepared import prepare
from sim.scenario.contract import Scenario
from sim.scenario.problems import ScenarioError
from sim.scenario.reading import load_scenario
from sim.scenario.status import load_status_text

ROOT = Path(__file__).parent.parent
HISTORICAL = ROOT / "scenarios" / "historical-2024.yaml"
STATUS_FILES = sorted((ROOT / "scenarios" / "status").glob("*.yaml"))
SCHEMA = ROOT / "scenarios" / "status.schema.json"

# Ten units of 18 positions: one per sortie, so by hand the k-th unit leaves at
# 9 + 24·(k − 1) h and the tenth (the completion) at 9 + 24·9 = 225 h.
TEN_SORTIES = {
    "cargo": [{"name": "pallets of 18", "count": 10, "positions": 18, "weight_kg": 1000}]
}


def _forecast(sc: Scenario, text: str) -> float | None:
    return simulate(prepare(sc, load_status_text(text, sc)), 0).completion_hours


def test_without_status_the_ten_sorties_end_at_225_hours() -> None:
    assert simulate(scenario(**TEN_SORTIES), 0).completion_hours == 225.0


@pytest.mark.parametrize(
    "text",
    [
        # Sat 8 Jun 00:00 = 120 h. Five units left at 9, 33, 57, 81, 105 h; the tail
        # flew back (105 + 5 = 110 h) and its 10 h turnaround ends at 120 h.
        "as_of: 2024-06-08T00:00\ncargo_out: {pallets of 18: 5}\n",
        # 122 h: the tail launched at 120 h and is in the air, landing at 125 h.
        "as_of: 2024-06-08T02:00\ncargo_out: {pallets of 18: 5}\n"
        "tails: [{tail: 1, at: inbound, until: 2024-06-08T05:00}]\n",
        # 126 h: on the ground since 125 h, loading until 128 h.
        "as_of: 2024-06-08T06:00\ncargo_out: {pallets of 18: 5}\n"
        "tails: [{tail: 1, at: base_101, until: 2024-06-08T08:00}]\n",
    ],
    ids=["offload-station", "inbound", "base-101"],
)
def test_a_status_half_way_on_the_plan_ends_when_the_plan_does(text: str) -> None:
    # From each: the sixth unit leaves at 128 (or 125 + load 3) + service 1 = 129 h,
    # the plan's 9 + 24·5; then every 24 h: the tenth at 129 + 24·4 = 225 h.
    sc = scenario(**TEN_SORTIES)
    result = simulate(prepare(sc, load_status_text(text, sc)), 0)
    assert result.completion_hours == 225.0
    assert [row[0] for row in cargo_rows(result)][1:] == [129.0, 153.0, 177.0, 201.0, 225.0]


def test_a_tail_flying_back_arrives_at_until_then_turns_around() -> None:
    # Fri 7 Jun 11:00 = 107 h: the fifth unit left at 105 h and the tail is flying back.
    # Arriving at 110 h (the plan's 105 + 5), its 10 h turnaround ends at 120 h: the
    # plan again, the sixth unit at 129 h and the tenth at 225 h. Arriving 2 h later
    # (112 h), everything after moves by 2 h: the sixth at 131 h, the tenth at 227 h.
    sc = scenario(**TEN_SORTIES)
    head = "as_of: 2024-06-07T11:00\ncargo_out: {pallets of 18: 5}\n"
    on_plan = head + "tails: [{tail: 1, at: outbound, until: 2024-06-07T14:00}]\n"
    result = simulate(prepare(sc, load_status_text(on_plan, sc)), 0)
    assert [row[0] for row in cargo_rows(result)][1:] == [129.0, 153.0, 177.0, 201.0, 225.0]
    late = head + "tails: [{tail: 1, at: outbound, until: 2024-06-07T16:00}]\n"
    assert _forecast(sc, late) == 227.0


def test_a_tail_flying_back_asks_for_its_clearance_on_arrival() -> None:
    # Every clearance takes 2 days (48 h) from the request. Flying back at 107 h and
    # arriving at 110 h, the tail asks then: approved at 158 h (its turnaround ended at
    # 120 h), lands 163 h, loads to 166 h, services to 167 h: the sixth unit out at 167 h.
    # Each later cycle: back at +5 h, approved 48 h later, 9 h at Base 101, so 62 h apart:
    # the tenth at 167 + 4·62 = 415 h. Were it at the offload station at 107 h instead,
    # it would ask at 107 h and the sixth would leave 3 h earlier (164 h).
    sc = scenario(**TEN_SORTIES, clearance={"opens": "2024-06-03T00:00", "lead_days": 2})
    head = "as_of: 2024-06-07T11:00\ncargo_out: {pallets of 18: 5}\n"
    flying = head + "tails: [{tail: 1, at: outbound, until: 2024-06-07T14:00}]\n"
    result = simulate(prepare(sc, load_status_text(flying, sc)), 0)
    assert [row[0] for row in cargo_rows(result)][1:] == [167.0, 229.0, 291.0, 353.0, 415.0]
    landed = head + "tails: [{tail: 1, at: offload_station}]\n"
    asked_at_as_of = simulate(prepare(sc, load_status_text(landed, sc)), 0)
    assert cargo_rows(asked_at_as_of)[1][0] == 164.0


def test_a_status_behind_the_plan_ends_later_by_hand() -> None:
    # 120 h with only 4 units out: six sorties from a tail ready at 120 h,
    # 120 + 5 + 3 + 1 = 129 h, then every 24 h: the sixth at 129 + 24·5 = 249 h.
    sc = scenario(**TEN_SORTIES)
    assert _forecast(sc, "as_of: 2024-06-08T00:00\ncargo_out: {pallets of 18: 4}\n") == 249.0


def test_what_left_before_as_of_is_recorded_as_out_at_as_of() -> None:
    sc = scenario(**TEN_SORTIES)
    result = simulate(
        prepare(sc, load_status_text("as_of: 2024-06-08T00:00\ncargo_out: {pallets of 18: 5}", sc)),
        0,
    )
    assert cargo_rows(result)[0] == (120.0, 0, 5)
    assert result.counters.sorties == 5  # the forecast's own sorties only


def test_everything_out_completes_at_as_of() -> None:
    sc = scenario(**TEN_SORTIES)
    text = "as_of: 2024-06-08T00:00\ncargo_out: {pallets of 18: 10}\n"
    assert _forecast(sc, text) == 120.0


def test_a_closure_in_effect_holds_the_first_landing() -> None:
    # The tail launches at 120 h and finds the runway closed until 130 h: lands at
    # 130 h, leaves at 134 h; then every 24 h: the tenth at 134 + 24·4 = 230 h.
    sc = scenario(**TEN_SORTIES)
    text = (
        "as_of: 2024-06-08T00:00\ncargo_out: {pallets of 18: 5}\n"
        "closure: {until: 2024-06-08T10:00}\n"
    )
    assert _forecast(sc, text) == 230.0


def test_a_status_at_start_with_nothing_out_changes_no_number() -> None:
    """Identical, number for number, to a run without a status (a random scenario)."""
    plain = sim.run(HISTORICAL, replications=12, seed=7)
    status = load_status_text("as_of: 2024-05-19T00:00\n", plain.scenario)
    from_status = sim.run(HISTORICAL, replications=12, seed=7, status=status)
    for field in dataclasses.fields(plain.table):
        mine, theirs = getattr(plain.table, field.name), getattr(from_status.table, field.name)
        if isinstance(mine, np.ndarray):
            assert np.array_equal(mine, theirs, equal_nan=True), field.name
        else:
            assert mine == theirs, field.name
    assert dataclasses.replace(from_status.score, provenance=plain.score.provenance) == (
        dataclasses.replace(plain.score, provenance=plain.score.provenance)
    )


# Airliner-only: 500 people, one daily departure at 10:00 with 50 bookable seats,
# a third of departures cancelled. By hand, per replication: a status at day k
# with 50·k out needs the departures from day k on; the one at day k + 1 with
# 50·(k + 1) out needs 50 fewer from day k + 1 on. Under common random numbers
# both see the same departures, so the later status never finishes later: if
# departure k flies, both have the same people left after it; if it is cancelled
# the earlier status still needs 50 more from day k + 1.
AIRLINERS = {
    "airlift": None,
    "personnel": [{"name": "staff", "count": 500}],
    "commercial": [
        {
            "name": "daily",
            "days": "daily",
            "departs": "10:00",
            "seats": 50,
            "cancel_probability": 0.33,
        }
    ],
    "simulation": {"replications": 101, "seed": 3, "horizon_days": 60},
}


def test_a_later_status_with_more_out_never_makes_the_median_later() -> None:
    sc = scenario(**AIRLINERS)
    medians = []
    previous = np.array([])
    for day in range(0, 9):
        text = f"as_of: 2024-06-{3 + day:02d}T00:00\npersonnel_out: {{staff: {50 * day}}}\n"
        result = sim.run(sc, status=load_status_text(text, sc))
        assert result.score.completion.p50 is not None
        medians.append(result.score.completion.p50)
        completions = result.table.completion_hours
        if day:
            # Replication by replication too, not only the median.
            assert np.all(completions <= previous)
        previous = completions
    assert all(later <= earlier for earlier, later in itertools.pairwise(medians))
    assert medians[-1] < medians[0]  # the cancellations before day 8 no longer count


# --- bad status files: located, planner-worded, all at once ------------------------


def _problems(text: str, sc: Scenario) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        load_status_text(text, sc, "status.yaml")
    return [str(problem) for problem in error.value.problems]


def test_bad_status_files_say_what_is_wrong_where() -> None:
    sc = load_scenario(HISTORICAL)
    text = (
        "as_of: 2024-05-01T00:00\n"
        "personnel_out:\n"
        "  MQ-9 and ground-control-station specialists: 61\n"
        "  nobody: 3\n"
        "cargo_out: {MQ-9 crates: 1}\n"
        "tails:\n"
        "  - {tail: 1, at: inbound, until: 2024-06-08T10:00}\n"
        "  - {tail: 1, at: base_101, until: 2024-06-08T12:00}\n"
        "  - {tail: 4}\n"
    )
    cohorts = ", ".join(repr(cohort.name) for cohort in sc.personnel)
    lines = ", ".join(repr(line.name) for line in sc.cargo)
    assert _problems(text, sc) == [
        "status.yaml:1: as_of: must not be before the scenario's start 2024-05-19T00:00 "
        "(got '2024-05-01T00:00')",
        "status.yaml:3: personnel_out['MQ-9 and ground-control-station specialists']: "
        "more people out than the scenario has (60) (got 61)",
        f"status.yaml:4: personnel_out.nobody: no cohort of this name in the scenario "
        f"(known: {cohorts}) (got 'nobody')",
        f"status.yaml:5: cargo_out['MQ-9 crates']: no cargo line of this name in the scenario "
        f"(known: {lines}) (got 'MQ-9 crates')",
        "status.yaml:8: tails[1].tail: a tail in two places (also tails[0]) (got 1)",
        "status.yaml:9: tails[2].tail: the scenario has 3 tails (numbered from 1) (got 4)",
    ]


def test_as_of_after_the_horizon_is_refused() -> None:
    sc = scenario(**TEN_SORTIES)  # horizon 30 days after 2024-06-03
    assert _problems("as_of: 2024-07-03T00:00\n", sc) == [
        "status.yaml:1: as_of: must be before the horizon's end 2024-07-03T00:00 "
        "(got '2024-07-03T00:00')"
    ]


def test_more_cargo_out_than_exists_is_refused() -> None:
    sc = scenario(**TEN_SORTIES)
    assert _problems("as_of: 2024-06-04T00:00\ncargo_out: {pallets of 18: 11}\n", sc) == [
        "status.yaml:2: cargo_out['pallets of 18']: more units out than the scenario has (10) "
        "(got 11)"
    ]


def test_tail_steps_and_clearances_are_checked() -> None:
    sc = scenario(**TEN_SORTIES)
    text = (
        "as_of: 2024-06-04T00:00\n"
        "tails:\n"
        "  - tail: 1\n"
        "    at: inbound\n"
        "    requested: 2024-06-03T00:00\n"
        "closure: {until: 2024-06-03T12:00}\n"
    )
    assert _problems(text, sc) == [
        "status.yaml:3: tails[0].until: required when at is inbound (got null)",
        "status.yaml:5: tails[0].requested: only a tail at the offload station waits for a "
        "clearance (this one is inbound) (got null)",
        "status.yaml:6: closure.until: must be after as_of (a block that has ended is no status) "
        "(got '2024-06-03T12:00')",
    ]


def test_a_tail_flying_back_needs_its_arrival_and_states_no_clearance() -> None:
    sc = scenario(**TEN_SORTIES)
    text = (
        "as_of: 2024-06-04T00:00\n"
        "tails:\n"
        "  - tail: 1\n"
        "    at: outbound\n"
        "    approval: {granted: 2024-06-03T12:00}\n"
    )
    assert _problems(text, sc) == [
        "status.yaml:3: tails[0].until: required when at is outbound (got null)",
        "status.yaml:5: tails[0].approval: a tail flying back asks for its next clearance when "
        "it arrives at the offload station (at until): leave this out (got null)",
    ]
    early = "as_of: 2024-06-04T00:00\ntails: [{tail: 1, at: outbound, until: 2024-06-03T23:00}]\n"
    assert _problems(early, sc) == [
        "status.yaml:2: tails[0].until: must not be before as_of (got '2024-06-03T23:00')"
    ]


def test_unknown_keys_and_wrong_kinds_read_like_scenario_problems() -> None:
    sc = scenario(**TEN_SORTIES)
    text = "as_of: 4 June\ntails:\n  - {tail: 1, at: ramp, bogus: 1}\n"
    assert _problems(text, sc) == [
        "status.yaml:1: as_of: must be an ISO 8601 date-time such as 2024-06-07T23:00 "
        "(got '4 June')",
        "status.yaml:3: tails[0].at: must be one of: offload_station, inbound, base_101, "
        "outbound (got 'ramp')",
        "status.yaml:3: tails[0].bogus: unknown field 'bogus' (allowed: tail, at, until, "
        "approval, requested)",
    ]


# --- shipped files, schema and command line -----------------------------------------


@pytest.mark.parametrize("path", STATUS_FILES, ids=lambda path: path.name)
def test_shipped_status_files_check_against_their_scenario(path: Path) -> None:
    from sim.scenario.status import load_status

    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "# yaml-language-server: $schema=../status.schema.json"
    )
    load_status(path, load_scenario(HISTORICAL))


def test_the_record_of_8_july_leaves_only_the_air_base_201_element() -> None:
    from sim.scenario.status import load_status

    sc = load_scenario(HISTORICAL)
    status = load_status(STATUS_FILES[-1], sc)
    # DF §1.2: 766 departed by the closure; the scenario has 946 (the rest: 180).
    assert sum(status.personnel_out.values()) == 766
    assert sc.total_personnel - 766 == 180


def test_committed_status_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """Regenerate with ``drawdown schema --status > scenarios/status.schema.json``."""
    assert main(["schema", "--status"]) == 0
    printed = capsys.readouterr().out
    assert SCHEMA.read_text(encoding="utf-8") == printed
    assert set(json.loads(printed)["properties"]) == {
        "as_of", "note", "personnel_out", "cargo_out", "tails", "suspension", "closure",
    }  # fmt: skip


def test_run_with_a_bad_status_exits_2_and_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = tmp_path / "status.yaml"
    status.write_text("as_of: 2024-06-01T00:00\npersonnel_out: {nobody: 1}\n", encoding="utf-8")
    out = tmp_path / "run.json"
    code = main(["run", str(HISTORICAL), "--status", str(status), "--json", str(out), "-q"])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{status}:2: personnel_out.nobody: no cohort of this name")
    assert not out.exists()


def test_run_with_a_status_says_so_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = STATUS_FILES[-1]
    out = tmp_path / "run.json"
    code = main(
        ["run", str(HISTORICAL), "--status", str(status), "-n", "4", "--json", str(out), "-q"]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert f"forecast from the status as of 2024-07-08T00:05 ({status})" in text
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["provenance"]["status"] == {"as_of": "2024-07-08T00:05", "source": str(status)}
    # Only the 180 of the Air Base 201 element are left, on C-17 seats (102 a sortie).
    assert payload["counters"]["military_passengers"] == 180
