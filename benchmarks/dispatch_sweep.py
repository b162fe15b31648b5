"""The quick sweep once per value of one dispatch constant, times side by side: how the dispatch rules'
constants were chosen (benchmarks/NOTES.md, entries 12, 14 and 16).

    python benchmarks/dispatch_sweep.py OUT_DIR DTYPE NAME=V1,V2,... [OTHER=V ...] [--cases=TEXT] [--ops=...] [--full]

e.g. `PIPELINE_BLOCKS_PER_SM=1000000000,1,2,4,8` (10**9: one column tile per pipelined block) or
`TALL_TILE_MIN_ROWS=2048,256,64`; OTHER=V sets further constants for the whole sweep; --full takes the full
sweep's cases instead of the quick sweep's. No baselines, no serving pairs.
"""
import json
import pathlib
import sys

from sgmv import cuda_ops, dispatch
from sgmv.bench.run import run


def main(out: pathlib.Path, dtype: str, name: str, values: list[int], cases: str | None, ops: list[str],
         quick: bool = True) -> None:
    if not hasattr(dispatch, name):
        raise SystemExit(f"sgmv.dispatch has no constant {name}")
    times: dict[tuple[str, str], dict[int, tuple[float, float]]] = {}
    for value in values:
        setattr(dispatch, name, value)
        cuda_ops._installed_kernel.cache_clear()  # selections are memoized per problem
        cuda_ops._installed_fused_kernel.cache_clear()
        rows = run(quick=quick, dtypes=[dtype], op_names=ops, out=out / f"{name}={value}", baselines=False,
                   command=f"dispatch_sweep {name}={value}", pairs=False, case_filter=cases)
        for r in rows:
            times.setdefault((r.op, r.case), {})[value] = (r.time_us, r.floor_us)
    lines = [f"{name}; time_us per value", "op       case                                floor  " +
             " ".join(f"{v:>10}" for v in values)]
    for (op, case), t in times.items():
        floor = next(iter(t.values()))[1]
        lines.append(f"{op:8s} {case:36s} {floor:6.1f}  " + " ".join(f"{t[v][0]:10.1f}" for v in values))
    text = "\n".join(lines)
    print(text)
    (out / f"{name}.txt").write_text(text + "\n")
    (out / f"{name}.json").write_text(json.dumps({f"{op} {case}": t for (op, case), t in times.items()}))


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
         flags.get("--ops", "expand,add_lora").split(","), quick="--full" not in flags)
