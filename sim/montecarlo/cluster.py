"""Scale out: replications on a Dask distributed cluster, behind the runner's Executor seam.

``sim.run(..., executor="dask://HOST:PORT")`` (and ``drawdown run --executor
dask://HOST:PORT``) connects a :class:`distributed.Client` to the scheduler at
that address and hands the runner ``client.get_executor()``, a standard
:class:`concurrent.futures.Executor`. Nothing else changes: chunks of
replication indices go out, compact record tables come back and are placed by
index, so the numbers are identical to a local run with the same seed.

Dask is an optional dependency (``pip install 'drawdown-sim[dask]'``), imported
only here and only when a ``dask://`` address is given. Workers must have
drawdown-sim installed (the same version): they import :mod:`sim` to simulate.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

SCHEME = "dask://"


class ExecutorError(ValueError):
    """An executor address that cannot be used (bad form, or Dask not installed)."""


def is_dask_address(executor: object) -> bool:
    return isinstance(executor, str) and executor.startswith(SCHEME)


def scheduler_address(address: str) -> str:
    """``dask://HOST:PORT`` → ``tcp://HOST:PORT`` (what ``distributed.Client`` expects)."""
    if not is_dask_address(address):
        raise ExecutorError(f"executor must be a dask://HOST:PORT address (got {address!r})")
    where = address[len(SCHEME) :]
    host, _, port = where.rpartition(":")
    if not host or not port.isdigit():
        raise ExecutorError(f"executor must be a dask://HOST:PORT address (got {address!r})")
    return f"tcp://{where}"


@contextmanager
def dask_executor(address: str, *, timeout_seconds: float = 30.0) -> Iterator[tuple[Executor, int]]:
    """A Dask cluster's executor and its number of worker threads; the client closes after."""
    tcp = scheduler_address(address)
    try:
        import distributed
    except ImportError:
        raise ExecutorError(
            f"--executor {address} needs Dask: pip install 'drawdown-sim[dask]' "
            "(dask[distributed] on this machine and on every worker)"
        ) from None
    client_class: Any = distributed.Client  # distributed is only partly typed
    try:
        client = client_class(tcp, timeout=timeout_seconds, set_as_default=False)
    except OSError as error:  # includes the connection timeout
        raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        threads = max(1, sum(client.nthreads().values()))
        # pure=False: every chunk is its own task (no deduplication by hashing the scenario).
        yield client.get_executor(pure=False), threads
    finally:
        client.close()
