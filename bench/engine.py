"""The engine ceiling: what SimPy itself costs per event on this machine.

Two loops with no model logic at all: a process that only waits (one timeout
per step), and two processes taking turns on a one-spot ``Resource`` (request,
hold for a timeout, release: three events per cycle). Events are counted the way
``sim.replication.drawdown`` counts them (SimPy's event ids), so the model's µs per event can be
set against these.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import simpy


def _events(env: simpy.Environment) -> int:
    return int(next(env._eid))


def timeout_loop(steps: int) -> tuple[float, float, int]:
    """(wall s, CPU s, events) of one process doing ``steps`` timeouts."""
    env = simpy.Environment()

    def waiter() -> Generator[Any, Any, None]:
        for _ in range(steps):
            yield env.timeout(1.0)

    env.process(waiter())
    wall, cpu = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - wall, time.process_time() - cpu, _events(env)


def resource_cycle(cycles: int) -> tuple[float, float, int]:
    """(wall s, CPU s, events) of two processes sharing one spot, ``cycles`` each."""
    env = simpy.Environment()
    spot = simpy.Resource(env, capacity=1)

    def user() -> Generator[Any, Any, None]:
        for _ in range(cycles):
            request = spot.request()
            yield request
            yield env.timeout(1.0)
            spot.release(request)

    env.process(user())
    env.process(user())
    wall, cpu = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - wall, time.process_time() - cpu, _events(env)
