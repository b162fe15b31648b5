#!/usr/bin/env bash
# NOTES entry 220: the 16-row prefill tile with 128-column stages (codegen's extra tile, w7m16n128) against the shipped
# 256-column one (w11m16n256) at ranks 32 and 64 on every full-sweep case where dispatch runs the 16-row tile (distinct
# bs64 and bs256, skewed bs256, four shapes), and the order-of-timing check (auto, then auto-again) on three quick r64
# handoff cases; bf16 (benchmarks/fused_sweep.py). The wheel (dist_xprobe2):
#   SGMV_EXTRA_TILES=1 SGMV_KERNELS="sgmv_fused_bf16_r32_*;sgmv_fused_bf16_r64_*;sgmv_prefill_bf16_r32_*;\
#   sgmv_prefill_bf16_r64_*;sgmv_shrink_bf16_r32_*;sgmv_shrink_bf16_r64_*;sgmv_expand_bf16_r32_*;\
#   sgmv_expand_bf16_r64_*;sgmv_shrink_bf16_rany_*;sgmv_expand_bf16_rany_*" pip wheel -q --no-deps \
#   -C build-dir=build/xprobe2 -w dist_xprobe2 .
# From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-extra-tiles/call2.sh", carry=["dist_xprobe2"])
repo=$PWD
rm -rf /tmp/fs && python3 -m pip install -q --no-deps --no-index --target /tmp/fs dist_xprobe2/*.whl || exit 1
cd /tmp
PYTHONPATH=/tmp/fs timeout 400 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/prefill-chunk-full-bf16.json" bf16 \
  "r32_distinct_bs64,r32_distinct_bs256,r32_skewed_bs256,r64_distinct_bs64,r64_distinct_bs256,r64_skewed_bs256" full \
  "m16n256u1_v8/prefill,m16n128u1_v8/prefill" 2>&1 | tee "$OUT/prefill-chunk-full-bf16.txt"
PYTHONPATH=/tmp/fs timeout 150 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/order-bf16.json" bf16 \
  "h4096_r64_distinct_bs16,h8192_r64_uniform_bs64,h4096_r64_identical_bs256,h8192_r64_identical_bs256" quick \
  "w4m16n256u2_v8,w8m32n512u4_v8" 2>&1 | tee "$OUT/order-bf16.txt"
