"""Entry 369: the slice_calls rule's decision on each case of a slices_probe.py run (H200 occupancy model of
dispatch_picks.py, the installed manifest's bf16 kernels), and the ranges of one call a slice / the pair by class.

    PYTHONPATH=<an unpacked wheel with the tree's Python> python rule_outcome.py rule-bf16.json
"""
import json
import pathlib
import re
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))  # benchmarks/
import dispatch_picks as dp  # noqa: E402
from sgmv import manifest, one_launch_padded, slice_calls  # noqa: E402
from sgmv.dispatch import Problem  # noqa: E402

kernels = [k for k in manifest.load().kernels if k.dtype == "bf16"]
groups: dict[tuple, list[tuple[str, float, float]]] = {}
for r in json.load(open(sys.argv[1]))["results"]:
    m = re.match(r"\w+_h(\d+)to([\d+]+)_r(\d+)_bs(\d+)_a(\d+)", r["case"])
    h_in, outs, rank, rows, adapters = int(m[1]), [int(o) for o in m[2].split("+")], int(m[3]), int(m[4]), int(m[5])
    problems = [Problem("fused", "bf16", rank, h_in, rows, adapters, True, (h,), (rank,), rows // adapters)
                for h in outs]
    plans = [one_launch_padded.one_launch_plan(p, kernels, 132, dp.resident_blocks, dp.resident_clusters)
             for p in problems]
    key = ("taken" if slice_calls.one_call_a_slice(problems, plans) else "kept", "rank>=64" if rank >= 64 else "rank<64",
           "decode" if rows <= 256 else "tall", "x<=10%" if slice_calls.extra_x_share(problems) <= 0.1 else "x>10%")
    pair = r["the pair"]["us"]
    groups.setdefault(key, []).append((r["case"], r["one call"]["us"] / pair, r["a call a slice"]["us"] / pair))
for key, rows_ in sorted(groups.items()):
    per = sorted(x[2] for x in rows_)
    print(" ".join(key), len(per), "a call a slice / the pair: min %.2f median %.2f max %.2f" % (
        per[0], statistics.median(per), per[-1]))
taken = [x[1] for key, rows_ in groups.items() if key[0] == "taken" for x in rows_]
print(f"taken {len(taken)}: one call (as dispatched) / the pair median {statistics.median(taken):.3f}, "
      f"{min(taken):.3f}-{max(taken):.3f}")
