"""The HTML report: self-contained (no network), summary first, one embedded image per figure;
and `drawdown run --plots DIR` writes the figure files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from questions_scenarios import SIXTY_LOADS

import sim
from sim.answers.solving import SolveResult
from sim.cli.main import main
from sim.render.html import render_report
from sim.scenario.contract import Scenario
from sim.scenario.reading import load_scenario

FULL = Path(__file__).parent / "scenarios" / "valid" / "full.yaml"
RUN_FIGURES = 6  # burndown ×2, completion, timeline ×2, lateness drivers
COMPARISON_FIGURES = 3


class _Page(HTMLParser):
    """Collects what a reader (or a browser) would fetch or see."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.svgs = 0
        self.figures: list[str | None] = []
        self.resources: list[str] = []
        self.tables = 0
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "img":
            self.images.append(found)
        if tag == "svg":
            self.svgs += 1
        if tag == "figure":
            self.figures.append(found.get("data-figure"))
        if tag == "table":
            self.tables += 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "action") and value:
                self.resources.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def runs() -> list[sim.RunResult]:
    comparison = sim.compare([FULL, FULL], replications=6, progress=False)
    return list(comparison.results)


@pytest.fixture
def quick_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip encoding figures (slow) where only the structure of the page is tested."""

    def stub(figure: object, kind: str = "png") -> bytes:
        return (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'
            if kind == "svg"
            else b"png"
        )

    monkeypatch.setattr("sim.plots.figure_bytes", stub)


def _no_external_resources(text: str, page: _Page) -> None:
    assert all(resource.startswith(("data:", "#")) for resource in page.resources)
    assert not re.search(r"url\(\s*['\"]?https?:", text)
    assert "<script" not in text
    assert "<link" not in text


def test_report_of_one_run_puts_the_verdict_first_and_embeds_every_figure(
    runs: list[sim.RunResult],
) -> None:
    text = render_report(runs[0])
    page = _parse(text)
    body = " ".join(page.text)
    score = runs[0].score
    assert score.verdict in body
    assert f"{100 * score.p_on_time:.1f} %" in body
    assert "P(on time)" in body
    assert len(page.figures) == RUN_FIGURES
    assert len(page.images) == RUN_FIGURES
    assert all(str(image["src"]).startswith("data:image/png;base64,") for image in page.images)
    assert all(image["alt"] for image in page.images)
    assert "Provenance" in body
    assert score.provenance.digest in body
    assert "schema_version: 1" in body  # the scenario as run
    assert "Lateness drivers" in body
    _no_external_resources(text, page)
    # The summary table comes before the first figure.
    assert text.index('class="summary"') < text.index("<figure")


@pytest.mark.usefixtures("quick_figures")
def test_report_of_several_runs_adds_the_comparison_figures(runs: list[sim.RunResult]) -> None:
    page = _parse(render_report(runs))
    assert len(page.figures) == COMPARISON_FIGURES + 2 * RUN_FIGURES
    assert page.figures[:COMPARISON_FIGURES] == [
        "compare-on-time",
        "compare-completion",
        "compare-lateness-drivers",
    ]


def test_report_with_inline_svg(runs: list[sim.RunResult]) -> None:
    text = render_report(runs[0], svg=True)
    page = _parse(text)
    assert page.svgs == RUN_FIGURES
    assert not page.images
    assert "<!DOCTYPE svg" not in text  # no external DTD reference
    _no_external_resources(text, page)


@pytest.mark.usefixtures("quick_figures")
def test_report_verb_writes_one_file(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    code = main(["report", str(FULL), "-n", "4", "-q", "-o", str(output)])
    assert code == 0
    page = _parse(output.read_text(encoding="utf-8"))
    assert len(page.images) == RUN_FIGURES
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left over


def test_report_verb_refuses_to_overwrite_a_scenario(tmp_path: Path) -> None:
    assert main(["report", str(FULL), "-n", "2", "-q", "-o", str(tmp_path / "x.yaml")]) == 2
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["report", str(FULL), "-n", "2", "-q", "-o", str(tmp_path / "a-file/r.html")]) == 2


@pytest.mark.usefixtures("quick_figures")
def test_run_plots_writes_the_figures(tmp_path: Path) -> None:
    target = tmp_path / "figures"
    code = main(["run", str(FULL), "-n", "4", "-q", "--plots", str(target), "--svg"])
    assert code == 0
    names = {path.name for path in target.iterdir()}
    assert "full-burndown-personnel.png" in names
    assert "full-completion.svg" in names
    assert len(names) == 2 * RUN_FIGURES


def test_run_svg_needs_plots(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(FULL), "-n", "2", "-q", "--svg"]) == 2
    assert "--svg goes with --plots" in capsys.readouterr().err


# --- what it takes: the solve section ------------------------------------------------


@pytest.fixture(scope="module")
def sixty(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("sixty") / "sixty-loads.yaml"
    path.write_text(SIXTY_LOADS, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def sixty_run(sixty: Scenario) -> sim.RunResult:
    return sim.run(sixty, progress=False)


@pytest.fixture(scope="module")
def tails_answer(sixty: Scenario) -> SolveResult:
    return sim.solve(sixty, "airlift.tails", progress=False)


def _section(text: str, heading: str) -> str:
    """From ``heading`` to the next section of the scenario's part."""
    start = text.index(heading)
    return text[start : text.index("<h3>What happened", start)]


