"""Entry 373: calls 6 and 7's packed calls (rows in token order, H100 bf16) with the kernel slice_calls.packed_kernel
gives each with PACKED_FLAT on (the stand-in H200's occupancy, benchmarks/dispatch_picks.py; the H100 has the same 132
SMs), and the packed launch's time (call 6: "packed launch"; call 7: "one call", as dispatched) against the launch pair's.

    python3 benchmarks/results/2026-12-05-s373-flat-packed/picks.py   (from the repository root, CPU only)
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


def main() -> None:
    slice_calls.PACKED_FLAT = 1
    for name, variant in (("call6-h100/tokens-flat-bf16.json", "packed launch"), ("call7-h100/tokens-bf16.json",
                                                                                  "one call")):
        print(f"{name} ({variant})")
        table(json.load(open(HERE / name))["results"], variant)


def table(results: list, variant: str) -> None:
    ratios, taken = [], []
    for row in results:
        m = re.match(r"\w+?_h(\d+)to([\d+]+)_r(\d+)_bs(\d+)_a(\d+)", row["case"])
        h_in, outs = int(m[1]), [int(o) for o in m[2].split("+")]
        rank, rows, adapters = int(m[3]), int(m[4]), int(m[5])
        problem = slice_calls.packed_problem([Problem("fused", "bf16", rank, h_in, rows, adapters, True, (h,),
                                                      (rank,), -1) for h in outs])
        took = slice_calls.packed_kernel(problem, KERNELS, 132, dispatch_picks.resident_blocks)
        pair, packed = row["the pair"]["us"], (row.get(variant) or {}).get("us")
        ratio = packed / pair if packed else None
        if ratio is not None:
            ratios.append(ratio)
            if took is not None:
                taken.append(ratio)
        print(f"{row['case']:44s} pair {pair:5.1f} us  packed {packed or 0:5.1f} us  "
              f"{'%.3f' % ratio if ratio else '  -  '}  {took.name if took else 'none (the pair)'}")
    print(f"{len(taken)} packed launches: median {statistics.median(taken):.3f}x the pair "
          f"({min(taken):.2f}-{max(taken):.2f}); all {len(ratios)} calls {statistics.median(ratios):.3f}x\n")


if __name__ == "__main__":
    main()
