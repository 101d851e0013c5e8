"""Writing output files so that a reader never sees half of one.

A result written to ``out/run.json`` while a dashboard reads it, or a run
interrupted half-way through writing, must leave either the old file or the new
one, never a truncated mix: :func:`write_atomic` writes a temporary file in the
same directory and renames it over the target (``os.replace`` is atomic on POSIX
and Windows when both are on the same file system).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns the path.

    The parent directory must exist. The file gets the usual permissions for a
    new file (``0o666`` minus the umask), not the ``0o600`` of a temporary file.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
