"""The pytest plugin: ``pytest scenarios/`` checks every scenario's ``expect:`` block.

Registered through the ``pytest11`` entry point, so installing drawdown-sim is
enough. Each YAML file that is a scenario (a top-level ``schema_version:``) with
an ``expect:`` block becomes one test item, ``FILE::expect``; other YAML files
are left alone. The item runs the scenario and checks it exactly as
``drawdown check`` does (:func:`sim.answers.expectations.check_run`); a failure
lists every expectation with the value found and its 95 % interval, and a file
that does not load fails with its problems, as ``drawdown validate`` prints them.

Replications: ``--drawdown-replications N`` on the command line, else the
``drawdown_replications`` ini setting, else the scenario's own
``simulation.replications`` (then the item agrees with ``drawdown check FILE``).
``--drawdown-jobs J`` (ini ``drawdown_jobs``) runs each scenario on J processes.
Items carry the ``scenario`` marker: ``pytest -m "not scenario"`` leaves them out.

Only the standard library and pytest are imported here: pytest loads the plugin
for every test run in an environment where drawdown-sim is installed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sim.answers.expectations import ExpectationOutcome
    from sim.answers.results import RunResult

_SCENARIO = re.compile(r"^schema_version\s*:", re.MULTILINE)
_EXPECT = re.compile(r"^expect\s*:", re.MULTILINE)
_MAX_BYTES = 10 * 1024 * 1024


def _count(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise pytest.UsageError(f"{what} must be a whole number (got {text!r})") from None
    if value < 1:
        raise pytest.UsageError(f"{what} must be ≥ 1 (got {value})")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drawdown", "drawdown-sim scenario expectations")
    group.addoption(
        "--drawdown-replications",
        metavar="N",
        help="replications per scenario file (default: ini drawdown_replications, "
        "else the scenario's simulation.replications)",
    )
    group.addoption(
        "--drawdown-jobs",
        metavar="J",
        help="processes per scenario run (default: ini drawdown_jobs, else 1)",
    )
    parser.addini(
        "drawdown_replications",
        "replications per scenario file checked by pytest (default: the scenario's own)",
    )
    parser.addini("drawdown_jobs", "processes per scenario run (default 1)")


@dataclass(frozen=True)
class Settings:
    replications: int | None  # None: the scenario's own
    jobs: int


_SETTINGS = pytest.StashKey[Settings]()


def _setting(config: pytest.Config, name: str) -> int | None:
    value = config.getoption(f"--drawdown-{name}") or config.getini(f"drawdown_{name}")
    what = f"--drawdown-{name} / drawdown_{name}"
    return _count(str(value), what) if value else None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scenario: a scenario file's expect: block, checked by drawdown-sim"
    )
    # Bad values stop the session at once (exit 4), not in every item.
    config.stash[_SETTINGS] = Settings(
        replications=_setting(config, "replications"), jobs=_setting(config, "jobs") or 1
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix.lower() not in (".yaml", ".yml"):
        return None
    try:
        with file_path.open("rb") as stream:
            text = stream.read(_MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    if not (_SCENARIO.search(text) and _EXPECT.search(text)):
        return None
    collector: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
    return collector


class ScenarioFile(pytest.File):
    """A scenario file with an ``expect:`` block: one item."""

    def collect(self) -> Iterator[pytest.Item]:
        yield ScenarioExpectations.from_parent(self, name="expect")


class ExpectationsFailed(Exception):
    """Raised by an item whose run did not meet its ``expect:`` block."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


class ScenarioExpectations(pytest.Item):
    """Run one scenario and check its ``expect:`` block (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_marker("scenario")

    def _source(self) -> str:
        try:
            return os.path.relpath(self.path)
        except ValueError:  # another drive (Windows)
            return str(self.path)

    def runtest(self) -> None:
        from sim.answers.expectations import check_run
        from sim.montecarlo.runs import run
        from sim.scenario.reading import load_scenario

        source = self._source()
        scenario = load_scenario(source)
        if scenario.expect is None:
            pytest.skip("the expect: block is empty")
        settings = self.config.stash[_SETTINGS]
        result = run(
            scenario,
            source=source,
            replications=settings.replications,
            jobs=settings.jobs,
            progress=False,
        )
        outcomes = check_run(scenario.expect, result)
        for outcome in outcomes:
            self.user_properties.append((outcome.name, outcome.actual))
        if not all(outcome.held for outcome in outcomes):
            raise ExpectationsFailed(_report(source, outcomes, result))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        from sim.scenario.problems import ScenarioError

        if isinstance(excinfo.value, ExpectationsFailed):
            return excinfo.value.report
        if isinstance(excinfo.value, ScenarioError):
            problems = "\n".join(str(problem) for problem in excinfo.value.problems)
            return f"{self._source()}: the scenario does not load\n{problems}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self._source()} (expect: block)"


def _report(source: str, outcomes: list[ExpectationOutcome], result: RunResult) -> str:
    from sim.render.text import render_check

    seed = result.scenario.simulation.seed
    return (
        render_check(source, outcomes)
        + f"{result.replications} replications, seed {seed}; the same run: "
        + f"drawdown check {source} -n {result.replications} --seed {seed}"
    )
