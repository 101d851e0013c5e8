"""Scale out: replications on a Dask distributed cluster, behind the runner's Executor seam.

``sim.run(..., executor="dask://HOST:PORT")`` (and ``drawdown run --executor
dask://HOST:PORT``) connects a :class:`distributed.Client` to the scheduler at
that address and hands the runner ``client.get_executor()``, a standard
:class:`concurrent.futures.Executor`. Nothing else changes: chunks of
replication indices go out, compact record tables come back and are placed by
index, so the numbers are identical to a local run with the same seed.

Before a client connects, :func:`probe_scheduler` knocks at the address
(a TCP connection and the scheduler's greeting, a few seconds each), so that a
port where nothing listens, or where something else answers (a web server),
is reported at once instead of after minutes of retries.

Dask is an optional dependency (``pip install 'drawdown-sim[dask]'``), imported
only here and only when a ``dask://`` address is given. Workers must have
drawdown-sim installed (the same version): they import :mod:`sim` to simulate.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

SCHEME = "dask://"
PROBE_SECONDS = 3.0
"""How long the probe waits for the connection, then for the scheduler's greeting."""


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


def _looks_like_dask(greeting: bytes) -> bool:
    """A Dask TCP message: total length, number of frames, frame lengths (uint64, little-endian).

    A scheduler sends its handshake as soon as a connection is accepted.
    """
    if len(greeting) < 16:
        return False
    total, frames = struct.unpack("<QQ", greeting[:16])
    return bool(0 < frames <= 1_000 and 8 + 8 * frames <= total <= 100_000_000)


def probe_scheduler(address: str, *, timeout_seconds: float = PROBE_SECONDS) -> None:
    """Raise :class:`ExecutorError` unless a Dask scheduler answers at ``dask://HOST:PORT``."""
    host, _, port = scheduler_address(address).removeprefix("tcp://").rpartition(":")
    host = host.strip("[]")  # an IPv6 literal
    try:
        connection = socket.create_connection((host, int(port)), timeout=timeout_seconds)
    except ConnectionRefusedError:
        raise ExecutorError(f"nothing listening at {address} (connection refused)") from None
    except TimeoutError:
        raise ExecutorError(
            f"nothing answers at {address} (no connection within {timeout_seconds:g} s)"
        ) from None
    except OSError as error:  # unknown host, unreachable network
        raise ExecutorError(f"cannot reach {address}: {error.strerror or error}") from None
    greeting = b""
    with connection:
        connection.settimeout(timeout_seconds)
        try:
            while len(greeting) < 16:
                part = connection.recv(16 - len(greeting))
                if not part:
                    break
                greeting += part
        except (TimeoutError, OSError):
            pass
    if not _looks_like_dask(greeting):
        what = "sent nothing" if not greeting else "answered with something else"
        raise ExecutorError(
            f"{address} is not a Dask scheduler (it {what} within {timeout_seconds:g} s)"
        )


def _installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules
        return False


@contextmanager
def dask_executor(address: str, *, timeout_seconds: float = 10.0) -> Iterator[tuple[Executor, int]]:
    """A Dask cluster's executor and its number of worker threads; the client closes after."""
    tcp = scheduler_address(address)
    needs_dask = ExecutorError(
        f"--executor {address} needs Dask: pip install 'drawdown-sim[dask]' "
        "(dask[distributed] on this machine and on every worker)"
    )
    if not _installed("distributed"):
        raise needs_dask
    # Seconds, before importing Dask (itself seconds), where a client would retry
    # for its whole timeout.
    probe_scheduler(address)
    try:
        import distributed
    except ImportError:
        raise needs_dask from None
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
