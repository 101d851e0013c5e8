"""sim.run(..., jobs=2) pasted into a script: it works, or the error says exactly what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from runs_scenarios import DETERMINISTIC, write

UNGUARDED = """\
import sim
{before}result = sim.run({path!r}, replications=8, jobs=2)
print("verdict:", result.score.verdict)
"""

GUARDED = """\
import sim

if __name__ == "__main__":
    result = sim.run({path!r}, replications=8, jobs=2)
    print("verdict:", result.score.verdict)
"""


# A thread running when the workers start: Linux then spawns them too (forking threads is
# unsafe), which shows what macOS and Windows users meet.
A_THREAD = """\
import threading, time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
"""


def _script(tmp_path: Path, text: str, before: str = "") -> subprocess.CompletedProcess[str]:
    scenario = write(tmp_path, "deterministic.yaml", DETERMINISTIC)
    script = tmp_path / "script.py"
    script.write_text(text.format(path=str(scenario), before=before), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_a_parallel_run_from_a_guarded_script_works(tmp_path: Path) -> None:
    completed = _script(tmp_path, GUARDED)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "verdict: on track\n"


@pytest.mark.parametrize("before", ["", A_THREAD], ids=["plain", "with-a-thread"])
def test_a_parallel_run_from_an_unguarded_script_works_or_says_what_to_do(
    tmp_path: Path, before: str
) -> None:
    """Forked workers do not import the script; spawned ones do, and the error says so."""
    completed = _script(tmp_path, UNGUARDED, before)
    if completed.returncode == 0:  # the workers were forked
        assert completed.stdout == "verdict: on track\n"
        return
    last = completed.stderr[completed.stderr.rindex("sim.montecarlo.main_guard.ParallelRunError") :]
    assert "imports the main script" in last
    assert "script.py" in last
    assert 'put the script\'s code under `if __name__ == "__main__":`' in last
    assert last.rstrip().endswith("or run with jobs=1")
    assert completed.stdout == ""
