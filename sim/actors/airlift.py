"""The C-17 tails: each cycles between the offload station and Base 101.

**One cycle** (scenario-format.md, "the cycle of one tail"): at the offload
station the tail asks for a landing clearance; once the turnaround is done, the
clearance approved and there is something to carry, it launches, flies
``leg_hours``, lands when the airfield is open, the day's landing cap allows
and no suspension is on, takes a parking spot (waiting for one if the ramp is
full), then a loading team, loads for ``load_hours``, services for
``service_hours``, may break down and be repaired, may rest its crew, and takes
off when the runway is open. People and cargo are *out* at that take-off. It
flies back, asks for its next clearance on arrival and turns around.

**When a tail launches (our dispatching rule).** A tail launches only for work
no other tail has already been sent for: counting each tail already committed
to a sortie as one full load, it launches when what will be ready by the time
it lands makes at least one more full load, or some load that will not grow to
a full one within ``policy.partial_load_wait_hours`` of its landing (the last
people and pallets, or a cohort that must not wait weeks for the next one to
become ready). Otherwise it waits at the offload station until more becomes
ready or another tail has loaded. So tails are not sent to sit on
the ramp for cargo that is still being packed. A tail stops cycling when
nothing is left that military aircraft may carry.

**When a tail lands and nothing it may carry is ready** (another tail took it),
it services and leaves empty; this is counted as an empty sortie. A tail that
carries last-out people holds its take-off until every other aircraft with
cargo aboard has left, so the last-out element is always on the last sortie.

**Crew duty.** If inbound leg + time at Base 101 (including holding for
weather, slot or parking) + outbound leg would exceed ``crew_duty_hours``, the
crew rests ``crew_rest_hours`` on the ground first, holding the parking spot.

**Clearance validity.** An approval is checked against the planned landing
time at launch; if it would lapse first, the tail asks again.

**Filing ahead** (``clearance.requests_ahead``, an extension): with 0 the next
clearance is asked for on arrival at the offload station, as the contract's
cycle says; with *n* ≥ 1 a tail launching toward Base 101 files the requests
for its next *n* landings at once, so their lead time runs during the sortie.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.randomness import Source

if TYPE_CHECKING:
    import simpy

    from sim.replication.world import Drawdown

# Sortie-load arithmetic is in floats; a load counts as full within this margin.
_EPSILON = 1e-9


def c17_sortie_cycle(
    env: simpy.Environment, tail: int, drawdown: Drawdown
) -> Generator[Any, Any, None]:
    """The life of one tail assigned to the drawdown."""
    airlift = drawdown.airlift
    assert airlift is not None
    streams = drawdown.streams
    office = drawdown.office
    base = drawdown.base
    inventory = drawdown.inventory
    counters = drawdown.counters
    actor = f"{airlift.aircraft} #{tail + 1}"
    # Trace messages are formatted only when a trace is kept (it costs more than the step).
    tracing = drawdown.trace is not None
    legs = streams.draws(airlift.leg_hours, Source.LEG, tail)
    load_hours = streams.draws(airlift.load_hours, Source.LOAD, tail)
    service_hours = streams.draws(airlift.service_hours, Source.SERVICE, tail)
    turnaround_hours = streams.draws(airlift.turnaround_hours, Source.TURNAROUND, tail)
    breaks_down = streams.chance(airlift.breakdown_probability, Source.BREAKDOWN, tail)
    repair_hours = streams.draws(airlift.repair_hours, Source.REPAIR, tail)

    if drawdown.available_from_hours > env.now:
        yield env.timeout(drawdown.available_from_hours - env.now)
    approved = drawdown.ask_clearance(actor, tail)
    # Approvals already asked for the next landings (clearance.requests_ahead).
    clearance = drawdown.scenario.clearance
    requests_ahead = 0 if clearance is None else clearance.requests_ahead
    filed_ahead: deque[float] = deque()
    ready_at = env.now
    committed = False
    leg: float | None = None

    while True:
        if env.now < ready_at:
            yield env.timeout(ready_at - env.now)
        if inventory.military_loads(math.inf, airlift) <= 0:
            break  # nothing left that a military aircraft may carry
        if leg is None:
            leg = legs.next()
        if not committed:
            landing = env.now + leg
            spare = inventory.military_loads(landing, airlift) - drawdown.committed_tails
            if spare > _EPSILON and spare < 1 - _EPSILON:
                # Less than a full load: wait for one only if it will be ready soon.
                later = landing + drawdown.scenario.policy.partial_load_wait_hours
                full_soon = inventory.military_loads(later, airlift) - drawdown.committed_tails
                go = full_soon < 1 - _EPSILON
            else:
                go = spare >= 1 - _EPSILON
            if go:
                committed = True
                drawdown.committed_tails += 1
            else:
                wake = inventory.next_ready_after(env.now + leg) - leg
                waits: list[simpy.Event] = [drawdown.changed]
                if wake < math.inf:
                    # At least a hair later: (ready - leg) + leg can round below ``ready``,
                    # and a zero wait would then repeat forever.
                    waits.append(env.timeout(max(_EPSILON, wake - env.now)))
                yield env.any_of(waits)
                continue

        if approved == math.inf:
            drawdown.never_approved = True
            break
        if approved > env.now:
            counters.clearance_wait_hours += approved - env.now
            if tracing:
                drawdown.log(actor, "waits for clearance", f"{approved - env.now:.1f} h")
            yield env.timeout(approved - env.now)
            continue

        planned = office.first_free_landing_day(env.now + leg)
        if planned == math.inf:
            drawdown.never_approved = True
            break
        if not office.still_valid(approved, planned):
            counters.clearance_lapses += 1
            drawdown.log(actor, "clearance lapses")
            # Ask again only once a new approval can still be valid at the slot:
            # asking at once would, with short lead times, get the same useless
            # answer at the same instant, forever.
            assert office.validity_hours is not None
            renew = planned - office.validity_hours + _EPSILON
            if renew > env.now:
                counters.landing_slot_wait_hours += renew - env.now
                yield env.timeout(renew - env.now)
            approved = drawdown.ask_clearance(actor, tail)
            continue
        office.book_landing(planned)
        hold = planned - (env.now + leg)
        if hold > _EPSILON:
            counters.landing_slot_wait_hours += hold
            drawdown.log(actor, "holds for a landing slot", f"{hold:.1f} h")
            yield env.timeout(hold)

        launched = env.now
        if tracing:
            drawdown.log(actor, "launches to Base 101", f"leg {leg:.2f} h")
        while len(filed_ahead) < requests_ahead:
            filed_ahead.append(drawdown.ask_clearance(actor, tail))
        yield env.timeout(leg)
        leg = None
        planned = yield from _land(env, drawdown, actor, planned)
        arrived = env.now

        spot = base.parking.request()
        yield spot
        counters.parking_wait_hours += env.now - arrived
        if env.now > arrived:
            # Held off for a spot: the runway may have closed, a suspension begun
            # or midnight passed meanwhile, so the landing checks apply again.
            planned = yield from _land(env, drawdown, actor, planned)
        if tracing:
            drawdown.log(actor, "lands", f"parking {base.parking.count}/{base.parking.capacity}")
        landed = env.now
        team = base.loading_teams.request()
        yield team
        counters.loading_team_wait_hours += env.now - landed
        load = inventory.load_military(env.now, airlift)
        committed = False
        drawdown.committed_tails -= 1
        drawdown.signal_changed()
        if load.empty:
            base.loading_teams.release(team)
            counters.empty_sorties += 1
            drawdown.log(actor, "finds nothing to load")
        else:
            if tracing:
                drawdown.log(
                    actor,
                    "loads",
                    f"{load.cargo_units} units {load.cargo_kg / 1000:.1f} t, {load.passengers} pax",
                )
            yield env.timeout(load_hours.next())
            base.loading_teams.release(team)
            if tracing:
                drawdown.log(actor, "finishes loading")

        ground_hours = service_hours.next()
        if breaks_down.happens():
            repair = repair_hours.next()
            counters.breakdowns += 1
            counters.repair_hours += repair
            ground_hours += repair
            drawdown.log(actor, "breaks down", f"repair {repair:.1f} h")
        outbound = legs.next()
        duty = airlift.crew_duty_hours
        if duty is not None and (env.now - launched) + ground_hours + outbound > duty + _EPSILON:
            ground_hours += airlift.crew_rest_hours
            counters.crew_rests += 1
            counters.crew_rest_hours += airlift.crew_rest_hours
            drawdown.log(actor, "crew rests", f"{airlift.crew_rest_hours:.1f} h")
        if ground_hours > 0:
            yield env.timeout(ground_hours)
        while load.last_out_aboard and inventory.cargo_units_aboard > load.cargo_units:
            yield drawdown.changed  # the last-out element leaves on the last sortie
        opens = base.closures.free_from(env.now)
        if opens > env.now:
            counters.weather_wait_hours += opens - env.now
            drawdown.log(actor, "waits for the runway", f"{opens - env.now:.1f} h")
            yield env.timeout(opens - env.now)

        base.parking.release(spot)
        drawdown.sortie_out(actor, load)
        yield env.timeout(outbound)
        if tracing:
            drawdown.log(actor, "arrives at the offload station")
        approved = filed_ahead.popleft() if filed_ahead else drawdown.ask_clearance(actor, tail)
        ready_at = env.now + turnaround_hours.next()

    if committed:
        # Stopped before flying the sortie it was counted for: free that work for others.
        drawdown.committed_tails -= 1
        drawdown.signal_changed()
    drawdown.tail_stopped(actor)


def _land(
    env: simpy.Environment, drawdown: Drawdown, actor: str, booked: float
) -> Generator[Any, Any, float]:
    """Hold until the runway is open, no suspension is on and the day has a slot.

    Returns the landing time the slot is booked for.
    """
    counters = drawdown.counters
    office = drawdown.office
    closures = drawdown.base.closures
    clock = drawdown.clock
    while True:
        now = env.now
        weather_free = closures.free_from(now)
        if weather_free > now:
            counters.weather_wait_hours += weather_free - now
            drawdown.log(actor, "holds for weather", f"{weather_free - now:.1f} h")
            yield env.timeout(weather_free - now)
            continue
        suspension_free = office.suspensions.free_from(now)
        if suspension_free > now:
            counters.suspension_wait_hours += suspension_free - now
            drawdown.log(actor, "holds: suspension", f"{suspension_free - now:.1f} h")
            yield env.timeout(suspension_free - now)
            continue
        if office.daily_landings is not None and clock.day(now) != clock.day(booked):
            # Held past midnight: the slot must be on the day it actually lands.
            office.cancel_landing(booked)
            booked = office.first_free_landing_day(now)
            if booked == math.inf:
                # No slot left before the horizon: hold until the horizon ends the run
                # (landing now would break the day's cap).
                yield env.event()
            office.book_landing(booked)
            if booked > now:
                counters.landing_slot_wait_hours += booked - now
                yield env.timeout(booked - now)
                continue
        return booked
