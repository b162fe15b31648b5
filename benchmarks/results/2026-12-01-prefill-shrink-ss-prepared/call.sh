# NOTES entry 108: A = the runs of record's wheel (dist_rec3, 682cf26), B = the 64-row prefill tile's shrink with x
# staged swizzled too (wgmma SS) and each stage's MMAs left in flight while the next is awaited (dist_F, built from
# 682cf26 + this change, before entry 109's split; prefill-shrink-ss.patch is the same change on 8650bbe). B's
# 64-row prefill GPU tests, then the quick sweep's prefill cases A B B A.
#   run(command="bash benchmarks/results/2026-12-01-prefill-shrink-ss-prepared/call.sh", carry=["dist_rec3", "dist_F"])
set -u
bash benchmarks/ab_quick_builds.sh dist_rec3 dist_F "$OUT" "prefill and m64" "prefill"
