"""The README's numbers, regenerated from the model: ``make readme-numbers``.

Every number the README quotes from a run (or counts from the scenario files)
sits between ``<!-- numbers: NAME -->`` and ``<!-- /numbers -->``; this script
runs what each region states (its scenario, replications and seed) and rewrites
the region. ``--check`` rewrites nothing and exits 1 with a diff when the README
is stale; ``tests/test_readme.py`` runs it so, so a change of model behaviour
that moves a quoted number fails the suite until the README is regenerated.

Runs are deterministic (fixed seed, the same numbers for any number of jobs),
so a region either matches exactly or is stale: there is no tolerance to tune.
Not generated: sources' facts (dates and figures of the record, cited in
``domain-facts.md``), the performance table (``make bench`` measures it on a
stated machine, date and commit), and the output examples of ``pytest
scenarios/`` and ``sim.testing``, which show the form of a message.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import sim
from sim.answers.calibration import CalibrationPoint, CalibrationResult, calibrate, format_record

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCENARIOS = ROOT / "scenarios"
REGION = re.compile(r"(<!-- numbers: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /numbers -->)", re.S)
JOBS = 2


def _count(number: int) -> str:
    """A small count in words, as the prose writes it."""
    words = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ]
    return words[number] if number < len(words) else f"{number:,}"


def _day(moment: object) -> str:
    """``2024-08-24 21:20`` → ``24 August`` (a median quoted to the day)."""
    import datetime as dt

    assert isinstance(moment, dt.datetime), "the median is unfinished"
    return f"{moment.day} {moment:%B}"


# --- the regions ---------------------------------------------------------------------------------


def library() -> str:
    """How many overlays the library has, and what the filed-ahead one does."""
    overlays = sorted(SCENARIOS.glob("coa-*.yaml"))
    comparison = sim.compare(
        [SCENARIOS / "plan-1000.yaml", SCENARIOS / "coa-clearances-filed-ahead.yaml"],
        jobs=JOBS,
        progress=False,
    )
    base, ahead = comparison.score.runs
    return (
        f"a planner would have written it in May 2024, and {_count(len(overlays))}"
        " `coa-*.yaml` overlays of it\ncover the courses of action and risks: clearances that "
        "never open, open a month\nlate or take 5–10 days, political suspensions, a shared ramp, "
        "two or five\ntails, a harsh rainy season, slow packing, Rota as destination, charter\n"
        "flights, and clearances filed one rotation ahead (`coa-clearances-filed-ahead`,\n"
        f"which brings the baseline's median completion from {_day(base.completion.p50)} to "
        f"{_day(ahead.completion.p50)}\nat equal host-nation lead times, {base.replications:,} "
        f"replications, seed {base.seed}:\nthe cheapest lever in the library).\n"
    )


def _short(moment: object) -> str:
    """``2024-08-03 14:00`` → ``3 Aug 2024``."""
    import datetime as dt

    assert isinstance(moment, dt.datetime), "the median is unfinished"
    return f"{moment.day} {moment:%b %Y}"


def historical_inputs() -> str:
    scenario = sim.load_scenario(SCENARIOS / "historical-2024.yaml")
    return (
        f"agreement: {scenario.total_personnel:,} personnel in {_count(len(scenario.personnel))} "
        "cohorts, "
        f"{scenario.total_cargo_kg / 1000:,.0f} t of equipment (MQ-9s in\n"
    )


def _band(point: CalibrationPoint, planner: bool) -> str:
    band = point.planner if planner else point.simulated
    assert band is not None
    unit = " t" if point.quantity == "cargo_out_kg" else ""
    scale = 1000.0 if point.quantity == "cargo_out_kg" else 1.0
    return f"{band.p50 / scale:,.0f}{unit} ({band.p10 / scale:,.0f}–{band.p90 / scale:,.0f}{unit})"


def _role(point: CalibrationPoint) -> str:
    return "test" if point.tests_model else "input (not counted)"


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _table(result: CalibrationResult) -> list[str]:
    lines = [
        "| at | quantity | role | record | as written: P50 (P10–P90) "
        "| planner's values: P50 (P10–P90) |",
        "|---|---|---|---|---|---|",
    ]
    for point in result.points:
        quantity = "personnel out" if point.quantity == "personnel_out" else "cargo out"
        record = format_record(point.quantity, point.record)
        record += " t" if point.quantity == "cargo_out_kg" else ""
        at = f"{point.at.day} {point.at:%b %Y}" + (
            f" {point.at:%H:%M}" if (point.at.hour, point.at.minute) != (0, 0) else ""
        )
        lines.append(
            f"| {at} | {quantity} | {_role(point)} | {record} | {_band(point, False)} "
            f"| {_band(point, True)} |"
        )
    return lines


def calibration() -> str:
    """The calibration table and the numbers read from it."""
    path = SCENARIOS / "historical-2024.yaml"
    result = calibrate(path, jobs=JOBS, progress=False)
    only_requests = calibrate(
        path, jobs=JOBS, progress=False, overrides=["clearance.requests_ahead=0"],
        planner_values=False,
    )  # fmt: skip
    run = sim.run(path, jobs=JOBS, progress=False)
    people = next(p for p in result.points if p.tests_model and p.quantity == "personnel_out")
    cargo = next(p for p in result.points if p.tests_model and p.quantity == "cargo_out_kg")
    cargo_only = only_requests.point(cargo.at, "cargo_out_kg").simulated
    assert cargo.planner is not None
    agree = result.agreement()
    agree_planner = result.agreement(planner_values=True)
    both = "Both test points agree in both columns" if (
        agree.agree == agree.tests and agree_planner.agree == agree_planner.tests
    ) else (
        f"As written {agree.agree} of {agree.tests} test points agree; with the planner's "
        f"values {agree_planner.agree} of {agree_planner.tests}"
    )  # fmt: skip
    record_people = format_record(people.quantity, people.record)
    record_cargo = format_record(cargo.quantity, cargo.record)
    at = f"{people.at:%H:%M} on {people.at.day} {people.at:%B}"
    score = run.score
    prose = (
        f"{both}, but read the medians: as written, {_percent(people.simulated.below)} of "
        f"replications have fewer than {record_people.split('–')[0]} people out at {at}; "
        f"with the planner's values {_percent(cargo.planner.below)} are short of {record_cargo} t "
        f"(and with only `requests_ahead` put back, {_percent(cargo_only.below)}: median "
        f"{cargo_only.p50 / 1000:,.0f} t). The cargo agreement rests on a value fitted after "
        f"seeing the record. Completion: median {_short(score.completion.p50)} (record: Agadez "
        f"handed over 5 Aug); P(on time for {score.deadline.day} {score.deadline:%b}) "
        f"{score.p_on_time:.2f}."
    )
    lines = [
        f"At {result.replications:,} replications, seed {result.seed}:",
        "",
        *_table(result),
        "",
        textwrap.fill(prose, width=80),
    ]
    return "\n".join(lines) + "\n"


STATUS_7_JUNE = "scenarios/status/historical-2024-as-of-2024-06-07.yaml"


def status_run() -> str:
    """A forecast from the record's status of 7 June (the head of ``run --status``)."""
    from sim.render.text import render_run

    result = sim.run(
        ROOT / "scenarios" / "historical-2024.yaml",
        replications=1000,
        jobs=JOBS,
        status=ROOT / STATUS_7_JUNE,
    )
    head = render_run(result).splitlines()[:9]
    head[2] = f"  forecast from the status as of 2024-06-07T00:00 ({STATUS_7_JUNE})"
    command = (
        "$ drawdown run scenarios/historical-2024.yaml -n 1000 -j 2 \\\n"
        f"    --status {STATUS_7_JUNE}"
    )
    return "```\n" + command + "\n" + "\n".join(head) + "\n```\n"


