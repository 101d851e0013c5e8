"""The compiled build: the model's hot path compiled to C with mypyc, when it can be.

Installing the package (``make``, ``pip install``) compiles :data:`MODULES` with
`mypyc <https://mypyc.readthedocs.io>`_ when a C compiler and Python's headers are
at hand (``setup.py``). A replication then costs about half as much CPU. The
compiled modules are the same source files, compiled under the types that
``mypy --strict`` checks, and they give the same results bit for bit (the suite
compares both builds). Without a compiler, or with ``DRAWDOWN_COMPILE=0`` at
install time, the package is pure Python and runs the same model more slowly.

At ``import sim`` :func:`choose` decides once, for this process and the workers
it starts, which build runs. The compiled modules run only when all of them were
built from the very sources beside them (``native.json`` records their size and CRC):
after an edit to any of them, the sources run until the next ``make`` (or
``pip install -e .``) compiles them again. The modules share native classes, so
it is all of them or none. ``DRAWDOWN_PURE_PYTHON=1`` forces the sources.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import sys
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

MODULES = (
    "sim.actors.airfield",
    "sim.actors.airlift",
    "sim.actors.clearance",
    "sim.actors.commercial",
    "sim.actors.loadmaster",
    "sim.actors.weather",
    "sim.clock",
    "sim.randomness",
    "sim.replication.drawdown",
    "sim.replication.outcome",
    "sim.replication.trace",
    "sim.replication.world",
    "sim.scenario.compiled",
    "sim.scenario.laws",
)
"""What one replication runs, from the scenario compiled for it to its result."""

SHARED_LIBRARY = "sim.native__mypyc"
"""The extension module holding the compiled code of every module (mypyc's group)."""

PURE_PYTHON_VARIABLE = "DRAWDOWN_PURE_PYTHON"

PACKAGE = Path(__file__).resolve().parent
MANIFEST = PACKAGE / "native.json"
"""Written by the build once every compiled module is in place: the sources it compiled."""


class Build(NamedTuple):
    """Which build this process runs, and why."""

    compiled: bool
    reason: str

    def describe(self) -> str:
        return ("compiled with mypyc" if self.compiled else "pure Python") + f" ({self.reason})"


def source_path(module: str, package: Path = PACKAGE) -> Path:
    """The source file of one of :data:`MODULES` (beside its compiled twin)."""
    return package.joinpath(*module.split(".")[1:]).with_suffix(".py")


def extension_path(module: str, package: Path = PACKAGE) -> Path:
    """Where the compiled module for this interpreter would be."""
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return source_path(module, package).with_name(module.rsplit(".", 1)[1] + suffix)


def _digest(path: Path) -> str:
    """Size and CRC-32 of a source: tells an edited file from the one compiled (cheaply:
    ``import sim`` checks all of them, and hashlib would cost more than the check)."""
    text = path.read_bytes()
    return f"{len(text)}:{zlib.crc32(text):08x}"


def manifest(package: Path = PACKAGE) -> dict[str, object]:
    """What the build records beside the compiled modules (``native.json``)."""
    return {
        "extension_suffix": importlib.machinery.EXTENSION_SUFFIXES[0],
        "sources": {module: _digest(source_path(module, package)) for module in MODULES},
    }


def detect(environ: Mapping[str, str] = os.environ, package: Path = PACKAGE) -> Build:
    """Can this process run the compiled modules? (Reads files; changes nothing.)"""
    if environ.get(PURE_PYTHON_VARIABLE, "") not in ("", "0"):
        return Build(False, f"{PURE_PYTHON_VARIABLE} is set")
    record = package / MANIFEST.name
    if not record.exists():
        return Build(False, "not compiled: no C compiler at install, or DRAWDOWN_COMPILE=0")
    try:
        recorded = json.loads(record.read_text())
        sources = dict(recorded["sources"])
        suffix = recorded["extension_suffix"]
    except (OSError, ValueError, KeyError, TypeError):
        return Build(False, f"{record.name} unreadable: compile again")
    if suffix != importlib.machinery.EXTENSION_SUFFIXES[0]:
        return Build(False, f"compiled for another interpreter ({suffix})")
    built = (*MODULES, SHARED_LIBRARY)
    if set(sources) != set(MODULES) or not all(extension_path(m, package).exists() for m in built):
        return Build(False, "compiled modules missing: compile again")
    edited = [m for m in MODULES if _digest(source_path(m, package)) != sources[m]]
    if edited:
        names = ", ".join(f"{m.replace('.', '/')}.py" for m in edited)
        return Build(False, f"sources edited since compiled: {names}; `make` compiles again")
    return Build(True, f"{len(MODULES)} modules")


class _SourcesOnly:
    """Imports :data:`MODULES` from their sources even where compiled twins sit beside them
    (a finder for ``sys.meta_path``)."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


_chosen: Build | None = None


def choose() -> Build:
    """The build this process runs, decided at the first call (``import sim`` makes it, before
    any compiled module is imported; ``drawdown --version`` shows the answer)."""
    global _chosen
    if _chosen is None:
        _chosen = detect()
        twins = any(extension_path(module).exists() for module in MODULES)
        imported = any(module in sys.modules for module in MODULES)
        if not _chosen.compiled and twins and not imported:
            sys.meta_path.insert(0, _SourcesOnly())
    return _chosen
