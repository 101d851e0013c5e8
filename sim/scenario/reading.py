"""Loading scenario files: strict YAML, ``extends``, ``--set`` overrides, located problems.

The steps, each of which may add problems (all are reported together):

1. read the file (size, encoding, binary data) and parse it with
   :mod:`sim.scenario.yaml_reader`, which records the line of every value;
2. resolve ``extends``: the base file (relative to this one) is loaded the same
   way; mappings merge key by key, lists, scalars and mappings that name a
   ``dist`` replace. The keys in
   :data:`NOT_INHERITED` are never taken from a base;
3. apply overrides: ``--set KEY=VALUE`` strings (the value is YAML, read as
   strictly) or a Python mapping (:mod:`sim.scenario.overrides`);
4. default ``name`` to the file's stem and validate with the pydantic models in
   :mod:`sim.scenario.contract`; their errors are turned into planner-readable messages at
   the file and line where the field was written.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.contract import Scenario
from sim.scenario.overrides import Overrides, settings
from sim.scenario.problems import Problem, ScenarioError
from sim.scenario.validation import (
    allowed_keys,
    child_type,
    did_you_mean,
    lookup,
    problems_from_validation,
)
from sim.scenario.yaml_reader import MAX_FILE_BYTES, FieldPath, format_path, parse_yaml

# A base's name, title and description describe the base, not the overlay, and its
# expectations rarely hold for a variant: these are never inherited through extends.
NOT_INHERITED = ("name", "title", "description", "expect")

Location = tuple[str, int | None]

MAX_EXTENDS_DEPTH = 32
"""Files in one ``extends`` chain at most (a longer chain is a mistake or an attack)."""
SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Raw:
    """A scenario mapping before validation, with where each value was written."""

    data: dict[str, Any]
    where: dict[FieldPath, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    refused: list[FieldPath] = field(default_factory=list)


# --- reading and parsing ------------------------------------------------------


def _file_problem(source: str, message: str, line: int | None = None) -> ScenarioError:
    return ScenarioError([Problem(source, line, "", message)])


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a scenario file (looked at before opening), or None.

    A FIFO would block the reader forever and ``/dev/zero`` never ends: only a
    regular file (or a link to one) is opened.
    """
    try:
        status = path.stat()  # follows symbolic links
    except FileNotFoundError:
        return "is a broken symbolic link" if path.is_symlink() else "does not exist"
    except ValueError:  # os.stat's complaint about an embedded NUL byte
        return "is not a usable path: it contains a NUL byte"
    except OSError as error:
        reasons = {
            errno.ELOOP: "is a symlink loop",
            errno.ENAMETOOLONG: "has a name too long for the file system",
            errno.ENOTDIR: "does not exist (a part of its path is not a folder)",
        }
        return reasons.get(error.errno or 0, f"cannot be read ({error.strerror})")
    if stat.S_ISDIR(status.st_mode):
        return "is a directory, not a scenario file"
    if not stat.S_ISREG(status.st_mode):
        return "is not a regular file"
    return None


def _read_bytes(path: Path) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes; opened without blocking, then checked again."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # swapped since it was looked at
            raise OSError(errno.EINVAL, "is not a regular file")
        return stream.read(MAX_FILE_BYTES + 1)


