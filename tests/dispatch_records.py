"""Kernel records and problems for the CPU tests of dispatch and launch_plan."""
import dataclasses

from codegen import spec as specmod
from sgmv import _abi, manifest
from sgmv.dispatch import Problem
from sgmv.manifest import KernelRecord


def shipped(pattern: str) -> tuple[KernelRecord, ...]:
    """The default build's kernels whose names match `pattern`, as its manifest records them (codegen's specs)."""
    rows = [s.manifest_row() for s in specmod.filter_specs(specmod.default_specs(), pattern)]
    return manifest.parse({"version": _abi.MANIFEST_VERSION, "abi": _abi.layout(), "archs": [90],
                           "kernels": rows}).kernels


def rec(op="shrink", dtype="bf16", rank=16, hidden=4096, vectorized=True, **kw):
    base = dict(warps=4, warp_rows=32 if op == "shrink" else 16, tile_n=16 if op == "shrink" else 128,
                unroll=4 if op == "shrink" else 1, threads=128, smem_bytes=8192 if op == "shrink" else 0,
                chunk=32)
    base.update(kw)
    name = f"{op}_{dtype}_{rank}_{hidden}_{vectorized}"
    return KernelRecord(name=name, unit=f"{op}_{dtype}_{rank}", op=op, dtype=dtype, rank=rank, hidden=hidden,
                        vectorized=vectorized, **base)


AVAILABLE = [rec(), rec(rank=0, hidden=0, tile_n=64, warp_rows=16, unroll=2),
             rec(rank=0, hidden=0, vectorized=False, tile_n=64, warp_rows=16, unroll=2), rec(dtype="fp16"),
             rec(op="expand"), rec(op="expand", rank=0, hidden=0), rec(op="expand", rank=0, hidden=0, vectorized=False)]


def prob(op="shrink", dtype="bf16", rank=16, hidden=4096, rows=64, segs=4, aligned=True, longest="even"):
    """A problem whose segments are known to be even (longest = the mean) unless `longest` says otherwise
    (None: not known on the host)."""
    longest = -(-rows // max(1, segs)) if longest == "even" else (-1 if longest is None else longest)
    return Problem(op, dtype, rank, hidden, rows, segs, aligned, max_segment_rows=longest)


# add_lora's one-launch kernels (test_dispatch.py, test_dispatch_handoff_launches.py, test_one_launch.py,
# test_one_launch_gemv.py)

def fused_prob(h_in=4096, h_out=4096, rank=16, rows=1, segs=1, aligned=True, dtype="bf16"):
    return Problem("fused", dtype, rank, h_in, rows, segs, aligned, (h_out,), (rank,))


PREFILL = [rec(op="prefill", rank=r, hidden=0, warps=18, warp_rows=64, tile_n=128, unroll=1, threads=576,
               smem_bytes=212112) for r in (16, 64)]
PREFILL_SHORT = [rec(op="prefill", rank=r, hidden=0, warps=6 if n == 128 else 10, warp_rows=16, tile_n=n, unroll=1,
                     threads=192 if n == 128 else 320, smem_bytes=169232, stages=3 if (r, n) == (64, 256) else 6)
                 for r in (16, 64) for n in (128, 256)]  # the stages as codegen's prefill_stages gives them


def prefill_prob(h_in=4096, h_out=4096, rank=16, rows=8192, segs=8, aligned=True, dtype="bf16", longest=-1):
    return Problem("prefill", dtype, rank, h_in, rows, segs, aligned, (h_out,), (rank,), longest)


GEMV = [rec(op="gemv", dtype=dt, rank=r, hidden=0, warps=w, warp_rows=1, tile_n=r // c, unroll=1, threads=32 * w,
           smem_bytes=4 * w * (r // c) + 8 * r + 16, gemv_cluster=c)
        for dt in ("bf16", "fp16") for r in (16, 8)
        for w, c in ((8, 2), (8, 4), (8, 8), (4, 2), (4, 4), (4, 8))]  # 4 warps: two blocks an SM
HALF_RANK = [rec(op="fused", rank=64, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=2, threads=128)]

# Fused kernels at the build's ranks (at 32-128 also the variant for true ranks, codegen's FUSED_TRUE_RANKS_RANKS),
# and the prefill kernel's 16- and 64-row tiles (rank 128: 64-row only) with and without the variant for true ranks
GRID_FUSED = [rec(op="fused", rank=r, hidden=0, warps=4, warp_rows=16, tile_n=128, unroll=2, threads=128, true_ranks=t)
              for r in (8, 16, 32, 64, 128) for t in (False, True) if r >= 32 or not t]
GRID_PREFILL = [rec(op="prefill", rank=r, hidden=0, warps=11, warp_rows=w, tile_n=128, threads=352, true_ranks=t)
                for r in (16, 32, 64, 128) for w in (16, 64) for t in (False, True) if not (r == 128 and w == 16)]

# The fused kernel's tiles: rank 16's 4- and 8-warp 16-row tiles; rank 64's 128- and 256-column 16-row tiles (the
# grid handoff), their twins for the flat grid and with a barrier per row tile; 8-warp 32-row tiles at ranks 16 and 64
FUSED = [rec(op="fused", rank=16, hidden=0, warps=4, warp_rows=16, tile_n=256, unroll=4, threads=128),
         rec(op="fused", rank=16, hidden=0, warps=8, warp_rows=16, tile_n=512, unroll=4, threads=256)]
HANDOFF = [rec(op="fused", rank=64, hidden=0, warps=4, warp_rows=16, tile_n=n, unroll=2, threads=128)
           for n in (128, 256)]
FLAT = [dataclasses.replace(k, flat_tiles=True) for k in HANDOFF]
TILE_BARRIER = [dataclasses.replace(k, tile_barrier=True) for k in HANDOFF]


def tall_tile_occupancy(kernel) -> int:
    """Blocks an SM as the driver gives them to the handoff tiles here: two of the 4-warp 16-row tiles, one of the
    32-row ones."""
    return 2 if kernel.warp_rows == 16 else 1


TALL = [rec(op="fused", rank=r, hidden=0, warps=8, warp_rows=32, tile_n=512, unroll=2, threads=256) for r in (16, 64)]
