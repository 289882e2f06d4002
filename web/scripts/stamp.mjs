// Writes dist/build-hash.txt: the SHA-256 of the inputs of the build (src/,
// the lock file, the build config), computed exactly as web/stale_test.go
// computes it, so `go test ./web` tells when the committed build is stale.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
export const inputs = ['src', 'index.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json', 'public']

function walk(p, out) {
  let st
  try { st = statSync(p) } catch { return }
  if (st.isDirectory()) {
    for (const e of readdirSync(p)) walk(join(p, e), out)
  } else {
    out.push(p)
  }
}

const files = []
for (const i of inputs) walk(join(root, i), files)
const rel = files.map((f) => relative(root, f).split('\\').join('/')).sort()
const h = createHash('sha256')
for (const r of rel) {
  h.update(r + '\0')
  h.update(readFileSync(join(root, r)))
  h.update('\0')
}
writeFileSync(join(root, 'dist', 'build-hash.txt'), h.digest('hex') + '\n')
console.log('dist/build-hash.txt written')
