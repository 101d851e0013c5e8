"""The C-17 tails: each cycles between the offload station and Base 101.

**One cycle** (docs/scenario-reference.md, the aircraft cycle): at the offload
station the tail asks for a landing clearance; once the turnaround is done, the
clearance approved and there is something to carry, it launches, flies
``leg_hours``, lands when the airfield is open, the day's landing cap allows
and no suspension is on, takes a parking spot (waiting for one if the ramp is
full), then a loading team, loads for ``load_hours``, services for
``service_hours``, may break down and be repaired, may rest its crew, and takes
off when the runway is open. People and cargo are *out* at that take-off. It
flies back, asks for its next clearance on arrival and turns around.

**Work goes to the tail that can fly it** (version 1.1, ruling 4). A tail is
counted for a load (committed) only when it launches, never while it waits for
its approval, a landing day or a known block to end: an approved tail whose
turnaround is done is never kept idle by one that is not.

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
it services and leaves empty; this is counted as an empty sortie.

**The final lift** (the last-out element leaves together, on as many tails as it
needs: domain facts, 8 July 2024). When a launch will carry the last cargo, the
loadmaster counts the tails the rest of the last-out element needs beyond those
already sent (seats and payload); as many other tails launch with it as soon as
they are ready and approved, whatever the load they would find. Once no cargo is
left unloaded, last-out people board any tail on the ground with seats and payload
to spare. A tail carrying last-out people holds its take-off until the whole
element is aboard and every aircraft with cargo and no last-out people has left,
then the final lift leaves together. It holds for the rest of the element only
while a tail is coming to carry it: one on its way (launched), or another on the
ground that may still board it, and a parking spot not held by the lift.

**No long airborne holds** (version 1.1, ruling 2). A tail launches only when, as
far as is known at launch, it can land on arrival: a weather closure or a
suspension already on that lasts past the planned landing, or a full landing
day, is waited out on the ground at the offload station. Closures and
suspensions are not forecast: one that begins in flight makes the tail hold at
most ``airlift.max_airborne_hold_hours``, then divert back to the offload
station with nothing carried, ask again and turn around.

**Crew duty.** If inbound leg + time at Base 101 (including holding for
weather, slot or parking) + outbound leg would exceed ``crew_duty_hours``, the
crew rests ``crew_rest_hours`` on the ground first, holding the parking spot.
The duty day is checked again after the wait for the runway (also after a
rest: the new crew's day began when the rest ended) and after the last-out
hold (version 1.1, ruling 6).

**Clearance validity** (version 1.1, ruling 3). An approval not used (landed)
within ``validity_hours`` lapses at that moment and the tail asks again at once,
whatever it is doing, so the new lead time runs while it waits. A tail never
launches on an approval that would lapse before its planned landing: it waits
for the lapse and asks again.

**Filing ahead** (``clearance.requests_ahead``, an extension): with 0 the next
clearance is asked for on arrival at the offload station, as the contract's
cycle says; with *n* ≥ 1 a tail launching toward Base 101 files the requests
for its next *n* landings at once, so their lead time runs during the sortie.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.randomness import Source
from sim.replication.trace import Cause, Kind

if TYPE_CHECKING:
    import simpy

    from sim.actors.loadmaster import Load
    from sim.replication.world import Drawdown
    from sim.scenario.compiled import TailStart
    from sim.scenario.laws import Chance, Draws

# Sortie-load arithmetic is in floats; a load counts as full within this margin.
_EPSILON = 1e-9

Steps = Generator[Any, Any, None]


@dataclass(slots=True)
class Tail:
    """One C-17 and what it carries from one phase of its cycle to the next."""

    number: int
    actor: str
    legs: Draws
    load_hours: Draws
    service_hours: Draws
    turnaround_hours: Draws
    breaks_down: Chance
    repair_hours: Draws
    approved: float = 0.0
    """When its current clearance request is (or was) approved; ``inf``: never."""
    filed_ahead: deque[float] = field(default_factory=deque)
    """Approvals already asked for its next landings (``clearance.requests_ahead``)."""
    ready_at: float = 0.0
    """When its turnaround at the offload station is done."""
    committed: bool = False
    """Counted in ``drawdown.committed_tails``: sent for one load."""
    leg: float | None = None
    """The inbound leg it will fly next, once drawn."""
    launched: float = 0.0
    landing: float | None = None
    """The landing time its day's slot is booked for (None: no slot booked)."""
    inbound: float = 0.0
    """The leg it flew to Base 101 on this sortie."""
    outbound: float = 0.0
    """The leg it will fly back from Base 101 on this sortie, once drawn."""
    duty_began: float = 0.0
    """When its crew's duty day began (its launch, or the end of its last rest)."""
    departs: float | None = None
    """When the final lift it holds for takes off, once decided."""

    def final_lift_departs(self) -> float | None:
        """``departs`` read afresh: another tail's process sets it while this one holds.

        (Reading the field in place would let the type checker narrow it to None across
        the hold's yields, and mypyc compiles code to the narrowed type.)
        """
        return self.departs

    @classmethod
    def assigned(cls, number: int, drawdown: Drawdown) -> Tail:
        """Tail ``number`` with its own random streams (common random numbers)."""
        airlift = drawdown.airlift
        assert airlift is not None
        streams = drawdown.streams
        return cls(
            number=number,
            actor=f"{airlift.aircraft} #{number + 1}",
            legs=streams.draws(airlift.leg_hours, Source.LEG, number),
            load_hours=streams.draws(airlift.load_hours, Source.LOAD, number),
            service_hours=streams.draws(airlift.service_hours, Source.SERVICE, number),
            turnaround_hours=streams.draws(airlift.turnaround_hours, Source.TURNAROUND, number),
            breaks_down=streams.chance(airlift.breakdown_probability, Source.BREAKDOWN, number),
            repair_hours=streams.draws(airlift.repair_hours, Source.REPAIR, number),
        )


