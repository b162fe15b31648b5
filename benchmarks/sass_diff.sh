#!/bin/bash
# Compares the SASS of generated kernels between two checkouts (CPU only; nvcc and nvdisasm on PATH or in the
# nvidia-cuda-nvcc wheel): which kernels a change leaves byte-identical, so that GPU measurements of the other tree
# still hold for them (benchmarks/NOTES.md, entry 40). Compiles for sm_90a, as the build does for compute capability 90.
#   bash benchmarks/sass_diff.sh TREE_A TREE_B 'GLOB[;GLOB...]'   e.g. 'sgmv_shrink_*;sgmv_fused_*'
# Prints "same NAME" or "DIFF NAME" per kernel, then a count; two compilations at a time. A kernel that fails to
# compile on either side stops the script.
set -e
tree_a=$(realpath "$1"); tree_b=$(realpath "$2"); glob=$3
cutlass=$(python3 -c "import cutlass_library, os; print(os.path.join(os.path.dirname(cutlass_library.__file__), 'source', 'include'))")
nvdisasm=$(command -v nvdisasm || python3 -c "import nvidia.cu13, os; print(os.path.join(list(nvidia.cu13.__path__)[0], 'bin', 'nvdisasm'))")
work=$(mktemp -d)
for side in a b; do
  tree=$([ $side = a ] && echo "$tree_a" || echo "$tree_b")
  mkdir -p "$work/$side/gen"
  (cd "$tree" && PYTHONPATH=python:. python3 -m codegen generate --out "$work/$side/gen" --kernels "$glob" > /dev/null)
  # the kernels' own sources (units.txt: a unit, then its kernels), not the compile units that include them; a tree
  # from before the units (NOTES entry 67) lists its kernels in kernels.txt
  gen=$work/$side/gen
  { if [ -f "$gen/units.txt" ]; then cut -d' ' -f2- "$gen/units.txt" | tr ' ' '\n'; else cat "$gen/kernels.txt"; fi; } | sed "s#^#$work/$side/gen/#; s#\$#.cu#" |
    xargs -P 2 -I{} sh -c "b=\$(basename {} .cu); nvcc -cubin -gencode arch=compute_90a,code=sm_90a \
    -O3 -std=c++17 -I '$tree/csrc' -I '$work/$side/gen' -I '$cutlass' -o '$work/$side/'\$b.cubin {} && \
    '$nvdisasm' -c '$work/$side/'\$b.cubin > '$work/$side/'\$b.sass"
done
same=0; diff=0
for f in "$work"/a/*.sass; do
  name=$(basename "$f" .sass)
  if cmp -s "$f" "$work/b/$name.sass"; then echo "same $name"; same=$((same + 1)); else echo "DIFF $name"; diff=$((diff + 1)); fi
done
echo "$same identical, $diff different"
rm -rf "$work"