def _read_text(path: Path, source: str) -> str:
    reason = _unreadable(path)
    if reason is not None:
        raise _file_problem(source, "file does not exist" if reason == "does not exist" else reason)
    try:
        data = _read_bytes(path)
    except OSError as error:
        raise _file_problem(source, f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _file_problem(source, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"\0" in data:
        raise _file_problem(source, "is not a text file (it contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _file_problem(source, "is not UTF-8 text", line) from None


def _parse_mapping(text: str, source: str) -> _Raw:
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise _file_problem(source, f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    document = parse_yaml(text, source)
    if document.value is None and not document.problems:
        raise _file_problem(source, "is empty (a scenario is a YAML mapping of keys)")
    if not isinstance(document.value, dict):
        kind = "a list" if isinstance(document.value, list) else "a single value"
        raise _file_problem(source, f"must be a mapping of keys at the top level, not {kind}", 1)
    where: dict[FieldPath, Location] = {
        path: (source, line) for path, line in document.lines.items()
    }
    return _Raw(document.value, where, list(document.problems), list(document.refused))


# --- extends ------------------------------------------------------------------


def _merges_into(base: Any, overlay: Any) -> bool:
    """Whether ``overlay`` merges key by key into ``base`` rather than replacing it.

    A mapping that names its ``dist`` is one whole distribution: it replaces the
    base's, so switching ``triangular`` to ``uniform`` does not drag the base's
    ``mode`` along. A mapping without ``dist`` still adjusts the base's
    parameters (``leg_hours: {high: 8}``).
    """
    return isinstance(base, dict) and isinstance(overlay, dict) and "dist" not in overlay


def _merge(base: Any, overlay: Any) -> Any:
    """Mappings merge key by key; lists, scalars and whole distributions replace."""
    if _merges_into(base, overlay):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return overlay


def _merge_where(base: _Raw, overlay: _Raw) -> dict[FieldPath, Location]:
    """Where each merged value was written: a replaced value forgets the base's parts."""
    where = dict(base.where)
    for path in overlay.where:
        if not _merges_into(lookup(base.data, path), lookup(overlay.data, path)):
            where = {old: at for old, at in where.items() if old[: len(path)] != path}
    where.update(overlay.where)
    return where


@dataclass(frozen=True)
class _Reach:
    """Where ``extends`` may read: the top scenario's folder tree and the folders allowed."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, directory: Path, allowed: Sequence[str | os.PathLike[str]]) -> _Reach:
        return cls(tuple(Path(os.path.realpath(root)) for root in (directory, *allowed)))

    def contains(self, path: Path) -> bool:
        return any(path.is_relative_to(root) for root in self.roots)


def _resolve_file(
    path: Path, source: str, chain: tuple[tuple[Path, str], ...], reach: _Reach
) -> _Raw:
    raw = _parse_mapping(_read_text(path, source), source)
    if "schema_version" not in raw.data and "extends" not in raw.data:
        # Not a scenario (a configuration file, a password file): show none of its content.
        message = "is not a scenario file (it has neither schema_version nor extends)"
        raise _file_problem(source, message)
    return _apply_extends(raw, path.parent, source, (*chain, (path.resolve(), source)), reach)


def _base_problem(target: str, base_path: Path, reach: _Reach) -> str | None:
    """Why ``extends: target`` may not be read, or None."""
    try:
        resolved = Path(os.path.realpath(base_path))
    except ValueError:  # an embedded NUL byte
        return "base scenario is not a usable path: it contains a NUL byte"
    except OSError as error:
        return f"base scenario cannot be read ({error.strerror})"
    if not reach.contains(resolved):
        return (
            "base scenario is outside the top scenario's folder; "
            "allow its folder with --allow-extends-from DIR"
        )
    if resolved.suffix.lower() not in SCENARIO_SUFFIXES:
        return "base scenario must be a .yaml or .yml file"
    reason = _unreadable(base_path)
    return None if reason is None else f"base scenario {reason}"


def _apply_extends(
    raw: _Raw, directory: Path, source: str, chain: tuple[tuple[Path, str], ...], reach: _Reach
) -> _Raw:
    target = raw.data.get("extends")
    if target is None:
        return raw
    file, line = raw.where.get(("extends",), (source, None))
    if not isinstance(target, str) or not target:
        raw.problems.append(Problem(file, line, "extends", "must be a file path", target))
        return raw
    if len(chain) > MAX_EXTENDS_DEPTH:
        message = f"extends chain is longer than {MAX_EXTENDS_DEPTH} files"
        raise ScenarioError([Problem(file, line, "extends", message)])
    base_path = directory / target
    base_source = os.path.normpath(os.path.join(os.path.dirname(source), target))
    reason = _base_problem(target, base_path, reach)
    if reason is not None:
        raise ScenarioError([Problem(file, line, "extends", reason, target)])
    if base_path.resolve() in [seen for seen, _ in chain]:
        cycle = " → ".join([name for _, name in chain] + [base_source])
        raise ScenarioError([Problem(file, line, "extends", f"extends cycle: {cycle}")])
    base = _resolve_file(base_path, base_source, chain, reach)
    for key in NOT_INHERITED:
        base.data.pop(key, None)
        base.where = {path: at for path, at in base.where.items() if path[:1] != (key,)}
    merged = _Raw(_merge(base.data, raw.data), _merge_where(base, raw))
    merged.problems = base.problems + raw.problems
    merged.refused = base.refused + raw.refused
    return merged


def base_file(path: str | os.PathLike[str]) -> Path:
    """The file at the root of a scenario's ``extends`` chain (the file itself when none).

    What :func:`sim.compare` checks: overlays of one base differ only by what they
    change; scenarios with different roots also differ by everything their bases do.
    The file must have loaded (its chain is known to be sound).
    """
    current = Path(path).resolve()
    for _ in range(64):
        target = _parse_mapping(_read_text(current, str(current)), str(current)).data.get("extends")
        if not isinstance(target, str) or not target:
            return current
        current = (current.parent / target).resolve()
    return current  # pragma: no cover - loading refuses cycles before this is asked


# --- overrides ----------------------------------------------------------------


def _parse_key_path(key: str) -> FieldPath | None:
    """``personnel[0].count`` → ``("personnel", 0, "count")``; None when malformed."""
    path: list[str | int] = []
    for dotted in key.split("."):
        name, _, rest = dotted.partition("[")
        if not name.isidentifier():
            return None
        path.append(name)
        while rest:
            index, close, rest = rest.partition("]")
            if not close or not index.isdigit() or (rest and not rest.startswith("[")):
                return None
            path.append(int(index))
            rest = rest[1:]
    return tuple(path)


def _apply_override(raw: _Raw, item: str, source: str) -> None:
    key, equals, text = item.partition("=")
    path = _parse_key_path(key.strip()) if equals else None
    if path is None:
        raise _file_problem(
            source, "must be KEY=VALUE, e.g. airlift.tails=4 or personnel[0].count=10"
        )
    if path[0] == "extends":
        raise _file_problem(
            source, "extends cannot be set with --set (bases are merged before overrides)"
        )
    annotation: Any = Scenario
    for part in path:
        if isinstance(part, str):
            allowed = allowed_keys(annotation)
            if allowed is not None and part not in allowed:
                message = f"unknown field {part!r} (allowed: {', '.join(allowed)})"
                raise _file_problem(source, message + did_you_mean(part, allowed))
        annotation = child_type(annotation, part)
    try:
        document = parse_yaml(text, source)
    except ScenarioError as error:  # one-line values: a line number would only confuse
        raise ScenarioError([replace(problem, line=None) for problem in error.problems]) from None
    if document.problems:
        raise ScenarioError([replace(problem, line=None) for problem in document.problems])
    container: Any = raw.data
    for index, part in enumerate(path[:-1]):
        following = path[index + 1]
        if isinstance(part, str):
            if part not in container or container[part] is None:
                container[part] = {} if isinstance(following, str) else []
            container = container[part]
        else:
            if not 0 <= part < len(container):
                message = f"no item [{part}] ({format_path(path[:index])} has {len(container)})"
                raise _file_problem(source, message)
            container = container[part]
        wanted = dict if isinstance(following, str) else list
        if not isinstance(container, wanted):
            kind = "mapping" if wanted is dict else "list"
            message = f"{format_path(path[: index + 1])} is not a {kind}"
            raise _file_problem(source, message, None)
    last = path[-1]
    if isinstance(last, int) and not 0 <= last < len(container):
        message = f"no item [{last}] ({format_path(path[:-1])} has {len(container)})"
        raise _file_problem(source, message)
    container[last] = document.value
    raw.where = {at: loc for at, loc in raw.where.items() if at[: len(path)] != path}
    raw.where[path] = (source, None)
    for sub_path in document.lines:
        raw.where[(*path, *sub_path)] = (source, None)


# --- public API ---------------------------------------------------------------


def _finish(raw: _Raw, source: str, stem: str | None) -> Scenario:
    if "name" not in raw.data and stem:
        raw.data["name"] = stem
    problems = list(raw.problems)
    try:
        scenario = Scenario.model_validate(raw.data)
    except ValidationError as error:
        for problem, path in problems_from_validation(error, raw.data, raw.where, source):
            # A value the YAML reader refused is null now: saying so again is noise.
            if not any(path[: len(refused)] == refused for refused in raw.refused):
                problems.append(problem)
    else:
        if not problems:
            return scenario
    # File order (a base's problems after the file's own) reads best in an editor.
    problems.sort(key=lambda item: (item.file != source, item.file or "", item.line or 0))
    raise ScenarioError(problems)


def _resolve(
    text: str,
    source: str,
    directory: Path,
    overrides: Overrides,
    allow_extends_from: Sequence[str | os.PathLike[str]],
) -> _Raw:
    reach = _Reach.of(directory, allow_extends_from)
    try:
        top = Path(source).resolve()
    except (OSError, ValueError):
        top = Path(source)
    raw = _apply_extends(_parse_mapping(text, source), directory, source, ((top, source),), reach)
    problems: list[Problem] = []
    for setting in settings(overrides):
        try:
            _apply_override(raw, setting.item, setting.source)
        except ScenarioError as error:  # report every bad --set, not just the first
            problems.extend(error.problems)
    if problems:
        raise ScenarioError(problems)
    return raw


def resolve(
    path: str | os.PathLike[str],
    overrides: Overrides = (),
    *,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> dict[str, Any]:
    """The scenario mapping after ``extends`` and overrides, before defaults and validation."""
    source = os.fspath(path)
    text = _read_text(Path(source), source)
    return _resolve(text, source, Path(source).parent, overrides, allow_extends_from).data


def load_scenario(
    path: str | os.PathLike[str],
    overrides: Overrides = (),
    *,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> Scenario:
    """Load and validate a scenario file; raises :class:`ScenarioError` with every problem.

    ``overrides``: ``{"airlift.tails": 4}`` (Python values) or ``["airlift.tails=4"]``
    (``--set`` strings), applied after ``extends`` and validated like the file.
    ``extends`` may read only ``.yaml``/``.yml`` files in the folder tree of
    ``path`` and of the folders in ``allow_extends_from``.
    """
    source = os.fspath(path)
    text = _read_text(Path(source), source)
    raw = _resolve(text, source, Path(source).parent, overrides, allow_extends_from)
    return _finish(raw, source, Path(source).stem)


def load_scenario_text(
    text: str,
    source: str = "<string>",
    overrides: Overrides = (),
    *,
    allow_extends_from: Sequence[str | os.PathLike[str]] = (),
) -> Scenario:
    """Load a scenario from YAML text; ``extends`` is relative to the current directory.

    ``name`` defaults to the stem of ``source`` when ``source`` looks like a file name.
    ``extends`` may read the current directory's tree and ``allow_extends_from``.
    """
    raw = _resolve(text, source, Path.cwd(), overrides, allow_extends_from)
    stem = None if source.startswith("<") else Path(source).stem
    return _finish(raw, source, stem)


def explain(scenario: Scenario) -> str:
    """The scenario exactly as it will run (after extends and defaults), as YAML.

    ``extends`` is left out: its base is already merged in, and loading the output
    again must not apply it twice.
    """
    data = scenario.model_dump(mode="json", by_alias=True)
    data.pop("extends", None)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the canonical JSON of the resolved scenario (provenance of a result)."""
    import hashlib  # here, not at the top: validate never needs them
    import json

    data = scenario.model_dump(mode="json", by_alias=True)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# Shown by editors on hover; the full meaning is in docs/scenario-reference.md.
_DESCRIPTIONS = {
    "schema_version": "Scenario format version: 1.",
    "name": "Short identifier; defaults to the file's stem.",
    "title": "Title for people.",
    "description": "Description for people.",
    "extends": "Base scenario (path relative to this file); mappings merge key by key, "
    "lists, scalars and mappings that name a dist replace. name, title, description and "
    "expect are not inherited.",
    "start": "Clock zero of the simulation, local Niamey time (e.g. 2024-05-20T00:00).",
    "deadline": "Everything must be out by the end of this day (e.g. 2024-09-15).",
    "milestones": "Interim checks: fraction of personnel / cargo out by the end of a day.",
    "base": "The departure airfield (Air Base 101).",
    "personnel": "Cohorts of people to move.",
    "cargo": "Lines of equipment to move.",
    "airlift": "The military aircraft (C-17) cycling between Base 101 and the offload station.",
    "clearance": "The host nation's landing clearances for military aircraft.",
    "commercial": "Scheduled airline departures usable by personnel.",
    "weather": "Airfield closures.",
    "policy": "Loading rules.",
    "simulation": "Replications, seed and horizon.",
    "expect": "Regression expectations that `drawdown check` verifies.",
    "observed": "Points of the historical record, for calibration and plots.",
    "fitted": "Values chosen after seeing the record, with the planner's value for each.",
}


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files, for editors (``drawdown schema``)."""
    schema = Scenario.model_json_schema(by_alias=True)
    for key, description in _DESCRIPTIONS.items():
        schema["properties"][key]["description"] = description
    # `name` defaults to the file's stem, so an editor must not demand it.
    schema["required"] = [key for key in schema.get("required", []) if key != "name"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "drawdown-sim scenario",
        "description": "One course of action for the drawdown from Air Base 101 "
        "(scenario format version 1). See docs/scenario-reference.md.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }
