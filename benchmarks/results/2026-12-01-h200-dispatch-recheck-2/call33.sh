# Call 33 (entry 91): dispatch constants re-checked on the kernels of entries 83-89 (the default wheel of 92fcad4,
# dist_f): benchmarks/dispatch_sweep.py over the quick sweep's add_lora cases, bf16, three rounds each.
set -o pipefail
rm -rf /tmp/sF; python3 -m pip install -q --no-deps --no-index --target /tmp/sF dist_f/*.whl
export PYTHONPATH=/tmp/sF
sw() { local tag=$1; shift; timeout 150 python3 benchmarks/dispatch_sweep.py /tmp/s-$tag "$@" --ops=add_lora --repeat=3 > $OUT/$tag.txt 2>&1; grep -v "^\s*$" $OUT/$tag.txt | tail -3; }
sw tiles-bf16 bf16 HANDOFF_MAX_TILES_PER_BLOCK=2,1,4
sw bps-bf16 bf16 HANDOFF_BLOCKS_PER_SM=2,1
sw best16-bf16 bf16 FUSED_BEST_BLOCKS=16,8,32 --cases=_r16_
