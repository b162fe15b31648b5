# NOTES entry 121: A = main's kernels (dist_rec6, the wheel of 62db919), B1 = dist_M (branch wip/prefill-two-blocks:
# the r16 16-row prefill tile held to two blocks an SM, 6 stages a block), B2 = dist_N (the same with the stage budget
# shared by an SM's blocks: 4 stages a block). Wheels built on the CPU machine (`pip wheel -q --no-deps -w DIR .`).
# run(command="bash benchmarks/results/2026-12-01-prefill-two-blocks/call.sh", carry=["dist_rec6","dist_M","dist_N"]):
# each B's r16 prefill GPU tests, the driver's occupancy of its 16-row r16 kernels, then A B B A over the full sweep's
# r16 distinct bs64/bs256 cases, with r32 distinct bs256 and the r16 prefill cases (the 64-row tile) as controls.
set -u
cases="r16_distinct_bs64,r16_distinct_bs256,r32_distinct_bs256,r16_prefill"
for b in M N; do
  mkdir -p "$OUT/$b"
  bash benchmarks/ab_quick_builds.sh dist_rec6 "dist_$b" "$OUT/$b" "prefill and r16" "$cases" full
  PYTHONPATH=/tmp/abq_B python3 -c "
from sgmv import loader, manifest
for k in manifest.load().kernels:
    if k.op == 'prefill' and k.rank == 16:
        print(k.name, 'blocks an SM:', loader.device(0).resident_blocks(k), 'smem', k.smem_bytes)
" | tee "$OUT/$b/occupancy.txt"
done
