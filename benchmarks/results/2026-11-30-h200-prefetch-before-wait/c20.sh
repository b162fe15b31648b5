# Session 2026-11-30c call 4: add_lora after a torch copy (no early start) for F (main) and R2 (prefetch, grids <= SMs).
set -o pipefail
REPO=$PWD
for v in F R2; do rm -rf /tmp/s$v; python3 -m pip install -q --no-deps --no-index --target /tmp/s$v dist_ab$v/*.whl; done
cd /tmp
for v in F R2 R2 F; do
  PYTHONPATH=/tmp/s$v timeout 120 python3 $REPO/dist_run/after_other.py $OUT/after-$v-$((++n)).txt > /dev/null 2>/tmp/err.txt || tail -3 /tmp/err.txt
done
paste $OUT/after-F-1.txt $OUT/after-R2-2.txt | awk '{printf "%-36s F %s R2 %s  (alone F %s R2 %s)\n", $1, $3, $10, $7, $14}'
paste $OUT/after-F-4.txt $OUT/after-R2-3.txt | awk '{printf "%-36s F %s R2 %s  (alone F %s R2 %s)\n", $1, $3, $10, $7, $14}'
