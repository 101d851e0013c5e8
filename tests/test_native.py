"""The compiled build (sim/native.py): when it runs, and that it changes no result.

A fake package in a temporary folder stands for the real one in the decision tests;
the last tests run the real model in both builds, in fresh interpreters.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from sim import native
from sim.scenario.compiled import compile_scenario
from sim.scenario.reading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
COMPILED = native.detect(environ={}).compiled
needs_compiled = pytest.mark.skipif(
    not COMPILED, reason=f"no compiled build here: {native.detect(environ={}).reason}"
)


def fake_package(tmp_path: Path) -> Path:
    """Every compiled module's source and (empty) compiled twin, and the build's record."""
    package = tmp_path / "sim"
    for module in (*native.MODULES, native.SHARED_LIBRARY):
        source = native.source_path(module, package)
        source.parent.mkdir(parents=True, exist_ok=True)
        if module in native.MODULES:
            source.write_text(f"# {module}\n")
        native.extension_path(module, package).write_bytes(b"")
    (package / "native.json").write_text(json.dumps(native.manifest(package)))
    return package


def test_a_complete_build_of_the_sources_beside_it_runs(tmp_path: Path) -> None:
    build = native.detect(environ={}, package=fake_package(tmp_path))
    assert build == native.Build(True, f"{len(native.MODULES)} modules")
    assert build.describe() == f"compiled with mypyc ({len(native.MODULES)} modules)"


def test_an_edited_source_runs_the_sources_and_names_the_file(tmp_path: Path) -> None:
    package = fake_package(tmp_path)
    native.source_path("sim.actors.airlift", package).write_text("# edited\n")
    build = native.detect(environ={}, package=package)
    assert not build.compiled
    assert (
        build.reason
        == "sources edited since compiled: sim/actors/airlift.py; `make` compiles again"
    )


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("no record", "not compiled: no C compiler at install, or DRAWDOWN_COMPILE=0"),
        ("torn record", "native.json unreadable: compile again"),
        ("shared library missing", "compiled modules missing: compile again"),
        ("module missing", "compiled modules missing: compile again"),
        ("other interpreter", "compiled for another interpreter (.cpython-399-x.so)"),
    ],
)
def test_an_incomplete_build_runs_the_sources(tmp_path: Path, damage: str, reason: str) -> None:
    package = fake_package(tmp_path)
    record = package / "native.json"
    if damage == "no record":
        record.unlink()
    elif damage == "torn record":
        record.write_text('{"sources": ')
    elif damage == "shared library missing":
        native.extension_path(native.SHARED_LIBRARY, package).unlink()
    elif damage == "module missing":
        native.extension_path("sim.clock", package).unlink()
    else:
        record.write_text(
            json.dumps({**native.manifest(package), "extension_suffix": ".cpython-399-x.so"})
        )
    assert native.detect(environ={}, package=package) == native.Build(False, reason)


@pytest.mark.parametrize(
    ("value", "compiled"), [("1", False), ("yes", False), ("0", True), ("", True)]
)
def test_the_variable_forces_the_sources(tmp_path: Path, value: str, compiled: bool) -> None:
    environ = {native.PURE_PYTHON_VARIABLE: value}
    assert native.detect(environ=environ, package=fake_package(tmp_path)).compiled is compiled


def test_the_compiled_modules_are_the_models_hot_path() -> None:
    """Every module a replication runs, none that reads files, plots or validates input."""
    assert all(native.source_path(module).exists() for module in native.MODULES)
    assert not any(
        module.startswith(("sim.plots", "sim.cli", "sim.render")) for module in native.MODULES
    )
    assert "sim.scenario.reading" not in native.MODULES


def _fingerprints_in_a_fresh_interpreter(pure: bool) -> tuple[str, list[str]]:
    """The build and the fingerprints of a few replications of three scenarios, run apart."""
    code = """
import json, sys
import sim, sim.native
from sim.replication.drawdown import simulate
from sim.scenario.reading import load_scenario
import sim.actors.airlift as airlift
cases = (("scenarios/historical-2024.yaml", 40), ("scenarios/plan-1000.yaml", 40),
         ("tests/scenarios/valid/full.yaml", 20))
prints = [json.dumps(simulate(load_scenario(path), i).fingerprint(), sort_keys=True)
          for path, n in cases for i in range(n)]
json.dump({"file": airlift.__file__, "prints": prints}, sys.stdout)
"""
    environ = {**os.environ, native.PURE_PYTHON_VARIABLE: "1" if pure else ""}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(done.stdout)
    return out["file"], out["prints"]


@needs_compiled
def test_both_builds_give_the_same_results_bit_for_bit() -> None:
    compiled_file, compiled = _fingerprints_in_a_fresh_interpreter(pure=False)
    source_file, pure = _fingerprints_in_a_fresh_interpreter(pure=True)
    assert Path(compiled_file).suffix == ".so"
    assert Path(source_file).suffix == ".py"
    assert len(compiled) == 100
    assert compiled == pure


def test_a_compiled_scenario_pickles_by_its_constructor() -> None:
    """Frozen dataclasses cross to workers in either build (sim/picklable.py)."""
    scenario = compile_scenario(load_scenario(ROOT / "tests/scenarios/valid/full.yaml"))
    assert pickle.loads(pickle.dumps(scenario)) == scenario
