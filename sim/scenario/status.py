"""Where the drawdown stands today: a status file, read and checked against its scenario.

A planner in the middle of the drawdown knows what has left and what the
aircraft are doing. A status file says so, as of one moment (``as_of``):

- people already out per cohort and cargo units already out per line (by name);
- per tail (optional), where it is — ``offload_station`` (turning around there
  until ``until``), ``inbound`` (in the air toward Base 101, landing at
  ``until``), ``base_101`` (on the ground at Base 101, loading until
  ``until``) or ``outbound`` (in the air flying back from Base 101, arriving
  at the offload station at ``until``, where it asks for its next clearance
  and turns around) — and, at the offload station, its clearance: an
  ``approval`` (``granted``, optionally ``valid_until``) or a request already
  filed (``requested``);
- a political suspension or an airfield closure in effect (``until``).

A forecast from a status starts every replication at ``as_of``: what is listed
is out (recorded as out at ``as_of``), nothing happens before ``as_of``, and
the clock still counts from the scenario's ``start``. See
docs/scenario-reference.md, "Status files".

Read with the project's strict YAML reader and validated by a frozen, strict
model (unknown keys are errors), with the same located, planner-worded
problems as scenario files; the checks against the scenario (names, counts,
dates, tails) come after, each at the line where the value was written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from sim.scenario.contract import DateTime, Model, Name, Scenario, Text
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.reading import _parse_mapping, _read_text
from sim.scenario.validation import problems_from_validation
from sim.scenario.yaml_reader import FieldPath, format_path

Where = Literal["offload_station", "inbound", "base_101", "outbound"]
WHERE_MEANING = {
    "offload_station": "turning around at the offload station until `until`",
    "inbound": "in the air toward Base 101, landing at `until`",
    "base_101": "on the ground at Base 101, loading until `until`",
    "outbound": "in the air flying back from Base 101, arriving at the offload station at "
    "`until` (it then asks for its next clearance and turns around)",
}


class Approval(Model):
    granted: DateTime
    valid_until: DateTime | None = None


class Block(Model):
    until: DateTime


class TailStatus(Model):
    tail: Annotated[int, Field(ge=1, le=10_000)]
    """The tail's number, 1 for the first (as in the trace: ``C-17A #1``)."""
    at: Where = "offload_station"
    until: DateTime | None = None
    approval: Approval | None = None
    requested: DateTime | None = None


Count = Annotated[int, Field(ge=0, le=10_000_000)]


class Status(Model):
    """Where the drawdown stands at ``as_of`` (validated alone; see :func:`check_status`)."""

    as_of: DateTime
    note: Text | None = None
    personnel_out: dict[Name, Count] = Field(default_factory=dict)
    cargo_out: dict[Name, Count] = Field(default_factory=dict)
    tails: list[TailStatus] = Field(default_factory=list)
    suspension: Block | None = None
    closure: Block | None = None


_DESCRIPTIONS = {
    "as_of": "The moment this status describes, local Niamey time (e.g. 2024-06-07T12:00).",
    "note": "Where the numbers come from, for people.",
    "personnel_out": "People already out, per cohort name of the scenario.",
    "cargo_out": "Cargo units already out, per cargo line name of the scenario.",
    "tails": "Per tail (optional): where it is, when its current step ends, its clearance.",
    "suspension": "A political suspension in effect at as_of, and when it ends.",
    "closure": "An airfield closure (weather) in effect at as_of, and when it ends.",
}


def status_json_schema() -> dict[str, Any]:
    """The JSON Schema of status files, for editors (``drawdown schema --status``)."""
    schema = Status.model_json_schema(by_alias=True)
    for key, description in _DESCRIPTIONS.items():
        schema["properties"][key]["description"] = description
    schema["$defs"]["TailStatus"]["properties"]["at"]["description"] = "Where the tail is: " + (
        "; ".join(f"{where}: {meaning}" for where, meaning in WHERE_MEANING.items())
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "drawdown-sim status",
        "description": "Where a drawdown stands at one moment, to forecast the rest from. "
        "See docs/scenario-reference.md, Status files.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


StatusLike = Status | str | os.PathLike[str]


@dataclasses.dataclass(frozen=True, slots=True)
class LoadedStatus:
    """A status checked against the scenario it forecasts, and the file it came from."""

    status: Status
    source: str | None


def load_status_for(status: StatusLike, scenario: Scenario) -> LoadedStatus:
    """``status`` (an object or a file's path) checked against ``scenario``.

    A :class:`Status` object is checked too: :class:`ScenarioError` lists every problem.
    """
    if isinstance(status, Status):
        problems = check_status(status, scenario, "status", {})
        if problems:
            raise ScenarioError(problems)
        return LoadedStatus(status, None)
    return LoadedStatus(load_status(status, scenario), os.fspath(status))


def load_status(path: str | os.PathLike[str], scenario: Scenario) -> Status:
    """A status file checked against ``scenario``; ScenarioError lists every problem."""
    source = os.fspath(path)
    return load_status_text(_read_text(Path(source), source), scenario, source)


def load_status_text(text: str, scenario: Scenario, source: str = "<string>") -> Status:
    raw = _parse_mapping(text, source)
    problems = list(raw.problems)
    try:
        status = Status.model_validate(raw.data)
    except ValidationError as error:
        located = problems_from_validation(error, raw.data, raw.where, source, root=Status)
        problems += [
            problem
            for problem, path in located
            if not any(path[: len(refused)] == refused for refused in raw.refused)
        ]
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0)) from None
    lines = {path: line for path, (_, line) in raw.where.items()}
    problems += check_status(status, scenario, source, lines)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    return status


