"""Where a prefill launch's time goes (NOTES.md, entry 328): one cold add_lora on a batch the prefill kernel takes, with
the kernel's timeline stamps (csrc/sgmv/probe_waits.cuh, SGMV_PROBE_TIMELINE) read back: for each warp role, the time
of each of its stamps after the launch's first block entered, as the median over the launch's blocks.

    SGMV_NVCC_FLAGS=-DSGMV_PROBE_TIMELINE SGMV_KERNELS="sgmv_prefill_bf16_*" pip wheel --no-deps -w dist_t .
    python benchmarks/probe_timeline.py H_IN H_OUT RANK SEGMENTS ROWS [RUNS]

A stamp before a wait marks when the warp began waiting; the next one, when that wait and the work after it ended.
The global timer orders stamps across SMs.
"""
import statistics
import struct
import sys

import torch

import sgmv
from sgmv import loader, manifest
from sgmv.bench.cases import BenchCase
from sgmv.bench.run import kernels_for

SITES = {1: "tile", 2: "shrink stage", 3: "sum_parts 1st", 4: "sum_parts 2nd", 5: "expand stage", 6: "free stage",
         7: "free tile slot", 8: "done", 9: "partner read", 10: "partner landed", 11: "entry", 12: "ready",
         13: "v swapped", 14: "exit"}
SLOTS = 64  # probe_waits.cuh's kTimelineSlots
MAX_BLOCKS = 2 * 132


def _call(result, what: str):
    err, *values = result if isinstance(result, tuple) else (result,)
    if int(err) != 0:
        raise SystemExit(f"{what} failed: {err}")
    return values[0] if len(values) == 1 else values


def point_stamps(buffer: torch.Tensor) -> None:
    """Writes `buffer`'s address to every compiled prefill kernel's sgmv_probe_timeline."""
    from cuda.bindings import driver
    dev = loader.device(0)
    for kernel in manifest.load().kernels:
        if kernel.op != "prefill":
            continue
        dev.function(kernel)
        err, ptr, _ = driver.cuModuleGetGlobal(dev._modules[kernel.unit], b"sgmv_probe_timeline")
        if int(err) != 0:
            raise SystemExit(f"{kernel.name} has no timeline: build it with SGMV_NVCC_FLAGS=-DSGMV_PROBE_TIMELINE")
        _call(driver.cuMemcpyHtoD(ptr, struct.pack("<Q", buffer.data_ptr()), 8), "cuMemcpyHtoD")


def main(h_in: int, h_out: int, rank: int, segments: int, rows: int, runs: int = 3) -> None:
    torch.manual_seed(0)
    dtype, dev = torch.bfloat16, "cuda"
    a = (torch.randn(segments, rank, h_in, device=dev) / h_in ** 0.5).to(dtype)
    b = (torch.randn(segments, h_out, rank, device=dev) / rank ** 0.5).to(dtype)
    x = torch.randn(segments * rows, h_in, device=dev).to(dtype)
    y = torch.randn(segments * rows, h_out, device=dev).to(dtype)
    batch = sgmv.LoraBatch.from_segments([rows * s for s in range(segments + 1)], list(range(segments)), device=dev)
    flush = torch.empty(512 << 20, dtype=torch.uint8, device=dev)
    probe = torch.zeros(MAX_BLOCKS * 32 * SLOTS * 4, dtype=torch.int64, device=dev)  # room for any block of warps
    point_stamps(probe)
    gpu = loader.device(0)
    case = BenchCase(h_in, h_out, rank, segments * rows, "uniform", (rows,) * segments)
    picked = kernels_for(case, dtype, "add_lora", 90, 132, gpu.resident_blocks, gpu.resident_clusters, True)
    print(f"h {h_in} -> {h_out}, rank {rank}, {segments} x {rows} rows: {picked}")
    warps = manifest.load().by_name(picked.split("@")[0]).threads // 32  # the launch's blocks' warps
    for run in range(runs):
        stamps = probe.view(torch.int32)[:MAX_BLOCKS * warps * SLOTS * 4]
        stamps.zero_()
        flush.zero_()  # cold: the weights and rows from DRAM
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        sgmv.add_lora(y, x, a, b, batch, scale=0.5)
        end.record()
        torch.cuda.synchronize()
        report(stamps.view(MAX_BLOCKS, warps, SLOTS, 4).cpu(), warps, start.elapsed_time(end) * 1000, run,
               run == runs - 1)


def report(stamps: torch.Tensor, warps: int, event_us: float, run: int, detail: bool) -> None:
    """The launch's span; with `detail`, per warp role (consumer 0, producer 0 — the first of each — and the walker)
    each stamp's median time (us) over the blocks after the launch's first entry, in the order the warp made them (a
    site's first two stamps and its last)."""
    blocks = [blk for blk in range(stamps.shape[0]) if int(stamps[blk, 0, 0, 0]) != 0]
    times = stamps[..., 3].to(torch.int64) & 0xFFFFFFFF
    entries = [int(times[blk, w, 0]) for blk in blocks for w in range(warps) if int(stamps[blk, w, 0, 0]) != 0]
    t0 = min(entries)
    exits = [int(times[blk, w, n]) for blk in blocks for w in range(warps) for n in range(SLOTS)
             if int(stamps[blk, w, n, 0]) & 0xFF == 14]
    print(f"run {run}: {len(blocks)} blocks, events {event_us:.1f} us, first entry to last exit "
          f"{(max(exits) - t0) / 1000:.1f} us, entries spread {(max(entries) - t0) / 1000:.1f} us")
    if not detail:
        return
    consumers = next(w for w in range(warps) if any(int(stamps[blocks[0], w, n, 0]) & 0xFF == 6
                                                    for n in range(SLOTS)))  # the first producer
    for name, warp in (("consumer 0", 0), ("producer 0", consumers), ("walker", warps - 1)):
        rows: dict[tuple[int, int], list[float]] = {}
        order: list[tuple[int, int]] = []
        for blk in blocks:
            seen: dict[int, int] = {}
            for n in range(SLOTS):
                word = int(stamps[blk, warp, n, 0])
                if word == 0:
                    break
                site = word & 0xFF
                seen[site] = seen.get(site, 0) + 1
                key = (site, seen[site])
                if key not in rows:
                    rows[key] = []
                    order.append(key)
                rows[key].append((int(times[blk, warp, n]) - t0) / 1000)
        count = {s: max(k for site, k in order if site == s) for s, _ in order}
        shown = [(s, k) for s, k in order if k <= 2 or k == count[s]]  # a site's first two stamps and its last
        line = ", ".join(f"{SITES.get(s, s)}{'' if k == 1 else f'#{k}'} {statistics.median(rows[(s, k)]):.1f}"
                         for s, k in shown)
        print(f"  {name}: {line}")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
