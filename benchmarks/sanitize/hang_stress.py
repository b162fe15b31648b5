"""Many small launches of prefill kernels on random batches, each checked against the float64 reference: a hang
here (a launch that never ends: run it under `timeout`) or a wrong result would show what racecheck's unfinished
runs over the 16-row tile might hide (benchmarks/NOTES.md, entry 118).

    python benchmarks/sanitize/hang_stress.py SECONDS KERNEL [KERNEL ...]

Each round draws 1-12 segments of 0-20 rows (adapters 0-5 or -1) and h_in x h_out from (16, 8), (272, 136) and
(1040, 1032), then runs every kernel named on it (gpu_checks.check_prefill_launch: fresh weights, x, y and scales,
the allocator poisoned; entry 118's run of it had no scales and no poisoning). Prints the launches per kernel.
"""
import itertools
import pathlib
import random
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
import sgmv  # noqa: E402
from gpu_checks import DEV, check_prefill_launch, kernel_named  # noqa: E402

N_LORA = 6
SHAPES = [(16, 8), (272, 136), (1040, 1032)]


def main(seconds: float, names: list[str]) -> None:
    kernels = [kernel_named(n) for n in names]
    rng = random.Random(118)
    gen = torch.Generator().manual_seed(118)
    launches = {k.name: 0 for k in kernels}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sizes = [rng.randint(0, 20) for _ in range(rng.randint(1, 12))]
        if sum(sizes) == 0:
            sizes[0] = 1
        loras = [rng.choice([-1, *range(N_LORA)]) for _ in sizes]
        batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
        h_in, h_out = rng.choice(SHAPES)
        for kernel in kernels:
            check_prefill_launch(kernel, batch, N_LORA, h_in, h_out, gen)
            launches[kernel.name] += 1
    for name, n in launches.items():
        print(f"{name}: {n} launches on random batches, every one matched the reference")


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])
