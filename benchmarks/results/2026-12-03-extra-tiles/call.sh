#!/usr/bin/env bash
# NOTES entry 219: the codegen's extra fused tiles (SGMV_EXTRA_TILES=1: rank 64's 8-warp 16-row 512-column tile and
# 2-warp 64-column tile, rank 16's 128- and 64-column tiles) forced onto the quick sweep's decode cases that miss,
# next to dispatch's pick on the same wheel (benchmarks/fused_sweep.py, bf16). The wheel (dist_xprobe):
#   SGMV_EXTRA_TILES=1 SGMV_KERNELS="sgmv_fused_bf16_r16_*;sgmv_fused_bf16_r64_*;sgmv_prefill_bf16_r16_*;\
#   sgmv_prefill_bf16_r64_*;sgmv_shrink_bf16_r16_*;sgmv_shrink_bf16_r64_*;sgmv_expand_bf16_r16_*;\
#   sgmv_expand_bf16_r64_*" pip wheel -q --no-deps -C build-dir=build/xprobe -w dist_xprobe .
# From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-extra-tiles/call.sh", carry=["dist_xprobe"])
repo=$PWD
rm -rf /tmp/fs && python3 -m pip install -q --no-deps --no-index --target /tmp/fs dist_xprobe/*.whl || exit 1
cd /tmp && PYTHONPATH=/tmp/fs timeout 500 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/fused-sweep-bf16.json" bf16 \
  "r64_identical_bs64,r64_identical_bs256,r64_uniform_bs64,r64_uniform_bs256,r64_distinct_bs16,r64_distinct_bs64,\
r16_identical_bs256,r16_uniform_bs256,r16_distinct_bs16,r16_distinct_bs64,r16_distinct_bs256" 2>&1 \
  | tee "$OUT/fused-sweep-bf16.txt"