def check_status(
    status: Status, scenario: Scenario, source: str, lines: dict[FieldPath, int | None]
) -> list[Problem]:
    """What in ``status`` cannot be true of ``scenario``, each problem at its line."""
    problems: list[Problem] = []

    def problem(path: FieldPath, message: str, value: Any) -> None:
        line = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), None)
        problems.append(Problem(source, line, format_path(path), message, value))

    as_of, start, horizon = status.as_of, scenario.start, scenario.horizon_end
    if as_of < start:
        problem(("as_of",), f"must not be before the scenario's start {_iso(start)}", _iso(as_of))
    elif as_of >= horizon:
        problem(("as_of",), f"must be before the horizon's end {_iso(horizon)}", _iso(as_of))
    _check_out(problem, "personnel_out", status.personnel_out, scenario.personnel, "people")
    _check_out(problem, "cargo_out", status.cargo_out, scenario.cargo, "units")
    _check_tails(problem, status, scenario)
    for key in ("suspension", "closure"):
        block: Block | None = getattr(status, key)
        if block is not None and block.until <= as_of:
            problem(
                (key, "until"),
                "must be after as_of (a block that has ended is no status)",
                _iso(block.until),
            )
    return problems


def _no_clearance_here(at: str) -> str:
    """Why a tail away from the offload station has no clearance to state."""
    if at == "outbound":
        return (
            "a tail flying back asks for its next clearance when it arrives at the offload "
            "station (at until): leave this out"
        )
    return f"only a tail at the offload station waits for a clearance (this one is {at})"


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _check_out(problem: Any, key: str, out: dict[str, int], items: Any, unit: str) -> None:
    counts = {item.name: item.count for item in items}
    for name, count in out.items():
        if name not in counts:
            known = ", ".join(repr(known) for known in counts)
            what = "cohort" if key == "personnel_out" else "cargo line"
            problem((key, name), f"no {what} of this name in the scenario (known: {known})", name)
        elif count > counts[name]:
            problem((key, name), f"more {unit} out than the scenario has ({counts[name]})", count)


def _check_tails(problem: Any, status: Status, scenario: Scenario) -> None:
    tails = 0 if scenario.airlift is None else scenario.airlift.tails
    first: dict[int, int] = {}
    on_ground = 0
    for index, tail in enumerate(status.tails):
        path: FieldPath = ("tails", index)
        if tail.tail > tails:
            problem((*path, "tail"), f"the scenario has {tails} tails (numbered from 1)", tail.tail)
        if tail.tail in first:
            problem(
                (*path, "tail"),
                f"a tail in two places (also tails[{first[tail.tail]}])",
                tail.tail,
            )
        first.setdefault(tail.tail, index)
        if tail.at != "offload_station" and tail.until is None:
            problem((*path, "until"), f"required when at is {tail.at}", None)
        if tail.until is not None and tail.until < status.as_of:
            problem((*path, "until"), "must not be before as_of", _iso(tail.until))
        if tail.approval is not None and tail.requested is not None:
            problem(
                (*path, "requested"),
                "a tail has an approval or a request pending, not both",
                _iso(tail.requested),
            )
        if tail.requested is not None and tail.requested > status.as_of:
            problem((*path, "requested"), "must not be after as_of", _iso(tail.requested))
        if tail.at != "offload_station" and (tail.approval or tail.requested):
            key = "approval" if tail.approval is not None else "requested"
            problem((*path, key), _no_clearance_here(tail.at), None)
        approval = tail.approval
        if approval is not None:
            if approval.granted > status.as_of:
                problem(
                    (*path, "approval", "granted"),
                    "must not be after as_of",
                    _iso(approval.granted),
                )
            if approval.valid_until is not None and approval.valid_until <= status.as_of:
                problem(
                    (*path, "approval", "valid_until"),
                    "has lapsed by as_of (leave the approval out)",
                    _iso(approval.valid_until),
                )
        on_ground += tail.at == "base_101"
    if on_ground > scenario.base.parking:
        problem(
            ("tails",),
            f"more tails on the ground at Base 101 than parking spots ({scenario.base.parking})",
            on_ground,
        )
