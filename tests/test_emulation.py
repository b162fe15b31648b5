"""The GPU tests' dry run on the CPU (SGMV_EMULATE=1, conftest.py; launches computed from their arguments by
benchmarks/emulated_device.py), on a few of them: the padded, halves and parts paths, weights read within their
slices, packed calls a slice at a time and in one launch, the model layers, torch.compile and two streams through the
public ops. Runs where the package has compiled kernels (the GPU tests pick from them); skips on a source tree."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

from sgmv import cuda_ops, manifest

HERE = pathlib.Path(__file__).resolve().parent
SELECTION = ("(bf16 and (4096x4096-1-single or 4096x4096-16-distinct or 4096x4096-256-distinct or within_bounds or "
             "several_ranks or packed_calls or packed_launch)) or torch_compile or version or two_streams")


@pytest.mark.skipif(not any(k.op in cuda_ops.ONE_LAUNCH_OPS for k in manifest.load().kernels),
                    reason="no compiled kernels installed (a source tree): benchmarks/cpu_check_wheel.sh runs this")
def test_gpu_tests_pass_on_the_emulated_device(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent / "benchmarks"))
    import stub_device
    if not stub_device.CAN_REPLACE_KERNELS:
        pytest.skip(stub_device.REPLACE_KERNELS_REASON)
    files = ["test_gpu_one_launch_padded.py", "test_lora_linear.py", "test_gpu_ops.py"]
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files, "-k", SELECTION],
                            cwd=HERE, capture_output=True, text=True, env={**os.environ, "SGMV_EMULATE": "1"})
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-4000:]
    assert int(re.search(r"(\d+) passed", summary).group(1)) >= 25, summary
