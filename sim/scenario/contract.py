"""The scenario: one course of action for drawing down Base 101, validated once and frozen.

These models are the scenario contract (``docs/scenario-reference.md``, format
version 1 with the 1.1 rulings) in code.
Every model forbids unknown keys and does not coerce types (``"3"`` is not 3,
``no`` is not False); numbers must be finite; cross-field rules (deadline after
start, milestone before the deadline, a service window that ends after it starts)
are checked here so that the simulation can trust its input.

Times are naive ``datetime`` objects in local Niamey time (UTC+1, no daylight
saving). A bare date used as a limit (``deadline``, a milestone's ``by``) means
the end of that day; :func:`end_of_day` turns it into the instant.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.distributions import Dist, mean_of, quantile_of
from sim.scenario.laws import MAX_RATE_PER_30_DAYS, bounds_of

# Sane bounds: a drawdown of Base 101 is about a thousand people and a few
# hundred pallets. The limits are generous, but they stop a typo (an extra
# three zeros) from turning into an hour-long simulation or an exhausted memory.
MAX_PEOPLE_PER_COHORT = 1_000_000
MAX_UNITS_PER_CARGO_LINE = 100_000
MAX_TAILS = 1_000
MAX_LIST_ITEMS = 1_000
MAX_REPLICATIONS = 10_000_000
MAX_HORIZON_DAYS = 3_650
# Calendar limits: far enough for any plan, near enough that a date plus the
# horizon is still a date (9999-12-31 plus a day is not).
FIRST_YEAR = 1900
LAST_YEAR = 2200


def _in_calendar(value: dt.date) -> dt.date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _parse_datetime(value: Any) -> Any:
    """ISO 8601 date or date-time strings only; a bare date means 00:00."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time such as 2024-06-07T23:00")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time such as 2024-06-07T23:00") from None
    if parsed.tzinfo is not None:
        raise ValueError("must be local Niamey time without a UTC offset")
    return parsed


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date such as 2024-09-15 (no time of day)")
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be an ISO 8601 date such as 2024-09-15")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date such as 2024-09-15") from None


def _iso(value: dt.date) -> str:
    return (
        value.isoformat(timespec="minutes") if isinstance(value, dt.datetime) else value.isoformat()
    )


DateTime = Annotated[
    dt.datetime,
    AfterValidator(_in_calendar),
    BeforeValidator(_parse_datetime),
    PlainSerializer(_iso, return_type=str),
    Field(json_schema_extra={"type": "string", "format": "date-time"}),
]
Date = Annotated[
    dt.date,
    AfterValidator(_in_calendar),
    BeforeValidator(_parse_date),
    PlainSerializer(_iso, return_type=str),
    Field(json_schema_extra={"type": "string", "format": "date"}),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=20_000)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Month = Literal["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a bare-date limit stands for: 00:00 of the next day."""
    return dt.datetime(day.year, day.month, day.day) + dt.timedelta(days=1)


def located_errors(
    title: str, errors: list[tuple[tuple[str | int, ...], str, Any]]
) -> ValidationError:
    """Several cross-field problems, each at the field a planner must change.

    A validator that raises ``ValueError`` puts its one message on the whole model;
    raising this instead lets pydantic report each problem at its own field
    (``milestones[1].by``), relative to the model being validated.
    """
    return ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", "{message}", {"message": message}),
                loc=loc,
                input=value,
            )
            for loc, message, value in errors
        ],
    )


def _first_error(error: ValidationError | ValueError) -> str:
    """One line for a problem found while validating a derived scenario."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(error)


class Model(BaseModel):
    """Frozen, strict, unknown keys forbidden."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        populate_by_name=True,
        validate_default=False,
        # Validators are built on first use, for the models a file actually uses (start-up).
        defer_build=True,
    )