def c17_sortie_cycle(env: simpy.Environment, number: int, drawdown: Drawdown) -> Steps:
    """The life of one tail assigned to the drawdown."""
    c17 = Tail.assigned(number, drawdown)
    start = drawdown.tail_starts.get(number)
    if start is not None:
        yield from resume(env, c17, drawdown, start)
    else:
        if drawdown.available_from_hours > env.now:
            yield env.timeout(drawdown.available_from_hours - env.now)
        c17.approved = drawdown.ask_clearance(c17.actor, c17.number)
        c17.ready_at = env.now
    while True:
        if env.now < c17.ready_at:
            yield turn_around(env, c17)
        launched = yield from launch(env, c17, drawdown)
        if not launched:
            break
        blocked = yield from land(env, c17, drawdown)
        if blocked is not None:
            yield from divert(env, c17, drawdown, blocked)
            continue
        load = yield from load_aircraft(env, c17, drawdown)
        outbound = yield from service(env, c17, drawdown, load)
        yield from leave(env, c17, drawdown, load, outbound)
    drawdown.tail_stopped(c17.actor, c17.number)


def resume(env: simpy.Environment, c17: Tail, drawdown: Drawdown, start: TailStart) -> Steps:
    """A tail where a status put it at ``as_of``, up to its next turnaround.

    At the offload station: ready at ``until``, with the approval given (used for
    its validity from no later than ``as_of``), or the answer to the request filed
    (not before ``as_of``: it was still pending), or asking now. In the air
    toward Base 101: lands at ``until`` with its slot and load (committed). On
    the ground at Base 101: loads what is ready now, until ``until``. In the air
    flying back: arrives at the offload station at ``until``, asks for its next
    clearance then and turns around, as after any sortie.
    """
    clock = drawdown.clock
    until = env.now if start.until is None else max(env.now, clock.hours(start.until))
    if start.at == "outbound":
        yield from fly_back(env, c17, drawdown, until)
        return
    if start.at == "offload_station":
        c17.ready_at = until
        if start.approval_granted is not None:
            c17.approved = min(env.now, _approval_hours(start, drawdown))
        elif start.requested is not None:
            answer = drawdown.office.request(c17.number, clock.hours(start.requested))
            c17.approved = max(env.now, answer.approved_hours)
        else:
            c17.approved = drawdown.ask_clearance(c17.actor, c17.number)
        return
    c17.committed = True
    drawdown.committed_tails += 1
    c17.launched = env.now
    if start.at == "inbound":
        c17.landing = until
        drawdown.office.book_landing(until)
        yield env.timeout(until - env.now)
        yield from land(env, c17, drawdown)
        load = yield from load_aircraft(env, c17, drawdown)
    else:
        load = yield from load_on_the_ramp(env, c17, drawdown, until)
    outbound = yield from service(env, c17, drawdown, load)
    yield from leave(env, c17, drawdown, load, outbound)


