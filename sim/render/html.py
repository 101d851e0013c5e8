"""A report a planner can send: one self-contained HTML file per run or comparison.

The verdict and summary table come first, then the figures, the lateness
drivers, each scenario exactly as it ran (resolved YAML) and the provenance
(scenario digest and file, seed, replications, version). Figures are embedded
as base64 PNG images (or inline SVG), styles are inline: the file opens
offline, from an e-mail attachment, with no network access and no scripts.

:func:`render_report` is a pure function of the results; :func:`write_report`
writes it atomically.
Only the standard library is imported at the top (the CLI starts fast).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.render.formats import MISSING, when

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.answers.results import Comparison, RunResult
    from sim.answers.sensitivity import SensitivityResult
    from sim.answers.solving import SolveResult

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.05em; }
h4 { font-size: 0.98em; margin-bottom: 0.3em; }
.subtitle { color: #555; margin-top: 0; }
.verdict { display: inline-block; padding: 0.15em 0.6em; border-radius: 4px; font-weight: bold;
           color: #fff; }
.verdict-on-track { background: #009E73; }
.verdict-at-risk { background: #B07800; }
.verdict-late { background: #D55E00; }
.headline { font-size: 1.15em; margin: 0.6em 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.date, .verdict { white-space: nowrap; }
figure { margin: 1.2em 0; }
figure img, figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto;
      font-size: 0.82em; }
details summary { cursor: pointer; font-weight: bold; }
.note { color: #555; font-size: 0.9em; }
"""

_VERDICT_CLASS = {
    "on track": "verdict-on-track",
    "at risk": "verdict-at-risk",
    "late": "verdict-late",
}

FIGURE_CAPTIONS: dict[str, str] = {
    "burndown-personnel": "People still on the base, day by day: median of the replications "
    "(line) and the band holding 8 runs in 10; milestones (triangles: at most this many left) "
    "and public figures (crosses) where known.",
    "burndown-cargo": "Cargo still on the base, in tonnes, as above.",
    "completion": "When everything is out: replications per day (blue on time, vermillion late) "
    "and the share finished so far (black, right axis).",
    "timeline": "One typical replication (the one finishing at the median): what each C-17 did, "
    "airliner departures, parking spots in use, weather closures and suspensions.",
    "timeline-first-week": "The same replication, zoomed on its first week of flying.",
    "lateness-drivers": "Aircraft-hours lost per cause in the late replications (or the slowest "
    "tenth when none is late): where to act first.",
    "compare-on-time": "P(on time) of each course of action with its 95 % interval; all run "
    "with the same random numbers, so differences come from the plans, not from luck.",
    "compare-completion": "Completion dates of each course of action: P10 to P90 (bar) and "
    "median (dot).",
    "compare-lateness-drivers": "Where the time goes, course of action by course of action.",
    "solve": "P(on time) at each value the search evaluated, with its 95 % interval; the "
    "target (dashed) and the answer (ringed; an open ring when not yet sure).",
    "frontier": "For each value of the first field, the answer for the second: on time at the "
    "target with the second field at this value or better (× unreachable in the range).",
}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _percent(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f} %"


def _days(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.1f} d"


# --- figures ------------------------------------------------------------------------


def embed_figure(figure: Figure, *, svg: bool = False, alt: str = "") -> str:
    """The figure as an ``<img>`` with a base64 PNG, or as inline ``<svg>`` markup."""
    from sim.plots import figure_bytes

    if svg:
        text = figure_bytes(figure, "svg").decode("utf-8")
        text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE (external DTD)
        return re.sub(r"<svg ", f'<svg role="img" aria-label="{_e(alt)}" ', text, count=1)
    data = base64.b64encode(figure_bytes(figure, "png")).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _figure_block(stem: str, make: Callable[[], Figure], *, svg: bool, title: str) -> str:
    caption = FIGURE_CAPTIONS.get(stem, "")
    markup = embed_figure(make(), svg=svg, alt=f"{title}: {stem}")
    return (
        f'<figure data-figure="{_e(stem)}">{markup}<figcaption>{_e(caption)}</figcaption></figure>'
    )


# --- sections -----------------------------------------------------------------------


