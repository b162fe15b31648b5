#!/bin/bash
# Entry 411 (device), on dist_J (main's default build). Step:
#   ratio   whether rank 16's 18-row-tile bound needs its h_in / h_out bound (HANDOFF_TALL_PER_TILE_NARROW_IN, 1.5) as
#           well as its h_in bound (MAX_H_IN, 7168): HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES 16 against 18 with
#           HANDOFF_TALL_PER_TILE_NARROW_IN at 8 on both sides (so that every shape below moves), one adapter over 264
#           and 280 rows, 9 shapes with h_in <= 7168 and h_in / h_out 1.71-4.0, rank 16, both dtypes, three runs of
#           medians of 3, each case checked against the float32 reference first -> rt{,2,3}-DTYPE.txt, rt-sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s410/call.sh ratio   (carry dist_xz_J)
# Read: python3 benchmarks/results/2026-12-06-s408/median9.py rt DIR   (DIR holding rt/ from rt-sweep.tgz, one per run)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_J ] || python3 benchmarks/wheel_xz.py unpack dist_xz_J dist_J > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_J/*.whl || exit 1
ratio_sweep() {  # the run's number (1, 2, 3) -> /tmp/rt/rRUN/rt/rt-DTYPE/
  local dir=/tmp/rt/r$1/rt
  mkdir -p "$dir"
  for dt in bf16 fp16; do
    (cd /tmp && PYTHONPATH=/tmp/site timeout 80 python3 "$repo/benchmarks/dispatch_sweep.py" "$dir/rt-$dt" \
      $dt HANDOFF_TALL_PER_TILE_NARROW_IN_MAX_ROW_TILES=16,18 \
      --with=HANDOFF_TALL_PER_TILE_NARROW_IN=8,8 --batches=1x264,1x280 \
      --shapes=4096x2048,5120x2048,6144x2048,7168x2048,7168x4096,6144x3584,5120x3072,4096x1024,7168x3584 \
      --repeat=3 --ops=add_lora --ranks=16 > "$dir/rt-$dt.log" 2>&1) ||
      echo "sweep $dt failed: $(tail -n 3 "$dir/rt-$dt.log")"
    cp "$dir/rt-$dt"/*.txt "$OUT/rt$1-$dt.txt"
  done
}
for step in "$@"; do
  echo "== $step at $SECONDS s"
  case $step in
    ratio) rm -rf /tmp/rt && for run in 1 2 3; do ratio_sweep $run; done
           rm -f /tmp/rt/*/*/*/*/plot.png && tar -czf "$OUT/rt-sweep.tgz" -C /tmp rt ;;
    *) echo "unknown step: $step"; exit 2 ;;
  esac
done
echo "== done at $SECONDS s"
