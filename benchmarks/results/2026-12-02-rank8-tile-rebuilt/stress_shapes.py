"""test_prefill_shapes' batches (tests/test_gpu_one_launch.py: long, negative, empty, zipf, one_row at its four
shapes) launched again and again on one prefill kernel, each checked against the float64 reference, a line a round:
where the suite's run of that test never ended (NOTES.md, entry 173), does the same kernel hang on its own, and
does rank 16's 16-row tile? Run it under `timeout`: a launch that never ends stops the lines.

    python stress_shapes.py SECONDS KERNEL
"""
import pathlib
import sys
import time
import zlib

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3] / "tests"))
from gpu_checks import DTYPES, check_prefill_launch, kernel_named  # noqa: E402
from test_gpu_one_launch import PREFILL_SHAPES, _prefill_batch  # noqa: E402

LAYOUTS = ["long", "negative", "empty", "zipf", "one_row"]


def main(seconds: float, name: str) -> None:
    kernel = kernel_named(name)
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end:
        for shape in PREFILL_SHAPES:
            for layout in LAYOUTS:
                seed = zlib.crc32(f"{kernel.name}{shape}{layout}".encode()) % 1000 + rounds
                batch = _prefill_batch(layout, 6, DTYPES[kernel.dtype], seed)
                print(f"round {rounds} {shape} {layout}: launching", flush=True)
                check_prefill_launch(kernel, batch, 6, *shape, torch.Generator().manual_seed(seed))
        rounds += 1
    print(f"{name}: {rounds} rounds of {len(PREFILL_SHAPES) * len(LAYOUTS)} launches, all matched", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2])
