"""The planner's verbs: run, compare, sweep, check, trace — output and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from process_helpers import children
from runs_scenarios import DETERMINISTIC, RANDOM, write

from sim.cli import options
from sim.cli.main import main
from sim.montecarlo.workers import max_jobs
from sim.scenario.contract import MAX_REPLICATIONS

ROOT = Path(__file__).resolve().parent.parent

EXPECT_HELD = """\
expect:
  p_on_time: {min: 1.0}
  completion_p50: {after: 2024-06-01T21:00, before: 2024-06-01T23:00}
  verdict: on track
  unfinished_fraction: {max: 0}
  milestones: {half the people: {min: 1.0}}
"""
EXPECT_FAILED = """\
expect:
  p_on_time: {min: 1.0}
  completion_p50: {before: 2024-06-01T21:00}
  milestones: {nobody: {min: 0.5}}
"""


@pytest.fixture
def deterministic(tmp_path: Path) -> Path:
    return write(tmp_path, "deterministic.yaml", DETERMINISTIC)


@pytest.fixture
def random_yaml(tmp_path: Path) -> Path:
    return write(tmp_path, "random.yaml", RANDOM)


def drawdown(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- run ------------------------------------------------------------------------


def test_run_prints_a_readable_summary(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    code, out, err = drawdown(capsys, "run", deterministic)
    assert code == 0
    assert "deterministic: ON TRACK — P(on time) 100.0 %" in out
    assert "P50   2024-06-01 22:00  +2.1 d" in out
    assert "half the people" in out
    assert err == ""


def test_run_json_on_stdout_is_pure_json(
    capsys: pytest.CaptureFixture[str], deterministic: Path, random_yaml: Path
) -> None:
    code, out, _ = drawdown(capsys, "run", deterministic, "--json")
    assert code == 0
    assert json.loads(out)["completion"]["p50"] == "2024-06-01T22:00"
    code, out, _ = drawdown(capsys, "run", deterministic, random_yaml, "-n", "3", "--json")
    assert [item["scenario"] for item in json.loads(out)] == ["deterministic", "random"]


def test_run_json_in_a_subprocess_is_pure_json_even_with_workers(random_yaml: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(random_yaml), "-n", "6", "-j", "2", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["replications"] == 6


def test_run_writes_json_and_csv_files(
    capsys: pytest.CaptureFixture[str], random_yaml: Path, tmp_path: Path
) -> None:
    code, out, _ = drawdown(
        capsys, "run", random_yaml, "-n", "5", "--seed", "9",
        "--json", tmp_path / "run.json", "--csv", tmp_path / "run.csv",
    )  # fmt: skip
    assert code == 0
    assert "random:" in out  # the table still goes to stdout
    summary = json.loads((tmp_path / "run.json").read_text())
    assert summary["seed"] == 9
    assert summary["provenance"]["source"] == str(random_yaml)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "run.csv").read_text())))
    assert len(rows) == 5


def test_same_seed_same_json_for_any_jobs(
    capsys: pytest.CaptureFixture[str], random_yaml: Path
) -> None:
    outputs = []
    for jobs in ("1", "2"):
        code, out, _ = drawdown(capsys, "run", random_yaml, "-n", "8", "-j", jobs, "--json")
        assert code == 0
        summary = json.loads(out)
        for key in ("wall_seconds", "jobs", "chunk_size"):
            del summary["provenance"][key]
        outputs.append(summary)
    assert outputs[0] == outputs[1]


def test_fail_under_is_a_gate(capsys: pytest.CaptureFixture[str], deterministic: Path) -> None:
    assert drawdown(capsys, "run", deterministic, "-q", "--fail-under", "1")[0] == 0
    # Legs of 30 h: the second sortie takes off at 30 + 2 + 30 + 3 + 30 + 2 = 97 h, after
    # the deadline end (72 h).
    code, out, err = drawdown(capsys, "run", deterministic, "-q", "--set",
                              "airlift.leg_hours=30", "--fail-under", "0.5")  # fmt: skip
    assert code == 1
    assert out.startswith("deterministic: LATE")  # -q silences the progress bar only
    assert "P(on time) 0.0000 is under 0.5" in err


def test_set_errors_are_as_clear_as_file_errors(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path
) -> None:
    code, out, err = drawdown(capsys, "run", deterministic, "--set", "airlift.tails=-2")
    assert (code, out) == (2, "")
    assert err == "--set airlift.tails=-2: airlift.tails: must be ≥ 0 (got -2)\n"
    bad = write(tmp_path, "bad.yaml", DETERMINISTIC.replace("tails: 1", "tails: -2"))
    code, _, err = drawdown(capsys, "run", bad, tmp_path / "missing.yaml")
    assert code == 2
    assert f"{bad}:12: airlift.tails: must be ≥ 0 (got -2)" in err
    assert "missing.yaml" in err  # every file's problems, not just the first


@pytest.mark.parametrize(
    "argv",
    [["-n", "0"], ["-j", "x"], ["--fail-under", "2"], ["--until-precision", "0.9"],
     ["--json", "other.yaml"]],
)  # fmt: skip
def test_run_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], deterministic: Path, argv: list[str]
) -> None:
    code, out, err = drawdown(capsys, "run", deterministic, *argv)
    assert code == 2
    assert out == ""
    assert "error" in err


def test_a_crashed_replication_exits_3_naming_it(
    capsys: pytest.CaptureFixture[str], deterministic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.replication.drawdown

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("model bug")

    monkeypatch.setattr(sim.replication.drawdown, "simulate", crash)
    code, _, err = drawdown(capsys, "run", deterministic)
    assert code == 3
    assert "replication 0 (seed 1) failed: RuntimeError: model bug" in err


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_interrupt_exits_130_without_a_traceback(random_yaml: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(random_yaml), "-n", "1000000", "-j", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # Ctrl-C reaches the whole process group: so does this
    )  # fmt: skip
    try:
        # Interrupt once the run is under way (its workers exist), however slow the
        # machine is to start Python: a fixed sleep raced with start-up under load.
        deadline = time.monotonic() + 60
        while not children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:  # never leave a million-replication run behind
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert "interrupted" in err
    assert out == ""


# --- compare, sweep -------------------------------------------------------------


def test_compare_ranks_with_paired_differences(
    capsys: pytest.CaptureFixture[str], random_yaml: Path, tmp_path: Path
) -> None:
    more = write(tmp_path, "more.yaml", RANDOM.replace("tails: 1", "tails: 3").replace(
        "name: random", "name: more"))  # fmt: skip
    code, out, _ = drawdown(capsys, "compare", random_yaml, more, "-n", "10")
    assert code == 0
    ranking = [line.split()[1] for line in out.splitlines() if line.startswith("     ")]
    assert ranking == ["more", "random"]
    assert "common seed 3" in out
    code, out, _ = drawdown(capsys, "compare", random_yaml, more, "-n", "10", "--json")
    assert json.loads(out)["baseline"] == "random"
    assert drawdown(capsys, "compare", random_yaml, tmp_path / "nope.yaml")[0] == 2


def test_sweep_prints_one_row_per_combination(
    capsys: pytest.CaptureFixture[str], random_yaml: Path, tmp_path: Path
) -> None:
    code, out, _ = drawdown(
        capsys, "sweep", random_yaml, "--set", "airlift.tails=1,2,3",
        "--set", "clearance.lead_days=1,{dist: uniform, low: 1, high: 2}", "-n", "3",
        "--csv", tmp_path / "sweep.csv",
    )  # fmt: skip
    assert code == 0
    assert len(out.strip().splitlines()) == 2 + 6  # header, rule, 3 × 2 combinations
    rows = list(csv.DictReader(io.StringIO((tmp_path / "sweep.csv").read_text())))
    assert rows[1]["clearance.lead_days"] == "{dist: uniform, low: 1, high: 2}"
    assert drawdown(capsys, "sweep", random_yaml, "--set", "airlift.tails=2")[0] == 2
    code, _, err = drawdown(capsys, "sweep", random_yaml, "--set", "airlift.tails=1,-1")
    assert code == 2
    assert "--set airlift.tails=-1: airlift.tails: must be ≥ 0 (got -1)" in err


# --- check ----------------------------------------------------------------------


def test_check_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "held.yaml", DETERMINISTIC + EXPECT_HELD)
    code, out, _ = drawdown(capsys, "check", path)
    assert code == 0
    assert f"{path}: ok" in out
    assert out.count("held ") == 5


def test_check_fails_with_the_actual_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    held = write(tmp_path, "held.yaml", DETERMINISTIC + EXPECT_HELD)
    failed = write(tmp_path, "failed.yaml", DETERMINISTIC + EXPECT_FAILED)
    code, out, _ = drawdown(capsys, "check", held, failed, "-n", "2")
    assert code == 1
    assert "2 of 3 expectations FAILED" in out
    line = next(line for line in out.splitlines() if "completion_p50" in line and "FAILED" in line)
    assert "before 2024-06-01T21:00" in line
    assert "2024-06-01T22:00" in line
    assert "none (known: half the people)" in out


def test_check_without_expectations_is_a_note(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    code, out, _ = drawdown(capsys, "check", deterministic)
    assert code == 0
    assert "no expect block" in out


# --- trace ----------------------------------------------------------------------


def test_trace_prints_the_event_log(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path
) -> None:
    code, out, _ = drawdown(capsys, "trace", deterministic, "--replication", "2")
    assert code == 0
    assert "2024-06-01 22:00  C-17A #1  takes off" in out
    assert "replication 2, seed 1: complete at 2024-06-01 22:00" in out
    code, out, _ = drawdown(capsys, "trace", deterministic, "-r", "0", "--csv", "-")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["time", "actor", "event", "detail"]
    assert rows[-1][2] == "takes off"
    assert drawdown(capsys, "trace", deterministic)[0] == 2  # --replication is required
    assert drawdown(capsys, "trace", deterministic, "-r", "-1")[0] == 2


def test_every_verb_has_an_example_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = drawdown(capsys, "--help")
    assert code == 0
    for verb in ("run", "compare", "sweep", "check", "trace"):
        assert f"  drawdown {verb} " in out


# --- exports and the small things (one rule for -q, --set recorded) -------------------


def test_quiet_silences_progress_only(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    for argv in (
        ["run", deterministic, "-q"],
        ["compare", deterministic, deterministic, "-q"],
        ["sweep", deterministic, "--set", "airlift.tails=1,2", "-q"],
    ):
        code, out, err = drawdown(capsys, *argv)
        assert code == 0
        assert "2024-06-01" in out, argv  # the result table
        assert err == ""  # no progress bar
    code, out, _ = drawdown(capsys, "compare", deterministic, deterministic, "-q", "--json", "-")
    assert json.loads(out)["baseline"] == "deterministic"  # stdout holds the data alone


def test_compare_writes_one_csv_row_per_scenario(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path
) -> None:
    faster = write(
        tmp_path, "faster.yaml", DETERMINISTIC.replace("name: deterministic", "name: two")
    )
    code, out, _ = drawdown(capsys, "compare", deterministic, faster, "--set", "airlift.tails=2",
                            "--csv", "-")  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["scenario"] for row in rows] == ["deterministic", "two"]
    # Two tails, one parking spot: done at 09:00 in every replication (tests/test_overrides.py);
    # 3 of 3 on time, Wilson 95 % low end 3 / (3 + 1.96²) = 0.4385.
    assert rows[0]["completion_p50"] == "2024-06-01T09:00"
    assert (rows[0]["p_on_time"], rows[0]["p_on_time_low"], rows[0]["p_on_time_high"]) == (
        "1.0", "0.4385", "1.0"
    )  # fmt: skip
    assert rows[1]["completion_p50_difference_days"] == "0.0"


def test_calibrate_writes_one_csv_row_per_point_and_quantity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    full = ROOT / "tests" / "scenarios" / "valid" / "full.yaml"
    target = tmp_path / "out" / "calibration.csv"
    code, out, _ = drawdown(capsys, "calibrate", full, "-n", "4", "--csv", target)
    assert code == 0
    assert "personnel" in out  # the table is still printed
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    # full.yaml observes personnel on 7 Jul, personnel and cargo on 5 Aug: three rows.
    assert [(row["at"], row["quantity"]) for row in rows] == [
        ("2024-07-07T00:00", "personnel_out"),
        ("2024-08-05T12:00", "personnel_out"),
        ("2024-08-05T12:00", "cargo_out_kg"),
    ]
    assert rows[0]["record_low"] == "200.0"


def test_set_values_appear_in_the_summary_and_the_provenance(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    code, out, _ = drawdown(capsys, "run", deterministic, "--set", "airlift.tails=2")
    assert code == 0
    assert out.splitlines()[2] == "  with --set airlift.tails=2"
    code, out, _ = drawdown(capsys, "run", deterministic, "--set", "airlift.tails=2", "--json")
    assert json.loads(out)["provenance"]["overrides"] == ["airlift.tails=2"]
    code, out, _ = drawdown(capsys, "run", deterministic, "--json")
    assert "overrides" not in json.loads(out)["provenance"]  # a plain run reads as before


def test_trace_csv_to_a_file_leaves_stdout_one_line(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path
) -> None:
    target = tmp_path / "r0.csv"
    code, out, _ = drawdown(capsys, "trace", deterministic, "-r", "0", "--csv", target)
    assert code == 0
    events = len(target.read_text(encoding="utf-8").splitlines()) - 1  # less the header
    assert out.splitlines() == [
        f"replication 0, seed 1: complete at 2024-06-01 22:00; {events} events "
        f"(log written to {target})"
    ]
    code, out, _ = drawdown(capsys, "trace", deterministic, "-r", "0", "--csv", "-")
    assert out == target.read_text(encoding="utf-8")


# --- outputs that cannot be written: a message, exit 2, nothing half-written ------------


@pytest.mark.parametrize(
    ("verb", "option", "reason"),
    [
        ("run", "--json", "is a directory"),
        ("run", "--csv", "is a directory"),
        ("report", "-o", "is a directory"),
    ],
)
def test_a_directory_as_output_is_refused_before_the_run(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path,
    verb: str, option: str, reason: str,
) -> None:  # fmt: skip
    target = tmp_path / "out"
    target.mkdir()
    code, out, err = drawdown(capsys, verb, deterministic, option, target, "-q")
    assert (code, out) == (2, "")
    assert err == f"drawdown {verb}: error: {target}: cannot write: {reason}\n"


def test_plots_into_a_file_is_refused(
    capsys: pytest.CaptureFixture[str], deterministic: Path, tmp_path: Path
) -> None:
    (tmp_path / "plots").write_text("")
    code, out, err = drawdown(capsys, "run", deterministic, "-q", "--plots", tmp_path / "plots")
    assert (code, out) == (2, "")  # refused before the run: no table
    assert err == f"drawdown run: error: {tmp_path / 'plots'}: cannot write: is not a directory\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")
def test_a_full_disk_is_a_message(capsys: pytest.CaptureFixture[str], deterministic: Path) -> None:
    code, _, err = drawdown(capsys, "run", deterministic, "-q", "--json", "/dev/full")
    assert (code, err) == (
        2,
        "drawdown run: error: /dev/full: cannot write: No space left on device\n",
    )


# --- names from a scenario are data, never commands ---------------------------------------


HOSTILE_NAME = 'name: "=HYPERLINK(\\"x\\") \\e]0;pwned\\a\\e[2J"\n'


def test_escape_sequences_in_a_name_are_shown_not_obeyed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path, "hostile.yaml", DETERMINISTIC.replace("name: deterministic\n", HOSTILE_NAME)
    )
    code, out, _ = drawdown(capsys, "run", path, "-n", "1")
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert out.startswith('=HYPERLINK("x") \\x1b]0;pwned\\x07\\x1b[2J: ')


def test_csv_cells_are_not_spreadsheet_formulas(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, deterministic: Path
) -> None:
    path = write(
        tmp_path, "hostile.yaml", DETERMINISTIC.replace("name: deterministic\n", HOSTILE_NAME)
    )
    code, out, _ = drawdown(capsys, "run", path, deterministic, "-n", "1", "-q", "--csv", "-")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["scenario"] == '\'=HYPERLINK("x") \x1b]0;pwned\x07\x1b[2J'
    assert rows[1]["scenario"] == "deterministic"
    assert rows[0]["slack_days"] == rows[1]["slack_days"]  # numbers stay numbers


def test_plots_from_a_hostile_name_stay_in_their_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``../../x/evil $\\foo{$``: no climbing out, and the $…$ is text, not a formula."""
    hostile = 'name: "../../x/evil $\\\\foo{$"\n'
    path = write(tmp_path, "hostile.yaml", DETERMINISTIC.replace("name: deterministic\n", hostile))
    figures = tmp_path / "a" / "b" / "plots"
    code, _, err = drawdown(capsys, "run", path, "-n", "2", "-q", "--plots", figures)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in tmp_path.rglob("*.png")) == sorted(
        f"x-evil-foo-{stem}.png"
        for stem in ("burndown-personnel", "burndown-cargo", "completion", "timeline",
                     "timeline-first-week", "lateness-drivers")
    )  # fmt: skip
    assert {p.parent for p in tmp_path.rglob("*.png")} == {figures}