def fly_back(env: simpy.Environment, c17: Tail, drawdown: Drawdown, until: float) -> Steps:
    """A tail in the air from Base 101 at ``as_of``: it arrives at ``until`` (carrying nothing
    still to count: what it took off with is out), asks for its clearance, turns around."""
    if until > env.now:
        yield env.timeout(until - env.now)
    arrive_at_offload_station(env, c17, drawdown)


def _approval_hours(start: TailStart, drawdown: Drawdown) -> float:
    """When an approval given in a status counts as granted, for its validity."""
    assert start.approval_granted is not None
    granted = drawdown.clock.hours(start.approval_granted)
    validity = drawdown.office.validity_hours
    if start.approval_valid_until is None or validity is None:
        return granted
    return drawdown.clock.hours(start.approval_valid_until) - validity


def load_on_the_ramp(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, until: float
) -> Generator[Any, Any, Load]:
    """A tail already on the ground at ``as_of``: it holds a spot and loads until ``until``."""
    airlift = drawdown.airlift
    assert airlift is not None
    base = drawdown.base
    base.parking.count += 1  # landed before as_of (a status never exceeds the spots)
    waiting = base.loading_teams.take()
    if waiting is not None:
        yield waiting
    load = drawdown.inventory.load_military(env.now, airlift)
    c17.committed = False
    drawdown.committed_tails -= 1
    drawdown.signal_changed()
    if until > env.now:
        yield env.timeout(until - env.now)
    base.loading_teams.give_back()
    if load.empty:
        drawdown.counters.empty_sorties += 1
    return load


def turn_around(env: simpy.Environment, c17: Tail) -> simpy.Timeout:
    """Offload, crew change or rest at the offload station (until ``c17.ready_at``)."""
    return env.timeout(c17.ready_at - env.now)


def launch(env: simpy.Environment, c17: Tail, drawdown: Drawdown) -> Generator[Any, Any, bool]:
    """Wait for work, clearance and a landing slot, then fly to Base 101.

    Returns False when the tail stops instead (nothing left, or never approved).
    """
    inventory = drawdown.inventory
    office = drawdown.office
    validity = office.validity_hours
    airlift = drawdown.airlift
    assert airlift is not None
    while True:
        if not inventory.military_work_left(airlift):
            return False  # nothing left that a military aircraft may carry
        leg = c17.leg
        if leg is None:
            leg = c17.leg = next_leg(c17, validity)
        now = env.now  # one look at the clock per pass: nothing below moves it
        if not worth_flying(drawdown, now + leg):
            yield wait_for_work(env, drawdown, now, leg)
            continue
        if validity is not None and c17.approved + validity <= now:  # lapsed (ruling 3)
            renew_lapsed_approval(c17, drawdown, now)
        approved = c17.approved
        if approved == math.inf:
            drawdown.never_approved = True
            return False
        if approved > now:
            yield wait_for_clearance(env, c17, drawdown, now)
            continue
        planned = office.first_free_landing_day(now + leg)
        if planned == math.inf:
            drawdown.no_landing_slot = True  # ruling 6: say so, not "never approved"
            return False
        if not office.still_valid(approved, planned):
            yield from wait_for_the_lapse(env, c17, drawdown, now, planned)
            continue
        if (wait := wait_out_known_block(env, c17, drawdown, now, planned)) is not None:
            yield wait
            continue
        if (wait := wait_for_landing_day(env, c17, drawdown, now, planned)) is not None:
            yield wait
            continue
        break
    # Ruling 4: the load is assigned now, to the tail that can fly it.
    c17.committed = True
    drawdown.committed_tails += 1
    call_the_final_lift(drawdown, planned)
    office.book_landing(planned)
    c17.landing = planned
    c17.inbound = leg
    c17.launched = now
    if drawdown.tracing:
        drawdown.record(c17.actor, Kind.LAUNCHES, tail=c17.number, duration_hours=leg)
    while len(c17.filed_ahead) < drawdown.requests_ahead:
        c17.filed_ahead.append(drawdown.ask_clearance(c17.actor, c17.number))
    yield env.timeout(leg)
    c17.leg = None
    return True