def _summary_table(runs: Sequence[RunResult]) -> str:
    header = (
        "<tr><th>scenario</th><th>verdict</th><th>P(on time)</th><th>95 % interval</th>"
        "<th>completion P10</th><th>P50</th><th>P90</th><th>slack at P90</th>"
        "<th>unfinished</th><th>replications</th></tr>"
    )
    rows = []
    for run in runs:
        s = run.score
        low, high = s.p_on_time_ci95
        completion = s.completion
        rows.append(
            f"<tr><td>{_e(s.scenario)}</td>"
            f'<td><span class="verdict {_VERDICT_CLASS.get(s.verdict, "")}">'
            f"{_e(s.verdict)}</span></td>"
            f'<td class="number">{_percent(s.p_on_time)}</td>'
            f'<td class="number">{_percent(low)} – {_percent(high)}</td>'
            f"<td class='date'>{_e(when(completion.p10, 'short'))}</td>"
            f"<td class='date'>{_e(when(completion.p50, 'short'))}</td>"
            f"<td class='date'>{_e(when(completion.p90, 'short'))}</td>"
            f'<td class="number">{_e(_days(s.slack_days.p90))}</td>'
            f'<td class="number">{s.unfinished}</td>'
            f'<td class="number">{s.replications}</td></tr>'
        )
    return f'<table class="summary">{header}{"".join(rows)}</table>'


def _headline(run: RunResult) -> str:
    s = run.score
    low, high = s.p_on_time_ci95
    return (
        f'<p class="headline"><span class="verdict {_VERDICT_CLASS.get(s.verdict, "")}">'
        f"{_e(s.verdict)}</span> "
        f"<strong>{_e(s.scenario)}</strong>: everything is out by the end of "
        f"{_e(run.scenario.deadline.strftime('%d %b %Y'))} in "
        f"<strong>{_percent(s.p_on_time)}</strong> of {s.replications} replications "
        f"(95 % interval {_percent(low)} – {_percent(high)}); median completion "
        f"{_e(when(s.completion.p50, 'long'))}, 9 runs in 10 by "
        f"{_e(when(s.completion.p90, 'long'))}.</p>"
    )


def _milestones_table(run: RunResult) -> str:
    milestones = run.score.milestones
    if not milestones:
        return ""
    rows = "".join(
        f"<tr><td>{_e(m.name)}</td><td>{_e(m.by.isoformat())}</td>"
        f'<td class="number">{_percent(m.personnel)}</td>'
        f'<td class="number">{_percent(m.cargo)}</td>'
        f'<td class="number">{_percent(m.p_met)}</td></tr>'
        for m in milestones
    )
    return (
        "<h3>Milestones</h3><table><tr><th>milestone</th><th>by the end of</th>"
        "<th>people out</th><th>cargo out (by weight)</th><th>P(met)</th></tr>"
        f"{rows}</table>"
    )


def _drivers_table(run: RunResult) -> str:
    drivers = run.score.lateness_drivers
    rows = "".join(
        f"<tr><td>{_e(d.name)}</td><td class='number'>{d.mean_hours:,.1f}</td>"
        f"<td class='number'>{_percent(d.share)}</td></tr>"
        for d in drivers.drivers
    )
    return (
        f"<h3>Lateness drivers</h3><p class='note'>Mean aircraft-hours lost per replication in "
        f"the {_e(drivers.basis)} ({drivers.replications} of {run.replications}); "
        f"airline seats lost to cancellations: {drivers.commercial_seats_lost_mean:,.1f} "
        "per replication.</p><table><tr><th>cause</th><th>hours lost</th><th>share</th></tr>"
        f"{rows}</table>"
    )


def _counters_table(run: RunResult) -> str:
    from sim.render.text import KEY_COUNTERS

    counters = run.score.counters
    rows = "".join(
        f"<tr><td>{_e(label)}</td><td class='number'>{counters[key]:,.1f}</td></tr>"
        for key, label in KEY_COUNTERS
        if key in counters
    )
    return f"<h3>What happened, on average per replication</h3><table>{rows}</table>"


def _scenario_section(run: RunResult) -> str:
    from sim.scenario.reading import explain

    observed = ""
    if run.scenario.observed:
        from sim.answers.calibration import Quantity, Record, format_record
        from sim.scenario.contract import RecordValue

        def amount(quantity: Quantity, value: RecordValue | None) -> str:
            return "" if value is None else _e(format_record(quantity, Record.of(value)))

        rows = "".join(
            f"<tr><td>{_e(p.at.isoformat(timespec='minutes'))}</td>"
            f"<td class='number'>{amount('personnel_out', p.personnel_out)}</td>"
            f"<td class='number'>{amount('cargo_out_kg', p.cargo_out_kg)}</td>"
            f"<td>{_e(p.role)}</td><td>{_e(p.source)}</td><td>{_e(p.note)}</td></tr>"
            for p in run.scenario.observed
        )
        observed = (
            "<h3>Observed points (public record)</h3><table><tr><th>at</th><th>people out</th>"
            "<th>cargo out (t)</th><th>role</th><th>source</th><th>note</th></tr>"
            f"{rows}</table>"
        )
    return (
        f"{observed}<details><summary>Scenario {_e(run.scenario.name)} as run "
        "(resolved: after extends, overrides and defaults)</summary>"
        f"<pre>{_e(explain(run.scenario))}</pre></details>"
    )


