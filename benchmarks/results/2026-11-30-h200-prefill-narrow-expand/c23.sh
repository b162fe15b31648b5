# Session 2026-11-30c call 7: racecheck of a one-block prefill launch in a cluster of two (open since entry 46),
# smaller than before (12 segments, h 272 -> 264) so that it can finish; main's prefill kernels (dist_pF).
set -o pipefail
rm -rf /tmp/spF; python3 -m pip install -q --no-deps --no-index --target /tmp/spF dist_pF/*.whl
cp dist_run/race_small.py tests/
cd tests
PYTHONPATH=/tmp/spF python3 race_small.py sgmv_prefill_bf16_r16_hany_w11m16n256 2 2 272x264 2>&1 | tail -2
( time PYTHONPATH=/tmp/spF timeout 420 compute-sanitizer --tool racecheck --racecheck-report hazard python3 race_small.py sgmv_prefill_bf16_r16_hany_w11m16n256 2 2 272x264 ) > $OUT/racecheck-cluster2.txt 2>&1; echo "rc $?" >> $OUT/racecheck-cluster2.txt
tail -8 $OUT/racecheck-cluster2.txt