def next_leg(c17: Tail, validity_hours: float | None) -> float:
    """The inbound leg the tail will fly next, drawn once it is ready to look for work."""
    leg = c17.legs.next()
    if validity_hours is not None and leg > validity_hours:
        # Beyond the longest leg validation allows (the 99.9th percentile of an
        # unbounded law): flown within the window, or no approval could serve it.
        return validity_hours
    return leg


def call_the_final_lift(drawdown: Drawdown, landing: float) -> None:
    """A launch answers a call for the final lift; one carrying the last cargo makes it.

    The call is for the tails the rest of the last-out element needs beyond all
    those already sent (so a later launch, sent or not for it, updates it).
    """
    airlift = drawdown.airlift
    assert airlift is not None
    inventory = drawdown.inventory
    if drawdown.final_lift_calls:
        drawdown.final_lift_calls -= 1
    extra = inventory.extra_tails_for_the_last_out(landing, airlift, drawdown.committed_tails)
    if extra or inventory.cargo_units_unloaded:
        drawdown.final_lift_calls = extra
        if extra:
            drawdown.signal_changed()


def worth_flying(drawdown: Drawdown, landing: float) -> bool:
    """Is there a load worth flying for, if a tail launched now and landed at ``landing``?

    (The tail is not committed yet: ruling 4 assigns the load at launch.)
    """
    airlift = drawdown.airlift
    assert airlift is not None
    inventory = drawdown.inventory
    spare = inventory.military_loads(landing, airlift) - drawdown.committed_tails
    if spare > _EPSILON and spare < 1 - _EPSILON:
        # Less than a full load: wait for one only if it will be ready soon.
        later = landing + drawdown.scenario.policy.partial_load_wait_hours
        full_soon = inventory.military_loads(later, airlift) - drawdown.committed_tails
        go = full_soon < 1 - _EPSILON
    else:
        go = spare >= 1 - _EPSILON
    return go or bool(drawdown.final_lift_calls and inventory.last_out_left)


def wait_for_work(
    env: simpy.Environment, drawdown: Drawdown, now: float, leg: float
) -> simpy.Event:
    """Nothing worth flying for yet: the wait until the ramp changes or more becomes ready
    (the caller looks again)."""
    wake = drawdown.inventory.next_ready_after(now + leg) - leg
    waits: list[simpy.Event] = [drawdown.changed]
    if wake < math.inf:
        # At least a hair later: (ready - leg) + leg can round below ``ready``,
        # and a zero wait would then repeat forever.
        waits.append(env.timeout(max(_EPSILON, wake - now)))
    return env.any_of(waits)


def wait_for_clearance(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, now: float
) -> simpy.Timeout:
    """Ready to launch, but the clearance is not approved yet: the wait for it."""
    return wait_at_offload_station(env, c17, drawdown, Cause.CLEARANCE, c17.approved - now)


def renew_lapsed_approval(c17: Tail, drawdown: Drawdown, now: float) -> None:
    """Ruling 3: an approval not used within ``validity_hours`` lapses at that moment,
    and the tail asks again at once, whatever it was doing.

    The office answers in closed form from the time of the request, so the request
    is made at the lapse even when the tail notices it later (idle, turning around):
    the new lead time has run since. A renewal may lapse in turn.
    """
    validity = drawdown.office.validity_hours
    if validity is None:
        return
    while c17.approved + validity <= now:  # never true for an approval never granted
        lapse = c17.approved + validity
        drawdown.counters.clearance_lapses += 1
        if drawdown.tracing:
            drawdown.record(c17.actor, Kind.CLEARANCE_LAPSES, tail=c17.number, at=lapse)
        c17.approved = drawdown.ask_clearance(c17.actor, c17.number, at=lapse)


