"""The planner's next questions as text: what it takes, what matters most, where we stand.

Renderers over :class:`~sim.answers.solving.SolveResult` and
:class:`~sim.answers.sensitivity.SensitivityResult`; nothing here runs the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.answers.solving import answer_lines, percent_text
from sim.render.formats import when
from sim.render.text import table

if TYPE_CHECKING:
    from sim.answers.forecast import ForecastCone
    from sim.answers.sensitivity import SensitivityResult
    from sim.answers.solving import SolveResult
    from sim.scenario.variation import Knob

# What the answer is, in a planner's words, per field and direction.
_WANTED = {
    "airlift.tails": "the fewest C-17 tails",
    "base.parking": "the fewest parking spots",
    "base.loading_teams": "the fewest loading teams",
    "clearance.opens": "the latest date approvals may open",
    "clearance.lead_days": "the longest clearance lead (factor on clearance.lead_days)",
    "commercial.seats": "the fewest airliner seats (factor on every service's seats)",
    "airlift.available_from": "the latest time the tails may become available",
    "deadline": "the earliest deadline",
}


def wanted(k: Knob) -> str:
    if k.field in _WANTED and k.direction is not None:
        from sim.scenario.variation import KNOWN_DIRECTIONS

        if KNOWN_DIRECTIONS.get(k.field) == k.direction:
            return _WANTED[k.field]
    extreme = "smallest" if k.direction == "increasing" else "largest"
    return f"the {extreme} {k.field}" + (" (scale factor)" if k.kind == "scale" else "")


def render_solve(result: SolveResult) -> str:
    k = result.knobs[-1]
    spent = result.provenance
    head = (
        f"{result.scenario}: {wanted(k)} for P(on time) ≥ {percent_text(result.target)}"
        if result.search is not None
        else f"{result.scenario}: for each {result.knobs[0].field}, {wanted(k)} "
        f"for P(on time) ≥ {percent_text(result.target)}"
    )
    lines = [head, *_forecast_line(spent)]
    if result.search is not None:
        verdict, *evidence_lines = answer_lines(result)
        lines += ["  " + verdict, *("    " + line for line in evidence_lines)]
    else:
        first = result.knobs[0]
        rows = []
        for point in result.frontier or ():
            found = point.search
            if found.answer is None:
                best = found.neighbour
                assert best is not None
                sure = "yes" if found.sure else "no"
                best_p = percent_text(best.p_on_time)
                rows.append([first.show(point.value), "unreachable", best_p, "", sure])
                continue
            low, high = found.answer.ci95
            rows.append([first.show(point.value), k.show(found.answer.value),
                         percent_text(found.answer.p_on_time),
                         f"[{100 * low:.1f}, {100 * high:.1f}]",
                         "yes" if found.sure else "no"])  # fmt: skip
        lines.append(table([first.field, k.field, "P(on time)", "95 % interval", "sure"], rows))
    grids = ", ".join(
        f"{g.knob.field} {g.knob.show(g.low)} … {g.knob.show(g.high)}" for g in result.grids
    )
    lines.append(
        f"  searched {grids}: {spent['evaluations']} evaluations, "
        f"{spent['replications']:,} replications, {spent['wall_seconds']:.1f} s "
        f"(-j {spent['jobs']}, seed {result.seed})"
    )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def moment(value: str | None) -> str:
    return "unfinished" if value is None else value.replace("T", " ")


def render_sensitivity(result: SensitivityResult) -> str:
    from sim.render.text import days

    base = result.baseline_dict()
    lines = [
        f"{result.name}: what matters most (each input at its low and high end, everything else "
        "random, common random numbers)",
        f"  baseline: P(on time) {percent_text(base['p_on_time'])}, "
        f"P50 {moment(base['completion_p50'])}, P90 {moment(base['completion_p90'])}",
    ]
    rows = []
    for rank, item in enumerate(result.inputs, start=1):
        row = item.to_dict(result.scenario)
        swing = row["swing_days"]
        rows.append([
            rank, item.field, item.show(item.low), item.show(item.high),
            f"{percent_text(row['p_on_time_low'])} → {percent_text(row['p_on_time_high'])}",
            f"{moment(row['p50_low'])} → {moment(row['p50_high'])}",
            "unfinished" if swing is None else days(swing).lstrip("+"),
        ])  # fmt: skip
    headers = ["#", "input", "low", "high", "P(on time) low → high", "P50 low → high", "swing"]
    lines.append(table(headers, rows))
    spent = result.provenance
    lines += _forecast_line(spent)
    lines.append(
        f"  {spent['evaluations']} evaluations, {spent['replications']:,} replications, "
        f"{spent['wall_seconds']:.1f} s (-j {spent['jobs']}, seed {result.seed})"
    )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _forecast_line(provenance: dict[str, Any]) -> list[str]:
    """Say so when every run started from a status (``--status``)."""
    status = provenance.get("status")
    if status is None:
        return []
    source = "" if status["source"] is None else f" ({status['source']})"
    return [f"  forecast from the status as of {status['as_of']}{source}"]


def render_forecast(cone: ForecastCone) -> str:
    """The forecast cone as a table: one forecast per row, earliest first."""
    rows = [
        [
            when(point.as_of),
            f"{point.people_out:,}",
            f"{point.cargo_kg_out / 1000:,.1f}",
            percent_text(point.p_on_time),
            when(point.p10),
            when(point.p50),
            when(point.p90),
        ]
        for point in cone.points
    ]
    headers = ["as of", "people out", "cargo out (t)", "P(on time)", "P10", "P50", "P90"]
    lines = [
        f"{cone.scenario.name}: the forecast of completion as the drawdown goes on "
        f"(statuses from the {cone.statuses_from})",
        table(headers, rows),
        f"  {len(cone.points)} forecasts of {cone.replications:,} replications each, "
        f"seed {cone.seed}; deadline end of {cone.scenario.deadline.isoformat()}",
    ]
    return "\n".join(line.rstrip() for line in lines) + "\n"
