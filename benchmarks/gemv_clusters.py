"""The driver's count of resident clusters for every gemv kernel of the installed package, a line a kernel: what
one_launch.prefers_gemv's one-wave rule asks loader.resident_clusters on the device, and what dispatch_picks'
H200_RESIDENT_CLUSTERS records (NOTES.md, entries 242-246). Needs a GPU:

    python benchmarks/gemv_clusters.py
"""
from sgmv import loader
from sgmv.manifest import load


def main() -> None:
    dev = loader.device(0)
    for kernel in load().kernels:
        if kernel.op == "gemv":
            print(kernel.name, dev.resident_clusters(kernel, kernel.gemv_cluster), "clusters of", kernel.gemv_cluster,
                  dev.resident_blocks(kernel), "blocks an SM")


if __name__ == "__main__":
    main()
