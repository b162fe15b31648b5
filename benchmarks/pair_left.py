"""Where add_lora still runs the launch pair (two launches: a shrink and an expand) after every one-launch path
dispatch has (NOTES.md, entry 336), on the CPU with dispatch_picks' model of the H200: per rank, how many of the
batches at the shapes the pair takes, and which.

    PYTHONPATH=python python benchmarks/pair_left.py --manifest=M [--ranks=R,...] [--shapes=IxO,...]
        [--batches=SxR,...]

--manifest as dispatch_picks.py's (a wheel's sgmv/kernels/manifest.json); --batches S segments of R rows each, each its
own adapter (dispatch_sweep's --batches); defaults: the grid's ranks and 8 off it, 10 model shapes, 29 decode, short-
segment and prefill batches.
"""
import json
import pathlib
import sys

import torch

from sgmv import manifest
from sgmv.bench import run
from dispatch_picks import NUM_SMS, resident_blocks, resident_clusters
from dispatch_sweep import batch_cases

RANKS = "8,16,24,32,48,64,72,96,128,136,160,192,256,512"
SHAPES = "4096x4096,8192x8192,4096x14336,14336x4096,2048x5632,3584x18944,5120x13824,8192x28672,28672x8192,18944x3584"
BATCHES = ("1x1,2x1,4x1,8x1,16x1,32x1,64x1,100x1,132x1,200x1,256x1,512x1,16x16,8x32,4x64,2x512,1x1024,1x2048,1x4096,"
           "8x128,32x8,64x4,20x3,12x2,40x2,128x8,16x128,4x1024,8x512")


def pair_left(ranks: str, shapes: str, batches: str) -> list[str]:
    """A line a rank: the batches (h_in x h_out: segments x rows) that run the launch pair, of how many."""
    left: dict[int, list[str]] = {}
    total: dict[int, int] = {}
    for case in batch_cases(batches, shapes, ranks):
        kernels = run.kernels_for(case, torch.bfloat16, "add_lora", 90, NUM_SMS, resident_blocks, resident_clusters)
        total[case.rank] = total.get(case.rank, 0) + 1
        if "sgmv_shrink" in kernels:
            left.setdefault(case.rank, []).append(
                f"{case.h_in}x{case.h_out}:{case.num_segments}x{case.rows // case.num_segments}")
    return [f"r{rank}: {len(left.get(rank, []))} of {n}  " + " ".join(left.get(rank, []))
            for rank, n in sorted(total.items())]


if __name__ == "__main__":
    flags = {a.split("=", 1)[0]: a.split("=", 1)[-1] for a in sys.argv[1:] if a.startswith("--")}
    if "--manifest" in flags:
        loaded = manifest.parse(json.loads(pathlib.Path(flags["--manifest"]).read_text()))
        run.load_manifest = lambda: loaded  # kernels_for's kernels
    print("\n".join(pair_left(flags.get("--ranks", RANKS), flags.get("--shapes", SHAPES),
                              flags.get("--batches", BATCHES))))
