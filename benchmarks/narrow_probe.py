"""Standalone expand, one row, h4096 r16, with the decode tile then the narrow tile (NOTES.md, entry 25):
`ncu --clock-control none -k regex:sgmv_expand python benchmarks/narrow_probe.py`."""
import torch
import sgmv
from sgmv import cuda_ops, dispatch

torch.manual_seed(0)
y = torch.randn(1, 4096, dtype=torch.bfloat16, device="cuda")
v = torch.randn(1, 16, dtype=torch.float32, device="cuda")
b = torch.randn(4, 4096, 16, dtype=torch.bfloat16, device="cuda")
batch = sgmv.LoraBatch.from_segments([0, 1], [2], device="cuda")
for min_blocks in (dispatch.NARROW_MIN_BLOCKS, 0):
    dispatch.NARROW_MIN_BLOCKS = min_blocks
    cuda_ops.clear_selections()
    for _ in range(3):
        sgmv.expand(y, v, b, batch, 0.5)
    torch.cuda.synchronize()
    print(min_blocks, "done")
