"""The benchmark's definition and CLI (no GPU needed; timing itself runs only on the GPU)."""
import subprocess
import sys

import pytest

from sgmv import selfcheck
from sgmv.__main__ import main
from sgmv.bench import cases, timer
from sgmv.bench.run import Row, table
from conftest import requires_gpu_timing


def test_quick_sweep_is_the_bench_md_definition():
    quick = cases.sweep(quick=True)
    assert len(quick) == 44
    assert len({c.name for c in quick}) == 44
    prefill = [c for c in quick if c.popularity == "prefill"]
    assert {(c.rows, c.num_segments, c.rank) for c in prefill} == {(4096, 64, 16), (8192, 8, 16), (4096, 64, 64),
                                                                   (8192, 8, 64)}
    for c in quick:
        assert sum(c.segments) == c.rows and c.indptr()[-1] == c.rows


def test_full_sweep_adds_mlp_shapes_ranks_and_skew():
    full = cases.sweep(quick=False)
    assert {(c.h_in, c.h_out) for c in full} == {(4096, 4096), (8192, 8192), (4096, 14336), (14336, 4096)}
    assert {c.rank for c in full} == {8, 16, 32, 64, 128}
    assert any(c.popularity == "skewed" for c in full)


def test_popularity_layouts():
    import random
    rng = random.Random(1)
    assert cases.decode_segments(64, "distinct", rng) == (1,) * 64
    assert cases.decode_segments(64, "identical", rng) == (64,)
    assert cases.decode_segments(64, "uniform", rng) == (8,) * 8
    skew = cases.decode_segments(256, "skewed", rng)
    assert sum(skew) == 256 and skew[0] > skew[-1]
    with pytest.raises(ValueError, match="popularity 'bogus'"):
        cases.decode_segments(4, "bogus", rng)


def test_floor_bytes_formula():
    c = cases.BenchCase(4096, 4096, 16, 4096, "prefill", (64,) * 64)
    es = 2
    expect = es * (4096 * 4096 + 64 * 16 * 4096 + 64 * 4096 * 16 + 2 * 4096 * 4096) + 8 * 4096 * 16
    assert c.floor_bytes(es) == expect
    assert c.floor_bytes(es, "shrink") + c.floor_bytes(es, "expand") == expect


def test_cold_cache_sets_cover_256_mb():
    assert timer.sets_for(1 << 20) == 256
    assert timer.sets_for(1 << 30) == 2
    assert timer.sets_for(1) == timer.MAX_SETS


def test_table_marks_misses():
    row = Row(dtype="bfloat16", op="add_lora", case="c", h_in=1, h_out=1, rank=1, rows=1, segments=1,
              popularity="distinct", time_us=10.0, floor_us=2.0, ratio=5.0, copy_us=4.0, time_over_copy=2.5,
              gbps=1.0, target_us=6.0, meets_target=False, error=0.0, kernels="a+b")
    text = table([row])
    assert "MISS" in text and "0/1 cases within" in text


def test_table_marks_a_wrong_result_and_names_it(tmp_path):
    """A case whose check failed (measure: nothing timed, times NaN) shows as WRONG with the check's message, counts as
    no case within the target, and the plot still draws the others."""
    import dataclasses
    from sgmv.bench.plot import plot
    nan = float("nan")
    good = Row(dtype="bfloat16", op="add_lora", case="h1_r1_distinct_bs1_s1", h_in=1, h_out=1, rank=1, rows=1,
               segments=1, popularity="distinct", time_us=3.0, floor_us=1.0, ratio=3.0, copy_us=2.0,
               time_over_copy=1.5, gbps=1.0, target_us=5.0, meets_target=True, error=0.0, kernels="k")
    wrong = dataclasses.replace(good, case="h1_r1_distinct_bs16_s16", rows=16, segments=16, time_us=nan, ratio=nan,
                                copy_us=nan, time_over_copy=nan, gbps=nan, meets_target=False, error=0.5,
                                wrong="add_lora is wrong: relative error 5.00e-01 >= 1.00e-02")
    text = table([good, wrong])
    assert "WRONG" in text.splitlines()[3] and "1/2 cases within" in text
    assert "WRONG: bfloat16 add_lora h1_r1_distinct_bs16_s16 (k): add_lora is wrong" in text
    pytest.importorskip("matplotlib")
    assert plot([good, wrong], tmp_path / "plot.png")


def test_cpu_selfcheck_passes():
    assert selfcheck.run(verbose=False)


