"""The quick sweep once per value of one dispatch constant, times side by side: how the dispatch rules'
constants were chosen (benchmarks/NOTES.md, entries 12, 14 and 16).

    python benchmarks/dispatch_sweep.py OUT_DIR DTYPE NAME=V1,V2,... [OTHER=V ...] [--cases=TEXT] [--ops=...] [--full]
        [--repeat=N] [--with=NAME2=W1,W2,...] [--batches=SxR,... [--shapes=IxO,...] [--ranks=R,...]]

e.g. `PIPELINE_BLOCKS_PER_SM=1000000000,1,2,4,8` (10**9: one column tile per pipelined block) or
`TALL_TILE_MIN_ROWS=2048,256,64`; OTHER=V sets further constants for the whole sweep; --full takes the full
sweep's cases instead of the quick sweep's; --repeat=N runs the values N times in turn (V1, V2, ..., V1, V2, ...)
and reports each case's median, against drift of the machine (the same kernels moved up to +-1.7 us between
values in NOTES.md, entry 22); --with sets a second constant in step with the first (its i-th value with the
first's i-th; columns V/W), for rules of two constants (entry 48); --cases as the bench's (a comma list of texts,
any of which a case's name contains); --batches times batches of its own instead of a sweep's: S segments of R rows
each, each its own adapter ("uniform"), at every --shapes h_in x h_out (default: the sweeps' four) and --ranks
(default 16,64), as entries 140-145 of NOTES.md did with scripts of their own. No baselines, no serving pairs.
"""
import json
import pathlib
import statistics
import sys

from sgmv import cuda_ops, dispatch, launch_plan, one_launch, one_launch_gemv, one_launch_padded
from sgmv.bench.cases import BenchCase
from sgmv.bench.run import run

# The modules whose constants a sweep may set: which kernel runs, how it is launched.
RULES = (dispatch, one_launch, one_launch_gemv, one_launch_padded, launch_plan)
SHAPES = "4096x4096,8192x8192,4096x14336,14336x4096"  # --batches' default h_in x h_out (the sweeps' shapes)


def set_constant(name: str, value: int) -> None:
    """Sets the dispatch or launch-plan constant `name` where it is defined."""
    setattr(next(module for module in RULES if hasattr(module, name)), name, value)


def batch_cases(batches: str, shapes: str = SHAPES, ranks: str = "16,64") -> list[BenchCase]:
    """--batches' cases: "SxR" S segments of R rows, each its own adapter, at each "IxO" shape and rank."""
    def pairs(spec: str) -> list[tuple[int, int]]:
        try:
            return [(int(a), int(b)) for a, b in (item.split("x") for item in spec.split(","))]
        except ValueError:
            raise SystemExit(f"{spec!r}: expected a comma list of AxB (two whole numbers each)") from None
    return [BenchCase(h_in, h_out, int(rank), segments * rows, "uniform", (rows,) * segments)
            for h_in, h_out in pairs(shapes) for rank in ranks.split(",") for segments, rows in pairs(batches)]


def main(out: pathlib.Path, dtype: str, name: str, values: list[int], cases: str | None, ops: list[str],
         quick: bool = True, repeat: int = 1, paired: tuple[str, list[int]] | None = None,
         batches: list[BenchCase] | None = None) -> None:
    """paired: (NAME2, its values), set in step with `values` (the columns are labelled V/W); parse checks both.
    batches: cases of the tool's own (batch_cases), timed in place of the sweep's."""
    labels = [f"{v}/{w}" for v, w in zip(values, paired[1])] if paired else [str(v) for v in values]
    samples: dict[tuple[str, str], dict[str, list[float]]] = {}
    floors: dict[tuple[str, str], float] = {}
    for round_ in range(repeat):
        for i, (value, label) in enumerate(zip(values, labels)):
            set_constant(name, value)
            if paired:
                set_constant(paired[0], paired[1][i])
            cuda_ops.clear_selections()  # selections are memoized per problem
            setting = f"{name}={value}" + (f",{paired[0]}={paired[1][i]}" if paired else "")
            folder = setting + (f"-{round_}" if repeat > 1 else "")
            rows = run(quick=quick, dtypes=[dtype], op_names=ops, out=out / folder, baselines=False,
                       command=f"dispatch_sweep {setting}", pairs=False, case_filter=cases, cases=batches)
            for r in rows:
                samples.setdefault((r.op, r.case), {}).setdefault(label, []).append(r.time_us)
                floors[(r.op, r.case)] = r.floor_us
    times = {key: {v: statistics.median(t) for v, t in per_value.items()} for key, per_value in samples.items()}
    title = name + (f"/{paired[0]}" if paired else "")
    lines = [f"{title}; time_us per value" + (f" (median of {repeat})" if repeat > 1 else ""),
             "op       case                                floor  " + " ".join(f"{v:>10}" for v in labels)]
    for (op, case), t in times.items():
        lines.append(f"{op:8s} {case:36s} {floors[(op, case)]:6.1f}  " + " ".join(f"{t[v]:10.1f}" for v in labels))
    text = "\n".join(lines)
    print(text)
    (out / f"{name}.txt").write_text(text + "\n")
    (out / f"{name}.json").write_text(json.dumps({f"{op} {case}": {"floor_us": floors[(op, case)], "times_us": t}
                                                  for (op, case), t in samples.items()}))


def parse(argv: list[str]) -> dict:
    """The command line as main's arguments, plus `fixed`: {OTHER: V} to set for the whole sweep. Unknown constants
    and a --with of another length than the swept values stop it here, before any GPU work."""
    flags = {a.split("=", 1)[0]: a.split("=", 1)[-1] for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    if len(args) < 3 or "=" not in args[2]:
        raise SystemExit(__doc__)
    constant, spec = args[2].split("=", 1)
    fixed = dict(a.split("=", 1) for a in args[3:])
    paired = None
    if "--with" in flags:
        paired_name, paired_spec = flags["--with"].split("=", 1)
        paired = (paired_name, [int(v) for v in paired_spec.split(",")])
    values = [int(v) for v in spec.split(",")]
    for name in [constant, *fixed] + ([paired[0]] if paired else []):
        if not any(hasattr(module, name) for module in RULES):
            raise SystemExit(f"no constant {name} in " + ", ".join(m.__name__ for m in RULES))
    if paired and len(paired[1]) != len(values):
        raise SystemExit(f"--with gives {len(paired[1])} values for {len(values)} of {constant}")
    return dict(out=pathlib.Path(args[0]), dtype=args[1], name=constant, values=values,
                fixed={k: int(v) for k, v in fixed.items()}, cases=flags.get("--cases"),
                ops=flags.get("--ops", "expand,add_lora").split(","), quick="--full" not in flags,
                repeat=int(flags.get("--repeat", 1)), paired=paired,
                batches=batch_cases(flags["--batches"], flags.get("--shapes", SHAPES), flags.get("--ranks", "16,64"))
                if "--batches" in flags else None)


if __name__ == "__main__":
    options = parse(sys.argv[1:])
    for other, value in options.pop("fixed").items():
        set_constant(other, value)
    main(**options)
