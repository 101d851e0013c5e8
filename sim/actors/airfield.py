"""Base 101 (Niamey): the departure airfield's ramp.

Parking spots (the maximum on ground, MOG) are held from landing to take-off,
including any wait for a loading team, loading, service, repair or crew rest;
loading teams (materials-handling equipment and crews) are held only while an
aircraft is being loaded. Weather closures shut the runway, not the ramp:
loading goes on.

Both are :class:`Places`: a count and a first-come, first-served waiting list.
Taking a free place is immediate and costs the simulation no event; only a
tail that has to wait gets an event, which succeeds when a place is handed on
to it.
"""

from __future__ import annotations

from collections import deque

import simpy

from sim.clock import Blocked
from sim.scenario.compiled import Base


class Places:
    """``capacity`` identical places, ``count`` of them held, and who waits for one."""

    __slots__ = ("_env", "_waiting", "capacity", "count")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self._env = env
        self._waiting: deque[simpy.Event] = deque()
        self.capacity = capacity
        self.count = 0

    def take(self) -> simpy.Event | None:
        """Take a place: None when one was free (held from now on), else the event to wait for.

        The event succeeds when a place is handed on to this taker (first come, first served).
        """
        if self.count < self.capacity:
            self.count += 1
            return None
        waiting = self._env.event()
        self._waiting.append(waiting)
        return waiting

    def give_back(self) -> None:
        """Give a held place back: the first taker waiting gets it, or it is free."""
        if self._waiting:
            self._waiting.popleft().succeed()  # handed on: as many places held as before
        else:
            self.count -= 1


class Base101:
    __slots__ = ("closures", "loading_teams", "name", "parking")

    def __init__(self, env: simpy.Environment, base: Base, closures: Blocked) -> None:
        self.name = base.name
        self.parking = Places(env, base.parking)
        self.loading_teams = Places(env, base.loading_teams)
        self.closures = closures
