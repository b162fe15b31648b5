"""LoraLinear, wrap_linears, peft_adapter and load_adapter (lora_linear.py): a small model whose Linear layers serve
adapters of different ranks at once, against a float64 per-row computation on fresh random data; the CPU runs the ops'
torch reference, the GPU (bf16) the kernels. Bad input raises before anything changes."""
import math

import pytest
import torch

import sgmv
from conftest import requires_gpu
from gpu_checks import DEV

H, FF = 48, 80


class Block(torch.nn.Module):
    """Two projections under names PEFT would target, and one it would not."""

    def __init__(self):
        super().__init__()
        self.q_proj = torch.nn.Linear(H, H, bias=True)
        self.up_proj = torch.nn.Linear(H, FF, bias=False)
        self.down_proj = torch.nn.Linear(FF, H, bias=False)

    def forward(self, x):
        return self.down_proj(torch.relu(self.up_proj(self.q_proj(x))))


def _peft_state(gen, rank, prefix="base_model.model.layers.0."):
    """A PEFT-style state dict for q_proj and up_proj (adapter name "default" on one of them, as PEFT writes it)."""
    return {f"{prefix}q_proj.lora_A.weight": torch.randn(rank, H, generator=gen) / 4,
            f"{prefix}q_proj.lora_B.weight": torch.randn(H, rank, generator=gen) / 4,
            f"{prefix}up_proj.lora_A.default.weight": torch.randn(rank, H, generator=gen) / 4,
            f"{prefix}up_proj.lora_B.default.weight": torch.randn(FF, rank, generator=gen) / 4}


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([Block()])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def _model(dtype, device, gen):
    model = Model()
    for p in model.parameters():
        p.data = (torch.randn(p.shape, generator=gen) / 8).to(dtype)
    return model.to(device)


def _expected(model, adapters, x, row_slots):
    """float64: each row through the block with its slot's adapter terms added to q_proj and up_proj."""
    block = model.layers[0]
    w = {name: getattr(block, name).base.weight.detach().double().cpu() for name in ("q_proj", "up_proj")}
    w["down_proj"] = block.down_proj.weight.detach().double().cpu()
    bias = block.q_proj.base.bias.detach().double().cpu()
    out = []
    for row, slot in zip(x.double().cpu(), row_slots):
        def lora(name, v):
            if slot < 0 or slot not in adapters:
                return 0.0
            a, b, scale = adapters[slot][f"layers.0.{name}"]
            return scale * (b.double() @ (a.double() @ v))
        q = w["q_proj"] @ row + bias + lora("q_proj", row)
        up = w["up_proj"] @ q + lora("up_proj", q)
        out.append(w["down_proj"] @ torch.relu(up))
    return torch.stack(out)