@pytest.mark.usefixtures("quick_figures")
def test_report_says_what_it_takes_with_its_evidence_figure_and_evaluations(
    sixty_run: sim.RunResult, tails_answer: SolveResult
) -> None:
    plain = render_report(sixty_run)
    assert "What it takes" not in plain
    text = render_report(sixty_run, solves=[tails_answer])
    section = _section(text, "<h3>What it takes</h3>")
    page = _parse(section)
    words = " ".join(page.text)
    assert "The fewest C-17 tails for P(on time) ≥ 90.0 %." in words
    # By hand (questions_scenarios.py): 3 tails finish on 10 Sep, 2 on 20 Sep, every time.
    assert "answer: airlift.tails = 3 (sure:" in words
    assert "<li>airlift.tails = 3: 100.0 % [91.2, 100.0] (40 replications)</li>" in section
    assert "<li>airlift.tails = 2: 0.0 % [0.0, 8.8] (40 replications)</li>" in section
    assert page.figures == ["solve"]
    # Every evaluation, in the order the search made them: 9, 1, 5, 3, 2.
    assert "5 evaluations, 200 replications" in words
    values = re.findall(r"<tr><td>(\d)</td><td class=\"number\">", section)
    assert values == ["9", "1", "5", "3", "2"]
    _no_external_resources(text, _parse(text))


@pytest.mark.usefixtures("quick_figures")
def test_a_solve_of_another_scenario_is_not_shown(
    runs: list[sim.RunResult], tails_answer: SolveResult
) -> None:
    assert "What it takes" not in render_report(runs[0], solves=[tails_answer])


@pytest.mark.usefixtures("quick_figures")
def test_report_draws_the_frontier_of_two_fields(sixty: Scenario, sixty_run: sim.RunResult) -> None:
    result = sim.solve(
        sixty,
        ["airlift.tails", "airlift.available_from"],
        ranges={"airlift.tails": (2, 4)},
        steps={"airlift.available_from": 24},
        progress=False,
    )
    section = _section(render_report(sixty_run, solves=[result]), "<h3>What it takes</h3>")
    page = _parse(section)
    assert page.figures == ["frontier"]
    assert "airlift.tails 2 … 4 one by one, and for each a bisection over" in " ".join(page.text)
    # By hand (test_solving.py): with 2 tails never; 3 tails: 27 Aug; 4 tails: 1 Sep
    # (at a 24-hour step from 22 Aug 00:00).
    assert "<tr><td>2</td><td>unreachable</td><td>best 0.0 %</td><td></td><td>yes</td></tr>" in (
        section
    )
    assert "<tr><td>3</td><td>2024-08-27 00:00</td><td>100.0 %</td>" in section
    assert "<tr><td>4</td><td>2024-09-01 00:00</td><td>100.0 %</td>" in section


def test_the_solve_figure_is_embedded_as_a_picture(
    sixty_run: sim.RunResult, tails_answer: SolveResult
) -> None:
    section = _section(render_report(sixty_run, solves=[tails_answer]), "<h3>What it takes</h3>")
    (image,) = _parse(section).images
    assert str(image["src"]).startswith("data:image/png;base64,")
    assert image["alt"] == "sixty-loads: solve"
