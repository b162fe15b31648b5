"""add_lora's first kernel and its launch size for each sweep case (bf16), as cuda_ops would launch them: what
dispatch rules on launch size (EARLY_TABLES_MAX_BLOCKS, FUSED_MAX_BLOCKS) see. Needs a GPU (occupancy).

    python benchmarks/first_kernel_grid.py [full]
"""
import math
import sys

import torch

from sgmv import cuda_ops
from sgmv.bench.cases import sweep
from sgmv.dispatch import Problem


def main(quick: bool, device: str = "cuda") -> list[str]:
    """A line a case (printed): its name, add_lora's first kernel and that launch's grid. `device`: where the
    (uninitialized) tensors live; the CPU tests run it on "cpu" with the GPU's counts stubbed."""
    dev = torch.device(device)
    lines = []
    for c in sweep(quick=quick):
        x = torch.empty(c.rows, c.h_in, dtype=torch.bfloat16, device=dev)
        y = torch.empty(c.rows, c.h_out, dtype=torch.bfloat16, device=dev)
        a = torch.empty(c.num_segments, c.rank, c.h_in, dtype=torch.bfloat16, device=dev)
        b = torch.empty(c.num_segments, c.h_out, c.rank, dtype=torch.bfloat16, device=dev)
        one = Problem.for_add_lora(y, x, a, b, c.num_segments, max(c.segments))
        launches = cuda_ops._one_launches(one, x, None)  # one_launch_plan's kernels, or None for the pair
        if launches is not None:
            kernel, launch = cuda_ops._prepare(launches[0].run, x, launches[0].kernel)
        else:
            shrink = Problem.for_shrink(x, [a], c.num_segments, max(c.segments))
            kernel, launch = cuda_ops._prepare(shrink, x, None, partial=True)
        lines.append(f"{c.name:36s} {kernel.name:45s} grid={launch.grid} blocks={math.prod(launch.grid)}")
        print(lines[-1])
    return lines


if __name__ == "__main__":
    main(quick=sys.argv[1:] != ["full"])