def _check_dist_range(
    value: Dist, *, low: float = 0.0, high: float = float("inf"), what: str
) -> Dist:
    lo, hi = bounds_of(value)
    if lo < low or hi > high:
        if high == float("inf"):
            raise ValueError(f"{what} must be ≥ {low:g}")
        raise ValueError(f"{what} must lie in [{low:g}, {high:g}]")
    return value


def _duration(value: Dist) -> Dist:
    return _check_dist_range(value, what="a duration")


def _probability(value: Dist) -> Dist:
    return _check_dist_range(value, high=1.0, what="a probability")


def _amount(value: Dist) -> Dist:
    return _check_dist_range(value, what="an amount")


def _rate(value: Dist) -> Dist:
    _check_dist_range(value, what="a rate")
    high = bounds_of(value)[1]
    if (high if high != float("inf") else mean_of(value)) > MAX_RATE_PER_30_DAYS:
        raise ValueError(f"must be at most {MAX_RATE_PER_30_DAYS:g} per 30 days (one an hour)")
    return value


def longest_possible_hours(dist: Dist) -> float:
    """The longest value a duration can take: its upper bound, or for the distributions
    without one (normal, lognormal, exponential) their 99.9th percentile."""
    high = bounds_of(dist)[1]
    return high if math.isfinite(high) else quantile_of(dist, 0.999)


Duration = Annotated[Dist, AfterValidator(_duration)]
Rate = Annotated[Dist, AfterValidator(_rate)]
"""Events per 30 days; an unbounded dist is limited on its mean, and draws are capped."""
Probability = Annotated[Dist, AfterValidator(_probability)]
Amount = Annotated[Dist, AfterValidator(_amount)]


class Milestone(Model):
    name: Name
    by: Date
    personnel: Fraction | None = None
    cargo: Fraction | None = None

    @model_validator(mode="after")
    def _something_to_check(self) -> Milestone:
        if self.personnel is None and self.cargo is None:
            raise ValueError("a milestone needs personnel, cargo or both")
        return self


class Base(Model):
    name: Name = "Air Base 101, Niamey"
    parking: Annotated[int, Field(ge=1, le=1_000)]
    loading_teams: Annotated[int, Field(ge=1, le=1_000)]
    packing_positions_per_day: Amount | None = None

    @field_validator("packing_positions_per_day")
    @classmethod
    def _packing_positive(cls, value: Dist | None) -> Dist | None:
        if value is not None and bounds_of(value)[1] <= 0:
            raise ValueError("must be > 0 (cargo would never be packed)")
        return value


class Cohort(Model):
    name: Name
    count: Annotated[int, Field(ge=0, le=MAX_PEOPLE_PER_COHORT)]
    commercial: bool = True
    ready: DateTime | None = None
    last_out: bool = False


class CargoLine(Model):
    name: Name
    count: Annotated[int, Field(ge=0, le=MAX_UNITS_PER_CARGO_LINE)]
    positions: Annotated[int, Field(ge=1, le=1_000)]
    weight_kg: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]
    sensitive: bool = False
    priority: Annotated[int, Field(ge=-1_000_000, le=1_000_000)] = 100
    ready: DateTime | None = None


class Airlift(Model):
    aircraft: Name = "C-17A"
    tails: Annotated[int, Field(ge=0, le=MAX_TAILS)]
    available_from: DateTime | None = None
    positions: Annotated[int, Field(ge=0, le=1_000)] = 18
    payload_kg: Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]
    passenger_kg: Annotated[float, Field(gt=0, le=1_000, allow_inf_nan=False)] = 136
    seats: Annotated[int, Field(ge=0, le=10_000)] = 102
    seats_with_cargo: Annotated[int, Field(ge=0, le=10_000)] = 54
    leg_hours: Duration
    load_hours: Duration
    service_hours: Duration = 0.0
    turnaround_hours: Duration
    crew_duty_hours: Positive | None = None
    crew_rest_hours: NonNegative = 12.0
    breakdown_probability: Probability = 0.0
    repair_hours: Duration = 0.0
    max_airborne_hold_hours: NonNegative = 2.0
    """Ruling 2 of version 1.1: the longest a tail holds over Base 101 for a closure or
    a suspension that began while it was in the air; still blocked then, it diverts."""

    @model_validator(mode="after")
    def _seats_consistent(self) -> Airlift:
        if self.seats_with_cargo > self.seats:
            message = (
                f"must be ≤ seats (got seats_with_cargo={self.seats_with_cargo}, "
                f"seats={self.seats})"
            )
            raise located_errors(
                "Airlift", [(("seats_with_cargo",), message, self.seats_with_cargo)]
            )
        return self


