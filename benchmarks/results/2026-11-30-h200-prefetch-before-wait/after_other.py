"""add_lora after a kernel that does not let it start early (a torch copy of 2 MB, as a model's previous kernel
might be): per case, the graph of [copy_i, add_lora_i] over cold buffer sets minus the graph of [copy_i] alone,
in us per add_lora. Cases: ab_handoff.py's.  python after_other.py OUT.txt"""
import dataclasses, sys, zlib
import torch
import sgmv
from sgmv.bench import run as bench_run
from sgmv.bench.cases import make_buffers
from sgmv.bench.timer import time_graph, sets_for

def cases():
    return [c for c in bench_run.sweep(True) if c.popularity != "prefill" and not (c.popularity == "distinct" and c.rows >= 64)
            and (c.rank == 64 or c.h_in == 4096 or c.popularity == "distinct")]

out = open(sys.argv[1], "w")
dev = torch.device("cuda")
for case in cases():
    gen = torch.Generator(device=dev).manual_seed(zlib.crc32(case.name.encode()))
    first = make_buffers(case, torch.bfloat16, dev, gen)
    set_bytes = sum(t.numel() * t.element_size() for t in dataclasses.astuple(first)) + (4 << 20)
    k = min(256, sets_for(set_bytes))
    sets = [first] + [make_buffers(case, torch.bfloat16, dev, gen) for _ in range(k - 1)]
    srcs = [torch.randn(1 << 20, dtype=torch.bfloat16, device=dev) for _ in range(k)]
    dsts = [torch.empty_like(s) for s in srcs]
    batch = sgmv.LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32),
                                         torch.arange(case.num_segments, dtype=torch.int32), device=dev)
    copies = [(lambda s=s, d=d: torch.mul(s, 1, out=d)) for s, d in zip(srcs, dsts)]
    lora = [(lambda b=b: sgmv.add_lora(b.y, b.x, b.lora_a, b.lora_b, batch, 0.5)) for b in sets]
    both = [f for pair in zip(copies, lora) for f in pair]
    t_both = time_graph(both, replays=15) * len(both)
    t_copy = time_graph(copies, replays=15) * len(copies)
    alone = time_graph(lora, replays=15)
    line = f"{case.name:36s} after-copy {(t_both - t_copy) / k:7.2f}  copy {t_copy / k:6.2f}  alone {alone:6.2f}"
    print(line, flush=True)
    out.write(line + "\n")
    del sets, srcs, dsts
    torch.cuda.empty_cache()
