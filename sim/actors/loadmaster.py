"""What is still at Base 101, and what one aircraft or airliner takes of it.

People are kept as head counts per cohort and cargo as unit counts per line:
the model never creates an object per person or per pallet.

**Cargo readiness.** A line with its own ``ready`` date is ready then. The other
lines are packed in loading order at ``packing_positions_per_day`` (a rate
drawn per day, spread evenly over the day); a unit is ready when the packers
have prepared all positions up to and including it. With no packing rate, cargo
is ready at the start.

**A military load** (decided when the loading team is assigned): cargo units in
loading order (sensitive first under ``policy.sensitive_first``, then
``priority``, then file order), each unit that is ready and fits in the
remaining pallet positions and payload (a unit that does not fit waits and the
loadmaster tries the next ones); then people in the order last-out cohorts
(only once no cargo is left unloaded on the base), non-commercial cohorts,
commercial cohorts (when ``policy.military_seats``), within the seats
(``seats_with_cargo`` when any cargo is aboard) and the payload left. Once no
cargo is left unloaded, last-out people also board aircraft already loaded and
still on the ground, within their spare seats and payload (the final lift).

**An airliner** takes ready people of commercial, not last-out cohorts, in file
order, up to its bookable seats.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from bisect import bisect_right
from dataclasses import dataclass

from mypy_extensions import mypyc_attr

from sim.clock import Clock
from sim.scenario.compiled import Airlift, CompiledScenario
from sim.scenario.laws import Draws

# A weight that fits "exactly" must fit despite floating-point rounding.
_KG_TOLERANCE = 1e-6


@dataclass(slots=True)
class Load:
    """What one military sortie carries: (line, units) and (cohort, people).

    The totals are kept as the load is built (they are read several times a sortie).
    """

    cargo: list[tuple[int, int]]
    people: list[tuple[int, int]]
    cargo_kg: float = 0.0
    last_out_aboard: bool = False
    cargo_units: int = 0
    passengers: int = 0
    sensitive_units: int = 0

    @property
    def empty(self) -> bool:
        return not self.cargo and not self.people


# Compiled (sim/native.py), a class pickles (a plan goes to the workers) only if it
# allows interpreted subclasses.
@mypyc_attr(allow_interpreted_subclasses=True)
class InventoryPlan:
    """What an inventory takes from its scenario alone: the same in every replication.

    Computed once per scenario (see :func:`sim.replication.drawdown.prepare`) and
    shared by its replications; its lists are never modified (an :class:`Inventory`
    copies what it changes).
    """

    __slots__ = (
        "airline_order",
        "cargo_units",
        "cohort_airline",
        "cohort_count",
        "cohort_last_out",
        "cohort_ready",
        "fixed_ready",
        "line_kg",
        "line_positions",
        "line_sensitive",
        "military_order",
        "order",
        "sensitive_units",
    )

    def __init__(self, scenario: CompiledScenario, clock: Clock) -> None:
        policy = scenario.policy
        lines = scenario.cargo
        self.line_positions = [line.positions for line in lines]
        self.line_kg = [line.weight_kg for line in lines]
        self.line_sensitive = [line.sensitive for line in lines]
        # Loading order: sensitive first (if the policy says so), then priority, then file order.
        self.order = sorted(
            range(len(lines)),
            key=lambda i: (
                (not lines[i].sensitive) if policy.sensitive_first else False,
                lines[i].priority,
                i,
            ),
        )
        # Ready times of the lines that do not wait for the packers (when packing is drawn).
        self.fixed_ready: list[list[float] | None] = [
            None if line.ready is None else [_ready_hours(clock, line.ready)] * line.count
            for line in lines
        ]
        self.cargo_units = sum(line.count for line in lines)
        self.sensitive_units = sum(line.count for line in lines if line.sensitive)

        cohorts = scenario.personnel
        self.cohort_count = [cohort.count for cohort in cohorts]
        self.cohort_ready = [_ready_hours(clock, cohort.ready) for cohort in cohorts]
        self.cohort_last_out = [cohort.last_out for cohort in cohorts]
        last_out = [i for i, c in enumerate(cohorts) if c.last_out]
        military_only = [i for i, c in enumerate(cohorts) if not c.last_out and not c.commercial]
        flexible = [i for i, c in enumerate(cohorts) if not c.last_out and c.commercial]
        # Boarding order on military aircraft, and the cohorts that may board at all.
        self.military_order = last_out + military_only + (flexible if policy.military_seats else [])
        self.airline_order = flexible
        self.cohort_airline = [i in flexible for i in range(len(cohorts))]


# Compiled (sim/native.py), copy.copy (in _copy) needs what pickling needs; mypyc's
# other way to allow it (serializable=True) would skip __init__ when built from Python.
@mypyc_attr(allow_interpreted_subclasses=True)
class Inventory:
    """People and cargo not yet loaded, and what is aboard aircraft on the ground."""

    def __init__(
        self,
        scenario: CompiledScenario,
        clock: Clock,
        packing: Draws | None,
        plan: InventoryPlan | None = None,
    ) -> None:
        if plan is None:
            plan = InventoryPlan(scenario, clock)
        # Shared with the other replications, never modified:
        self.line_positions = plan.line_positions
        self.line_kg = plan.line_kg
        self.line_sensitive = plan.line_sensitive
        self.order = plan.order
        self.cohort_ready = plan.cohort_ready
        self.cohort_last_out = plan.cohort_last_out
        self.military_order = plan.military_order
        self.airline_order = plan.airline_order
        # This replication's own:
        self.line_ready = _cargo_ready_hours(scenario, plan, packing)
        self.line_loaded = [0] * len(plan.line_positions)
        self.cargo_units_unloaded = plan.cargo_units
        self.cargo_units_aboard = 0
        self.sensitive_units_left = plan.sensitive_units
        self.cohort_left = list(plan.cohort_count)
        self.people_left = sum(self.cohort_left)
        self.cohort_airline = plan.cohort_airline
        self.airline_left = sum(self.cohort_left[i] for i in plan.airline_order)
        self.people_aboard = 0
        self.last_out_left = sum(
            count
            for count, last in zip(self.cohort_left, self.cohort_last_out, strict=True)
            if last
        )
        """Last-out people not yet aboard an aircraft."""
        self.final_lift_cargo_aboard = 0
        """Cargo units aboard aircraft on the ground that carry last-out people."""
        self.final_lift_aircraft = 0
        """Aircraft on the ground that carry last-out people."""
        self.positions_unloaded = sum(
            len(ready) * positions
            for ready, positions in zip(self.line_ready, self.line_positions, strict=True)
        )
        """Pallet positions of the cargo units not yet loaded."""
        self.open_lines: list[int] = []
        """The lines with units not yet loaded, in file order."""
        self.open_lines_in_order: list[int] = []
        """The same in loading order."""
        self.last_unloaded_ready = -math.inf
        """When the last cargo unit not yet loaded is ready (``-inf``: none left)."""
        self._all_unloaded_cargo: tuple[float, float] | None = None
        """Positions and kg of all the cargo not yet loaded, once counted (until the next load)."""
        self._lines_changed()

    def already_out(self, personnel_out: tuple[int, ...], cargo_out: tuple[int, ...]) -> None:
        """People and units that left before a forecast's ``as_of`` (a status file).

        The units out of a line are its first in ready order, as a loadmaster takes them.
        """
        self._all_unloaded_cargo = None
        for line, units in enumerate(cargo_out):
            self.line_loaded[line] += units
            self.cargo_units_unloaded -= units
            self.positions_unloaded -= units * self.line_positions[line]
            if self.line_sensitive[line]:
                self.sensitive_units_left -= units
        self._lines_changed()
        for cohort, people in enumerate(personnel_out):
            self.cohort_left[cohort] -= people
            self.people_left -= people
            if self.cohort_last_out[cohort]:
                self.last_out_left -= people
            if self.cohort_airline[cohort]:
                self.airline_left -= people

    # -- what remains ---------------------------------------------------------

    @property
    def all_out(self) -> bool:
        """Nobody and nothing left on the base, on the ramp or aboard an aircraft."""
        return (
            self.people_left == 0
            and self.cargo_units_unloaded == 0
            and self.cargo_units_aboard == 0
            and self.people_aboard == 0
        )

    def airline_eligible_left(self) -> int:
        """People not yet loaded who may fly on an airliner (kept as they leave)."""
        return self.airline_left

    def military_work_left(self, airlift: Airlift) -> bool:
        """Is anything left that military aircraft may carry (``military_loads(inf) > 0``)?"""
        if self.cargo_units_unloaded:
            return True
        return airlift.seats > 0 and any(self.cohort_left[i] for i in self.military_order)

    def _lines_changed(self) -> None:
        """A line was loaded in full (or some left before ``as_of``): what is open now."""
        ready, loaded = self.line_ready, self.line_loaded
        self.open_lines = [i for i in range(len(ready)) if loaded[i] < len(ready[i])]
        self.open_lines_in_order = [i for i in self.order if loaded[i] < len(ready[i])]
        self.last_unloaded_ready = max((ready[i][-1] for i in self.open_lines), default=-math.inf)

    def next_ready_after(self, hours: float) -> float:
        """The next instant after ``hours`` when more cargo or people become ready."""
        soonest = math.inf
        for i in self.open_lines:
            ready = self.line_ready[i]
            index = bisect_right(ready, hours)
            if index < len(ready):
                soonest = min(soonest, ready[index])
        for i in self.military_order:
            if self.cohort_left[i] and hours < self.cohort_ready[i] < soonest:
                soonest = self.cohort_ready[i]
        return soonest

    def military_loads(self, hours: float, airlift: Airlift) -> float:
        """Sortie-loads of cargo and people ready by ``hours`` that military aircraft may carry.

        Cargo loads are the larger of positions and weight over one aircraft's
        limits; people ride in the sidewall seats of cargo sorties first, and the
        rest count in full passenger loads.

        Tails ask this for the time they would land, several times per sortie.
        """
        if hours < self.last_unloaded_ready:
            positions, kg = self._cargo_ready_by(hours)
        else:
            # Everything not yet loaded is ready by then: the same sums until the next load.
            if self._all_unloaded_cargo is None:
                self._all_unloaded_cargo = self._cargo_ready_by(hours)
            positions, kg = self._all_unloaded_cargo
        cargo_loads = 0.0
        if positions:
            cargo_loads = max(
                positions / airlift.positions if airlift.positions else math.inf,
                kg / airlift.payload_kg,
            )
        people = 0
        cohort_left, cohort_ready = self.cohort_left, self.cohort_ready
        for i in self.military_order:
            if cohort_ready[i] <= hours:
                people += cohort_left[i]
        if not people or airlift.seats == 0:
            loads = cargo_loads
        else:
            riding_along = math.ceil(cargo_loads) * airlift.seats_with_cargo
            loads = cargo_loads + max(0, people - riding_along) / airlift.seats
        return loads

    def _cargo_ready_by(self, hours: float) -> tuple[float, float]:
        """Pallet positions and kg of the cargo not yet loaded that is ready by ``hours``."""
        positions = kg = 0.0
        line_ready, line_loaded = self.line_ready, self.line_loaded
        line_positions, line_kg = self.line_positions, self.line_kg
        for i in self.open_lines:
            ready, loaded = line_ready[i], line_loaded[i]
            if ready[loaded] > hours:
                continue  # its next unit is not ready by then
            # Most lines are ready in full or not begun: a binary search only for the others.
            units = (len(ready) if ready[-1] <= hours else bisect_right(ready, hours)) - loaded
            positions += units * line_positions[i]
            kg += units * line_kg[i]
        return positions, kg

    # -- taking loads ----------------------------------------------------------

    def load_military(self, hours: float, airlift: Airlift) -> Load:
        load = Load([], [])
        free_positions = airlift.positions
        free_kg = airlift.payload_kg + _KG_TOLERANCE
        line_done = False
        line_ready, line_loaded = self.line_ready, self.line_loaded
        line_positions, line_kg = self.line_positions, self.line_kg
        for i in self.open_lines_in_order:
            if not free_positions:
                break  # no unit fits any more (each takes a position at least)
            ready, loaded = line_ready[i], line_loaded[i]
            if ready[loaded] > hours:
                continue  # its next unit is not ready yet
            # Most lines are ready in full or not begun: a binary search only for the others.
            units = (len(ready) if ready[-1] <= hours else bisect_right(ready, hours)) - loaded
            units = min(units, free_positions // line_positions[i], int(free_kg // line_kg[i]))
            if units <= 0:
                continue
            load.cargo.append((i, units))
            load.cargo_units += units
            if self.line_sensitive[i]:
                load.sensitive_units += units
            line_loaded[i] += units
            if line_loaded[i] == len(ready):
                line_done = True
            free_positions -= units * line_positions[i]
            free_kg -= units * line_kg[i]
            load.cargo_kg += units * line_kg[i]
        cargo_units = load.cargo_units
        if cargo_units:
            self._all_unloaded_cargo = None
        self.cargo_units_unloaded -= cargo_units
        self.cargo_units_aboard += cargo_units
        self.positions_unloaded -= airlift.positions - free_positions
        if line_done:
            self._lines_changed()

        seats = airlift.seats_with_cargo if load.cargo else airlift.seats
        seats = min(seats, int(free_kg // airlift.passenger_kg))
        for i in self.military_order:
            if seats <= 0:
                break
            if not self.cohort_left[i] or self.cohort_ready[i] > hours:
                continue
            if self.cohort_last_out[i] and self.cargo_units_unloaded:
                continue
            seats -= self._board(load, i, min(seats, self.cohort_left[i]))
        return load

    def _board(self, load: Load, cohort: int, count: int) -> int:
        """``count`` people of ``cohort`` board the aircraft carrying ``load``."""
        load.people.append((cohort, count))
        load.passengers += count
        self.cohort_left[cohort] -= count
        self.people_left -= count
        self.people_aboard += count
        if self.cohort_airline[cohort]:
            self.airline_left -= count
        if self.cohort_last_out[cohort]:
            self.last_out_left -= count
            if not load.last_out_aboard:
                load.last_out_aboard = True
                self.final_lift_aircraft += 1
                self.final_lift_cargo_aboard += load.cargo_units
        return count

    def board_last_out(self, load: Load, hours: float, airlift: Airlift) -> None:
        """Last-out people ready by ``hours`` board an aircraft still on the ground.

        Once no cargo is left unloaded on the base, the last-out element boards any
        aircraft on the ground with seats and payload to spare, not only the next one
        to be loaded (the final lift).
        """
        if not self.last_out_left or self.cargo_units_unloaded:
            return
        seats = (airlift.seats_with_cargo if load.cargo else airlift.seats) - load.passengers
        free_kg = (
            airlift.payload_kg
            + _KG_TOLERANCE
            - load.cargo_kg
            - load.passengers * airlift.passenger_kg
        )
        seats = min(seats, int(free_kg // airlift.passenger_kg))
        for i in self.military_order:
            if seats <= 0:
                break
            if not self.cohort_last_out[i]:
                break  # last-out cohorts come first in boarding order
            if not self.cohort_left[i] or self.cohort_ready[i] > hours:
                continue
            seats -= self._board(load, i, min(seats, self.cohort_left[i]))

    def extra_tails_for_the_last_out(self, hours: float, airlift: Airlift, committed: int) -> int:
        """How many more tails the rest of the last-out element needs, if the last cargo
        goes on the ``committed`` aircraft already sent (this one included); else 0.

        The loadmaster plans on a copy: the committed aircraft take their loads in
        turn when they land (at ``hours`` at the latest); if the last cargo is among
        them, the last-out people ready by then board them where seats and payload
        allow, and the rest fill further full passenger loads, each one more tail.
        """
        if not self.cargo_units_unloaded or not self.last_out_left:
            return 0
        if self._cargo_stays(hours, airlift, committed):
            return 0
        return self._extra_tails_by_plan(hours, airlift, committed)

    def _extra_tails_by_plan(self, hours: float, airlift: Airlift, committed: int) -> int:
        """:meth:`extra_tails_for_the_last_out` worked out in full, on a copy."""
        plan = self._copy()
        loads = [plan.load_military(hours, airlift) for _ in range(committed)]
        if plan.cargo_units_unloaded:
            return 0  # cargo remains for later sorties: this is not the final lift
        for load in loads:
            plan.board_last_out(load, hours, airlift)
        extra = 0
        while plan.last_out_left:
            load = Load([], [])
            plan.board_last_out(load, hours, airlift)
            if load.empty:
                break  # the rest is not ready by then
            extra += 1
        return extra

    def _cargo_stays(self, hours: float, airlift: Airlift, committed: int) -> bool:
        """Cargo certainly remains after the ``committed`` aircraft load at ``hours``.

        The plan's answer without the plan, for most launches: a unit not ready by
        then (a line's last unit is its last loaded), or more positions than the
        committed aircraft hold together, stays for a later sortie.
        """
        return (
            self.last_unloaded_ready > hours
            or self.positions_unloaded > committed * airlift.positions
        )

    def _copy(self) -> Inventory:
        """A scratch inventory for planning: the lists a load changes are copied."""
        plan = copy.copy(self)
        plan.line_loaded = list(self.line_loaded)  # (its other totals are numbers)
        plan.cohort_left = list(self.cohort_left)
        return plan

    def took_off(self, load: Load) -> None:
        """The aircraft carrying ``load`` took off: all of it is out."""
        self.cargo_units_aboard -= load.cargo_units
        self.people_aboard -= load.passengers
        if load.last_out_aboard:
            self.final_lift_aircraft -= 1
            self.final_lift_cargo_aboard -= load.cargo_units
        self.sensitive_units_left -= load.sensitive_units

    def board_airliner(self, hours: float, seats: int) -> list[tuple[int, int]]:
        boarded: list[tuple[int, int]] = []
        for i in self.airline_order:
            if seats <= 0:
                break
            if not self.cohort_left[i] or self.cohort_ready[i] > hours:
                continue
            count = min(seats, self.cohort_left[i])
            boarded.append((i, count))
            self.cohort_left[i] -= count
            self.people_left -= count
            self.airline_left -= count
            seats -= count
        return boarded


def _ready_hours(clock: Clock, ready: dt.datetime | None) -> float:
    return 0.0 if ready is None else max(0.0, clock.hours(ready))


def _cargo_ready_hours(
    scenario: CompiledScenario, plan: InventoryPlan, packing: Draws | None
) -> list[list[float]]:
    """Per cargo line, the sorted ready times (hours since start) of its units.

    Lists of lines that do not wait for the packers are the plan's (shared, never modified).
    """
    lines = scenario.cargo
    ready: list[list[float]] = [[] for _ in lines]
    packed_lines = []
    for i in plan.order:
        fixed = plan.fixed_ready[i]
        if fixed is not None:
            ready[i] = fixed
        elif packing is None:
            ready[i] = [0.0] * lines[i].count
        else:
            packed_lines.append(i)
    if not packed_lines:
        return ready
    assert packing is not None
    horizon = 24.0 * scenario.simulation.horizon_days
    day_begin, day_rate, day_done = 0.0, packing.next(), 0.0  # positions packed today so far
    for i in packed_lines:
        # One loop over the days a line takes, an inner one over its units packed that day
        # (hundreds a replication: the inner loop does only what each unit needs).
        positions, ready_at = float(lines[i].positions), ready[i].append
        units, needed = lines[i].count, positions
        while units:
            if day_begin >= horizon:
                ready[i].extend([math.inf] * units)
                break
            if day_rate > 0:
                while units and needed <= day_rate - day_done + 1e-9:
                    day_done += needed
                    ready_at(day_begin + 24.0 * day_done / day_rate)
                    units -= 1
                    needed = positions
                if not units:
                    break  # the rest of the day packs the next line
            needed -= max(0.0, day_rate - day_done)
            day_begin += 24.0
            day_rate, day_done = packing.next(), 0.0
    return ready