class Suspensions(Model):
    per_30_days: Rate
    duration_days: Duration


class Clearance(Model):
    opens: DateTime
    opens_delay_days: Duration | None = None
    lead_days: Duration = 0.0
    denial_probability: Probability = 0.0
    daily_landings: Annotated[int, Field(ge=0, le=10_000)] | None = None
    validity_hours: Positive | None = None
    suspensions: Suspensions | None = None
    requests_ahead: Annotated[int, Field(ge=0, le=10)] = 0
    """Extension: landings ahead for which a tail files its clearance requests.

    0 (the contract's cycle): the next clearance is asked for on arrival at the
    offload station. 1: it is asked for when the tail launches toward Base 101,
    as planners file the next rotation while the current one flies, so the
    lead time runs during the sortie; n: n landings ahead.
    """

    @field_validator("denial_probability")
    @classmethod
    def _not_always_denied(cls, value: Dist) -> Dist:
        if bounds_of(value)[0] >= 1:
            raise ValueError("must be < 1 (every request would be denied forever)")
        return value


class CommercialService(Model):
    name: Name
    days: Literal["daily"] | Annotated[list[Weekday], Field(min_length=1, max_length=7)]
    departs: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    seats: Amount
    cancel_probability: Probability = 0.0
    from_: Date | None = Field(default=None, alias="from")
    until: Date | None = None

    @field_validator("days")
    @classmethod
    def _no_repeats(cls, value: Any) -> Any:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("must not repeat a day")
        return value

    @model_validator(mode="after")
    def _window(self) -> CommercialService:
        if self.from_ is not None and self.until is not None and self.until < self.from_:
            message = f"must not be before from (got from={self.from_}, until={self.until})"
            raise located_errors("CommercialService", [(("until",), message, str(self.until))])
        return self

    @property
    def weekdays(self) -> frozenset[int]:
        """Departure days as ``datetime.weekday()`` numbers (Monday = 0)."""
        if self.days == "daily":
            return frozenset(range(7))
        return frozenset(WEEKDAYS.index(day) for day in self.days)

    @property
    def departs_minutes(self) -> int:
        hours, minutes = self.departs.split(":")
        return int(hours) * 60 + int(minutes)


class Weather(Model):
    closures_per_30_days: dict[Month, Rate] = Field(default_factory=dict)
    closure_hours: Duration = 0.0


class Policy(Model):
    sensitive_first: bool = True
    military_seats: bool = True
    partial_load_wait_hours: NonNegative = 24.0
    """Extension: how long a tail may be held back for a fuller load.

    A tail is sent for less than a full load when a full load will not be ready
    within this many hours after it would land; otherwise it waits for one.
    """


class Simulation(Model):
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 20240519
    horizon_days: Annotated[float, Field(gt=0, le=MAX_HORIZON_DAYS, allow_inf_nan=False)] = 365


class Bounds(Model):
    min: Fraction | None = None
    max: Fraction | None = None


class DateWindow(Model):
    after: DateTime | None = None
    before: DateTime | None = None


class Expect(Model):
    """Regression expectations that ``drawdown check`` verifies."""

    p_on_time: Bounds | None = None
    completion_p10: DateWindow | None = None
    completion_p50: DateWindow | None = None
    completion_p90: DateWindow | None = None
    verdict: Literal["on track", "at risk", "late"] | None = None
    unfinished_fraction: Bounds | None = None
    milestones: dict[Name, Bounds] | None = None


