"""NOTES entry 272: the prefill kernel's 16-row tile in clusters of four, forced, against dispatch's clusters.

    python clusters.py OUT DTYPE CASES REPEAT

A pseudo-constant PREFILL_CLUSTER for dispatch_sweep over the full sweep's cases that contain one of CASES (a comma
list): 0 = dispatch as shipped; C = every prefill launch (and dispatch's models of it) in clusters of C blocks, or of
the kernel's most (KernelRecord.prefill_max_cluster) where that is fewer. First it prints the clusters of 2 and 4 the
driver holds at once of each 16-row prefill kernel (loader.resident_clusters): a launch of more runs in two waves."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import dispatch_sweep  # noqa: E402
from sgmv import loader, one_launch  # noqa: E402
from sgmv.manifest import load  # noqa: E402

shipped = one_launch.prefill_cluster
forced = [0]


def forced_cluster(problem, kernel, num_sms, launched=False):
    """dispatch's cluster (0) or the forced one, at most the kernel's."""
    if forced[0] == 0:
        return shipped(problem, kernel, num_sms, launched)
    return min(forced[0], kernel.prefill_max_cluster)


def set_cluster(name: str, value: int) -> None:
    forced[0] = value


out, dtype, cases, repeat = sys.argv[1:5]
dispatch_sweep.set_constant = set_cluster
one_launch.prefill_cluster = forced_cluster
gpu = loader.device(0)
for k in load().kernels:
    if k.op == "prefill" and k.dtype == dtype and k.warp_rows == 16:
        print(f"{k.name}: {gpu.resident_blocks(k)} blocks an SM; clusters held: "
              + ", ".join(f"{c}: {gpu.resident_clusters(k, c)}" for c in (2, 4)), flush=True)
dispatch_sweep.main(pathlib.Path(out), dtype, "PREFILL_CLUSTER", [0, 2, 4], cases, ["add_lora"], quick=False,
                    repeat=int(repeat))