def test_bench_without_gpu_runs_the_selfcheck(capsys):
    import torch
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the bench would time kernels instead")
    assert main(["bench", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "No CUDA GPU is visible" in out and "self-check passed" in out


def test_cli_rejects_unknown_choices():
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--op", "gemm"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--op 'gemm': choose from add_lora, expand, shrink" in proc.stderr


def test_case_filter_takes_any_of_a_comma_list():
    quick = cases.sweep(quick=True)
    names = [c.name for c in cases.matching(quick, "r64_distinct_bs1_,identical_bs256")]
    assert names == [c.name for c in quick if "r64_distinct_bs1_" in c.name or "identical_bs256" in c.name]
    assert len(names) == 6 and "h8192_r16_identical_bs256_s1" in names
    assert cases.matching(quick, None) == quick and cases.matching(quick, ",") == quick
    with pytest.raises(ValueError, match="no case's name contains 'r7_' or 'bs3_'"):
        cases.matching(quick, "r7_,bs3_")


def test_cli_rejects_a_case_filter_that_selects_nothing():
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--cases", "r128"], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "--cases 'r128': no case's name contains 'r128' in the quick sweep" in proc.stderr


def test_sweep_at_a_users_shapes_and_ranks():
    """--shapes and --ranks (cases.sweep): the sweep's batches at the given h_in x h_out and ranks in place of its own,
    the prefill batches at each shape given (quick or not); malformed lists are rejected."""
    quick = cases.sweep(quick=True, shapes=((3584, 18944), (18944, 3584)), ranks=(4, 8))
    assert {(c.h_in, c.h_out) for c in quick} == {(3584, 18944), (18944, 3584)} and {c.rank for c in quick} == {4, 8}
    assert len(quick) == 2 * 2 * (10 + 2)  # per shape and rank: the quick sweep's 10 decode batches and 2 prefill
    assert {c.popularity for c in quick} == {"distinct", "uniform", "identical", "prefill"}
    full = cases.sweep(quick=False, ranks=(12,))
    assert {c.rank for c in full} == {12} and {(c.h_in, c.h_out) for c in full} == set(cases.FULL_HIDDEN)
    assert cases.parse_shapes("3584x18944,4096X4096") == ((3584, 18944), (4096, 4096))
    assert cases.parse_ranks("8,16") == (8, 16)
    for bad in ("3584", "3584x", "0x4096", "ax4"):
        with pytest.raises(ValueError):
            cases.parse_shapes(bad)
    for bad in ("", "0", "8,-1", "eight"):
        with pytest.raises(ValueError):
            cases.parse_ranks(bad)


def test_cli_lists_a_sweep_at_given_shapes_and_rejects_bad_ones():
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--shapes", "3584x18944", "--ranks", "4",
                           "--list"], capture_output=True, text=True)
    names = proc.stdout.split()
    assert proc.returncode == 0 and len(names) == 12 and all(n.startswith("h3584to18944_r4_") for n in names)
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--shapes", "3584x"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--shapes '3584x': expected a comma list of h_in x h_out" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--ranks", "4", "--cases", "r8"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no case's name contains 'r8'" in proc.stderr


def test_cli_sweeps_a_named_model_s_shapes():
    """--model NAME: the sweep at that model's projection shapes (cases.MODEL_SHAPES), as --shapes would give them;
    any case of the name; an unknown name, or --model with --shapes, is a usage error naming the known models."""
    for name, shapes in cases.MODEL_SHAPES.items():
        assert shapes and len(set(shapes)) == len(shapes) and all(h > 0 for shape in shapes for h in shape), name
        assert cases.model_shapes(name.upper()) == shapes
    listed = []
    for flags in (["--model", "Qwen2-7B"], ["--shapes", "3584x3584,3584x512,3584x18944,18944x3584"]):
        proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--ranks", "8", "--list", *flags],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        listed.append(proc.stdout.split())
    assert listed[0] == listed[1] and len(listed[0]) == 4 * 12
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--model", "gpt-9"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--model 'gpt-9': not a known model; known: llama-2-7b" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--model", "qwen2-7b", "--shapes", "8x8"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--model and --shapes both name the shapes" in proc.stderr


def test_first_kernel_grid_names_each_quick_case_s_first_launch(monkeypatch):
    """benchmarks/first_kernel_grid.py on the CPU (a 132-SM sm_90 device stubbed, tests' kernel records, tensors on the
    CPU): a line a quick case, its first kernel the one-launch plan's first or the pair's shrink (entry 339 renamed the
    cuda_ops function it called; this runs it)."""
    import types
    from sgmv import cuda_ops, manifest
    from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL
    device = types.SimpleNamespace(arch=90, num_sms=132, max_smem_per_block=cuda_ops.loader.SM90_SMEM_PER_BLOCK,
                                   resident_blocks=lambda kernel: 1,
                                   resident_clusters=lambda kernel, cluster: 132 // cluster)
    monkeypatch.setattr(cuda_ops.loader, "device", lambda index: device)
    script = _benchmark_script("first_kernel_grid")
    firsts = []
    for kernels in (GRID_FUSED + GRID_PREFILL + AVAILABLE, AVAILABLE):  # one-launch picks; the pair only
        monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=tuple(kernels)))
        cuda_ops.clear_selections()
        try:
            lines = script.main(quick=True, device="cpu")
        finally:
            cuda_ops.clear_selections()
        assert len(lines) == len(cases.sweep(quick=True))
        firsts.append({line.split()[1] for line in lines})
    assert {"fused_bf16_16_0_True", "prefill_bf16_64_0_True"} <= firsts[0], firsts[0]
    assert firsts[1] == {"shrink_bf16_16_4096_True", "shrink_bf16_0_0_True"}, firsts[1]  # the pair's shrink


