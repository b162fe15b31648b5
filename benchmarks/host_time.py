"""Host time of an add_lora call through cuda_ops, on the CPU (stub_device.py: the H200 model, the driver's launch
stubbed, so the launch itself is not counted): warm memos, the microseconds a call of a few batches (NOTES.md, entries
340-341). A serving engine's eager step pays this a layer; graph replay pays none of it.

    PYTHONPATH=python python benchmarks/host_time.py --manifest=M   (a wheel's sgmv/kernels/manifest.json)
"""
import itertools
import sys
import time

import torch

from sgmv import cuda_ops

import stub_device

# (rank, rows a segment): one-row segments at rank 16, one long segment at 64, rank 96 padded to 128, 88 in parts
CASES = ((16, [1] * 32), (64, [256]), (96, [1]), (88, [1] * 256))


def call_us(rank: int, sizes: list[int], hidden: int = 4096, calls: int = 2000) -> float:
    """Microseconds a cuda_ops.add_lora call, the mean of `calls` after one that fills the memos (bf16, 8 adapters)."""
    rows = sum(sizes)
    x, y = torch.empty(rows, hidden, dtype=torch.bfloat16), torch.empty(rows, hidden, dtype=torch.bfloat16)
    a = torch.empty(8, rank, hidden, dtype=torch.bfloat16)
    b = torch.empty(8, hidden, rank, dtype=torch.bfloat16)
    indptr = torch.tensor([0, *itertools.accumulate(sizes)], dtype=torch.int32)
    batch = cuda_ops.Rows(indptr, torch.arange(len(sizes), dtype=torch.int32) % 8, max_segment_rows=max(sizes),
                          tables_ready=True)
    cuda_ops.add_lora(y, x, [a], [b], batch, None, 0.5)
    start = time.perf_counter()
    for _ in range(calls):
        cuda_ops.add_lora(y, x, [a], [b], batch, None, 0.5)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> list[str]:
    lines = []
    with stub_device.stubbed():
        for rank, sizes in CASES:
            lines.append(f"rank {rank:3} {len(sizes):3} segments of {sizes[0]:3} rows: {call_us(rank, sizes):6.1f} us "
                         "a call")
            print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    stub_device.manifest_flag(sys.argv[1:])
    main()
