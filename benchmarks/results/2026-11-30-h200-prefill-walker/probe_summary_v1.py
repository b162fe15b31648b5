import collections, statistics, sys
lines = open(sys.argv[1]).read().split("MARK")[-1].splitlines()
P, C, T, G = collections.defaultdict(dict), collections.defaultdict(dict), collections.defaultdict(dict), {}
for l in lines:
    f = l.split()
    if not f or f[0] not in ("P", "C", "T", "G"):
        continue
    b = int(f[1])
    if f[0] == "G":
        G[b] = (int(f[2]), int(f[3]), int(f[4]))
    elif f[0] == "T":
        T[b][int(f[2])] = int(f[3])
    else:
        (P if f[0] == "P" else C)[b][int(f[2])] = (int(f[3]), int(f[4]))
g0 = min(v[0] for v in G.values())
for b in sorted(G):
    p, c = P[b], C[b]
    print(f"block {b}: consumer start {(G[b][0]-g0)} ns, end {(G[b][1]-g0)} ns ({G[b][2]} cycles); tiles at {[T[b][i] for i in sorted(T[b])]}")
    print("   i  p.wait p.issue  c.ready c.done  flight  work  starve")
    prev = None
    for i in sorted(c):
        pw, pi = p.get(i, (0, 0))
        cr, cd = c[i]
        print(f"  {i:2d} {pw:7d} {pi:7d} {cr:7d} {cd:7d} {cr-pi:7d} {cd-cr:5d} {cr-prev if prev else 0:6d}")
        prev = cd
