# Session 2026-11-30c call 1: the grid handoff probe (benchmarks/results/2026-11-30-h200-handoff-probe).
set -o pipefail
REPO=$PWD
rm -rf /tmp/sP; python3 -m pip install -q --no-deps --no-index --target /tmp/sP dist_probeH/*.whl
cd /tmp
for m in dirty b2b; do for i in 0 1 2 3 4 5 6; do PYTHONPATH=/tmp/sP timeout 60 python3 $REPO/dist_run/probe_handoff.py run $i $m; done; done > $OUT/stamps.txt 2>&1
python3 $REPO/dist_run/probe_handoff.py summary $OUT/stamps.txt | tee $OUT/summary.txt
