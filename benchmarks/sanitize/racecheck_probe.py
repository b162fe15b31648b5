"""One prefill kernel on one batch, checked against the float64 reference: a small launch to time under
compute-sanitizer's racecheck, whose cost grows with the launch (benchmarks/NOTES.md, entry 118).

    python benchmarks/sanitize/racecheck_probe.py KERNEL SIZES [H_IN H_OUT]

SIZES: the segments' rows, a comma list where `N*R` is N segments of R rows (adapters cycle over 6, the third of
each six is -1), e.g. `16*1` (16 one-row segments) or `17,3,40`. Run it with the package installed.
"""
import itertools
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
import sgmv  # noqa: E402
from gpu_checks import DEV, check_prefill_launch, kernel_named  # noqa: E402

N_LORA = 6


def sizes_of(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        count, _, rows = part.rpartition("*")
        out += [int(rows)] * (int(count) if count else 1)
    return out


def main(name: str, sizes_text: str, h_in: int = 16, h_out: int = 8) -> None:
    kernel = kernel_named(name)
    sizes = sizes_of(sizes_text)
    loras = [-1 if i % N_LORA == 2 else i % N_LORA for i in range(len(sizes))]
    batch = sgmv.LoraBatch.from_segments([0, *itertools.accumulate(sizes)], loras, device=DEV)
    check_prefill_launch(kernel, batch, N_LORA, h_in, h_out, torch.Generator().manual_seed(len(sizes)))
    print(f"{name} {sizes_text} ({len(sizes)} segments, {sum(sizes)} rows, {h_in}x{h_out}): matches the reference")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
