"""Bad input raises before any launch, naming the argument, the value and what is accepted (no GPU needed)."""
import pytest
import torch

import sgmv

T, H_IN, H_OUT, R, N = 6, 32, 24, 4, 3


def args(**over):
    a = dict(y=torch.randn(T, H_OUT), x=torch.randn(T, H_IN), lora_a=torch.randn(N, R, H_IN),
             lora_b=torch.randn(N, H_OUT, R), batch=sgmv.LoraBatch.from_segments([0, 2, 6], [0, 1]), scale=1.0)
    a.update(over)
    return a


CASES = [
    (dict(x=[[1.0]]), TypeError, r"x must be a torch.Tensor \[T, h_in\], got list"),
    (dict(x=torch.randn(T)), ValueError, r"x has shape \(6,\); expected a 2-D tensor \[T, h_in\]"),
    (dict(x=torch.randn(H_IN, T).T), ValueError, r"x has strides \(1, 6\); its last dimension must be contiguous"),
    (dict(x=torch.ones(T, H_IN, dtype=torch.int32)), TypeError, r"x has dtype torch.int32; expected a floating-point"),
    (dict(lora_a=torch.randn(N, R, H_IN, dtype=torch.float64)), TypeError,
     r"lora_a has dtype torch.float64 but x has torch.float32; x, y and the adapter weights share one dtype"),
    (dict(lora_a=torch.randn(N, R, 30)), ValueError, r"lora_a.shape\[2\] \(h_in\)=30 but x.shape\[1\] \(h_in\)=32"),
    (dict(lora_a=torch.randn(N, 0, H_IN), lora_b=torch.randn(N, H_OUT, 0)), ValueError,
     r"the rank lora_a.shape\[1\] must be >= 1"),
    (dict(lora_b=torch.randn(N, H_OUT, R + 1)), ValueError, r"they must agree on n_lora \(dim 0\) and r"),
    (dict(lora_b=torch.randn(N + 1, H_OUT, R)), ValueError, r"they must agree on n_lora"),
    (dict(y=torch.randn(T, H_OUT + 1)), ValueError, r"lora_b.shape\[1\] \(h_out\)=24 but y.shape\[1\] \(h_out\)=25"),
    (dict(y=torch.randn(T + 1, H_OUT)), ValueError, r"y.shape\[0\] \(T\)=7 but x.shape\[0\] \(T\)=6"),
    (dict(y=torch.randn(T, H_OUT, dtype=torch.float64)), TypeError, r"y has dtype torch.float64 but x has"),
    (dict(y=torch.randn(1, H_OUT).expand(T, H_OUT)), ValueError,
     r"y has shape \(6, 24\) and strides \(0, 1\): its rows overlap in memory \(stride\(0\) < 24\)"),
    (dict(y=torch.randn(T * 12 + 12).as_strided((T, H_OUT), (12, 1))), ValueError, r"y .* its rows overlap"),
    (dict(batch=([0, 6], [0])), TypeError, r"batch must be a sgmv.LoraBatch"),
    (dict(scale="big"), TypeError, r"scale must be a float or a float tensor \[n_lora\], got str"),
    (dict(scale=torch.tensor(0.5)), TypeError, r"scale is a 0-D tensor"),
    (dict(scale=torch.ones(N + 1)), ValueError, r"scale has shape \(4,\); a scale tensor must be \[n_lora\] = \[3\]"),
    (dict(scale=torch.ones(N, dtype=torch.int64)), TypeError, r"scale has dtype torch.int64; a scale tensor must be"),
    # output slices, true ranks, rows in any order
    (dict(lora_a=()), TypeError, r"lora_a must be a tensor \[n_lora, r, h_in\] or a non-empty tuple of them"),
    (dict(lora_a=(torch.randn(N, R, H_IN), torch.randn(N, R, H_IN))), ValueError,
     r"lora_a has 2 output slices but lora_b has 1; pass one pair per slice"),
    (dict(lora_a=(torch.randn(N, R, H_IN), torch.randn(N + 1, R, H_IN)), lora_b=(torch.randn(N, 12, R),) * 2),
     ValueError, r"lora_a\[1\].shape\[0\] \(n_lora\)=4 but lora_a\[0\].shape\[0\]=3"),
    (dict(lora_a=(torch.randn(N, R, H_IN),) * 2, lora_b=(torch.randn(N, 12, R), torch.randn(N, 10, R))), ValueError,
     r"the output slices have h_out \(12, 10\) \(sum 22\) but y.shape\[1\] \(h_out\) is 24"),
    (dict(lora_a=(torch.randn(N, R, H_IN),) * 2, lora_b=(torch.randn(N, 12, R), torch.randn(N, 12, R + 1))),
     ValueError, r"lora_a\[1\] has shape \(3, 4, 32\) and lora_b\[1\] \(3, 12, 5\); they must agree"),
    (dict(slices=(12, 12)), ValueError, r"slices=\(12, 12\) but the lora_b slices have h_out \(24,\)"),
    (dict(slices="24"), TypeError, r"slices must be a sequence of ints"),
    (dict(ranks=[1, 2, 3]), TypeError, r"ranks must be an int32/int64 tensor \[n_lora\] or None, got list"),
    (dict(ranks=torch.ones(N)), TypeError, r"ranks has dtype torch.float32; accepted: torch.int32 or torch.int64"),
    (dict(ranks=torch.ones(N + 1, dtype=torch.int32)), ValueError, r"ranks has shape \(4,\); expected \[n_lora\] = \[3\]"),
    (dict(ranks=torch.tensor([1, 5, 2])), ValueError, r"ranks holds values in \[1, 5\]; accepted: 0..4"),
    (dict(batch=sgmv.LoraBatch.from_token_loras([0, 1, -1])), ValueError,
     r"batch was built for 3 rows \(one adapter index per row\) but the tensors have T=6 rows"),
    (dict(batch=sgmv.LoraBatch.from_segments([0, 2, 7], [0, 1])), ValueError,
     r"batch's segments end at row 7 \(seg_indptr\[-1\]\) but the tensors have T=6 rows"),
    (dict(batch=sgmv.LoraBatch.from_segments(torch.tensor([0, 9, 9]), torch.tensor([0, 1]))), ValueError,
     r"batch's segments end at row 9"),
]


