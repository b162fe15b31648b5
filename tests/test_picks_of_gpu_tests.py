"""The one-launch picks test_gpu_one_launch.py asserts (pick_cases.py), checked on the CPU against the installed
manifest under the H200's counts (132 SMs; blocks an SM and clusters as benchmarks/dispatch_picks.py models the
driver's): a dispatch change that moves one of those batches fails here, before a device call. Entries 295 and 301 of
benchmarks/NOTES.md each lost a GPU run to such a stale expectation. Runs where the installed package has compiled
kernels (`benchmarks/cpu_check_wheel.sh dist_X` on the CPU machine, or on the GPU machine); skips on a source tree."""
import pathlib
from typing import Optional

import pytest

from sgmv import manifest
from sgmv.bench import run
from sgmv.bench.cases import BenchCase
from sgmv.cuda_ops import ONE_LAUNCH_OPS
from sgmv.dispatch import DTYPE_NAMES
from sgmv.manifest import KernelRecord
import pick_cases

NUM_SMS = 132
KERNELS = manifest.load().kernels
DTYPES = {name: dtype for dtype, name in DTYPE_NAMES.items()}
pytestmark = pytest.mark.skipif(not any(k.op in ONE_LAUNCH_OPS for k in KERNELS),
                                reason="no compiled one-launch kernels installed (a source tree): "
                                       "benchmarks/cpu_check_wheel.sh runs this against a built wheel")


@pytest.fixture(scope="module")
def h200(request):
    """benchmarks/dispatch_picks.py (its H200 model: resident_blocks, resident_clusters)."""
    patch = pytest.MonkeyPatch()
    request.addfinalizer(patch.undo)
    patch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import dispatch_picks
    return dispatch_picks


def _running_kernel(pick: pick_cases.PickCase, dtype: str, h200) -> Optional[KernelRecord]:
    """The one-launch kernel add_lora runs `pick`'s batch on under the H200's counts, as the bench names it
    (run.kernels_for: dispatch's order, padded_one_launch included), or None for the launch pair."""
    case = BenchCase(pick.h_in, pick.h_out, pick.rank, sum(pick.sizes), "uniform", pick.sizes)
    names = run.kernels_for(case, DTYPES[dtype], "add_lora", 90, NUM_SMS, h200.resident_blocks,
                            h200.resident_clusters)
    first = manifest.load().by_name(names.split("+")[0])
    return first if first.op in ONE_LAUNCH_OPS else None


CASES = ([(pick, pick_cases.takes_flat_handoff) for pick in pick_cases.SKEWED]
         + [(pick, pick_cases.takes_handoff_over_pair) for pick in pick_cases.WIDE_H_OUT]
         + [(pick, pick_cases.takes_short_prefill_tile) for pick in pick_cases.FEW_ROWS]
         + [(pick, pick_cases.takes_wide_h_in_tile) for pick in pick_cases.WIDE_H_IN]
         + [(pick, pick_cases.takes_capped_splits) for pick in pick_cases.ONE_TILE]
         + pick_cases.HUNDREDS_OF_ROWS
         + [(pick, pick_cases.takes_two_block_pairs) for pick in pick_cases.one_row_pairs(NUM_SMS)])


@pytest.mark.parametrize("dtype", ["bf16", "fp16"])
@pytest.mark.parametrize("pick, holds", CASES, ids=lambda c: getattr(c, "id", getattr(c, "__name__", "")))
def test_the_gpu_tests_picks_hold_for_the_installed_kernels(pick, holds, dtype, h200):
    problem = pick_cases.batch_problem(pick, dtype)
    got = _running_kernel(pick, dtype, h200)
    assert holds(problem, got, KERNELS, NUM_SMS), (holds.__name__, got and got.name)