def wait_for_the_lapse(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, now: float, planned: float
) -> Steps:
    """The approval would lapse before the planned landing: never launch on it.

    The tail waits at the offload station for the lapse, then asks again at once.
    The wait is the daily landing cap's when the cap put the landing on a later
    day, else the clearance's (ruling 6: renewing an approval is a clearance wait).
    """
    validity = drawdown.office.validity_hours
    assert validity is not None
    assert c17.leg is not None
    wait = c17.approved + validity - now
    slot_later = planned > now + c17.leg + _EPSILON
    cause = Cause.LANDING_SLOT if slot_later else Cause.CLEARANCE
    yield wait_at_offload_station(env, c17, drawdown, cause, wait)
    renew_lapsed_approval(c17, drawdown, env.now)


def wait_out_known_block(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, now: float, planned: float
) -> simpy.Timeout | None:
    """A closure or suspension already on that lasts past the planned landing: wait it out here.

    Ruling 2: a tail launches only if, as far as is known at launch, it can land on
    arrival; closures and suspensions are known once they have begun. The wait is on
    the ground at the offload station, until the block ends one leg before. Returns
    that wait (after it the caller looks again), or None when nothing known blocks.
    """
    assert c17.leg is not None
    weather_free = drawdown.base.closures.free_from(now)
    suspension_free = drawdown.office.suspensions.free_from(now)
    free = max(weather_free, suspension_free)
    if free <= planned + _EPSILON:
        # (A block ending a rounding error after the landing would loop on zero waits.)
        return None
    cause = Cause.SUSPENSION if suspension_free >= weather_free else Cause.WEATHER
    return wait_at_offload_station(env, c17, drawdown, cause, free - c17.leg - now)


def wait_for_landing_day(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, now: float, planned: float
) -> simpy.Timeout | None:
    """The landing day's slots are taken: wait here until a launch lands on the next free day.

    Returns that wait (after it the caller looks again: another tail may have taken
    that slot meanwhile), or None when the tail can launch now.
    """
    assert c17.leg is not None
    hold = planned - (now + c17.leg)
    if hold <= _EPSILON:
        return None
    return wait_at_offload_station(env, c17, drawdown, Cause.LANDING_SLOT, hold)


def wait_at_offload_station(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, cause: Cause, hours: float
) -> simpy.Timeout:
    """Wait ``hours`` on the ground at the offload station, counted as lost to ``cause``."""
    _charge(drawdown, cause, hours)
    if drawdown.tracing:
        drawdown.record(
            c17.actor,
            Kind.WAITS_AT_OFFLOAD_STATION,
            tail=c17.number,
            cause=cause,
            duration_hours=hours,
        )
    return env.timeout(hours)


def land(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown
) -> Generator[Any, Any, Cause | None]:
    """Land at Base 101 when allowed, and take a parking spot (holding off until one is free).

    Returns None once landed, or what still blocked the landing at the end of the
    longest allowed airborne hold (the tail must divert).
    """
    base = drawdown.base
    blocked = yield from hold_until_cleared_to_land(env, c17, drawdown)
    if blocked is not None:
        return blocked
    waiting = base.parking.take()
    if waiting is not None:
        arrived = env.now
        if drawdown.tracing:
            drawdown.record(c17.actor, Kind.WAITS_FOR_PARKING, tail=c17.number, cause=Cause.PARKING)
        yield waiting
        drawdown.counters.parking_wait_hours += env.now - arrived
        if env.now > arrived:
            # Held off for a spot: the runway may have closed, a suspension begun
            # or midnight passed meanwhile, so the landing checks apply again.
            blocked = yield from hold_until_cleared_to_land(env, c17, drawdown)
            if blocked is not None:
                base.parking.give_back()
                return blocked
    if drawdown.tracing:
        drawdown.record(c17.actor, Kind.LANDS, tail=c17.number, parking_in_use=base.parking.count)
    return None


def divert(env: simpy.Environment, c17: Tail, drawdown: Drawdown, cause: Cause) -> Steps:
    """Still blocked at the end of the longest hold: fly back without landing, ask again.

    A diverted sortie is counted; it carries nothing. Its two legs are hours lost to
    the block that caused it (its hold is counted as it happens). The work it was
    sent for is free for others again; on arrival the tail asks for a clearance and
    turns around.
    """
    if c17.landing is not None:
        drawdown.office.cancel_landing(c17.landing)
        c17.landing = None
    drawdown.counters.diverted_sorties += 1
    c17.committed = False
    drawdown.committed_tails -= 1
    drawdown.signal_changed()
    back = c17.legs.next()
    _charge(drawdown, cause, c17.inbound + back)
    drawdown.record(c17.actor, Kind.DIVERTS, tail=c17.number, cause=cause, duration_hours=back)
    yield env.timeout(back)
    arrive_at_offload_station(env, c17, drawdown)


