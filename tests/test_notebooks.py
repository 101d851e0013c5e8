"""The notebooks: committed without outputs, and they run top to bottom (quick mode).

They are executed with nbmake in a child pytest, with few replications
(``DRAWDOWN_REPLICATIONS``) and the Agg backend, so that a broken API call in a
notebook fails the suite like any other test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = [
    "01-explore-a-scenario.ipynb",
    "02-compare-courses-of-action.ipynb",
    "03-calibration-2024.ipynb",
    "04-what-would-it-take.ipynb",
]


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
    allowed = ("sim", "os", "pathlib", "datetime", "matplotlib.figure", "pandas")
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for line in "".join(cell["source"]).splitlines():
            words = line.split()
            if cell["cell_type"] == "code" and words[:1] in (["import"], ["from"]):
                assert words[1].startswith(allowed), f"{name}: {line}"


@pytest.mark.slow
def test_notebooks_run_top_to_bottom(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DRAWDOWN_REPLICATIONS": "20",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbmake", "-q", "-p", "no:cacheprovider",
         "--basetemp", str(tmp_path / "nbmake"), str(NOTEBOOKS)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-2000:]
