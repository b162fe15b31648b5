"""`python -m sgmv bench [...]` (the shape sweep) and `python -m sgmv info`."""
from __future__ import annotations

import argparse
import os
import pathlib
import sys


def _bench(args) -> int:
    if args.list:
        from .bench import cases
        try:
            selected = cases.matching(cases.sweep(args.quick, shapes=args.shapes, ranks=args.ranks), args.cases)
            print("\n".join(case.name for case in selected), flush=True)
        except BrokenPipeError:  # a reader that stopped early (`| head`): no traceback
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    import torch
    if not torch.cuda.is_available():
        from . import selfcheck
        print("No CUDA GPU is visible, so there is nothing to time. Running the CPU reference self-check instead:")
        ok = selfcheck.run()
        print("self-check passed" if ok else "self-check FAILED")
        return 0 if ok else 1
    from .bench.cases import WrongResult
    from .bench.run import run
    command = "python -m sgmv " + " ".join(sys.argv[1:])
    try:
        rows = run(quick=args.quick, dtypes=args.dtype.split(","), op_names=args.op.split(","), out=args.out,
                   baselines=not args.no_baselines, command=command, case_filter=args.cases, pairs=not args.no_pairs,
                   shapes=args.shapes, ranks=args.ranks)
    except WrongResult as wrong:  # a serving pair's (the sweep's results are written)
        print(f"WRONG: {wrong}", file=sys.stderr)
        return 1
    return 0 if rows and not any(row.wrong for row in rows) else 1  # a wrong result: recorded in the table, exit 1


def _info(args) -> int:
    from . import info
    print(info.describe())
    return 0


def main(argv: list[str] | None = None) -> int:
    from .bench import cases
    parser = argparse.ArgumentParser(prog="python -m sgmv", description="SGMV kernels for multi-LoRA serving")
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser("bench", help="the shape sweep of BENCH.md (CPU self-check without a GPU)")
    bench.add_argument("--quick", action="store_true", help="the quick sweep (about 44 cases)")
    bench.add_argument("--dtype", default="bf16", help="bf16, fp16 or bf16,fp16")
    bench.add_argument("--op", default="add_lora", help="add_lora, shrink, expand, or a comma list")
    bench.add_argument("--out", type=pathlib.Path, default=pathlib.Path("bench_out"), help="folder for the results")
    bench.add_argument("--cases", default=None,
                       help="only cases whose name contains this text (or any of a comma list of texts)")
    bench.add_argument("--shapes", default=None,
                       help="h_in x h_out pairs to sweep in place of the sweep's, e.g. 3584x18944,18944x3584 "
                            "(prefill batches at each)")
    bench.add_argument("--model", default=None,
                       help="a model's projection shapes in place of the sweep's (as --shapes): "
                            + ", ".join(cases.MODEL_SHAPES))
    bench.add_argument("--ranks", default=None, help="ranks to sweep in place of the sweep's, e.g. 8,16")
    bench.add_argument("--list", action="store_true",
                       help="print the names of the cases the sweep (and --cases) selects, and time nothing")
    bench.add_argument("--no-baselines", action="store_true", help="skip the torch baselines")
    bench.add_argument("--no-pairs", action="store_true",
                       help="skip the serving pairs (packed qkv, gate_up: one call vs a call a slice; mixed ranks)")
    bench.set_defaults(func=_bench)
    info = sub.add_parser("info", help="GPU, architecture, compiled kernels, build settings")
    info.set_defaults(func=_info)
    args = parser.parse_args(argv)
    for name in ("dtype", "op"):
        value = getattr(args, name, None)
        allowed = {"dtype": {"bf16", "fp16"}, "op": {"add_lora", "shrink", "expand"}}[name]
        if value is not None and not set(value.split(",")) <= allowed:
            parser.error(f"--{name} {value!r}: choose from {', '.join(sorted(allowed))} (comma-separated)")
    if args.command == "bench":
        if args.model and args.shapes:
            parser.error("--model and --shapes both name the shapes: give one")
        parsers = (("shapes", cases.parse_shapes), ("ranks", cases.parse_ranks), ("model", cases.model_shapes))
        for name, parse in parsers:
            try:
                setattr(args, name, parse(getattr(args, name)) if getattr(args, name) else ())
            except ValueError as e:
                parser.error(f"--{name} {e}")
        args.shapes = args.shapes or args.model
        if args.cases:
            try:
                cases.matching(cases.sweep(args.quick, shapes=args.shapes, ranks=args.ranks), args.cases)
            except ValueError as e:
                parser.error(f"--cases {args.cases!r}: {e} in the {'quick' if args.quick else 'full'} sweep")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
