# NOTES entry 267: ab_quick_builds.sh results by kernel family (the 4-warp r8-16 fused tiles against the rest).
# Usage: python by_kernel.py DIR (DIR holding results-A1/A2/B1/B2.csv)
import csv,statistics,sys,collections
d=sys.argv[1]
def load(n): return {(r['dtype'],r['case']):r for r in csv.DictReader(open(f'{d}/results-{n}.csv'))}
A1,A2,B1,B2=[load(n) for n in ('A1','A2','B1','B2')]
groups=collections.defaultdict(list)
rows=[]
for k in A1:
    a=statistics.median([float(A1[k]['time_us']),float(A2[k]['time_us'])]); b=statistics.median([float(B1[k]['time_us']),float(B2[k]['time_us'])])
    kern=A1[k]['kernels']; fam=kern.replace('bf16','X').replace('fp16','X')
    w4='w4m16n256' in kern and ('_r8_' in kern or '_r16_' in kern) and 'fused' in kern
    groups[(k[0][:4], 'w4 r8-16' if w4 else 'other')].append(b/a)
    both = max(float(B1[k]['time_us']),float(B2[k]['time_us'])) < min(float(A1[k]['time_us']),float(A2[k]['time_us']))
    worse = min(float(B1[k]['time_us']),float(B2[k]['time_us'])) > max(float(A1[k]['time_us']),float(A2[k]['time_us']))
    rows.append((b/a,k,kern,a,b,float(A1[k]['target_us']),'B<' if both else ('B>' if worse else '')))
for g,v in sorted(groups.items()): print(g,len(v),'median %.3f min %.3f max %.3f'%(statistics.median(v),min(v),max(v)))
for r in sorted(rows):
    if 'w4m16n256' in r[2] and 'fused' in r[2]: print('%.3f %s %-34s %-45s %.2f %.2f tgt %.2f %s'%(r[0],r[1][0][:4],r[1][1],r[2],r[3],r[4],r[5],r[6]))
