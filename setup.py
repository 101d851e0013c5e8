"""Build step: compile the model's hot path with mypyc when a C compiler is at hand.

The project's metadata is in ``pyproject.toml``; this file only adds the compiled
modules (``sim/native.py`` lists them and explains the two builds). With no C
compiler or no Python headers, or with ``DRAWDOWN_COMPILE=0``, or if mypyc fails,
the package installs as pure Python: same results, bit for bit, at about twice
the CPU per replication. mypyc type-checks with the project's own mypy settings
(``[tool.mypy]`` in pyproject.toml), so the compiled code runs under the types
that ``mypy --strict`` checks.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
NATIVE: dict[str, Any] = runpy.run_path(str(ROOT / "sim" / "native.py"))


def _say(message: str) -> None:
    sys.stderr.write(f"drawdown-sim build: {message}\n")


def _compiler_at_hand() -> str | None:
    """Why the modules cannot be compiled here, or None when they can."""
    if os.environ.get("DRAWDOWN_COMPILE", "1") == "0":
        return "DRAWDOWN_COMPILE=0"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler})"
    if not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        return "no Python headers (Python.h)"
    return None


def compiled_modules() -> list[Any]:
    """mypyc's extensions for ``sim.native.MODULES``, or none (pure Python).

    Called when build_ext runs, not when setup.py is read: pip reads it three times
    (requirements, metadata, build) and mypyc's type check takes most of a minute.
    """
    why_not = _compiler_at_hand()
    if why_not is not None:
        _say(f"pure Python: {why_not}")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _say("pure Python: mypyc is not installed")
        return []
    sources = [str(NATIVE["source_path"](module).relative_to(ROOT)) for module in NATIVE["MODULES"]]
    try:
        extensions = mypycify(
            # Errors only in the compiled modules: the rest is checked by `make typecheck`,
            # and the build environment has no matplotlib or pandas.
            ["--follow-imports=silent", *sources],
            opt_level="3",
            debug_level="0",
            group_name=NATIVE["SHARED_LIBRARY"].removesuffix("__mypyc"),
            strict_dunder_typing=False,
        )
    except (Exception, SystemExit) as error:  # mypyc exits on a type error
        _say(f"pure Python: mypyc failed ({error!r})")
        return []
    for extension in extensions:
        extension.optional = True  # a compiler error leaves the pure-Python build
    return extensions


class BuildWithManifest(build_ext):
    """Compiles, then records the sources compiled (``sim/native.json``) once all are built.

    No record, no compiled build: ``sim.native`` runs the sources unless every
    compiled module was built by this very build from the sources beside it.
    """

    def finalize_options(self) -> None:
        self.manifest = NATIVE["manifest"]()  # the sources as mypyc reads them
        self.distribution.ext_modules = compiled_modules()
        self.built: set[str] = set()
        super().finalize_options()

    def build_extension(self, ext: Any) -> None:
        super().build_extension(ext)  # raises when it fails (then skipped: optional)
        self.built.add(ext.name)  # built now, or up to date

    def run(self) -> None:
        record = Path(self.get_ext_fullpath(NATIVE["SHARED_LIBRARY"])).with_name("native.json")
        record.unlink(missing_ok=True)
        super().run()
        if not self.extensions:
            return
        if self.built == {extension.name for extension in self.extensions}:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(self.manifest, indent=1) + "\n")
            _say(f"compiled {len(self.built) - 1} modules with mypyc")
        else:
            _say("pure Python: a compiled module failed to build")


# A placeholder that makes setuptools run build_ext (and tag the wheel for this
# platform); BuildWithManifest replaces it with mypyc's extensions, or with none.
# With DRAWDOWN_COMPILE=0 there is none: a pure wheel (py3-none-any).
PLACEHOLDER = Extension(NATIVE["SHARED_LIBRARY"], sources=[])
PURE = os.environ.get("DRAWDOWN_COMPILE", "1") == "0"

setup(ext_modules=[] if PURE else [PLACEHOLDER], cmdclass={"build_ext": BuildWithManifest})
