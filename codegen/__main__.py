"""`python -m codegen list [--kernels GLOB]` and `python -m codegen generate --out DIR ...`."""
from __future__ import annotations

import argparse
import os
import pathlib
import sys

from .render import generate, parse_archs
from .spec import default_specs, filter_specs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="print one kernel name per line")
    listing.add_argument("--kernels", default=os.environ.get("SGMV_KERNELS"), help="glob(s) on kernel names")
    gen = sub.add_parser("generate", help="render the kernels and the manifest into a folder")
    gen.add_argument("--out", required=True, type=pathlib.Path)
    gen.add_argument("--kernels", default=os.environ.get("SGMV_KERNELS"), help="glob(s) on kernel names")
    gen.add_argument("--archs", default=os.environ.get("SGMV_CUDA_ARCHS") or "90", help="e.g. '90' or '80;90'")
    gen.add_argument("--nvcc-flags", default=os.environ.get("SGMV_NVCC_FLAGS", ""),
                     help="the build's extra nvcc flags (SGMV_NVCC_FLAGS), recorded in the manifest; "
                          "write it as --nvcc-flags=-DNAME")
    args = parser.parse_args(argv)

    extra = os.environ.get("SGMV_EXTRA_TILES", "") not in ("", "0")
    specs = list(filter_specs(default_specs(extra_tiles=extra), args.kernels))
    if args.command == "list":
        for spec in specs:
            print(spec.name)
        return 0
    try:
        names = generate(args.out, specs, parse_archs(args.archs), args.nvcc_flags.strip())
    except ValueError as err:
        print(f"codegen: {err}", file=sys.stderr)
        return 2
    print(f"codegen: {len(names)} kernels in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
