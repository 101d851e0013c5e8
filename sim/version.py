"""The package's version, as installed (one lookup for ``--version`` and provenance)."""

from __future__ import annotations


def package_version() -> str:
    """The installed distribution's version, or ``0+unknown`` in a source tree never installed."""
    from importlib import metadata

    try:
        return metadata.version("drawdown-sim")
    except metadata.PackageNotFoundError:
        return "0+unknown"
