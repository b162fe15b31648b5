"""Times the full sweep's add_lora cases that the prefill kernel may take (distinct bs64 and bs256, and prefill, at
ranks 16-64), without baselines or serving pairs: the A/B driver of benchmarks/NOTES.md entry 45.

    python benchmarks/ab_cases.py OUT_DIR bf16[,fp16] [RANKS]

RANKS: a comma list (default 16,32,64); at rank 8 every case of 64 rows or more (its 16-row tile takes the distinct,
skewed and prefill batches, and r16's variant for true ranks some of them: one_launch_padded.padded_one_launch).

Run it once per installed build (each on PYTHONPATH), in alternating order, then compare the runs' results.csv with
benchmarks/ab_summary.py (benchmarks/ab_prefill_builds.sh does all of it for two prefill builds).
"""
import pathlib
import sys

from sgmv.bench import run as bench_run

RANKS = (16, 32, 64)
full_sweep = bench_run.sweep


def prefill_kernel_cases(quick: bool) -> list:
    """The full sweep's cases of RANKS that run on the prefill kernel (`quick` is ignored)."""
    return [c for c in full_sweep(False) if c.rank in RANKS and (
        c.popularity == "prefill" or (c.popularity == "distinct" and c.rows >= 64) or (c.rank == 8 and c.rows >= 64))]


if __name__ == "__main__":
    if len(sys.argv) > 3:
        RANKS = tuple(int(r) for r in sys.argv[3].split(","))
    bench_run.sweep = prefill_kernel_cases
    bench_run.run(quick=False, dtypes=sys.argv[2].split(","), op_names=["add_lora"], out=pathlib.Path(sys.argv[1]),
                  baselines=False, command="ab_cases " + " ".join(sys.argv[1:]), pairs=False)
