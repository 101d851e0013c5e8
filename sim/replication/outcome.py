"""What one replication of the drawdown produces.

A :class:`ReplicationResult` holds numbers only: when everything was out (or why
it never was), when people and cargo left and by which mode, and the counters a
planner asks about (sorties, waits, denials, closures, breakdowns). Times are
hours since the scenario's ``start``; the scenario converts them to dates.

Departures are kept as two small NumPy structured arrays, one row per cohort
share or cargo line carried by one sortie or airliner, so that burndown curves
and milestone checks can be computed exactly, yet a replication stays a few
kilobytes. The event trace (:mod:`sim.replication.trace`) is kept only when
asked for; the weather closures and suspensions drawn are always kept, as data.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.picklable import by_init
from sim.replication.trace import Event, Periods

PERSONNEL_DTYPE = np.dtype([("hours", "f8"), ("cohort", "i4"), ("count", "i4"), ("military", "?")])
CARGO_DTYPE = np.dtype([("hours", "f8"), ("line", "i4"), ("units", "i4"), ("kg", "f8")])


@dataclass(slots=True)
class Counters:
    """Totals of one replication. Hours are aircraft-hours unless the name says otherwise."""

    sorties: int = 0
    """Take-offs from Base 101 by military aircraft (including empty ones)."""
    empty_sorties: int = 0
    """Sorties that left carrying nothing (another tail took what was ready)."""
    diverted_sorties: int = 0
    """Sorties that returned to the offload station without landing (two legs, nothing carried)."""
    military_passengers: int = 0
    commercial_passengers: int = 0
    cargo_units: int = 0
    cargo_kg: float = 0.0
    clearance_requests: int = 0
    clearance_denials: int = 0
    clearance_lapses: int = 0
    """Approvals that expired unused (validity window) and were asked for again."""
    clearance_wait_hours: float = 0.0
    """Hours tails were ready to launch but had no approved clearance."""
    landing_slot_wait_hours: float = 0.0
    """Hours launches were held back because the day's landing cap was reached."""
    suspension_wait_hours: float = 0.0
    """Hours tails could not land because a political suspension was on: waits at the
    offload station, holds in the air, and both legs of a sortie diverted by one."""
    weather_wait_hours: float = 0.0
    """Hours tails could not land or take off because the airfield was closed: waits at
    the offload station, holds in the air, both legs of a sortie diverted by a closure,
    and waits for the runway to open for take-off."""
    parking_wait_hours: float = 0.0
    loading_team_wait_hours: float = 0.0
    crew_rest_hours: float = 0.0
    crew_rests: int = 0
    breakdowns: int = 0
    repair_hours: float = 0.0
    weather_closures: int = 0
    weather_closed_hours: float = 0.0
    suspensions: int = 0
    suspended_hours: float = 0.0
    commercial_departures: int = 0
    """Scheduled airliner departures up to completion (flown or cancelled)."""
    commercial_cancelled: int = 0
    commercial_weather_cancelled: int = 0
    """Cancellations because the airfield stayed closed for the rest of the day."""
    commercial_seats_offered: int = 0
    commercial_seats_used: int = 0
    commercial_seats_lost: int = 0
    """Bookable seats on cancelled departures: the airliner side of lateness."""

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


COUNTER_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Counters))

LATENESS_DRIVERS: dict[str, str] = {
    "clearance_wait_hours": "clearance waits",
    "landing_slot_wait_hours": "daily landing cap",
    "suspension_wait_hours": "political suspensions",
    "weather_wait_hours": "weather closures",
    "parking_wait_hours": "parking (MOG)",
    "loading_team_wait_hours": "loading teams",
    "repair_hours": "breakdowns",
    "crew_rest_hours": "crew rest",
}
"""Counters that measure hours lost, with the words a planner uses for them."""


@dataclass(frozen=True, slots=True)
class ReplicationResult:
    index: int
    completion_hours: float | None
    """When the last person or unit of cargo was out; None when unfinished."""
    unfinished_reason: str | None
    last_sensitive_hours: float | None
    """When the last sensitive unit left (None if there is none, or it never left)."""
    personnel: np.ndarray = field(repr=False)
    """Rows of PERSONNEL_DTYPE in departure order."""
    cargo: np.ndarray = field(repr=False)
    """Rows of CARGO_DTYPE in departure order."""
    counters: Counters
    end_hours: float
    """Simulated time when the replication stopped."""
    events: int
    """SimPy events processed (a measure of the model's work)."""
    trace: tuple[Event, ...] | None = field(default=None, repr=False)
    """The replication's events, in time order, when simulated with ``trace=True``."""
    closures: Periods = field(default=(), repr=False)
    """The airfield's weather closures this replication drew (the whole horizon)."""
    suspensions: Periods = field(default=(), repr=False)
    """The political suspensions this replication drew (the whole horizon)."""

    @property
    def finished(self) -> bool:
        return self.completion_hours is not None

    @property
    def personnel_out(self) -> int:
        return int(self.personnel["count"].sum())

    @property
    def cargo_out_kg(self) -> float:
        return float(self.cargo["kg"].sum())

    def personnel_out_by(self, hours: float) -> int:
        """People out at or before ``hours``."""
        rows = self.personnel
        return int(rows["count"][rows["hours"] <= hours].sum())

    def cargo_out_kg_by(self, hours: float) -> float:
        rows = self.cargo
        return float(rows["kg"][rows["hours"] <= hours].sum())

    def fingerprint(self) -> dict[str, Any]:
        """Everything the replication produced but its event count, exactly (floats as hex).

        Two fingerprints are equal only if every time, counter and departure row is
        equal to the last bit: the check that an optimisation changed nothing.
        """

        def exact(value: float | None) -> str | None:
            return None if value is None else float(value).hex()

        rows = self.personnel.tobytes() + self.cargo.tobytes()
        return {
            "completion_hours": exact(self.completion_hours),
            "end_hours": exact(self.end_hours),
            "last_sensitive_hours": exact(self.last_sensitive_hours),
            "unfinished_reason": self.unfinished_reason,
            "counters": {name: exact(value) for name, value in self.counters.as_dict().items()},
            "rows_sha256": hashlib.sha256(rows).hexdigest(),
        }

    def summary(self) -> dict[str, Any]:
        """Scalars only (for tables and CSV rows)."""
        return {
            "replication": self.index,
            "completion_hours": self.completion_hours,
            "unfinished_reason": self.unfinished_reason,
            "last_sensitive_hours": self.last_sensitive_hours,
            "personnel_out": self.personnel_out,
            "cargo_out_kg": self.cargo_out_kg,
            **self.counters.as_dict(),
        }


by_init(ReplicationResult)
