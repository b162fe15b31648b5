"""The shape sweep of BENCH.md as data: one BenchCase per measured configuration."""
from __future__ import annotations

import dataclasses
import itertools
import math
import random

import torch

from .. import reference

QUICK_HIDDEN = ((4096, 4096), (8192, 8192))
FULL_HIDDEN = QUICK_HIDDEN + ((4096, 14336), (14336, 4096))
QUICK_RANKS = (16, 64)
FULL_RANKS = (8, 16, 32, 64, 128)
DECODE_BATCHES = (1, 16, 64, 256)
QUICK_POPULARITY = ("distinct", "uniform", "identical")
FULL_POPULARITY = ("distinct", "uniform", "skewed", "identical")
PREFILL = ((4096, 64), (8192, 8))  # (rows, adapters), equal rows each
ZIPF_EXPONENT = 1.5
# BENCH.md's check before timing: the relative error of an op's delta against the float64 reference stays below this
# (plus what rounding y to its dtype adds on its own: reference.output_rounding)
TOLERANCE = reference.TOLERANCE


class WrongResult(AssertionError):
    """An op's result past TOLERANCE (bench.run.check, serving's pairs): a case is recorded as wrong and the sweep goes
    on; the command exits 1."""

    def __init__(self, message: str, error: float):
        super().__init__(message)
        self.error = error


def judged_error(got: torch.Tensor, want: torch.Tensor, dtype: torch.dtype, what: str,
                 y_out: torch.Tensor | None = None, roundings: int = 0) -> float:
    """reference.relative_error(got, want); WrongResult naming `what` past TOLERANCE[dtype] plus `roundings` times what
    rounding y_out to its dtype may add on its own (reference.output_rounding: a correct kernel's delta at rank 4 over
    one row can reach 1e-2 in bf16 from that alone)."""
    allowed = TOLERANCE[dtype] + (roundings * reference.output_rounding(y_out, want) if roundings else 0.0)
    err = reference.relative_error(got, want)
    if not err < allowed:  # NaN too
        raise WrongResult(f"{what} is wrong: relative error {err:.2e} >= {allowed:.2e} ({TOLERANCE[dtype]:.0e} and "
                          f"y's rounding)", err)
    return err


@dataclasses.dataclass(frozen=True)
class BenchCase:
    h_in: int
    h_out: int
    rank: int
    rows: int
    popularity: str  # distinct | uniform | skewed | identical | prefill
    segments: tuple[int, ...]  # rows per segment; segment s uses adapter s

    @property
    def num_segments(self) -> int:
        return len(self.segments)

    @property
    def name(self) -> str:
        h = f"h{self.h_in}" if self.h_in == self.h_out else f"h{self.h_in}to{self.h_out}"
        return f"{h}_r{self.rank}_{self.popularity}_bs{self.rows}_s{self.num_segments}"

    def floor_bytes(self, element_size: int, op: str = "add_lora") -> int:
        """Bytes an ideal kernel moves (DESIGN.md): inputs read once, y read and written once."""
        t, s, r, es = self.rows, self.num_segments, self.rank, element_size
        if op == "shrink":
            return es * (t * self.h_in + s * r * self.h_in) + 4 * t * r
        if op == "expand":
            return es * (s * self.h_out * r + 2 * t * self.h_out) + 4 * t * r
        return es * (t * self.h_in + s * r * self.h_in + s * self.h_out * r + 2 * t * self.h_out) + 8 * t * r

    def indptr(self) -> list[int]:
        return [0] + list(itertools.accumulate(self.segments))


