"""The Monte Carlo engine: one pool per command, reductions per chunk, lean workers."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from progress_helpers import RecordedBar, record_bars
from runs_scenarios import RANDOM, write

from sim.montecarlo.engine import (
    IN_FLIGHT_PER_WORKER,
    MAX_CHUNK,
    MIN_GUIDED_CHUNK,
    Batch,
    Engine,
    Reduction,
    _unpickled,
    _Work,
    default_chunk_size,
    simulate_chunk,
    simulate_shipped,
    start_method,
)
from sim.montecarlo.records import Layout, TableReduction
from sim.replication.drawdown import simulate
from sim.replication.outcome import ReplicationResult
from sim.replication.prepared import prepare
from sim.scenario.reading import load_scenario


class Indices(Reduction[list[int], list[int]]):
    """The replication indices of each chunk, joined: shows what ran, in which order."""

    def reduce(self, results: list[ReplicationResult]) -> list[int]:
        return [result.index for result in results]

    def combine(self, parts: list[list[int]]) -> list[int]:
        return [index for part in parts for index in part]


@pytest.fixture
def random_yaml(tmp_path: Path) -> Path:
    return write(tmp_path, "random.yaml", RANDOM)


def test_chunk_size_gives_some_32_chunks_per_worker_at_most_50_replications() -> None:
    # 1,000 / (2 × 32) = 15.6 → 16; 10,000 / 64 = 156 → capped at 50; 10 / 64 → 1.
    assert default_chunk_size(1_000, 2) == 16
    assert default_chunk_size(10_000, 2) == MAX_CHUNK == 50
    assert default_chunk_size(10, 2) == 1
    assert default_chunk_size(100, 1) == 4  # 100 / 32 = 3.1 → 4


def _batches(*spans: range) -> list[Batch[Any, Any]]:
    """Batches with nothing but their replication indices (what chunking looks at)."""
    return [Batch(None, 0, span, Indices()) for span in spans]  # type: ignore[arg-type]


def _hand_out(work: _Work, ends: str) -> list[tuple[int, range]]:
    """Chunks taken from the front ("f") or the back ("b"), ``ends`` repeated until none is left."""
    chunks = []
    while work:
        for end in ends:
            if work:
                chunks.append(work.front() if end == "f" else work.back())
    return chunks


@given(
    spans=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 400)), min_size=1, max_size=4),
    size=st.integers(1, 60),
    processes=st.integers(1, 4),
    guided=st.booleans(),
    ends=st.text(alphabet="fb", min_size=1, max_size=5),
)
def test_chunks_hand_out_every_replication_once_within_its_batch(
    spans: list[tuple[int, int]], size: int, processes: int, guided: bool, ends: str
) -> None:
    ranges = [range(first, first + count) for first, count in spans]
    work = _Work(_batches(*ranges), size, processes, guided=guided)
    chunks = _hand_out(work, ends)
    for position, indices in enumerate(ranges):
        mine = sorted(index for at, chunk in chunks if at == position for index in chunk)
        assert mine == list(indices)  # nothing lost, nothing twice, no other batch's
    assert all(1 <= len(chunk) <= size for _, chunk in chunks)
    assert work.remaining() == []


def test_guided_chunks_shrink_near_the_end_so_that_processes_finish_together() -> None:
    # 1,000 replications, 2 processes, chunks of at most 16: full chunks while more
    # than 2 × 4 × 16 = 128 are left, then an eighth of what is left, at least 2.
    chunks = _hand_out(_Work(_batches(range(1000)), 16, 2, guided=True), "fb")
    sizes = [len(chunk) for _, chunk in chunks]
    assert sum(sizes) == 1000
    assert sizes[:55] == [16] * 55  # 55 × 16 = 880: 120 left
    assert sizes[55:62] == [15, 14, 12, 10, 9, 8, 7]  # ⌈left / 8⌉: ⌈120 / 8⌉ = 15, ⌈105 / 8⌉ = 14…
    assert sizes[-8:] == [MIN_GUIDED_CHUNK] * 7 + [1]  # the last replication alone
    assert len(sizes) == 77  # 63 fixed chunks of 16 would do: 14 more, each about 0.5 ms


def test_fixed_chunks_follow_a_grid_from_each_batch_start_from_either_end() -> None:
    work = _Work(_batches(range(5, 22), range(3)), 3, 2, guided=False)
    chunks = sorted(_hand_out(work, "fbb"), key=lambda item: (item[0], item[1].start))
    assert [(at, chunk.start, chunk.stop) for at, chunk in chunks] == [
        (0, 5, 8), (0, 8, 11), (0, 11, 14), (0, 14, 17), (0, 17, 20), (0, 20, 22), (1, 0, 3)
    ]  # fmt: skip


def test_parts_are_combined_in_replication_order_whatever_the_workers(random_yaml: Path) -> None:
    scenario = load_scenario(random_yaml)
    with ThreadPoolExecutor(max_workers=3) as threads, Engine(executor=threads) as engine:
        assert engine.run(scenario, Indices(), indices=range(5, 40)) == list(range(5, 40))
    with Engine(jobs=2, chunk_size=3) as engine:
        assert engine.run(scenario, Indices(), indices=range(0, 17)) == list(range(17))


class CountingThreads(ThreadPoolExecutor):
    """Threads that note the most chunks ever submitted and not yet finished."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.unfinished = 0
        self.most = 0
        self.submitted = 0
        self.lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            self.unfinished += 1
            self.submitted += 1
            self.most = max(self.most, self.unfinished)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self.finished)
        return future

    def finished(self, future: Future[Any]) -> None:
        with self.lock:
            self.unfinished -= 1


