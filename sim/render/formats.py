"""How every renderer writes an instant, and the one mark for a value that does not exist.

Instants are naive date-times in local Niamey time (see :mod:`sim.answers.score`);
they are written in one of four styles of the same formatter:

- ``iso``: ``2024-07-14T18:30`` (JSON and CSV),
- ``plain``: ``2024-07-14 18:30`` (terminal tables and traces),
- ``long``: ``Sun 14 Jul 2024 18:30`` and ``short``: ``14 Jul 18:30`` (the HTML report).

An instant that never came (a percentile of unfinished replications) reads
``unfinished``; any other missing value is :data:`MISSING`, in text and HTML
alike (JSON writes ``null``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

MISSING: Final = "—"
"""A value that does not exist (an em dash; ranges use the en dash: ``12–15 %``)."""

UNFINISHED: Final = "unfinished"

Style = Literal["iso", "plain", "long", "short"]

_PATTERNS: Final[dict[str, str]] = {
    "iso": "%Y-%m-%dT%H:%M",
    "plain": "%Y-%m-%d %H:%M",
    "long": "%a %d %b %Y %H:%M",
    "short": "%d %b %H:%M",
}


def when(moment: dt.datetime | None, style: Style = "plain") -> str:
    """An instant to the minute in ``style``, or ``unfinished`` when there is none."""
    if moment is None:
        return UNFINISHED
    return moment.strftime(_PATTERNS[style])