def _serve(dtype, device, tolerance):
    gen = torch.Generator().manual_seed(7)
    model = _model(dtype, device, gen)
    layers = sgmv.wrap_linears(model, ["q_proj", "up_proj"], max_loras=4, max_rank=8)
    assert sorted(layers) == ["layers.0.q_proj", "layers.0.up_proj"]
    assert isinstance(model.layers[0].q_proj, sgmv.LoraLinear) and isinstance(model.layers[0].down_proj,
                                                                               torch.nn.Linear)
    adapters = {}
    for slot, (rank, alpha, rslora) in {0: (8, 16, False), 2: (3, 6, True), 3: (5, 5, False)}.items():
        adapters[slot] = sgmv.peft_adapter(_peft_state(gen, rank), lora_alpha=alpha, r=rank, use_rslora=rslora)
        assert adapters[slot]["layers.0.q_proj"][2] == pytest.approx(alpha / (math.sqrt(rank) if rslora else rank))
        sgmv.load_adapter(layers, slot, adapters[slot])
    # rows of slots 0, -1 (no adapter), 2, 1 (empty slot), 3, 2 again; one row, several rows, an empty segment
    sizes, slots = [3, 1, 4, 2, 0, 5, 1], [0, -1, 2, 1, 3, 3, 2]
    indptr = [0]
    for s in sizes:
        indptr.append(indptr[-1] + s)
    row_slots = [slot for slot, n in zip(slots, sizes) for _ in range(n)]
    x = (torch.randn(2, indptr[-1] // 2, H, generator=gen)).to(dtype).to(device)  # [..., H]: 2 x 8 rows
    batch = sgmv.LoraBatch.from_segments(indptr, slots, device=device)
    with torch.no_grad(), sgmv.using_batch(batch):
        got = model(x)
    assert got.shape == (2, indptr[-1] // 2, H)
    want = _expected(model, adapters, x.reshape(-1, H), row_slots)
    err = (got.reshape(-1, H).double().cpu() - want).norm() / want.norm()
    assert err < tolerance, err
    # emptying slot 2 leaves its rows the base model's, the others unchanged; then slot 3 too, so that every loaded
    # slot is of the full rank (the calls without true ranks)
    for slot in (2, 3):
        for layer in layers.values():
            layer.clear_adapter(slot)
        del adapters[slot]
        with torch.no_grad(), sgmv.using_batch(batch):
            got = model(x)
        want = _expected(model, adapters, x.reshape(-1, H), row_slots)
        assert (got.reshape(-1, H).double().cpu() - want).norm() / want.norm() < tolerance


def test_a_model_serves_adapters_of_several_ranks_on_the_cpu():
    _serve(torch.float64, "cpu", 1e-6)  # float64 tensors, v in float32 (the ops' intermediate)


@requires_gpu
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=["bf16", "fp16"])
def test_a_model_serves_adapters_of_several_ranks_on_the_gpu(dtype):
    _serve(dtype, DEV, 3e-2)  # three rounded layers; the kernels' own tolerance is the ops tests'


@requires_gpu
def test_a_captured_graph_replays_the_adapters_loaded_after_it():
    """A CUDA graph of a wrapped layer and its batch (from_token_loras over a static tensor of slots, built inside the
    capture): replays read the slots' buffers as they are then (an adapter loaded after the capture, of a lower rank
    than the captured one, serves its rows) and the rows' slots as refilled in place."""
    gen = torch.Generator().manual_seed(9)
    layer = sgmv.LoraLinear(torch.nn.Linear(H, FF).to(DEV, torch.bfloat16), max_loras=2, max_rank=8)
    adapters = [(torch.randn(r, H, generator=gen) / 4, torch.randn(FF, r, generator=gen) / 4, 0.5) for r in (8, 4)]
    layer.set_adapter(0, *adapters[0])
    x = torch.randn(6, H, generator=gen).to(DEV, torch.bfloat16)
    slots = torch.tensor([0, 0, -1, 0, -1, 0], device=DEV)

    def want(adapter, rows):
        a, b, scale = adapter
        with torch.no_grad():
            out = layer.base(x).double()
        for i in rows:
            out[i] += scale * (b.double().to(DEV) @ (a.double().to(DEV) @ x[i].double()))
        return out

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    with torch.no_grad():
        with torch.cuda.stream(stream), sgmv.using_batch(sgmv.LoraBatch.from_token_loras(slots)):
            layer(x)  # warm up (kernels loaded, workspaces made) outside the capture
        torch.cuda.current_stream().wait_stream(stream)
        with torch.cuda.graph(graph, stream=stream), sgmv.using_batch(sgmv.LoraBatch.from_token_loras(slots)):
            out = layer(x)
    graph.replay()
    torch.cuda.synchronize()
    tolerance = lambda got, ref: (got.double() - ref).norm() / ref.norm()  # noqa: E731
    assert tolerance(out, want(adapters[0], [0, 1, 3, 5])) < 2e-2
    layer.set_adapter(0, *adapters[1])  # rank 4 into the captured slot of rank 8
    slots.copy_(torch.tensor([-1, 0, 0, -1, 0, -1], device=DEV))  # the batch's rows refilled in place
    graph.replay()
    torch.cuda.synchronize()
    assert tolerance(out, want(adapters[1], [1, 2, 4])) < 2e-2


def test_slots_travel_in_the_state_dict():
    """A LoraLinear's slots (weights, with each slot's scale folded into its lora_b, and ranks) are buffers of its state
    dict: a fresh layer that loads it serves the same rows the same way, its host copy of the ranks read back (a
    narrower slot computed at its true rank)."""
    gen = torch.Generator().manual_seed(5)
    base = torch.nn.Linear(H, FF).double()
    first = sgmv.LoraLinear(base, max_loras=3, max_rank=8)
    first.set_adapter(1, torch.randn(3, H, generator=gen).double(), torch.randn(FF, 3, generator=gen).double(), 0.5)
    second = sgmv.LoraLinear(torch.nn.Linear(H, FF).double(), max_loras=3, max_rank=8)
    assert sorted(first.state_dict()) == ["base.bias", "base.weight", "lora_a", "lora_b", "ranks"]
    second.load_state_dict(first.state_dict())
    assert second._slot_ranks == [0, 3, 0] and torch.equal(second.ranks, first.ranks)
    x = torch.randn(4, H, generator=gen).double()
    batch = sgmv.LoraBatch.from_segments([0, 2, 4], [1, 0])
    with torch.no_grad(), sgmv.using_batch(batch):
        assert torch.equal(second(x), first(x)) and not torch.equal(first(x)[:2], base(x)[:2])


def test_bad_input_raises_before_anything_changes():
    gen = torch.Generator().manual_seed(3)
    model = _model(torch.float32, "cpu", gen)
    with pytest.raises(ValueError, match=r"no nn.Linear of the model is named \['o_proj'\]"):
        sgmv.wrap_linears(model, ["q_proj", "o_proj"], 2, 4)
    assert isinstance(model.layers[0].q_proj, torch.nn.Linear)  # nothing wrapped
    layers = sgmv.wrap_linears(model, ["layers.0.q_proj"], 2, 4)
    layer = layers["layers.0.q_proj"]
    x = torch.randn(3, H)
    with pytest.raises(RuntimeError, match="no LoraBatch is active"):
        layer(x)
    with pytest.raises(ValueError, match=r"the adapter's rank 5 is outside 1..max_rank \(4\)"):
        layer.set_adapter(0, torch.randn(5, H), torch.randn(H, 5))
    with pytest.raises(ValueError, match=r"do not fit this layer: expected \[r, 48\] and \[48, r\]"):
        layer.set_adapter(0, torch.randn(2, H + 1), torch.randn(H, 2))
    with pytest.raises(ValueError, match="slot 2 is not one of this layer's 2 slots"):
        layer.set_adapter(2, torch.randn(2, H), torch.randn(H, 2))
    good = sgmv.peft_adapter(_peft_state(gen, 2, prefix="base_model.model."), lora_alpha=4, r=2)
    with pytest.raises(ValueError, match=r"modules no wrapped layer is named: \['layers.0.up_proj'\]"):
        sgmv.load_adapter(layers, 0, sgmv.peft_adapter(_peft_state(gen, 2), lora_alpha=4, r=2))
    layer.set_adapter(1, torch.ones(2, H), torch.ones(H, 2), 0.5)
    bad = {"layers.0.q_proj": (torch.randn(3, H), torch.randn(H, 2), 1.0)}
    with pytest.raises(ValueError, match="module 'layers.0.q_proj': lora_a"):
        sgmv.load_adapter(layers, 1, bad)
    assert int(layer.ranks[1]) == 2 and torch.equal(layer.lora_b[1, :, :2], torch.full((H, 2), 0.5))  # as it was
    half = sgmv.LoraLinear(torch.nn.Linear(H, H).half(), 2, 4)  # the scale is folded into lora_b: fp16 may overflow
    half.set_adapter(0, torch.ones(2, H), torch.full((H, 2), 20.0), 2048)  # 40960 fits
    with pytest.raises(ValueError, match=r"lora_b \* scale \(4096.0\) overflows the layer's torch.float16: largest "
                                         r"\|value\| 81920"):
        half.set_adapter(0, torch.full((2, H), 3.0), torch.full((H, 2), 20.0), 4096)
    assert bool((half.lora_a[0, :2] == 1).all()) and bool((half.lora_b[0, :, :2] == 40960).all())  # as it was
    with pytest.raises(ValueError, match="no lora_A / lora_B weights"):
        sgmv.peft_adapter({"model.embed.weight": torch.zeros(1)}, lora_alpha=1, r=1)
    with pytest.raises(ValueError, match="adapter weights these layers do not serve.*lora_embedding_A"):
        sgmv.peft_adapter({**_peft_state(gen, 2), "base_model.model.embed_tokens.lora_embedding_A": torch.zeros(2, 9)},
                          lora_alpha=1, r=2)
    with pytest.raises(ValueError, match="has lora_A of rank 2, not r=4"):
        sgmv.peft_adapter(_peft_state(gen, 2), lora_alpha=1, r=4)
    with pytest.raises(ValueError, match="do not serve.*modules_to_save"):
        sgmv.peft_adapter({**_peft_state(gen, 2), "base_model.model.lm_head.modules_to_save.default.weight":
                           torch.zeros(9, H)}, lora_alpha=1, r=2)
    with pytest.raises(ValueError, match="has \\['lora_A'\\] but not both"):
        sgmv.peft_adapter({"m.q_proj.lora_A.weight": torch.zeros(1, H)}, lora_alpha=1, r=1)
    with pytest.raises(TypeError, match="using_batch takes a sgmv.LoraBatch"):
        with sgmv.using_batch([0, 1]):
            pass
    assert set(good) == {"q_proj", "up_proj"}  # PEFT's prefix and adapter name dropped


def _write_safetensors(path, tensors):
    """The safetensors layout (8-byte little-endian header size, JSON header, the bytes), written by hand."""
    import json
    import struct
    names = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def test_a_peft_folder_reads_as_its_state_dict_and_config(tmp_path):
    """read_peft_adapter: adapter_config.json's r, lora_alpha and use_rslora with adapter_model.safetensors (read
    without the safetensors package: bf16, fp16, float32) or adapter_model.bin; what it cannot serve raises."""
    import json
    gen = torch.Generator().manual_seed(11)
    state = _peft_state(gen, 4)
    state = {k: v.to(dtype) for (k, v), dtype in zip(state.items(),
                                                     [torch.bfloat16, torch.float16, torch.float32, torch.bfloat16])}
    config = {"r": 4, "lora_alpha": 8, "use_rslora": True, "target_modules": ["q_proj", "up_proj"],
              "peft_type": "LORA", "rank_pattern": {}, "alpha_pattern": {}}
    want = sgmv.peft_adapter(state, lora_alpha=8, r=4, use_rslora=True)
    for weights in ("adapter_model.safetensors", "adapter_model.bin"):
        folder = tmp_path / weights.split(".")[1]
        folder.mkdir()
        (folder / "adapter_config.json").write_text(json.dumps(config))
        if weights.endswith("safetensors"):
            _write_safetensors(folder / weights, state)
        else:
            torch.save(state, folder / weights)
        got = sgmv.read_peft_adapter(folder)
        assert set(got) == set(want) == {"layers.0.q_proj", "layers.0.up_proj"}
        for name in want:
            assert all(torch.equal(g, w) and g.dtype == w.dtype for g, w in zip(got[name][:2], want[name][:2]))
            assert got[name][2] == want[name][2] == pytest.approx(8 / 2)  # alpha / sqrt(r)
    folder = tmp_path / "safetensors"
    for change, message in (({"rank_pattern": {"q_proj": 8}}, "rank_pattern gives modules ranks"),
                            ({"use_dora": True}, "a DoRA adapter")):
        (folder / "adapter_config.json").write_text(json.dumps({**config, **change}))
        with pytest.raises(ValueError, match=message):
            sgmv.read_peft_adapter(folder)
    (folder / "adapter_model.safetensors").write_bytes(b"\x00\x00")
    (folder / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="not a safetensors file"):
        sgmv.read_peft_adapter(folder)
    with pytest.raises(FileNotFoundError, match="no adapter_config.json"):
        sgmv.read_peft_adapter(tmp_path)
    (tmp_path / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(FileNotFoundError, match="neither adapter_model.safetensors nor adapter_model.bin"):
        sgmv.read_peft_adapter(tmp_path)


def test_a_wrapped_model_runs_under_torch_compile():
    """torch.compile (dynamo; the eager backend keeps it quick) over a wrapped model: the same output as eagerly, the
    batch read from using_batch at each call (a second batch, other rows' slots, is served as such)."""
    gen = torch.Generator().manual_seed(13)
    model = torch.nn.Sequential(torch.nn.Linear(H, FF), torch.nn.ReLU(), torch.nn.Linear(FF, H)).double()
    layers = sgmv.wrap_linears(model, ["0", "2"], max_loras=2, max_rank=4)
    for name, layer in layers.items():
        n_in, n_out = layer.base.in_features, layer.base.out_features
        layer.set_adapter(1, torch.randn(4, n_in, generator=gen).double(),
                          torch.randn(n_out, 4, generator=gen).double())
    compiled = torch.compile(model, backend="eager")
    x = torch.randn(5, H, generator=gen).double()
    for slots in ([1, -1, 1, 0, 1], [-1, 1, -1, 1, 1]):
        with torch.no_grad(), sgmv.using_batch(sgmv.LoraBatch.from_token_loras(slots)):
            assert torch.allclose(compiled(x), model(x), rtol=1e-12, atol=1e-12)
