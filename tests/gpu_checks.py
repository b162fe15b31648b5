"""What the GPU tests share: the device, the compiled kernels, the check of an op's addition to y against the
reference (of one output or of many), random weights, one prefill launch checked, CUDA-graph replays of add_lora, the
one-launch op add_lora takes, and chained calls checked."""
from typing import Callable

import torch

import sgmv
from sgmv import cuda_ops, manifest, reference
from sgmv.cuda_ops import Rows
from conftest import EMULATE, TOLERANCE, Case, covered_rows, output_rounding, poison_allocator, rel_error

DEV = "cpu" if EMULATE else "cuda"  # SGMV_EMULATE=1: on the CPU (conftest.py)
KERNELS = manifest.load().kernels
DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def kernel_named(name: str):
    """The compiled kernel called `name` (for the tools in benchmarks/sanitize); ValueError if none is."""
    try:
        return manifest.load().by_name(name)
    except KeyError:
        raise ValueError(f"no compiled kernel is called {name!r} (`python -m sgmv info` lists them)") from None


def check_delta(y_out, y_in, want_delta, dtype, untouched_rows, roundings: int = 1):
    """y_out - y_in against the reference's want_delta within the dtype's tolerance plus y's rounding, and the
    untouched rows unchanged. roundings: how many times the op rounds y to its dtype (two where add_lora runs as two
    half-rank launches)."""
    err = rel_error(y_out.double() - y_in.double(), want_delta)
    allowed = TOLERANCE[dtype] + roundings * output_rounding(y_out, want_delta)
    assert err < allowed, f"relative error {err:.2e} >= {allowed:.2e} ({TOLERANCE[dtype]:.0e} and y's rounding)"
    assert torch.equal(y_out[untouched_rows], y_in[untouched_rows]), "rows without an adapter changed"


def check_deltas(y_outs, y_in, want_delta, dtype, untouched_rows):
    """check_delta on each of `y_outs`, outputs of calls on the same inputs (launches back to back): the first in
    full, the others on their device within the first's bound (y's rounding adds the same to each), so that a
    hundred outputs take well under a second, not the ~0.2 s each of check_delta's float64 pass on the CPU."""
    check_delta(y_outs[0], y_in, want_delta, dtype, untouched_rows)
    allowed = TOLERANCE[dtype] + output_rounding(y_outs[0], want_delta)
    base, want = y_in.double(), want_delta.to(y_in.device, torch.float64)
    denom = want.norm()
    denom = torch.where(denom > 0, denom, torch.ones_like(denom))
    for i, y in enumerate(y_outs[1:], start=1):
        err = ((y.double() - base - want).norm() / denom).item()
        assert err < allowed, f"output {i}: relative error {err:.2e} >= {allowed:.2e} (output 0 was within it)"
        assert torch.equal(y[untouched_rows], y_in[untouched_rows]), f"output {i}: rows without an adapter changed"


def random_weights(n_lora, rank, h_in, h_out, dtype, gen):
    """Stacked lora_a [n_lora, rank, h_in] and lora_b [n_lora, h_out, rank] on the GPU, scaled so that the LoRA
    term is O(1) like y."""
    a = (torch.randn(n_lora, rank, h_in, generator=gen) / h_in ** 0.5).to(dtype).to(DEV)
    b = (torch.randn(n_lora, h_out, rank, generator=gen) / rank ** 0.5).to(dtype).to(DEV)
    return a, b


def check_prefill_launch(kernel, batch: sgmv.LoraBatch, n_lora: int, h_in: int, h_out: int,
                         gen: torch.Generator) -> None:
    """The prefill `kernel` (or any add_lora kernel: cuda_ops' `fused`) on `batch` with fresh random weights, x, y
    and per-adapter scales drawn from `gen`, the allocator poisoned, against the float64 reference; y past the
    covered rows untouched."""
    start_prefill_launch(kernel, batch, n_lora, h_in, h_out, gen)()


def start_prefill_launch(kernel, batch: sgmv.LoraBatch, n_lora: int, h_in: int, h_out: int,
                         gen: torch.Generator) -> Callable[[], None]:
    """check_prefill_launch's launch, not waited for; returns its check (which waits): for tools that watch whether
    the launch ends (benchmarks/sanitize/wait_stamps.py)."""
    dtype = DTYPES[kernel.dtype]
    rows = int(batch.seg_indptr[-1])
    a, b = random_weights(n_lora, kernel.rank, h_in, h_out, dtype, gen)
    x = torch.randn(rows, h_in, generator=gen).to(dtype).to(DEV)
    y0 = torch.randn(rows, h_out, generator=gen).to(dtype).to(DEV)
    scales = (torch.rand(n_lora, generator=gen) + 0.5).to(DEV)
    poison_allocator(DEV)
    y = y0.clone()
    cuda_ops.add_lora(y, x, [a], [b], Rows(*batch.kernel_segments(n_lora)), scales, 0.5, fused=kernel)

    def check() -> None:
        want = reference.add_lora_delta(x, a, b, batch, 0.5, scales, compute_dtype=torch.float64)
        check_delta(y, y0, want, dtype, ~covered_rows(batch, rows, n_lora).to(DEV))
    return check


def graph_replays(case: Case, y: torch.Tensor, times: int = 2):
    """sgmv.add_lora(y, case's x and weights, scale 0.5) captured in a CUDA graph, then replayed `times` times from
    case.y; yields after each replay has finished."""
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch, scale=0.5)
    for _ in range(times):
        y.copy_(case.y)
        graph.replay()
        torch.cuda.synchronize()
        yield


def one_launch_op(problem) -> str | None:
    """The op of the kernel add_lora runs `problem` with in one launch on GPU 0, or None for the launch pair."""
    kernel = cuda_ops._installed_one_launch_kernel(problem, 0)
    return kernel.op if kernel is not None else None


def check_chain(cases, start, graph: bool, n_lora: int) -> None:
    """add_lora on each case in turn, x being the previous call's y (the first x: `start`), eager or captured in
    one CUDA graph and replayed; every output against the float64 reference of its actual input."""
    outs = [c.y.clone() for c in cases]

    def chain():
        x = start
        for c, y in zip(cases, outs):
            sgmv.add_lora(y, x[:c.rows], c.lora_a, c.lora_b, c.batch, scale=0.5)
            x = y

    if graph:
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            chain()  # loads the kernels outside capture
        torch.cuda.current_stream().wait_stream(stream)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            chain()
        for c, y in zip(cases, outs):
            y.copy_(c.y)
        g.replay()
    else:
        chain()
    torch.cuda.synchronize()
    x = start
    for c, y in zip(cases, outs):
        want = reference.add_lora_delta(x[:c.rows], c.lora_a, c.lora_b, c.batch, 0.5, compute_dtype=torch.float64)
        check_delta(y, c.y, want, torch.bfloat16, ~covered_rows(c.batch, c.rows, n_lora).to(DEV))
        x = y
