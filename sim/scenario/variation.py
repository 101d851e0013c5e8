"""Changing one field of a scenario: what ``solve`` varies and ``sensitivity`` fixes.

A :class:`Knob` is one field a planner can turn, with how its values are
written and stepped:

- ``count`` — a whole number (``airlift.tails``, ``base.parking``): every integer;
- ``number`` — a plain real (``airlift.payload_kg``): steps of ``--step``;
- ``moment`` — a date-time (``clearance.opens``, ``airlift.available_from``):
  steps of whole hours;
- ``day`` — the ``deadline``: whole days;
- ``scale`` — a *dist* field (``clearance.lead_days``) or all airliners' seats
  (``commercial.seats``): a factor on the distribution as written (1 = as
  written, 2 = every value doubled, shape kept), in steps of ``--step``.

A knob's **direction** says which way P(on time) moves: ``increasing`` when a
larger value is never worse (more tails, more seats, a later deadline),
``decreasing`` when a larger value is never better (later approvals, longer
leads, tails available later). The fields in :data:`KNOWN_DIRECTIONS` have one
(the model's monotonicity tests back tails, parking and lead times; the others
only delay or advance what the model does); any other numeric field needs one
given by the caller.

A changed scenario is validated again like a file, so a value that breaks a
rule (a deadline before a milestone) is reported, not simulated.

:func:`uncertain_inputs` lists what ``sensitivity`` fixes: every *dist* field
written as a distribution (at its own P10 and P90), and every probability and
Poisson rate written as a plain number above zero (at half and at twice its
value, capped at 1 for a probability: an estimate's customary range).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ValidationError

from sim.scenario.contract import Scenario
from sim.scenario.distributions import DistSpec, quantile_of, scaled
from sim.scenario.laws import is_fixed
from sim.scenario.problems import NO_VALUE
from sim.scenario.validation import _members as annotation_members
from sim.scenario.validation import (
    allowed_keys,
    child_type,
    did_you_mean,
    lookup,
    problems_from_validation,
)
from sim.scenario.yaml_reader import FieldPath, format_path

Kind = Literal["count", "number", "moment", "day", "scale"]
Direction = Literal["increasing", "decreasing"]
DIRECTIONS: tuple[Direction, ...] = ("increasing", "decreasing")

KNOWN_DIRECTIONS: dict[str, Direction] = {
    "airlift.tails": "increasing",
    "base.parking": "increasing",
    "base.loading_teams": "increasing",
    "clearance.opens": "decreasing",
    "clearance.lead_days": "decreasing",
    "commercial.seats": "increasing",
    "airlift.available_from": "decreasing",
    "deadline": "increasing",
}
"""Fields whose effect on P(on time) has a known sign (see the module docstring)."""

ALL_SEATS = "commercial.seats"
"""The pseudo-field that scales the seats of every airline service at once."""

# Fields that are not part of the course of action.
_NOT_VARIED = ("schema_version", "name", "title", "description", "extends", "simulation",
               "expect", "observed", "milestones")  # fmt: skip

_DIST_TYPES = set(get_args(DistSpec))

LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9


class VariationError(ValueError):
    """A field that cannot be varied, or a value that cannot be used (the message says why)."""


def parse_field(field: str) -> FieldPath:
    """``personnel[0].count`` → ``("personnel", 0, "count")``."""
    path: list[str | int] = []
    for dotted in field.split("."):
        name, _, rest = dotted.partition("[")
        if not name.isidentifier():
            raise VariationError(f"{field!r} is not a field name such as airlift.tails")
        path.append(name)
        while rest:
            index, close, rest = rest.partition("]")
            if not close or not index.isdigit() or (rest and not rest.startswith("[")):
                raise VariationError(f"{field!r} is not a field name such as commercial[0].seats")
            path.append(int(index))
            rest = rest[1:]
    return tuple(path)


def _annotation_at(path: FieldPath, field: str) -> Any:
    """The declared type of the field at ``path``; unknown names are refused with a hint."""
    annotation: Any = Scenario
    for part in path:
        if isinstance(part, str):
            allowed = allowed_keys(annotation)
            if allowed is not None and part not in allowed:
                raise VariationError(
                    f"unknown field {field!r}: no {part!r} (allowed: {', '.join(allowed)})"
                    + did_you_mean(part, allowed)
                )
        annotation = child_type(annotation, part)
        if annotation is None:
            raise VariationError(f"unknown field {field!r}")
    return annotation


def _members(annotation: Any) -> set[Any]:
    return set(annotation_members(annotation))


def _kind_of(annotation: Any, field: str) -> Kind:
    members = _members(annotation)
    if members & _DIST_TYPES:  # a dist field: a number or a distribution
        return "scale"
    if dt.datetime in members:
        return "moment"
    if dt.date in members:
        return "day"
    if int in members and bool not in members:
        return "count"
    if float in members:
        return "number"
    raise VariationError(f"{field} is not numeric: it cannot be varied")


def _data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data that validates back to the same scenario."""
    return scenario.model_dump(by_alias=True, round_trip=True)


