"""The benchmarks' one timer: the median wall time of a call after a warm-up.

>>> ms, answer = p50(lambda: sum(range(1000)), runs=3)
>>> answer, ms >= 0
(499500, True)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def p50(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in ms of ``fn`` over ``runs`` calls after one warm-up, and the warm-up's answer."""
    answer = fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, answer
