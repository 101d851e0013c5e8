"""Peak memory of a large run, the worker processes included.

The run goes into a fresh interpreter; its peak is read two ways: the kernel's
``ru_maxrss`` of the child and of its own children (the largest single process
of each), and the peak of the summed resident set of the whole process tree,
sampled from /proc every 20 ms (what the machine really had to hold).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

_CHILD = """
import resource, sys
import sim
result = sim.run(sys.argv[1], replications=int(sys.argv[2]), jobs=int(sys.argv[3]), progress=False)
assert len(result.table) == int(sys.argv[2])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(own, workers)
"""


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS (kB) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        pid, parent = int(entry), int(fields["PPid"])
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def peak_rss(path: Path, replications: int, jobs: int) -> dict[str, float]:
    """Peak memory in MB of ``sim.run(path, replications, jobs)`` in a fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), str(replications), str(jobs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    tree_peak = 0
    while child.poll() is None:
        tree_peak = max(tree_peak, _tree_rss_kb(child.pid))
        time.sleep(0.02)
    out, _ = child.communicate()
    if child.returncode:
        raise RuntimeError(f"memory run failed with exit code {child.returncode}")
    own_kb, workers_kb = (int(value) for value in out.split())
    return {
        "parent_maxrss_mb": own_kb / 1024,
        "largest_worker_maxrss_mb": workers_kb / 1024,
        "tree_peak_mb": tree_peak / 1024,
        "child_rusage_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "wall_seconds": time.perf_counter() - started,
    }
