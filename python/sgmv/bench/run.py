"""`python -m sgmv bench`: the BENCH.md sweep: correctness check, timing, floor, baselines, table, files."""
from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import pathlib
import platform
import sys
import zlib
from typing import Callable, Optional

import torch

from .. import loader, ops, reference
from ..batch import LoraBatch
from ..dispatch import DTYPE_NAMES, Problem, select
from ..manifest import ClusterCounts, KernelRecord, load as load_manifest
from ..launch_plan import plan
from ..one_launch import one_launch_problem
from ..one_launch_padded import one_launch_plan
from ..prefill_phases import phase_kernel, phase_problem
from . import serving
from .cases import BenchCase, BufferSet, WrongResult, judged_error, make_buffers, matching, sweep
from .timer import copy_bandwidth, copy_time, sets_for, time_graph

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
SCALE = 0.5
TARGET_RATIO, TARGET_SLACK_US = 1.3, 4.0
MAX_GATHER_BYTES = 1 << 30  # the gather + bmm baseline is skipped when its gathered weights exceed this


@dataclasses.dataclass
class Row:
    dtype: str
    op: str
    case: str
    h_in: int
    h_out: int
    rank: int
    rows: int
    segments: int
    popularity: str
    time_us: float
    floor_us: float
    ratio: float
    copy_us: float
    time_over_copy: float
    gbps: float
    target_us: float
    meets_target: bool
    error: float
    kernels: str = ""  # the compiled kernels that ran (spec names, '+'-joined): results keyed by spec
    torch_loop_us: Optional[float] = None
    gather_bmm_us: Optional[float] = None
    speedup: Optional[float] = None
    wrong: str = ""  # the check's message where the op's result was wrong (then nothing is timed: times NaN)


def _op_call(op: str, bufs: BufferSet, batch: LoraBatch) -> Callable[[], object]:
    if op == "shrink":
        return lambda: ops.shrink(bufs.x, bufs.lora_a, batch)
    if op == "expand":
        return lambda: ops.expand(bufs.y, bufs.v, bufs.lora_b, batch, SCALE)
    return lambda: ops.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, SCALE)


def y_roundings(op: str, kernels: str) -> int:
    """How many times `op` rounds y to its dtype when it runs `kernels` (kernels_for's names): once a launch that
    writes y (the halves and parts of add_lora's rank each round it), none for shrink."""
    if op == "shrink":
        return 0
    return max(1, sum(not name.startswith("sgmv_shrink_") for name in kernels.split("+")))


def check(op: str, bufs: BufferSet, batch: LoraBatch, dtype: torch.dtype, roundings: int = 1) -> float:
    """Relative error of one call against the float64 reference, on fresh random data (y restored); WrongResult past the
    dtype's tolerance plus what rounding y to its dtype `roundings` times may add on its own (cases.judged_error)."""
    if op == "shrink":
        got = ops.shrink(bufs.x, bufs.lora_a, batch)
        want = reference.shrink(bufs.x, bufs.lora_a, batch, compute_dtype=torch.float64)
        return judged_error(got, want, dtype, op)
    y0 = bufs.y.clone()
    if op == "expand":
        ops.expand(bufs.y, bufs.v, bufs.lora_b, batch, SCALE)
        want = reference.expand_delta(bufs.v, bufs.lora_b, batch, SCALE, compute_dtype=torch.float64)
    else:
        ops.add_lora(bufs.y, bufs.x, bufs.lora_a, bufs.lora_b, batch, SCALE)
        want = reference.add_lora_delta(bufs.x, bufs.lora_a, bufs.lora_b, batch, SCALE, compute_dtype=torch.float64)
    try:
        return judged_error(bufs.y.double() - y0.double(), want, dtype, op, bufs.y, roundings)
    finally:
        bufs.y.copy_(y0)


def torch_loop(case: BenchCase, bufs: BufferSet) -> Callable[[], None]:
    bounds = list(zip(case.indptr()[:-1], case.indptr()[1:]))

    def call():
        for s, (b, e) in enumerate(bounds):
            bufs.y[b:e] += SCALE * ((bufs.x[b:e] @ bufs.lora_a[s].T) @ bufs.lora_b[s].T)
    return call


