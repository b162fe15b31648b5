# dispatch_sweep over the handoff's and the cluster sum's constants, r16 and r64 quick cases, bf16 and fp16.
set -o pipefail
REPO=$PWD
rm -rf /tmp/sM; python3 -m pip install -q --no-deps --no-index --target /tmp/sM dist_w/*.whl && cp python/sgmv/*.py /tmp/sM/sgmv/ && (cd /tmp/sM/sgmv && patch -s -p0 dispatch.py < $REPO/benchmarks/results/2026-12-01-h200-dispatch-recheck/more-blocks-overlay.patch)
export PYTHONPATH=/tmp/sM:$PYTHONPATH
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > $OUT/gpu.txt
sw() { local tag=$1; shift; timeout 150 python3 benchmarks/dispatch_sweep.py /tmp/s-$tag "$@" --ops=add_lora --repeat=3 > $OUT/$tag.txt 2>&1; tail -n +1 $OUT/$tag.txt | grep -v "^\s*$" | tail -30; }
for d in bf16 fp16; do
  sw more16-$d $d HANDOFF_MORE_BLOCKS=0,1 --cases=_r16_
  sw fmb16-$d $d FUSED_MAX_BLOCKS=64,128 --cases=_r16_
done
sw splitrows-bf16 bf16 HANDOFF_MAX_SPLIT_ROWS=1024,512,2048
sw bps-bf16 bf16 HANDOFF_BLOCKS_PER_SM=2,3
sw minchunks-bf16 bf16 HANDOFF_MIN_CHUNKS=1,2 --cases=_r64_
