# Two bench runs (quick/, full-bf16/, full-fp16/ under each) compared case by case: counts within the target, the
# cases on the same kernel (drift) and each case whose kernel differs.  python3 compare_runs.py NEW_DIR OLD_DIR
import csv, sys, statistics as st
def load(p):
    return {(r['dtype'],r['case']):r for r in csv.DictReader(open(p)) if r['op']=='add_lora'}
new_dir, old_dir = sys.argv[1], sys.argv[2]
for part in ['quick','full-bf16','full-fp16']:
    n=load(f'{new_dir}/{part}/results.csv'); o=load(f'{old_dir}/{part}/results.csv')
    met={}
    for k,r in n.items(): met.setdefault(k[0],[0,0]); met[k[0]][0]+= r['meets_target']=='True'; met[k[0]][1]+=1
    same=[float(n[k]['time_us'])/float(o[k]['time_us']) for k in n if k in o and n[k]['kernels']==o[k]['kernels']]
    print(part, {d:f'{a}/{b}' for d,(a,b) in met.items()}, 'median t/target', {d: round(st.median(float(r['time_us'])/float(r['target_us']) for kk,r in n.items() if kk[0]==d),3) for d in met},
          'copy', n[next(iter(n))]['copy_us'][:5], 'unchanged kernels: n=%d median %.3f (%.3f-%.3f)'%(len(same),st.median(same),min(same),max(same)))
    for k in sorted(n):
        if k in o and n[k]['kernels']!=o[k]['kernels']:
            print('   moved', k[0][:4], k[1], '%.2f -> %.2f us (%.3f), t/target %.3f -> %.3f'%(float(o[k]['time_us']),float(n[k]['time_us']),float(n[k]['time_us'])/float(o[k]['time_us']),float(o[k]['time_us'])/float(o[k]['target_us']),float(n[k]['time_us'])/float(n[k]['target_us'])), n[k]['kernels'].split('_hany_')[-1] if '_hany_' in n[k]['kernels'] else n[k]['kernels'])
    if part=='quick':
        w=sorted(n.items(), key=lambda kv:-float(kv[1]['time_us'])/float(kv[1]['target_us']))[:6]
        for k,r in w: print('   worst', k[0][:4], k[1], '%.3f'%(float(r['time_us'])/float(r['target_us'])), r['time_us'][:5], r['target_us'][:5])
