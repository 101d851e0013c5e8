"""Problems found in a scenario, located for a planner to fix.

A :class:`Problem` names the file, the line, the field (a dotted path such as
``airlift.tails`` or ``personnel[2].count``), what is wrong and the offending
value, and prints as one line an editor can jump to::

    scenarios/x.yaml:14: airlift.tails: must be ≥ 0 (got -2)

:class:`ScenarioError` carries *all* problems found, so that one run of
``drawdown validate`` lists everything to fix, not just the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final


class _NoValue:
    """Marks a problem that has no offending value worth showing."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()


class Verbatim(str):
    """A value shown exactly as written in the file (a number too large to read)."""

    __slots__ = ()


# Long values (a whole mapping, a 5 MB string) are cut so that a message stays one line.
_MAX_VALUE_CHARS = 60


def show_value(value: Any) -> str:
    """A value written the way it would appear in YAML, shortened to one line."""
    if isinstance(value, Verbatim):
        text = str(value)
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        text = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    elif (isinstance(value, float) and value.is_integer() and abs(value) < 1e16) or isinstance(
        value, str | int | float
    ):
        text = repr(value)
    elif isinstance(value, dict):
        inner = ", ".join(f"{key}: {show_value(item)}" for key, item in value.items())
        text = "{" + inner + "}"
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(show_value(item) for item in value) + "]"
    else:
        text = str(value)
    text = " ".join(text.split())
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, with where it is."""

    file: str | None
    line: int | None
    field: str
    message: str
    value: Any = NO_VALUE

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        message = self.message
        if self.value is not NO_VALUE:
            message = f"{message} (got {show_value(self.value)})"
        parts.append(message)
        return ": ".join(parts)


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("a ScenarioError needs at least one problem")
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)
