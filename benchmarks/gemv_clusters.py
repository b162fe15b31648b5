"""The driver's count of resident clusters for every gemv kernel of the installed package, a line a kernel: what
one_launch_gemv.prefers_gemv's one-wave rule asks loader.resident_clusters on the device, and what dispatch_picks'
H200_RESIDENT_CLUSTERS records (NOTES.md, entries 242-246). Needs a GPU:

    python benchmarks/gemv_clusters.py [--op=OP --sizes=C1,C2,...]

--op and --sizes: the same count for another op's kernels at each cluster size given (e.g. `--op=prefill
--sizes=2,3,4`: on the H200 every kernel of two blocks an SM holds 132, 79 and 62 such clusters, every kernel of one
66, 39 and 30, NOTES.md entry 249); the count is the driver's, whether or not the kernel itself would take clusters of
that size (prefill.cuh traps above kMaxCluster).
"""
import sys

from sgmv import loader
from sgmv.manifest import load


def main(op: str = "gemv", sizes: list[int] | None = None) -> None:
    dev = loader.device(0)
    for kernel in load().kernels:
        if kernel.op == op:
            for size in sizes or [kernel.gemv_cluster]:
                print(kernel.name, dev.resident_clusters(kernel, size), "clusters of", size,
                      dev.resident_blocks(kernel), "blocks an SM")


if __name__ == "__main__":
    flags = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    main(flags.get("--op", "gemv"), [int(s) for s in flags["--sizes"].split(",")] if "--sizes" in flags else None)
