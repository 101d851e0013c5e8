"""Frozen dataclasses that cross process boundaries, compiled or not.

A class compiled by mypyc unpickles by setting its fields one by one, which a
frozen dataclass refuses (``FrozenInstanceError``). :func:`by_init` gives such
classes a ``__reduce__`` that rebuilds them through their constructor, as a
dataclass is built anyway: the same values in both builds (``sim/native.py``).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def _rebuild_by_init(self: Any) -> tuple[Any, ...]:
    fields = dataclasses.fields(self)
    assert all(field.init for field in fields), "every field must be a constructor argument"
    return (type(self), tuple(getattr(self, field.name) for field in fields))


def by_init(*classes: type) -> None:
    """Pickle instances of ``classes`` as a call of the class with their fields."""
    for cls in classes:
        cls.__reduce__ = _rebuild_by_init  # type: ignore[method-assign,assignment]
