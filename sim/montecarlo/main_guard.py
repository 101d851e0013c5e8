"""Parallel runs started from a script: what to do when the workers cannot start.

With the ``spawn`` start method (macOS, Windows, and Linux whenever workers are
spawned), each worker process starts a fresh interpreter and imports the main
script again before it can simulate. A script that calls ``sim.run(...,
jobs=2)`` at its top level therefore calls it again inside every worker, which
multiprocessing refuses ("bootstrapping phase"); the worker dies and the run
sees only a ``BrokenProcessPool``. The fix is the script's: put its code under
``if __name__ == "__main__":``. This module says so, in the worker (where the
second call is refused at once) and in the run (where the broken pool is
explained), instead of two tracebacks.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures.process import BrokenProcessPool

GUARD = """\
put the script's code under `if __name__ == "__main__":`, e.g.

    import sim

    if __name__ == "__main__":
        result = sim.run("scenarios/historical-2024.yaml", jobs=2)
        print(result.score.p_on_time)

or run with jobs=1"""


class ParallelRunError(RuntimeError):
    """The worker processes of a run could not start or died; the message says what to do."""


def _script() -> str | None:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return path if isinstance(path, str) else None


def refuse_while_bootstrapping(jobs: int) -> None:
    """In a worker still importing the main script, refuse to start a parallel run of its own."""
    if jobs > 1 and getattr(multiprocessing.current_process(), "_inheriting", False):
        raise ParallelRunError(
            f"sim.run(..., jobs={jobs}) was called again while a worker process was importing "
            f"the main script: the script's top level runs in every worker. To run in parallel "
            f"from a script, {GUARD}"
        )


def reimported_script(start_method: str) -> str | None:
    """The main script each worker imports again (``spawn``, ``forkserver``), if there is one."""
    return _script() if start_method in ("spawn", "forkserver") else None


def explain(error: BrokenProcessPool, start_method: str) -> ParallelRunError:
    """A broken pool, explained: the unguarded script when it can be, else a worker that died."""
    script = reimported_script(start_method)
    if script is not None:
        return ParallelRunError(
            f"the worker processes stopped before they could simulate. They are started with "
            f"the {start_method!r} method, which imports the main script ({script}) again in "
            f"each worker, so a script that calls sim.run(..., jobs=N) at its top level starts "
            f"a run in every worker, which cannot work. To run in parallel from a script, "
            f"{GUARD}"
        )
    return ParallelRunError(
        f"a worker process died during the run ({error}); it may have been killed or run "
        "out of memory: try fewer jobs"
    )
