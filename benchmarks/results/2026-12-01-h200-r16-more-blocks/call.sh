# Entry 95: dispatch_sweep of the grid handoff's tie-break toward more blocks (HANDOFF_MORE_BLOCKS=1, more-blocks.patch
# applied to the checkout's dispatch.py) against fewer (0, today's rule), on the rank-16 quick cases, both dtypes.
set -o pipefail
rm -rf /tmp/sM; python3 -m pip install -q --no-deps --no-index --target /tmp/sM dist_final/*.whl && cp python/sgmv/dispatch.py /tmp/sM/sgmv/
export PYTHONPATH=/tmp/sM:$PYTHONPATH
for d in bf16 fp16; do
  timeout 200 python3 benchmarks/dispatch_sweep.py /tmp/mb-$d $d HANDOFF_MORE_BLOCKS=0,1 --cases=_r16_ --ops=add_lora --repeat=3 > $OUT/more-blocks-$d.txt 2>&1; tail -24 $OUT/more-blocks-$d.txt  # kept here: the last 24 lines, sweep-$d.txt
done
