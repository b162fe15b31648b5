"""Where a prefill launch that never ends waits (NOTES.md, entries 173-174): launches one prefill kernel again and
again on test_prefill_shapes' long segments (5 segments of 1-3001 rows, a -1 adapter among them), each checked against
the float64 reference (gpu_checks.start_prefill_launch: fresh weights, x, y and scales, the allocator poisoned), until
a launch has not ended after WAIT seconds; then prints, from the kernel's wait stamps (csrc/sgmv/probe_waits.cuh), the
wait each warp of each unfinished block is in, and exits without waiting for it.

    SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS SGMV_KERNELS="sgmv_prefill_*_r8_*" pip wheel --no-deps .
    python benchmarks/sanitize/wait_stamps.py KERNEL SECONDS [H_IN H_OUT [WAIT]]    (defaults 1040 1032 10)

Run it with that build installed (a build without the stamps is refused) and under `timeout`. A stamp is (site, stage
counter `it` or swap parity, tile number n, the global timer's low word); the sites are probe_waits.cuh's WaitSite.
"""
import ctypes
import itertools
import os
import pathlib
import struct
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
from sgmv import loader  # noqa: E402
from gpu_checks import DTYPES, kernel_named, start_prefill_launch  # noqa: E402
from test_gpu_prefill import _prefill_batch  # noqa: E402

N_LORA = 6
SITES = {1: "tile", 2: "shrink stage", 3: "sum_parts 1st bar", 4: "sum_parts 2nd bar", 5: "expand stage",
         6: "free stage", 7: "free tile slot", 8: "done", 9: "partner read", 10: "partner landed"}


def _driver():
    from cuda.bindings import driver
    return driver


def _call(result, what: str):
    err, *values = result if isinstance(result, tuple) else (result,)
    if int(err) != 0:
        raise SystemExit(f"{what} failed: {err}")
    return values[0] if len(values) == 1 else values


def map_stamps(kernel, slots: int) -> ctypes.Array:
    """Mapped host memory for `slots` stamps, its device address written to the kernel module's sgmv_probe_stamps."""
    driver = _driver()
    dev = loader.device(0)
    dev.function(kernel)  # loads the kernel's module
    module = dev._modules[kernel.unit]
    err, global_ptr, size = driver.cuModuleGetGlobal(module, b"sgmv_probe_stamps")
    if int(err) != 0:
        raise SystemExit(f"{kernel.name} has no wait stamps: build it with SGMV_NVCC_FLAGS=-DSGMV_PROBE_WAITS")
    host = _call(driver.cuMemHostAlloc(16 * slots, driver.CU_MEMHOSTALLOC_DEVICEMAP), "cuMemHostAlloc")
    device_ptr = _call(driver.cuMemHostGetDevicePointer(host, 0), "cuMemHostGetDevicePointer")
    _call(driver.cuMemcpyHtoD(global_ptr, struct.pack("<Q", int(device_ptr)), 8), "cuMemcpyHtoD")
    return (ctypes.c_uint32 * (4 * slots)).from_address(int(host))


def report(stamps: ctypes.Array, blocks: int, warps: int, consumers: int) -> None:
    """Each block whose warps are not all done: its warps' last stamps, and a count of warps by role and site."""
    def role(w: int) -> str:
        return f"consumer {w}" if w < consumers else ("walker" if w == warps - 1 else f"producer {w - consumers}")
    counts: dict[tuple[str, str], int] = {}
    shown = 0
    for b in range(blocks):
        rows = [tuple(stamps[4 * (b * warps + w) + i] for i in range(4)) for w in range(warps)]
        if all(site == 8 for site, *_ in rows) or all(site == 0 for site, *_ in rows):
            continue
        latest = max(t for *_, t in rows)
        for w, (site, it, n, t) in enumerate(rows):
            key = (role(w).split()[0], SITES.get(site, str(site)))
            counts[key] = counts.get(key, 0) + 1
        if shown < 8:
            shown += 1
            print(f"block {b} (y * grid x + x):")
            for w, (site, it, n, t) in enumerate(rows):
                print(f"  {role(w):11s} {SITES.get(site, str(site)):18s} it {it:6d} tile {n:3d} "
                      f"{((latest - t) & 0xFFFFFFFF) / 1000:9.1f} us before the block's last stamp")
    print("warps of unfinished blocks by role and site:")
    for (who, site), count in sorted(counts.items()):
        print(f"  {who:9s} {site:18s} {count}")


def main(name: str, seconds: float, h_in: int = 1040, h_out: int = 1032, wait: float = 10.0) -> None:
    kernel = kernel_named(name)
    dtype = DTYPES[kernel.dtype]
    # slots for twice the blocks the SMs hold: launch_plan's grid (walkers x, a cluster's blocks y) stays within them
    blocks = 2 * loader.device(0).num_sms * kernel.blocks_per_sm
    warps = kernel.threads // 32
    stamps = map_stamps(kernel, blocks * warps)
    batch = _prefill_batch("long", N_LORA, dtype, 0)
    end = time.monotonic() + seconds
    for launch in itertools.count():
        if time.monotonic() > end:
            print(f"{name}: {launch} launches at {h_in} x {h_out}, every one ended and matched")
            return
        torch.cuda.synchronize()
        ctypes.memset(stamps, 0, ctypes.sizeof(stamps))
        check = start_prefill_launch(kernel, batch, N_LORA, h_in, h_out, torch.Generator().manual_seed(launch))
        done = torch.cuda.Event()
        done.record()
        started = time.monotonic()
        while not done.query():
            if time.monotonic() - started > wait:
                print(f"{name}: launch {launch} at {h_in} x {h_out} has not ended after {wait:.0f} s", flush=True)
                report(stamps, blocks, warps, warps - 3)
                sys.stdout.flush()
                os._exit(3)
            time.sleep(0.005)
        check()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), *map(int, sys.argv[3:5]), *map(float, sys.argv[5:6]))
