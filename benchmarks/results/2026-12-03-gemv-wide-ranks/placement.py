"""NOTES entry 252, call 2: are the r32-r64 gemv kernels slow because a cluster's blocks share SMs? The same kernels
launched with more dynamic shared memory than two blocks an SM fit (one block an SM), against their own launch and
dispatch without the gemv kernel, on one-row batches of 8-16 segments (graph replay, cold, median; checked first)."""
import dataclasses
import sys
import zlib

import torch

import sgmv
from sgmv import cuda_ops, loader, manifest, one_launch
from sgmv.bench.cases import BenchCase, make_buffers
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph

ONE_PER_SM = 120 * 1024
dtype_name = sys.argv[1] if len(sys.argv) > 1 else "bf16"
dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[dtype_name]
kernels = manifest.load().kernels
dev = loader.device(0)
big = {}
for k in kernels:
    if k.op == "gemv" and k.dtype == dtype_name and k.rank > 16:
        big[k.name] = dataclasses.replace(k, smem_bytes=ONE_PER_SM)
        dev.function(big[k.name])  # loaded first: the attribute allows the larger launch
        print(k.name, "clusters held:", dev.resident_clusters(k, k.gemv_cluster), "at", k.smem_bytes, "B;",
              dev.resident_clusters(big[k.name], k.gemv_cluster), "at", ONE_PER_SM, "B")
bandwidth = copy_bandwidth("cuda")
for h in (4096, 8192):
    for rank in (32, 64):
        for segs in (8, 12, 15, 16):
            case = BenchCase(h, h, rank, segs, "distinct", (1,) * segs)
            gen = torch.Generator("cuda").manual_seed(zlib.crc32(case.name.encode()))
            first = make_buffers(case, dtype, "cuda", gen)
            nbytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b))
            sets = [first] + [make_buffers(case, dtype, "cuda", gen) for _ in range(sets_for(nbytes) - 1)]
            batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(segs)), device="cuda")
            rows = cuda_ops.Rows(batch.seg_indptr, batch.lora_indices, max_segment_rows=1, tables_ready=True)
            floor = case.floor_bytes(2) / bandwidth * 1e6
            y0 = first.y.clone()
            want = y0.clone()
            cuda_ops.add_lora(want, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5, fused=False)
            variants = [("gemv-off", "off")]
            for k in kernels:
                if k.op == "gemv" and k.dtype == dtype_name and k.rank == rank:
                    variants += [(f"C{k.gemv_cluster}", k), (f"C{k.gemv_cluster}/1sm", big[k.name])]
            line = f"{case.name:32} tgt {max(1.3 * floor, floor + 4):6.2f}"
            for name, v in variants:
                one_launch.GEMV = 0 if v == "off" else 1
                fused = None if v == "off" else v
                got = y0.clone()
                cuda_ops.add_lora(got, first.x, [first.lora_a], [first.lora_b], rows, None, 0.5, fused=fused)
                delta = want.double() - y0.double()
                err = ((got.double() - want.double()).norm() / max(delta.norm(), 1e-30)).item()
                us = time_graph([lambda b=b: cuda_ops.add_lora(b.y, b.x, [b.lora_a], [b.lora_b], rows, None, 0.5,
                                                               fused=fused) for b in sets])
                line += f" |{name} {us:6.2f}" + (f" ERR {err:.0e}" if err > 1e-2 else "")
            one_launch.GEMV = 1
            print(line, flush=True)
            del sets
            torch.cuda.empty_cache()
