#!/usr/bin/env bash
# NOTES.md entry 248: the read-pattern probe's pair forms, then the A/B of the prefill kernels with the cluster's
# chunks in halves (dist_pA, main at b5538b1) against every other chunk (dist_pB). From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-interleaved-shares/call.sh", carry=["dist_pA", "dist_pB"])
set -uo pipefail
(cd benchmarks/stream && nvcc -O3 -std=c++17 -arch=sm_90a -o /tmp/pattern_probe pattern_probe.cu \
  && timeout 150 /tmp/pattern_probe) > "$OUT/pattern-probe.txt" 2>&1
grep -E "halves|paired|lockstep" "$OUT/pattern-probe.txt" | head -80
bash benchmarks/ab_prefill_builds.sh dist_pA dist_pB "$OUT"
