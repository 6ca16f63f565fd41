"""What the benchmark scripts share: the best of N wall-clock runs. Imported as a sibling
module (`from timing import best`), as `python benchmarks/<script>.py` puts this folder
first on the import path."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(runs: int, work: Callable[[], object]) -> float:
    """The shortest of `runs` timings of `work()`, in seconds: the least disturbed by
    other processes on a shared machine."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)
