"""What the GPU tests share: the device, the compiled kernels, the check of an op's addition to y against the
reference, random weights, and CUDA-graph replays of add_lora."""
import torch

import sgmv
from sgmv import manifest
from conftest import TOLERANCE, Case, output_rounding, rel_error

DEV = "cuda"
KERNELS = manifest.load().kernels
DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16}


def check_delta(y_out, y_in, want_delta, dtype, untouched_rows, roundings: int = 1):
    """y_out - y_in against the reference's want_delta within the dtype's tolerance plus y's rounding, and the
    untouched rows unchanged. roundings: how many times the op rounds y to its dtype (two where add_lora runs as two
    half-rank launches)."""
    err = rel_error(y_out.double() - y_in.double(), want_delta)
    allowed = TOLERANCE[dtype] + roundings * output_rounding(y_out, want_delta)
    assert err < allowed, f"relative error {err:.2e} >= {allowed:.2e} ({TOLERANCE[dtype]:.0e} and y's rounding)"
    assert torch.equal(y_out[untouched_rows], y_in[untouched_rows]), "rows without an adapter changed"


def random_weights(n_lora, rank, h_in, h_out, dtype, gen):
    """Stacked lora_a [n_lora, rank, h_in] and lora_b [n_lora, h_out, rank] on the GPU, scaled so that the LoRA
    term is O(1) like y."""
    a = (torch.randn(n_lora, rank, h_in, generator=gen) / h_in ** 0.5).to(dtype).to(DEV)
    b = (torch.randn(n_lora, h_out, rank, generator=gen) / rank ** 0.5).to(dtype).to(DEV)
    return a, b


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
