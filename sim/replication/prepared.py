"""A scenario ready to simulate: plain data, and what all its replications share.

:func:`prepare` compiles a validated scenario (:mod:`sim.scenario.compiled`) and
computes once what every replication would otherwise compute again: the
inventory's loading order and fixed ready times, and the calendar months of the
weather. A Monte Carlo run prepares its scenario once, in the main process, and
sends the result to its workers; nothing is cached between runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.actors.loadmaster import InventoryPlan
from sim.actors.weather import Month, calendar_months
from sim.clock import Clock
from sim.scenario.compiled import CompiledScenario, compile_scenario

if TYPE_CHECKING:
    from sim.scenario.contract import Scenario
    from sim.scenario.status import Status


@dataclass(frozen=True, slots=True)
class Prepared:
    scenario: CompiledScenario
    inventory_plan: InventoryPlan
    months: tuple[Month, ...]
    """The weather's calendar months over the horizon."""

    @property
    def seed(self) -> int:
        return self.scenario.simulation.seed


def prepare(
    scenario: Scenario | CompiledScenario | Prepared, status: Status | None = None
) -> Prepared:
    """``scenario`` compiled, with what its replications share computed once.

    ``status``: start every replication from it (a forecast); only with a ``Scenario``.
    """
    if isinstance(scenario, Prepared | CompiledScenario):
        if status is not None:
            raise ValueError("a status is compiled with its Scenario: pass the Scenario")
        if isinstance(scenario, Prepared):
            return scenario
    compiled = (
        scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario, status)
    )
    clock = Clock(compiled.start)
    horizon_hours = 24.0 * compiled.simulation.horizon_days
    return Prepared(
        scenario=compiled,
        inventory_plan=InventoryPlan(compiled, clock),
        months=calendar_months(compiled.weather, clock, horizon_hours),
    )
