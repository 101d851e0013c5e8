"""The scenario as the simulation reads it: plain frozen data, no validation machinery.

A :class:`~sim.scenario.contract.Scenario` is validated once (pydantic) and then
*compiled* by :func:`compile_scenario` into the dataclasses below: the same
field names and values, every *dist* field turned into its law
(:mod:`sim.scenario.laws`). A worker process receives the compiled scenario, so
it imports neither pydantic nor YAML, and pickling a chunk's task is cheap.

Only what a replication uses is kept (no ``expect``, ``observed``, notes or
milestones: those are for the answers, computed in the parent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.picklable import by_init
from sim.scenario.laws import Law, law_of

if TYPE_CHECKING:
    from sim.scenario import contract
    from sim.scenario.status import Status

MONTHS: tuple[str, ...] = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
"""The keys of ``weather.closures_per_30_days``, in calendar order."""


@dataclass(frozen=True, slots=True)
class Base:
    name: str
    parking: int
    loading_teams: int
    packing_positions_per_day: Law | None


@dataclass(frozen=True, slots=True)
class Cohort:
    name: str
    count: int
    commercial: bool
    ready: dt.datetime | None
    last_out: bool


@dataclass(frozen=True, slots=True)
class CargoLine:
    name: str
    count: int
    positions: int
    weight_kg: float
    sensitive: bool
    priority: int
    ready: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Airlift:
    aircraft: str
    tails: int
    available_from: dt.datetime | None
    positions: int
    payload_kg: float
    passenger_kg: float
    seats: int
    seats_with_cargo: int
    leg_hours: Law
    load_hours: Law
    service_hours: Law
    turnaround_hours: Law
    crew_duty_hours: float | None
    crew_rest_hours: float
    breakdown_probability: Law
    repair_hours: Law
    max_airborne_hold_hours: float


@dataclass(frozen=True, slots=True)
class Suspensions:
    per_30_days: Law
    duration_days: Law


@dataclass(frozen=True, slots=True)
class Clearance:
    opens: dt.datetime
    opens_delay_days: Law | None
    lead_days: Law
    denial_probability: Law
    daily_landings: int | None
    validity_hours: float | None
    suspensions: Suspensions | None
    requests_ahead: int


@dataclass(frozen=True, slots=True)
class CommercialService:
    name: str
    weekdays: frozenset[int]
    """Departure days as ``datetime.weekday()`` numbers (Monday = 0)."""
    departs_minutes: int
    seats: Law
    cancel_probability: Law
    from_: dt.date | None
    until: dt.date | None


@dataclass(frozen=True, slots=True)
class Weather:
    closures_per_30_days: Mapping[str, Law]
    """Closure rate by month name (``MONTHS``); months without one have no closures."""
    closure_hours: Law


@dataclass(frozen=True, slots=True)
class Policy:
    sensitive_first: bool
    military_seats: bool
    partial_load_wait_hours: float


@dataclass(frozen=True, slots=True)
class Simulation:
    replications: int
    seed: int
    horizon_days: float


@dataclass(frozen=True, slots=True)
class TailStart:
    """Where one tail stands at a status's ``as_of`` (:mod:`sim.scenario.status`)."""

    number: int
    """0 for the first tail."""
    at: str
    """``offload_station``, ``inbound``, ``base_101`` or ``outbound`` (flying back)."""
    until: dt.datetime | None
    approval_granted: dt.datetime | None
    approval_valid_until: dt.datetime | None
    requested: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StartStatus:
    """A forecast's starting point: every replication starts at ``as_of`` from here."""

    as_of: dt.datetime
    personnel_out: tuple[int, ...]
    """People already out, per cohort (file order)."""
    cargo_out: tuple[int, ...]
    """Units already out, per cargo line (file order)."""
    tails: tuple[TailStart, ...]
    suspension_until: dt.datetime | None
    closure_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CompiledScenario:
    """What one replication reads of a scenario."""

    name: str
    start: dt.datetime
    base: Base
    personnel: tuple[Cohort, ...]
    cargo: tuple[CargoLine, ...]
    airlift: Airlift | None
    clearance: Clearance | None
    commercial: tuple[CommercialService, ...]
    weather: Weather
    policy: Policy
    simulation: Simulation
    status: StartStatus | None = None
    """Where a forecast starts (None: from ``start``, with everything still at Base 101)."""


def compile_status(status: Status, scenario: contract.Scenario) -> StartStatus:
    """A checked status (:func:`sim.scenario.status.load_status`) as plain data, by index."""
    return StartStatus(
        as_of=status.as_of,
        personnel_out=tuple(status.personnel_out.get(c.name, 0) for c in scenario.personnel),
        cargo_out=tuple(status.cargo_out.get(line.name, 0) for line in scenario.cargo),
        tails=tuple(
            TailStart(
                number=tail.tail - 1,
                at=tail.at,
                until=tail.until,
                approval_granted=None if tail.approval is None else tail.approval.granted,
                approval_valid_until=None if tail.approval is None else tail.approval.valid_until,
                requested=tail.requested,
            )
            for tail in status.tails
        ),
        suspension_until=None if status.suspension is None else status.suspension.until,
        closure_until=None if status.closure is None else status.closure.until,
    )


