# NOTES entry 139: the prefill kernel's 16-row tile on batches of a few rows a segment (skewed bs64/bs256, uniform
# bs256, distinct bs16), against the launch pair they run as today; dispatch constants only, on main's wheel:
#   run(command="bash benchmarks/results/2026-12-02-short-prefill/call.sh", carry=["dist_next"])
# PREFILL_SHORT_MAX_MEAN_ROWS=2 with PREFILL_MIN_SM_PERCENT=90 is today's rule; 16 with 0 gives the 16-row tile the
# 40 full-sweep cases a dtype below (those whose kernel it changes: dispatch on the CPU with the wheel's manifest).
rm -rf /tmp/nx && python3 -m pip install -q --no-deps --no-index --target /tmp/nx dist_next/*.whl
cases=$(tr -d ' \n' <<'END'
h4096_r8_skewed_bs256_s48, h4096_r16_skewed_bs256_s44, h4096_r32_skewed_bs256_s43, h4096_r64_skewed_bs256_s43,
h4096_r128_skewed_bs256_s47, h8192_r8_skewed_bs64_s17, h8192_r8_skewed_bs256_s51, h8192_r16_skewed_bs64_s20,
h8192_r16_skewed_bs256_s46, h8192_r32_skewed_bs64_s13, h8192_r32_skewed_bs256_s43, h8192_r64_skewed_bs64_s18,
h8192_r64_skewed_bs256_s48, h8192_r128_skewed_bs64_s13, h8192_r128_skewed_bs256_s47,
h4096to14336_r8_distinct_bs16_s16, h4096to14336_r8_skewed_bs64_s20, h4096to14336_r8_uniform_bs256_s16,
h4096to14336_r8_skewed_bs256_s46, h4096to14336_r16_distinct_bs16_s16, h4096to14336_r16_skewed_bs64_s17,
h4096to14336_r16_uniform_bs256_s16, h4096to14336_r16_skewed_bs256_s46, h4096to14336_r32_distinct_bs16_s16,
h4096to14336_r32_skewed_bs64_s15, h4096to14336_r32_uniform_bs256_s16, h4096to14336_r32_skewed_bs256_s38,
h4096to14336_r64_distinct_bs16_s16, h4096to14336_r64_skewed_bs64_s17, h4096to14336_r64_uniform_bs256_s16,
h4096to14336_r64_skewed_bs256_s42, h4096to14336_r128_distinct_bs16_s16, h4096to14336_r128_skewed_bs64_s15,
h4096to14336_r128_uniform_bs256_s16, h4096to14336_r128_skewed_bs256_s51, h14336to4096_r8_skewed_bs256_s40,
h14336to4096_r16_skewed_bs256_s47, h14336to4096_r32_skewed_bs256_s45, h14336to4096_r64_skewed_bs256_s38,
h14336to4096_r128_skewed_bs256_s49
END
)
for dt in bf16 fp16; do
  PYTHONPATH=/tmp/nx timeout 170 python3 benchmarks/dispatch_sweep.py "/tmp/sp-$dt" $dt \
    PREFILL_SHORT_MAX_MEAN_ROWS=2,16 --with=PREFILL_MIN_SM_PERCENT=90,0 --full --cases="$cases" --ops=add_lora \
    --repeat=2 > "$OUT/sp-$dt.txt" 2>&1
  cp "/tmp/sp-$dt/PREFILL_SHORT_MAX_MEAN_ROWS.txt" "$OUT/$dt-PREFILL_SHORT_MAX_MEAN_ROWS.txt"
  tail -42 "$OUT/$dt-PREFILL_SHORT_MAX_MEAN_ROWS.txt"
done
