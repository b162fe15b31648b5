#!/usr/bin/env bash
# NOTES entry 216 (probe, not kept): rank 128's narrow tall fused tile (4 warps x 32 rows x 128 columns, shrink in
# rank halves, two blocks an SM) also compiled at rank 64 (w4m32n128u4), forced onto the quick sweep's rank-64
# decode cases by benchmarks/fused_sweep.py next to every other one-launch kernel; dispatch does not pick it
# (dispatch_picks.py: no case changes). On the CPU machine, from the repository root:
#   git apply benchmarks/results/2026-12-03-r64-narrow-tall/r64-narrow-tall-probe-NOT-KEPT.patch
#   pip wheel -q --no-deps -C build-dir=build/k128 -w dist_n64 .
#   git checkout codegen
# then on the GPU machine:
#   run(command="bash benchmarks/results/2026-12-03-r64-narrow-tall/call.sh", carry=["dist_n64"])
repo=$PWD
rm -rf /tmp/n64 && python3 -m pip install -q --no-deps --no-index --target /tmp/n64 dist_n64/*.whl || exit 1
(cd tests && PYTHONPATH=/tmp/n64 timeout 200 python3 -m pytest -q -p no:cacheprovider test_gpu_kernels.py \
   test_gpu_one_launch.py -k "r64_hany_w4m32n128" 2>&1 | tail -3) | tee "$OUT/gpu-tests.txt"
cd /tmp && PYTHONPATH=/tmp/n64 timeout 300 python3 "$repo/benchmarks/fused_sweep.py" "$OUT/fused-sweep-bf16.json" bf16 \
  "r64_identical_bs64,r64_identical_bs256,r64_uniform,r64_distinct_bs16" 2>&1 | tee "$OUT/fused-sweep-bf16.txt"
