"""Pydantic's validation errors, rewritten for a planner and located in the file.

Pydantic reports ``('airlift', 'leg_hours', 'tagged-union[...]', 'triangular')
value_error``; a planner wants ``scenarios/x.yaml:31: airlift.leg_hours: must have
low ≤ mode ≤ high (got low=3.0, mode=2.0, high=4.0)``. This module

- walks the error location along the scenario's type annotations, so that the
  labels pydantic inserts for union branches are recognised and dropped;
- collapses the noise of a union (a *dist* is a number or a mapping): for a
  mapping only the errors of the matching ``dist`` branch are kept; a value of the
  wrong kind gets one message saying what the field accepts;
- rewords each error type (``must be ≥ 0``, ``unknown field 'tial' (allowed: …)``)
  and finds the line where the field, or its nearest written parent, is.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.scenario.contract import RecordSpan, Scenario
from sim.scenario.distributions import Choice, Exponential, LogNormal, Normal, Triangular, Uniform
from sim.scenario.problems import NO_VALUE, Problem
from sim.scenario.yaml_reader import FieldPath, format_path

DIST_KINDS = ("uniform", "triangular", "normal", "lognormal", "exponential", "choice")
_DIST_MODELS = (Uniform, Triangular, Normal, LogNormal, Exponential, Choice)

# Errors meaning "this is the wrong kind of value" (as opposed to a wrong value).
_WRONG_KIND = {
    "float_type", "int_type", "bool_type", "string_type", "literal_error", "dict_type",
    "list_type", "model_type", "model_attributes_type", "int_from_float",
}  # fmt: skip


# --- walking the type annotations ---------------------------------------------


def _members(annotation: Any) -> list[Any]:
    """The alternatives of an annotation, flattened; ``None`` and ``Annotated`` dropped."""
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return [
            member
            for argument in get_args(annotation)
            if argument is not type(None)
            for member in _members(argument)
        ]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _field_annotations(model: type[BaseModel]) -> dict[str, Any]:
    return {info.alias or name: info.annotation for name, info in model.model_fields.items()}


def allowed_keys(annotation: Any) -> list[str] | None:
    """The keys a mapping of this type may have, or None when any key is allowed."""
    keys: list[str] = []
    for member in _members(annotation):
        if _is_model(member):
            keys += [key for key in _field_annotations(member) if key not in keys]
        elif get_origin(member) is dict:
            key_type = _members(get_args(member)[0])[0]
            if get_origin(key_type) is Literal:
                keys += [str(key) for key in get_args(key_type)]
            else:
                return None
    return keys


def child_type(annotation: Any, part: str | int) -> Any:
    """The type of ``value[part]`` for a value of type ``annotation`` (None if unknown)."""
    for member in _members(annotation):
        if isinstance(part, int) and get_origin(member) is list:
            return get_args(member)[0]
        if isinstance(part, str) and get_origin(member) is dict:
            return get_args(member)[1]
        if isinstance(part, str) and _is_model(member):
            fields = _field_annotations(member)
            if part in fields:
                return fields[part]
    return None


def did_you_mean(word: str, choices: list[str]) -> str:
    import difflib  # here, not at the top: only a misspelt key needs it

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _is_dist_union(members: list[Any]) -> bool:
    return any(member in _DIST_MODELS for member in members)


# --- one error ----------------------------------------------------------------


class _Error:
    """One pydantic error with its location cleaned of union-branch labels."""

    def __init__(self, raw: Any, root: type[BaseModel] = Scenario) -> None:
        self.raw = raw
        self.root = root
        self.type: str = raw["type"]
        self.input: Any = raw.get("input")
        self.ctx: dict[str, Any] = raw.get("ctx") or {}
        self.path: FieldPath = ()
        self.union_at: FieldPath | None = None  # path of the innermost union passed through
        self.union_members: list[Any] = []
        self.branch = ""  # 'mapping', 'list' or 'scalar': the union branch that failed
        self.bad_key = False
        self._walk(raw["loc"])

    def _walk(self, loc: tuple[Any, ...]) -> None:
        annotation: Any = self.root
        path: list[str | int] = []
        index = 0
        while index < len(loc):
            part = loc[index]
            members = _members(annotation) if annotation is not None else []
            if part == "[key]":  # the error is about a mapping's key, not its value
                self.bad_key = True
            elif len(members) > 1 and isinstance(part, str):  # pydantic's label of a branch
                self.union_at, self.union_members = tuple(path), members
                if part.startswith("tagged-union["):
                    tag = loc[index + 1] if index + 1 < len(loc) else None
                    chosen = [m for m in members if _is_model(m) and _dist_tag(m) == tag]
                    annotation = chosen[0] if chosen else None
                    self.branch = "mapping"
                    index += 2
                    continue
                # A plain union's mapping branch is labelled by its model ("RecordSpan",
                # or "function-after[_one_form(), RecordSpan]" when it has a validator).
                label = part.removesuffix("]").rpartition(", ")[2]
                model = next((m for m in members if _is_model(m) and m.__name__ == label), None)
                if model is not None:
                    annotation, self.branch = model, "mapping"
                elif part.startswith("list["):
                    annotation = next((m for m in members if get_origin(m) is list), None)
                    self.branch = "list"
                else:
                    annotation, self.branch = None, "scalar"
                index += 1
                continue
            else:
                path.append(part)
                annotation = child_type(annotation, part) if annotation is not None else None
            index += 1
        self.path = tuple(path)


def _dist_tag(model: Any) -> str | None:
    annotation = _field_annotations(model).get("dist")
    return str(get_args(annotation)[0]) if get_origin(annotation) is Literal else None


def _describe_union(members: list[Any]) -> str:
    if _is_dist_union(members):
        return "must be a number or a {dist: ...} mapping"
    if RecordSpan in members:
        return "must be a number or one of {low: A, high: B}, {at_least: A} or {at_most: B}"
    choices = []
    for member in members:
        if get_origin(member) is Literal:
            choices += [repr(value) for value in get_args(member)]
        elif get_origin(member) is list:
            item = _members(get_args(member)[0])[0]
            values = get_args(item) if get_origin(item) is Literal else ()
            choices.append("a list" + (f" of {', '.join(map(str, values))}" if values else ""))
        else:
            choices.append(getattr(member, "__name__", str(member)))
    return "must be " + " or ".join(choices)


def _literal_choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _reword(error: _Error) -> tuple[str, bool]:
    """The planner's message, and whether to append ``(got VALUE)``."""
    kind, ctx, key = error.type, error.ctx, error.path[-1] if error.path else ""
    if kind == "missing":
        return "required field is missing", False
    if kind == "extra_forbidden":
        parent = error.root if len(error.path) == 1 else _type_at(error.path[:-1], error.root)
        allowed = allowed_keys(parent) or []
        hint = did_you_mean(str(key), allowed)
        return f"unknown field {key!r} (allowed: {', '.join(allowed)}){hint}", False
    if kind == "literal_error" and error.bad_key:
        allowed = _literal_choices(str(ctx.get("expected", ""))).split(", ")
        return f"unknown key {key!r} (allowed: {', '.join(allowed)})" + did_you_mean(
            str(key), allowed
        ), False
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        return f"unknown dist {tag!r} (allowed: {', '.join(DIST_KINDS)})", False
    if kind == "union_tag_not_found":
        return "a distribution needs a dist key (dist: " + ", ".join(DIST_KINDS) + ")", False
    simple = {
        "int_type": "must be an integer",
        "int_from_float": "must be an integer",
        "float_type": "must be a number",
        "bool_type": "must be true or false",
        "string_type": "must be a string",
        "finite_number": "must be a finite number",
        "dict_type": "must be a mapping",
        "model_type": "must be a mapping",
        "model_attributes_type": "must be a mapping",
        "list_type": "must be a list",
    }
    if kind in simple:
        return simple[kind], True
    bounds = {
        "greater_than_equal": ("≥", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("≤", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        sign, name = bounds[kind]
        limit = ctx.get(name)
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        return f"must be {sign} {shown}", True
    if kind == "literal_error":
        choices = _literal_choices(str(ctx.get("expected", "")))
        return (f"must be one of: {choices}" if ", " in choices else f"must be {choices}"), True
    if kind in ("too_long", "too_short", "string_too_long", "string_too_short"):
        many = "at most" if kind.endswith("long") else "at least"
        limit = ctx.get("max_length" if kind.endswith("long") else "min_length")
        if kind.startswith("string") and limit == 1 and many == "at least":
            return "must not be empty", True
        unit = "characters" if kind.startswith("string") else "items"
        return f"must have {many} {limit} {unit}", kind.startswith("string")
    if kind == "string_pattern_mismatch" and key == "departs":
        return 'must be a time of day "HH:MM" between 00:00 and 23:59', True
    message = str(error.raw["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message[:1].lower() + message[1:], "(got" not in message


def _type_at(path: FieldPath, root: type[BaseModel] = Scenario) -> Any:
    annotation: Any = root
    for part in path:
        annotation = child_type(annotation, part)
    return annotation


def lookup(data: Any, path: FieldPath) -> Any:
    """The value at ``path`` in plain data, or ``NO_VALUE`` when there is none."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
            continue
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        return NO_VALUE
    return data


Finding = tuple[FieldPath, str, Any]


def _findings(errors: list[_Error], data: Any) -> list[Finding]:
    """Reworded errors, each union collapsed to what the written value was meant to be."""
    findings: list[Finding] = []
    groups: dict[FieldPath, list[_Error]] = {}
    for error in errors:
        if error.union_at is None:
            findings.append(_finding(error))
        else:
            groups.setdefault(error.union_at, []).append(error)
    for union_at, group in groups.items():
        value = lookup(data, union_at)
        if isinstance(value, dict):
            branch = "mapping"
        else:
            branch = "list" if isinstance(value, list) else "scalar"
        chosen = [error for error in group if error.branch == branch]
        if all(error.type in _WRONG_KIND and error.path == union_at for error in chosen):
            findings.append((union_at, _describe_union(group[0].union_members), value))
        else:
            findings.extend(_finding(error) for error in chosen)
    return findings


def _finding(error: _Error) -> Finding:
    message, show = _reword(error)
    return error.path, message, error.input if show else NO_VALUE


def problems_from_validation(
    error: ValidationError,
    data: Any,
    where: dict[FieldPath, tuple[str, int | None]],
    source: str,
    root: type[BaseModel] = Scenario,
) -> list[tuple[Problem, FieldPath]]:
    """Every validation error as a located :class:`Problem` (with its path), in file order.

    ``root``: the model validated (a scenario unless said otherwise; a status file's too).
    """
    located: list[tuple[Problem, FieldPath]] = []
    seen: set[tuple[str | None, int | None, str, str, str]] = set()  # linear, not pairwise
    for path, message, value in _findings(
        [_Error(raw, root) for raw in error.errors(include_url=False)], data
    ):
        # A missing field is not written anywhere: point at its nearest written parent.
        file, line = next(
            (where[path[:size]] for size in range(len(path), 0, -1) if path[:size] in where),
            (source, None),
        )
        problem = Problem(file, line, format_path(path), message, value)
        key = (file, line, problem.field, message, repr(value))
        if key not in seen:
            seen.add(key)
            located.append((problem, path))
    located.sort(key=lambda pair: (pair[0].file != source, pair[0].file or "", pair[0].line or 0))
    return located
