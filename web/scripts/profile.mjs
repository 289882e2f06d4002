// Summarizes a V8 .cpuprofile (as the LargeDAG benchmark writes with
// JOBFLOW_CONSOLE_CPUPROFILE): self and total time per function, top N.
//   node scripts/profile.mjs file.cpuprofile [N]
import { readFileSync } from 'node:fs'

const [file, n = '30'] = process.argv.slice(2)
const p = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(p.nodes.map((x) => [x.id, x]))
const parent = new Map()
for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id)
const self = new Map()
const total = new Map()
const key = (x) => {
  const f = x.callFrame
  return (f.functionName || '(anon)') + ' ' + (f.url.split('/').pop() || '') + ':' + (f.lineNumber + 1)
}
for (let i = 0; i < p.samples.length; i++) {
  const dt = (p.timeDeltas[i + 1] ?? 0) / 1000
  let x = byId.get(p.samples[i])
  self.set(key(x), (self.get(key(x)) ?? 0) + dt)
  const seen = new Set()
  for (; x; x = byId.get(parent.get(x.id))) {
    const k = key(x)
    if (seen.has(k)) continue
    seen.add(k)
    total.set(k, (total.get(k) ?? 0) + dt)
  }
}
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(n))
console.log('span', ((p.endTime - p.startTime) / 1000).toFixed(0), 'ms')
console.log('--- self ms'); for (const [k, v] of top(self)) console.log(v.toFixed(0).padStart(7), k)
console.log('--- total ms'); for (const [k, v] of top(total)) console.log(v.toFixed(0).padStart(7), k)