def _with_test_kernels(monkeypatch):
    """cuda_ops over the tests' kernel records (one-launch at ranks 8-128 and the pair), benchmarks/ importable."""
    import pathlib
    from sgmv import cuda_ops, manifest
    from dispatch_records import AVAILABLE, GRID_FUSED, GRID_PREFILL
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    import dataclasses
    fp16 = [dataclasses.replace(k, dtype="fp16", name=k.name + "_fp16") for k in AVAILABLE if k.dtype == "bf16"]
    kernels = tuple(GRID_FUSED + GRID_PREFILL + AVAILABLE + fp16)
    monkeypatch.setattr(cuda_ops, "load_manifest", lambda: manifest.Manifest(archs=(90,), kernels=kernels))


def test_host_time_times_each_case_with_the_driver_stubbed(monkeypatch):
    """benchmarks/host_time.py (entries 340-341, 345): a line a case with its microseconds at each depth, the stand-in
    device, launch and driver gone after, and the public op's CPU kernel back."""
    pytest.importorskip("cuda.bindings.driver")
    import torch
    import sgmv
    from sgmv import loader
    from conftest import Case
    _with_test_kernels(monkeypatch)
    script = _benchmark_script("host_time")
    if not script.stub_device.CAN_REPLACE_KERNELS:
        pytest.skip(script.stub_device.REPLACE_KERNELS_REASON)
    device, launch, driver = loader.device, loader.launch, loader._driver_module
    monkeypatch.setattr(script, "call_us", (lambda real: lambda rank, sizes, depth, outs: real(rank, sizes, depth, outs,
                                                                                                calls=5))(script.call_us))
    lines = script.main()
    assert len(lines) == len(script.CASES)
    assert all(len(line.split(":")[1].split()) == len(script.DEPTHS) > 0 for line in lines)
    assert all(float(t) > 0 for line in lines for t in line.split(":")[1].split())
    assert loader.device is device and loader.launch is launch and loader._driver_module is driver
    case = Case(rows=5, h_in=16, h_out=8, rank=4, n_lora=2, dtype=torch.float32, layout="uniform", seed=1)
    y = case.y.clone()
    sgmv.add_lora(y, case.x, case.lora_a, case.lora_b, case.batch)  # the reference again, on the CPU
    assert not torch.equal(y, case.y)


def test_launch_dump_writes_every_launch_with_its_pointers_named(monkeypatch):
    """benchmarks/launch_dump.py (entry 341): the same dump twice; every call of the grid launches or says why not;
    pointers name the tensors they point into (the pair's workspace of v alone is "other")."""
    _with_test_kernels(monkeypatch)
    script = _benchmark_script("launch_dump")
    monkeypatch.setattr(script, "SHAPES", script.SHAPES[:2])
    monkeypatch.setattr(script, "BATCHES", script.BATCHES[::3])
    first, second = script.dump(), script.dump()
    assert first == second
    launches = [line for line in first if line.startswith("  ") and "ERROR" not in line]
    assert len(launches) > len(first) / 3 and not any("ERROR" in line for line in first)
    assert all(" x=x+0 " in line or " x=other " in line or "sgmv" not in line for line in launches)
    assert any("ranktable[" in line for line in launches) and any("handoff=handoff" in line for line in launches)


def test_plot_takes_cases_of_equal_rows(tmp_path):
    """Two batches of one panel and popularity with the same rows (50 x 70 and 25 x 140) plot side by side; sorting
    them by rows alone once compared the rows' records and failed (NOTES entry 153's call)."""
    pytest.importorskip("matplotlib")
    from sgmv.bench.plot import plot
    rows = [Row("bf16", "add_lora", f"h4096_r32_uniform_bs3500_s{s}", 4096, 4096, 32, 3500, s, "uniform", t, 20.0, 1.5,
                10.0, 2.0, 1000.0, 30.0, True, 1e-3) for s, t in ((50, 33.0), (25, 32.5))]
    assert plot(rows, tmp_path / "plot.png") and (tmp_path / "plot.png").stat().st_size > 0