def _sensitivity_section(result: SensitivityResult, *, svg: bool) -> str:
    """What matters most: the tornado chart and its ranked table (``report --tornado``)."""
    from sim.plots.style import figure_of_axes
    from sim.plots.tornado import tornado

    rows = []
    for rank, item in enumerate(result.inputs, start=1):
        swing = item.swing_days
        rows.append(
            f"<tr><td>{rank}</td><td>{_e(item.field)}</td><td>{_e(item.show(item.low))}</td>"
            f"<td>{_e(item.show(item.high))}</td><td>{_percent(item.low_run.p_on_time)} → "
            f"{_percent(item.high_run.p_on_time)}</td>"
            f"<td>{'unfinished' if swing is None else f'{swing:.1f} d'}</td></tr>"
        )
    table = (
        "<table><tr><th>#</th><th>input</th><th>low</th><th>high</th>"
        "<th>P(on time) low → high</th><th>swing of the median</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    name = result.name
    figure = _figure_block("tornado", lambda: figure_of_axes(tornado(result)), svg=svg, title=name)
    return (
        "<h3>What matters most</h3><p>Each uncertain input at its low and high end "
        "(its P10 and P90), everything else random, common random numbers; ranked by "
        f"how far the median completion moves ({result.replications:,} replications per "
        f"end).</p>{figure}{table}"
    )


def _table_of(columns: Sequence[str], rows: Sequence[Sequence[str]], numbers: int = 0) -> str:
    """A table of text cells; the last ``numbers`` columns right-aligned."""
    head = "".join(f"<th>{_e(column)}</th>" for column in columns)
    first_number = len(columns) - numbers

    def cell(position: int, text: str) -> str:
        kind = ' class="number"' if position >= first_number else ""
        return f"<td{kind}>{_e(text)}</td>"

    body = "".join(
        "<tr>" + "".join(cell(i, text) for i, text in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _frontier_table(result: SolveResult) -> str:
    first, second = result.knobs
    rows = []
    for point in result.frontier or ():
        found = point.search
        answer = found.answer
        if answer is None:
            best = found.neighbour
            assert best is not None
            best_p = f"best {_percent(best.p_on_time)}"
            sure = "yes" if found.sure else "no"
            rows.append((first.show(point.value), "unreachable", best_p, "", sure))
            continue
        low, high = answer.ci95
        rows.append((first.show(point.value), second.show(answer.value),
                     _percent(answer.p_on_time), f"{_percent(low)} – {_percent(high)}",
                     "yes" if found.sure else "no"))  # fmt: skip
    columns = (first.field, second.field, "P(on time)", "95 % interval", "sure")
    return "<h4>The frontier</h4>" + _table_of(columns, rows)


def _solve_section(result: SolveResult, *, svg: bool) -> str:
    """What it takes: the answer with its evidence, the figure, every evaluation (``--solve``)."""
    from sim.answers.solving import answer_lines
    from sim.plots.solving import frontier, solve_curve
    from sim.plots.style import figure_of_axes
    from sim.render.questions import wanted

    k = result.knobs[-1]
    target = _percent(result.target)
    if result.search is not None:
        question = f"{wanted(k)} for P(on time) ≥ {target}"
        verdict, *evidence = answer_lines(result)
        answer = (
            f"<p class='headline'><strong>{_e(verdict)}</strong></p>"
            + "<ul>"
            + "".join(f"<li>{_e(line)}</li>" for line in evidence)
            + "</ul>"
        )
        stem, draw = "solve", solve_curve
    else:
        question = f"for each {result.knobs[0].field}, {wanted(k)} for P(on time) ≥ {target}"
        answer = _frontier_table(result)
        stem, draw = "frontier", frontier
    figure = _figure_block(
        stem, lambda: figure_of_axes(draw(result)), svg=svg, title=result.scenario
    )
    (evaluations,) = result.view().tables
    spent = result.provenance
    status = spent.get("status")
    if status is not None:
        answer += (
            "<p class='note'>A forecast: every run started from the status as of "
            f"{_e(status['as_of'])}.</p>"
        )
    ranges = [f"{g.knob.field} {g.knob.show(g.low)} … {g.knob.show(g.high)}" for g in result.grids]
    searched = f"searched by bisection over {ranges[-1]}"
    if len(ranges) == 2:
        searched = f"{ranges[0]} one by one, and for each a bisection over {ranges[-1]}"
    return (
        f"<h3>What it takes</h3><p>{_e(question[0].upper() + question[1:])}. Every value "
        "run with the same seed and replication numbers (common random numbers); "
        f"{_e(searched)}.</p>{answer}{figure}"
        f"<h4>Evaluations</h4><p class='note'>{spent['evaluations']} evaluations, "
        f"{spent['replications']:,} replications, in the order the search made them.</p>"
        + _table_of(evaluations.columns, [[c or MISSING for c in r] for r in evaluations.rows], 3)
    )


def _provenance(run: RunResult) -> str:
    from sim.render.data import score_dict

    # As the JSON writes it (wall time rounded, no source: null).
    provenance = score_dict(run.score)["provenance"]
    rows = "".join(
        f"<tr><th>{_e(key)}</th><td>{_e(value)}</td></tr>" for key, value in provenance.items()
    )
    extra = f"<tr><th>percentile method</th><td>{_e(run.score.percentile_method)}</td></tr>"
    return f"<table class='provenance'>{rows}{extra}</table>"


# --- the report ---------------------------------------------------------------------


def render_report(
    results: RunResult | Comparison | Sequence[RunResult],
    *,
    svg: bool = False,
    title: str | None = None,
    generated: dt.datetime | None = None,
    sensitivities: Sequence[SensitivityResult] = (),
    solves: Sequence[SolveResult] = (),
) -> str:
    """The whole report as one HTML string (figures embedded; no external resources).

    ``sensitivities``: a "what matters most" section (tornado) in each scenario's part;
    ``solves``: a "what it takes" section (the answer, its figure, its evaluations).
    """
    from sim import plots
    from sim.plots.comparison import runs_of
    from sim.plots.style import figure_of_axes

    runs = runs_of(results)
    if not runs:
        raise ValueError("a report needs at least one run")
    title = title or (
        f"Drawdown from Base 101: {runs[0].scenario.name}"
        if len(runs) == 1
        else f"Drawdown from Base 101: {len(runs)} courses of action"
    )
    subtitle = runs[0].scenario.title or runs[0].scenario.description.split("\n")[0]
    when = (generated or dt.datetime.now()).strftime("%d %b %Y %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="subtitle">{_e(subtitle)} — deadline: everything out by the end of '
        f"{_e(runs[0].scenario.deadline.strftime('%d %b %Y'))}. Report generated {_e(when)}.</p>",
        '<h2 id="verdict">Verdict</h2>',
        *(_headline(run) for run in runs),
        _summary_table(runs),
    ]
    if len(runs) > 1:
        comparison: dict[str, Callable[[], Figure]] = {
            "compare-on-time": lambda: figure_of_axes(plots.compare_on_time(runs)),
            "compare-completion": lambda: figure_of_axes(plots.compare_completion(runs)),
            "compare-lateness-drivers": lambda: figure_of_axes(plots.lateness_drivers(runs)),
        }
        parts.append('<h2 id="comparison">Courses of action compared</h2>')
        parts.extend(
            _figure_block(stem, make, svg=svg, title=title) for stem, make in comparison.items()
        )
    for run in runs:
        name = run.scenario.name
        parts.append(f'<h2 id="scenario-{_e(name)}">{_e(name)}</h2>')
        if len(runs) > 1:
            parts.append(_headline(run))
        parts.append(_milestones_table(run))
        parts.extend(
            _figure_block(stem, make, svg=svg, title=name)
            for stem, make in plots.figures_of(run).items()
        )
        parts.append(_drivers_table(run))
        parts.extend(
            _sensitivity_section(result, svg=svg) for result in sensitivities if result.name == name
        )
        parts.extend(
            _solve_section(result, svg=svg) for result in solves if result.scenario == name
        )
        parts.append(_counters_table(run))
        parts.append(_scenario_section(run))
        parts.append(f"<h3>Provenance</h3>{_provenance(run)}")
    parts.append(
        '<p class="note">drawdown-sim: SimPy Monte Carlo model. "On time" means everything '
        "out strictly before 00:00 after the deadline day, local Niamey time (UTC+1). "
        "Intervals are Wilson 95 % intervals; percentiles are real replications "
        "(no interpolation).</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(part for part in parts if part)


def write_report(
    results: RunResult | Comparison | Sequence[RunResult],
    path: str | os.PathLike[str],
    *,
    svg: bool = False,
    title: str | None = None,
    sensitivities: Sequence[SensitivityResult] = (),
    solves: Sequence[SolveResult] = (),
) -> Path:
    """Render the report and write it atomically to ``path``."""
    from sim.outputs import write_atomic

    report = render_report(
        results, svg=svg, title=title, sensitivities=sensitivities, solves=solves
    )
    return write_atomic(path, report)
