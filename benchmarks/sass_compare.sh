#!/bin/bash
# Compares the SASS of every kernel of two built wheels (CPU only; cuobjdump and nvdisasm on PATH or in the
# nvidia-cuda-cuobjdump and nvidia-cuda-nvdisasm wheels): instructions and their encodings, with addresses, headers
# and spacing left out, so a build for sm_90a can be compared with one for sm_90 (benchmarks/NOTES.md, entry 60).
# Kernels are matched by their entry's name, whichever fatbin holds them (a file a kernel before entry 67, a file a
# compile unit since).
#   bash benchmarks/sass_compare.sh WHEEL_A WHEEL_B
# Prints "DIFF NAME" per kernel whose SASS differs or that the second wheel lacks, then the counts.
set -e
bin=$(python3 -c "import nvidia.cu13, os; print(os.path.join(list(nvidia.cu13.__path__)[0], 'bin'))" 2>/dev/null || true)
export PATH="$PATH:$bin"
for tool in cuobjdump nvdisasm; do
  command -v $tool >/dev/null || { echo "sass_compare.sh: $tool not found (pip install nvidia-cuda-$tool)" >&2; exit 2; }
done
wheel_a=$(realpath "$1"); wheel_b=$(realpath "$2")
work=$(mktemp -d)
for side in a b; do
  wheel=$wheel_a; [ $side = b ] && wheel=$wheel_b
  mkdir -p "$work/$side/sass"
  (cd "$work/$side" && unzip -q "$wheel")
  # one file of instructions a kernel: cuobjdump heads each function's SASS with "Function : NAME"
  for f in "$work/$side"/sgmv/kernels/*.fatbin; do cuobjdump -sass "$f"; done |
    awk -v dir="$work/$side/sass" '/Function : /{if (out) close(out); out = dir "/" $3}
                                   /\/\* 0x/ && out {sub(/\/\*[0-9a-f]*\*\//, ""); gsub(/[ \t]+/, " "); print >> out}'
done
same=0; differ=0
for f in "$work"/a/sass/*; do
  name=$(basename "$f")
  if cmp -s "$f" "$work/b/sass/$name"; then
    same=$((same + 1))
  else
    differ=$((differ + 1)); echo "DIFF $name"
  fi
done
echo "same $same, differ $differ (of the first wheel's kernels)"
rm -rf "$work"
