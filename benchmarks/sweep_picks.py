"""The kernels dispatch picks for dispatch_sweep's --batches under each value of one constant, on the CPU (the H200
model of dispatch_picks.py), and, given that sweep's table, the time ratio of each batch whose pick moved (last value
over first): which of a sweep's rows a constant changed, as entries 302 and 305 of NOTES.md read them.

    PYTHONPATH=python python benchmarks/sweep_picks.py MANIFEST DTYPE NAME=V1,V2 BATCHES SHAPES RANKS [TABLE]

MANIFEST: a built wheel's sgmv/kernels/manifest.json; BATCHES, SHAPES, RANKS: dispatch_sweep's --batches, --shapes and
--ranks values; TABLE: the NAME.txt dispatch_sweep wrote for the same arguments.
"""
import json
import pathlib
import statistics
import sys

import torch

import dispatch_picks
import dispatch_sweep
from sgmv import cuda_ops, manifest
from sgmv.bench import run


def picks(dtype: torch.dtype, name: str, values: list[int], cases) -> dict[str, list[str]]:
    """Each case's kernels under each value of `name`, in order."""
    out: dict[str, list[str]] = {}
    for value in values:
        dispatch_sweep.set_constant(name, value)
        cuda_ops.clear_selections()
        for case in cases:
            out.setdefault(case.name, []).append(run.kernels_for(
                case, dtype, "add_lora", 90, dispatch_picks.NUM_SMS, dispatch_picks.resident_blocks,
                dispatch_picks.resident_clusters, launches=True))
    return out


def table_times(path: str) -> dict[str, list[float]]:
    """dispatch_sweep's table: each add_lora case's time under each value."""
    return {p[1]: [float(t) for t in p[3:]] for p in (line.split() for line in open(path))
            if p and p[0] == "add_lora"}


def main(argv: list[str]) -> None:
    loaded = manifest.parse(json.loads(pathlib.Path(argv[0]).read_text()))
    run.load_manifest = lambda: loaded  # kernels_for's kernels
    dtype = dispatch_picks.DTYPES[argv[1]]
    name, spec = argv[2].split("=", 1)
    cases = dispatch_sweep.batch_cases(argv[3], argv[4], argv[5])
    times = table_times(argv[6]) if len(argv) > 6 else {}
    ratios = []
    for case, kernels in picks(dtype, name, [int(v) for v in spec.split(",")], cases).items():
        t = times.get(case)
        if len(set(kernels)) == 1:
            print(f"same  {case} {kernels[0]} {t or ''}")
            continue
        ratio = t[-1] / t[0] if t else None
        ratios += [ratio] if ratio else []
        print(f"moved {case} {' -> '.join(kernels)} {t or ''} {f'{ratio:.2f}' if ratio else ''}")
    if ratios:
        print(f"{len(ratios)} moved: {min(ratios):.2f}-{max(ratios):.2f}, median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 7:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
