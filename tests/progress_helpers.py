"""A stand-in for the progress bar that records what a command showed (tests of one bar)."""

from __future__ import annotations

import pytest

from sim.montecarlo import engine


class RecordedBar:
    """What tqdm would have been told: its label, its totals over time, the count done."""

    def __init__(self, total: int, label: str, progress: bool | None) -> None:
        self.label = label
        self.progress = progress
        self.first_total = total
        self.total = total
        self.done = 0
        self.closed = False

    def __enter__(self) -> RecordedBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True

    def update(self, count: int) -> None:
        self.done += count
        # The bar never shows more done than its total.
        assert self.done <= self.total, (self.done, self.total)


def record_bars(monkeypatch: pytest.MonkeyPatch) -> list[RecordedBar]:
    """Every progress bar the engine opens from now on, in order."""
    bars: list[RecordedBar] = []

    def opened(total: int, label: str, progress: bool | None) -> RecordedBar:
        bars.append(RecordedBar(total, label, progress))
        return bars[-1]

    monkeypatch.setattr(engine, "_progress_bar", opened)
    return bars
