"""Writing outputs: never half a file, never damage what is at the target, say why it failed.

Every case runs in a temporary folder, except the special files every Linux
machine has (``/dev/null``, ``/dev/full``), which are only written to.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
from pathlib import Path

import pytest

from sim.outputs import (
    OutputError,
    check_writable,
    csv_cell,
    output_directory,
    safe_file_stem,
    write_atomic,
)
from sim.render.data import csv_table

needs_dev = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")


# --- regular files: atomic, through links, mode kept -------------------------------------


def test_a_regular_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # not the 0o644 of a new file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # no temporary left


def test_a_symbolic_link_stays_and_its_target_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert os.readlink(link) == "real.json"
    assert real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that fills up at the rename (or anywhere before it): the old content stays."""
    target = tmp_path / "run.json"
    target.write_text("old content")

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError) as caught:
        write_atomic(target, "new content")
    assert str(caught.value) == f"{target}: cannot write: No space left on device"
    assert target.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


# --- special files are written into, never replaced --------------------------------------


@needs_dev
def test_dev_null_stays_a_device() -> None:
    before = os.stat("/dev/null")
    write_atomic("/dev/null", "anything")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@needs_dev
def test_a_full_device_is_a_message_not_a_traceback() -> None:
    with pytest.raises(OutputError, match=r"^/dev/full: cannot write: No space left on device$"):
        write_atomic("/dev/full", "x" * 10_000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_into_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


# --- what cannot be written is refused with its reason -----------------------------------


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r": cannot write: is a directory$"):
        write_atomic(tmp_path, "x")
    with pytest.raises(OutputError, match=r": cannot write: is a directory$"):
        check_writable(tmp_path)


def test_paths_that_cannot_exist_are_refused(tmp_path: Path) -> None:
    check_writable(tmp_path / "missing" / "out.json")  # folders are created when writing
    (tmp_path / "file").write_text("")
    with pytest.raises(
        OutputError, match=r"file/x/out\.json: cannot write: cannot create its folder"
    ):
        check_writable(tmp_path / "file" / "x" / "out.json")
    with pytest.raises(OutputError, match="null"):
        write_atomic(str(tmp_path / "a\0b.json"), "x")
    with pytest.raises(OutputError, match="File name too long"):
        write_atomic(tmp_path / ("x" * 300 + ".json"), "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused_before_and_at_writing(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="not writable"):
            check_writable(folder / "out.json")
        with pytest.raises(OutputError, match="Permission denied"):
            write_atomic(folder / "out.json", "x")
    finally:
        folder.chmod(0o755)


def test_a_plots_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "plots").write_text("")
    with pytest.raises(OutputError, match=r"plots: cannot write: is not a directory$"):
        output_directory(tmp_path / "plots")
    assert output_directory(tmp_path / "new" / "figures").is_dir()


# --- file names from scenario names -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("historical-2024", "historical-2024"),
        ("../../x/evil", "x-evil"),  # no climbing out of the folder
        ("/etc/passwd", "etc-passwd"),
        ("cost $\\foo{$", "cost-foo"),
        ("Niamey été", "Niamey-ete"),
        ("...", "scenario"),
        ("\x1b]0;title\x07", "0-title"),
    ],
)
def test_file_stems_stay_in_their_folder(name: str, stem: str) -> None:
    assert safe_file_stem(name) == stem


def test_a_long_accented_name_makes_a_short_stem() -> None:
    """200 accented letters are 400 bytes, above the 255 a file name may have."""
    assert safe_file_stem("é" * 200) == "e" * 80


# --- CSV cells a spreadsheet would run ----------------------------------------------------


def test_formula_cells_are_quoted_numbers_are_not() -> None:
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [csv_cell(text) for text in ("+1", "-1", "@a", "\tx", "\rx")] == [
        "'+1", "'-1", "'@a", "'\tx", "'\rx",
    ]  # fmt: skip
    assert csv_cell("plan") == "plan"
    assert csv_cell(-2.5) == -2.5


def test_csv_text_guards_the_header_and_every_row() -> None:
    text = csv_table(["=1+1", "n"], [["=cmd|' /C calc'!A0", -3]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=1+1", "n"], ["'=cmd|' /C calc'!A0", "-3"]]
