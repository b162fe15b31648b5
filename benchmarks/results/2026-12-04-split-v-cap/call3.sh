#!/bin/bash
# NOTES entry 269: the flat twins uncapped with handoff grids of three blocks an SM (dist_270) against dist_268, on
# the rank 8-16 batches of call2.sh, after the flat rank 8-16 kernels' GPU tests on dist_270. Usage (device,
# repository root, both packed wheels carried): bash benchmarks/results/2026-12-04-split-v-cap/call3.sh
set -u
for d in dist_268 dist_270; do python3 benchmarks/wheel_xz.py unpack "${d}x" "$d" > /dev/null || exit 1; done
cases="r8_distinct_bs16,r8_uniform_bs256,r8_identical_bs256,r8_skewed,r16_uniform_bs256,r16_identical_bs256,r16_skewed"
bash benchmarks/ab_quick_builds.sh dist_268 dist_270 "$OUT" "fused and _flat and (_r8_ or _r16_)" "$cases" full
