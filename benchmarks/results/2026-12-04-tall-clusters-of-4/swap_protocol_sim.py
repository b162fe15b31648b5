"""A model of prefill.cuh's swaps of partial v among a cluster's blocks (NOTES.md, entry 319), on the CPU: B blocks
(one warp each) in R rounds of pairwise swaps a tile, one slot and one landing barrier a block, a read barrier a round,
mbarrier phases and parity waits as the hardware's, random interleavings. It reports a push into slots whose last
contents were not yet read (OVERWRITE), a read of the wrong push (BAD) and a run that cannot go on (DEADLOCK).

    python swap_protocol_sim.py          # the kernel's parities: 0 bad runs of 3000 for 2 and 4 blocks
    python swap_protocol_sim.py --bug    # round 1 with round 0's parity (the first run's hang): 3000 of 3000
"""
import random
import sys

BUG = "--bug" in sys.argv  # round 1 waits with round 0's parity (the first run's hang)


class Bar:
    def __init__(s, count): s.count=count; s.arr=0; s.tx=0; s.completed=0
    def arrive(s):
        s.arr+=1; s.check()
    def expect(s, b): s.tx+=b; s.arrive()
    def complete_tx(s,b): s.tx-=b; s.check()
    def check(s):
        if s.arr==s.count and s.tx==0: s.completed+=1; s.arr=0
    def passes(s,q): return (s.completed & 1) != q
def block(b, B, R, T, bars, slots, log):
    swaps=0
    for t in range(T):
        for r in range(R):
            partner = b ^ (1<<r); nr = r+1 if (2<<r) < B else 0; nw = b ^ (1<<nr)
            rp = (t & 1) ^ (1 if r > 0 and not BUG else 0)
            while not bars[b]['read'][r].passes(rp ^ 1): yield 'wait read'
            # push
            if slots[partner] is not None: log.append(f'OVERWRITE by {b} into {partner} t{t} r{r}, had {slots[partner]}')
            slots[partner] = (b, t, r)
            yield 'pushed'
            bars[partner]['landed'].complete_tx(1)
            yield 'tx'
            bars[b]['landed'].expect(1)
            while not bars[b]['landed'].passes(swaps & 1): yield 'wait landed'
            got = slots[b]
            if got != (partner, t, r): log.append(f'BAD read by {b} t{t} r{r}: {got}')
            slots[b] = None
            yield 'read'
            bars[nw]['read'][nr].arrive()
            swaps+=1
    yield 'done'
def run(B, R, T, seed):
    random.seed(seed)
    bars=[{'landed':Bar(1),'read':[Bar(1) for _ in range(R)]} for _ in range(B)]
    slots=[None]*B; log=[]
    gens=[block(b,B,R,T,bars,slots,log) for b in range(B)]
    done=[False]*B; stuck=0
    while not all(done):
        b=random.choice([i for i in range(B) if not done[i]])
        st=next(gens[b])
        if st=='done': done[b]=True
        if st.startswith('wait'): stuck+=1
        else: stuck=0
        if stuck>10000: return 'DEADLOCK', log
    return 'ok', log
for B,R in ((2,1),(4,2)):
    bad=0
    for seed in range(3000):
        res,log=run(B,R,5,seed)
        if res!='ok' or log: bad+=1; 
        if (res!='ok' or log) and bad<3: print(B,R,seed,res,log[:3])
    print(B,R,'bad runs',bad)
