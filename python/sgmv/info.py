"""`python -m sgmv info`: what this installation can run."""
from __future__ import annotations

import collections

import torch

from .manifest import KERNEL_DIR, load


def describe() -> str:
    m = load()
    if m.kernels:
        lines = [f"sgmv kernels: {len(m.kernels)} in {KERNEL_DIR}", f"built for: sm_{', sm_'.join(map(str, m.archs))}"]
        images = {k.image for k in m.kernels if k.image.exists()}  # a compile unit's image holds several kernels
        lines.append(f"kernel images: {len(images)} files, {sum(i.stat().st_size for i in images) / 1e6:.1f} MB")
        by = collections.Counter((k.op, k.dtype, "generic" if not k.rank else k.phase + " half" if k.phase
                                  else "specialized") for k in m.kernels)  # halves: the standalone ops' prefill tile
        for (op, dtype, kind), n in sorted(by.items()):
            lines.append(f"  {op:7} {dtype} {kind:11}: {n}")
        ranks = sorted({k.rank for k in m.kernels if k.rank})
        hidden = sorted({k.hidden for k in m.kernels if k.hidden})
        lines.append(f"specialized ranks: {ranks}; hidden sizes: {hidden}")
        if m.nvcc_flags:
            lines.append(f"extra nvcc flags: {m.nvcc_flags} (SGMV_NVCC_FLAGS: a probe build, not the shipped kernels)")
    else:
        lines = [f"sgmv kernels: none in {KERNEL_DIR} (the source tree, or a build whose SGMV_KERNELS matched none; "
                 "`pip install .` builds them)"]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            arch = 10 * p.major + p.minor
            runnable = ("no (none built)" if not m.kernels else "yes" if m.runs_on(arch)
                        else f"no (rebuild with SGMV_CUDA_ARCHS={arch})")
            lines.append(f"GPU {i}: {p.name}, sm_{arch}, {p.multi_processor_count} SMs, "
                         f"{p.total_memory / 2**30:.0f} GiB; kernels run here: {runnable}")
    else:
        lines.append("GPU: none visible (CUDA tensors unavailable; CPU tensors use the torch reference)")
    lines.append(f"torch {torch.__version__} (CUDA {torch.version.cuda})")
    return "\n".join(lines)
