"""Worker processes: every signal stops a run cleanly, a dead worker is named, nothing is left.

Each case starts ``drawdown`` in its own session (so that Ctrl-C can be sent to
its whole process group, as a terminal does), waits until its worker process
exists, then signals it and checks the exit code, the message, that no
traceback was printed, and that every child process (workers and the resource
tracker) is gone within a few seconds.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from process_helpers import children
from runs_scenarios import RANDOM, write

from sim.montecarlo import workers
from sim.montecarlo.workers import (
    RESULT_PIPE_BYTES,
    Interrupted,
    WorkerDied,
    check_workers,
    max_jobs,
    signals_deferred,
    signals_interrupt,
    start_pool,
    stop_workers,
)

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def _is_worker(pid: int) -> bool:
    """A child that is not multiprocessing's resource tracker (workers are forked or spawned)."""
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


class Run:
    """``drawdown ARGS`` in its own session, with its workers once they exist."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sim", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        self.children: list[int] = []

    def wait_for_workers(self, count: int) -> list[int]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.children = children(self.process.pid)
            workers = [pid for pid in self.children if _is_worker(pid)]
            if len(workers) >= count:
                time.sleep(0.5)  # under way: chunks are being simulated
                self.children = children(self.process.pid)
                return workers
            time.sleep(0.1)
        raise AssertionError("the workers never started")

    def finish(self, seconds: float) -> tuple[int, str, float]:
        started = time.monotonic()
        _, err = self.process.communicate(timeout=seconds)
        return self.process.returncode, err, time.monotonic() - started

    def left_behind(self) -> list[int]:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            alive = [pid for pid in self.children if _alive(pid)]
            if not alive:
                return []
            time.sleep(0.1)
        return alive

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()
        for pid in self.children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def random_yaml(tmp_path: Path) -> Path:
    return write(tmp_path, "random.yaml", RANDOM)


@pytest.fixture
def runs() -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:  # never leave a million-replication run behind
        run.kill()


@pytest.mark.parametrize(
    ("number", "to_group", "code"),
    [
        (signal.SIGINT, True, 130),  # Ctrl-C in a terminal: the whole process group
        (signal.SIGTERM, False, 143),  # `kill PID`: the parent alone
        (signal.SIGHUP, False, 129),  # the terminal closed
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_a_signal_stops_run_and_every_worker(
    random_yaml: Path, runs: list[Run], number: int, to_group: bool, code: int
) -> None:
    run = Run("run", str(random_yaml), "-n", "1000000", "-j", "2", "-q")
    runs.append(run)
    run.wait_for_workers(1)
    (os.killpg if to_group else os.kill)(run.process.pid, number)
    returncode, err, seconds = run.finish(30)
    assert returncode == code  # 128 + the signal's number
    assert err == "drawdown: interrupted\n"  # no traceback
    assert run.left_behind() == []
    assert seconds < 10  # about a second on an idle machine; generous for a loaded one


def test_sigterm_stops_a_sweep(random_yaml: Path, runs: list[Run]) -> None:
    run = Run("sweep", str(random_yaml), "--set", "airlift.tails=1,2", "-n", "1000000", "-j", "2")
    runs.append(run)
    run.wait_for_workers(1)
    os.kill(run.process.pid, signal.SIGTERM)
    returncode, err, _ = run.finish(30)
    assert (returncode, err) == (143, "drawdown: interrupted\n")
    assert run.left_behind() == []


def test_a_second_ctrl_c_does_not_cut_the_cleaning_up_short(
    random_yaml: Path, runs: list[Run]
) -> None:
    run = Run("run", str(random_yaml), "-n", "1000000", "-j", "3", "-q")
    runs.append(run)
    run.wait_for_workers(2)
    os.killpg(run.process.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(run.process.pid, signal.SIGINT)
    returncode, err, _ = run.finish(30)
    assert (returncode, err) == (130, "drawdown: interrupted\n")
    assert run.left_behind() == []


def test_a_killed_worker_is_named_with_the_replications_lost(
    random_yaml: Path, runs: list[Run]
) -> None:
    # Killed half a second into a long run, while chunks are still being submitted
    # (a few per worker at a time: with the whole run submitted at once, CPython
    # 3.11's pool manager walked its pending work while it grew, and printed
    # "dictionary changed size during iteration").
    run = Run("run", str(random_yaml), "-n", "1000000", "-j", "3", "-q")
    runs.append(run)
    worker = run.wait_for_workers(2)[0]
    os.kill(worker, signal.SIGKILL)
    returncode, err, _ = run.finish(60)
    assert returncode == 3
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert line.startswith(
        "drawdown run: error: a worker process died (killed, or out of memory); "
    )
    assert re.search(
        r"; [0-9,]+ replications lost \(random [0-9–, ]+\); nothing was written$", line
    )
    assert run.left_behind() == []


def test_workers_end_with_their_parent(random_yaml: Path, runs: list[Run]) -> None:
    """Even a parent killed outright (no handler runs) leaves no worker running."""
    run = Run("run", str(random_yaml), "-n", "1000000", "-j", "2", "-q")
    runs.append(run)
    run.wait_for_workers(1)
    os.kill(run.process.pid, signal.SIGKILL)
    run.finish(30)
    assert run.left_behind() == []


# --- the pieces -------------------------------------------------------------------------


@pytest.fixture
def fresh_signals(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No stop signal recorded yet; this process's handlers restored afterwards."""
    monkeypatch.setattr(workers, "_STOP_REQUESTED", [])
    handlers = {number: signal.getsignal(number) for number in workers.STOP_SIGNALS}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)


