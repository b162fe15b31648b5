#!/usr/bin/env bash
# NOTES entry 232: HANDOFF_TIE_MORE_SPLITS=0,1 (splits.patch, not in the tree: on a tie of column tiles a block, the
# grid handoff's tile of more splits before the one of fewer blocks) over the 51 full-sweep cases a dtype whose pick
# it changes (dispatch_picks), bf16 and fp16, twice in turn, on the default wheel of the tree with the patch applied
# to the installed copy, from the repository root:
#   run(command="bash benchmarks/results/2026-12-03-handoff-splits/call.sh dist_s231", carry=["dist_s231"])
repo=$PWD
rm -rf /tmp/new && python3 -m pip install -q --no-deps --no-index --target /tmp/new "${1:?wheel folder}"/*.whl || exit 1
(cd /tmp/new && patch -p2 < "$repo/benchmarks/results/2026-12-03-handoff-splits/splits.patch") || exit 1
cd /tmp && rm -rf /tmp/sp && mkdir -p /tmp/sp
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/new timeout 200 python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/sp/splits-$dt $dt \
    HANDOFF_TIE_MORE_SPLITS=0,1 --ops=add_lora --repeat=2 --full \
    --cases=h14336to4096_r16_distinct_bs16_s16,h14336to4096_r16_identical_bs256_s1,h14336to4096_r16_skewed_bs64_s17,h14336to4096_r16_uniform_bs256_s16,h14336to4096_r32_skewed_bs16_s8,h14336to4096_r32_uniform_bs64_s8,h14336to4096_r64_skewed_bs16_s6,h14336to4096_r64_uniform_bs64_s8,h14336to4096_r8_distinct_bs16_s16,h14336to4096_r8_identical_bs256_s1,h14336to4096_r8_skewed_bs64_s21,h14336to4096_r8_uniform_bs256_s16,h4096_r16_distinct_bs16_s16,h4096_r16_identical_bs256_s1,h4096_r16_skewed_bs64_s19,h4096_r16_uniform_bs256_s16,h4096_r32_skewed_bs16_s6,h4096_r32_uniform_bs64_s8,h4096_r64_skewed_bs16_s7,h4096_r64_uniform_bs64_s8,h4096_r8_distinct_bs16_s16,h4096_r8_identical_bs256_s1,h4096_r8_skewed_bs64_s20,h4096_r8_uniform_bs256_s16,h4096to14336_r16_distinct_bs16_s16,h4096to14336_r16_identical_bs64_s1,h4096to14336_r16_skewed_bs16_s5,h4096to14336_r16_skewed_bs64_s17,h4096to14336_r16_uniform_bs16_s4,h4096to14336_r16_uniform_bs256_s16,h4096to14336_r16_uniform_bs64_s8,h4096to14336_r8_identical_bs256_s1,h4096to14336_r8_identical_bs64_s1,h4096to14336_r8_skewed_bs16_s8,h4096to14336_r8_uniform_bs16_s4,h4096to14336_r8_uniform_bs256_s16,h4096to14336_r8_uniform_bs64_s8,h8192_r16_distinct_bs16_s16,h8192_r16_skewed_bs16_s6,h8192_r16_skewed_bs64_s20,h8192_r16_uniform_bs256_s16,h8192_r16_uniform_bs64_s8,h8192_r32_identical_bs64_s1,h8192_r32_uniform_bs16_s4,h8192_r64_identical_bs64_s1,h8192_r64_uniform_bs16_s4,h8192_r8_distinct_bs16_s16,h8192_r8_identical_bs256_s1,h8192_r8_skewed_bs16_s7,h8192_r8_uniform_bs256_s16,h8192_r8_uniform_bs64_s8 > /tmp/sp/splits-$dt.log 2>&1
  echo "splits $dt rc=$?"; cp /tmp/sp/splits-$dt/HANDOFF_TIE_MORE_SPLITS.txt "$OUT/splits-$dt.txt"; tail -2 /tmp/sp/splits-$dt.log
done
