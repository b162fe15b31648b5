# NOTES entry 269: call2.sh's sweeps side by side (capped at 2, uncapped at 2 and 3 blocks an SM), case by case.
# Usage: python three_blocks.py DIR (DIR holding call2.sh's capped-*.json and uncapped-*.json)
import json,statistics,sys
d=sys.argv[1] if len(sys.argv)>1 else '.'
for dt in ('bf16','fp16'):
    u=json.load(open(f'{d}/uncapped-{dt}.json')); c=json.load(open(f'{d}/capped-{dt}.json'))
    r2=[];r3=[];r3u=[]
    print(dt)
    for k in u:
        u2=statistics.median(u[k]['times_us']['2']); u3=statistics.median(u[k]['times_us']['3']); c2=statistics.median(c[k]['times_us']['2'])
        r2.append(u2/c2); r3.append(u3/c2); r3u.append(u3/u2)
        flag = '  <<' if u3/c2<0.97 else ('  >>' if u3/c2>1.02 else '')
        print(f"  {k:45s} capped {c2:6.2f} unc2 {u2:6.2f} ({u2/c2:.3f}) unc3 {u3:6.2f} ({u3/c2:.3f}){flag}")
    print(dt,'uncapped@2/capped median %.3f'%statistics.median(r2),'uncapped@3/capped median %.3f min %.3f max %.3f'%(statistics.median(r3),min(r3),max(r3)), 'u3/u2 %.3f'%statistics.median(r3u))
