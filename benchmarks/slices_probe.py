"""Packed projections (several output slices in one call: q + k + v, gate + up) timed several ways, for NOTES.md
entries 369 and 371: add_lora as dispatch runs it (sgmv/slice_calls.py's choice), as the launch pair, one add_lora call
a slice, in one packed launch (the fused kernel for packed calls, where slice_calls.packed_kernel takes the call; else
the case has no such time), and the launch pair's two halves alone: the shrink of all slices in one call against one
call a slice, the expand of all slices against one call a slice (each slice's v a column view of the shared v; tall
batches take the prefill tile's expand half there, prefill_phases). Every variant's delta is checked against the
float64 reference first, then timed as the bench times it (graph replay over cold buffer sets).

    python benchmarks/slices_probe.py OUT.json [--dtype=bf16] [--packs=qkv,gate_up,H_IN:OUT+OUT,...] [--ranks=16,64]
                                      [--batches=ROWSxADAPTERS,...] [--variants=NAME,...] [--order=tokens]
"""
import argparse
import contextlib
import itertools
import json

import torch

from sgmv import cuda_ops, ops, reference, slice_calls
from sgmv.batch import LoraBatch
from sgmv.bench.cases import judged_error
from sgmv.bench.timer import copy_bandwidth, sets_for, time_graph, warm_up

PACKS = {"qkv": (4096, (4096, 1024, 1024)), "gate_up": (4096, (14336, 14336))}  # or H_IN:OUT+OUT+...
SCALE = 0.5


class NotTaken(Exception):
    """The packed launch's check: no kernel for packed calls took the call (it ran as the pair)."""


