#!/bin/bash
# Entry 406 (device), on dist_H (the default build of main at c243662: entries 403-404's dispatch, kernels as dist_G).
# Steps, in the order given (each a word):
#   record      on an H200 only: the run of record (run_of_record.sh quick full) -> $OUT/record/
#   r16         entry 404's call 3 (s403/call3.sh) on dist_H: HANDOFF_TALL_PER_TILE_BELOW_RANK 0 against 32 with
#               HANDOFF_TALL_PER_TILE_MAX_ROW_TILES=18, one adapter over 248-288 rows at seven shapes, rank 16, both
#               dtypes, medians of 3, each case checked against the float32 reference first
#               -> pt-DTYPE.txt, pt-sweep.tgz
#   r16-hin     PREPARED for a later session (not run): the same A/B over 272-288 rows where h_in is wider than
#               h_out (entry 406: 14336 -> 4096 lost 1.03-1.04x where h_in = h_out gained 0.95-0.98x; the grids are
#               the same, 1 x 14 x 9 -> 1 x 15 x 17 / 1 x 14 x 18), to place a bound on h_in / h_out -> ph-DTYPE.txt
#   one-launch, padded, rest   the GPU suite's three parts on dist_H as built -> gpu-suite-*.txt
#   routed      the GPU tests whose launches go through dispatch (run_of_record.sh suite-routed) -> gpu-suite-routed.txt
# Usage (device): bash benchmarks/results/2026-12-06-s406/call.sh STEP...   (carry dist_xz_H)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_H ] || python3 benchmarks/wheel_xz.py unpack dist_xz_H dist_H > /dev/null || exit 1
ab_sweep() {  # name, then dispatch_sweep.py's constants and arguments: rank 16, add_lora, both dtypes, medians of 3
  # (each case checked against the float32 reference first) -> $OUT/NAME-DTYPE.txt, NAME-sweep.tgz
  local name=$1; shift
  rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_H/*.whl || exit 1
  rm -rf "/tmp/$name" && mkdir -p "/tmp/$name"
  for dt in bf16 fp16; do
    (cd /tmp && PYTHONPATH=/tmp/site timeout 80 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/$name/$name-$dt" \
      $dt "$@" --repeat=3 --ops=add_lora --ranks=16 > "/tmp/$name/$name-$dt.log" 2>&1) ||
      echo "sweep $dt failed: $(tail -n 3 "/tmp/$name/$name-$dt.log")"
    cp "/tmp/$name/$name-$dt"/*.txt "$OUT/$name-$dt.txt"
  done
  rm -f "/tmp/$name"/*/*/plot.png && tar -czf "$OUT/$name-sweep.tgz" -C /tmp "$name"
}
for step in "$@"; do
  echo "== $step at $SECONDS s"
  case $step in
    record)
      if grep -q H200 "$OUT/gpu-name.txt"; then
        mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_H quick full
      else echo "record: not an H200, skipped"; fi ;;
    r16) ab_sweep pt HANDOFF_TALL_PER_TILE_BELOW_RANK=0,32 HANDOFF_TALL_PER_TILE_MAX_ROW_TILES=18 \
           --batches=1x248,1x256,1x272,1x288 \
           --shapes=8192x8192,4096x4096,6144x6144,5120x5120,7168x7168,3072x8192,14336x4096 ;;
    r16-hin) ab_sweep ph HANDOFF_TALL_PER_TILE_MAX_ROW_TILES=16,18 --batches=1x272,1x288 \
               --shapes=14336x4096,11008x4096,8192x4096,6144x4096,10240x5120,12288x6144,4096x4096 ;;
    one-launch|padded|rest|routed) bash benchmarks/run_of_record.sh dist_H suite-$step ;;
    *) echo "unknown step: $step"; exit 2 ;;
  esac
done
echo "== done at $SECONDS s"