def gather_bmm(row_lora: torch.Tensor, bufs: BufferSet) -> Callable[[], None]:
    def call():
        h = torch.bmm(bufs.x[:, None], bufs.lora_a[row_lora].mT)
        bufs.y += SCALE * torch.bmm(h, bufs.lora_b[row_lora].mT)[:, 0]
    return call


def kernels_for(case: BenchCase, dtype: torch.dtype, op: str, arch: int = 90, num_sms: int = 132,
                resident_blocks: Callable[[KernelRecord], int] = lambda kernel: 1,
                resident_clusters: Optional[ClusterCounts] = None, launches: bool = False,
                max_smem_per_block: int = loader.SM90_SMEM_PER_BLOCK) -> str:
    """Names of the kernels dispatch picks for this case, '+'-joined in launch order (the bench's buffers have 16-byte
    aligned bases; B's rows are the rank in elements, whole 16-byte pieces at ranks of 8): for add_lora on sm_90 the
    one-launch kernels of one_launch_padded.one_launch_plan (the plan cuda_ops.add_lora launches: one kernel, or one a
    half or part of the rank) where it takes the case (resident_blocks and resident_clusters: the device's occupancy
    of a kernel, and of its clusters), else the shrink-expand pair. launches: each prefill and gemv kernel's launch
    too, as `NAME@CxG` (clusters of C blocks, G of them: launch_plan.plan's), for tools that compare picks. Of the
    kernels whose shared memory the device allows (max_smem_per_block), as cuda_ops selects."""
    dt = DTYPE_NAMES[dtype]
    kernels = [k for k in load_manifest().kernels if k.smem_bytes <= max_smem_per_block]

    def named(kernel: KernelRecord, problem: Problem) -> str:
        if not launches or kernel.op not in ("prefill", "gemv"):
            return kernel.name
        geometry = plan(one_launch_problem(problem, kernel), kernel, num_sms, clusters=True,
                        resident_blocks=resident_blocks(kernel), resident_clusters=resident_clusters)
        return f"{kernel.name}@{geometry.cluster}x{geometry.grid[0]}"

    longest = max(case.segments, default=0)  # the bench's batches come from host data: the longest is known
    if op == "add_lora" and arch >= 90:
        aligned = case.rank % 8 == 0 and case.h_in % 8 == 0 and case.h_out % 8 == 0  # B's rows: rank elements
        problem = Problem("fused", dt, case.rank, case.h_in, case.rows, case.num_segments, aligned, (case.h_out,),
                          (case.rank,), longest)
        one_launches = one_launch_plan(problem, kernels, num_sms, resident_blocks, resident_clusters)
        if one_launches is not None:
            return "+".join(named(launch.kernel, launch.run) for launch in one_launches)
    problems = {  # as cuda_ops's shrink_into, expand and _launch_pairs make them: add_lora's expand beside its shrink
        "shrink": Problem("shrink", dt, case.rank, case.h_in, case.rows, case.num_segments, case.h_in % 8 == 0,
                          max_segment_rows=longest),
        "expand": Problem("expand", dt, case.rank, case.h_out, case.rows, case.num_segments,
                          case.rank % 8 == 0 and case.h_out % 8 == 0, max_segment_rows=longest,
                          after_shrink=op == "add_lora" and arch >= 90),
    }
    if op != "add_lora" and arch >= 90:  # the standalone op on a tall batch: the prefill tile's half of it
        half = phase_kernel(problems[op], kernels)
        if half is not None:
            return named(half, phase_problem(problems[op]))
    ops = ("shrink", "expand") if op == "add_lora" else (op,)
    return "+".join(select(problems[o], kernels).name for o in ops)


def _arch(device: torch.device) -> int:
    major, minor = torch.cuda.get_device_capability(device)
    return 10 * major + minor


