// Summarize a --cpu-prof profile: inclusive time per function. node bench/prof.cjs <dir-with-.cpuprofile> [top-N]
const fs=require('fs');const dir=process.argv[2];const f=fs.readdirSync(dir)[0];const p=JSON.parse(fs.readFileSync(dir+'/'+f));
const dt=p.timeDeltas;const counts=new Map();p.samples.forEach((s,i)=>counts.set(s,(counts.get(s)||0)+(dt[i]||0)));
const byId=new Map(p.nodes.map(n=>[n.id,n]));const parent=new Map();for(const n of p.nodes)for(const c of (n.children||[]))parent.set(c,n.id);
// inclusive time per function key
const incl=new Map();
for(const n of p.nodes){const t=(counts.get(n.id)||0)/1000;if(!t)continue;const seen=new Set();let id=n.id;while(id!==undefined){const m=byId.get(id);const k=m.callFrame.functionName+' '+(m.callFrame.url||'').replace(/.*node_modules\//,'nm/').replace(/.*\/dist\//,'dist/')+':'+m.callFrame.lineNumber;if(!seen.has(k)){seen.add(k);incl.set(k,(incl.get(k)||0)+t);}id=parent.get(id);}}
console.log([...incl].sort((a,b)=>b[1]-a[1]).slice(0,+process.argv[3]||40).map(([k,v])=>v.toFixed(0)+'ms '+k).join('\n'));
