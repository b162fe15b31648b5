#!/usr/bin/env bash
# NOTES entries 220-221 in one call, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-r64-prefill-128/call.sh", carry=["dist_xprobe2", "dist_fin4",
#       "dist_p128"])
# 1. Entry 220: benchmarks/results/2026-12-03-extra-tiles/call2.sh (the forced 16-row prefill tiles at ranks 32-64 over
#    the full sweep's cases, and the order-of-timing check).
# 2. Entry 221: A/B of head's default wheel (dist_fin4) against the same with rank 64's 16-row 128-column prefill tile
#    shipped and chosen (dist_p128: `pip wheel -q --no-deps -C build-dir=build/k128 -w dist_p128 .`): B's prefill GPU
#    tests, then the full sweep's r64 and r128 cases that change kernel (the r128 ones through rank_split's halves),
#    both dtypes, A B B A.
repo=$PWD
bash benchmarks/results/2026-12-03-extra-tiles/call2.sh
cd "$repo" && bash benchmarks/ab_quick_builds.sh dist_fin4 dist_p128 "$OUT" "prefill" \
  "r64_distinct_bs64,r64_distinct_bs256,r64_skewed_bs256,r128_distinct_bs64,r128_distinct_bs256,r128_skewed_bs256" full
