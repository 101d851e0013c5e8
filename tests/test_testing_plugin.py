"""The pytest plugin: scenario files with an expect: block become test items.

Run with pytest's own ``pytester``: each test writes a small project and runs
pytest on it in process. Those runs load the plugin alone (``-p``, other
plugins' autoloading off, so that each run is quick); the last test checks,
in a fresh process, that the ``pytest11`` entry point registers it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC

# pytester runs pytest in this process and then forgets the modules imported meanwhile,
# but NumPy cannot be imported twice in one process: what the items use is imported here.
import sim.answers.expectations
import sim.montecarlo.runs
import sim.render.text
import sim.scenario.reading  # noqa: F401

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

# The deterministic scenario completes at 2024-06-01T22:00 in every replication
# (by hand in runs_scenarios.py), and its milestone (half the people out by the
# end of 1 June) is met every time: 54 people leave at 07:00.
HOLDS = "expect:\n  p_on_time: {min: 1.0}\n  completion_p50: {before: 2024-06-01T22:01}\n"
FAILS = (
    "expect:\n"
    "  completion_p50: {after: 2024-06-01, before: 2024-06-01T21:00}\n"
    "  verdict: on track\n"
)


@pytest.fixture(autouse=True)
def plugin_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "sim.testing.plugin", *args)


def scenario_file(pytester: pytest.Pytester, name: str, expect: str) -> Path:
    return pytester.makefile(".yaml", **{name: DETERMINISTIC + expect})


def test_a_scenario_that_meets_its_expectations_passes(pytester: pytest.Pytester) -> None:
    scenario_file(pytester, "good", HOLDS)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["good.yaml::expect PASSED*"])


def test_a_failure_names_the_expectation_the_value_and_its_interval(
    pytester: pytest.Pytester,
) -> None:
    scenario_file(pytester, "late", FAILS)
    result = run(pytester, "--drawdown-replications", "40")
    result.assert_outcomes(failed=1)
    # Every replication completes at 22:00, so every order statistic, and the whole
    # interval of the median, is 22:00: not before 21:00.
    result.stdout.fnmatch_lines(
        [
            "*late.yaml (expect: block)*",
            "late.yaml: 1 of 2 expectations FAILED",
            "*expectation*expected*actual*95 % interval",
            "*FAILED*completion_p50*on or after 2024-06-01T00:00 and before 2024-06-01T21:00"
            "*2024-06-01T22:00*2024-06-01T22:00 – 2024-06-01T22:00",
            "*held*verdict*on track*on track*of P(on time)",
            "40 replications, seed 1; the same run: drawdown check late.yaml -n 40 --seed 1",
            "FAILED late.yaml::expect - late.yaml: 1 of 2 expectations FAILED",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_replications_come_from_the_option_the_ini_or_the_file(
    pytester: pytest.Pytester,
) -> None:
    scenario_file(pytester, "late", FAILS)
    # The file's own simulation block says 3 replications.
    run(pytester).stdout.fnmatch_lines(["3 replications, seed 1;*"])
    pytester.makeini("[pytest]\ndrawdown_replications = 5\n")
    run(pytester).stdout.fnmatch_lines(["5 replications, seed 1;*"])
    run(pytester, "--drawdown-replications=7").stdout.fnmatch_lines(["7 replications, seed 1;*"])
    refused = run(pytester, "--drawdown-replications=0")
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(["*--drawdown-replications / drawdown_replications must be ≥ 1*"])


def test_a_scenario_that_does_not_load_fails_with_its_problems(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".yaml", broken=DETERMINISTIC.replace("tails: 1,", "tails: -2,") + HOLDS)
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "broken.yaml: the scenario does not load",
            "broken.yaml:12: airlift.tails: must be ≥ 0 (got -2)",
        ]
    )


def test_other_yaml_files_are_left_alone(pytester: pytest.Pytester) -> None:
    scenario_file(pytester, "good", HOLDS)
    pytester.makefile(".yaml", config="expect:\n  anything: 1\n")  # not a scenario
    pytester.makefile(".yml", plain=DETERMINISTIC)  # a scenario without expectations
    result = run(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["good.yaml::expect", "1 test collected*"])


def test_items_carry_the_scenario_marker(pytester: pytest.Pytester) -> None:
    scenario_file(pytester, "good", HOLDS)
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = run(pytester, "-m", "not scenario", "--strict-markers")
    result.assert_outcomes(passed=1, deselected=1)


def test_the_suite_leaves_its_scenario_fixtures_to_the_tests(pytester: pytest.Pytester) -> None:
    """tests/conftest.py keeps tests/scenarios/*.yaml out of the suite; scenarios/ is collected."""
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    tests = pytester.mkdir("tests")
    (tests / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tests / "test_a.py").write_text("def test_a():\n    pass\n")
    (tests / "scenarios").mkdir()
    (tests / "scenarios" / "fixture.yaml").write_text(DETERMINISTIC + HOLDS)
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "real.yaml").write_text(DETERMINISTIC + HOLDS)
    suite = run(pytester, "--collect-only", "-q")
    suite.stdout.fnmatch_lines(["tests/test_a.py::test_a", "1 test collected*"])
    library = run(pytester, "scenarios", "--collect-only", "-q")
    library.stdout.fnmatch_lines(["scenarios/real.yaml::expect", "1 test collected*"])


def test_pytest_scenarios_collects_the_library_from_a_checkout() -> None:
    """What a fresh clone's `pytest scenarios/` sees: one item per file with expect:."""
    expected = sorted(
        f"scenarios/{path.name}::expect"
        for path in (ROOT / "scenarios").glob("*.yaml")
        if "\nexpect:" in path.read_text(encoding="utf-8")
    )
    assert len(expected) >= 10
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "scenarios", "--collect-only", "-q", "-p",
         "no:cacheprovider"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr
    items = sorted(line for line in collected.stdout.splitlines() if "::" in line)
    assert items == expected
