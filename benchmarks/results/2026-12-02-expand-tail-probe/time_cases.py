"""Times add_lora (bf16) on the quick sweep's cases whose name contains any of a comma list of texts, as the bench
does (graph replay over cold buffer sets, median) but with no check: for probe builds whose results are wrong on
purpose (NOTES entry 176). Prints a line a case: name, the kernel dispatch picks, microseconds.

    python time_cases.py TEXTS
"""
import dataclasses
import sys
import zlib

import torch

from sgmv import LoraBatch, loader
from sgmv.bench.cases import make_buffers, matching, sweep
from sgmv.bench.run import _op_call, kernels_for
from sgmv.bench.timer import sets_for, time_graph, warm_up


def main(texts: str) -> None:
    device = torch.device("cuda")
    warm_up(device)
    for case in matching(sweep(quick=True), texts):
        gen = torch.Generator(device=device).manual_seed(zlib.crc32(case.name.encode()))
        first = make_buffers(case, torch.bfloat16, device, gen)
        set_bytes = sum(t.numel() * t.element_size() for t in dataclasses.astuple(first))
        sets = [first] + [make_buffers(case, torch.bfloat16, device, gen) for _ in range(sets_for(set_bytes) - 1)]
        batch = LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32),
                                        torch.arange(case.num_segments, dtype=torch.int32), device=device)
        time_us = time_graph([_op_call("add_lora", b, batch) for b in sets])
        kernel = kernels_for(case, torch.bfloat16, "add_lora", 90, 132, loader.device(0).resident_blocks)
        print(f"{case.name:32s} {kernel:45s} {time_us:7.2f}", flush=True)
        del sets
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main(sys.argv[1])
