"""drawdown-sim: will the air drawdown from Base 101 finish before its deadline?

The public API, imported lazily so that ``import sim`` (and ``drawdown --version``,
``drawdown validate``) stays fast::

    import sim

    result = sim.run("scenarios/historical-2024.yaml", replications=1000, jobs=2)
    result.summary["p_on_time"], result.verdict
    sim.compare(["a.yaml", "b.yaml"]).summary["ranking"]
    sim.sweep("a.yaml", {"airlift.tails": ["2", "3", "4"]}).rows
    one = sim.simulate(sim.load_scenario("a.yaml"), replication=7, trace=True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.loader import load_scenario
    from sim.model import simulate
    from sim.outcome import ReplicationResult
    from sim.results import Comparison, RunResult, SweepResult
    from sim.runner import ReplicationError, compare, run, sweep
    from sim.scenario import Scenario

_EXPORTS = {
    "run": "sim.runner",
    "compare": "sim.runner",
    "sweep": "sim.runner",
    "ReplicationError": "sim.runner",
    "RunResult": "sim.results",
    "Comparison": "sim.results",
    "SweepResult": "sim.results",
    "load_scenario": "sim.loader",
    "simulate": "sim.model",
    "Scenario": "sim.scenario",
    "ReplicationResult": "sim.outcome",
}

__all__ = [
    "Comparison",
    "ReplicationError",
    "ReplicationResult",
    "RunResult",
    "Scenario",
    "SweepResult",
    "__version__",
    "compare",
    "load_scenario",
    "run",
    "simulate",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from sim.runner import package_version

        return package_version()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