def _charge(drawdown: Drawdown, cause: Cause, hours: float) -> None:
    """Count hours lost, on the ground or in the air, to the block that caused them."""
    counters = drawdown.counters
    if cause is Cause.WEATHER:
        counters.weather_wait_hours += hours
    elif cause is Cause.SUSPENSION:
        counters.suspension_wait_hours += hours
    elif cause is Cause.CLEARANCE:
        counters.clearance_wait_hours += hours
    else:
        counters.landing_slot_wait_hours += hours


def load_aircraft(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown
) -> Generator[Any, Any, Load]:
    """A loading team loads what is ready; the tail's commitment is settled."""
    airlift = drawdown.airlift
    assert airlift is not None
    base = drawdown.base
    waiting = base.loading_teams.take()
    if waiting is not None:
        landed = env.now
        yield waiting
        drawdown.counters.loading_team_wait_hours += env.now - landed
    load = drawdown.inventory.load_military(env.now, airlift)
    c17.committed = False
    drawdown.committed_tails -= 1
    drawdown.signal_changed()
    if load.empty:
        base.loading_teams.give_back()
        drawdown.counters.empty_sorties += 1
        drawdown.record(c17.actor, Kind.FINDS_NOTHING_TO_LOAD, tail=c17.number)
        return load
    if drawdown.tracing:
        drawdown.record(
            c17.actor,
            Kind.LOADS,
            tail=c17.number,
            cargo=tuple(load.cargo),
            people=tuple(load.people),
            cargo_kg=load.cargo_kg,
        )
    yield env.timeout(c17.load_hours.next())
    base.loading_teams.give_back()
    if drawdown.tracing:
        drawdown.record(c17.actor, Kind.FINISHES_LOADING, tail=c17.number)
    return load


def service(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, load: Load
) -> Generator[Any, Any, float]:
    """Refuel and paperwork, any repair and crew rest, then wait for the runway.

    Returns the outbound leg (drawn now: the crew's duty day depends on it).
    """
    airlift = drawdown.airlift
    assert airlift is not None
    counters = drawdown.counters
    ground_hours = c17.service_hours.next()
    if c17.breaks_down.happens():
        repair = c17.repair_hours.next()
        counters.breakdowns += 1
        counters.repair_hours += repair
        ground_hours += repair
        if drawdown.tracing:
            drawdown.record(c17.actor, Kind.BREAKS_DOWN, tail=c17.number, duration_hours=repair)
    outbound = c17.legs.next()
    duty = airlift.crew_duty_hours
    duty_began = c17.launched
    now = env.now
    rested = duty is not None and (now - duty_began) + ground_hours + outbound > duty + _EPSILON
    if rested:
        ground_hours += rest_crew(c17, drawdown)
    if ground_hours > 0:
        yield env.timeout(ground_hours)
        now = env.now
    if rested:
        duty_began = now  # the rest ends the stretch on the ground: a fresh duty day
    c17.outbound, c17.duty_began = outbound, duty_began
    inventory = drawdown.inventory
    while True:
        # Last-out people board if any are waiting; a tail carrying them holds for the
        # final lift, which leaves together: runway and crews checked for all its tails.
        inventory.board_last_out(load, now, airlift)
        if load.last_out_aboard:
            yield from hold_for_the_final_lift(env, c17, drawdown, load)
            break
        if (opens := wait_for_the_runway(env, c17, drawdown, now)) is not None:
            yield opens
            now = env.now
        # Ruling 6: the duty day is checked again after the wait for the runway (a
        # rested crew is not rested twice in a row: its day has just begun).
        if not tired(c17, now, duty):
            break
        yield env.timeout(rest_crew(c17, drawdown))
        now = c17.duty_began = env.now
    return outbound