def test_chunks_are_submitted_a_few_per_worker_at_a_time(random_yaml: Path) -> None:
    scenario = load_scenario(random_yaml)
    # 200 replications in chunks of 2: 100 chunks, never more than 3 per worker
    # queued or running: 2 workers × 3 = 6 (the whole run was once submitted at once).
    with (
        CountingThreads(max_workers=2) as threads,
        Engine(jobs=2, executor=threads, chunk_size=2) as engine,
    ):
        assert engine.run(scenario, Indices(), indices=range(200)) == list(range(200))
    assert threads.submitted == 100  # a given executor simulates every chunk
    assert 1 <= threads.most <= 2 * IN_FLIGHT_PER_WORKER == 6


def test_a_batch_is_unpickled_once_per_worker_not_once_per_chunk(random_yaml: Path) -> None:
    prepared = prepare(load_scenario(random_yaml))
    payload = pickle.dumps((prepared, Indices()))
    _unpickled.cache_clear()
    shipped = [simulate_shipped(bytes(payload), 3, first, first + 2) for first in (0, 2, 4)]
    assert shipped == [[0, 1], [2, 3], [4, 5]]
    assert (_unpickled.cache_info().misses, _unpickled.cache_info().hits) == (1, 2)
    assert simulate_chunk(prepared, 3, 4, 6, Indices()) == shipped[-1]


def test_a_reduction_sees_the_same_replications_as_simulate(random_yaml: Path) -> None:
    scenario = load_scenario(random_yaml)
    layout = Layout.of(scenario)
    with Engine(jobs=2, chunk_size=4) as engine:
        table = engine.run(scenario, TableReduction(layout), indices=range(10))
    alone = TableReduction(layout).reduce([simulate(scenario, 7)])
    assert table.index[7] == 7
    assert table.completion_hours[7] == alone.completion_hours[0]
    np.testing.assert_array_equal(table.counters[7], alone.counters[0])


def test_a_traced_replication_is_the_one_the_run_simulated(random_yaml: Path) -> None:
    scenario = load_scenario(random_yaml)
    prepared = prepare(scenario)
    with Engine(jobs=2) as engine:
        (traced,) = engine.traced([(prepared, 3, 5)])
    assert traced.trace
    assert traced.fingerprint() == simulate(scenario, 5).fingerprint()


def test_many_batches_from_one_queue_equal_each_run_alone(random_yaml: Path) -> None:
    first = load_scenario(random_yaml)
    second = load_scenario(random_yaml, ["airlift.tails=2"])
    reductions = [TableReduction(Layout.of(first)), TableReduction(Layout.of(second))]
    with Engine(jobs=2, chunk_size=3) as engine:
        together = engine.run_many(
            [
                Batch(prepare(first), 3, range(12), reductions[0]),
                Batch(prepare(second), 3, range(12), reductions[1]),
            ]
        )
    pairs = zip([first, second], reductions, strict=True)
    alone = [Engine().run(s, r, indices=range(12)) for s, r in pairs]
    for joined, single in zip(together, alone, strict=True):
        np.testing.assert_array_equal(joined.completion_hours, single.completion_hours)
        np.testing.assert_array_equal(joined.people_remaining, single.people_remaining)
    assert not np.array_equal(together[0].completion_hours, together[1].completion_hours)


def test_one_pool_serves_every_run_of_an_engine(random_yaml: Path) -> None:
    scenario = load_scenario(random_yaml)
    with Engine(jobs=2) as engine:
        pool = engine._own
        assert pool is not None
        engine.run(scenario, Indices(), indices=range(4))
        engine.run(scenario, Indices(), indices=range(4, 8))
        assert engine._own is pool
    assert engine._own is None


def test_workers_are_forked_on_linux_only_while_no_other_thread_runs() -> None:
    if sys.platform != "linux":
        assert start_method() == "spawn"
        return
    assert start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert start_method() == "spawn"
    finally:
        stop.set()
        helper.join()