@pytest.mark.parametrize("over, exc, message", CASES, ids=[c[2][:40] for c in CASES])
def test_add_lora_errors(over, exc, message):
    a = args(**over)
    y_before = a["y"].clone() if isinstance(a["y"], torch.Tensor) else None
    with pytest.raises(exc, match=message):
        sgmv.add_lora(a["y"], a["x"], a["lora_a"], a["lora_b"], a["batch"], a["scale"], slices=a.get("slices"),
                      ranks=a.get("ranks"))
    if y_before is not None and a["y"].shape == y_before.shape:
        assert torch.equal(a["y"], y_before), "nothing is written when the input is rejected"


def test_expand_errors():
    a = args()
    v = torch.randn(T, R)
    with pytest.raises(ValueError, match=r"v.shape\[0\] \(T\)=5 but y.shape\[0\] \(T\)=6"):
        sgmv.expand(a["y"], v[:5], a["lora_b"], a["batch"])
    with pytest.raises(ValueError, match=r"lora_b.shape\[2\] \(r\)=4 but v.shape\[1\] \(r\)=3"):
        sgmv.expand(a["y"], v[:, :3], a["lora_b"], a["batch"])
    with pytest.raises(TypeError, match=r"v has dtype torch.int64; expected float32"):
        sgmv.expand(a["y"], torch.ones(T, R, dtype=torch.int64), a["lora_b"], a["batch"])
    with pytest.raises(ValueError, match=r"y has shape \(6, 24\) and strides \(0, 1\): its rows overlap"):
        sgmv.expand(torch.zeros(1, H_OUT).expand(T, H_OUT), v, a["lora_b"], a["batch"])


def test_outputs_whose_rows_are_apart_or_single_are_accepted():
    """Rows further apart than h_out (a slice of a wider output), one row, or no columns: nothing overlaps."""
    a = args()
    wide = torch.zeros(T, H_OUT + 8)
    sgmv.add_lora(wide[:, 8:], a["x"], a["lora_a"], a["lora_b"], a["batch"])
    assert wide[:, 8:].abs().sum() > 0 and torch.equal(wide[:, :8], torch.zeros(T, 8))
    one = args(y=torch.zeros(1, H_OUT).expand(1, H_OUT), x=torch.randn(1, H_IN),
               batch=sgmv.LoraBatch.from_segments([0, 1], [0]))
    sgmv.add_lora(one["y"], one["x"], one["lora_a"], one["lora_b"], one["batch"])


@pytest.mark.parametrize("indptr, loras, exc, message", [
    ([0, 2, 6], [0], ValueError, r"seg_indptr has 3 entries but lora_indices has 1"),
    ([0, 4, 2], [0, 1], ValueError, r"seg_indptr decreases at segment 1 \(4 -> 2\)"),
    ([-1, 2], [0], ValueError, r"seg_indptr\[0\]=-1 is negative"),
    (torch.tensor([0.0, 2.0]), [0], TypeError, r"seg_indptr has dtype torch.float32; accepted: torch.int32 or torch.int64"),
    (torch.zeros(2, 2, dtype=torch.int32), [0], ValueError, r"seg_indptr has shape \(2, 2\); expected a 1-D tensor"),
    ("abc", [0], TypeError, r"seg_indptr must be a 1-D int32/int64 tensor or a sequence of ints, got str"),
])
def test_batch_errors(indptr, loras, exc, message):
    with pytest.raises(exc, match=message):
        sgmv.LoraBatch.from_segments(indptr, loras)


def test_cuda_dtype_rule_is_stated():
    from sgmv import checks
    fake = torch.empty(2, 2, device="meta")
    with pytest.raises(ValueError, match=r"x is on meta; accepted: CUDA or CPU tensors"):
        checks.dtype(fake, "x")