# --- work is bounded before it starts ------------------------------------------------------


def test_replications_on_the_command_line_are_capped_like_the_file(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    assert MAX_REPLICATIONS == options.MAX_REPLICATIONS == 10_000_000
    code, out, err = drawdown(capsys, "run", deterministic, "-n", "1000000000")
    assert (code, out) == (2, "")
    assert "argument -n/--replications: must be ≤ 10,000,000, the cap of " in err
    code, _, err = drawdown(capsys, "run", deterministic, "--until-precision", "0.01",
                            "--max-replications", "20000000")  # fmt: skip
    assert code == 2
    assert "argument --max-replications: must be ≤ 10,000,000" in err


def test_jobs_are_capped_at_four_per_cpu(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    code, out, err = drawdown(capsys, "run", deterministic, "-j", "1000")
    assert (code, out) == (2, "")
    assert f"argument -j/--jobs: must be ≤ {max_jobs()}: four per CPU" in err


def test_a_huge_sweep_is_refused_before_anything_is_built(
    capsys: pytest.CaptureFixture[str], deterministic: Path
) -> None:
    """Five axes of 20 values: 20**5 = 3,200,000 combinations, counted, not built."""
    values = ",".join(str(value) for value in range(1, 21))
    axes = ["airlift.tails", "airlift.seats", "base.parking", "base.loading_teams",
            "simulation.seed"]  # fmt: skip
    settings = [item for key in axes for item in ("--set", f"{key}={values}")]
    started = time.monotonic()
    code, out, err = drawdown(capsys, "sweep", deterministic, *settings)
    assert (code, out) == (2, "")
    assert err == (
        "drawdown sweep: error: the sweep has 3,200,000 combinations (20 × 20 × 20 × 20 × 20); "
        "at most 1,000: sweep fewer values, or split it into several sweeps\n"
    )
    assert time.monotonic() - started < 5


def test_compare_warns_on_stderr_about_different_bases(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = write(tmp_path, "base.yaml", DETERMINISTIC.replace("name: deterministic\n", ""))
    write(tmp_path, "other.yaml", DETERMINISTIC.replace("name: deterministic\n", ""))
    overlay = write(tmp_path, "overlay.yaml", "extends: other.yaml\nairlift: {tails: 2}\n")
    # -q silences the table, not the warning: the numbers it would print mislead.
    code, out, err = drawdown(capsys, "compare", base, overlay, "-n", "1", "-q")
    assert code == 0
    assert "drawdown compare: warning: the scenarios extend different bases" in err
    code, out, err = drawdown(capsys, "compare", base, overlay, "-n", "1", "--json")
    assert json.loads(out)["warnings"][0].startswith("the scenarios extend different bases")
