"""Run a few add_lora cases once each (for ncu):
`ncu --clock-control none -k regex:sgmv python benchmarks/profile_cases.py [--pair] [CASE ...]`
(--pair: the shrink-expand pair even where dispatch takes a one-launch kernel)."""
import sys

import torch

import sgmv
from sgmv import cuda_ops
from sgmv.bench.cases import BenchCase, decode_segments, make_buffers

PREFILL_SEGMENTS = {4096: 64, 8192: 8}  # as the quick sweep
CASES = {
    "distinct256_r16": (4096, 4096, 16, 256, "distinct"),
    "distinct256_r32": (4096, 4096, 32, 256, "distinct"),
    "identical256_r64": (4096, 4096, 64, 256, "identical"),
    "distinct256_r64": (4096, 4096, 64, 256, "distinct"),
    "prefill4096_r64": (4096, 4096, 64, 4096, "prefill"),
    "distinct1_r16": (4096, 4096, 16, 1, "distinct"),
    "distinct16_r16": (4096, 4096, 16, 16, "distinct"),
    "distinct64_r16_h8192": (8192, 8192, 16, 64, "distinct"),
    "distinct16_r64": (4096, 4096, 64, 16, "distinct"),
    "distinct16_r64_h8192": (8192, 8192, 64, 16, "distinct"),
    "distinct1_r64": (4096, 4096, 64, 1, "distinct"),
    "uniform64_r64_h8192": (8192, 8192, 64, 64, "uniform"),
    "identical256_r64_h8192": (8192, 8192, 64, 256, "identical"),
    "uniform256_r64_h8192": (8192, 8192, 64, 256, "uniform"),
    "identical256_r128_h8192": (8192, 8192, 128, 256, "identical"),
    "prefill8192_r64": (4096, 4096, 64, 8192, "prefill"),
    "prefill8192_r16": (4096, 4096, 16, 8192, "prefill"),
    "prefill4096_r16": (4096, 4096, 16, 4096, "prefill"),
}


def main(names):
    import random
    if "--pair" in names:
        names = [n for n in names if n != "--pair"]
        cuda_ops.one_launch_kernel = lambda *args: None
    for name in names or CASES:
        h_in, h_out, r, rows, pop = CASES[name]
        if pop == "prefill":
            segs = (rows // PREFILL_SEGMENTS[rows],) * PREFILL_SEGMENTS[rows]
        else:
            segs = decode_segments(rows, pop, random.Random(0))
        case = BenchCase(h_in, h_out, r, rows, pop, segs)
        bufs = make_buffers(case, torch.bfloat16, "cuda", torch.Generator("cuda").manual_seed(0))
        batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(len(segs))), device="cuda")
        for _ in range(2):
            sgmv.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, 0.5)
        torch.cuda.synchronize()
        print(name, "done")


if __name__ == "__main__":
    main(sys.argv[1:])
