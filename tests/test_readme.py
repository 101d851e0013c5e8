"""The README is true: its Python runs as written, its numbers are the model's.

**Snippets.** Every ```` ```python ```` block of the README is run as a user
would paste it: each alone as a script (``python script.py``, so ``__main__``
guards and worker processes behave as in a real script), and all of them, one
cell each, in a Jupyter kernel. Test functions a block defines are called.
To keep the suite quick, runs are capped at 50 replications by wrapping
``sim.montecarlo.runs.resolve`` (the one place every run gets its count); every
call is otherwise made exactly as written.

**Numbers.** ``tools/readme_numbers.py --check`` reruns every marked region at
its stated replications and seed; deterministic runs either match or the
README is stale (``make readme-numbers`` rewrites it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CAP = 50

QUICK = f"""\
import sim.montecarlo.runs as _runs

_resolve = _runs.resolve


def _capped(*args, **kwargs):
    scenario, source = _resolve(*args, **kwargs)
    if scenario.simulation.replications > {CAP}:
        kwargs["replications"] = {CAP}
        scenario, source = _resolve(*args, **kwargs)
    return scenario, source


_runs.resolve = _capped
"""

CALL_TESTS = """
for _name, _function in list(globals().items()):
    if _name.startswith("test_") and callable(_function):
        _function()
"""


def python_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [match[1] for match in re.finditer(r"```python\n(.*?)```", text, re.S)]


def test_the_readme_has_python_blocks() -> None:
    blocks = python_blocks()
    assert len(blocks) >= 3
    assert any("sim.run(" in block for block in blocks)


@pytest.mark.slow
def test_the_snippets_run_pasted_into_a_script(tmp_path: Path) -> None:
    for number, block in enumerate(python_blocks()):
        script = tmp_path / f"snippet_{number}.py"
        script.write_text(QUICK + block + CALL_TESTS, encoding="utf-8")
        completed = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                                   text=True, timeout=600, check=False)  # fmt: skip
        assert completed.returncode == 0, block + completed.stderr[-3000:]


@pytest.mark.slow
def test_the_snippets_run_pasted_into_a_notebook() -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [QUICK, *python_blocks(), CALL_TESTS]
    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})  # fmt: skip
    client.execute()
    for cell in notebook.cells:
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"{cell.source}\n{errors}"
    nbformat.validate(notebook)  # raises when the notebook is not valid


@pytest.mark.slow
def test_the_readme_numbers_are_the_models() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "readme_numbers.py"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
