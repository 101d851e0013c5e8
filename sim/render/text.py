"""Text renderings of results for the terminal: plain tables, no colour, no side effects.

Every function returns a string; the command line prints it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sim.answers.expectations import ExpectationOutcome
from sim.answers.results import Comparison, RunResult, SweepResult
from sim.answers.score import Interval
from sim.render.formats import MISSING, when
from sim.replication.trace import Event, Kind
from sim.scenario.contract import Scenario

KEY_COUNTERS = (
    ("sorties", "sorties"),
    ("empty_sorties", "empty sorties"),
    ("diverted_sorties", "diverted sorties"),
    ("military_passengers", "passengers on military aircraft"),
    ("commercial_passengers", "passengers on airliners"),
    ("clearance_denials", "clearance denials"),
    ("clearance_wait_hours", "hours waiting for clearance"),
    ("weather_closures", "weather closures"),
    ("breakdowns", "breakdowns"),
    ("commercial_cancelled", "airliner departures cancelled"),
)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, indent: int = 2) -> str:
    """A plain text table; columns whose cells all look numeric are right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max([len(header)] + [len(row[column]) for row in cells])
        for column, header in enumerate(headers)
    ]

    def numeric(column: int) -> bool:
        values = [row[column] for row in cells if row[column] not in ("", MISSING)]
        return bool(values) and all(
            value.lstrip("+-−").replace(".", "", 1).replace("%", "").replace(" ", "").isdigit()
            for value in values
        )

    right = [numeric(column) for column in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if align else cell.ljust(width)
            for cell, width, align in zip(row, widths, right, strict=True)
        ]
        return (" " * indent + "  ".join(padded)).rstrip()

    rule = " " * indent + "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in cells)])


def percent(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f} %"


def interval(bounds: Interval | None) -> str:
    if bounds is None:
        return MISSING
    return f"{100 * bounds.low:.1f}–{100 * bounds.high:.1f} %"


def days(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.1f} d"


def render_run(result: RunResult) -> str:
    s = result.score
    lines = [
        f"{s.scenario}: {s.verdict.upper()} — P(on time) {percent(s.p_on_time)} "
        f"(95 % CI {interval(s.p_on_time_ci95)})",
        f"  deadline end of {s.deadline.isoformat()}; {s.replications} replications, seed {s.seed}",
    ]
    if s.provenance.overrides:
        lines.append(f"  with --set {', '.join(s.provenance.overrides)}")
    if s.provenance.status is not None:
        status = s.provenance.status
        lines.append(
            f"  forecast from the status as of {status.as_of.isoformat(timespec='minutes')}"
            + ("" if status.source is None else f" ({status.source})")
        )
    if s.precision is not None:
        precision = s.precision
        reached = "reached" if precision.reached else "NOT reached (cap)"
        lines.append(
            f"  precision ±{precision.target_half_width:g} {reached}: "
            f"half-width {precision.half_width:.4f} after {precision.replications_needed}"
        )
    lines.append("")
    completion, slack = s.completion, s.slack_days
    rows = [
        ["P10", when(completion.p10), days(slack.p10)],
        ["P50", when(completion.p50), days(slack.p50)],
        ["P90", when(completion.p90), days(slack.p90)],
        ["mean", when(completion.mean), ""],
        ["min", when(completion.min), ""],
        ["max", when(completion.max), ""],
    ]
    lines.append(table(["", "completion", "slack"], rows))
    sensitive = s.sensitive_out
    if sensitive.p50 is not None or sensitive.p90 is not None or s.unfinished:
        lines.append(f"  sensitive cargo out: P50 {when(sensitive.p50)}, P90 {when(sensitive.p90)}")
    if s.unfinished:
        reasons = ", ".join(f"{reason}: {n}" for reason, n in s.unfinished_reasons.items())
        lines.append(f"  unfinished within the horizon: {s.unfinished} ({reasons})")
    if s.milestones:
        lines += ["", "milestones"]
        rows = []
        for milestone in s.milestones:
            needs = []
            if milestone.personnel is not None:
                needs.append(f"{percent(milestone.personnel)} of people")
            if milestone.cargo is not None:
                needs.append(f"{percent(milestone.cargo)} of cargo")
            rows.append(
                [milestone.name, milestone.by.isoformat(), ", ".join(needs),
                 percent(milestone.p_met)]
            )  # fmt: skip
        lines.append(table(["milestone", "by end of", "needs", "P(met)"], rows))
    drivers = s.lateness_drivers
    top = [driver for driver in drivers.drivers if driver.mean_hours > 0][:5]
    lines += [
        "",
        f"lateness drivers: mean aircraft-hours lost per replication "
        f"({drivers.basis}: {drivers.replications})",
    ]
    if top:
        rows = [
            [d.name, f"{d.mean_hours:.1f}", percent(d.share), _excess(d.excess_hours)] for d in top
        ]
        lines.append(table(["cause", "hours", "share", "vs the rest"], rows))
    else:
        lines.append("  no hours lost to waits, repairs or crew rest")
    if drivers.commercial_seats_lost_mean:
        lines.append(
            f"  airliner seats lost to cancellations: {drivers.commercial_seats_lost_mean:.1f}"
        )
    lines += ["", "mean per replication"]
    rows = [[label, f"{s.counters[key]:.1f}"] for key, label in KEY_COUNTERS]
    lines.append(table(["counter", "mean"], rows))
    return "\n".join(lines) + "\n"