def forecast() -> str:
    """The forecast cone of plan-1000 from its median replication, every 10 days."""
    from sim.render.questions import render_forecast

    cone = sim.forecast_cone(
        SCENARIOS / "plan-1000.yaml", every_days=10, replications=300, jobs=JOBS
    )
    command = "$ drawdown forecast scenarios/plan-1000.yaml -n 300 -j 2 --every-days 10"
    return "```\n" + command + "\n" + render_forecast(cone) + "```\n"


REGIONS: dict[str, Callable[[], str]] = {
    "library": library,
    "historical-inputs": historical_inputs,
    "calibration": calibration,
    "status-run": status_run,
    "forecast": forecast,
}


# --- rewriting ---------------------------------------------------------------------------------


def regenerate(text: str) -> str:
    """The README with every marked region rewritten (an unknown region name is an error)."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in REGIONS:
            raise SystemExit(f"README.md: unknown numbers region {name!r} (known: {list(REGIONS)})")
        return match[1] + REGIONS[name]() + match[4]

    return REGION.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    fresh = regenerate(text)
    if args.check:
        if fresh == text:
            return 0
        diff = difflib.unified_diff(text.splitlines(True), fresh.splitlines(True),
                                    "README.md", "README.md (regenerated)")  # fmt: skip
        sys.stdout.writelines(diff)
        print("README numbers are stale: run `make readme-numbers`")
        return 1
    if fresh != text:
        README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