def measure(case: BenchCase, dtype: torch.dtype, op: str, bandwidth: float, baselines: bool) -> Row:
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(zlib.crc32(case.name.encode()))
    es = torch.tensor([], dtype=dtype).element_size()
    first = make_buffers(case, dtype, device, gen)
    set_bytes = sum(t.numel() * t.element_size() for t in dataclasses.astuple(first))
    batch = LoraBatch.from_segments(torch.tensor(case.indptr(), dtype=torch.int32),
                                    torch.arange(case.num_segments, dtype=torch.int32), device=device)
    gpu = loader.device(torch.cuda.current_device())
    kernels = kernels_for(case, dtype, op, _arch(device), gpu.num_sms, gpu.resident_blocks, gpu.resident_clusters,
                          max_smem_per_block=gpu.max_smem_per_block)
    nbytes = case.floor_bytes(es, op)
    floor_us = nbytes / bandwidth * 1e6
    target = max(TARGET_RATIO * floor_us, floor_us + TARGET_SLACK_US)
    named = dict(dtype=str(dtype).removeprefix("torch."), op=op, case=case.name, h_in=case.h_in, h_out=case.h_out,
                 rank=case.rank, rows=case.rows, segments=case.num_segments, popularity=case.popularity,
                 floor_us=floor_us, target_us=target, kernels=kernels)
    try:
        error = check(op, first, batch, dtype, y_roundings(op, kernels))
    except WrongResult as wrong:
        nan = float("nan")
        return Row(**named, time_us=nan, ratio=nan, copy_us=nan, time_over_copy=nan, gbps=nan, meets_target=False,
                   error=wrong.error, wrong=str(wrong))
    sets = [first] + [make_buffers(case, dtype, device, gen) for _ in range(sets_for(set_bytes) - 1)]
    time_us = time_graph([_op_call(op, b, batch) for b in sets])
    copy_us = copy_time(nbytes, device)
    row = Row(**named, time_us=time_us, ratio=time_us / floor_us, copy_us=copy_us, time_over_copy=time_us / copy_us,
              gbps=nbytes / time_us * 1e-3, meets_target=time_us <= target, error=error)
    if baselines and op == "add_lora":
        row.torch_loop_us = time_graph([torch_loop(case, b) for b in sets[:64]], replays=5)
        row_lora = torch.repeat_interleave(torch.arange(case.num_segments, device=device),
                                           torch.tensor(case.segments, device=device))
        if case.rows * case.rank * max(case.h_in, case.h_out) * es <= MAX_GATHER_BYTES:
            row.gather_bmm_us = time_graph([gather_bmm(row_lora, b) for b in sets[:16]], replays=5)
        best = min(t for t in (row.torch_loop_us, row.gather_bmm_us) if t is not None)
        row.speedup = best / time_us
    del sets
    torch.cuda.empty_cache()
    return row


def environment(command: str) -> dict:
    import importlib.metadata as md

    def version(pkg):
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return None
    props = torch.cuda.get_device_properties(0)
    driver = None
    try:
        from cuda.bindings import driver as drv
        driver = drv.cuDriverGetVersion()[1]
    except Exception:  # informational only
        pass
    return {"gpu": props.name, "sms": props.multi_processor_count, "cuda_driver_api": driver,
            "torch": torch.__version__, "torch_cuda": torch.version.cuda, "cuda_bindings": version("cuda-bindings"),
            "sgmv": version("sgmv"), "nvcc_flags": load_manifest().nvcc_flags, "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "command": command}


def _fmt(v, spec=".1f"):
    return "-" if v is None else format(v, spec)


def table(rows: list[Row]) -> str:
    head = (f"{'dtype':5} {'op':8} {'case':34} {'time_us':>8} {'floor_us':>8} {'ratio':>6} {'copy_us':>8} "
            f"{'t/copy':>6} {'GB/s':>7} {'loop_us':>8} {'bmm_us':>8} {'speedup':>7} target")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.dtype:5} {r.op:8} {r.case:34} {r.time_us:8.1f} {r.floor_us:8.1f} {r.ratio:6.2f} "
                     f"{r.copy_us:8.1f} {r.time_over_copy:6.2f} {r.gbps:7.0f} {_fmt(r.torch_loop_us):>8} "
                     f"{_fmt(r.gather_bmm_us):>8} {_fmt(r.speedup, '.1f'):>7} "
                     f"{'WRONG' if r.wrong else 'ok' if r.meets_target else 'MISS'}")
    met = sum(r.meets_target for r in rows)
    lines.append(f"{met}/{len(rows)} cases within max({TARGET_RATIO} x floor, floor + {TARGET_SLACK_US:.0f} us)")
    lines += [f"WRONG: {r.dtype} {r.op} {r.case} ({r.kernels}): {r.wrong}" for r in rows if r.wrong]
    return "\n".join(lines)