def render_comparison(comparison: Comparison) -> str:
    s = comparison.score
    rows = []
    for ranked in s.ranking:
        score, difference = ranked.score, ranked.difference
        proportion, median = difference.p_on_time, difference.completion_p50
        is_baseline = score.scenario == s.baseline
        rows.append(
            [
                ranked.rank,
                score.scenario + (" (baseline)" if is_baseline else ""),
                score.verdict,
                percent(score.p_on_time),
                "" if is_baseline else f"{100 * proportion.difference:+.1f} pts",
                "" if is_baseline else _signed_interval(proportion.ci95, 100),
                when(score.completion.p50),
                "" if is_baseline else days(median.difference_days),
                "" if is_baseline or median.ci95_days is None
                else _signed_interval(median.ci95_days, 1),
            ]
        )  # fmt: skip
    header = (
        f"{len(s.ranking)} scenarios, {s.replications} replications each, "
        f"common seed {s.seed} (paired differences vs {s.baseline})"
    )
    status = comparison.results[0].score.provenance.status
    if status is not None:
        where = "" if status.source is None else f" ({status.source})"
        header += f"\n  forecast from the status as of {status.as_of:%Y-%m-%dT%H:%M}{where}"
    columns = [
        "rank", "scenario", "verdict", "P(on time)", "Δ P", "95 % CI",
        "P50 completion", "Δ P50", "95 % CI",
    ]  # fmt: skip
    notes = (
        "  Δ P: mean of paired differences, Tango's score interval; "
        "Δ P50: difference of medians, bootstrap over replication pairs"
    )
    return "\n".join([header, "", table(columns, rows), "", notes]) + "\n"


def _signed_interval(bounds: Interval, scale: float) -> str:
    return f"[{scale * bounds.low:+.1f}, {scale * bounds.high:+.1f}]"


def render_sweep(result: SweepResult) -> str:
    keys = [key for key, _ in result.axes]
    rows = [
        [
            *(row.value(key) for key in keys),
            row.score.verdict,
            percent(row.score.p_on_time),
            interval(row.score.p_on_time_ci95),
            when(row.score.completion.p50),
            when(row.score.completion.p90),
        ]
        for row in result.rows
    ]
    columns = [*keys, "verdict", "P(on time)", "95 % CI", "P50 completion", "P90 completion"]
    return table(columns, rows) + "\n"


def render_check(path: str, outcomes: Sequence[ExpectationOutcome]) -> str:
    if not outcomes:
        return f"{path}: no expect block, nothing to check\n"
    failed = sum(not outcome.held for outcome in outcomes)
    status = "ok" if not failed else f"{failed} of {len(outcomes)} expectations FAILED"
    rows = [["held" if o.held else "FAILED", o.name, o.expected, o.actual] for o in outcomes]
    headers = ["", "expectation", "expected", "actual"]
    if any(o.interval for o in outcomes):
        headers.append("95 % interval")
        rows = [[*row, o.interval] for row, o in zip(rows, outcomes, strict=True)]
    return f"{path}: {status}\n" + table(headers, rows) + "\n"


def trace_rows(scenario: Scenario, events: Sequence[Event]) -> list[list[str]]:
    """One row per event: calendar time, actor, what it did, and the details in words."""
    return [
        [_calendar(scenario, event.hours), event.actor, event.kind.value, _detail(scenario, event)]
        for event in events
    ]


TRACE_COLUMNS = ("time", "actor", "event", "detail")


def render_trace(scenario: Scenario, events: Sequence[Event]) -> str:
    return table(TRACE_COLUMNS, trace_rows(scenario, events), indent=0) + "\n"


def _calendar(scenario: Scenario, hours: float) -> str:
    return when(scenario.moment(hours))


def _detail(scenario: Scenario, event: Event) -> str:
    """The event's data in a planner's words (times as calendar times, names from the file)."""
    kind = event.kind
    parts: list[str] = []
    if kind is Kind.ASKS_FOR_CLEARANCE:
        until = event.until_hours
        answer = (
            "never approved"
            if until is None or math.isinf(until)
            else (f"approved {_calendar(scenario, until)}")
        )
        return f"{answer}, {event.denials} denied"
    if kind in (Kind.LOADS, Kind.TAKES_OFF):
        return _aboard(scenario, event)
    if kind is Kind.LANDS:
        return f"parking {event.parking_in_use}/{scenario.base.parking}"
    if kind is Kind.AIRLINER_DEPARTS:
        return f"{event.passengers} of {event.seats} seats"
    if event.cause is not None and kind not in (Kind.WAITS_FOR_PARKING, Kind.CREW_RESTS):
        parts.append(event.cause.value)  # (those two kinds name their cause already)
    if event.duration_hours is not None:
        label = {Kind.LAUNCHES: "leg ", Kind.BREAKS_DOWN: "repair "}.get(kind, "")
        parts.append(f"{label}{event.duration_hours:.1f} h")
    return ", ".join(parts)


def _aboard(scenario: Scenario, event: Event) -> str:
    """``3 units 9.5 t, 40 pax: 3 pallets; 40 staff`` (by cargo line, then by cohort)."""
    summary = f"{event.cargo_units} units {event.cargo_kg / 1000:.1f} t, {event.passengers} pax"
    items = [f"{units} {scenario.cargo[line].name}" for line, units in event.cargo]
    items += [f"{count} {scenario.personnel[cohort].name}" for cohort, count in event.people]
    return summary + (": " + "; ".join(items) if items else "")


def _excess(hours: float | None) -> str:
    """Hours lost beyond the other replications' mean (what sets the late ones apart)."""
    return MISSING if hours is None else f"{hours:+.1f}"
