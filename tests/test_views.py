"""What results show of themselves: a concise repr and a notebook view (sim/render/views.py)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, write

import sim
from sim.render.views import Table, View

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> sim.RunResult:
    folder = tmp_path_factory.mktemp("views")
    return sim.run(write(folder, "deterministic.yaml", DETERMINISTIC), replications=3)


def test_a_runs_repr_is_its_headline_in_a_dozen_lines(result: sim.RunResult) -> None:
    text = repr(result)
    # The dataclass repr printed the scenario and every array (16,000–37,000 characters).
    assert len(text.splitlines()) <= 15
    assert "array(" not in text
    assert text.startswith("<RunResult deterministic: 3 replications, seed 1")
    # Every replication ends at 22:00 on 1 June, before the end of 3 June: all on time.
    assert re.search(r"P\(on time\)\s+100\.0 % \(95 % CI", text)
    assert "P10 2024-06-01 22:00 · P50 2024-06-01 22:00 · P90 2024-06-01 22:00" in text
    # Slack: 00:00 on 4 June minus 22:00 on 1 June = 50 h = 2.08 days.
    assert "P50 +2.1" in text
    assert text.endswith(">")


def test_a_runs_notebook_view_has_its_numbers_and_a_fan_chart(result: sim.RunResult) -> None:
    html = result._repr_html_()
    assert "on track" in html
    assert "2024-06-01 22:00" in html
    (picture,) = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert base64.b64decode(picture).startswith(PNG_SIGNATURE)


def test_a_comparison_shows_its_ranking_and_warnings(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", DETERMINISTIC.replace("name: deterministic\n", ""))
    write(tmp_path, "other-base.yaml", DETERMINISTIC.replace("name: deterministic\n", ""))
    overlay = write(tmp_path, "overlay.yaml", "extends: other-base.yaml\nairlift: {tails: 2}\n")
    comparison = sim.compare([base, overlay], replications=2)
    text = repr(comparison)
    assert text.startswith("<Comparison 2 scenarios against base")
    assert "warning: the scenarios extend different bases" in text
    assert "Warning:" in comparison._repr_html_()


def test_a_sweep_shows_one_row_per_combination(tmp_path: Path) -> None:
    path = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    sweep = sim.sweep(path, {"airlift.tails": [1, 2]}, replications=2)
    rows = [line for line in repr(sweep).splitlines() if re.match(r"\s+[12]\s+on track", line)]
    assert len(rows) == 2
    assert "<table>" in sweep._repr_html_()


def test_long_tables_are_cut_with_a_count() -> None:
    table = Table(("n",), tuple((str(n),) for n in range(15)))
    text = View("Thing", "t", tables=(table,)).text()
    assert "  11" in text
    assert "  12" not in text
    assert "… 3 more rows (see to_frame())" in text
    html = View("Thing", "t", tables=(table,)).html()
    assert html.count("<tr>") == 16  # header and all 15 rows (60 fit)


def test_missing_cells_and_markup_are_written_safely() -> None:
    view = View("Thing", "<b>", facts=(("x", "a < b"),), tables=(Table(("c",), ((None,),)),))
    assert "—" in view.text()
    html = view.html()
    assert "&lt;b&gt;" in html
    assert "a &lt; b" in html
