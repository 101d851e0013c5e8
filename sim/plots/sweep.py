"""A sweep: P(on time) as one scenario field changes."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.plots.style import (
    BLACK,
    BLUE,
    GREEN,
    LIGHT_GREY,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    YELLOW,
    axes,
    percent_formatter,
    plain_text,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.answers.results import SweepResult


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@plain_text
def sweep_chart(sweep: SweepResult, ax: Axes | None = None) -> Axes:
    """P(on time) against the first swept field, one line per value of the other fields.

    Numeric values go on a numeric axis, others (distributions) side by side;
    the 90 % (on track) and 50 % (at risk) thresholds are dashed.
    """
    from sim.answers.scoring import AT_RISK, ON_TRACK

    ax = axes(ax, 8.0, 4.5)
    (first_key, first_values), *others = sweep.axes
    numbers = [_number(value) for value in first_values]
    numeric = all(n is not None for n in numbers)
    position = {value: (numbers[i] if numeric else i) for i, value in enumerate(first_values)}
    groups: dict[tuple[tuple[str, str], ...], list[tuple[float, float, float, float]]] = {}
    for combination, result in zip(sweep.combinations, sweep.results, strict=True):
        values = dict(combination)
        rest = tuple((key, values[key]) for key, _ in others)
        low, high = result.score.p_on_time_ci95
        x = position[values[first_key]]
        assert x is not None
        groups.setdefault(rest, []).append((float(x), result.p_on_time, low, high))
    palette = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK]
    for index, (rest, points) in enumerate(groups.items()):
        points.sort()
        xs = np.array([p[0] for p in points])
        ys = np.array([p[1] for p in points])
        errors = np.array([[p[1] - p[2] for p in points], [p[3] - p[1] for p in points]])
        label = ", ".join(f"{key} = {value}" for key, value in rest) or None
        colour = palette[index % len(palette)]
        ax.errorbar(xs, ys, yerr=errors, marker="o", color=colour, capsize=4, linewidth=1.8,
                    markersize=6, label=label)  # fmt: skip
    ax.axhline(ON_TRACK, color=GREEN, linestyle=":", linewidth=1.2)
    ax.axhline(AT_RISK, color=ORANGE, linestyle=":", linewidth=1.2)
    ax.text(1.0, ON_TRACK, " on track ", transform=ax.get_yaxis_transform(), va="bottom",
            ha="right", fontsize=8, color=GREEN)  # fmt: skip
    ax.text(1.0, AT_RISK, " at risk ", transform=ax.get_yaxis_transform(), va="bottom",
            ha="right", fontsize=8, color=ORANGE)  # fmt: skip
    if numeric and all(float(n or 0).is_integer() for n in numbers):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not numeric:
        ax.set_xticks(range(len(first_values)), list(first_values), rotation=15, ha="right")
    ax.set_ylim(-0.02, 1.05)
    ax.yaxis.set_major_formatter(percent_formatter())
    ax.set_xlabel(first_key)
    ax.set_ylabel("P(on time) with 95 % interval")
    runs = sweep.results[0].replications if sweep.results else 0
    ax.set_title(f"P(on time) as {first_key} changes ({runs} runs per point)")
    ax.grid(True, color=LIGHT_GREY, linewidth=0.6)
    if any(label for label in ax.get_legend_handles_labels()[1]):
        ax.legend(fontsize=8.5, framealpha=0.9)
    return ax
