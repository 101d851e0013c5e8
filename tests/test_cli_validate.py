"""``drawdown validate`` and ``drawdown schema``, and the command line's global behaviour.

Most tests call :func:`sim.cli.main.main` in-process and read what it printed with
``capsys``; one runs ``python -m sim`` in a subprocess to check that a bad file
gives exit code 2 and no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim import native
from sim.cli.main import build_parser, main

ROOT = Path(__file__).parent.parent
VALID = ROOT / "tests" / "scenarios" / "valid"
INVALID = ROOT / "tests" / "scenarios" / "invalid"
SCHEMA = ROOT / "scenarios" / "scenario.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema=./scenario.schema.json"


def test_validate_prints_ok_for_each_valid_file(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(VALID / "minimal.yaml"), str(VALID / "overlay.yaml")]
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{file}: ok" for file in files]


def test_validate_reports_problems_and_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(INVALID)
    assert main(["validate", "out-of-range.yaml", "wrong-type.yaml"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "out-of-range.yaml:8: airlift.tails: must be ≥ 0 (got -2)",
        "wrong-type.yaml:7: personnel[0].count: must be an integer (got '50')",
    ]


def test_one_bad_file_among_good_ones_still_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID / "minimal.yaml"), str(INVALID / "empty.yaml")]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"{VALID / 'minimal.yaml'}: ok\n"
    assert "empty.yaml: is empty" in captured.err


def test_validate_applies_set_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(VALID / "minimal.yaml"), "--set", "airlift.tails=-2"]) == 2
    assert capsys.readouterr().err == (
        "--set airlift.tails=-2: airlift.tails: must be ≥ 0 (got -2)\n"
    )


def test_explain_prints_the_resolved_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    """Defaults appear (``seats: 102``), overrides are applied, and the base is merged in."""
    argv = ["validate", "--explain", str(VALID / "overlay.yaml"), "--set", "airlift.seats=90"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {VALID / 'overlay.yaml'}: resolved")
    assert "  tails: 5\n" in out
    assert "  seats: 90\n" in out
    assert "  passenger_kg: 136" in out
    assert "extends:" not in out


def test_schema_verb_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "airlift" in schema["properties"]
    assert "name" not in schema["required"]  # defaults to the file's stem


def test_committed_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """Regenerate with ``drawdown schema > scenarios/scenario.schema.json``."""
    assert main(["schema"]) == 0
    assert SCHEMA.read_text(encoding="utf-8") == capsys.readouterr().out


SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.name)
def test_every_shipped_scenario_validates_and_names_its_schema(path: Path) -> None:
    from sim.scenario.reading import load_scenario

    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_LINE
    load_scenario(path)


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda path: path.name)
def test_test_scenarios_name_the_schema_by_relative_path(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../scenarios/scenario.schema.json"
    assert (path.parent / "../../../scenarios/scenario.schema.json").resolve() == SCHEMA


def test_help_shows_an_example_for_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    """Every registered verb (also those added later) has an example in ``drawdown --help``."""
    verbs = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    assert {"validate", "schema"} <= set(verbs.choices)
    assert main(["--help"]) == 0
    examples = capsys.readouterr().out.split("examples:")[1]
    for name, parser in verbs.choices.items():
        assert f"drawdown {name}" in examples
        assert f"drawdown {name}" in (parser.epilog or "")


def verb_names(parser: argparse.ArgumentParser) -> list[str]:
    return next(
        sorted(action.choices)
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )


def test_the_parser_of_one_verb_declares_that_verb_alone() -> None:
    """What ``main`` builds to run a verb; ``--help`` and usage errors see every verb."""
    every = verb_names(build_parser())
    assert len(every) >= 12
    for name in every:
        assert verb_names(build_parser(name)) == [name]
    assert verb_names(build_parser("no-such-verb")) == every


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["no-such-verb"]) == 2
    assert main(["validate"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_version_names_the_build_that_runs_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    name, build = capsys.readouterr().out.splitlines()
    assert name.startswith("drawdown ")
    assert build == f"model: {native.choose().describe()}"
    assert build.startswith(("model: compiled with mypyc", "model: pure Python"))


def test_interrupt_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.scenario.reading.load_scenario", interrupted)
    assert main(["validate", str(VALID / "minimal.yaml")]) == 130
    assert capsys.readouterr().err == "drawdown: interrupted\n"


@pytest.mark.parametrize(
    ("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_a_stop_signal_during_validate_exits_128_plus_its_number(
    stop: signal.Signals,
    code: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As in the verbs that run workers; the three signals stay ignored afterwards."""
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def signalled(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), stop)

    monkeypatch.setattr("sim.scenario.reading.load_scenario", signalled)
    before = {number: signal.getsignal(number) for number in stop_signals}
    try:
        assert main(["validate", str(VALID / "minimal.yaml")]) == code
        assert capsys.readouterr().err == "drawdown: interrupted\n"
        assert all(signal.getsignal(number) == signal.SIG_IGN for number in stop_signals)
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def test_validate_puts_the_signal_handlers_back() -> None:
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = [signal.getsignal(number) for number in stop_signals]
    assert main(["validate", str(VALID / "minimal.yaml")]) == 0
    assert [signal.getsignal(number) for number in stop_signals] == before


# What a command that runs no replication must not import: the model's libraries and
# the workers' pool (checked by module name, not by time: timings belong to bench/).
HEAVY = ("numpy", "simpy", "matplotlib", "pandas", "scipy", "dask", "distributed", "tqdm",
         "multiprocessing", "concurrent")  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["validate", "scenarios/historical-2024.yaml"], ["schema"], ["--version"]],
    ids=" ".join,
)
def test_commands_that_run_nothing_import_no_heavy_module(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sim", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
    )
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "sim" in imported  # the listing was read
    assert sorted(imported.intersection(HEAVY)) == []


def test_python_m_sim_exits_2_without_a_traceback() -> None:
    """Hostile files are refused quickly (a generous guard, not a benchmark)."""
    files = [
        str(INVALID / name) for name in ("alias-bomb.yaml", "deep-nesting.yaml", "binary.yaml")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "sim", "validate", *files],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 3
