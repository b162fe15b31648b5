"""How many column tiles each pipelined expand block should stream: the quick sweep (expand and add_lora,
no baselines) once per value of dispatch.PIPELINE_BLOCKS_PER_SM, one table of times side by side.

    python benchmarks/pipeline_sweep.py OUT_DIR [DTYPE] [VALUE ...] [--cases=TEXT]

A value of 0 means one column tile per block (the pipelined kernels without pipelining).
"""
import json
import pathlib
import sys

from sgmv import dispatch
from sgmv.bench.run import run


def main(out: pathlib.Path, dtype: str, values: list[int], cases: str | None = None) -> None:
    times: dict[tuple[str, str], dict[int, float]] = {}
    for value in values:
        dispatch.PIPELINE_BLOCKS_PER_SM = value or 10 ** 9
        rows = run(quick=True, dtypes=[dtype], op_names=["expand", "add_lora"], out=out / f"v{value}",
                   baselines=False, command=f"pipeline_sweep {value}", pairs=False, case_filter=cases)
        for r in rows:
            times.setdefault((r.op, r.case), {})[value] = (r.time_us, r.floor_us)
    lines = ["op       case                                floor  " + " ".join(f"{v:>7}" for v in values)]
    for (op, case), t in times.items():
        floor = next(iter(t.values()))[1]
        lines.append(f"{op:8s} {case:36s} {floor:6.1f}  " + " ".join(f"{t[v][0]:7.1f}" for v in values))
    text = "\n".join(lines)
    print(text)
    (out / "pipeline_sweep.txt").write_text(text + "\n")
    (out / "pipeline_sweep.json").write_text(json.dumps({f"{op} {case}": t for (op, case), t in times.items()}))


if __name__ == "__main__":
    cases = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--cases=")), None)
    args = [a for a in sys.argv[1:] if not a.startswith("--cases=")]
    main(pathlib.Path(args[0]), args[1] if len(args) > 1 else "bf16", [int(v) for v in args[2:]] or [0, 1, 2, 4, 8],
         cases)