def _optional(dist: object) -> Law | None:
    return None if dist is None else law_of(dist)


def compile_scenario(scenario: contract.Scenario, status: Status | None = None) -> CompiledScenario:
    """The validated ``scenario`` as plain data, every dist field as its law.

    ``status``: where a forecast starts (checked against ``scenario`` already).
    """
    base, airlift, clearance = scenario.base, scenario.airlift, scenario.clearance
    return CompiledScenario(
        name=scenario.name,
        start=scenario.start,
        base=Base(
            name=base.name,
            parking=base.parking,
            loading_teams=base.loading_teams,
            packing_positions_per_day=_optional(base.packing_positions_per_day),
        ),
        personnel=tuple(
            Cohort(c.name, c.count, c.commercial, c.ready, c.last_out) for c in scenario.personnel
        ),
        cargo=tuple(
            CargoLine(
                line.name,
                line.count,
                line.positions,
                line.weight_kg,
                line.sensitive,
                line.priority,
                line.ready,
            )
            for line in scenario.cargo
        ),
        airlift=None if airlift is None else compile_airlift(airlift),
        clearance=None if clearance is None else compile_clearance(clearance),
        commercial=tuple(compile_service(service) for service in scenario.commercial),
        weather=compile_weather(scenario.weather),
        policy=Policy(
            sensitive_first=scenario.policy.sensitive_first,
            military_seats=scenario.policy.military_seats,
            partial_load_wait_hours=scenario.policy.partial_load_wait_hours,
        ),
        simulation=Simulation(
            replications=scenario.simulation.replications,
            seed=scenario.simulation.seed,
            horizon_days=scenario.simulation.horizon_days,
        ),
        status=None if status is None else compile_status(status, scenario),
    )


def compile_airlift(airlift: contract.Airlift) -> Airlift:
    """The validated ``airlift`` section as plain data, every dist field as its law."""
    return Airlift(
        aircraft=airlift.aircraft,
        tails=airlift.tails,
        available_from=airlift.available_from,
        positions=airlift.positions,
        payload_kg=airlift.payload_kg,
        passenger_kg=airlift.passenger_kg,
        seats=airlift.seats,
        seats_with_cargo=airlift.seats_with_cargo,
        leg_hours=law_of(airlift.leg_hours),
        load_hours=law_of(airlift.load_hours),
        service_hours=law_of(airlift.service_hours),
        turnaround_hours=law_of(airlift.turnaround_hours),
        crew_duty_hours=airlift.crew_duty_hours,
        crew_rest_hours=airlift.crew_rest_hours,
        breakdown_probability=law_of(airlift.breakdown_probability),
        repair_hours=law_of(airlift.repair_hours),
        max_airborne_hold_hours=airlift.max_airborne_hold_hours,
    )


def compile_clearance(clearance: contract.Clearance) -> Clearance:
    """The validated ``clearance`` section as plain data, every dist field as its law."""
    suspensions = clearance.suspensions
    return Clearance(
        opens=clearance.opens,
        opens_delay_days=_optional(clearance.opens_delay_days),
        lead_days=law_of(clearance.lead_days),
        denial_probability=law_of(clearance.denial_probability),
        daily_landings=clearance.daily_landings,
        validity_hours=clearance.validity_hours,
        suspensions=None
        if suspensions is None
        else Suspensions(
            per_30_days=law_of(suspensions.per_30_days),
            duration_days=law_of(suspensions.duration_days),
        ),
        requests_ahead=clearance.requests_ahead,
    )


def compile_service(service: contract.CommercialService) -> CommercialService:
    """The validated ``service`` section as plain data, every dist field as its law."""
    return CommercialService(
        name=service.name,
        weekdays=service.weekdays,
        departs_minutes=service.departs_minutes,
        seats=law_of(service.seats),
        cancel_probability=law_of(service.cancel_probability),
        from_=service.from_,
        until=service.until,
    )


def compile_weather(weather: contract.Weather) -> Weather:
    """The validated ``weather`` section as plain data, every dist field as its law."""
    return Weather(
        closures_per_30_days={
            month: law_of(rate) for month, rate in weather.closures_per_30_days.items()
        },
        closure_hours=law_of(weather.closure_hours),
    )


by_init(
    Base, Cohort, CargoLine, Airlift, Suspensions, Clearance, CommercialService, Weather,
    Policy, Simulation, TailStart, StartStatus, CompiledScenario,
)  # fmt: skip
