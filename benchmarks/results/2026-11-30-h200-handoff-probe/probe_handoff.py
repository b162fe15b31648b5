"""Grid-handoff cases under the probe patch's kernels (probe-handoff-stamps.patch): 24 calls of one case,
each after a 256 MB write (`dirty`: cold L2, as the bench) or none (`b2b`); the kernels print their stamps (device
printf, to stdout at the synchronize). Then the medians per printing block.

    for i in 0 1 2 3 4 5 6; do python probe_handoff.py run $i dirty; done > stamps.txt
    python probe_handoff.py summary stamps.txt
"""
import collections
import random
import re
import statistics
import sys

CASES = [(4096, 64, 1, "distinct"), (8192, 64, 1, "distinct"), (4096, 64, 16, "identical"),
         (8192, 64, 16, "identical"), (4096, 64, 16, "uniform"), (4096, 64, 256, "identical"),
         (8192, 64, 256, "identical")]


def run(index: int, mode: str) -> None:
    import torch
    import sgmv
    from sgmv.bench.cases import BenchCase, decode_segments, make_buffers
    h, r, rows, pop = CASES[index]
    segs = decode_segments(rows, pop, random.Random(0))
    case = BenchCase(h, h, r, rows, pop, segs)
    bufs = make_buffers(case, torch.bfloat16, "cuda", torch.Generator("cuda").manual_seed(0))
    batch = sgmv.LoraBatch.from_segments(case.indptr(), list(range(len(segs))), device="cuda")
    flush = torch.empty(1 << 28, dtype=torch.uint8, device="cuda")
    print(f"CASE h{h} r{r} bs{rows} {pop} {mode}", flush=True)
    for _ in range(24):
        if mode == "dirty":
            flush.add_(1)
        sgmv.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, 0.5)
    torch.cuda.synchronize()


def summary(path: str) -> None:
    steps = None
    for line in open(path).read().splitlines() + ["CASE end"]:
        if line.startswith("CASE"):
            if steps:
                for block, named in steps.items():
                    print(f"  {block:9s} " + " ".join(f"{k} {int(statistics.median(v))}" for k, v in named.items()))
            print(line)
            steps = collections.defaultdict(lambda: collections.defaultdict(list))
            continue
        m = re.match(r"PROBE y(\d+) of (\d+) (.*)", line)
        if m and steps is not None:
            for name, value in re.findall(r"([a-z][a-z0-9+-]*) (\d+)", m.group(3)):
                steps[f"y{m.group(1)}/{m.group(2)}"][name].append(int(value))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), sys.argv[3])
    else:
        summary(sys.argv[2])