class RecordSpan(Model):
    """A recorded amount known only as a range or a bound.

    ``{low: A, high: B}`` (between A and B, both included), ``{at_least: A}`` or
    ``{at_most: B}``; a plain number is an exact value.
    """

    low: NonNegative | None = None
    high: NonNegative | None = None
    at_least: NonNegative | None = None
    at_most: NonNegative | None = None

    @model_validator(mode="after")
    def _one_form(self) -> RecordSpan:
        is_range = self.low is not None or self.high is not None
        forms = int(is_range) + int(self.at_least is not None) + int(self.at_most is not None)
        if forms != 1 or (is_range and (self.low is None or self.high is None)):
            raise ValueError("must be one of {low: A, high: B}, {at_least: A} or {at_most: B}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low must not exceed high (got low={self.low:g}, high={self.high:g})")
        return self

    def interval(self) -> tuple[float, float]:
        """``(low, high)``, with ``inf`` for a bound's open side (and 0 below: amounts are ≥ 0)."""
        if self.at_least is not None:
            return (self.at_least, math.inf)
        if self.at_most is not None:
            return (0.0, self.at_most)
        low, high = self.low, self.high
        if low is None or high is None:  # excluded by _one_form
            raise ValueError("a range needs both low and high")
        return (low, high)


RecordValue = NonNegative | RecordSpan
"""An observed amount: an exact number, a range ``{low, high}`` or a bound."""


def record_interval(value: RecordValue) -> tuple[float, float]:
    """The ``(low, high)`` an observed amount allows (``high`` is inf for a lower bound)."""
    if isinstance(value, RecordSpan):
        return value.interval()
    return (float(value), float(value))


class ObservedPoint(Model):
    """A point of the historical record, for calibration and plots.

    ``role: test`` (default): the model could have missed it, so agreement counts.
    ``role: input``: the scenario's inputs fix the simulated value (an input in
    disguise, e.g. the size of a cohort); ``why`` must say how. Calibration shows
    such points but does not count them as agreement.
    """

    at: DateTime
    personnel_out: RecordValue | None = None
    cargo_out_kg: RecordValue | None = None
    role: Literal["test", "input"] = "test"
    why: Text = ""
    source: Text = ""
    note: Text = ""

    @model_validator(mode="after")
    def _input_says_why(self) -> ObservedPoint:
        if self.role == "input" and not self.why.strip():
            raise located_errors(
                "ObservedPoint",
                [(("why",), "a point with role: input must say why it is an input", self.why)],
            )
        return self


class FittedValue(Model):
    """A scenario value chosen after seeing the record, and what a planner would write instead.

    ``field`` is a dotted path as in ``--set`` (``clearance.requests_ahead``);
    ``planner`` is the value written as in the file. ``drawdown calibrate`` runs
    the scenario as written and with every ``planner`` value put back.
    """

    field: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z_]+(\.[a-z_]+)*$")]
    planner: Any
    why: Text = ""


