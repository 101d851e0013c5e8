"""Scale out: a run on a Dask cluster gives exactly the numbers of a local run.

The cluster is a ``LocalCluster`` started here (two single-threaded workers over
TCP), reached the way a real one is: by its ``dask://HOST:PORT`` address.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runs_scenarios import RANDOM, write

import sim
from sim.answers.score import Score
from sim.cli.main import main
from sim.montecarlo.cluster import ExecutorError, probe_scheduler, scheduler_address


def comparable(score: Score) -> Score:
    """A score without what legitimately differs between equal runs (time, workers)."""
    provenance = replace(score.provenance, wall_seconds=0.0, jobs=0, chunk_size=0)
    return replace(score, provenance=provenance)


def comparable_json(summary: dict[str, Any]) -> dict[str, Any]:
    """The same, for the JSON the command line writes."""
    for key in ("wall_seconds", "jobs", "chunk_size"):
        summary["provenance"].pop(key)
    return summary


@pytest.fixture(scope="module")
def dask_address() -> Iterator[str]:
    distributed = pytest.importorskip(
        "distributed", reason="the dask extra (dask[distributed]) is not installed"
    )
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield "dask://" + cluster.scheduler_address.removeprefix("tcp://")


def test_dask_run_equals_local_run(tmp_path: Path, dask_address: str) -> None:
    path = write(tmp_path, "random.yaml", RANDOM)
    local = sim.run(path, replications=30, chunk_size=7)
    remote = sim.run(path, replications=30, executor=dask_address, chunk_size=4)
    assert comparable(remote.score) == comparable(local.score)
    np.testing.assert_array_equal(remote.completion_hours, local.completion_hours)
    assert remote.table.index.tolist() == list(range(30))
    assert remote.provenance.jobs == 2  # the cluster's worker threads


def test_dask_executor_object_works_like_any_executor(tmp_path: Path, dask_address: str) -> None:
    """A Client's executor passes through the seam unchanged (the runner does not own it)."""
    import distributed

    path = write(tmp_path, "random.yaml", RANDOM)
    local = sim.run(path, replications=12)
    with distributed.Client(scheduler_address(dask_address), set_as_default=False) as client:
        remote = sim.run(path, replications=12, executor=client.get_executor())
    assert comparable(remote.score) == comparable(local.score)


def test_cli_runs_on_dask(
    tmp_path: Path, dask_address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "random.yaml", RANDOM)
    assert main(["run", str(path), "-n", "10", "-q", "--json", "-"]) == 0
    local = capsys.readouterr().out
    assert (
        main(["run", str(path), "-n", "10", "-q", "--json", "-", "--executor", dask_address]) == 0
    )
    remote = capsys.readouterr().out
    assert comparable_json(json.loads(remote)) == comparable_json(json.loads(local))


@pytest.mark.parametrize("address", ["tcp://h:1", "dask://", "dask://host", "dask://host:port"])
def test_a_malformed_address_is_refused(address: str) -> None:
    with pytest.raises(ExecutorError, match="dask://HOST:PORT"):
        scheduler_address(address)


def test_without_dask_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    path = write(tmp_path, "random.yaml", RANDOM)
    with pytest.raises(ExecutorError, match=r"pip install 'drawdown-sim\[dask\]'"):
        sim.run(path, replications=2, executor="dask://127.0.0.1:8786")
    assert main(["run", str(path), "-n", "2", "-q", "--executor", "dask://127.0.0.1:8786"]) == 2
    assert "drawdown-sim[dask]" in capsys.readouterr().err


# --- the probe: a wrong address is reported in seconds ----------------------------------


@pytest.fixture
def http_server() -> Iterator[str]:
    """A web server on 127.0.0.1: it answers connections, and waits for a request."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"dask://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return int(free.getsockname()[1])  # nothing listens once it is closed


def test_a_web_server_is_not_a_dask_scheduler(http_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ExecutorError) as caught:
        probe_scheduler(http_server, timeout_seconds=1.0)
    assert str(caught.value) == (
        f"{http_server} is not a Dask scheduler (it sent nothing within 1 s)"
    )
    assert time.monotonic() - started < 5  # the probe's second, not minutes of retries


def test_nothing_listening_is_said_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = f"dask://127.0.0.1:{_closed_port()}"
    with pytest.raises(ExecutorError, match=r"^nothing listening at .* \(connection refused\)$"):
        probe_scheduler(address)
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    path = write(tmp_path, "random.yaml", RANDOM)
    started = time.monotonic()
    assert main(["run", str(path), "-n", "2", "-q", "--executor", address]) == 2
    assert capsys.readouterr().err == (
        f"drawdown run: error: nothing listening at {address} (connection refused)\n"
    )
    assert time.monotonic() - started < 5


def test_a_dask_scheduler_passes_the_probe(dask_address: str) -> None:
    probe_scheduler(dask_address)  # its greeting is a framed Dask message
