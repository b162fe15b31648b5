"""NOTES entry 242: the gemv kernel in clusters of 2, 4 and 8 forced on one-row batches, against today's pick.

    python clusters.py OUT DTYPE BATCHES SHAPES REPEAT

A pseudo-constant GEMV_CLUSTER for dispatch_sweep: 0 = the gemv kernel off (GEMV_MAX_SEGMENTS 0, today's pick), -1 =
dispatch's rule (one_launch.prefers_gemv as shipped), C = the gemv kernel in clusters of C for any count of one-row
segments whose launch is one wave (the first call, before entry 242's rule: wherever C x segments fit the SMs;
elsewhere dispatch falls back to today's pick, so that column repeats the first)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
import dispatch_sweep  # noqa: E402
from sgmv import loader, one_launch  # noqa: E402
from sgmv.manifest import load  # noqa: E402


RULE = dict(GEMV_MIN_SM_PERCENT=one_launch.GEMV_MIN_SM_PERCENT, GEMV_FULL_SM_PERCENT=one_launch.GEMV_FULL_SM_PERCENT,
            GEMV_MAX_SEGMENTS=one_launch.GEMV_MAX_SEGMENTS)
prefers_gemv = one_launch.prefers_gemv
forced = [0]


def forced_cluster(problem, kernels, num_sms, resident_clusters=None):
    """prefers_gemv over the kernels of the forced cluster only (all of them for the rule, -1)."""
    kernels = [k for k in kernels if forced[0] in (-1, k.gemv_cluster)]
    return prefers_gemv(problem, kernels, num_sms, resident_clusters)


def set_cluster(name: str, value: int) -> None:
    """-1: dispatch's rule as shipped; 0: without the gemv kernel; C: clusters of C wherever one wave holds them."""
    forced[0] = value
    for constant, shipped in RULE.items():
        opened = 10**9 if constant == "GEMV_MAX_SEGMENTS" else 0
        setattr(one_launch, constant, shipped if value == -1 else 0 if value == 0 else opened)


out, dtype, batches, shapes, repeat = sys.argv[1:6]
dispatch_sweep.set_constant = set_cluster
one_launch.prefers_gemv = forced_cluster
for k in load().kernels:
    if k.op == "gemv" and k.dtype == dtype:
        print(f"{k.name}: {loader.device(0).resident_clusters(k, k.gemv_cluster)} resident clusters of "
              f"{k.gemv_cluster}, {loader.device(0).resident_blocks(k)} blocks an SM")
dispatch_sweep.main(pathlib.Path(out), dtype, "GEMV_CLUSTER", [0, -1, 2, 4, 8], None, ["add_lora"], repeat=int(repeat),
                    batches=dispatch_sweep.batch_cases(batches, shapes, "16"))
