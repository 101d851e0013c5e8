"""What every verb shares: exit codes in its --help, and one rule for output paths."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, write

from sim.cli.exits import EXIT_CODES, UsageError
from sim.cli.main import build_parser, main
from sim.cli.options import check_output_path
from sim.outputs import OutputError

ROOT = Path(__file__).resolve().parent.parent
VERBS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[arg-type]
OUTPUT_OPTIONS = ("output", "json", "csv", "plots")


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_lists_the_exit_codes(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([verb, "--help"]) == 0
    help_text = capsys.readouterr().out
    assert help_text.rstrip().endswith(EXIT_CODES)
    assert "130  interrupted" in help_text


def examples() -> list[str]:
    parser = build_parser()
    return [line.strip() for line in (parser.epilog or "").splitlines() if "drawdown " in line]


def test_help_examples_write_where_a_fresh_clone_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example parses, and each output path it names is accepted in an empty folder."""
    monkeypatch.chdir(tmp_path)
    parser = build_parser()
    checked = 0
    for example in examples():
        command, redirect, target = example.partition(">")
        if redirect:  # the shell opens the file: its folder must be in the checkout
            assert (ROOT / target.strip()).parent.is_dir(), example
        args = parser.parse_args(command.split()[1:])
        for option in OUTPUT_OPTIONS:
            value = getattr(args, option, None)
            if isinstance(value, str) and option != "plots":
                check_output_path(value, args)
                checked += 1
    assert checked >= 4


def test_outputs_create_their_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    target = tmp_path / "out" / "deep" / "run.json"
    assert main(["run", str(scenario), "-q", "--json", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["scenario"] == "deterministic"
    trace = tmp_path / "traces" / "r0.csv"
    assert main(["trace", str(scenario), "-r", "0", "--csv", str(trace)]) == 0
    assert trace.read_text(encoding="utf-8").startswith("time,")


def test_output_paths_that_cannot_work_are_refused_before_running(tmp_path: Path) -> None:
    scenario = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    args = argparse.Namespace(files=[str(scenario)])
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    # A path that can never be written is PATH: cannot write: reason (exit 2 in a verb).
    with pytest.raises(OutputError, match=r"run\.json: cannot write: cannot create its folder: "):
        check_output_path(str(tmp_path / "a-file" / "out" / "run.json"), args)
    with pytest.raises(OutputError, match=r": cannot write: is a directory$"):
        check_output_path(str(tmp_path), args)
    with pytest.raises(UsageError, match="over a scenario file"):
        check_output_path(str(scenario), args)
    assert not (tmp_path / "out").exists()  # nothing created by a check
