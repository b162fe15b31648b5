"""Host time of an add_lora call on the CPU (stub_device.py: the H200 model, nothing reaches a driver): warm memos, the
microseconds a call of a few batches, at three depths (NOTES.md, entries 340-341, 345):
  cuda_ops  cuda_ops.add_lora with loader.launch replaced (the selection, plan and SgmvParams of each launch);
  launch    the same with loader.launch itself, the driver's calls recorded (its configuration and arguments);
  public    sgmv.add_lora, the ops' CUDA kernels serving CPU tensors: the checks and the torch.library op besides.
A serving engine's eager step pays `public` a layer, plus the driver's own launch; graph replay pays none of it.
With --gpu (on a GPU, the installed package's kernels), sgmv.add_lora on CUDA tensors instead: the microseconds a call
takes to issue (the host's, the driver's launches included) and until the GPU is done, over calls issued back to back
(while the GPU's part is shorter, both are the host's).

    PYTHONPATH=python python benchmarks/host_time.py --manifest=M   (a wheel's sgmv/kernels/manifest.json)
    PYTHONPATH=<an installed wheel> python benchmarks/host_time.py --gpu
"""
import collections
import itertools
import sys
import time

import torch

import sgmv
from sgmv import cuda_ops

import stub_device

# (rank, rows a segment, output slices' widths, () for one of h_out = h_in): one-row segments at rank 16, one long
# segment at 64, rank 96 padded to 128, 88 in parts; packed decode calls (entry 374): q + k + v at rank 16 and gate +
# up at 64, 8 segments of 8 rows
CASES = ((16, [1] * 32, ()), (64, [256], ()), (96, [1], ()), (88, [1] * 256, ()), (16, [8] * 8, (4096, 1024, 1024)),
         (64, [8] * 8, (14336, 14336)))
DEPTHS = ("cuda_ops", "launch", "public")


def call_us(rank: int, sizes: list[int], depth: str = "cuda_ops", outs: tuple[int, ...] = (), hidden: int = 4096,
            calls: int = 2000) -> float:
    """Microseconds an add_lora call at `depth` (DEPTHS), the mean of `calls` after one that fills the memos (bf16, 8
    adapters; `outs` the output slices' widths, () for one of `hidden`); inside stub_device.stubbed, with the driver
    recorded for "launch" and "public"."""
    rows, outs = sum(sizes), outs or (hidden,)
    x, y = torch.empty(rows, hidden, dtype=torch.bfloat16), torch.empty(rows, sum(outs), dtype=torch.bfloat16)
    a = tuple(torch.empty(8, rank, hidden, dtype=torch.bfloat16) for _ in outs)
    b = tuple(torch.empty(8, h, rank, dtype=torch.bfloat16) for h in outs)
    indptr = [0, *itertools.accumulate(sizes)]
    loras = [s % 8 for s in range(len(sizes))]
    if depth == "public":
        batch = sgmv.LoraBatch.from_segments(indptr, loras)
        if len(outs) == 1:
            call = lambda: sgmv.add_lora(y, x, a[0], b[0], batch, scale=0.5)  # noqa: E731
        else:
            call = lambda: sgmv.add_lora(y, x, a, b, batch, scale=0.5, slices=outs)  # noqa: E731
    else:
        rows_ = cuda_ops.Rows(torch.tensor(indptr, dtype=torch.int32), torch.tensor(loras, dtype=torch.int32),
                              max_segment_rows=max(sizes), tables_ready=True)
        call = lambda: cuda_ops.add_lora(y, x, a, b, rows_, None, 0.5)  # noqa: E731
    call()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls * 1e6


def gpu_us(rank: int, sizes: list[int], hidden: int = 4096, calls: int = 2000) -> tuple[float, float]:
    """(issue, done) microseconds a sgmv.add_lora call on the GPU, the mean of `calls` issued back to back after one
    that fills the memos and loads the kernels (bf16, 8 adapters, random data)."""
    rows = sum(sizes)
    gen = torch.Generator().manual_seed(rank)
    x, y = (torch.randn(rows, hidden, generator=gen).to("cuda", torch.bfloat16) for _ in range(2))
    a = (torch.randn(8, rank, hidden, generator=gen) * 0.01).to("cuda", torch.bfloat16)
    b = (torch.randn(8, hidden, rank, generator=gen) * 0.01).to("cuda", torch.bfloat16)
    batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], [s % 8 for s in range(len(sizes))],
                                         device="cuda")
    with torch.inference_mode():
        sgmv.add_lora(y, x, a, b, batch, scale=0.5)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(calls):
            sgmv.add_lora(y, x, a, b, batch, scale=0.5)
        issued = time.perf_counter()
        torch.cuda.synchronize()
        done = time.perf_counter()
    return (issued - start) / calls * 1e6, (done - start) / calls * 1e6


def main_gpu() -> list[str]:
    lines = []
    print(f"microseconds a sgmv.add_lora call on {torch.cuda.get_device_name()}:    issue     done", flush=True)
    for rank, sizes, outs in CASES:
        if outs:
            continue  # one slice only on the GPU
        issue, done = gpu_us(rank, sizes)
        lines.append(f"rank {rank:3} {len(sizes):3} segments of {sizes[0]:3} rows: {issue:8.1f} {done:8.1f}")
        print(lines[-1], flush=True)
    return lines


def main() -> list[str]:
    lines = []
    print("microseconds a call:", "  ".join(f"{depth:>8}" for depth in DEPTHS), flush=True)
    for rank, sizes, outs in CASES:
        times = []
        for depth in DEPTHS:
            launch = (lambda kernel, geometry, params, tensor, overlap_previous=False: None) if depth == "cuda_ops" \
                else None
            last = collections.deque(maxlen=1)  # the driver's record of the last launch only: a growing list would
            # put the garbage collector's passes over it into the times
            with stub_device.stubbed(launch, driver=stub_device.recording_driver(last) if launch is None else None):
                if depth == "public":
                    with stub_device.cuda_kernels_on_cpu():
                        times.append(call_us(rank, sizes, depth, outs))
                else:
                    times.append(call_us(rank, sizes, depth, outs))
        slices = f", slices {'+'.join(map(str, outs))}" if outs else ""
        lines.append(f"rank {rank:3} {len(sizes):3} segments of {sizes[0]:3} rows{slices}: "
                     + "  ".join(f"{t:8.1f}" for t in times))
        print(lines[-1], flush=True)
    return lines


if __name__ == "__main__":
    if "--gpu" in sys.argv[1:]:
        main_gpu()
    else:
        stub_device.manifest_flag(sys.argv[1:])
        main()