def tired(c17: Tail, hours: float, duty: float | None) -> bool:
    """Would the crew pass its duty limit by taking off at ``hours``?"""
    if duty is None or hours == c17.duty_began:
        return False
    return (hours - c17.duty_began) + c17.outbound > duty + _EPSILON


def rest_crew(c17: Tail, drawdown: Drawdown, at: float | None = None) -> float:
    """The crew would pass its duty limit: it rests on the ground (the spot held)."""
    airlift = drawdown.airlift
    assert airlift is not None
    drawdown.counters.crew_rests += 1
    drawdown.counters.crew_rest_hours += airlift.crew_rest_hours
    drawdown.record(
        c17.actor,
        Kind.CREW_RESTS,
        tail=c17.number,
        cause=Cause.CREW_DUTY,
        duration_hours=airlift.crew_rest_hours,
        at=at,
    )
    return airlift.crew_rest_hours


def hold_for_the_final_lift(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, load: Load
) -> Steps:
    """A tail with last-out people aboard holds for the final lift.

    It holds until the whole element is aboard, every aircraft on the ground with
    last-out people aboard holds too and no aircraft with cargo and no last-out
    people is on the ground; then they take off together.
    """
    airlift = drawdown.airlift
    assert airlift is not None
    inventory = drawdown.inventory
    lift = drawdown.final_lift
    lift.append(c17)
    recorded = False
    while c17.final_lift_departs() is None:
        if final_lift_complete(drawdown):
            decide_the_departure(env, drawdown)
            break
        if not recorded:
            recorded = True
            drawdown.record(c17.actor, Kind.WAITS_FOR_LAST_SORTIE, tail=c17.number)
        waits: list[simpy.Event] = [drawdown.changed]
        ready = inventory.next_ready_after(env.now)
        if inventory.last_out_left and ready < math.inf:
            waits.append(env.timeout(ready - env.now))
        yield env.any_of(waits)
        if c17.final_lift_departs() is None:
            inventory.board_last_out(load, env.now, airlift)  # ready since, or seats freed
    departs, c17.departs = c17.final_lift_departs(), None
    assert departs is not None
    if departs > env.now:
        yield env.timeout(departs - env.now)


def final_lift_complete(drawdown: Drawdown) -> bool:
    """Every aircraft with last-out people aboard holds, no other one with cargo is on the
    ground, and the whole element is aboard, or no tail is coming to carry the rest (none
    on its way, none on the ground outside the lift, or every parking spot held by it)."""
    inventory = drawdown.inventory
    lift = drawdown.final_lift
    if len(lift) < inventory.final_lift_aircraft:
        return False
    if inventory.cargo_units_aboard > inventory.final_lift_cargo_aboard:
        return False
    if not inventory.last_out_left:
        return True
    parking = drawdown.base.parking
    if len(lift) >= parking.capacity:
        return True  # every spot holds for the element: no tail could land to carry the rest
    # Hold for the rest while a tail is on its way, or another one on the ground may board it.
    return not drawdown.committed_tails and parking.count <= len(lift)


def decide_the_departure(env: simpy.Environment, drawdown: Drawdown) -> None:
    """The final lift takes off once the runway is open and every crew within its duty day.

    A crew that would pass its limit rests; the others wait for it, and those whose
    day the wait would push past the limit rest alongside (so the lift still leaves
    together). Wakes the other tails of the lift with the decision.
    """
    airlift = drawdown.airlift
    assert airlift is not None
    duty = airlift.crew_duty_hours
    lift = list(drawdown.final_lift)
    drawdown.final_lift.clear()
    counters = drawdown.counters
    closures = drawdown.base.closures
    hours = env.now
    while True:
        opens = closures.free_from(hours)
        if opens > hours:
            for c17 in lift:
                counters.weather_wait_hours += opens - hours
                drawdown.record(
                    c17.actor,
                    Kind.WAITS_FOR_RUNWAY,
                    tail=c17.number,
                    cause=Cause.WEATHER,
                    duration_hours=opens - hours,
                    at=hours,
                )
            hours = opens
        if not any(tired(c17, hours, duty) for c17 in lift):
            break
        rested = hours + airlift.crew_rest_hours
        for c17 in lift:
            if tired(c17, hours, duty) or tired(c17, rested, duty):
                rest_crew(c17, drawdown, at=hours)
                c17.duty_began = rested
        hours = rested
    for c17 in lift:
        c17.departs = hours
    drawdown.signal_changed()


