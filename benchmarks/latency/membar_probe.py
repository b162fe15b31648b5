"""Which copies and loads in flight a release reduction waits for (benchmarks/NOTES.md, entries 74-75).
Usage: python benchmarks/latency/membar_probe.py  (needs membar_probe.cubin next to it:
nvcc -cubin -arch=sm_90a -o membar_probe.cubin membar_probe.cu). Prints, per number of copies a thread and mode, the
median over blocks and launches of the cycles thread 0 measured (membar_probe.cu says what each mode times)."""
import ctypes
import pathlib
import statistics

import torch
from cuda.bindings import driver as cu

from probe import check

HERE = pathlib.Path(__file__).parent
BLOCKS, THREADS, LAUNCHES = 132, 128, 24
MODES = {0: "release, copies in flight", 1: "release, copies landed", 2: "copies landing (for scale)",
         3: "release, other warps' copies", 4: "release, its warp's other copies",
         5: "release, bulk copy in flight", 6: "release, plain loads in flight",
         7: "release, L2 prefetches issued"}


def main():
    torch.cuda.init()
    torch.zeros(1, device="cuda")
    module = check(cu.cuModuleLoadData(HERE.joinpath("membar_probe.cubin").read_bytes()))
    fn = check(cu.cuModuleGetFunction(module, b"membar_probe"))
    src = torch.randint(0, 1 << 30, (1 << 28,), dtype=torch.int32, device="cuda")  # 1 GiB, read in fresh regions
    counter = torch.zeros(1, dtype=torch.int32, device="cuda")
    out = torch.zeros(BLOCKS, dtype=torch.int64, device="cuda")
    region = 0

    def launch(copies, mode):
        nonlocal region
        piece = BLOCKS * THREADS * max(copies, 1) * 16  # bytes a launch reads
        offset = (region * piece) % (src.numel() * 4 - piece)
        region += 1
        cfg = cu.CUlaunchConfig()
        cfg.gridDimX, cfg.gridDimY, cfg.gridDimZ = BLOCKS, 1, 1
        cfg.blockDimX, cfg.blockDimY, cfg.blockDimZ = THREADS, 1, 1
        cfg.sharedMemBytes = THREADS * max(copies, 1) * 16
        cfg.hStream = cu.CUstream(torch.cuda.current_stream().cuda_stream)
        cfg.attrs, cfg.numAttrs = [], 0
        args = (src.data_ptr() + offset, counter.data_ptr(), out.data_ptr(), copies, mode)
        kinds = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)
        check(cu.cuLaunchKernelEx(cfg, fn, (args, kinds), 0))

    for copies in (0, 4, 16):
        for mode in MODES:
            if copies == 0 and mode in (2, 3, 4, 5, 6, 7):
                continue
            launch(copies, mode)  # warm-up
            samples = []
            for _ in range(LAUNCHES):
                launch(copies, mode)
                torch.cuda.synchronize()
                samples += out.tolist()
            print(f"copies {copies:2d} a thread ({copies * THREADS * 16 // 1024:3d} KB a block), {MODES[mode]:32s}: "
                  f"median {statistics.median(samples):7.0f} cycles, p90 {sorted(samples)[len(samples) * 9 // 10]:7d}")


if __name__ == "__main__":
    main()
