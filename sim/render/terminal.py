"""Text for a terminal: control characters in user text are shown, never obeyed.

A scenario ``name`` (or a file name) may hold an escape sequence such as
``ESC ] 0 ; title BEL`` or ``ESC [ 2 J``; printed raw it would retitle or clear
the terminal, or hide text. :func:`printable` writes every control character
except the newline and the tab as a Python escape (``\\x1b``), C1 controls
(``U+0080``–``U+009F``, which some terminals obey too) included.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def printable(text: str) -> str:
    """``text`` with every control character but newline and tab written as ``\\xNN``."""
    return _CONTROL.sub(_escaped, text)
