# NOTES entry 133: the grid handoff's partial tiles stored swizzled (branch wip/swizzled-partials; its default wheel
# dist_X, built on the CPU machine with `pip wheel -q --no-deps -w dist_X .`) against main's (dist_W, entry 129): the
# fused kernels' GPU tests on dist_X, then the quick sweep's add_lora cases A B B A, both dtypes. ~300 s:
#   run(command="bash benchmarks/results/2026-12-01-swizzled-partials/call.sh", carry=["dist_W", "dist_X"])
bash benchmarks/ab_quick_builds.sh dist_W dist_X "$OUT" "fused or handoff or graph or chain or rank_halves"
# Then, on the same machine (the full sweep's r32 cases, bf16, A B B A; 77 s), as one command from the repository root:
#   rm -rf /tmp/A /tmp/B /tmp/abq; pip install -q --no-deps --no-index --target /tmp/A dist_W/*.whl
#   pip install -q --no-deps --no-index --target /tmp/B dist_X/*.whl; r=$PWD; cd /tmp
#   for run in A1 B1 B2 A2; do s=/tmp/A; [ ${run:0:1} = B ] && s=/tmp/B; PYTHONPATH=$s timeout 40 python3 -m sgmv bench \
#     --dtype bf16 --op add_lora --no-baselines --no-pairs --cases _r32_ --out /tmp/abq/$run > /dev/null 2>&1; done
#   python3 $r/benchmarks/ab_summary.py /tmp/abq A1,A2 B1,B2 > $OUT/ab-r32-full-bf16.txt
