"""Overrides of scenario fields: ``--set KEY=VALUE`` strings, or a Python mapping.

From the command line an override is text, ``airlift.tails=4``, whose value is
read as YAML. From Python it is a mapping, ``{"airlift.tails": 4,
"clearance.lead_days": {"dist": "uniform", "low": 1, "high": 3}}``, whose values
are Python values: a string is a string, never YAML to be parsed. Either way the
value goes through the same reader and validation as a file
(:mod:`sim.scenario.reading`), so the messages are the same; only the place they
name differs (``--set airlift.tails=-2`` or ``overrides['airlift.tails']``).

A Python value is written out as the YAML text that reads back as exactly that
value (strings quoted, dates in ISO 8601), so nothing is converted silently: a
``True`` where a number belongs is refused as it would be in a file.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.scenario.problems import Problem, ScenarioError


@dataclass(frozen=True, slots=True)
class Setting:
    """One override: ``KEY=TEXT`` (the value as YAML text) and how messages name it."""

    item: str
    source: str


Overrides = Mapping[str, Any] | Sequence[str | Setting]
"""``{"airlift.tails": 4}``, or ``["airlift.tails=4"]`` as on the command line."""


def yaml_text(value: Any, key: str) -> str:
    """The YAML flow text that reads back as ``value`` (raises ScenarioError when none does)."""
    import json  # here, not at the top: validate reads no Python overrides

    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ".nan"
        if math.isinf(number):
            return ".inf" if number > 0 else "-.inf"
        return repr(number)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        entries = (
            f"{json.dumps(str(name), ensure_ascii=False)}: {yaml_text(item, key)}"
            for name, item in value.items()
        )
        return "{" + ", ".join(entries) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_text(item, key) for item in value) + "]"
    raise ScenarioError(
        [
            Problem(
                f"overrides[{key!r}]",
                None,
                "",
                f"a {type(value).__name__} cannot be a scenario value "
                "(use numbers, text, true/false, dates, lists and mappings)",
            )
        ]
    )


def setting(key: str, value: Any) -> Setting:
    """The override of ``key`` by the Python value ``value``."""
    return Setting(f"{key}={yaml_text(value, key)}", f"overrides[{key!r}]")


def settings(overrides: Overrides) -> list[Setting]:
    """Every override, in order, as a :class:`Setting`.

    Raises :class:`TypeError` for a bare string (a common slip for a list of one).
    """
    if isinstance(overrides, str):
        raise TypeError(
            f"overrides is a mapping such as {{'airlift.tails': 4}} or a list of "
            f"'KEY=VALUE' strings, not one string (got {overrides!r})"
        )
    if isinstance(overrides, Mapping):
        return [setting(str(key), value) for key, value in overrides.items()]
    return [
        item if isinstance(item, Setting) else Setting(item, f"--set {item}") for item in overrides
    ]
