# NOTES entry 179: entry 178's reads before the wait (dist_s178, every 16-row fused kernel) against the same tree with
# them only from rank 32 (dist_r16: ranks 8-16 as dist_rec's SASS), from the repository root, built one after the
# other (never two at once from one checkout: entry 177):
#   pip wheel -q --no-deps -w dist_s178 .
#   SGMV_NVCC_FLAGS=-DSGMV_READS_BEFORE_WAIT_MIN_RANK=32 pip wheel -q --no-deps -C build-dir=build/r16 -w dist_r16 .
#   run(command="bash benchmarks/results/2026-12-02-reads-before-wait-rank/call.sh", carry=["dist_s178", "dist_r16"])
# A B B A over the quick sweep's r16 add_lora cases, then the full sweep's r8 ones (~250 s).
set -o pipefail
for part in "quick r16_ " "full r8_ full"; do
  set -- $part
  mkdir -p "$OUT/$1"
  bash benchmarks/ab_quick_builds.sh dist_s178 dist_r16 "$OUT/$1" "" "$2" ${3:-}
  for r in A1 B1 B2 A2; do cp /tmp/abq/$r/results.csv "$OUT/$1/results-$r.csv"; done
done
