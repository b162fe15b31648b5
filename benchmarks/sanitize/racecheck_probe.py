"""One prefill kernel on one batch, checked against the float64 reference: a small launch to time under
compute-sanitizer's racecheck, whose cost grows with the launch (benchmarks/NOTES.md, entry 118).

    python benchmarks/sanitize/racecheck_probe.py KERNEL SIZES [H_IN H_OUT]

SIZES: the segments' rows, a comma list where `N*R` is N segments of R rows (adapters cycle over 6, the third of
each six is -1), e.g. `1*16` or `17,3,40`. Run it from the repository root with the package installed.
"""
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
import sgmv  # noqa: E402
from sgmv import cuda_ops, reference  # noqa: E402
from sgmv.cuda_ops import Rows  # noqa: E402
from conftest import covered_rows, poison_allocator  # noqa: E402
from gpu_checks import DEV, DTYPES, KERNELS, check_delta, random_weights  # noqa: E402

N_LORA = 6


def sizes_of(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        count, _, rows = part.rpartition("*")
        out += [int(rows)] * (int(count) if count else 1)
    return out


def main(name: str, sizes_text: str, h_in: int = 16, h_out: int = 8) -> None:
    kernel = next(k for k in KERNELS if k.name == name)
    dtype = DTYPES[kernel.dtype]
    sizes = sizes_of(sizes_text)
    loras = [-1 if i % N_LORA == 2 else i % N_LORA for i in range(len(sizes))]
    indptr = [0]
    for s in sizes:
        indptr.append(indptr[-1] + s)
    batch = sgmv.LoraBatch.from_segments(indptr, loras, device=DEV)
    gen = torch.Generator().manual_seed(len(sizes))
    a, b = random_weights(N_LORA, kernel.rank, h_in, h_out, dtype, gen)
    rows = indptr[-1]
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    scales = (torch.rand(N_LORA, generator=gen) + 0.5).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(N_LORA)), scales, 0.5, fused=kernel)
    want = reference.add_lora_delta(x, a, b, batch, 0.5, scales, compute_dtype=torch.float64)
    check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, N_LORA).to(DEV))
    print(f"{name} {sizes_text} ({len(sizes)} segments, {rows} rows, {h_in}x{h_out}): matches the reference")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:]))
