# One device call (~2 minutes warm): the grid handoff probe v2 on the fused kernels of a build with the patch.
# On the CPU machine, from the repository root of a clean checkout of 4fc9fd3 or later (csrc unchanged since afdcb93):
#   git apply benchmarks/results/2026-12-01-handoff-probe-prepared/probe-handoff-stamps-v2.patch
#   SGMV_KERNELS="sgmv_fused_bf16_*" pip wheel -q --no-deps -w dist_probe2 .   (~30 s)
#   git checkout -- csrc
# then run this with dist_probe2 carried.
set -o pipefail
REPO=$PWD
P=$REPO/benchmarks/results/2026-12-01-handoff-probe-prepared/probe_handoff.py
rm -rf /tmp/sP; python3 -m pip install -q --no-deps --no-index --target /tmp/sP dist_probe2/*.whl
cd /tmp
for m in dirty b2b; do for i in 0 1 2 3 4 5 6; do PYTHONPATH=/tmp/sP timeout 60 python3 $P run $i $m; done; done > $OUT/stamps.txt 2>&1
python3 $P summary $OUT/stamps.txt | tee $OUT/summary.txt
