"""Start-up: wall time of short commands, and which heavy modules they import."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("matplotlib", "pandas", "numpy", "simpy", "scipy", "dask", "distributed")


def command_seconds(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
