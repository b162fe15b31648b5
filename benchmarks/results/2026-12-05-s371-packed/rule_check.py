"""Entry 371's rule over its calls' probe results: which packed calls slice_calls.packed_kernel takes (on the stand-in
H200's occupancy, benchmarks/dispatch_picks.py), and their packed launch's time against the launch pair's.

    python3 benchmarks/results/2026-12-05-s371-packed/rule_check.py   (from the repository root, CPU only)
"""
import json
import pathlib
import re
import statistics
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT / "python"), str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

import dispatch_picks  # noqa: E402
from dispatch_records import shipped  # noqa: E402
from sgmv import slice_calls  # noqa: E402
from sgmv.dispatch import Problem  # noqa: E402

KERNELS = shipped("sgmv_fused_bf16_*")
RUNS = (("call1-h100/packed-bf16.json", "segments"), ("call2-h200/one-row-bf16.json", "segments"),
        ("call2-h200/packed-fp16.json", "segments"), ("call2-h200/tokens-bf16.json", "tokens"))


def main() -> None:
    taken, left = [], []
    for name, order in RUNS:
        for row in json.load(open(HERE / name))["results"]:
            if row.get("packed launch") is None:
                continue
            m = re.match(r"\w+?_h(\d+)to([\d+]+)_r(\d+)_bs(\d+)_a(\d+)", row["case"])
            h_in, outs = int(m[1]), [int(o) for o in m[2].split("+")]
            rank, rows, adapters = int(m[3]), int(m[4]), int(m[5])
            longest = -(-rows // adapters) if order == "segments" else -1
            problem = slice_calls.packed_problem([Problem("fused", "bf16", rank, h_in, rows, adapters, True, (h,),
                                                          (rank,), longest) for h in outs])
            ratio = row["packed launch"]["us"] / row["the pair"]["us"]
            took = slice_calls.packed_kernel(problem, KERNELS, 132, dispatch_picks.resident_blocks)
            (taken if took is not None else left).append((ratio, name.split("/")[0], order, row["case"]))
    ratios = [t[0] for t in taken]
    print(f"taken {len(taken)}: median {statistics.median(ratios):.3f}x the pair ({min(ratios):.2f}-{max(ratios):.2f})")
    lost = [t[0] for t in left if t[0] >= 0.95]
    print(f"left {len(left)}: {len(lost)} at {min(lost):.2f}-{max(lost):.2f}x, {len(left) - len(lost)} under 0.95x")
    for t in sorted(left):
        print(f"  left {t[0]:.3f} {t[1]} {t[2]} {t[3]}")


if __name__ == "__main__":
    main()
