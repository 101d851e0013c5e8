"""The notebooks: committed without outputs, run top to bottom, and show every figure.

Each notebook is executed once per session with nbclient (the engine nbmake
runs), headless, with few replications (``DRAWDOWN_REPLICATIONS``) and the Agg
backend, and with no ``%matplotlib`` magic anywhere: the figures must display
themselves. The executed copies are kept in memory and checked: every cell that
calls ``sim.plots`` produced a PNG, every result displayed shows its fan chart,
and no output is matplotlib's bare ``<Figure size …>`` text (what a figure that
does not display prints).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = [
    "01-explore-a-scenario.ipynb",
    "02-compare-courses-of-action.ipynb",
    "03-calibration-2024.ipynb",
    "04-what-would-it-take.ipynb",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_notebooks_are_there() -> None:
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{name}: cell {number} has outputs"
            assert cell.get("execution_count") is None, f"{name}: cell {number} was executed"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_imports_only_from_sim(name: str) -> None:
    """Model logic lives in the package; cells only call it (and display)."""
    allowed = ("sim", "os", "pathlib", "datetime", "pandas")
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for line in "".join(cell["source"]).splitlines():
            words = line.split()
            if cell["cell_type"] == "code" and words[:1] in (["import"], ["from"]):
                assert words[1].startswith(allowed), f"{name}: {line}"


@pytest.mark.parametrize("name", EXPECTED)
def test_no_notebook_needs_matplotlib_magic_or_pyplot(name: str) -> None:
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            assert "%matplotlib" not in source, f"{name}: {source}"
            assert "pyplot" not in source, f"{name}: {source}"


# --- executed ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every notebook executed headless in quick mode (about a minute for the three)."""
    import nbformat
    from nbclient import NotebookClient

    environment = {
        "DRAWDOWN_REPLICATIONS": "20",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    notebooks = {}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        # The kernel may leave IPython's history file and the like: keep them out of $HOME.
        patch.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
        for name in EXPECTED:
            notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
            client = NotebookClient(
                notebook,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(NOTEBOOKS)}},
            )
            client.execute()
            notebooks[name] = notebook
    return notebooks


def _outputs(cell: Any) -> list[dict[str, Any]]:
    return list(cell.get("outputs", []))


def _images(cell: Any) -> list[bytes]:
    return [
        base64.b64decode(output["data"]["image/png"])
        for output in _outputs(cell)
        if "image/png" in output.get("data", {})
    ]


def _html(cell: Any) -> str:
    return "".join(
        "".join(output["data"]["text/html"])
        for output in _outputs(cell)
        if "text/html" in output.get("data", {})
    )


def _code_cells(notebook: Any) -> list[tuple[int, Any]]:
    return [(n, cell) for n, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_without_errors(executed: dict[str, Any], name: str) -> None:
    for number, cell in _code_cells(executed[name]):
        errors = [output for output in _outputs(cell) if output["output_type"] == "error"]
        assert not errors, f"{name}: cell {number}: {errors}"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_every_figure_cell_shows_a_picture(executed: dict[str, Any], name: str) -> None:
    figure_cells = 0
    for number, cell in _code_cells(executed[name]):
        if "plots." in cell.source:
            figure_cells += 1
            images = _images(cell)
            assert images, f"{name}: cell {number} draws a figure but shows no image"
            assert all(image.startswith(PNG_SIGNATURE) for image in images)
        for output in _outputs(cell):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"<(matplotlib\.figure\.)?Figure size", text), (
                f"{name}: cell {number} printed a figure instead of showing it"
            )
    assert figure_cells >= 1


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_every_result_shown_has_its_view(executed: dict[str, Any], name: str) -> None:
    """A displayed run shows its fan chart; every result shows a view, not a dump."""
    views = 0
    for number, cell in _code_cells(executed[name]):
        html = _html(cell)
        if "drawdown-view" not in html:
            continue
        views += 1
        # Its text is a screenful at most (a run's repr was 16,000–37,000 characters).
        for output in _outputs(cell):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            assert len(text) < 3000, f"{name}: cell {number} printed {len(text)} characters"
            assert len(text.splitlines()) <= 30, f"{name}: cell {number}: {text}"
        if "<b>RunResult</b>" in html:
            pictures = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
            assert pictures, f"{name}: cell {number} shows a run without its fan chart"
            assert base64.b64decode(pictures[0]).startswith(PNG_SIGNATURE)
    assert views >= 1


@pytest.mark.slow
def test_the_explorer_cell_falls_back_to_text_headless(executed: dict[str, Any]) -> None:
    notebook = executed["01-explore-a-scenario.ipynb"]
    (cell,) = [cell for _, cell in _code_cells(notebook) if "explorer.widget()" in cell.source]
    (output,) = _outputs(cell)
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    assert "".join(output["data"]["text/plain"]).startswith("VBox(")


def test_make_notebook_runs_as_root_too() -> None:
    """Jupyter refuses root without --allow-root; the Makefile adds it for root only."""
    makefile = (NOTEBOOKS.parent / "Makefile").read_text(encoding="utf-8")
    (recipe,) = [line for line in makefile.splitlines() if "jupyter lab" in line]
    assert recipe.endswith("$(ALLOW_ROOT)")
    (rule,) = [line for line in makefile.splitlines() if line.startswith("ALLOW_ROOT")]
    assert "--allow-root" in rule
    assert "id -u" in rule
