"""Text for a terminal: control characters from scenario names are shown, never obeyed."""

from __future__ import annotations

from sim.render.terminal import printable


def test_escape_sequences_are_written_out() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"  # clear screen
    assert printable("\x1b]0;title\x07") == "\\x1b]0;title\\x07"  # retitle the window
    assert printable("\x9b31m") == "\\x9b31m"  # the one-byte C1 CSI
    assert printable("del\x7f") == "del\\x7f"


def test_newlines_tabs_and_letters_are_kept() -> None:
    assert printable("Niamey été\n\tP(on time) 95 %") == "Niamey été\n\tP(on time) 95 %"
