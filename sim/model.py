"""One replication of the drawdown: the actors wired together in a SimPy environment.

:func:`simulate` builds Base 101, the clearance office, the weather, the
airliner timetable and the inventory of people and cargo, starts one
``c17_sortie_cycle`` per tail and one ``airline_departures`` process, and runs
until everything is out, nothing can move any more, or the horizon.

:class:`Drawdown` is the shared world those processes act on: it records who
left when, keeps the counters, signals changes on the ramp to tails waiting at
the offload station and ends the replication.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.airfield import Base101
from sim.airlift import c17_sortie_cycle
from sim.clearance import ClearanceOffice
from sim.clock import Clock
from sim.commercial import airline_departures, airline_timetable
from sim.loading import Inventory, Load
from sim.outcome import CARGO_DTYPE, PERSONNEL_DTYPE, Counters, ReplicationResult, TraceEvent
from sim.randomness import Source, Streams
from sim.scenario import Scenario
from sim.weather import draw_closures

# Why a replication did not finish (categorical, so runs can count them).
NO_AIRCRAFT = "no military aircraft for cargo or non-commercial personnel"
NO_CLEARANCE = "no clearance approved within the horizon"
NOT_READY = "cargo or personnel not ready within the horizon"
NO_SEATS = "airline seats ran out and no military seats are open to the rest"
HORIZON = "horizon reached before everything was out"


class Drawdown:
    """The state shared by the actors of one replication."""

    def __init__(
        self, env: simpy.Environment, scenario: Scenario, streams: Streams, trace: bool
    ) -> None:
        self.env = env
        self.scenario = scenario
        self.streams = streams
        self.clock = Clock(scenario.start)
        self.horizon_hours = 24.0 * scenario.simulation.horizon_days
        self.airlift = scenario.airlift
        self.tails = 0 if self.airlift is None else self.airlift.tails
        self.available_from_hours = 0.0
        if self.airlift is not None and self.airlift.available_from is not None:
            self.available_from_hours = max(0.0, self.clock.hours(self.airlift.available_from))
        closures = draw_closures(scenario.weather, self.clock, self.horizon_hours, streams)
        self.base = Base101(env, scenario.base, closures)
        self.office = ClearanceOffice(
            scenario.clearance, self.clock, self.horizon_hours, streams, self.tails
        )
        packing = scenario.base.packing_positions_per_day
        self.inventory = Inventory(
            scenario,
            self.clock,
            None if packing is None else streams.draws(packing, Source.PACKING),
        )
        self.counters = Counters()
        self.trace: list[TraceEvent] | None = [] if trace else None
        self.personnel_rows: list[tuple[float, int, int, bool]] = []
        self.cargo_rows: list[tuple[float, int, int, float]] = []
        self.committed_tails = 0
        self.active_tails = self.tails
        self.airline_active = True
        self.never_approved = False
        self.last_sensitive_hours: float | None = None
        self.completion_hours: float | None = None
        self.finished = env.event()
        self.changed = env.event()

    # -- notifications from the actors ---------------------------------------

    def log(self, actor: str, event: str, detail: str = "") -> None:
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, actor, event, detail))

    def signal_changed(self) -> None:
        """Wake the tails waiting at the offload station for the ramp to change."""
        changed = self.changed
        if not changed.callbacks:
            # Nobody waits: triggering would schedule an event that does nothing.
            # Leaving it out keeps every other event in the same order (and saves
            # about 80 of some 600 events a replication).
            return
        self.changed = self.env.event()
        changed.succeed()

    def ask_clearance(self, actor: str, tail: int) -> float:
        answer = self.office.request(tail, self.env.now)
        self.counters.clearance_requests += answer.requests
        self.counters.clearance_denials += answer.denials
        if self.trace is not None:
            when = "never" if answer.approved_hours == math.inf else f"{answer.approved_hours:.1f}"
            self.log(actor, "asks for clearance", f"approved at {when} h, {answer.denials} denied")
        return answer.approved_hours

    def people_out(self, boarded: list[tuple[int, int]], *, military: bool) -> None:
        now = self.env.now
        for cohort, count in boarded:
            self.personnel_rows.append((now, cohort, count, military))
        if military:
            self.counters.military_passengers += sum(count for _, count in boarded)
        else:
            self.counters.commercial_passengers += sum(count for _, count in boarded)
        self._check_all_out()

    def sortie_out(self, actor: str, load: Load) -> None:
        """An aircraft took off from Base 101 with ``load``."""
        now = self.env.now
        inventory = self.inventory
        self.counters.sorties += 1
        sensitive_before = inventory.sensitive_units_left
        inventory.took_off(load)
        for line, units in load.cargo:
            kg = units * inventory.line_kg[line]
            self.cargo_rows.append((now, line, units, kg))
            self.counters.cargo_units += units
            self.counters.cargo_kg += kg
        if sensitive_before and not inventory.sensitive_units_left:
            self.last_sensitive_hours = now
        if self.trace is not None:
            self.log(actor, "takes off", f"{load.cargo_units} units, {load.passengers} pax")
        self.signal_changed()
        self.people_out(load.people, military=True)

    def tail_stopped(self, actor: str) -> None:
        self.active_tails -= 1
        self.log(actor, "stops cycling")
        self._check_stuck()

    def airline_finished(self) -> None:
        self.airline_active = False
        self._check_stuck()

    def _check_all_out(self) -> None:
        if self.inventory.all_out and not self.finished.triggered:
            self.completion_hours = self.env.now
            self.finished.succeed()

    def _check_stuck(self) -> None:
        """End at once when no actor can move anyone or anything any more."""
        if not self.active_tails and not self.airline_active and not self.finished.triggered:
            self.finished.succeed()

    # -- the result -----------------------------------------------------------

    def unfinished_reason(self) -> str:
        inventory = self.inventory
        military_only = inventory.cargo_units_unloaded + sum(
            inventory.cohort_left[i]
            for i in range(len(inventory.cohort_left))
            if i not in inventory.airline_order
        )
        if military_only and not self.tails:
            return NO_AIRCRAFT
        if self.never_approved:
            return NO_CLEARANCE
        never_ready = any(ready and ready[-1] == math.inf for ready in inventory.line_ready) or any(
            inventory.cohort_left[i] and inventory.cohort_ready[i] >= self.horizon_hours
            for i in range(len(inventory.cohort_left))
        )
        if never_ready:
            return NOT_READY
        if not military_only and (not self.tails or not self.scenario.policy.military_seats):
            return NO_SEATS
        return HORIZON


def simulate(
    scenario: Scenario, replication: int, *, seed: int | None = None, trace: bool = False
) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` and return what happened.

    Random numbers come from ``SeedSequence(seed, spawn_key=(replication, ...))``
    (``seed`` defaults to the scenario's), so a replication replays alone.
    """
    env = simpy.Environment()
    root_seed = scenario.simulation.seed if seed is None else seed
    drawdown = Drawdown(env, scenario, Streams(root_seed, replication), trace)
    if drawdown.inventory.all_out:
        drawdown.completion_hours = 0.0
    else:
        for tail in range(drawdown.tails):
            env.process(c17_sortie_cycle(env, tail, drawdown))
        timetable = airline_timetable(
            scenario.commercial,
            drawdown.clock,
            drawdown.horizon_hours,
            drawdown.base.closures,
            streams=drawdown.streams,
        )
        env.process(airline_departures(env, timetable, drawdown))
        horizon = env.timeout(drawdown.horizon_hours)
        env.run(until=env.any_of([drawdown.finished, horizon]))
    end_hours = float(env.now)
    closures = drawdown.base.closures
    suspensions = drawdown.office.suspensions
    counters = drawdown.counters
    counters.weather_closures = sum(1 for start, _ in closures if start < end_hours)
    counters.weather_closed_hours = closures.total_hours(until=end_hours)
    counters.suspensions = sum(1 for start, _ in suspensions if start < end_hours)
    counters.suspended_hours = suspensions.total_hours(until=end_hours)
    finished = drawdown.completion_hours is not None
    return ReplicationResult(
        index=replication,
        completion_hours=drawdown.completion_hours,
        unfinished_reason=None if finished else drawdown.unfinished_reason(),
        last_sensitive_hours=drawdown.last_sensitive_hours,
        personnel=np.array(drawdown.personnel_rows, dtype=PERSONNEL_DTYPE),
        cargo=np.array(drawdown.cargo_rows, dtype=CARGO_DTYPE),
        counters=counters,
        end_hours=end_hours,
        events=_events_processed(env),
        trace=None if drawdown.trace is None else tuple(drawdown.trace),
    )


def _events_processed(env: simpy.Environment) -> int:
    """Events scheduled so far (SimPy numbers every event it schedules)."""
    eid = env._eid  # SimPy keeps no public counter of events
    return int(next(eid))
