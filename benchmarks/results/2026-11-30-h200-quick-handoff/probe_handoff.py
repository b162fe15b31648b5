import random, sys, collections, re
import torch, sgmv
from sgmv.bench.cases import BenchCase, decode_segments, make_buffers
cases = [(4096, 16, 1, "distinct"), (4096, 16, 16, "identical"), (4096, 16, 16, "uniform"), (4096, 16, 64, "identical"),
         (8192, 16, 1, "distinct"), (8192, 16, 16, "identical"), (4096, 64, 1, "distinct"), (4096, 64, 16, "identical"), (8192, 64, 1, "distinct"), (4096, 64, 64, "identical")]
from sgmv import dispatch

mode = sys.argv[2]
flush = torch.empty(1 << 28, dtype=torch.uint8, device="cuda")
which = int(sys.argv[1])
h, r, rows, pop = cases[which]
segs = decode_segments(rows, pop, random.Random(0))
case = BenchCase(h, h, r, rows, pop, segs)
bufs = make_buffers(case, torch.bfloat16, "cuda", torch.Generator("cuda").manual_seed(0))
loras = list(range(len(segs)))
batch = sgmv.LoraBatch.from_segments(case.indptr(), loras, device="cuda")
print(f"CASE h{h} r{r} bs{rows} {pop} flush={mode}", flush=True)
for i in range(24):
    if mode == "dirty":
        flush.add_(1)
    elif mode == "clean":
        flush.max()
    sgmv.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, 0.5)
torch.cuda.synchronize()
