"""The planner's next questions as text: what it takes, what matters most, where we stand.

Renderers over :class:`~sim.answers.solving.SolveResult`; nothing here runs the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.render.text import table

if TYPE_CHECKING:
    from sim.answers.solving import Evaluation, Search, SolveResult
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


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def evidence(k: Knob, point: Evaluation) -> str:
    """``airlift.tails = 4: 95.0 % [91.9, 97.0] (1,000 replications)``."""
    low, high = point.ci95
    return (
        f"{k.field} = {k.show(point.value)}: {_percent(point.p_on_time)} "
        f"[{100 * low:.1f}, {100 * high:.1f}] ({point.replications:,} replications)"
    )


def _verdict(k: Knob, found: Search, target: float) -> str:
    if found.answer is None:
        best = found.neighbour
        assert best is not None
        return (
            f"unreachable in the range: even {k.field} = {k.show(best.value)} gives "
            f"{_percent(best.p_on_time)}"
            + ("" if found.sure else " (not yet sure: the target lies inside its interval)")
        )
    text = f"answer: {k.field} = {k.show(found.answer.value)}"
    if found.at_range_end:
        text += " (met across the whole range: widen --range to look further)"
    if found.sure:
        return text + f" (sure: the {_percent(target)} target lies outside the intervals)"
    return text + (
        f" (not yet sure: the {_percent(target)} target lies inside an interval; "
        "--until-precision H adds replications there)"
    )


def solve_lines(result: SolveResult) -> list[str]:
    """The answer and its evidence, one line each (also the notebook view)."""
    k = result.knobs[-1]
    if result.search is None:
        return [f"frontier of {result.knobs[0].field} against {k.field}: see the table"]
    found = result.search
    lines = [_verdict(k, found, result.target)]
    lines += [evidence(k, point) for point in (found.answer, found.neighbour) if point is not None]
    return lines


def render_solve(result: SolveResult) -> str:
    k = result.knobs[-1]
    spent = result.provenance
    head = (
        f"{result.scenario}: {wanted(k)} for P(on time) ≥ {_percent(result.target)}"
        if result.search is not None
        else f"{result.scenario}: for each {result.knobs[0].field}, {wanted(k)} "
        f"for P(on time) ≥ {_percent(result.target)}"
    )
    lines = [head]
    if result.search is not None:
        verdict, *evidence_lines = solve_lines(result)
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
                rows.append([first.show(point.value), "unreachable", _percent(best.p_on_time), "",
                             sure])  # fmt: skip
                continue
            low, high = found.answer.ci95
            rows.append([first.show(point.value), k.show(found.answer.value),
                         _percent(found.answer.p_on_time),
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
