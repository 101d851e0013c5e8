"""The scenario library (scenarios/*.yaml): valid, documented, expectations that hold, goldens.

Monte Carlo budget. The library is checked at ``-n 200`` in one process (about
20 s of CPU for all twelve files). At n = 200 a proportion near 0.5 has a
standard error of 0.035 (Wilson 95 % half-width ≤ 0.07); each file's ``expect:``
bounds sit at least three standard errors from the value measured there.

Golden summaries (tests/golden/<scenario>.json) hold the main scenarios'
results at their fixed seed and n = 200. With the same seed the numbers replay
exactly, but a harmless change to the model (one more draw from a stream, a
reordered event) changes them by Monte Carlo noise, and a real change moves
them further. The tolerances are therefore Monte Carlo errors of the golden
run, not float precision: four standard errors for P(on time), milestone
probabilities and counter means; four standard errors of the median (1.2533 σ
/ √n, σ estimated from the P10–P90 spread) for completion percentiles. A
counter with no spread across replications (sd = 0, e.g. the 47 sorties of the
historical scenario) is structural, and must match. A
change beyond them is a behaviour change: look at it, then regenerate with
``DRAWDOWN_UPDATE_GOLDEN=1 pytest tests/test_scenarios.py``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.cli.main import main
from sim.montecarlo.runs import run
from sim.scenario.reading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_SCENARIOS = ("historical-2024", "plan-1000")
CHECK_REPLICATIONS = 200
GOLDEN_REPLICATIONS = 200
Z90 = 1.2815515655446004
COUNTERS = ("sorties", "military_passengers", "commercial_passengers", "clearance_wait_hours")


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


def test_the_library_has_at_least_ten_scenarios() -> None:
    assert len(SCENARIOS) >= 10, [path.name for path in SCENARIOS]
    names = {path.stem for path in SCENARIOS}
    assert {"historical-2024", "plan-1000"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=_ids(SCENARIOS))
def test_scenario_validates_and_is_documented(path: Path) -> None:
    """Each file loads, names its schema, and has its own title, description and expect."""
    scenario = load_scenario(path)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./scenario.schema.json"
    assert scenario.title.strip(), "title"
    assert len(scenario.description.strip()) > 80, "description"
    assert scenario.expect is not None, "expect: block"
    assert scenario.expect.p_on_time is not None, "every scenario states its P(on time)"


def test_overlays_extend_the_planning_baseline() -> None:
    """Courses of action and risks are overlays of plan-1000: one change each."""
    overlays = [path for path in SCENARIOS if path.stem.startswith("coa-")]
    assert len(overlays) >= 10
    for path in overlays:
        assert "extends: plan-1000.yaml" in path.read_text(encoding="utf-8"), path.name


def test_historical_totals_match_the_record() -> None:
    """946 personnel (joint communiqué) and about 1,593 t of equipment (DF §1.2)."""
    scenario = load_scenario(ROOT / "scenarios" / "historical-2024.yaml")
    assert scenario.total_personnel == 946
    assert scenario.total_cargo_kg == pytest.approx(1_593_000, rel=0.005)
    assert len(scenario.observed) >= 3
    assert all(point.source for point in scenario.observed)


def test_every_scenario_meets_its_expectations(capsys: pytest.CaptureFixture[str]) -> None:
    """``drawdown check scenarios/*.yaml`` passes (at n = 200, see the module docstring)."""
    files = [str(path) for path in SCENARIOS]
    code = main(["check", *files, "-n", str(CHECK_REPLICATIONS), "-q"])
    report = capsys.readouterr().out
    assert code == 0, report


# --- golden summaries ------------------------------------------------------------


def _golden_summary(name: str) -> dict[str, Any]:
    result = run(ROOT / "scenarios" / f"{name}.yaml", replications=GOLDEN_REPLICATIONS)
    score = result.score
    completion = result.completion_hours
    finished = completion[np.isfinite(completion)]
    p10, p50, p90 = (float(v) for v in np.percentile(finished, [10, 50, 90]))
    counters = result.counters
    return {
        "scenario": name,
        "seed": score.seed,
        "replications": score.replications,
        "p_on_time": score.p_on_time,
        "completion_hours": {"p10": p10, "p50": p50, "p90": p90},
        "milestones": {m.name: m.p_met for m in score.milestones},
        "counters": {
            name: {
                "mean": float(np.mean(counters[name])),
                "sd": float(np.std(counters[name], ddof=1)),
            }
            for name in COUNTERS
        },
    }


def _proportion_tolerance(p: float, n: int) -> float:
    """Four standard errors, with p kept off 0 and 1 (Agresti–Coull: two pseudo-counts each)."""
    shrunk = (p * n + 2) / (n + 4)
    return 4 * math.sqrt(shrunk * (1 - shrunk) / n)


@pytest.mark.parametrize("name", GOLDEN_SCENARIOS)
def test_golden_summary(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    actual = _golden_summary(name)
    if os.environ.get("DRAWDOWN_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(actual, indent=2) + "\n", encoding="utf-8")
    golden = json.loads(path.read_text(encoding="utf-8"))
    n = golden["replications"]
    assert actual["replications"] == n
    assert actual["seed"] == golden["seed"]

    tolerance = _proportion_tolerance(golden["p_on_time"], n)
    assert actual["p_on_time"] == pytest.approx(golden["p_on_time"], abs=tolerance)
    for milestone, p_met in golden["milestones"].items():
        tolerance = _proportion_tolerance(p_met, n)
        assert actual["milestones"][milestone] == pytest.approx(p_met, abs=tolerance), milestone

    expected = golden["completion_hours"]
    sigma = (expected["p90"] - expected["p10"]) / (2 * Z90)
    # Four standard errors of a sample quantile near the median, at least one hour.
    tolerance = max(1.0, 4 * 1.2533 * sigma / math.sqrt(n))
    for q in ("p10", "p50", "p90"):
        assert actual["completion_hours"][q] == pytest.approx(expected[q], abs=tolerance), q

    for counter, stats in golden["counters"].items():
        tolerance = max(1e-9, 4 * stats["sd"] / math.sqrt(n))
        assert actual["counters"][counter]["mean"] == pytest.approx(stats["mean"], abs=tolerance), (
            counter
        )
