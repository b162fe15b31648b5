#!/usr/bin/env bash
# NOTES entry 196: on dist_p (the default build with rank 128's prefill kernel), from the repository root:
#   run(command="bash benchmarks/results/2026-12-02-r128-prefill/call2.sh", carry=["dist_m", "dist_p"])
# 1. A B B A against dist_m over the quick sweep's cases on the prefill kernels whose SASS differs by register names
#    only (ab/: ranks 16-64, prefill and distinct bs64-bs256)
# 2. the whole GPU suite on dist_p (suite/gpu-suite.txt)
set -uo pipefail
mkdir -p "$OUT/ab" "$OUT/suite"
bash benchmarks/ab_quick_builds.sh dist_m dist_p "$OUT/ab" "" "prefill,distinct_bs64,distinct_bs256"
OUT="$OUT/suite" bash benchmarks/run_of_record.sh dist_p suite
