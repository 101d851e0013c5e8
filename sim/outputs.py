"""Writing output files: never half of one, and never damage what is at the target.

Every result, figure, report and CSV the program writes goes through this module.

A result written to ``out/run.json`` while a dashboard reads it, or a run
interrupted half-way through writing, must leave either the old file or the new
one, never a truncated mix: :func:`write_atomic` writes a temporary file in the
same directory and renames it over the target (``os.replace`` is atomic on POSIX
and Windows when both are on the same file system). Renaming is right only for
a regular file, though:

- a symbolic link is followed: the file it points to is replaced, the link stays;
- an existing file keeps its permission bits (a ``0600`` result stays ``0600``);
- a special file (``/dev/null``, ``/dev/stdout``, a FIFO, a terminal, a device)
  is written directly, as ``>`` in a shell would: renaming over it would replace
  the device node with a regular file;
- a directory is refused.

Whatever goes wrong (no such directory, a read-only directory, a full disk)
raises :class:`OutputError`, whose message reads ``PATH: cannot write: reason``,
and leaves nothing behind but what was there before.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, so :func:`csv_cell` (used by the one CSV writer,
:func:`sim.render.data.csv_table`) writes such text cells with a leading ``'``
(the same for a leading tab or carriage return, which some spreadsheets strip).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any


class OutputError(OSError):
    """An output could not be written; the message names the path and the reason."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: cannot write: {reason}")

    def __str__(self) -> str:
        return f"{self.path}: cannot write: {self.reason}"


def _reason(error: OSError | ValueError) -> str:
    if isinstance(error, ValueError):  # an embedded NUL byte in the path
        return str(error)
    return error.strerror or str(error)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` without damaging what is there; returns it.

    Regular files (and new ones) are replaced atomically, keeping an existing
    file's permission bits (a new file gets ``0o666`` minus the umask); special
    files are written directly; a directory is refused. Raises
    :class:`OutputError`.
    """
    shown = os.fspath(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target = Path(os.path.realpath(shown))
        try:
            status: os.stat_result | None = target.stat()
        except FileNotFoundError:
            status = None
    except (OSError, ValueError) as error:  # a symlink loop, a name too long, a NUL byte
        raise OutputError(shown, _reason(error)) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(shown, "is a directory")
    if status is not None and not stat.S_ISREG(status.st_mode):
        _write_special(target, shown, payload)
    else:
        mode = 0o666 & ~_umask() if status is None else stat.S_IMODE(status.st_mode)
        _replace(target, shown, payload, mode)
    return Path(shown)


def _write_special(target: Path, shown: str, payload: bytes) -> None:
    """A device, FIFO or terminal: write into it, as the shell's ``>`` does."""
    try:
        with target.open("wb") as handle:
            handle.write(payload)
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None


def _replace(target: Path, shown: str, payload: bytes, mode: int) -> None:
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name[:200]}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(shown, _reason(error)) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(shown, _reason(error)) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def output_directory(path: str | os.PathLike[str]) -> Path:
    """The directory ``path``, created with its parents if missing; or :class:`OutputError`."""
    shown = os.fspath(path)
    directory = Path(shown)
    try:
        if directory.exists() and not directory.is_dir():
            raise OutputError(shown, "is not a directory")
        directory.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as error:
        if isinstance(error, OutputError):
            raise
        raise OutputError(shown, _reason(error)) from None
    return directory


def check_folder(path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, an output folder that is a file (or lies under one)."""
    shown = os.fspath(path)
    try:
        folder = Path(os.path.realpath(shown))
        if folder.exists() and not folder.is_dir():
            raise OutputError(shown, "is not a directory")
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise OutputError(shown, f"cannot create it: {folder} is a file")
    except ValueError as error:
        raise OutputError(shown, _reason(error)) from None


def check_writable(path: str | os.PathLike[str]) -> None:
    """Refuse, before hours of work, an output path that could never be written.

    Missing folders are fine (they are created when the file is written), but
    the nearest one that exists must be a folder this process may write into.
    """
    shown = os.fspath(path)
    try:
        target = Path(os.path.realpath(shown))
        if target.is_dir():
            raise OutputError(shown, "is a directory")
        folder = target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise OutputError(shown, f"cannot create its folder: {folder} is a file")
        if not target.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(shown, f"permission denied ({folder} is not writable)")
    except ValueError as error:
        raise OutputError(shown, _reason(error)) from None
    except OSError as error:
        if isinstance(error, OutputError):
            raise
        raise OutputError(shown, _reason(error)) from None


# --- file names and CSV cells ----------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SLUG_CHARS = 80


def safe_file_stem(name: str) -> str:
    """A file-name stem made from a scenario's ``name``: it never leaves its folder.

    Letters lose their accents (``é`` → ``e``); anything but ASCII letters,
    digits, ``.``, ``_`` and ``-`` becomes ``-`` (so ``/`` and ``..`` cannot
    climb); the result has no leading dot or dash and at most
    :data:`MAX_SLUG_CHARS` characters; an empty result is ``scenario``.
    """
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text)
    slug = re.sub(r"\.{2,}", ".", slug).strip(".-")[:MAX_SLUG_CHARS].strip(".-")
    return slug or "scenario"


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: text starting with ``= + - @``, tab or CR gets a ``'``.

    Numbers stay numbers (``-2.5`` is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
