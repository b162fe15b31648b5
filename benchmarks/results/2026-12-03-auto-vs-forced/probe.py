"""NOTES entry 222: is dispatch's launch of a case ("auto") slower than the same kernel forced (fused=kernel), as
entries 214, 219 and 220 saw (2.5-3% on r64 grid-handoff cases), or is it the order of timing? Logs each path's
launch (kernel, grid, block, shared memory, cluster, the params' fields) for one eager call, then times the two
alternately, three rounds, each a fresh graph (the bench's time_graph over cold sets).
Usage: python probe.py CASE [CASE ...] (quick-sweep case names, bf16)."""
import sys
import zlib

import torch

import sgmv
from sgmv import cuda_ops, loader, manifest
from sgmv.bench.cases import make_buffers, sweep
from sgmv.bench.timer import sets_for, time_graph

launches = []
_launch = loader.launch


def plain(value):
    """A ctypes struct or array as dicts and lists; device addresses (2^40 and up) as None."""
    if hasattr(value, "_fields_"):
        return {f: plain(getattr(value, f)) for f, *_ in value._fields_}
    if hasattr(value, "_length_"):
        return [plain(v) for v in value]
    return None if isinstance(value, int) and value >= 1 << 40 else value


def logged(kernel, geometry, params, tensor, overlap_previous=False):
    launches.append((kernel.name, geometry, overlap_previous, plain(params)))
    return _launch(kernel, geometry, params, tensor, overlap_previous)


for name in sys.argv[1:]:
    case = next(c for c in sweep(quick=True) if c.name == name)
    gen = torch.Generator("cuda").manual_seed(zlib.crc32(case.name.encode()))
    first = make_buffers(case, torch.bfloat16, "cuda", gen)
    nbytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b))
    sets = [first] + [make_buffers(case, torch.bfloat16, "cuda", gen) for _ in range(sets_for(nbytes) - 1)]
    batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(case.num_segments)), device="cuda")
    rows = cuda_ops.Rows(batch.seg_indptr, batch.lora_indices, max_segment_rows=batch.max_segment_rows or -1,
                         tables_ready=batch.tables_from_host)
    loader.launch = logged
    launches.clear()
    cuda_ops.add_lora(first.y, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5)
    auto_name = launches[-1][0]
    forced = manifest.load().by_name(auto_name)
    cuda_ops.add_lora(first.y, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5, fused=forced)
    loader.launch = _launch
    torch.cuda.synchronize()
    print(name, "auto:", launches[0][0], launches[0][1], launches[0][2])
    print(name, "forced:", launches[1][0], launches[1][1], launches[1][2])
    diff = {k: (v, launches[1][3].get(k)) for k, v in launches[0][3].items() if launches[1][3].get(k) != v}
    print(name, "params that differ (auto, forced):", diff)
    times = {"auto": [], "forced": []}
    for _ in range(3):
        for label, variant in (("forced", forced), ("auto", None)):
            times[label].append(time_graph([lambda b=b, v=variant: cuda_ops.add_lora(
                b.y, b.x, [b.lora_a], [b.lora_b], rows, None, 0.5, fused=v) for b in sets]))
    print(name, " ".join(f"{k} " + " ".join(f"{t:.2f}" for t in v) for k, v in times.items()), flush=True)
    del sets
    torch.cuda.empty_cache()