def test_token_lora_errors():
    with pytest.raises(TypeError, match=r"token_lora_indices has dtype torch.float32; accepted: torch.int32 or"):
        sgmv.LoraBatch.from_token_loras(torch.zeros(3))
    with pytest.raises(ValueError, match=r"token_lora_indices has shape \(2, 2\); expected a 1-D tensor"):
        sgmv.LoraBatch.from_token_loras(torch.zeros(2, 2, dtype=torch.int32))


def test_tables_from_host_only_for_host_data():
    """Only tables copied from host data may be read before the previous kernel is done (tables_ready)."""
    assert sgmv.LoraBatch.from_segments([0, 3, 4], [1, 0]).tables_from_host
    assert sgmv.LoraBatch.from_segments(torch.tensor([0, 3, 4]), torch.tensor([1, 0])).tables_from_host
    assert not sgmv.LoraBatch.from_token_loras([1, -1, 0]).tables_from_host
    assert not sgmv.LoraBatch(torch.tensor([0, 3]), torch.tensor([1])).tables_from_host  # given directly: unknown


def test_host_facts_of_a_batch_and_for_device_writes():
    """from_segments with host data records what the host read (the flag, the longest segment, where the segments
    end); for_device_writes drops all of it and keeps the tensors; a batch ending before T is valid (rows past the
    last segment get no LoRA)."""
    batch = sgmv.LoraBatch.from_segments([0, 3, 4], [1, 0])
    assert (batch.tables_from_host, batch.max_segment_rows, batch.end_row) == (True, 3, 4)
    written = batch.for_device_writes()
    assert (written.tables_from_host, written.max_segment_rows, written.end_row) == (False, None, None)
    assert written.seg_indptr is batch.seg_indptr and written.lora_indices is batch.lora_indices
    assert sgmv.LoraBatch.from_segments(torch.tensor([0, 3, 4], device="meta"), torch.tensor([1, 0], device="meta")
                                        ).end_row is None
    a = args(batch=sgmv.LoraBatch.from_segments([0, 2, 5], [0, 1]))
    want = a["y"] + sgmv.reference.add_lora_delta(a["x"], a["lora_a"], a["lora_b"], a["batch"], 1.0)
    sgmv.add_lora(a["y"], a["x"], a["lora_a"], a["lora_b"], a["batch"], 1.0)
    torch.testing.assert_close(a["y"], want)


def test_tables_ready_only_without_scales_and_ranks_and_on_small_launches(monkeypatch):
    """The kernels read per-adapter scales and true ranks with the tables, so tables_ready needs both absent; a
    launch of more than EARLY_TABLES_MAX_BLOCKS blocks (or one of unknown size) waits before reading them."""
    from sgmv import cuda_ops, launch_plan
    from sgmv._abi import SgmvSlice
    monkeypatch.setattr(launch_plan, "EARLY_TABLES_MAX_BLOCKS", 6)
    indptr, loras = torch.tensor([0, 3], dtype=torch.int32), torch.tensor([0], dtype=torch.int32)
    slices = [SgmvSlice(rank=8, hidden=16)]
    small, large = (launch_plan.Launch(grid=g, threads=128, smem_bytes=0, k_splits=1) for g in [(1, 2, 3), (1, 7, 1)])
    for ready, scales, ranks, geometry, want in [
            (True, None, None, small, 1), (True, torch.ones(1), None, small, 0),
            (True, None, torch.tensor([8]), small, 0), (False, None, None, small, 0),
            (True, None, None, large, 0), (True, None, None, None, 0)]:
        rows = cuda_ops.Rows(indptr, loras, None, ranks, -1, ready)
        params = cuda_ops._params(rows, scales, 1.0, slices, geometry)
        assert params.tables_ready == want


def test_per_stream_tensors_are_one_per_device_stream_graph_and_key(monkeypatch):
    """cuda_ops._per_stream (the grid handoff's workspaces, the padded calls' rank tables): made once per device,
    current stream, captured graph and key, and shared after (and said to be so); launches that may run at once never
    share one."""
    from types import SimpleNamespace
    from sgmv import cuda_ops, loader
    state = {"stream": 7, "capturing": False, "graph": 3}
    monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: SimpleNamespace(cuda_stream=state["stream"]))
    monkeypatch.setattr(torch.cuda, "is_current_stream_capturing", lambda: state["capturing"])
    monkeypatch.setattr(loader, "capture_id", lambda stream: state["graph"])
    cache, made = {}, []
    ref = torch.zeros(1)

    def get(key=()):
        return cuda_ops._per_stream(cache, ref, key, lambda: made.append(key) or torch.zeros(len(made)))[0]

    assert cuda_ops._per_stream(cache, ref, ("flag",), lambda: torch.zeros(1))[1] is False
    assert cuda_ops._per_stream(cache, ref, ("flag",), lambda: torch.zeros(1))[1] is True
    cache.clear()
    first = get()
    assert get() is first and get(("other",)) is not first
    state["stream"] = 8
    second = get()
    state["capturing"] = True
    in_graph = get()
    state["graph"] = 4
    other_graph = get()
    assert len({id(t) for t in (first, second, in_graph, other_graph)}) == 4 and len(made) == 5
    state.update(stream=7, capturing=False)
    assert get() is first and len(made) == 5
