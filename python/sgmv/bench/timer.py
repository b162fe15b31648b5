"""The one timer of the benchmark: CUDA-graph replay over independent buffer sets, median of replays."""
from __future__ import annotations

import math
import statistics
import time
from typing import Callable, Sequence

import torch

COLD_BYTES = 256 << 20  # buffer sets of one case total at least this much, so weights come from HBM
MAX_SETS = 1024
BANDWIDTH_BYTES = 1 << 30


def sets_for(set_bytes: int) -> int:
    """How many independent buffer sets make a cold-cache measurement."""
    return max(2, min(MAX_SETS, math.ceil(COLD_BYTES / max(1, set_bytes))))


def time_graph(calls: Sequence[Callable[[], object]], replays: int = 15) -> float:
    """Median microseconds per call: all calls captured in one CUDA graph, the graph replayed."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for call in calls[:2]:  # warm up: loads kernels, settles allocations
            call()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, stream=stream):
        for call in calls:
            call()
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(replays):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1000.0 / len(calls))
    del graph
    return statistics.median(times)


def copy_kernel(dst: torch.Tensor, src: torch.Tensor) -> None:
    """A device-to-device copy done by an SM kernel. A graph's memcpy node for 1 GiB ran at 2.7 TB/s on the
    H200 (a copy-engine path), while this kernel reaches 4.25 TB/s there and matches memcpy below 256 MiB."""
    torch.mul(src, 1, out=dst)


def warm_up(device, seconds: float = 0.5) -> None:
    """Keep the GPU busy long enough for its clocks to settle before the first measurement."""
    a = torch.empty(BANDWIDTH_BYTES // 4, dtype=torch.float32, device=device)
    b = torch.empty_like(a)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(20):
            copy_kernel(b, a)
        torch.cuda.synchronize()


def copy_bandwidth(device) -> float:
    """Device-to-device copy bandwidth in bytes/s, counting bytes read plus bytes written."""
    warm_up(device)
    n = BANDWIDTH_BYTES // 4
    src = torch.empty(n, dtype=torch.float32, device=device).uniform_()
    dst = torch.empty_like(src)
    us = time_graph([lambda: copy_kernel(dst, src)] * 3, replays=20)
    return 2 * BANDWIDTH_BYTES / (us * 1e-6)


def copy_time(nbytes: int, device) -> float:
    """Microseconds for a cold device-to-device copy moving `nbytes` in all (half read, half written)."""
    half = max(16, nbytes // 2) // 2 * 2
    k = sets_for(2 * half)
    pairs = [(torch.empty(half // 2, dtype=torch.float16, device=device).normal_(),
              torch.empty(half // 2, dtype=torch.float16, device=device)) for _ in range(k)]
    us = time_graph([lambda s=s, d=d: copy_kernel(d, s) for s, d in pairs])
    del pairs
    return us
