"""Serving pairs: the same work done two ways, timed like the sweep (graph replay, cold cache, median).

- qkv: a grouped-query attention projection (h_in -> q + k + v, rank 16) as one add_lora call with output slices,
  against three calls, one per slice; gate_up: an MLP's gate and up projections (rank 64) likewise, two slices
  (the one call runs each slice's own kernel on tall batches, sgmv/slice_calls.py).
- mixed ranks: adapters of ranks 8 and 64 stacked padded to 64, computed at their true ranks (`ranks`),
  against the same batch computed at the padded rank (zero padding, no `ranks`).
Rows come in random order (LoraBatch.from_token_loras), as a serving engine hands them over."""
from __future__ import annotations

import dataclasses
import random
import zlib
from typing import Callable

import torch

from .. import ops, reference
from ..batch import LoraBatch
from .cases import judged_error
from .timer import sets_for, time_graph

SCALE = 0.5
PACKS = {"qkv": (4096, (4096, 1024, 1024), 16), "gate_up": (4096, (14336, 14336), 64)}  # h_in, output slices, rank
MIXED = (4096, 4096, (8, 64))  # h_in, h_out, ranks (half the adapters each)
BATCHES = ((64, 8), (256, 16), (4096, 64))  # (rows, adapters): decode and prefill


@dataclasses.dataclass
class PairRow:
    dtype: str
    pair: str  # "qkv" or "mixed_ranks"
    case: str
    variant: str
    time_us: float
    floor_us: float
    ratio: float
    error: float
    speedup: float = 1.0  # the other variant's time / this one's (on the variant the pair is about)


def _token_loras(rows: int, adapters: int, seed: int) -> torch.Tensor:
    rng = random.Random(seed)
    return torch.tensor([rng.randrange(adapters) for _ in range(rows)], dtype=torch.int32)


def _weights(n, rank, h_in, h_out, dtype, gen, device):
    a = (torch.randn(n, rank, h_in, generator=gen, device=device) * h_in ** -0.5).to(dtype)
    b = (torch.randn(n, h_out, rank, generator=gen, device=device) * rank ** -0.5).to(dtype)
    return a, b


def _time_and_check(make_set: Callable[[], dict], call: Callable[[dict], None], want_of: Callable[[dict], torch.Tensor],
                    set_bytes: int) -> tuple[float, float]:
    """(median us per call, relative error of the first set's delta against the float64 reference); WrongResult past
    the bench's tolerance plus y's rounding (each variant rounds each element of y once), as run.check."""
    sets = [make_set() for _ in range(sets_for(set_bytes))]
    first = sets[0]
    y0 = first["y"].clone()
    call(first)
    want = want_of(first)
    try:
        error = judged_error(first["y"].double() - y0.double(), want, y0.dtype, "a serving pair's variant", first["y"],
                             roundings=1)
    finally:
        first["y"].copy_(y0)
    return time_graph([lambda s=s: call(s) for s in sets]), error


def packed_rows(dtype: torch.dtype, bandwidth: float, rows: int, adapters: int, pack: str = "qkv") -> list[PairRow]:
    h_in, outs, rank = PACKS[pack]
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(zlib.crc32(f"{pack}{rows}".encode()))
    idx = _token_loras(rows, adapters, rows)
    batch = LoraBatch.from_token_loras(idx, device=device)
    used = len(set(idx.tolist()))
    es = torch.tensor([], dtype=dtype).element_size()

    def make_set():
        pairs = [_weights(adapters, rank, h_in, h, dtype, gen, device) for h in outs]
        return {"x": torch.randn(rows, h_in, generator=gen, device=device).to(dtype),
                "y": torch.randn(rows, sum(outs), generator=gen, device=device).to(dtype),
                "a": tuple(p[0] for p in pairs), "b": tuple(p[1] for p in pairs)}

    def one_call(s):
        ops.add_lora(s["y"], s["x"], s["a"], s["b"], batch, SCALE, slices=outs)

    def a_call_a_slice(s):
        col = 0
        for a, b, h in zip(s["a"], s["b"], outs):
            ops.add_lora(s["y"][:, col:col + h], s["x"], a, b, batch, SCALE)
            col += h

    def want(s):
        return reference.add_lora_delta(s["x"], s["a"], s["b"], batch, SCALE, compute_dtype=torch.float64)

    w_bytes = es * adapters * rank * (len(outs) * h_in + sum(outs))
    set_bytes = es * rows * (h_in + sum(outs)) + w_bytes
    floor_one = (es * rows * (h_in + 2 * sum(outs)) + used * es * rank * (len(outs) * h_in + sum(outs))
                 + 8 * rows * rank * len(outs)) / bandwidth * 1e6
    floor_each = floor_one + es * rows * h_in * (len(outs) - 1) / bandwidth * 1e6  # x read once per call
    case = f"h{h_in}to{'+'.join(map(str, outs))}_r{rank}_bs{rows}_a{adapters}"
    t1, e1 = _time_and_check(make_set, one_call, want, set_bytes)
    t_each, e_each = _time_and_check(make_set, a_call_a_slice, want, set_bytes)
    dt = str(dtype).removeprefix("torch.")
    count = {2: "two", 3: "three"}.get(len(outs), str(len(outs)))
    return [PairRow(dt, pack, case, f"one call, {len(outs)} slices", t1, floor_one, t1 / floor_one, e1, t_each / t1),
            PairRow(dt, pack, case, f"{count} calls", t_each, floor_each, t_each / floor_each, e_each)]