def decode_segments(rows: int, popularity: str, rng: random.Random) -> tuple[int, ...]:
    if popularity == "distinct":
        return (1,) * rows
    if popularity == "identical":
        return (rows,)
    if popularity == "uniform":
        n = max(1, round(math.sqrt(rows)))
        return tuple(rows // n + (1 if i < rows % n else 0) for i in range(n))
    if popularity == "skewed":
        weights = [1.0 / (i + 1) ** ZIPF_EXPONENT for i in range(rows)]
        picks = rng.choices(range(rows), weights, k=rows)
        return tuple(sorted((c for c in (picks.count(i) for i in range(rows)) if c), reverse=True))
    raise ValueError(f"popularity {popularity!r}; known: distinct, uniform, skewed, identical")


def parse_shapes(text: str) -> tuple[tuple[int, int], ...]:
    """`--shapes`' "IxO,IxO,..." (h_in x h_out, positive whole numbers); ValueError otherwise."""
    try:
        shapes = tuple((int(a), int(b)) for a, b in (item.lower().split("x") for item in text.split(",")))
    except ValueError:
        raise ValueError(f"{text!r}: expected a comma list of h_in x h_out, e.g. 3584x18944,18944x3584") from None
    if not shapes or any(h <= 0 for shape in shapes for h in shape):
        raise ValueError(f"{text!r}: hidden sizes must be positive")
    return shapes


# `--model`: the distinct h_in x h_out of a model's projections that serving engines put LoRA adapters on (q, k, v, o,
# gate, up, down), from its published configuration (hidden size, key-value heads x head size, MLP size).
MODEL_SHAPES = {
    "llama-2-7b": ((4096, 4096), (4096, 11008), (11008, 4096)),  # no grouped KV heads: k and v are 4096 wide
    "llama-3-8b": ((4096, 4096), (4096, 1024), (4096, 14336), (14336, 4096)),  # Mistral-7B's too
    "llama-3-70b": ((8192, 8192), (8192, 1024), (8192, 28672), (28672, 8192)),
    "qwen2-7b": ((3584, 3584), (3584, 512), (3584, 18944), (18944, 3584)),
}


def model_shapes(name: str) -> tuple[tuple[int, int], ...]:
    """`--model`'s shapes (MODEL_SHAPES); ValueError naming the known models otherwise."""
    try:
        return MODEL_SHAPES[name.lower()]
    except KeyError:
        raise ValueError(f"{name!r}: not a known model; known: {', '.join(MODEL_SHAPES)} (or give --shapes)") from None


def parse_ranks(text: str) -> tuple[int, ...]:
    """`--ranks`' "R,R,..." (positive whole numbers); ValueError otherwise."""
    try:
        ranks = tuple(int(r) for r in text.split(","))
    except ValueError:
        raise ValueError(f"{text!r}: expected a comma list of ranks, e.g. 8,16") from None
    if not ranks or any(r <= 0 for r in ranks):
        raise ValueError(f"{text!r}: ranks must be positive")
    return ranks


def sweep(quick: bool, seed: int = 0, shapes: tuple[tuple[int, int], ...] = (),
          ranks: tuple[int, ...] = ()) -> list[BenchCase]:
    """The quick or full sweep of BENCH.md; `shapes` ((h_in, h_out), ...) and `ranks`, where given, replace its hidden
    sizes and ranks (a user's model), with the prefill batches at every shape given."""
    rng = random.Random(seed)
    hidden = shapes or (QUICK_HIDDEN if quick else FULL_HIDDEN)
    ranks = ranks or (QUICK_RANKS if quick else FULL_RANKS)
    popularity = QUICK_POPULARITY if quick else FULL_POPULARITY
    cases: dict[str, BenchCase] = {}
    for (h_in, h_out), r in itertools.product(hidden, ranks):
        for bs, pop in itertools.product(DECODE_BATCHES, popularity):
            if bs == 1 and pop != popularity[0]:
                continue  # one row has one layout whatever the popularity
            c = BenchCase(h_in, h_out, r, bs, pop, decode_segments(bs, pop, rng))
            cases[c.name] = c
    prefill_shapes = [(4096, 4096)] if quick and not shapes else list(hidden)
    for (h_in, h_out), r, (rows, n) in itertools.product(prefill_shapes, ranks, PREFILL):
        c = BenchCase(h_in, h_out, r, rows, "prefill", (rows // n,) * n)
        cases[c.name] = c
    return list(cases.values())


def matching(all_cases: list[BenchCase], case_filter: str | None) -> list[BenchCase]:
    """The cases whose name contains any of `case_filter`'s comma-separated texts (all of them without a filter).
    ValueError where the filter names none."""
    texts = [t for t in (case_filter or "").split(",") if t]
    if not texts:
        return list(all_cases)
    chosen = [c for c in all_cases if any(t in c.name for t in texts)]
    if not chosen:
        raise ValueError(f"no case's name contains {' or '.join(map(repr, texts))}")
    return chosen


@dataclasses.dataclass
class BufferSet:
    """One independent set of operands for a case (x, y, weights, batch) on the GPU."""

    x: torch.Tensor
    y: torch.Tensor
    lora_a: torch.Tensor
    lora_b: torch.Tensor
    v: torch.Tensor


def make_buffers(case: BenchCase, dtype: torch.dtype, device, gen: torch.Generator) -> BufferSet:
    s = case.num_segments

    def rnd(*shape, std=1.0):
        return (torch.randn(*shape, generator=gen, device=device) * std).to(dtype)

    return BufferSet(
        x=rnd(case.rows, case.h_in),
        y=rnd(case.rows, case.h_out),
        lora_a=rnd(s, case.rank, case.h_in, std=case.h_in ** -0.5),
        lora_b=rnd(s, case.h_out, case.rank, std=case.rank ** -0.5),
        v=torch.randn(case.rows, case.rank, generator=gen, device=device),
    )