def test_plot_is_a_256_colour_png(tmp_path):
    """The plot is saved with a palette (plot.save_png: a third of the full-colour size for the runs of record), and
    still shows the figure: more than one colour, the axes' size."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from PIL import Image

    from sgmv.bench.plot import save_png
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([1, 2, 3], [3, 1, 2], color="tab:red")
    save_png(fig, tmp_path / "p.png")
    plt.close(fig)
    with Image.open(tmp_path / "p.png") as image:
        assert image.format == "PNG" and image.mode == "P" and image.size == (220, 165)
        assert len(image.getcolors(256)) > 2


def test_list_prints_the_selected_case_names():
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--list", "--cases", "r64_distinct_bs1_"],
                          capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["h4096_r64_distinct_bs1_s1", "h8192_r64_distinct_bs1_s1"]
    every = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--list"], capture_output=True,
                           text=True, check=True).stdout.split()
    assert every == [c.name for c in cases.sweep(quick=True)]


def test_info_runs():
    proc = subprocess.run([sys.executable, "-m", "sgmv", "info"], capture_output=True, text=True, check=True)
    assert "sgmv kernels:" in proc.stdout and "torch" in proc.stdout


def test_info_without_kernels_says_how_to_build_them(monkeypatch):
    from sgmv import info, manifest
    monkeypatch.setattr(info, "load", lambda: manifest.Manifest(archs=(), kernels=()))
    text = info.describe()
    assert "sgmv kernels: none in" in text and "`pip install .` builds them" in text
    assert "sm_-" not in text and "kernel images" not in text


def test_info_names_a_probe_build_s_nvcc_flags(monkeypatch):
    """A build with SGMV_NVCC_FLAGS (a probe's -D...) says so; a shipped build says nothing of it."""
    from codegen import spec as specmod
    from codegen.render import manifest as generated
    from sgmv import info, manifest
    specs = list(specmod.filter_specs(specmod.default_specs(), "*shrink_bf16_r16_h4096*"))
    for flags in ("-DSGMV_PROBE_V_ONE_PART", ""):
        built = manifest.parse(generated(specs, [90], flags))
        assert built.nvcc_flags == flags
        monkeypatch.setattr(info, "load", lambda: built)
        text = info.describe()
        assert ("extra nvcc flags: -DSGMV_PROBE_V_ONE_PART (SGMV_NVCC_FLAGS: a probe build" in text) == bool(flags)
        assert ("nvcc flags" in text) == bool(flags)


def test_results_name_the_kernels_that_ran():
    import torch
    from sgmv import manifest
    from sgmv.bench.run import kernels_for
    if not manifest.load().kernels:
        pytest.skip("this installation has no compiled kernels (source tree on PYTHONPATH)")
    c = cases.BenchCase(4096, 14336, 8, 16, "distinct", (1,) * 16)  # on sm_80 (no one-launch kernels): the pair
    names = kernels_for(c, torch.bfloat16, "add_lora", arch=80).split("+")
    assert [n.split("_")[1] for n in names] == ["shrink", "expand"]
    assert "_bf16_r8_h4096_" in names[0] and "_bf16_r8_h14336_" in names[1]
    assert kernels_for(c, torch.bfloat16, "add_lora").startswith("sgmv_gemv_bf16_r8_hany_")  # sm_90: entry 305
    distinct = cases.BenchCase(4096, 4096, 16, 16, "distinct", (1,) * 16)  # the gemv kernel (clusters of 4 or 8)
    assert kernels_for(distinct, torch.bfloat16, "add_lora").startswith("sgmv_gemv_bf16_r16_hany_w8m1n")
    distinct = cases.BenchCase(4096, 14336, 16, 16, "distinct", (1,) * 16)  # the fused kernel's grid handoff, where
    # no gemv kernel's one-wave clusters are within the limits under these counts (8-warp clusters of 4: 2 rounds)
    assert kernels_for(distinct, torch.bfloat16, "add_lora", resident_clusters=lambda kernel, cluster: {
        2: 66, 4: 30, 8: 15}[cluster]).startswith("sgmv_fused_bf16_r16_hany_w8m16n512")
    wide = cases.BenchCase(4096, 4096, 16, 256, "distinct", (1,) * 256)  # streamed: 16-row tiles, 256 columns
    assert kernels_for(wide, torch.bfloat16, "add_lora").startswith("sgmv_prefill_bf16_r16_hany_w11m16n256")
    prefill = cases.BenchCase(4096, 4096, 64, 4096, "prefill", (64,) * 64)
    assert "_w8m32n256u1_" in kernels_for(prefill, torch.float16, "expand", arch=80)
    half = "sgmv_prefill_fp16_r64_hany_w11m64n128u1_v8_expand"  # on sm_90 the 64-row prefill tile's half (entry 368)
    assert kernels_for(prefill, torch.float16, "expand") == half
    one = cases.BenchCase(4096, 4096, 16, 1, "distinct", (1,))  # dispatch runs it as one fused launch on sm_90
    assert kernels_for(one, torch.bfloat16, "add_lora").startswith("sgmv_fused_bf16_r16_hany_w4m16n256")
    assert "+" in kernels_for(one, torch.bfloat16, "add_lora", arch=80)
    long = cases.BenchCase(4096, 4096, 16, 8192, "prefill", (1024,) * 8)  # a 64-row tile for every SM
    assert kernels_for(long, torch.bfloat16, "add_lora").startswith("sgmv_prefill_bf16_r16_hany_w11m64")
    assert kernels_for(prefill, torch.bfloat16, "add_lora").startswith("sgmv_prefill_bf16_r64_")  # 64 tiles, in
    # clusters of two blocks
    assert kernels_for(prefill, torch.bfloat16, "add_lora", launches=True).endswith("@2x66")  # as launched
    off_grid = cases.BenchCase(4096, 4096, 48, 4096, "prefill", (64,) * 64)  # rank 64's variant for true ranks
    assert kernels_for(off_grid, torch.bfloat16, "add_lora") == "sgmv_prefill_bf16_r64_hany_w11m64n128u1_v8_ranks"
    r128 = cases.BenchCase(4096, 4096, 128, 1, "distinct", (1,))  # rank 128's fused kernel (grid handoff)
    assert kernels_for(r128, torch.bfloat16, "add_lora").startswith("sgmv_fused_bf16_r128_")
    assert [n.split("_")[1] for n in kernels_for(r128, torch.bfloat16, "add_lora", arch=80).split("+")] == [
        "shrink", "expand"]
    r128_prefill = cases.BenchCase(4096, 4096, 128, 4096, "prefill", (64,) * 64)  # rank 128's 64-row tile
    assert kernels_for(r128_prefill, torch.bfloat16, "add_lora") == "sgmv_prefill_bf16_r128_hany_w11m64n128u1_v8"
    r128_short = cases.BenchCase(4096, 4096, 128, 4096, "prefill", (16,) * 256)  # no 16-row tile at r128:
    halves = kernels_for(r128_short, torch.bfloat16, "add_lora").split("+")  # one a half of the rank, twice, on
    # rank 64's 16-row tile with 128-column stages (NOTES entries 219-221)
    assert len(halves) == 2 and halves[0] == halves[1] and halves[0].startswith("sgmv_prefill_bf16_r64_hany_w7m16n128")
    rank4 = cases.BenchCase(4096, 4096, 4, 1, "distinct", (1,))  # B's rows 8 bytes: the pair, its expand element-wise
    shrink, expand = kernels_for(rank4, torch.bfloat16, "add_lora").split("+")
    assert "_shrink_" in shrink and "_expand_" in expand and expand.endswith("_v1")


def _benchmark_script(name: str):
    """benchmarks/<name>.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dispatch_sweep():
    return _benchmark_script("dispatch_sweep")


def test_ab_summary_medians_and_targets(tmp_path, capsys):
    """benchmarks/ab_summary.py: each case's median over the A runs and over the B runs, B/A, and which meet the
    target; then the median B/A of each kernel's cases (its dtype left out), and last over every case. Runs without
    the kernels column give no kernel lines."""
    header = "dtype,case,time_us,floor_us,target_us,kernels\n"
    runs = {"A1": (10.0, 50.0, 20.0), "A2": (12.0, 54.0, 20.0), "B1": (9.0, 60.0, 21.0), "B2": (9.0, 62.0, 19.0)}
    for run, (t1, t2, t3) in runs.items():
        (tmp_path / run).mkdir()
        (tmp_path / run / "results.csv").write_text(header + f"bfloat16,small,{t1},8.0,11.0,k_bf16_r16\n"
                                                             f"float16,large,{t2},40.0,52.0,k_fp16_r16\n"
                                                             f"float16,other,{t3},15.0,19.0,j_fp16_r64\n")
    _benchmark_script("ab_summary").main(tmp_path, ["A1", "A2"], ["B1", "B2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["bfloat16", "small", "8.0", "11.0", "11.0", "9.0", "0.818", "ok", "ok"]
    assert lines[2].split() == ["float16", "large", "40.0", "52.0", "52.0", "61.0", "1.173", "ok"]
    assert lines[3].split() == ["float16", "other", "15.0", "19.0", "20.0", "20.0", "1.000"]
    assert lines[4] == "kernel j_r64: 1 cases, median B/A 1.000, min 1.000, max 1.000"
    assert lines[5] == "kernel k_r16: 2 cases, median B/A 0.996, min 0.818, max 1.173"
    assert lines[6] == "median B/A 1.000, min 0.818, max 1.173"
    for run in runs:  # the same runs without the kernels column
        rows = (tmp_path / run / "results.csv").read_text().splitlines()
        (tmp_path / run / "results.csv").write_text("\n".join(row.rsplit(",", 1)[0] for row in rows) + "\n")
    _benchmark_script("ab_summary").main(tmp_path, ["A1", "A2"], ["B1", "B2"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[4] == "median B/A 1.000, min 0.818, max 1.173"


def test_dispatch_sweep_command_line():
    parse = _dispatch_sweep().parse
    got = parse(["/tmp/o", "bf16", "HANDOFF_MIN_CHUNKS=4,1", "HANDOFF_MAX_TILES_PER_BLOCK=2", "--cases=_r64_",
                 "--ops=add_lora", "--full", "--repeat=2", "--with=HANDOFF_MAX_SPLIT_ROWS=1073741824,1024"])
    assert got["name"] == "HANDOFF_MIN_CHUNKS" and got["values"] == [4, 1]
    assert got["paired"] == ("HANDOFF_MAX_SPLIT_ROWS", [1073741824, 1024])
    assert got["fixed"] == {"HANDOFF_MAX_TILES_PER_BLOCK": 2}
    assert got["cases"] == "_r64_" and got["ops"] == ["add_lora"] and not got["quick"] and got["repeat"] == 2
    plain = parse(["/tmp/o", "fp16", "FUSED_BEST_BLOCKS=16,8"])
    assert plain["paired"] is None and plain["quick"] and plain["ops"] == ["expand", "add_lora"]
    with pytest.raises(SystemExit, match="2 values for 3"):
        parse(["/tmp/o", "bf16", "HANDOFF_MIN_CHUNKS=4,2,1", "--with=HANDOFF_MAX_SPLIT_ROWS=1,2"])
    with pytest.raises(SystemExit, match="no constant NOT_A_CONSTANT"):
        parse(["/tmp/o", "bf16", "HANDOFF_MIN_CHUNKS=4", "--with=NOT_A_CONSTANT=1"])
    with pytest.raises(SystemExit, match="no constant NOPE"):
        parse(["/tmp/o", "bf16", "HANDOFF_MIN_CHUNKS=4", "NOPE=1"])
    assert parse(["/tmp/o", "bf16", "PIPELINE_BLOCKS_PER_SM=2,4"])["name"] == "PIPELINE_BLOCKS_PER_SM"  # launch_plan's
    assert plain["batches"] is None
    own = parse(["/tmp/o", "bf16", "PREFILL_FEW_ROWS_MAX_MEAN=8,31", "--batches=40x10,3x700", "--shapes=4096x14336",
                 "--ranks=16,64,128", "--ops=add_lora"])["batches"]
    assert [(c.h_in, c.h_out, c.rank, c.rows, c.segments) for c in own] == [
        (4096, 14336, r, rows, segs) for r in (16, 64, 128) for rows, segs in ((400, (10,) * 40), (2100, (700,) * 3))]
    assert own[0].name == "h4096to14336_r16_uniform_bs400_s40"
    assert len(parse(["/tmp/o", "bf16", "PREFILL_FEW_ROWS_MAX_MEAN=8", "--batches=64x4"])["batches"]) == 4 * 2
    with pytest.raises(SystemExit, match="AxB"):
        parse(["/tmp/o", "bf16", "PREFILL_FEW_ROWS_MAX_MEAN=8", "--batches=64"])


def test_dispatch_sweep_sets_each_constant_where_it_is_defined(monkeypatch):
    from sgmv import dispatch, launch_plan, one_launch
    sweep = _dispatch_sweep()
    monkeypatch.setattr(launch_plan, "PIPELINE_BLOCKS_PER_SM", launch_plan.PIPELINE_BLOCKS_PER_SM)
    monkeypatch.setattr(dispatch, "HANDOFF_MIN_CHUNKS", dispatch.HANDOFF_MIN_CHUNKS)
    monkeypatch.setattr(one_launch, "RANK_SPLIT", one_launch.RANK_SPLIT)
    sweep.set_constant("PIPELINE_BLOCKS_PER_SM", 7)
    sweep.set_constant("HANDOFF_MIN_CHUNKS", 5)
    sweep.set_constant("RANK_SPLIT", 0)
    assert launch_plan.PIPELINE_BLOCKS_PER_SM == 7 and not hasattr(dispatch, "PIPELINE_BLOCKS_PER_SM")
    assert dispatch.HANDOFF_MIN_CHUNKS == 5 and not hasattr(launch_plan, "HANDOFF_MIN_CHUNKS")
    assert one_launch.RANK_SPLIT == 0 and not hasattr(dispatch, "RANK_SPLIT")


def test_dispatch_picks_names_each_sweep_case_kernels(monkeypatch):
    """benchmarks/dispatch_picks.py: a line a dtype and case of both sweeps, the kernels as the bench names them, or
    why none runs it."""
    from sgmv.bench import run
    from sgmv.manifest import Manifest
    from dispatch_records import AVAILABLE
    picks = _benchmark_script("dispatch_picks")
    monkeypatch.setattr(run, "load_manifest", lambda: Manifest(archs=(90,), kernels=tuple(AVAILABLE)))
    lines = picks.picks()
    names = {c.name for quick in (True, False) for c in cases.sweep(quick)}
    assert len(lines) == 2 * len(names) and len({line.split()[1] for line in lines}) == len(names)
    got = {tuple(line.split(" ", 2)[:2]): line.split(" ", 2)[2] for line in lines}
    assert got[("bf16", "h4096_r16_uniform_bs64_s8")] == "shrink_bf16_16_4096_True+expand_bf16_16_4096_True"
    assert got[("bf16", "h8192_r64_distinct_bs1_s1")] == "shrink_bf16_0_0_True+expand_bf16_0_0_True"  # generic
    assert got[("fp16", "h8192_r64_distinct_bs1_s1")].startswith("none: no compiled shrink kernel")


def test_selection_time_times_new_problems_and_restores_the_device(monkeypatch):
    """benchmarks/selection_time.py: microseconds a new problem through cuda_ops's selections, with the device mocked
    only while it runs and the memos left empty."""
    import pathlib
    from sgmv import cuda_ops
    from sgmv.manifest import Manifest
    from dispatch_records import AVAILABLE, HALF_RANK, PREFILL, PREFILL_SHORT
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
    timing = _benchmark_script("selection_time")
    monkeypatch.setattr(cuda_ops, "load_manifest",
                        lambda: Manifest(archs=(90,), kernels=tuple(AVAILABLE + PREFILL + PREFILL_SHORT + HALF_RANK)))
    device = cuda_ops.loader.device
    batch = timing.problems()[::200]
    assert len(batch) > 5 and {p.rank for p in batch} == {16, 64}
    assert 0 < timing.time_selections(batch, passes=2)
    assert cuda_ops.loader.device is device and cuda_ops._installed_one_launch_kernel.cache_info().currsize == 0


@requires_gpu_timing
def test_bench_times_a_users_shapes_and_ranks(tmp_path):
    """`python -m sgmv bench --shapes --ranks` end to end on the GPU: an h off the built sizes, ranks 4 and 16, one-row
    and 16-row batches; each case checked (y's rounding allowed) and timed, none WRONG, the files written."""
    import json
    out = tmp_path / "bench"
    proc = subprocess.run([sys.executable, "-m", "sgmv", "bench", "--quick", "--shapes", "1040x1032", "--ranks", "4,16",
                           "--cases", "bs1_,bs16_", "--no-baselines", "--no-pairs", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert {r["case"] for r in rows} == {f"h1040to1032_r{r}_{c}" for r in (4, 16) for c in (
        "distinct_bs1_s1", "distinct_bs16_s16", "uniform_bs16_s4", "identical_bs16_s1")}
    assert not any(r["wrong"] for r in rows) and all(r["time_us"] > 0 for r in rows)
    assert (out / "table.txt").exists() and (out / "results.csv").exists()


@requires_gpu_timing
def test_dispatch_sweep_times_batches_of_its_own(tmp_path, monkeypatch):
    """--batches (NOTES.md, entries 140-145): each value's run times the tool's own cases (each checked against the
    float64 reference first) on the kernel that value's rule picks."""
    import csv
    from sgmv import cuda_ops, one_launch
    sweep = _dispatch_sweep()
    name = "PREFILL_FEW_ROWS_MIN_SM_PERCENT"  # 101: no batch of up to 31 rows a segment takes the 16-row tile
    monkeypatch.setattr(one_launch, name, getattr(one_launch, name))
    try:
        sweep.main(tmp_path, "bf16", name, [101, 50], None, ["add_lora"],
                   batches=sweep.batch_cases("40x24", "4096x4096", "16"))
    finally:
        cuda_ops.clear_selections()
    lines = (tmp_path / f"{name}.txt").read_text().splitlines()
    assert len(lines) == 3 and lines[2].split()[:2] == ["add_lora", "h4096_r16_uniform_bs960_s40"]
    kernels = {value: next(csv.DictReader(open(tmp_path / f"{name}={value}" / "results.csv")))["kernels"]
               for value in (101, 50)}
    assert "_shrink_" in kernels[101] and "_prefill_" in kernels[50]  # entry 142: 40 x 24 rows off the pair (past
    # HANDOFF_OVER_PAIR_MAX_ROWS, so no grid handoff in its place)


def test_fused_sweep_mid_batches_reach_both_prefill_tiles():
    """benchmarks/fused_sweep.py's `mid` set (NOTES entry 224): batches of 4-512 rows a segment at ranks 32 and 64,
    distinct names, that the prefill rule gives its 16-row tile (rank 64: the 128-column one, more stages) and its
    64-row tile, so forcing both on them measures the choice entry 221 made outside the sweeps."""
    from sgmv import one_launch
    from sgmv.dispatch import Problem
    from dispatch_records import PREFILL, PREFILL_SHORT
    mid = _benchmark_script("fused_sweep").MID_BATCHES
    assert len({c.name for c in mid}) == len(mid) and {c.rank for c in mid} == {32, 64}
    chosen = {}
    for c in (c for c in mid if c.rank == 64):
        problem = Problem("prefill", "bf16", c.rank, c.h_in, c.rows, c.num_segments, True, (c.h_out,), (c.rank,),
                          max(c.segments))
        kernel = one_launch.prefers_prefill(problem, PREFILL + PREFILL_SHORT, num_sms=132)
        chosen[c.name] = kernel and (kernel.warp_rows, kernel.tile_n)
    assert (16, 128) in chosen.values() and (64, 128) in chosen.values(), chosen


def test_fused_sweep_skew_batches_take_the_16_row_tile_by_their_tiles():
    """benchmarks/fused_sweep.py's `skew` set (NOTES entry 234): 16-32 segments, one 2-3x longer than the others,
    distinct names, each one the 16-row tile takes by entry 231's count and T / 16 would not (blocks for under half
    the SMs), so forcing the grid handoff on them measures that move."""
    import dataclasses
    from sgmv import one_launch
    from sgmv.dispatch import Problem
    from dispatch_records import PREFILL, PREFILL_SHORT
    skew = _benchmark_script("fused_sweep").SKEW_BATCHES
    assert len({c.name for c in skew}) == len(skew) and {c.rank for c in skew} == {16, 32, 64}
    for c in (c for c in skew if c.rank in (16, 64)):
        problem = Problem("prefill", "bf16", c.rank, c.h_in, c.rows, c.num_segments, True, (c.h_out,), (c.rank,),
                          max(c.segments))
        kernel = one_launch.prefers_prefill(problem, PREFILL + PREFILL_SHORT, num_sms=132)
        assert kernel is not None and kernel.warp_rows == 16, c.name
        unknown = dataclasses.replace(problem, max_segment_rows=-1)  # T / 16 alone
        assert one_launch.prefers_prefill(unknown, PREFILL + PREFILL_SHORT, num_sms=132) is None, c.name


def _rank_4_one_row(seed: int):
    import torch
    from sgmv.batch import LoraBatch
    case = cases.BenchCase(4096, 14336, 4, 1, "uniform", (1,))
    bufs = cases.make_buffers(case, torch.bfloat16, "cpu", torch.Generator().manual_seed(seed))
    return bufs, LoraBatch.from_segments([0, 1], [0])


def test_check_allows_y_rounding_but_not_a_wrong_delta(monkeypatch):
    """Rank 4 over one row (seed 24): the float32 reference itself, rounded once to bf16, is 1.25e-2 off the float64
    delta, past bf16's 1e-2; the check allows that rounding, and still fails a delta 5% too large."""
    import torch
    from sgmv import ops
    from sgmv.bench import run
    bufs, batch = _rank_4_one_row(24)
    y0 = bufs.y.clone()
    err = run.check("add_lora", bufs, batch, torch.bfloat16, roundings=1)
    assert err > cases.TOLERANCE[torch.bfloat16]
    assert torch.equal(bufs.y, y0), "the check restores y"
    real = ops.add_lora
    monkeypatch.setattr(run.ops, "add_lora", lambda y, x, a, b, batch, scale: real(y, x, a, b, batch, 1.05 * scale))
    with pytest.raises(AssertionError, match="add_lora is wrong"):
        run.check("add_lora", *_rank_4_one_row(0), torch.bfloat16)


def test_y_roundings_counts_the_launches_that_write_y():
    from sgmv.bench.run import y_roundings
    assert y_roundings("shrink", "sgmv_shrink_bf16_r16") == 0
    assert y_roundings("expand", "sgmv_expand_bf16_r16") == 1
    assert y_roundings("add_lora", "sgmv_fused_bf16_r16") == 1
    assert y_roundings("add_lora", "sgmv_shrink_bf16_r4+sgmv_expand_bf16_r4") == 1
    assert y_roundings("add_lora", "sgmv_fused_bf16_r64+sgmv_fused_bf16_r32") == 2


def test_a_serving_pair_is_checked_before_it_is_timed(monkeypatch):
    """serving._time_and_check (CPU tensors, the torch reference as the op; timing stubbed): the error is returned
    within the bench's tolerance, y restored; a variant whose delta is 5% too large fails before any timing."""
    import torch
    from sgmv import ops, reference
    from sgmv.batch import LoraBatch
    from sgmv.bench import serving
    monkeypatch.setattr(serving, "sets_for", lambda set_bytes: 1)
    monkeypatch.setattr(serving, "time_graph", lambda calls: 1.0)
    gen = torch.Generator().manual_seed(0)
    batch = LoraBatch.from_segments([0, 3, 8], [1, 0])
    first = dict(x=torch.randn(8, 64, generator=gen).bfloat16(), y=torch.randn(8, 32, generator=gen).bfloat16(),
                 a=(torch.randn(2, 16, 64, generator=gen) / 8).bfloat16(),
                 b=(torch.randn(2, 32, 16, generator=gen) / 4).bfloat16())
    y0 = first["y"].clone()

    def want_of(s):
        return reference.add_lora_delta(s["x"], s["a"], s["b"], batch, 0.5, compute_dtype=torch.float64)

    def call(factor):
        return lambda s: ops.add_lora(s["y"], s["x"], s["a"], s["b"], batch, scale=0.5 * factor)

    us, error = serving._time_and_check(lambda: first, call(1.0), want_of, 0)
    assert us == 1.0 and error < 1e-2 and torch.equal(first["y"], y0)
    with pytest.raises(AssertionError, match="serving pair"):
        serving._time_and_check(lambda: first, call(1.05), want_of, 0)