class FreezeCounts(Reduction[list[int], list[int]]):
    """How many objects the garbage collector leaves alone where each chunk is reduced."""

    def reduce(self, results: list[ReplicationResult]) -> list[int]:
        return [gc.get_freeze_count()]

    def combine(self, parts: list[list[int]]) -> list[int]:
        return [count for part in parts for count in part]


def test_a_run_keeps_the_objects_made_before_it_out_of_the_collectors_reach(
    random_yaml: Path,
) -> None:
    """Full collections skip the heap of before the run; it is collected as before afterwards."""
    scenario = load_scenario(random_yaml)
    assert gc.get_freeze_count() == 0
    counts = Engine().run(scenario, FreezeCounts(), indices=range(4))
    assert len(counts) == 4  # (chunks of one)
    assert min(counts) > 1000
    assert gc.get_freeze_count() == 0


def test_forked_workers_inherit_the_parents_objects_frozen_the_parent_does_not() -> None:
    """A worker's full collections skip the parent's heap; the parent collects as before.

    In a fresh interpreter (one thread, so workers are forked on Linux): the suite's own
    threads would make the engine spawn its workers here.
    """
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    child = (
        "import gc\n"
        "from sim.montecarlo.engine import Engine, start_method\n"
        "assert start_method() == 'fork'\n"
        "with Engine(jobs=2) as engine:\n"
        "    print(engine._own.submit(gc.get_freeze_count).result() > 1000)\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, check=True)
    assert done.stdout.decode().split() == ["True", "0"]


def test_bad_engine_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="jobs must be ≥ 1"):
        Engine(jobs=0)
    with pytest.raises(ValueError, match="chunk_size must be ≥ 1"):
        Engine(chunk_size=0)


def test_a_worker_imports_no_pydantic_yaml_or_plotting(random_yaml: Path) -> None:
    """A spawned worker unpickles its task and simulates: nothing of validation or plotting."""
    scenario = load_scenario(random_yaml)
    task = pickle.dumps((prepare(scenario), 3, 0, 2, TableReduction(Layout.of(scenario))))
    child = (
        "import pickle, sys\n"
        "from sim.montecarlo.engine import simulate_chunk\n"
        "table = simulate_chunk(*pickle.loads(sys.stdin.buffer.read()))\n"
        "heavy = {'pydantic', 'pydantic_core', 'yaml', 'matplotlib', 'pandas', 'tqdm'}\n"
        "print(len(table), sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child], input=task, capture_output=True, check=True
    )
    assert done.stdout.decode().split() == ["2", "[]"]


def test_a_run_without_progress_bar_starts_no_thread(random_yaml: Path) -> None:
    """So that the next engine of the process may still fork its workers."""
    before = threading.active_count()
    Engine(progress=False).run(load_scenario(random_yaml), Indices(), indices=range(3))
    assert threading.active_count() == before


# --- one progress bar over a command ---------------------------------------------------


def test_runs_in_a_block_share_one_bar_that_grows_beyond_its_estimate(
    random_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    scenario = load_scenario(random_yaml)
    with Engine(progress=False) as engine:
        with engine.progress_over("command", 10):
            engine.run(scenario, Indices(), indices=range(4))
            engine.run(scenario, Indices(), indices=range(4))  # 8 of the 10 expected
            with engine.progress_over("inner", 1):  # counted in the 2 left: still 10
                engine.run(scenario, Indices(), indices=range(1))
            assert bar_total(bars) == 10
            with engine.progress_over("inner", 5):  # more than the 1 left: 9 + 5 = 14
                assert bar_total(bars) == 14
                engine.run(scenario, Indices(), indices=range(5))
            engine.run(scenario, Indices(), indices=range(6))  # 20: beyond, the total grows
        (bar,) = bars
        assert (bar.label, bar.first_total, bar.progress) == ("command", 10, False)
        assert (bar.done, bar.total, bar.closed) == (20, 20, True)
        # Outside a block, every run has its own bar again.
        engine.run(scenario, Indices(), indices=range(3))
        engine.run(scenario, Indices(), indices=range(3))
    assert [(b.first_total, b.done) for b in bars[1:]] == [(3, 3), (3, 3)]


def bar_total(bars: list[RecordedBar]) -> int:
    (bar,) = bars
    return bar.total


def test_an_estimate_above_what_ran_ends_at_what_ran(
    random_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = record_bars(monkeypatch)
    with Engine(progress=False) as engine, engine.progress_over("command", 100):
        engine.run(load_scenario(random_yaml), Indices(), indices=range(7))
    (bar,) = bars
    assert (bar.first_total, bar.done, bar.total) == (100, 7, 7)
