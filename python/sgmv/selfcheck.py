"""A CPU self-check of the public API (the ops, and a model's Linear layer serving adapters) against a row-by-row
definition (what `bench` runs without a GPU)."""
from __future__ import annotations

import random

import torch

from . import ops
from .batch import LoraBatch

CASES = (  # (rows per segment, adapter per segment): awkward layouts
    ((1,), (0,)),
    ((3, 0, 5, 1), (2, 1, -1, 0)),
    ((17, 16, 15), (1, 1, 0)),
    ((1,) * 12, tuple(i % 3 for i in range(12))),
    ((40,), (7,)),  # adapter index past n_lora: no LoRA
)


def _naive(y, x, a, b, sizes, loras, scale):
    out = y.double().clone()
    row = 0
    for size, lora in zip(sizes, loras):
        for r in range(row, row + size):
            if 0 <= lora < a.shape[0]:
                out[r] += scale * (b[lora].double() @ (a[lora].double() @ x[r].double()))
        row += size
    return out


def run(verbose: bool = True) -> bool:
    rng = random.Random(0)
    ok = True
    for sizes, loras in CASES:
        rows, h_in, h_out, r = sum(sizes), rng.choice([8, 24, 33]), rng.choice([16, 40]), rng.choice([1, 4, 8])
        x, y = torch.randn(rows, h_in), torch.randn(rows, h_out)
        a, b = torch.randn(3, r, h_in) / h_in ** 0.5, torch.randn(3, h_out, r) / r ** 0.5
        indptr = [0]
        for s in sizes:
            indptr.append(indptr[-1] + s)
        want = _naive(y, x, a, b, sizes, loras, 0.5)
        got = ops.add_lora(y.clone(), x, a, b, LoraBatch.from_segments(indptr, loras), scale=0.5)
        err = (got.double() - want).norm().item() / max(want.norm().item(), 1e-30)
        passed = err < 1e-5
        ok &= passed
        if verbose:
            print(f"  {'ok  ' if passed else 'FAIL'} rows={rows:3} segments={len(sizes):2} h_in={h_in:2} "
                  f"h_out={h_out:2} r={r}: relative error {err:.1e}")
    return _serving_case(rng, verbose) and _layer_case(rng, verbose) and ok


def _serving_case(rng: random.Random, verbose: bool) -> bool:
    """Rows in any order (from_token_loras), two output slices and true ranks in one call, against the same
    definition applied slice by slice and adapter by adapter on the rows as given."""
    rows, h_in, outs, r = 23, 24, (16, 8), 8
    idx = [rng.choice([-1, 0, 1, 2, 5]) for _ in range(rows)]  # 5: past n_lora, no LoRA
    ranks = torch.tensor([8, 3, 0])
    x, y = torch.randn(rows, h_in), torch.randn(rows, sum(outs))
    pairs = [(torch.randn(3, r, h_in) / h_in ** 0.5, torch.randn(3, h, r) / r ** 0.5) for h in outs]
    want, col = y.double().clone(), 0
    for (a, b), h in zip(pairs, outs):
        for row, lora in enumerate(idx):
            if 0 <= lora < 3:
                k = int(ranks[lora])
                want[row, col:col + h] += 0.5 * (b[lora, :, :k].double() @ (a[lora, :k].double() @ x[row].double()))
        col += h
    got = ops.add_lora(y.clone(), x, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs),
                       LoraBatch.from_token_loras(idx), scale=0.5, slices=outs, ranks=ranks)
    err = (got.double() - want).norm().item() / max(want.norm().item(), 1e-30)
    if verbose:
        print(f"  {'ok  ' if err < 1e-5 else 'FAIL'} rows={rows} in any order, slices {outs}, true ranks "
              f"{ranks.tolist()}: relative error {err:.1e}")
    return err < 1e-5


def _layer_case(rng: random.Random, verbose: bool) -> bool:
    """A model's Linear layer wrapped (lora_linear.py): two PEFT-style adapters of ranks 8 and 3 in slots 0 and 2 of
    three, rows in any order and without an adapter, against the base layer plus the definition row by row."""
    from .lora_linear import load_adapter, peft_adapter, using_batch, wrap_linears
    model = torch.nn.Sequential(torch.nn.Linear(24, 16)).double()
    layers = wrap_linears(model, ["0"], max_loras=3, max_rank=8)
    adapters = {}
    for slot, r in ((0, 8), (2, 3)):
        state = {"base_model.model.0.lora_A.weight": torch.randn(r, 24, dtype=torch.float64) / 5,
                 "base_model.model.0.lora_B.weight": torch.randn(16, r, dtype=torch.float64) / 2}
        adapters[slot] = peft_adapter(state, lora_alpha=2 * r, r=r)["0"]
        load_adapter(layers, slot, {"0": adapters[slot]})
    idx = [rng.choice([-1, 0, 1, 2]) for _ in range(19)]  # slot 1: empty
    x = torch.randn(19, 24, dtype=torch.float64)
    with torch.no_grad(), using_batch(LoraBatch.from_token_loras(idx)):
        got = model(x)
        want = layers["0"].base(x)
    for row, slot in enumerate(idx):
        if slot in adapters:
            a, b, scale = adapters[slot]
            want[row] += scale * (b @ (a @ x[row]))
    err = (got - want).norm().item() / max(want.norm().item(), 1e-30)
    if verbose:
        print(f"  {'ok  ' if err < 1e-5 else 'FAIL'} a wrapped Linear, PEFT adapters of ranks 8 and 3 in slots of 3, "
              f"rows in any order: relative error {err:.1e}")
    return err < 1e-5
