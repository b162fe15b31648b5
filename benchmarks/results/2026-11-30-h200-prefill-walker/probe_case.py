"""One add_lora case twice (the second after a 256 MB write), with a marker between: for the prefill stage probe."""
import random, sys
import torch, sgmv
from sgmv.bench.cases import BenchCase, decode_segments, make_buffers
h, r, rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
segs = decode_segments(rows, "distinct", random.Random(0))
case = BenchCase(h, h, r, rows, "distinct", segs)
bufs = make_buffers(case, torch.bfloat16, "cuda", torch.Generator("cuda").manual_seed(0))
batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(len(segs))), device="cuda")
flush = torch.empty(1 << 28, dtype=torch.uint8, device="cuda")
sgmv.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, 0.5)
torch.cuda.synchronize()
print("MARK", flush=True)
flush.add_(1)
sgmv.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, 0.5)
torch.cuda.synchronize()