def progress(i: int, n: int, label: str) -> None:
    width = 30
    done = int(width * i / n)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{n} {label:50}")
    sys.stderr.flush()
    if i == n:
        sys.stderr.write("\n")


def run(quick: bool, dtypes: list[str], op_names: list[str], out: pathlib.Path, baselines: bool,
        command: str, case_filter: Optional[str] = None, pairs: bool = True,
        cases: Optional[list[BenchCase]] = None, shapes: tuple[tuple[int, int], ...] = (),
        ranks: tuple[int, ...] = ()) -> list[Row]:
    """Times the quick or full sweep (at `shapes` and `ranks` where given: cases.sweep; or `cases`, where given: a
    tool's own batches) and writes the results."""
    bandwidth = copy_bandwidth("cuda")
    print(f"copy bandwidth: {bandwidth / 1e12:.2f} TB/s (read + write, 1 GiB device-to-device)")
    flags = load_manifest().nvcc_flags
    if flags:
        print(f"kernels built with SGMV_NVCC_FLAGS={flags} (a probe build, not the shipped one)")
    cases = matching(sweep(quick, shapes=shapes, ranks=ranks) if cases is None else cases, case_filter)
    jobs = [(dt, op, c) for dt in dtypes for op in op_names for c in cases]
    rows: list[Row] = []
    for i, (dt, op, case) in enumerate(jobs):
        progress(i, len(jobs), f"{dt} {op} {case.name}")
        rows.append(measure(case, DTYPES[dt], op, bandwidth, baselines))
        if rows[-1].wrong:  # recorded, and the sweep goes on; the command exits 1 at the end
            sys.stderr.write(f"\nWRONG: {dt} {op} {case.name}: {rows[-1].wrong}\n")
    progress(len(jobs), len(jobs), "done")
    text = table(rows)
    pair_rows, pairs_wrong = [], None
    if pairs:
        sys.stderr.write("serving pairs (qkv and gate_up slices, mixed ranks)...\n")
        try:
            pair_rows = serving.run_pairs([DTYPES[dt] for dt in dtypes], bandwidth)
            text += "\n\nServing pairs (rows in random order via from_token_loras; speedup = other variant / this)\n"
            text += serving.table(pair_rows)
        except WrongResult as wrong:  # the sweep's results are written all the same, then this is raised
            pairs_wrong = wrong
            text += f"\n\nServing pairs: WRONG: {wrong}"
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    env = environment(command) | {"copy_bandwidth_Bps": bandwidth}
    (out / "table.txt").write_text(text + "\n")
    (out / "results.json").write_text(json.dumps({"environment": env, "rows": [dataclasses.asdict(r) for r in rows],
                                                  "pairs": [dataclasses.asdict(r) for r in pair_rows]},
                                                 indent=1) + "\n")
    with open(out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[fld.name for fld in dataclasses.fields(Row)])
        writer.writeheader()
        writer.writerows(dataclasses.asdict(r) for r in rows)
    if pair_rows:
        with open(out / "pairs.csv", "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=[fld.name for fld in dataclasses.fields(serving.PairRow)])
            writer.writeheader()
            writer.writerows(dataclasses.asdict(r) for r in pair_rows)
    from .plot import plot
    written = plot(rows, out / "plot.png")
    plotted = ", plot.png" if written else " (no plot: matplotlib is not installed)"
    print(f"wrote {out}/table.txt, results.csv, results.json" + (", pairs.csv" if pair_rows else "") + plotted)
    if pairs_wrong is not None:
        raise pairs_wrong
    return rows
