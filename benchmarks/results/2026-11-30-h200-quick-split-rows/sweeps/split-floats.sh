# Session 2026-11-30b call 4: the grid handoff's splits (entry 48). Same wheel as the run of record (dist_rec7),
# its dispatch.py replaced by this tree's (HANDOFF_MAX_SPLIT_FLOATS, --with in dispatch_sweep).
set -o pipefail
REPO=$PWD
rm -rf /tmp/site; python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_rec7/*.whl
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
export PYTHONPATH=/tmp/site
mkdir -p $OUT/sweeps; cd /tmp
OLD=4,1073741824; NEW=1,65536
timeout 130 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/swq bf16 HANDOFF_MIN_CHUNKS=4,1,1 --with=HANDOFF_MAX_SPLIT_FLOATS=1073741824,1073741824,65536 --ops=add_lora --repeat=2 > $OUT/sweeps/quick-bf16.txt 2>&1; grep -E "_r64_|_r16_" $OUT/sweeps/quick-bf16.txt | head -50
timeout 150 python3 $REPO/benchmarks/dispatch_sweep.py /tmp/swf bf16 HANDOFF_MIN_CHUNKS=4,1 --with=HANDOFF_MAX_SPLIT_FLOATS=1073741824,65536 --ops=add_lora --full > $OUT/sweeps/full-bf16.txt 2>&1; tail -3 $OUT/sweeps/full-bf16.txt
# the candidate as the defaults, on the fused kernel's GPU tests
sed -i -e 's/^HANDOFF_MIN_CHUNKS = 4$/HANDOFF_MIN_CHUNKS = 1/' -e 's/^HANDOFF_MAX_SPLIT_FLOATS = 1 << 30 /HANDOFF_MAX_SPLIT_FLOATS = 1 << 16 /' /tmp/site/sgmv/dispatch.py
grep -E "^HANDOFF_(MIN_CHUNKS|MAX_SPLIT_FLOATS)" /tmp/site/sgmv/dispatch.py
cd $REPO/tests && timeout 100 python3 -m pytest -q test_gpu_kernels.py -k "fused or handoff or tables or chain" 2>&1 | tail -2 | tee $OUT/tests-candidate.txt
