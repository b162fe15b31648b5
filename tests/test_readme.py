"""The README's API examples run as written (on the GPU), and with device="cpu" on the torch reference."""
import pathlib
import re

import pytest
import torch

from conftest import HAS_GPU

README = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not HAS_GPU, reason="needs a CUDA GPU (this machine has none); runs on the H200"))])
def test_readme_examples_run(device):
    scope: dict = {}
    for block in BLOCKS:  # later blocks build on the names of earlier ones, as a reader would run them
        exec(compile(block.replace('device="cuda"', f'device="{device}"'), "README.md", "exec"), scope)
    assert scope["y"].device.type == device and torch.isfinite(scope["y"].float()).all()
    # the model example: rows 0, 3 and 5 (slot 2) get the adapter's term; row 1 (none) and 2 and 4 (empty slot 0) not
    with torch.no_grad():
        base = scope["model"]["q_proj"].base(scope["x"])
    q, plain, served = scope["q"], [1, 2, 4], [0, 3, 5]
    assert q.shape == base.shape and torch.equal(q[plain], base[plain])
    assert all(not torch.equal(q[i], base[i]) for i in served)
