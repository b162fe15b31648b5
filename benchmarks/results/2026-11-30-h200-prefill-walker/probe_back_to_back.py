"""The stage probe's case three times back to back (no kernel between), the last one printed after MARK
(the first two print too, before it): whether the first tile's extra cycles are cold code."""
import random, sys
import torch, sgmv
from sgmv.bench.cases import BenchCase, decode_segments, make_buffers
h, r, rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
segs = decode_segments(rows, "distinct", random.Random(0))
case = BenchCase(h, h, r, rows, "distinct", segs)
sets = [make_buffers(case, torch.bfloat16, "cuda", torch.Generator("cuda").manual_seed(i)) for i in range(3)]
batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(len(segs))), device="cuda")
for b in sets:
    sgmv.add_lora(b.y, b.x, b.lora_a, b.lora_b, batch, 0.5)
torch.cuda.synchronize()
print("WARMUP DONE", flush=True)
flush = torch.empty(1 << 28, dtype=torch.uint8, device="cuda")
flush.add_(1)
torch.cuda.synchronize()
for i, b in enumerate(sets):
    if i == 2:
        torch.cuda.synchronize()
        print("MARK", flush=True)
    sgmv.add_lora(b.y, b.x, b.lora_a, b.lora_b, batch, 0.5)
torch.cuda.synchronize()
