"""The verbs of the next questions (solve, sensitivity): output, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from progress_helpers import record_bars
from questions_scenarios import ONE_LEAD, SIXTY_LOADS
from runs_scenarios import write

from sim.cli.main import main


@pytest.fixture
def sixty(tmp_path: Path) -> Path:
    return write(tmp_path, "sixty-loads.yaml", SIXTY_LOADS)


def drawdown(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- solve ----------------------------------------------------------------------


def test_solve_states_the_answer_with_its_evidence(
    capsys: pytest.CaptureFixture[str], sixty: Path
) -> None:
    code, quiet, _ = drawdown(capsys, "solve", sixty, "--vary", "airlift.tails", "-q")
    assert code == 0
    code, out, _ = drawdown(capsys, "solve", sixty, "--vary", "airlift.tails")
    assert code == 0
    lines = out.splitlines()
    assert quiet.splitlines()[:4] == lines[:4]  # -q silences the progress bar only
    assert lines[0] == "sixty-loads: the fewest C-17 tails for P(on time) ≥ 90.0 %"
    assert lines[1].startswith("  answer: airlift.tails = 3 (sure:")
    # Wilson 95 % at 40 of 40: [40/(40 + 1.96²), 1] = [91.2 %, 100 %]; at 0 of 40: [0, 8.8 %].
    assert lines[2] == "    airlift.tails = 3: 100.0 % [91.2, 100.0] (40 replications)"
    assert lines[3] == "    airlift.tails = 2: 0.0 % [0.0, 8.8] (40 replications)"
    assert lines[4].startswith("  searched airlift.tails 1 … 9: 5 evaluations, 200 replications")


def test_solve_json_to_stdout_and_figures(
    capsys: pytest.CaptureFixture[str], sixty: Path, tmp_path: Path
) -> None:
    code, out, _ = drawdown(
        capsys, "solve", sixty, "--vary", "airlift.tails", "--json", "--plots", tmp_path / "f"
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["answer"] == 3
    assert payload["sure"] is True
    assert (tmp_path / "f" / "sixty-loads-solve.png").stat().st_size > 0


def test_an_unreachable_target_exits_1_with_its_answer(
    capsys: pytest.CaptureFixture[str], sixty: Path
) -> None:
    code, out, _ = drawdown(
        capsys, "solve", sixty, "--vary", "airlift.tails", "--range", "1:2", "--json"
    )
    assert code == 1
    payload = json.loads(out)
    assert payload["answer"] is None
    assert payload["reachable"] is False
    assert payload["neighbour"]["value"] == 2


def test_a_frontier_prints_a_table(capsys: pytest.CaptureFixture[str], sixty: Path) -> None:
    code, out, _ = drawdown(
        capsys, "solve", sixty, "--vary", "airlift.tails", "--range", "3:4",
        "--vary", "airlift.available_from", "--step", "24",
    )  # fmt: skip
    assert code == 0
    # By hand (test_solving.py): latest 2024-08-27T14:00 for 3 tails, 2024-09-01T14:00 for 4;
    # at a 24-hour step from the start (22 Aug 00:00) that is 27 Aug and 1 Sep at 00:00.
    assert "      3  2024-08-27 00:00" in out
    assert "      4  2024-09-01 00:00" in out


ALLOWED_AIRLIFT = (
    "aircraft, tails, available_from, positions, payload_kg, passenger_kg, seats, "
    "seats_with_cargo, leg_hours, load_hours, service_hours, turnaround_hours, crew_duty_hours, "
    "crew_rest_hours, breakdown_probability, repair_hours, max_airborne_hold_hours"
)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--vary", "airlift.tials"],
         f"unknown field 'airlift.tials': no 'tials' (allowed: {ALLOWED_AIRLIFT}); "
         "did you mean 'tails'?"),
        (["--vary", "policy.sensitive_first"],
         "policy.sensitive_first is not numeric: it cannot be varied"),
        (["--vary", "airlift.payload_kg"],
         "airlift.payload_kg has no known direction: say whether a larger value helps "
         "(--direction increasing) or hurts (--direction decreasing)"),
        (["--range", "1:3", "--vary", "airlift.tails"],
         "--range goes after the --vary FIELD it applies to"),
        (["--vary", "airlift.tails", "--range", "5:2"],
         "airlift.tails: the range must go from low to high (got 5:2)"),
        (["--vary", "airlift.tails", "--range", "a:b"],
         "airlift.tails: --range must be LOW:HIGH with a whole number at each end"),
        (["--vary", "airlift.tails", "--step", "0.5"],
         "airlift.tails: the step must be a whole number (got 0.5)"),
        (["--vary", "airlift.tails", "--vary", "deadline", "--vary", "base.parking"],
         "vary one field, or two for a frontier (got 3)"),
        (["--vary", "airlift.tails", "--vary", "airlift.tails"],
         "the two fields of a frontier must differ (got airlift.tails twice)"),
        (["--vary", "airlift.tails", "--target", "0"], "argument --target: must be > 0 (got 0)"),
        (["--vary", "airlift.tails", "--step", "-1"], "argument --step: must be > 0 (got -1)"),
        (["--vary", "airlift.tails", "--range", "1:2", "--range", "1:3"],
         "--range given twice for --vary airlift.tails"),
        (["--vary", "airlift.tails", "--direction", "sideways"],
         "argument --direction: invalid choice: 'sideways' (choose from 'increasing', "
         "'decreasing')"),
        (["--vary", "clearance.opens"], "clearance.opens: the scenario has no clearance to vary"),
        (["--vary", "deadline", "--range", "2024-08-01:2024-09-30"],
         "deadline = 2024-08-01 makes the scenario invalid: deadline: must be on or after the "
         "start day (got start=2024-08-22T00:00, deadline=2024-08-01)"),
    ],
)  # fmt: skip
def test_bad_solve_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], sixty: Path, options: list[str], message: str
) -> None:
    code, out, err = drawdown(capsys, "solve", sixty, *options)
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == f"drawdown solve: error: {message}"


# --- sensitivity -----------------------------------------------------------------


def test_sensitivity_prints_the_ranked_table_json_and_tornado(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "one-lead.yaml", ONE_LEAD)
    code, out, _ = drawdown(capsys, "sensitivity", path, "--plots", tmp_path / "f")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("one-lead: what matters most")
    # By hand (questions_scenarios.py): the lead time first, 1.6 days; the service 0.8 h.
    assert lines[4].split()[:4] == ["1", "clearance.lead_days", "1.2", "2.8"]
    assert lines[4].endswith("1.6 d")
    assert lines[5].split()[:2] == ["2", "airlift.service_hours"]
    assert (tmp_path / "f" / "one-lead-tornado.png").stat().st_size > 0
    code, out, _ = drawdown(capsys, "sensitivity", path, "--json")
    assert code == 0
    assert json.loads(out)["inputs"][0]["swing_days"] == 1.6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--also", "airlift.tials"],
         f"unknown field 'airlift.tials': no 'tials' (allowed: {ALLOWED_AIRLIFT}); "
         "did you mean 'tails'?"),
        (["--also", "airlift.tails=4:2"],
         "airlift.tails: the range must go from low to high (got 4:2)"),
        (["--also", "airlift.tails=two:four"],
         "airlift.tails: the bounds must be LOW:HIGH with a whole number at each end"),
        (["--also", "name"], "name is not part of the course of action: it cannot be varied"),
    ],
)  # fmt: skip
def test_bad_sensitivity_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], sixty: Path, options: list[str], message: str
) -> None:
    code, out, err = drawdown(capsys, "sensitivity", sixty, *options)
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == f"drawdown sensitivity: error: {message}"


# --- one progress bar over the whole command -----------------------------------------


def test_solve_shows_one_bar_over_all_its_evaluations(
    capsys: pytest.CaptureFixture[str], sixty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    code, out, _ = drawdown(capsys, "solve", sixty, "--vary", "airlift.tails", "--json")
    assert code == 0
    (bar,) = bars  # not one per evaluation
    # Tails 1 … 9: the best end, the worst end and ⌈log2 8⌉ = 3 values between,
    # 5 evaluations of 40 replications, known before the first runs.
    assert (bar.label, bar.first_total, bar.done, bar.total) == ("solve sixty-loads", 200, 200, 200)
    assert json.loads(out)["provenance"]["replications"] == 200
    drawdown(capsys, "solve", sixty, "--vary", "airlift.tails", "-q")
    assert bars[1].progress is False  # -q: no bar shown


def test_a_frontier_shows_one_bar_over_all_its_searches(
    capsys: pytest.CaptureFixture[str], sixty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    code, out, _ = drawdown(
        capsys, "solve", sixty, "--vary", "airlift.tails", "--range", "3:4",
        "--vary", "airlift.available_from", "--step", "24", "--json",
    )  # fmt: skip
    assert code == 0
    (bar,) = bars
    spent = json.loads(out)["provenance"]["replications"]
    # Planned: two searches over the days from 22 Aug to the deadline, at most
    # 2 + ⌈log2 25⌉ = 7 evaluations each; the bar ends at what was run.
    assert bar.first_total == 2 * 7 * 40
    assert bar.done == bar.total == spent <= bar.first_total


def test_sensitivity_shows_one_bar_of_two_runs_per_input_and_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    path = write(tmp_path, "one-lead.yaml", ONE_LEAD)
    assert drawdown(capsys, "sensitivity", path)[0] == 0
    (bar,) = bars
    # Two uncertain inputs: (2 × 2 + 1) runs × 41 replications, known up front.
    assert (bar.label, bar.first_total, bar.done, bar.total) == (
        "sensitivity one-lead", 205, 205, 205,
    )  # fmt: skip


# --- the tornado in run --plots and in the report -----------------------------------


def test_run_draws_the_tornado_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "one-lead.yaml", ONE_LEAD)
    code, _, err = drawdown(capsys, "run", path, "--tornado")
    assert (code, err) == (2, "drawdown run: error: --tornado goes with --plots DIR\n")
    code, _, _ = drawdown(capsys, "run", path, "-q", "--plots", tmp_path / "f", "--tornado")
    assert code == 0
    assert (tmp_path / "f" / "one-lead-tornado.png").stat().st_size > 0


def test_run_with_tornados_shows_one_bar_and_then_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    one = write(tmp_path, "one-lead.yaml", ONE_LEAD)
    two = write(tmp_path, "two-lead.yaml", ONE_LEAD.replace("name: one-lead", "name: two-lead"))
    code, out, _ = drawdown(capsys, "run", one, two, "--plots", tmp_path / "f", "--tornado")
    assert code == 0
    (bar,) = bars
    # Two runs of 41 and two tornados of (2 × 2 + 1) runs × 41, known up front.
    assert (bar.label, bar.first_total, bar.done, bar.total) == ("run", 492, 492, 492)
    assert out.index("one-lead:") < out.index("\n\ntwo-lead:")
    assert sorted(p.name for p in (tmp_path / "f").glob("*-tornado.png")) == [
        "one-lead-tornado.png", "two-lead-tornado.png",
    ]  # fmt: skip
    assert (tmp_path / "f" / "one-lead-completion.png").stat().st_size > 0


def test_report_has_what_matters_most_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "one-lead.yaml", ONE_LEAD)
    assert drawdown(capsys, "report", path, "-q", "-o", tmp_path / "plain.html")[0] == 0
    assert "What matters most" not in (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert drawdown(capsys, "report", path, "-q", "--tornado", "-o", tmp_path / "r.html")[0] == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h3>What matters most</h3>" in html
    # By hand (as in the sensitivity test above): the lead time first, its swing 1.6 days.
    assert "<tr><td>1</td><td>clearance.lead_days</td><td>1.2</td><td>2.8</td>" in html
    assert "<td>1.6 d</td></tr><tr><td>2</td><td>airlift.service_hours</td>" in html


# --- what it takes in the report ----------------------------------------------------


def test_report_has_what_it_takes_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sixty: Path
) -> None:
    output = tmp_path / "r.html"
    options = ["--solve", "airlift.tails=1:4", "-o", output]
    assert drawdown(capsys, "report", sixty, "-q", *options)[0] == 0
    html = output.read_text(encoding="utf-8")
    assert "<h3>What it takes</h3>" in html
    # By hand: 3 tails finish on 10 Sep, 2 on 20 Sep; searched over 1 … 4.
    assert "<strong>answer: airlift.tails = 3 (sure:" in html
    assert "<li>airlift.tails = 2: 0.0 % [0.0, 8.8] (40 replications)</li>" in html
    assert "searched by bisection over airlift.tails 1 … 4." in html
    assert 'data-figure="solve"' in html


def test_report_answers_for_another_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sixty: Path
) -> None:
    output = tmp_path / "r.html"
    options = ["--solve", "deadline", "--target", "0.5", "-o", output]
    assert drawdown(capsys, "report", sixty, "-q", *options)[0] == 0
    html = output.read_text(encoding="utf-8")
    # The earliest deadline: 3 tails finish 2024-09-10T09:00 every time, so the 10th.
    assert "The earliest deadline for P(on time) ≥ 50.0 %." in html
    assert "<strong>answer: deadline = 2024-09-10 (sure:" in html


def test_report_runs_everything_under_one_bar(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sixty: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bars = record_bars(monkeypatch)
    options = ["--tornado", "--solve", "airlift.tails", "-o", tmp_path / "r.html"]
    assert drawdown(capsys, "report", sixty, *options)[0] == 0
    (bar,) = bars
    # The run (40), the tornado of a scenario without uncertain inputs (its baseline, 40)
    # and the solve (5 evaluations of 40), known before anything runs.
    assert (bar.label, bar.first_total, bar.done, bar.total) == ("report", 280, 280, 280)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--target", "0.8"], "--target goes with --solve FIELD"),
        (["--solve", "airlift.tials"],
         f"unknown field 'airlift.tials': no 'tials' (allowed: {ALLOWED_AIRLIFT}); "
         "did you mean 'tails'?"),
        (["--solve", "airlift.payload_kg"],
         "--solve airlift.payload_kg: no known direction; `drawdown solve FILE --vary "
         "airlift.payload_kg --direction increasing|decreasing` answers for it"),
        (["--solve", "airlift.tails=5:2"],
         "airlift.tails: the range must go from low to high (got 5:2)"),
        (["--solve", "airlift.tails", "--solve", "deadline", "--solve", "base.parking"],
         "--solve one field, or twice for a frontier (got 3)"),
        (["--solve", "airlift.tails", "--target", "1.5"],
         "argument --target: must lie in [0, 1] (got 1.5)"),
    ],
)  # fmt: skip
def test_bad_report_solve_options_are_usage_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sixty: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    message: str,
) -> None:
    bars = record_bars(monkeypatch)
    code, out, err = drawdown(capsys, "report", sixty, *options, "-o", tmp_path / "r.html")
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == f"drawdown report: error: {message}"
    assert not bars  # nothing ran
    assert not (tmp_path / "r.html").exists()
