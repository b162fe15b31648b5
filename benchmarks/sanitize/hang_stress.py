"""Many small launches of prefill kernels on random batches, each checked against the float64 reference: a hang
here (a launch that never ends: run it under `timeout`) or a wrong result would show what racecheck's unfinished
runs over the 16-row tile might hide (benchmarks/NOTES.md, entry 118).

    python benchmarks/sanitize/hang_stress.py SECONDS KERNEL [KERNEL ...]

Each round draws 1-12 segments of 0-20 rows (adapters 0-5 or -1) and h_in x h_out from (16, 8), (272, 136) and
(1040, 1032), then runs every kernel named on it. Prints the launches per kernel.
"""
import pathlib
import random
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
import sgmv  # noqa: E402
from sgmv import cuda_ops, reference  # noqa: E402
from sgmv.cuda_ops import Rows  # noqa: E402
from conftest import covered_rows  # noqa: E402
from gpu_checks import DEV, DTYPES, KERNELS, check_delta, random_weights  # noqa: E402

N_LORA = 6
SHAPES = [(16, 8), (272, 136), (1040, 1032)]


def main(seconds: float, names: list[str]) -> None:
    kernels = [next(k for k in KERNELS if k.name == n) for n in names]
    rng = random.Random(118)
    gen = torch.Generator().manual_seed(118)
    launches = {k.name: 0 for k in kernels}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sizes = [rng.randint(0, 20) for _ in range(rng.randint(1, 12))]
        if sum(sizes) == 0:
            sizes[0] = 1
        loras = [rng.choice([-1, *range(N_LORA)]) for _ in sizes]
        indptr = [0]
        for s in sizes:
            indptr.append(indptr[-1] + s)
        batch = sgmv.LoraBatch.from_segments(indptr, loras, device=DEV)
        h_in, h_out = rng.choice(SHAPES)
        rows = indptr[-1]
        for kernel in kernels:
            dtype = DTYPES[kernel.dtype]
            a, b = random_weights(N_LORA, kernel.rank, h_in, h_out, dtype, gen)
            x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
            y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
            y = y0.clone()
            cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(N_LORA)), None, 0.5, fused=kernel)
            torch.cuda.synchronize()
            want = reference.add_lora_delta(x, a, b, batch, 0.5, compute_dtype=torch.float64)
            check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, N_LORA).to(DEV))
            launches[kernel.name] += 1
    for name, n in launches.items():
        print(f"{name}: {n} launches on random batches, every one matched the reference")


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])
