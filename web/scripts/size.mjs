// Reports what the console's build costs a browser, gzip level 9 as the
// server sends it (docs/console.md#initial-load; Node's zlib, within about
// 1.5 KiB of go test ./web -run Budget): the initial load (what
// index.html names, as web/size_test.go counts it) and, for a chunk, what
// loading it adds on top (its static imports not already loaded).
//   node scripts/size.mjs [chunk.js …]      e.g. EditorPage.js CodeMirrorEditor.js
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const read = (f) => readFileSync(dist + f)
const gz = (f) => gzipSync(read(f), { level: 9 }).length
const kib = (n) => (n / 1024).toFixed(1)

const index = read('index.html').toString()
const initial = ['index.html', ...[...index.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1])]
const sum = (files) => files.reduce((a, f) => [a[0] + read(f).length, a[1] + gz(f)], [0, 0])
const [raw, z] = sum(initial)
console.log(`initial load: ${initial.length} files, ${kib(raw)} KiB raw, ${kib(z)} KiB gzip`)

// closure follows a chunk's static imports (rolldown writes them as
// `from "./x.js"` or `import "./x.js"`).
function closure(f, seen) {
  if (seen.has(f)) return
  seen.add(f)
  const src = read(f).toString()
  for (const m of src.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) closure('assets/' + m[1], seen)
}

const loaded = new Set(initial)
for (const name of process.argv.slice(2)) {
  const seen = new Set()
  closure('assets/' + name, seen)
  const extra = [...seen].filter((f) => !loaded.has(f))
  const [r, g] = sum(extra)
  console.log(`${name}: +${extra.length} files, ${kib(r)} KiB raw, ${kib(g)} KiB gzip (${extra.map((f) => f.slice(7)).join(', ')})`)
  for (const f of extra) loaded.add(f)
}