def _rebuild(data: dict[str, Any], what: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problem, _ = problems_from_validation(error, data, {}, "")[0]
        raise VariationError(f"{what} makes the scenario invalid: {problem}") from None


@dataclass(frozen=True)
class Knob:
    """One field of one scenario, ready to be set to other values."""

    field: str
    path: FieldPath
    kind: Kind
    current: Any
    """The value in the scenario (1.0 for a scale factor)."""
    direction: Direction | None

    # --- values ---------------------------------------------------------------

    def parse(self, text: str) -> Any:
        """A value as written on the command line (``4``, ``1.5``, ``2024-06-18T06:00``)."""
        text = text.strip()
        try:
            if self.kind == "count":
                return int(text)
            if self.kind == "moment":
                moment = dt.datetime.fromisoformat(text)
                if moment.tzinfo is not None:
                    raise ValueError
                return moment
            if self.kind == "day":
                return dt.date.fromisoformat(text)
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
            return value
        except ValueError:
            raise VariationError(f"{self.field}: {text!r} is not {self.what}") from None

    @property
    def what(self) -> str:
        return {
            "count": "a whole number",
            "number": "a number",
            "moment": "a date-time such as 2024-06-18T06:00",
            "day": "a date such as 2024-09-15",
            "scale": "a scale factor such as 1.5",
        }[self.kind]

    def to_json(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.isoformat(timespec="minutes")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float):
            return round(value, 6)
        return value

    def show(self, value: Any) -> str:
        """A value for people: ``4``, ``2024-06-18 06:00``, ``×1.50``."""
        if value is None:
            return "—"
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ", timespec="minutes")
        if self.kind == "scale":
            return f"×{value:.2f}"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def offset(self, value: Any, steps: float) -> Any:
        """``value`` moved by ``steps`` units of this knob (hours, days, or the number)."""
        if self.kind == "moment":
            return value + dt.timedelta(hours=steps)
        if self.kind == "day":
            return value + dt.timedelta(days=round(steps))
        if self.kind == "count":
            return value + round(steps)
        return value + steps

    def distance(self, low: Any, high: Any) -> float:
        """``high − low`` in this knob's units."""
        if self.kind == "moment":
            return float((high - low).total_seconds() / 3600.0)
        if self.kind == "day":
            return float((high - low).days)
        return float(high - low)

    # --- scenarios ------------------------------------------------------------

    def apply(self, scenario: Scenario, value: Any) -> Scenario:
        """``scenario`` with this field set to ``value`` (a factor for a scale knob)."""
        data = _data(scenario)
        if self.field == ALL_SEATS:
            for service, model in zip(data["commercial"], scenario.commercial, strict=True):
                service["seats"] = scaled(model.seats, value)
        else:
            container: Any = data
            for part in self.path[:-1]:
                container = container[part]
            if self.kind == "scale":
                container[self.path[-1]] = scaled(_value_at(scenario, self.path), value)
            elif self.kind == "number":
                container[self.path[-1]] = float(value)
            else:
                container[self.path[-1]] = value
        if self.kind == "scale" and value < 0:
            raise VariationError(f"{self.field}: a scale factor must be ≥ 0 (got {value:g})")
        return _rebuild(data, f"{self.field} = {self.show(value)}")

    def fix(self, scenario: Scenario, value: float) -> Scenario:
        """``scenario`` with this dist field fixed at the plain number ``value``."""
        data = _data(scenario)
        container: Any = data
        for part in self.path[:-1]:
            container = container[part]
        container[self.path[-1]] = float(value)
        return _rebuild(data, f"{self.field} = {value:g}")


def _value_at(scenario: Scenario, path: FieldPath) -> Any:
    value: Any = scenario
    for part in path:
        if isinstance(part, int) or isinstance(value, dict):
            value = value[part]
        else:
            value = getattr(value, _attribute(value, part))
    return value


def _attribute(model: BaseModel, key: str) -> str:
    for name, info in type(model).model_fields.items():
        if key in (name, info.alias):
            return name
    raise KeyError(key)  # pragma: no cover - the path was checked against the annotations


def knob(scenario: Scenario, field: str, direction: Direction | None = None) -> Knob:
    """The knob for ``field`` of ``scenario``; :class:`VariationError` says why not."""
    field = field.strip()
    if direction is not None and direction not in DIRECTIONS:
        raise VariationError(f"direction must be increasing or decreasing (got {direction!r})")
    direction = direction or KNOWN_DIRECTIONS.get(field)
    if field == ALL_SEATS:
        if not scenario.commercial:
            raise VariationError("commercial.seats: the scenario has no airline services")
        return Knob(field, ("commercial",), "scale", 1.0, direction)
    path = parse_field(field)
    if path[0] in _NOT_VARIED:
        raise VariationError(f"{field} is not part of the course of action: it cannot be varied")
    kind = _kind_of(_annotation_at(path, field), field)
    if lookup(_data(scenario), path[:-1]) in (NO_VALUE, None):
        parent = format_path(path[:-1])
        raise VariationError(f"{field}: the scenario has no {parent} to vary")
    try:
        current = _value_at(scenario, path)
    except (IndexError, KeyError):
        raise VariationError(f"{field}: the scenario has no such item") from None
    if current is None:
        if field == "airlift.available_from":
            current = scenario.start  # the contract's default
        else:
            raise VariationError(f"{field} is not set in the scenario: write a value first")
    if kind == "scale":
        current = 1.0
    return Knob(field, path, kind, current, direction)


# --- sensitivity: the uncertain inputs ----------------------------------------

InputKind = Literal["distribution", "probability", "rate", "structural"]


@dataclass(frozen=True)
class UncertainInput:
    """One input ``sensitivity`` fixes at a low and a high value."""

    field: str
    kind: InputKind
    low: Any
    high: Any
    written: Any
    """The value as written (a distribution's mapping, or the number)."""


def _is_probability(path: FieldPath) -> bool:
    return isinstance(path[-1], str) and path[-1].endswith("_probability")


def _is_rate(path: FieldPath) -> bool:
    return "per_30_days" in str(path[-1]) or (len(path) > 1 and "per_30_days" in str(path[-2]))


def _dist_leaves(model: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Every *dist* field of a scenario with its value, in file order."""
    if isinstance(model, BaseModel):
        for name, info in type(model).model_fields.items():
            if not path and name in _NOT_VARIED:
                continue
            key = info.alias or name
            value = getattr(model, name)
            if value is None:
                continue
            if _members(info.annotation) & _DIST_TYPES:
                yield (*path, key), value
            else:
                yield from _dist_leaves(value, (*path, key))
    elif isinstance(model, list):
        for index, item in enumerate(model):
            yield from _dist_leaves(item, (*path, index))
    elif isinstance(model, dict):
        for key, value in model.items():
            if isinstance(value, int | float | BaseModel):  # dist values (closures per month)
                yield (*path, key), value


def uncertain_inputs(scenario: Scenario) -> list[UncertainInput]:
    """What ``sensitivity`` fixes, in file order (see the module docstring)."""
    inputs: list[UncertainInput] = []
    for path, value in _dist_leaves(scenario):
        field = format_path(path)
        top = 1.0 if _is_probability(path) else math.inf
        written = value if isinstance(value, int | float) else value.model_dump(by_alias=True)
        if not is_fixed(value):
            low = min(max(quantile_of(value, LOW_QUANTILE), 0.0), top)
            high = min(max(quantile_of(value, HIGH_QUANTILE), 0.0), top)
            kind: InputKind = "distribution"
        elif (_is_probability(path) or _is_rate(path)) and quantile_of(value, 0.5) > 0:
            fixed = quantile_of(value, 0.5)
            low, high = fixed / 2, min(2 * fixed, top)
            kind = "probability" if _is_probability(path) else "rate"
        else:
            continue
        inputs.append(UncertainInput(field, kind, low, high, written))
    return inputs
