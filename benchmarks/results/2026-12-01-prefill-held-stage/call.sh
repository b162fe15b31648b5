# NOTES entry 112: A = main d9c54a0 (dist_rec4, the runs of record's wheel), B = the same with the 64-row prefill tile
# given one more stage (codegen only; dist_H). run(command="bash benchmarks/results/2026-12-01-prefill-held-stage/call.sh",
# carry=["dist_rec4", "dist_H"]): B's 64-row prefill GPU tests, then the full sweep's prefill cases at h8192, h4096 and
# 4096 -> 14336 (ranks 16-64 at h8192, r16 and r64 at h4096, r64 at 4096 -> 14336) A B B A.
set -u
bash benchmarks/ab_quick_builds.sh dist_rec4 dist_H "$OUT" "prefill and m64" \
  "h8192_r16_prefill,h8192_r32_prefill,h8192_r64_prefill,h4096_r16_prefill,h4096_r64_prefill,h4096to14336_r64_prefill" full
