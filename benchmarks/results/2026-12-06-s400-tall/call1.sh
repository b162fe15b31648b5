#!/bin/bash
# Entry 400 (device), call 1, on dist_F (the default build of this tree; its dispatch.py copied over again, for the
# probe's edits after the build, if any). On an H200 the run of record (quick and full sweeps) and (b) only (then
# `AB_ONLY=1 bash call1.sh` for (a) and (c)); elsewhere or with AB_ONLY=1:
#  (a) entry 398's call 9: HANDOFF_TILE_BARRIER_TALL_MIN_TILES 16 against 9 (the kept rule; the narrow tiles' constant
#      in step, --with, so both arms are main's dispatch) on five shapes no call timed for it; bf16 ranks 8-64, fp16
#      ranks 16 and 64; medians of 3;
#  (b) the kept rule's GPU test (test_one_adapter_over_hundreds_of_rows_...) and test_grid_handoff_in_graphs_and_streams;
#  (c) HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES 9 against 8 and 5: the 32-row 256-column tile's barrier per row
#      tile on one adapter over 160-256 rows (5-8 row tiles) at six shapes of large h_in and h_out <= 4096 (five
#      untimed; 14336 -> 4096 is calls 6-7's), ranks 32 and 64, both dtypes, medians of 3.
# Every case is checked against the float32 reference before timing.
# Files: gpu-name.txt, record/ (H200 only), *-DTYPE.txt (the sweeps' tables), gpu-tests.txt, sweep.tgz
# Usage (device): bash benchmarks/results/2026-12-06-s400-tall/call1.sh   (carry dist_xz_F)
set -u
repo=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu-name.txt"
[ -d dist_F ] || python3 benchmarks/wheel_xz.py unpack dist_xz_F dist_F > /dev/null || exit 1
rm -rf /tmp/site && python3 -m pip install -q --no-deps --no-index --target /tmp/site dist_F/*.whl || exit 1
cp python/sgmv/dispatch.py /tmp/site/sgmv/dispatch.py
gpu_tests() {
  (cd "$repo/tests" && PYTHONPATH=/tmp/site timeout 120 python3 -m pytest -q -p no:cacheprovider \
     test_gpu_one_launch.py -k "hundreds_of_rows or graphs_and_streams" > "$OUT/gpu-tests.txt" 2>&1
   tail -n 1 "$OUT/gpu-tests.txt")
}
if grep -q H200 "$OUT/gpu-name.txt" && [ -z "${AB_ONLY:-}" ]; then
  mkdir -p "$OUT/record" && OUT="$OUT/record" bash benchmarks/run_of_record.sh dist_F quick full
  rm -f "$OUT/gpu.txt" "$OUT/versions.txt"
  gpu_tests
  exit 0
fi
cd /tmp && rm -rf /tmp/ab
sweep() {  # tag, dtype, seconds, then dispatch_sweep's arguments
  local tag=$1 dt=$2 secs=$3; shift 3
  PYTHONPATH=/tmp/site timeout "$secs" python3 "$repo/benchmarks/dispatch_sweep.py" /tmp/ab/$tag-$dt $dt "$@" \
    --repeat=3 --ops=add_lora > /tmp/ab/$tag-$dt.log 2>&1 || echo "sweep $tag $dt failed: $(tail -n 3 /tmp/ab/$tag-$dt.log)"
  cp /tmp/ab/$tag-$dt/*.txt "$OUT/$tag-$dt.txt"
}
mkdir -p /tmp/ab
tall="HANDOFF_TILE_BARRIER_TALL_MIN_TILES=16,9 --with=HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES=16,9
  --batches=1x288,1x320,1x384,1x448,1x512,2x160,3x144 --shapes=2560x6912,6912x2560,7168x7168,4096x12288,12288x4096"
sweep tall bf16 100 $tall --ranks=8,16,32,64
sweep tall fp16 60 $tall --ranks=16,64
[ -n "${AB_ONLY:-}" ] || gpu_tests
narrow="HANDOFF_TILE_BARRIER_TALL_NARROW_MIN_TILES=9,8,5 --batches=1x160,1x200,1x240,1x256
  --shapes=11008x4096,28672x4096,18944x3584,12288x4096,14336x2048,14336x4096 --ranks=32,64"
sweep narrow bf16 90 $narrow
sweep narrow fp16 90 $narrow
rm -f /tmp/ab/*/*/plot.png
tar -czf "$OUT/sweep.tgz" -C /tmp ab
