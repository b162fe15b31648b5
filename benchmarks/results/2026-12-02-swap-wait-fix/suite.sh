# NOTES entry 174: the whole GPU suite on the default build with rank 8's 16-row prefill tile (416 kernels), built on
# the CPU machine with `pip wheel -q --no-deps -w dist_d174 .`:
#   run(command="bash benchmarks/results/2026-12-02-swap-wait-fix/suite.sh", carry=["dist_d174"])
bash benchmarks/run_of_record.sh dist_d174 suite
grep -E "FAILED|Error|failed" "$OUT/gpu-suite.txt" | head -20