@contextlib.contextmanager
def switched(**values):
    """slice_calls' switches (SLICE_CALLS, PACKED_LAUNCH) set to `values` inside."""
    saved = {name: getattr(slice_calls, name) for name in values}
    for name, value in values.items():
        setattr(slice_calls, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(slice_calls, name, value)


def columns(widths):
    starts = list(itertools.accumulate((0,) + tuple(widths)))
    return [slice(a, b) for a, b in zip(starts, starts[1:])]


def variants(batch, outs, rank):
    """name -> (the call checked: returns v for a shrink, else adds into the set's y; the call timed)."""
    y_cols, v_cols = columns(outs), columns((rank,) * len(outs))

    def one_call(s):
        ops.add_lora(s["y"], s["x"], s["a"], s["b"], batch, SCALE, slices=outs)

    def the_pair(s):  # the packed call as the launch pair, whatever slice_calls would take
        with switched(SLICE_CALLS=0, PACKED_LAUNCH=0):
            one_call(s)

    def packed_launch(s):  # in one launch of a kernel for packed calls where one takes it (else the pair)
        with switched(SLICE_CALLS=0, PACKED_LAUNCH=1, PACKED_FLAT=1):
            one_call(s)

    def packed_launch_checked(s):  # the same, raising NotTaken where it ran as the pair
        taken, real = [], cuda_ops._packed_launch
        cuda_ops._packed_launch = lambda *args: taken.append(real(*args)) or taken[-1]
        try:
            packed_launch(s)
        finally:
            cuda_ops._packed_launch = real
        if not taken or taken[-1] is None:
            raise NotTaken

    def call_a_slice(s):
        for a, b, c in zip(s["a"], s["b"], y_cols):
            ops.add_lora(s["y"][:, c], s["x"], a, b, batch, SCALE)

    def shrink_all(s):
        return ops.shrink(s["x"], s["a"], batch, SCALE)

    def shrink_a_slice(s):
        return torch.cat([ops.shrink(s["x"], a, batch, SCALE) for a in s["a"]], dim=1)  # the check's only

    def expand_all(s):
        ops.expand(s["y"], s["v"], s["b"], batch)

    def expand_a_slice(s):
        for b, vc, yc in zip(s["b"], v_cols, y_cols):
            ops.expand(s["y"][:, yc], s["v"][:, vc], b, batch)

    def shrink_a_slice_timed(s):  # the slices' v as the shrinks return them (no copy into one tensor)
        for a in s["a"]:
            ops.shrink(s["x"], a, batch, SCALE)

    return {"one call": (one_call, one_call), "the pair": (the_pair, the_pair),
            "a call a slice": (call_a_slice, call_a_slice), "packed launch": (packed_launch_checked, packed_launch),
            "shrink all": (shrink_all, shrink_all), "shrink a slice": (shrink_a_slice, shrink_a_slice_timed),
            "expand all": (expand_all, expand_all), "expand a slice": (expand_a_slice, expand_a_slice)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--dtype", default="bf16")
    parser.add_argument("--packs", default="qkv,gate_up")
    parser.add_argument("--ranks", default="16,64")
    parser.add_argument("--batches", default="64x8,256x16,1024x16,4096x64,8192x8")
    parser.add_argument("--variants", default="", help="comma-separated names (default: all)")
    parser.add_argument("--order", default="segments", choices=("segments", "tokens"),
                        help="tokens: each row's adapter drawn at random (from_token_loras: lengths the host does not "
                             "know), not the adapters' rows in turn")
    args = parser.parse_args()
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[args.dtype]
    device = torch.device("cuda")
    warm_up(device)
    bandwidth = copy_bandwidth(device)
    es = torch.tensor([], dtype=dtype).element_size()
    results = []
    for pack in args.packs.split(","):
        h_in, outs = PACKS[pack] if pack in PACKS else (int(pack.split(":")[0]),
                                                         tuple(int(o) for o in pack.split(":")[1].split("+")))
        for rank in map(int, args.ranks.split(",")):
            for rows, adapters in ((int(a), int(b)) for a, b in (t.split("x") for t in args.batches.split(","))):
                bounds = [rows * i // adapters for i in range(adapters + 1)]
                if args.order == "tokens":
                    pick = torch.Generator().manual_seed(rows * 7 + adapters)
                    batch = LoraBatch.from_token_loras(torch.randint(0, adapters, (rows,), generator=pick).to(device))
                else:
                    batch = LoraBatch.from_segments(torch.tensor(bounds, dtype=torch.int32),
                                                    torch.arange(adapters, dtype=torch.int32), device=device)
                gen = torch.Generator(device=device).manual_seed(rows * 131 + rank)

                def make_set():
                    a = tuple((torch.randn(adapters, rank, h_in, generator=gen, device=device) * h_in ** -0.5)
                              .to(dtype) for _ in outs)
                    b = tuple((torch.randn(adapters, h, rank, generator=gen, device=device) * rank ** -0.5).to(dtype)
                              for h in outs)
                    return {"x": torch.randn(rows, h_in, generator=gen, device=device).to(dtype),
                            "y": torch.randn(rows, sum(outs), generator=gen, device=device).to(dtype),
                            "v": torch.randn(rows, rank * len(outs), generator=gen, device=device), "a": a, "b": b}

                w_bytes = es * adapters * rank * (len(outs) * h_in + sum(outs))
                set_bytes = es * rows * (h_in + sum(outs)) + w_bytes + 4 * rows * rank * len(outs)
                floors = {"add_lora": es * rows * (h_in + 2 * sum(outs)) + w_bytes,
                          "shrink": es * rows * h_in + es * adapters * rank * len(outs) * h_in
                          + 4 * rows * rank * len(outs),
                          "expand": es * 2 * rows * sum(outs) + es * adapters * rank * sum(outs)
                          + 4 * rows * rank * len(outs)}
                label = pack if pack in PACKS else "pack"
                case = f"{label}_h{h_in}to{'+'.join(map(str, outs))}_r{rank}_bs{rows}_a{adapters}"
                row = {"case": case}
                line = f"{case:44s}"
                for name, (call, timed) in variants(batch, outs, rank).items():
                    if args.variants and name not in args.variants.split(","):
                        continue
                    sets = [make_set() for _ in range(sets_for(set_bytes))]
                    s = sets[0]
                    before = s["y"].clone()
                    try:
                        v = call(s)
                    except NotTaken:
                        line += f" | {name} none"
                        continue
                    if name.startswith("shrink"):
                        want = reference.shrink(s["x"], s["a"], batch, SCALE, compute_dtype=torch.float64)
                        error = judged_error(v.double(), want, dtype, name)
                    else:
                        want = (reference.expand_delta(s["v"], s["b"], batch, compute_dtype=torch.float64)
                                if name.startswith("expand") else
                                reference.add_lora_delta(s["x"], s["a"], s["b"], batch, SCALE,
                                                         compute_dtype=torch.float64))
                        error = judged_error(s["y"].double() - before.double(), want, dtype, name, s["y"],
                                             roundings=1)
                    s["y"].copy_(before)
                    us = time_graph([lambda t=t: timed(t) for t in sets])
                    del sets
                    torch.cuda.empty_cache()
                    op = name.split()[0] if name.split()[0] in ("shrink", "expand") else "add_lora"
                    row[name] = dict(us=us, floor_us=floors[op] / bandwidth * 1e6, error=error)
                    line += f" | {name} {us:6.1f} ({floors[op] / bandwidth * 1e6:5.1f})"
                results.append(row)
                print(line, flush=True)
    with open(args.out, "w") as f:
        json.dump(dict(bandwidth=bandwidth, dtype=args.dtype, results=results), f, indent=1)
    print(f"copy bandwidth {bandwidth / 1e12:.2f} TB/s")


if __name__ == "__main__":
    main()
