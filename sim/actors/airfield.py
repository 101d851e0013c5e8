"""Base 101 (Niamey): the departure airfield's ramp.

Parking spots (the maximum on ground, MOG) are a SimPy resource held from
landing to take-off, including any wait for a loading team, loading, service,
repair or crew rest; loading teams (materials-handling equipment and crews) are
a second resource, held only while an aircraft is being loaded. Weather
closures shut the runway, not the ramp: loading goes on.
"""

from __future__ import annotations

import simpy

from sim.clock import Blocked
from sim.scenario.compiled import Base


class Base101:
    __slots__ = ("closures", "loading_teams", "name", "parking")

    def __init__(self, env: simpy.Environment, base: Base, closures: Blocked) -> None:
        self.name = base.name
        self.parking = simpy.Resource(env, capacity=base.parking)
        self.loading_teams = simpy.Resource(env, capacity=base.loading_teams)
        self.closures = closures