def mixed_rank_rows(dtype: torch.dtype, bandwidth: float, rows: int, adapters: int) -> list[PairRow]:
    h_in, h_out, (low, high) = MIXED
    device = torch.device("cuda")
    gen = torch.Generator(device=device).manual_seed(zlib.crc32(f"mixed{rows}".encode()))
    idx = _token_loras(rows, adapters, rows + 1)
    batch = LoraBatch.from_token_loras(idx, device=device)
    ranks = torch.tensor([low if i % 2 else high for i in range(adapters)], dtype=torch.int32, device=device)
    es = torch.tensor([], dtype=dtype).element_size()

    def make_set():
        a, b = _weights(adapters, high, h_in, h_out, dtype, gen, device)
        for lora, k in enumerate(ranks.tolist()):  # zero padding past each adapter's true rank
            a[lora, k:] = 0
            b[lora, :, k:] = 0
        return {"x": torch.randn(rows, h_in, generator=gen, device=device).to(dtype),
                "y": torch.randn(rows, h_out, generator=gen, device=device).to(dtype), "a": a, "b": b}

    def true_ranks(s):
        ops.add_lora(s["y"], s["x"], s["a"], s["b"], batch, SCALE, ranks=ranks)

    def padded(s):
        ops.add_lora(s["y"], s["x"], s["a"], s["b"], batch, SCALE)

    def want(s):
        return reference.add_lora_delta(s["x"], s["a"], s["b"], batch, SCALE, compute_dtype=torch.float64)

    used = sorted(set(idx.tolist()))
    rank_sum = sum(int(ranks[i]) for i in used)
    row_ranks = sum(int(ranks[i]) for i in idx.tolist())
    set_bytes = es * (rows * (h_in + h_out) + adapters * high * (h_in + h_out))
    floor_true = (es * (rows * h_in + rank_sum * (h_in + h_out) + 2 * rows * h_out) + 8 * row_ranks) / bandwidth * 1e6
    floor_padded = (es * (rows * h_in + len(used) * high * (h_in + h_out) + 2 * rows * h_out)
                    + 8 * rows * high) / bandwidth * 1e6
    case = f"h{h_in}_r{low}+{high}_bs{rows}_a{adapters}"
    tt, et = _time_and_check(make_set, true_ranks, want, set_bytes)
    tp, ep = _time_and_check(make_set, padded, want, set_bytes)
    dt = str(dtype).removeprefix("torch.")
    return [PairRow(dt, "mixed_ranks", case, "true ranks", tt, floor_true, tt / floor_true, et, tp / tt),
            PairRow(dt, "mixed_ranks", case, f"padded to {high}", tp, floor_padded, tp / floor_padded, ep)]


def run_pairs(dtypes: list[torch.dtype], bandwidth: float) -> list[PairRow]:
    out: list[PairRow] = []
    for dtype in dtypes:
        for rows, adapters in BATCHES:
            for pack in PACKS:
                out += packed_rows(dtype, bandwidth, rows, adapters, pack)
            out += mixed_rank_rows(dtype, bandwidth, rows, adapters)
    torch.cuda.empty_cache()
    return out


def table(rows: list[PairRow]) -> str:
    head = (f"{'dtype':8} {'pair':11} {'case':34} {'variant':20} {'time_us':>8} {'floor_us':>8} {'ratio':>6} "
            f"{'speedup':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        speed = f"{r.speedup:7.2f}" if r.speedup != 1.0 else f"{'':7}"
        lines.append(f"{r.dtype:8} {r.pair:11} {r.case:34} {r.variant:20} {r.time_us:8.1f} {r.floor_us:8.1f} "
                     f"{r.ratio:6.2f} {speed}")
    return "\n".join(lines)
