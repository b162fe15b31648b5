#!/usr/bin/env bash
# NOTES.md entry 248, second call: the read-pattern probe's groups of S blocks an adapter, then
# PREFILL_CLUSTER_TIES_LARGER=0,1 (prefill_cluster's ties to clusters of two) over the 28 full-sweep cases a dtype
# whose cluster it changes (/tmp/ties.py in the entry), bf16 and fp16, twice in turn, on the default wheel of the
# tree with the constant. From the repository root:
#   run(command="bash benchmarks/results/2026-12-03-interleaved-shares/call2.sh dist_248", carry=["dist_248"])
repo=$PWD
(cd benchmarks/stream && nvcc -O3 -std=c++17 -arch=sm_90a -o /tmp/pattern_probe pattern_probe.cu \
  && timeout 120 /tmp/pattern_probe groups) > "$OUT/groups-probe.txt" 2>&1
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
cd /tmp && rm -rf /tmp/sp && mkdir -p /tmp/sp
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 200 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sp/ties-$dt $dt \
    PREFILL_CLUSTER_TIES_LARGER=0,1 --ops=add_lora --repeat=2 --full \
    --cases=h14336to4096_r128_prefill_bs8192_s8,h14336to4096_r16_distinct_bs256_s256,h14336to4096_r16_prefill_bs8192_s8,h14336to4096_r32_distinct_bs256_s256,h14336to4096_r32_prefill_bs8192_s8,h14336to4096_r64_distinct_bs256_s256,h14336to4096_r64_prefill_bs8192_s8,h4096_r128_prefill_bs8192_s8,h4096_r16_distinct_bs256_s256,h4096_r16_prefill_bs8192_s8,h4096_r32_distinct_bs256_s256,h4096_r32_prefill_bs8192_s8,h4096_r64_distinct_bs256_s256,h4096_r64_prefill_bs8192_s8,h4096to14336_r128_prefill_bs8192_s8,h4096to14336_r16_distinct_bs256_s256,h4096to14336_r16_prefill_bs8192_s8,h4096to14336_r32_distinct_bs256_s256,h4096to14336_r32_prefill_bs8192_s8,h4096to14336_r64_distinct_bs256_s256,h4096to14336_r64_prefill_bs8192_s8,h8192_r128_prefill_bs8192_s8,h8192_r16_distinct_bs256_s256,h8192_r16_prefill_bs8192_s8,h8192_r32_distinct_bs256_s256,h8192_r32_prefill_bs8192_s8,h8192_r64_distinct_bs256_s256,h8192_r64_prefill_bs8192_s8 > /tmp/sp/ties-$dt.log 2>&1
  echo "ties $dt rc=$?"; cp /tmp/sp/ties-$dt/PREFILL_CLUSTER_TIES_LARGER.txt "$OUT/ties-$dt.txt"; tail -2 /tmp/sp/ties-$dt.log
done
cat "$OUT"/ties-*.txt