class Scenario(Model):
    schema_version: Literal[1]
    name: Name
    title: Text = ""
    description: Text = ""
    extends: str | None = None
    start: DateTime
    deadline: Date
    milestones: Annotated[list[Milestone], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    base: Base
    personnel: Annotated[list[Cohort], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    cargo: Annotated[list[CargoLine], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    airlift: Airlift | None = None
    clearance: Clearance | None = None
    commercial: Annotated[list[CommercialService], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    weather: Weather = Field(default_factory=Weather)
    policy: Policy = Field(default_factory=Policy)
    simulation: Simulation = Field(default_factory=Simulation)
    expect: Expect | None = None
    observed: Annotated[list[ObservedPoint], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )
    fitted: Annotated[list[FittedValue], Field(max_length=MAX_LIST_ITEMS)] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _cross_field(self) -> Scenario:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        if end_of_day(self.deadline) <= self.start:
            message = (
                f"must be on or after the start day (got start={_iso(self.start)}, "
                f"deadline={self.deadline})"
            )
            problems.append((("deadline",), message, str(self.deadline)))
        seen: set[str] = set()
        for index, milestone in enumerate(self.milestones):
            if milestone.by > self.deadline:
                message = (
                    f"milestone {milestone.name!r} is after the deadline "
                    f"(got by={milestone.by}, deadline={self.deadline})"
                )
                problems.append((("milestones", index, "by"), message, str(milestone.by)))
            if milestone.name in seen:
                message = f"milestone names must be unique (got {milestone.name!r} twice)"
                problems.append((("milestones", index, "name"), message, milestone.name))
            seen.add(milestone.name)
        airlift = self.airlift
        if airlift is not None and airlift.tails > 0:
            # A unit that can never fit an aircraft would make tails fly empty to the horizon.
            for index, line in enumerate(self.cargo):
                if line.count and line.positions > airlift.positions:
                    message = (
                        f"a unit takes {line.positions} pallet positions but the aircraft "
                        f"has {airlift.positions}"
                    )
                    problems.append((("cargo", index, "positions"), message, line.positions))
                if line.count and line.weight_kg > airlift.payload_kg:
                    message = (
                        f"a unit weighs {line.weight_kg:g} kg but the aircraft payload is "
                        f"{airlift.payload_kg:g} kg"
                    )
                    problems.append((("cargo", index, "weight_kg"), message, line.weight_kg))
        clearance = self.clearance
        if airlift is not None and clearance is not None and clearance.validity_hours is not None:
            longest = longest_possible_hours(airlift.leg_hours)
            if clearance.validity_hours < longest:
                # Ruling 3 of version 1.1: no approval could ever be used for that leg.
                message = (
                    f"must be ≥ the longest possible airlift.leg_hours "
                    f"(got validity_hours={clearance.validity_hours:g}, legs up to {longest:g} h): "
                    f"an approval would lapse before the tail could land"
                )
                problems.append(
                    (("clearance", "validity_hours"), message, clearance.validity_hours)
                )
        for index, fitted in enumerate(self.fitted):
            try:
                self.with_planner_values(only=index)
            except (ValidationError, ValueError) as error:
                detail = _first_error(error)
                message = f"the planner value for {fitted.field} is not valid: {detail}"
                problems.append((("fitted", index, "planner"), message, fitted.planner))
        if problems:
            raise located_errors("Scenario", problems)
        return self

    def with_planner_values(self, only: int | None = None) -> Scenario:
        """This scenario with each ``fitted`` value put back to its ``planner`` value.

        The result has no ``fitted`` entries (it is what a planner would have written
        without the record). ``only``: put back that one entry alone.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude={"fitted"})
        entries = self.fitted if only is None else [self.fitted[only]]
        for fitted in entries:
            *parents, leaf = fitted.field.split(".")
            node = data
            for key in parents:
                child = node.get(key)
                if not isinstance(child, dict):
                    raise ValueError(f"{fitted.field}: the scenario has no {key!r} mapping")
                node = child
            node[leaf] = fitted.planner
        return Scenario.model_validate(data)

    # Derived views used by the model and the reports.

    @property
    def total_personnel(self) -> int:
        return sum(cohort.count for cohort in self.personnel)

    @property
    def total_cargo_kg(self) -> float:
        return sum(line.count * line.weight_kg for line in self.cargo)

    @property
    def deadline_end(self) -> dt.datetime:
        return end_of_day(self.deadline)

    @property
    def horizon_end(self) -> dt.datetime:
        return self.start + dt.timedelta(days=self.simulation.horizon_days)

    def hours_since_start(self, moment: dt.datetime) -> float:
        return (moment - self.start).total_seconds() / 3600.0

    def moment(self, hours: float) -> dt.datetime:
        """The calendar instant ``hours`` after the start (rounded to the second)."""
        return self.start + dt.timedelta(seconds=round(hours * 3600.0))
