#!/bin/bash
# Entry 408 (device; prepared, not run: no device time left), on dist_J (the default build of main with
# HANDOFF_TALL_PER_TILE_NARROW_IN*: rank 16's 16-row tiles over 17-18 row tiles of one adapter where h_in <= 1.5 h_out
# and h_in <= 7168; kernels as dist_H's). Steps, in the order given:
#   record   on an H200 only: the run of record (run_of_record.sh quick full) -> $OUT/record/
#   narrow   the rule out of sample: HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES 16 against 18 (with its MAX_H_IN at
#            16384, so that h_in over 7168 moves too), one adapter over 264 and 280 rows (17 and 18 row tiles;
#            entries 406 and 408 timed 272 and 288) at 11 shapes no call timed for it, h_in / h_out 0.5-1.5, rank 16,
#            both dtypes, three runs of medians of 3, each case checked against the float32 reference first
#            -> nw{,2,3}-DTYPE.txt, nw{,2,3}-sweep.tgz
#   routed   the GPU tests whose launches go through dispatch (run_of_record.sh suite-routed) -> gpu-suite-routed.txt
# Usage (device): bash benchmarks/results/2026-12-06-s408/call.sh STEP...   (carry dist_xz_J)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_J ] || python3 benchmarks/wheel_xz.py unpack dist_xz_J dist_J > /dev/null || exit 1
wide_in=8192x6144,10240x7168  # h_in of 8192 or more at h_in / h_out 1.33-1.43: is it the ratio, or h_in alone?
narrow_sweep() {  # the run's suffix ("", 2, 3) -> $OUT/nwSUFFIX-DTYPE.txt, nwSUFFIX-sweep.tgz
  local name=nw$1
  rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_J/*.whl || exit 1
  rm -rf "/tmp/$name" && mkdir -p "/tmp/$name"
  for dt in bf16 fp16; do
    (cd /tmp && PYTHONPATH=/tmp/site timeout 80 python3 "$repo/benchmarks/dispatch_sweep.py" "/tmp/$name/$name-$dt" \
      $dt HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES=16,18 \
      --with=HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_H_IN=7168,16384 --batches=1x264,1x280 \
      --shapes=2048x4096,4096x6144,5120x6144,3584x4096,4608x4608,6144x5120,5120x4096,7168x5120,9216x6144,$wide_in \
      --repeat=3 --ops=add_lora --ranks=16 > "/tmp/$name/$name-$dt.log" 2>&1) ||
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
        mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_J quick full
      else echo "record: not an H200, skipped"; fi ;;
    narrow) for run in "" 2 3; do narrow_sweep "$run"; done ;;
    routed) bash benchmarks/run_of_record.sh dist_J suite-routed ;;
    *) echo "unknown step: $step"; exit 2 ;;
  esac
done
echo "== done at $SECONDS s"
