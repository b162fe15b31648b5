"""The quick sweep's add_lora cases that the fused kernel may run (not prefill), at ranks 16 and 64, without the
r16 h8192 pair kernels the filtered build lacks: the A/B driver of NOTES entry 49.  python ab_handoff.py OUT"""
import pathlib, sys
from sgmv.bench import run as bench_run
quick = bench_run.sweep
def cases(q):
    return [c for c in quick(True) if c.popularity != "prefill" and not (c.popularity == "distinct" and c.rows >= 64)
            and (c.rank == 64 or c.h_in == 4096 or c.popularity == "distinct")]
bench_run.sweep = cases
bench_run.run(quick=True, dtypes=["bf16"], op_names=["add_lora"], out=pathlib.Path(sys.argv[1]), baselines=False,
              command="ab_handoff " + sys.argv[1], pairs=False)