def _until_recorded() -> None:
    deadline = time.monotonic() + 5
    while not workers._STOP_REQUESTED and time.monotonic() < deadline:
        time.sleep(0.01)  # the handler runs in this thread, between two bytecodes


def _deferred_blocks(number: int, steps: list[str]) -> None:
    """Two nested deferred blocks; ``number`` arrives in the inner one."""
    with signals_deferred():
        with signals_deferred():  # nested: only the outermost end raises
            os.kill(os.getpid(), number)
            _until_recorded()
            steps.append("inner block finished")
        steps.append("outer block finished")
    steps.append("after the blocks")  # never reached


def _signalled(number: int, steps: list[str]) -> None:
    os.kill(os.getpid(), number)
    _until_recorded()
    steps.append("went on")  # never reached


@pytest.mark.usefixtures("fresh_signals")
def test_a_signal_during_calls_into_a_pool_interrupts_once_they_are_done() -> None:
    """A handler raising half-way into ``with condition:`` would leave its lock held."""
    steps: list[str] = []
    with signals_interrupt(), pytest.raises(Interrupted) as caught:
        _deferred_blocks(signal.SIGTERM, steps)
    assert steps == ["inner block finished", "outer block finished"]
    assert caught.value.signal_number == signal.SIGTERM


@pytest.mark.usefixtures("fresh_signals")
def test_outside_calls_into_a_pool_a_signal_interrupts_at_once() -> None:
    steps: list[str] = []
    with signals_interrupt(), pytest.raises(Interrupted) as caught:
        _signalled(signal.SIGHUP, steps)
    assert steps == []
    assert caught.value.exit_code == 129  # 128 + SIGHUP (1)


def test_a_dead_worker_is_seen_without_the_pools_manager_thread() -> None:
    pool = start_pool(2, "fork")
    try:
        check_workers(pool)  # both alive: nothing to say
        worker = next(iter(pool._processes.values()))
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        with pytest.raises(BrokenProcessPool):  # noqa: PT012 (until the kernel has ended it)
            while time.monotonic() < deadline:
                check_workers(pool)
                time.sleep(0.01)
    finally:
        stop_workers(pool)


def test_the_results_pipe_has_room_for_a_whole_chunks_part() -> None:
    """A worker writes its part and goes on, without waiting for the parent to read it."""
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    pool = start_pool(1, "fork")
    try:
        reader = pool._result_queue._reader  # type: ignore[attr-defined]
        room = fcntl.fcntl(reader.fileno(), fcntl.F_GETPIPE_SZ)
        assert room >= min(RESULT_PIPE_BYTES, limit) > 150_000  # (50 replications' records)
    finally:
        stop_workers(pool)


def test_exit_codes_are_128_plus_the_signal() -> None:
    assert Interrupted(signal.SIGINT).exit_code == 130
    assert Interrupted(signal.SIGTERM).exit_code == 143
    assert Interrupted(signal.SIGHUP).exit_code == 129
    assert isinstance(Interrupted(signal.SIGTERM), KeyboardInterrupt)


def test_lost_replications_are_merged_into_spans() -> None:
    died = WorkerDied(
        [("a", range(100, 150)), ("a", range(0, 50)), ("b", range(0, 50)),
         ("a", range(50, 100)), ("a", range(300, 301))]
    )  # fmt: skip
    # 50 + 50 + 50 + 50 + 1 = 201; a's 0–49, 50–99 and 100–149 join into 0–149.
    assert str(died) == (
        "a worker process died (killed, or out of memory); 201 replications lost "
        "(a 0–149, 300; b 0–49); nothing was written"
    )
    assert str(WorkerDied([])).endswith("; 0 replications lost; nothing was written")


def test_jobs_are_bounded_by_the_machine() -> None:
    cpus = os.cpu_count() or 1
    assert max_jobs() == min(64, 4 * cpus)
