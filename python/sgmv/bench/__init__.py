"""The shape-sweep benchmark of BENCH.md (`python -m sgmv bench`)."""
