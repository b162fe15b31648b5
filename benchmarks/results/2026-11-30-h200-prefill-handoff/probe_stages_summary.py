"""Summarises the stage stamps of probe-stages.patch (prepared in entry 45's session, not yet run).

Apply the patch, build a filtered wheel (SGMV_KERNELS="sgmv_prefill_bf16_*"), install it, then:
    python benchmarks/profile_cases.py distinct256_r16 > stamps.txt   (two calls; the second is the warm one)
    python probe_stages_summary.py stamps.txt
Per probed block (the first and the last of the grid) and stage, in SM cycles: the wait for a free stage, the
copies' flight (issued -> the consumer sees them), the consumer's work, and how long the consumer waited."""
import collections
import statistics
import sys

producer, consumer, tiles = collections.defaultdict(dict), collections.defaultdict(dict), collections.defaultdict(list)
calls = collections.Counter()
for line in open(sys.argv[1]):
    f = line.split()
    if not f or f[0] not in ("P", "C", "T"):
        continue
    block, i = int(f[1]), int(f[2])
    if f[0] == "T":
        if i == 0:
            calls[block] += 1
        tiles[(calls[block], block)].append(int(f[3]))
    elif f[0] == "P":
        producer[(calls[block], block)][i] = (int(f[3]), int(f[4]))
    else:
        consumer[(calls[block], block)][i] = (int(f[3]), int(f[4]))

for key in sorted(consumer):
    call, block = key
    if call != max(calls.values()):
        continue  # the warm (last) call only
    p, c = producer.get(key, {}), consumer[key]
    flight = [c[i][0] - p[i][1] for i in c if i in p]
    work = [c[i][1] - c[i][0] for i in c]
    starve = [c[i][0] - c[i - 1][1] for i in c if i - 1 in c]
    free_wait = [p[i][1] - p[i][0] for i in p]
    print(f"block {block}: {len(c)} stages, tiles handed over at {tiles[key]}; last stage released at {max(v[1] for v in c.values())}")
    for name, v in (("copies' flight", flight), ("consumer work", work), ("consumer waits", starve),
                    ("producer waits for a stage", free_wait)):
        if v:
            print(f"  {name:28s} median {statistics.median(v):8.0f}  max {max(v):8.0f}  sum {sum(v):9.0f}")
