#!/bin/bash
# Compares the SASS of every kernel of two built wheels (CPU only; cuobjdump and nvdisasm on PATH or in the
# nvidia-cuda-cuobjdump and nvidia-cuda-nvdisasm wheels): instructions and their encodings, addresses and headers
# left out, so a build for sm_90a can be compared with one for sm_90 (benchmarks/NOTES.md, entry 60).
#   bash benchmarks/sass_compare.sh WHEEL_A WHEEL_B
# Prints "DIFF NAME" per kernel whose SASS differs or that one wheel lacks, then the counts.
set -e
bin=$(python3 -c "import nvidia.cu13, os; print(os.path.join(list(nvidia.cu13.__path__)[0], 'bin'))" 2>/dev/null || true)
export PATH="$PATH:$bin"
wheel_a=$(realpath "$1"); wheel_b=$(realpath "$2")
work=$(mktemp -d)
mkdir "$work/a" "$work/b"
(cd "$work/a" && unzip -q "$wheel_a")
(cd "$work/b" && unzip -q "$wheel_b")
sass() { cuobjdump -sass "$1" | grep '/\* 0x' | sed 's#/\*[0-9a-f]*\*/##'; }
same=0; differ=0
for f in "$work"/a/sgmv/kernels/*.fatbin; do
  name=$(basename "$f" .fatbin)
  other="$work/b/sgmv/kernels/$name.fatbin"
  if [ -f "$other" ] && [ "$(sass "$f" | md5sum)" = "$(sass "$other" | md5sum)" ]; then
    same=$((same + 1))
  else
    differ=$((differ + 1)); echo "DIFF $name"
  fi
done
echo "same $same, differ $differ (of the first wheel's kernels)"
rm -rf "$work"
