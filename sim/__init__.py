"""drawdown-sim: will the air drawdown from Base 101 finish before its deadline?

The public API, imported lazily so that ``import sim`` (and ``drawdown --version``,
``drawdown validate``) stays fast::

    import sim

    result = sim.run("scenarios/historical-2024.yaml", replications=1000, jobs=2)
    result.score.p_on_time, result.score.completion.p90, result.verdict
    result.to_json()                 # the contract's JSON, rounded
    sim.compare(["a.yaml", "b.yaml"]).score.ranking
    sim.sweep("a.yaml", {"airlift.tails": ["2", "3", "4"]}).rows
    one = sim.simulate(sim.load_scenario("a.yaml"), replication=7, trace=True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim import native

native.choose()  # compiled modules or their sources: decided before any of them is imported

if TYPE_CHECKING:
    from sim.answers.forecast import ForecastCone, forecast_cone
    from sim.answers.results import Comparison, RunResult, SweepResult
    from sim.answers.sensitivity import SensitivityResult, sensitivity
    from sim.answers.solving import SolveResult, solve
    from sim.montecarlo.engine import ReplicationError
    from sim.montecarlo.runs import compare, run, sweep
    from sim.replication.drawdown import simulate
    from sim.replication.outcome import ReplicationResult
    from sim.scenario.contract import Scenario
    from sim.scenario.reading import load_scenario
    from sim.scenario.status import Status

_EXPORTS = {
    "run": "sim.montecarlo.runs",
    "forecast_cone": "sim.answers.forecast",
    "ForecastCone": "sim.answers.forecast",
    "Status": "sim.scenario.status",
    "compare": "sim.montecarlo.runs",
    "sweep": "sim.montecarlo.runs",
    "solve": "sim.answers.solving",
    "SolveResult": "sim.answers.solving",
    "sensitivity": "sim.answers.sensitivity",
    "SensitivityResult": "sim.answers.sensitivity",
    "ReplicationError": "sim.montecarlo.engine",
    "RunResult": "sim.answers.results",
    "Comparison": "sim.answers.results",
    "SweepResult": "sim.answers.results",
    "load_scenario": "sim.scenario.reading",
    "simulate": "sim.replication.drawdown",
    "Scenario": "sim.scenario.contract",
    "ReplicationResult": "sim.replication.outcome",
}

__all__ = [
    "Comparison",
    "ForecastCone",
    "ReplicationError",
    "ReplicationResult",
    "RunResult",
    "Scenario",
    "SensitivityResult",
    "SolveResult",
    "Status",
    "SweepResult",
    "__version__",
    "compare",
    "forecast_cone",
    "load_scenario",
    "run",
    "sensitivity",
    "simulate",
    "solve",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from sim.version import package_version

        return package_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
