"""Entry 369: the slice_calls rule's decision (the tree's on PYTHONPATH) on each case of a slices_probe.py run (H200
occupancy model of dispatch_picks.py, the installed manifest's bf16 kernels), and the ranges of one call a slice / the
pair by class. ("one call" is add_lora as the run's own tree dispatched it: calls 3 and 4 ran before the rule took
rank 128's two-slice decode calls.)

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
    key = ("taken" if slice_calls.one_call_a_slice(problems, plans) else "kept",
           "rank>=64" if rank >= 64 else "rank<64", "decode" if rows <= 256 else "tall",
           "x<=10%" if slice_calls.extra_x_share(rows, h_in, adapters, [rank] * len(outs), outs) <= 0.1 else "x>10%")
    pair = r["the pair"]["us"]
    groups.setdefault(key, []).append((r["case"], r["one call"]["us"] / pair, r["a call a slice"]["us"] / pair))
for key, rows_ in sorted(groups.items()):
    per = sorted(x[2] for x in rows_)
    print(" ".join(key), len(per), "a call a slice / the pair: min %.2f median %.2f max %.2f" % (
        per[0], statistics.median(per), per[-1]))
taken = [x for key, rows_ in groups.items() if key[0] == "taken" for x in rows_]
one, per = [x[1] for x in taken], [x[2] for x in taken]
print(f"taken {len(taken)}: one call (as the run's tree dispatched it) / the pair median {statistics.median(one):.3f}, "
      f"{min(one):.3f}-{max(one):.3f}; a call a slice (this tree's rule) / the pair median "
      f"{statistics.median(per):.3f}, {min(per):.3f}-{max(per):.3f}")
