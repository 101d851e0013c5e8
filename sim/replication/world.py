"""The world one replication's actors share: who left when, the counters, the ramp's signal.

:class:`Drawdown` records who left when, keeps the counters, signals changes on
the ramp to tails waiting at the offload station and ends the replication.
It builds the passive parts of the world (Base 101, the clearance office, the
weather's closures, the inventory); the processes that act on it (the tails,
the airliners) are started by :func:`sim.replication.drawdown.simulate`.
"""

from __future__ import annotations

import math
from typing import Any

import simpy

from sim.actors.airfield import Base101
from sim.actors.clearance import ClearanceOffice
from sim.actors.loadmaster import Inventory, Load
from sim.actors.weather import draw_closures
from sim.clock import Blocked, Clock
from sim.randomness import Source, Streams
from sim.replication.outcome import Counters
from sim.replication.prepared import Prepared
from sim.replication.trace import Cause, Counts, Event, Kind
from sim.scenario.compiled import TailStart

# Why a replication did not finish (categorical, so runs can count them).
NO_AIRCRAFT = "no military aircraft for cargo or non-commercial personnel"
NO_CLEARANCE = "no clearance approved within the horizon"
NOT_READY = "cargo or personnel not ready within the horizon"
NO_SEATS = "airline seats ran out and no military seats are open to the rest"
NO_LANDING_SLOT = "no landing slot free before the horizon"
HORIZON = "horizon reached before everything was out"


class Drawdown:
    """The state shared by the actors of one replication."""

    def __init__(
        self, env: simpy.Environment, prepared: Prepared, streams: Streams, trace: bool
    ) -> None:
        scenario = prepared.scenario
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
        closures = draw_closures(
            scenario.weather, self.clock, self.horizon_hours, streams, prepared.months
        )
        self.base = Base101(env, scenario.base, closures)
        self.office = ClearanceOffice(
            scenario.clearance, self.clock, self.horizon_hours, streams, self.tails
        )
        self.requests_ahead = 0 if scenario.clearance is None else scenario.clearance.requests_ahead
        """Clearances a tail files ahead when it launches (``clearance.requests_ahead``)."""
        packing = scenario.base.packing_positions_per_day
        self.inventory = Inventory(
            scenario,
            self.clock,
            None if packing is None else streams.draws(packing, Source.PACKING),
            prepared.inventory_plan,
        )
        self.counters = Counters()
        self.trace: list[Event] | None = [] if trace else None
        self.tracing = trace
        self.personnel_rows: list[tuple[float, int, int, bool]] = []
        self.cargo_rows: list[tuple[float, int, int, float]] = []
        self.committed_tails = 0
        self.final_lift_calls = 0
        """Tails still wanted for the final lift, to launch with the last cargo."""
        self.final_lift: list[Any] = []
        """The tails (``airlift.Tail``) holding their take-off for the final lift."""
        self.active_tails = self.tails
        self.airline_active = True
        self.never_approved = False
        self.no_landing_slot = False
        self.last_sensitive_hours: float | None = None
        self.completion_hours: float | None = None
        self.finished = env.event()
        self.changed = env.event()
        self.as_of_hours = 0.0
        self.tail_starts: dict[int, TailStart] = {}
        if scenario.status is not None:
            self._start_from_status()

    def _start_from_status(self) -> None:
        """A forecast: what the status says is out, blocked or flying (docs: Status files).

        What left before ``as_of`` is recorded as out at ``as_of``; a closure or
        suspension in effect is added to the drawn ones; the tails listed start
        where they are (:func:`sim.actors.airlift.c17_sortie_cycle`).
        """
        status = self.scenario.status
        assert status is not None
        clock = self.clock
        now = self.as_of_hours = clock.hours(status.as_of)
        sensitive_before = self.inventory.sensitive_units_left
        self.inventory.already_out(status.personnel_out, status.cargo_out)
        cohorts = self.scenario.personnel
        for cohort, people in enumerate(status.personnel_out):
            if people:
                self.personnel_rows.append((now, cohort, people, not cohorts[cohort].commercial))
        for line, units in enumerate(status.cargo_out):
            if units:
                self.cargo_rows.append((now, line, units, units * self.inventory.line_kg[line]))
        if sensitive_before and not self.inventory.sensitive_units_left:
            self.last_sensitive_hours = now
        if status.closure_until is not None:
            closed = (now, clock.hours(status.closure_until))
            self.base.closures = Blocked([*self.base.closures, closed])
        if status.suspension_until is not None:
            suspended = (now, clock.hours(status.suspension_until))
            self.office.suspensions = Blocked([*self.office.suspensions, suspended])
        self.tail_starts = {tail.number: tail for tail in status.tails}

    # -- notifications from the actors ---------------------------------------

    def record(
        self,
        actor: str,
        kind: Kind,
        *,
        tail: int | None = None,
        cause: Cause | None = None,
        duration_hours: float | None = None,
        until_hours: float | None = None,
        denials: int = 0,
        cargo: Counts = (),
        people: Counts = (),
        cargo_kg: float = 0.0,
        seats: int = 0,
        parking_in_use: int = 0,
        at: float | None = None,
    ) -> None:
        """Add an event to the trace, when one is kept (``at``: when, if not now)."""
        if self.trace is not None:
            self.trace.append(
                Event(
                    self.env.now if at is None else at,
                    actor,
                    kind,
                    tail,
                    cause,
                    duration_hours,
                    until_hours,
                    denials,
                    cargo,
                    people,
                    cargo_kg,
                    seats,
                    parking_in_use,
                )
            )

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

    def ask_clearance(self, actor: str, tail: int, at: float | None = None) -> float:
        """Ask for ``tail``'s next landing clearance now (or ``at``, a moment already past)."""
        asked = self.env.now if at is None else at
        answer = self.office.request(tail, asked)
        self.counters.clearance_requests += answer.requests
        self.counters.clearance_denials += answer.denials
        if self.tracing:
            self.record(
                actor,
                Kind.ASKS_FOR_CLEARANCE,
                tail=tail,
                until_hours=answer.approved_hours,
                denials=answer.denials,
                at=asked,
            )
        return answer.approved_hours

    def people_out(self, boarded: list[tuple[int, int]], *, military: bool) -> None:
        now = self.env.now
        rows = self.personnel_rows
        people = 0
        for cohort, count in boarded:
            rows.append((now, cohort, count, military))
            people += count
        if military:
            self.counters.military_passengers += people
        else:
            self.counters.commercial_passengers += people
        self._check_all_out()

    def sortie_out(self, actor: str, tail: int, load: Load) -> None:
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
        if self.tracing:
            self.record(
                actor,
                Kind.TAKES_OFF,
                tail=tail,
                cargo=tuple(load.cargo),
                people=tuple(load.people),
                cargo_kg=load.cargo_kg,
            )
        self.signal_changed()
        self.people_out(load.people, military=True)

    def tail_stopped(self, actor: str, tail: int) -> None:
        self.active_tails -= 1
        self.record(actor, Kind.STOPS_CYCLING, tail=tail)
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
        if self.no_landing_slot:
            return NO_LANDING_SLOT
        never_ready = any(ready and ready[-1] == math.inf for ready in inventory.line_ready) or any(
            inventory.cohort_left[i] and inventory.cohort_ready[i] >= self.horizon_hours
            for i in range(len(inventory.cohort_left))
        )
        if never_ready:
            return NOT_READY
        if not military_only and (not self.tails or not self.scenario.policy.military_seats):
            return NO_SEATS
        return HORIZON
