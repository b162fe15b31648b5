"""The quick sweep once per value of one dispatch constant, times side by side: how the dispatch rules'
constants were chosen (benchmarks/NOTES.md, entries 12, 14 and 16).

    python benchmarks/dispatch_sweep.py OUT_DIR DTYPE NAME=V1,V2,... [OTHER=V ...] [--cases=TEXT] [--ops=...] [--full]
        [--repeat=N]

e.g. `PIPELINE_BLOCKS_PER_SM=1000000000,1,2,4,8` (10**9: one column tile per pipelined block) or
`TALL_TILE_MIN_ROWS=2048,256,64`; OTHER=V sets further constants for the whole sweep; --full takes the full
sweep's cases instead of the quick sweep's; --repeat=N runs the values N times in turn (V1, V2, ..., V1, V2, ...)
and reports each case's median, against drift of the machine (the same kernels moved up to +-1.7 us between
values in NOTES.md, entry 22). No baselines, no serving pairs.
"""
import json
import pathlib
import statistics
import sys

from sgmv import cuda_ops, dispatch
from sgmv.bench.run import run


def main(out: pathlib.Path, dtype: str, name: str, values: list[int], cases: str | None, ops: list[str],
         quick: bool = True, repeat: int = 1) -> None:
    if not hasattr(dispatch, name):
        raise SystemExit(f"sgmv.dispatch has no constant {name}")
    samples: dict[tuple[str, str], dict[int, list[float]]] = {}
    floors: dict[tuple[str, str], float] = {}
    for round_ in range(repeat):
        for value in values:
            setattr(dispatch, name, value)
            cuda_ops._installed_kernel.cache_clear()  # selections are memoized per problem
            cuda_ops._installed_one_launch_kernel.cache_clear()
            folder = f"{name}={value}" + (f"-{round_}" if repeat > 1 else "")
            rows = run(quick=quick, dtypes=[dtype], op_names=ops, out=out / folder, baselines=False,
                       command=f"dispatch_sweep {name}={value}", pairs=False, case_filter=cases)
            for r in rows:
                samples.setdefault((r.op, r.case), {}).setdefault(value, []).append(r.time_us)
                floors[(r.op, r.case)] = r.floor_us
    times = {key: {v: statistics.median(t) for v, t in per_value.items()} for key, per_value in samples.items()}
    lines = [f"{name}; time_us per value" + (f" (median of {repeat})" if repeat > 1 else ""),
             "op       case                                floor  " + " ".join(f"{v:>10}" for v in values)]
    for (op, case), t in times.items():
        lines.append(f"{op:8s} {case:36s} {floors[(op, case)]:6.1f}  " + " ".join(f"{t[v]:10.1f}" for v in values))
    text = "\n".join(lines)
    print(text)
    (out / f"{name}.txt").write_text(text + "\n")
    (out / f"{name}.json").write_text(json.dumps({f"{op} {case}": {"floor_us": floors[(op, case)], "times_us": t}
                                                  for (op, case), t in samples.items()}))


if __name__ == "__main__":
    flags = {a.split("=", 1)[0]: a.split("=", 1)[-1] for a in sys.argv[1:] if a.startswith("--")}
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    constant, spec = args[2].split("=", 1)
    for fixed in args[3:]:
        other, value = fixed.split("=", 1)
        if not hasattr(dispatch, other):
            raise SystemExit(f"sgmv.dispatch has no constant {other}")
        setattr(dispatch, other, int(value))
    main(pathlib.Path(args[0]), args[1], constant, [int(v) for v in spec.split(",")], flags.get("--cases"),
         flags.get("--ops", "expand,add_lora").split(","), quick="--full" not in flags,
         repeat=int(flags.get("--repeat", 1)))
