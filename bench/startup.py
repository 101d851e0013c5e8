"""Start-up: wall time of short commands, and which heavy modules they import."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("matplotlib", "pandas", "numpy", "simpy", "scipy", "dask", "distributed")


def command_seconds(args: list[str]) -> float:
    """Wall time of one run of ``args``, with bytecode written and read as after an install.

    Under ``PYTHONDONTWRITEBYTECODE`` (set in some shells and containers) the warm-up
    run would not leave the package's bytecode behind, and every timed run would
    compile the package's modules again (a sixth of ``validate``'s work), which no
    installed copy does.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    subprocess.run(
        args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    return time.perf_counter() - started


def heavy_imports(verb_args: list[str]) -> list[str]:
    """Top-level packages from HEAVY that ``drawdown <verb_args>`` imports (-X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sim", *verb_args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    imported = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            module = line.rsplit("|", 1)[1].strip()
            imported.add(module.split(".")[0])
    return sorted(imported.intersection(HEAVY))


def drawdown_executable() -> list[str]:
    script = Path(sys.executable).with_name("drawdown")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim"]