def wait_for_the_runway(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, now: float
) -> simpy.Timeout | None:
    """Take off only when the airfield is open: the wait for it to open, or None."""
    opens = drawdown.base.closures.free_from(now)
    if opens > now:
        drawdown.counters.weather_wait_hours += opens - now
        drawdown.record(
            c17.actor,
            Kind.WAITS_FOR_RUNWAY,
            tail=c17.number,
            cause=Cause.WEATHER,
            duration_hours=opens - now,
        )
        return env.timeout(opens - now)
    return None


def leave(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown, load: Load, outbound: float
) -> Steps:
    """Take off (everyone and everything aboard is out), fly back, ask for the next clearance."""
    drawdown.base.parking.give_back()
    drawdown.sortie_out(c17.actor, c17.number, load)
    yield env.timeout(outbound)
    arrive_at_offload_station(env, c17, drawdown)


def arrive_at_offload_station(env: simpy.Environment, c17: Tail, drawdown: Drawdown) -> None:
    """Back at the offload station: the next clearance is asked for, the turnaround begins."""
    if drawdown.tracing:
        drawdown.record(c17.actor, Kind.ARRIVES, tail=c17.number)
    c17.approved = (
        c17.filed_ahead.popleft()
        if c17.filed_ahead
        else drawdown.ask_clearance(c17.actor, c17.number)
    )
    c17.ready_at = env.now + c17.turnaround_hours.next()


def hold_until_cleared_to_land(
    env: simpy.Environment, c17: Tail, drawdown: Drawdown
) -> Generator[Any, Any, Cause | None]:
    """Hold until the runway is open, no suspension is on and the day has a slot.

    Ruling 2: the hold lasts at most ``airlift.max_airborne_hold_hours``; returns the
    block still on at that limit (the tail must divert), or None when cleared to land.
    Moves the tail's booked landing slot when the hold runs past midnight.
    """
    airlift = drawdown.airlift
    assert airlift is not None
    office = drawdown.office
    closures = drawdown.base.closures
    clock = drawdown.clock
    limit = env.now + airlift.max_airborne_hold_hours
    while True:
        now = env.now
        weather_free = closures.free_from(now)
        if weather_free > now:
            cleared = yield from hold_in_the_air(
                env, c17, drawdown, Cause.WEATHER, weather_free, limit
            )
            if not cleared:
                return Cause.WEATHER
            continue
        suspension_free = office.suspensions.free_from(now)
        if suspension_free > now:
            cleared = yield from hold_in_the_air(
                env, c17, drawdown, Cause.SUSPENSION, suspension_free, limit
            )
            if not cleared:
                return Cause.SUSPENSION
            continue
        assert c17.landing is not None
        if office.daily_landings is not None and clock.day(now) != clock.day(c17.landing):
            # Held past midnight: the slot must be on the day it actually lands.
            office.cancel_landing(c17.landing)
            slot = office.first_free_landing_day(now)
            if slot > limit + _EPSILON:
                # No slot left within the longest hold (or before the horizon): divert.
                c17.landing = None
                return Cause.HORIZON if slot == math.inf else Cause.LANDING_SLOT
            office.book_landing(slot)
            c17.landing = slot
            if slot > now:
                yield from hold_in_the_air(env, c17, drawdown, Cause.LANDING_SLOT, slot, limit)
                continue
        return None


def hold_in_the_air(
    env: simpy.Environment,
    c17: Tail,
    drawdown: Drawdown,
    cause: Cause,
    free: float,
    limit: float,
) -> Generator[Any, Any, bool]:
    """Hold over Base 101 until ``free``, or until ``limit`` if that comes first.

    Returns True when the block is over (the caller looks again), False at the limit.
    """
    cleared = free <= limit + _EPSILON
    hold = (free if cleared else limit) - env.now
    _charge(drawdown, cause, hold)
    drawdown.record(
        c17.actor, Kind.HOLDS_IN_THE_AIR, tail=c17.number, cause=cause, duration_hours=hold
    )
    if hold > 0:
        yield env.timeout(hold)
    return cleared
