"""Entry 348's probe: what a per-adapter scale tensor costs add_lora against a Python float, on the GPU (the bench's
timer: CUDA-graph replay over cold buffer sets, median). With a tensor the first kernel reads no table before its wait
(cuda_ops._params: tables of unknown origin) and multiplies by each segment's scale; LoraLinear passes its slots'
scales as a tensor, and folding them into lora_b at load time (vLLM's way) would let it pass 1.0. Quick-sweep decode
cases and a few larger ones, bf16, float then tensor then tensor then float (A B B A).

    cd /tmp && PYTHONPATH=<installed wheel> python3 <repo>/benchmarks/results/2026-12-05-host-time/scales_probe.py
"""
import statistics
import zlib

import torch

import sgmv
from sgmv.bench.cases import BenchCase, make_buffers
from sgmv.bench.timer import sets_for, time_graph, warm_up

CASES = [BenchCase(h, h, r, rows, pop, sizes) for h, r, rows, pop, sizes in [
    (4096, 16, 1, "distinct", (1,)), (4096, 16, 16, "distinct", (1,) * 16), (4096, 16, 16, "uniform", (4,) * 4),
    (4096, 64, 1, "distinct", (1,)), (4096, 64, 16, "distinct", (1,) * 16), (8192, 16, 64, "distinct", (1,) * 64),
    (8192, 64, 64, "uniform", (8,) * 8), (4096, 16, 256, "uniform", (16,) * 16), (4096, 64, 256, "identical", (256,))]]


def main() -> None:
    device = torch.device("cuda")
    warm_up(device)
    print(f"{'case':36} {'float us':>9} {'tensor us':>10} {'tensor/float':>13}", flush=True)
    for case in CASES:
        gen = torch.Generator(device=device).manual_seed(zlib.crc32(case.name.encode()))
        first = make_buffers(case, torch.bfloat16, device, gen)
        set_bytes = sum(t.numel() * t.element_size() for t in (first.x, first.y, first.lora_a, first.lora_b))
        sets = [first] + [make_buffers(case, torch.bfloat16, device, gen) for _ in range(sets_for(set_bytes) - 1)]
        batch = sgmv.LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32),
                                             torch.arange(case.num_segments, dtype=torch.int32), device=device)
        scales = torch.full((case.num_segments,), 0.5, device=device)
        runs = {"float": [], "tensor": []}
        for kind in ("float", "tensor", "tensor", "float"):
            scale = 0.5 if kind == "float" else scales
            runs[kind].append(time_graph([lambda b=b: sgmv.add_lora(b.y, b.x, b.lora_a, b.lora_b, batch, scale)
                                          for b in sets]))
        f, t = statistics.mean(runs["float"]), statistics.mean(runs["tensor"])
        print(f"{case.name:36} {f:9.2f} {t:10.2f} {t / f:13.3f}", flush=True)


if __name__ == "__main__":
    main()
